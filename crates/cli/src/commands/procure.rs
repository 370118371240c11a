//! `procure`: a tender's bids as CSV, under the same seal as the pages and the API (the
//! command line opens no bid before the deadline has passed and the tender has closed); the
//! OCDS release package of every procurement; OCDS imports from other publishers; and the
//! red flags as CSV.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use app::tenders::now_utc;
use app::{Actor, App};

use crate::commands::import::whoami;
use crate::config::{DEFAULT_DATA_DIR, Global, ProcureArgs, ProcureCommand};

pub(crate) async fn procure(global: &Global, args: ProcureArgs) -> anyhow::Result<()> {
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    let result = run(&app, args.command).await;
    app.close().await;
    result
}

async fn run(app: &App, command: ProcureCommand) -> anyhow::Result<()> {
    let actor = Actor::System(format!("cli:{}", whoami()));
    match command {
        ProcureCommand::Bids { tender } => bids(app, tender).await,
        ProcureCommand::ExportOcds { out, base_uri } => {
            let package = app.ocds_release_package(base_uri.trim_end_matches('/'), now_utc()).await?;
            let text = serde_json::to_string_pretty(&package)?;
            let n = package["releases"].as_array().map_or(0, Vec::len);
            match out {
                Some(path) => {
                    write_whole(&path, text.as_bytes())?;
                    eprintln!("Wrote {n} releases to {}", path.display());
                }
                None => println!("{text}"),
            }
            Ok(())
        }
        ProcureCommand::ImportOcds { file } => {
            let report = app.import_ocds(&actor, &file).await?;
            for problem in &report.skipped {
                eprintln!("{}: {}: {} (skipped)", report.file, problem.path, problem.message);
            }
            eprintln!(
                "Imported {} releases from {} ({} read, {} skipped)",
                report.imported,
                file.display(),
                report.releases,
                report.skipped.len()
            );
            Ok(())
        }
        ProcureCommand::RedFlags { out } => {
            let flags = app.red_flags(&actor, now_utc()).await?;
            let csv = flags.to_csv();
            match out {
                Some(path) => {
                    write_whole(&path, csv.as_bytes())?;
                    eprintln!("Wrote {} red flags to {}", flags.flags.len(), path.display());
                }
                None => print!("{csv}"),
            }
            Ok(())
        }
    }
}

/// Writes a file whole or not at all: to a partial file first, renamed into place.
fn write_whole(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))
}

async fn bids(app: &App, tender: i64) -> anyhow::Result<()> {
    let bids = match app.bids_for_export(tender, now_utc()).await {
        Err(app::AppError::NotFound) => anyhow::bail!("there is no tender {tender}"),
        Err(sealed @ app::AppError::Sealed(_)) => anyhow::bail!("tender {tender}: {sealed}"),
        other => other?,
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "bidder,price,submitted_by,response")?;
    for bid in &bids {
        let fields = [bid.bidder.clone(), bid.price.to_pounds_string(), bid.submitted_by.clone(), bid.response.clone()];
        writeln!(out, "{}", fields.iter().map(|f| field(f)).collect::<Vec<_>>().join(","))?;
    }
    out.flush()?;
    Ok(())
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}
