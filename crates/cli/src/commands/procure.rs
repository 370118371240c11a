//! `procure bids`: a tender's bids as CSV, under the same seal as the pages and the API — the
//! command line opens no bid before the deadline has passed and the tender has closed.

use std::io::Write;

use app::App;
use app::tenders::now_utc;

use crate::config::{DEFAULT_DATA_DIR, Global, ProcureArgs, ProcureCommand};

pub(crate) async fn procure(global: &Global, args: ProcureArgs) -> anyhow::Result<()> {
    let ProcureCommand::Bids { tender } = args.command;
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    let bids = app.bids_for_export(tender, now_utc()).await;
    app.close().await;
    let bids = match bids {
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
