//! `needs` and `indicator-catalogue`: the health needs assessment of an area, printed as a
//! summary or written whole as XLSX, CSV or JSON; and the indicator catalogue as CSV.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

use app::export::{DataTable, Datum};
use app::needs::export;
use app::needs::{NeedsLevel, NeedsQuery, parse_area};
use app::{Actor, App};

use crate::commands::import::whoami;
use crate::config::{CatalogueArgs, DEFAULT_DATA_DIR, Global, NeedsArgs};

pub(crate) async fn needs(global: &Global, args: NeedsArgs) -> anyhow::Result<()> {
    let level = NeedsLevel::parse(&args.level)
        .with_context(|| format!("--level must be locality, msoa, lsoa or practice, not {:?}", args.level))?;
    let area = parse_area(&args.area).context("--area")?;
    let benchmark = args.benchmark.as_deref().map(parse_area).transpose().context("--benchmark")?;
    let extension =
        args.out.as_ref().map(|path| path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase());
    if let (Some(path), Some(extension)) = (&args.out, &extension)
        && !["xlsx", "csv", "json"].contains(&extension.as_str())
    {
        bail!("--out must end in .xlsx, .csv or .json ({} does not)", path.display());
    }
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    let actor = Actor::System(format!("cli:{}", whoami()));
    let query = NeedsQuery { area: Some(area), level, benchmark, year: args.year };
    let assessment =
        app.needs_assessment(&actor, &query).await.with_context(|| format!("assessing the needs of {}", args.area))?;
    if assessment.indicators.is_empty() {
        bail!(
            "{} ({}) has no counts for any indicator; import registers first",
            assessment.area.name,
            assessment.area.code
        );
    }
    match &args.out {
        None => print_summary(&assessment)?,
        Some(path) => {
            let bytes = match extension.as_deref().unwrap_or("") {
                "xlsx" => export::to_xlsx(&assessment)?,
                "csv" => export::overview(&assessment).to_csv().into_bytes(),
                "json" => serde_json::to_vec_pretty(&assessment)?,
                _ => bail!("--out must end in .xlsx, .csv or .json ({} does not)", path.display()),
            };
            write_atomically(path, &bytes)?;
            eprintln!(
                "Wrote the needs assessment of {} ({} indicators, {} places) to {}",
                assessment.area.name,
                assessment.indicators.len(),
                assessment.indicators.iter().map(|i| i.places.len()).max().unwrap_or(0),
                path.display()
            );
        }
    }
    Ok(())
}

pub(crate) async fn catalogue(global: &Global, args: CatalogueArgs) -> anyhow::Result<()> {
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    let definitions = app.indicator_catalogue(&Actor::System(format!("cli:{}", whoami()))).await?;
    let table = DataTable {
        name: "Catalogue",
        headers: commissioning::plan::indicators::COLUMNS.to_vec(),
        rows: definitions.iter().map(|d| d.to_fields().into_iter().map(Datum::Text).collect()).collect(),
    };
    match &args.out {
        Some(path) => write_atomically(path, table.to_csv().as_bytes())?,
        None => print!("{}", table.to_csv()),
    }
    Ok(())
}

fn print_summary(assessment: &app::needs::NeedsAssessment) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Needs assessment: {} ({}), by {}",
        assessment.area.name,
        assessment.area.code,
        assessment.level.label()
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<14} {:>5} {:>12} {:>25} {:>12}  {:<10} {:<10}",
        "indicator", "year", "value", "95% limits", "benchmark", "vs (95%)", "vs (99.8%)"
    )?;
    let number = |value: Option<f64>| value.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}"));
    for indicator in &assessment.indicators {
        let overall = &indicator.overall;
        writeln!(
            out,
            "{:<14} {:>5} {:>12} {:>25} {:>12}  {:<10} {:<10}",
            indicator.definition.id,
            indicator.year,
            number(overall.value),
            format!("{} to {}", number(overall.lower95), number(overall.upper95)),
            number(indicator.benchmark_value.as_ref().and_then(|v| v.value)),
            indicator.significance95.label(),
            indicator.significance998.label()
        )?;
    }
    if !assessment.unmet_need.is_empty() {
        writeln!(out)?;
        writeln!(out, "Estimated unmet need (expected minus recorded, largest first):")?;
        for line in assessment.unmet_need.iter().take(10) {
            writeln!(
                out,
                "  {:<60} {:>10.0} people ({:.1}% of expected)",
                line.indicator_name,
                line.need.unmet,
                line.need.unmet_share * 100.0
            )?;
        }
    }
    for note in &assessment.notes {
        writeln!(out, "Note: {note}")?;
    }
    Ok(())
}

/// Writes through a temporary file and renames it, so a failure leaves nothing half-written.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
