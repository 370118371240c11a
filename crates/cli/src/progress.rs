//! Progress for long work: a bar on a terminal, a line every tenth otherwise (CI logs).

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

use app::progress::Progress;

pub(crate) enum Reporter {
    Bar(ProgressBar),
    Lines(Mutex<LineState>),
}

pub(crate) struct LineState {
    label: String,
    total: u64,
    last_tenth: u64,
}

impl Reporter {
    pub(crate) fn new() -> Reporter {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::hidden();
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {human_pos}/{human_len} ({per_sec}, {eta} left)")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            Reporter::Bar(bar)
        } else {
            Reporter::Lines(Mutex::new(LineState { label: String::new(), total: 0, last_tenth: 0 }))
        }
    }
}

impl Progress for Reporter {
    fn start(&self, label: &str, total: u64) {
        match self {
            Reporter::Bar(bar) => {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar.set_length(total);
                bar.set_position(0);
                bar.set_message(label.to_owned());
            }
            Reporter::Lines(state) => {
                let mut state = state.lock().expect("progress lock");
                *state = LineState { label: label.to_owned(), total, last_tenth: 0 };
            }
        }
    }

    fn advance(&self, done: u64) {
        match self {
            Reporter::Bar(bar) => bar.set_position(done),
            Reporter::Lines(state) => {
                let mut state = state.lock().expect("progress lock");
                let tenth = (done * 10).checked_div(state.total).unwrap_or(10);
                if tenth > state.last_tenth {
                    state.last_tenth = tenth;
                    eprintln!("{}: {}% ({done} of {})", state.label, tenth * 10, state.total);
                }
            }
        }
    }

    fn finish(&self) {
        if let Reporter::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
