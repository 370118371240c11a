//! `contracts`, `contracts attach` and `payment statement`: the contract register with its
//! deadline alerts, documents attached to a contract, and a contract's monthly payment
//! statement line by line.

use std::io::Write;

use anyhow::Context;

use app::{Actor, App};
use commissioning::period::{YearMonth, parse_date};

use crate::commands::import::whoami;
use crate::config::{ContractsArgs, ContractsCommand, DEFAULT_DATA_DIR, Global, PaymentArgs, PaymentCommand};

pub(crate) async fn contracts(global: &Global, args: ContractsArgs) -> anyhow::Result<()> {
    if let Some(ContractsCommand::Attach { contract, title, file }) = args.command {
        let content = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        let file_name = file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
        let bytes = content.len();
        let id = app
            .attach_document(&Actor::System(format!("cli:{}", whoami())), &contract, &title, &file_name, content)
            .await;
        let id = match id {
            Err(app::AppError::NotFound) => anyhow::bail!("{contract} is not in the register"),
            other => other?,
        };
        app.close().await;
        eprintln!("Attached {} ({bytes} bytes) to {contract} as document {id}", file.display());
        return Ok(());
    }
    let today = match &args.date {
        Some(date) => parse_date(date).context("--date")?,
        None => chrono::Local::now().date_naive(),
    };
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    let register = app.contracts(&Actor::System(format!("cli:{}", whoami())), today).await?;
    if let Some(path) = &args.out {
        let table = app::contracts::register_table(&register);
        let bytes = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("xlsx") => app::export::workbook(&[table])?,
            Some("csv") => table.to_csv().into_bytes(),
            _ => anyhow::bail!("--out must end in .xlsx or .csv ({} does not)", path.display()),
        };
        let partial = path.with_extension("partial");
        std::fs::write(&partial, bytes).with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("Wrote {} contracts to {}", register.len(), path.display());
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<16} {:<8} {:<18} {:>16} {:>12} {:>12}  alerts",
        "contract", "provider", "mechanism", "annual value", "ends", "notice by"
    )?;
    for view in &register {
        let contract = &view.contract;
        writeln!(
            out,
            "{:<16} {:<8} {:<18} {:>16} {:>12} {:>12}  {}",
            contract.id,
            contract.provider,
            contract.mechanism.code(),
            contract.annual_value.to_string(),
            contract.term.end,
            contract.term.notice_deadline(),
            view.alerts.iter().map(|alert| alert.message.clone()).collect::<Vec<_>>().join("; ")
        )?;
    }
    writeln!(
        out,
        "{} contracts; alerts as at {today}, looking {} days ahead",
        register.len(),
        app::contracts::ALERT_HORIZON_DAYS
    )?;
    Ok(())
}

pub(crate) async fn payment(global: &Global, args: PaymentArgs) -> anyhow::Result<()> {
    let (contract, month, json) = match args.command {
        PaymentCommand::Statement { contract, month, json } => (contract, month, json),
        PaymentCommand::Reconcile { contract, month } => return reconcile(global, &contract, &month).await,
    };
    let month = YearMonth::parse(&month).context("--month")?;
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    let actor = Actor::System(format!("cli:{}", whoami()));
    let statement = app
        .payment_statement(&actor, &contract, month)
        .await
        .with_context(|| format!("the statement of {contract} for {month}"))?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &statement)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "Payment statement: {} for {} ({})",
        statement.contract_id, statement.month, statement.statement.mechanism
    )?;
    for line in &statement.statement.lines {
        writeln!(out, "{:<60} {:>16}", line.label, line.amount.to_string())?;
        for (name, value) in &line.inputs {
            writeln!(out, "    {name}: {value}")?;
        }
        writeln!(out, "    rule: {}", line.rule)?;
        writeln!(out, "    source: {}", line.source)?;
    }
    writeln!(out, "{:<60} {:>16}", "Total", statement.total.to_string())?;
    Ok(())
}

async fn reconcile(global: &Global, contract: &str, month: &str) -> anyhow::Result<()> {
    let month = YearMonth::parse(month).context("--month")?;
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    let actor = Actor::System(format!("cli:{}", whoami()));
    let result = app
        .reconciliation(&actor, contract, month)
        .await
        .with_context(|| format!("reconciling {contract} for {month}"))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Reconciliation: {} for {}", result.contract_id, result.month)?;
    let Some(reconciliation) = &result.reconciliation else {
        anyhow::bail!(
            "no invoice has been received for {} in {}; import invoices first",
            result.contract_id,
            result.month
        );
    };
    for check in &reconciliation.checks {
        let verdict = if check.difference == commissioning::money::Money::ZERO { "matches" } else { "DIFFERS" };
        writeln!(
            out,
            "  {:<44} {} {} against {} {}: {verdict} ({})",
            check.name, check.left.0, check.left.1, check.right.0, check.right.1, check.difference
        )?;
    }
    if !reconciliation.matched() {
        anyhow::bail!("{} difference(s) to resolve", reconciliation.differences().count());
    }
    writeln!(out, "Everything matches.")?;
    Ok(())
}
