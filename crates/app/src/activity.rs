//! Pricing activity files outside the store (`commissioner activity price`): validate,
//! de-duplicate, price and summarise any number of CSV or Parquet files against a tariff and
//! MFFs, writing the summary, the challenges and (optionally) the priced rows.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use analytics::AnalyticsError;
use analytics::engine::{Challenge, RunOptions, RunReport, Sink, run};
use analytics::parquet_io::{ParquetFileWriter, priced_schema};
use analytics::pricing::{MffTable, Tariff};
use analytics::rules::Checks;
use commissioning::period::YearMonth;

use crate::progress::Progress;

/// What to price and where to write.
#[derive(Debug, Clone)]
pub struct PriceFiles {
    pub inputs: Vec<PathBuf>,
    pub tariff: PathBuf,
    pub mff: Option<PathBuf>,
    pub commissioner: Option<String>,
    pub period: Option<YearMonth>,
    pub summary_out: PathBuf,
    pub challenges_out: Option<PathBuf>,
    pub priced_out: Option<PathBuf>,
    pub threads: Option<usize>,
}

/// Writes challenges as `record_id,provider_code,reason,line`, and priced rows to Parquet.
struct FileSink {
    challenges: Option<BufWriter<File>>,
    priced: Option<ParquetFileWriter>,
}

impl Sink for FileSink {
    fn challenge(&mut self, challenge: &Challenge<'_>) -> Result<(), AnalyticsError> {
        if let Some(out) = self.challenges.as_mut() {
            let mut write = || -> std::io::Result<()> {
                write_csv_field(out, challenge.record_id)?;
                out.write_all(b",")?;
                write_csv_field(out, challenge.provider_code)?;
                writeln!(out, ",{},{}", challenge.reason.code(), challenge.line)
            };
            write().map_err(|e| AnalyticsError::Internal(format!("writing challenges: {e}")))?;
        }
        Ok(())
    }

    fn priced(&mut self, batch: &arrow_array::RecordBatch) -> Result<(), AnalyticsError> {
        match self.priced.as_mut() {
            Some(writer) => writer.write(batch),
            None => Ok(()),
        }
    }
}

fn write_csv_field(out: &mut impl Write, value: &[u8]) -> std::io::Result<()> {
    if value.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.write_all(b"\"")?;
        out.write_all(
            &value.iter().flat_map(|b| if *b == b'"' { vec![b'"', b'"'] } else { vec![*b] }).collect::<Vec<u8>>(),
        )?;
        out.write_all(b"\"")
    } else {
        out.write_all(value)
    }
}

/// Runs the engine over files and writes its outputs (each through a temporary file, so a
/// failure leaves no partial output under the final name).
pub fn price_files(request: &PriceFiles, progress: &dyn Progress) -> anyhow::Result<RunReport> {
    let tariff = Tariff::from_csv(&request.tariff)?;
    let mff = match &request.mff {
        Some(path) => MffTable::from_csv(path)?,
        None => MffTable::default(),
    };
    for input in &request.inputs {
        anyhow::ensure!(input.exists(), "{}: no such file", input.display());
    }
    let partial = |path: &Path| path.with_extension("partial");
    let challenges = match &request.challenges_out {
        Some(path) => Some(BufWriter::with_capacity(
            1 << 20,
            File::create(partial(path)).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => None,
    };
    let mut sink = FileSink { challenges, priced: None };
    if let Some(out) = sink.challenges.as_mut() {
        writeln!(out, "record_id,provider_code,reason,line")?;
    }
    if let Some(path) = &request.priced_out {
        sink.priced = Some(ParquetFileWriter::create(path, priced_schema())?);
    }
    let mut options = RunOptions {
        checks: Checks {
            commissioner: request.commissioner.clone(),
            period: request.period.map(|p| (p.year() as u16, p.month() as u8)),
        },
        want_priced: request.priced_out.is_some(),
        ..RunOptions::default()
    };
    if let Some(threads) = request.threads {
        options.threads = threads;
    }
    let total: u64 = request.inputs.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    progress.start("Pricing activity (bytes)", total);
    let report = run(&request.inputs, &tariff, &mff, &options, &mut sink, &|done, _| progress.advance(done))?;
    progress.finish();
    let summary_partial = partial(&request.summary_out);
    std::fs::write(&summary_partial, report.summary_csv())
        .with_context(|| format!("writing {}", request.summary_out.display()))?;
    std::fs::rename(&summary_partial, &request.summary_out)?;
    if let (Some(mut out), Some(path)) = (sink.challenges.take(), &request.challenges_out) {
        out.flush()?;
        drop(out);
        std::fs::rename(partial(path), path)?;
    }
    if let Some(writer) = sink.priced.take() {
        writer.finish()?;
    }
    Ok(report)
}

/// Converts an activity CSV to Parquet.
pub fn convert_to_parquet(input: &Path, output: &Path, progress: &dyn Progress) -> anyhow::Result<u64> {
    progress.start("Converting rows", 0);
    let rows = analytics::parquet_io::csv_to_parquet(input, output, &|done| progress.advance(done))?;
    progress.finish();
    Ok(rows)
}

/// One line describing a run: rows, valid rows and their value, challenges by reason.
pub fn describe(report: &RunReport) -> String {
    let reasons: Vec<String> = analytics::rules::Reason::ALL
        .iter()
        .map(|reason| format!("{} {}", report.challenged(*reason), reason.code()))
        .collect();
    format!(
        "{} rows: {} valid, worth £{}; challenged: {}",
        report.n_rows,
        report.n_valid,
        analytics::pricing::pounds(report.total_pence),
        reasons.join(", ")
    )
}
