//! Progress reporting for long work, without tying `app` to a terminal library.

/// Receives progress from long-running work. The CLI draws a bar; tests ignore it.
pub trait Progress: Send + Sync {
    /// Work of `total` units named `label` has started.
    fn start(&self, label: &str, total: u64);
    /// `done` units are finished so far.
    fn advance(&self, done: u64);
    fn finish(&self);
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _label: &str, _total: u64) {}
    fn advance(&self, _done: u64) {}
    fn finish(&self) {}
}
