//! `activity price`, `activity convert` (and, with the store, `activity load`).

use std::time::Instant;

use anyhow::Context;

use app::activity::{PriceFiles, convert_to_parquet, price_files};
use commissioning::period::YearMonth;

use app::{Actor, App};
use commissioning::org::OdsCode;
use commissioning::period::parse_date;

use crate::commands::import::whoami;
use crate::config::{ActivityCommand, DEFAULT_DATA_DIR, Global, PriceWhat, PricesCommand};
use crate::progress::Reporter;

pub(crate) async fn activity(global: &Global, command: ActivityCommand) -> anyhow::Result<()> {
    match command {
        ActivityCommand::Load { provider, month, file } => {
            let provider = OdsCode::parse(&provider).context("--provider")?;
            let month = YearMonth::parse(&month).context("--month")?;
            let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
            let file_name = file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let started = Instant::now();
            let report = app
                .load_submission(&Actor::System(format!("cli:{}", whoami())), &provider, month, &file_name, &file)
                .await?;
            if report.unchanged {
                println!(
                    "{provider} {month}: this file is already the current submission (id {}); nothing changed",
                    report.id
                );
            } else {
                println!(
                    "{provider} {month}: submission {} {}: {} rows, {} valid worth {}, {} challenged ({:.2} s)",
                    report.id,
                    if report.replaced { "replaces the earlier one" } else { "loaded" },
                    report.n_rows,
                    report.n_valid,
                    commissioning::money::Money::from_pence(report.value_pence),
                    report.n_challenged,
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        ActivityCommand::Plan { file } => {
            let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
            let report = app.import_plan(&Actor::System(format!("cli:{}", whoami())), &file).await?;
            println!("Imported {} plan rows from {}", report.n_rows, file.display());
            Ok(())
        }
        ActivityCommand::Price {
            tariff,
            mff,
            commissioner,
            period,
            summary_out,
            challenges_out,
            priced_out,
            threads,
            inputs,
        } => {
            let period = period.as_deref().map(YearMonth::parse).transpose().context("--period")?;
            let request = PriceFiles {
                inputs,
                tariff,
                mff,
                commissioner,
                period,
                summary_out,
                challenges_out,
                priced_out,
                threads,
            };
            let started = Instant::now();
            let report = tokio::task::spawn_blocking(move || price_files(&request, &Reporter::new())).await??;
            eprintln!("{}. {:.2} s", app::activity::describe(&report), started.elapsed().as_secs_f64());
            Ok(())
        }
        ActivityCommand::Convert { input, output } => {
            let rows =
                tokio::task::spawn_blocking(move || convert_to_parquet(&input, &output, &Reporter::new())).await??;
            eprintln!("Wrote {rows} rows");
            Ok(())
        }
    }
}

pub(crate) async fn prices(global: &Global, command: PricesCommand) -> anyhow::Result<()> {
    match command {
        PricesCommand::Import { what, file, from, to } => {
            let from = parse_date(&from).context("--from")?;
            let to = to.as_deref().map(parse_date).transpose().context("--to")?;
            let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
            let actor = Actor::System(format!("cli:{}", whoami()));
            let report = match what {
                PriceWhat::Tariff => app.import_tariff(&actor, &file, from, to).await?,
                PriceWhat::Mff => app.import_mff(&actor, &file, from, to).await?,
            };
            println!(
                "Imported {} prices from {}, in force from {from}{}",
                report.n_rows,
                file.display(),
                to.map(|t| format!(" to {t}")).unwrap_or_default()
            );
            Ok(())
        }
        PricesCommand::Uplift { in_force_on, from, to, cost_uplift, efficiency } => {
            let in_force_on = parse_date(&in_force_on).context("--in-force-on")?;
            let from = parse_date(&from).context("--from")?;
            let to = to.as_deref().map(parse_date).transpose().context("--to")?;
            let factor = |text: &str, flag: &str| {
                commissioning::money::Decimal::parse(text)
                    .ok()
                    .filter(|d| d.mantissa() >= 0 && d.to_f64() < 1.0)
                    .with_context(|| format!("{flag} must be a factor from 0 to below 1, such as 0.029, not {text:?}"))
            };
            let (cost_uplift, efficiency) =
                (factor(&cost_uplift, "--cost-uplift")?, factor(&efficiency, "--efficiency")?);
            let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
            let actor = Actor::System(format!("cli:{}", whoami()));
            let report = app.uplift_tariff(&actor, in_force_on, from, to, cost_uplift, efficiency).await?;
            println!(
                "Rolled {} prices forward from the tariff of {in_force_on}: in force from {from}{} (cost uplift {cost_uplift}, efficiency {efficiency})",
                report.n_rows,
                to.map(|t| format!(" to {t}")).unwrap_or_default()
            );
            Ok(())
        }
    }
}
