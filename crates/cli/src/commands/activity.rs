//! `activity price`, `activity convert` (and, with the store, `activity load`).

use std::time::Instant;

use anyhow::Context;

use app::activity::{PriceFiles, convert_to_parquet, price_files};
use commissioning::period::YearMonth;

use crate::config::{ActivityCommand, Global};
use crate::progress::Reporter;

pub(crate) async fn activity(global: &Global, command: ActivityCommand) -> anyhow::Result<()> {
    let _ = global;
    match command {
        ActivityCommand::Price { tariff, mff, commissioner, period, summary_out, challenges_out, priced_out, threads, inputs } => {
            let period = period.as_deref().map(YearMonth::parse).transpose().context("--period")?;
            let request = PriceFiles { inputs, tariff, mff, commissioner, period, summary_out, challenges_out, priced_out, threads };
            let started = Instant::now();
            let report = tokio::task::spawn_blocking(move || price_files(&request, &Reporter::new())).await??;
            eprintln!("{}. {:.2} s", app::activity::describe(&report), started.elapsed().as_secs_f64());
            Ok(())
        }
        ActivityCommand::Convert { input, output } => {
            let rows = tokio::task::spawn_blocking(move || convert_to_parquet(&input, &output, &Reporter::new())).await??;
            eprintln!("Wrote {rows} rows");
            Ok(())
        }
    }
}
