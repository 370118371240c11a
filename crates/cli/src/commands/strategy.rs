//! `strategy`: the plans with their objectives' live progress, a self-assessment with its gaps
//! and trend, and the Provider Selection Regime's annual summary, each printed as JSON.

use anyhow::{Context, bail};

use app::{Actor, App};
use commissioning::period::FinancialYear;
use commissioning::strategy::assessment::Framework;

use crate::commands::import::whoami;
use crate::config::{DEFAULT_DATA_DIR, Global, StrategyArgs, StrategyCommand};

pub(crate) async fn strategy(global: &Global, args: StrategyArgs) -> anyhow::Result<()> {
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    let result = run(&app, args.command).await;
    app.close().await;
    result
}

fn year(text: Option<&str>) -> anyhow::Result<Option<FinancialYear>> {
    text.map(|t| {
        FinancialYear::parse(t.trim()).with_context(|| format!("--year: '{t}' is not a financial year such as 2025/26"))
    })
    .transpose()
}

async fn run(app: &App, command: StrategyCommand) -> anyhow::Result<()> {
    let actor = Actor::System(format!("cli:{}", whoami()));
    let value = match command {
        StrategyCommand::Plans => serde_json::to_value(app.plans_for(&actor).await?)?,
        StrategyCommand::Assessment { framework, year: period } => {
            let Some(framework) = Framework::parse(&framework) else {
                bail!("--framework: '{framework}' is not competencies, commissioning or procurement");
            };
            serde_json::to_value(app.assessment_for(&actor, framework, year(period.as_deref())?).await?)?
        }
        StrategyCommand::PsrSummary { year: period } => {
            serde_json::to_value(app.psr_annual_summary(year(period.as_deref())?).await?)?
        }
    };
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}
