//! `import`: one CSV file into the store, all or nothing.

use anyhow::Context;

use app::import::{ImportKind, ImportOptions};
use app::{Actor, App};
use commissioning::period::parse_date;

use crate::config::{DEFAULT_DATA_DIR, Global, ImportArgs, ImportWhat};

pub(crate) async fn import(global: &Global, args: ImportArgs) -> anyhow::Result<()> {
    let kind = match args.what {
        ImportWhat::Organisations => ImportKind::Organisations,
        ImportWhat::Areas => ImportKind::Areas,
        ImportWhat::Population => ImportKind::Population,
        ImportWhat::Practices => ImportKind::Practices,
        ImportWhat::Services => ImportKind::Services,
        ImportWhat::Indicators => ImportKind::Indicators,
        ImportWhat::Registers => ImportKind::Registers,
        ImportWhat::Contracts => ImportKind::Contracts,
        ImportWhat::Invoices => ImportKind::Invoices,
        ImportWhat::Variations => ImportKind::Variations,
        ImportWhat::Cquin => ImportKind::Cquin,
        ImportWhat::ServiceLines => ImportKind::ServiceLines,
        ImportWhat::Kpis => ImportKind::Kpis,
        ImportWhat::KpiResults => ImportKind::KpiResults,
        ImportWhat::BestPractice => ImportKind::BestPractice,
        ImportWhat::AeAttendances => ImportKind::AeAttendances,
        ImportWhat::RttCompleted => ImportKind::RttCompleted,
        ImportWhat::Quality => ImportKind::Quality,
        ImportWhat::Provision => ImportKind::Provision,
        ImportWhat::Access => ImportKind::Access,
    };
    let as_of = args.as_of.as_deref().map(parse_date).transpose().context("--as-of")?;
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    let actor = Actor::System(format!("cli:{}", whoami()));
    let report = app.import(&actor, kind, &args.file, &ImportOptions { year: args.year, as_of }).await?;
    println!(
        "Imported {} rows of {} ({} format) from {}: {} records written. SHA-256 {}",
        report.n_rows,
        report.kind,
        report.format,
        report.file.display(),
        report.n_written,
        report.sha256
    );
    Ok(())
}

/// The operating-system user, for the audit log.
pub(crate) fn whoami() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into())
}
