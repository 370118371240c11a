//! Procure: red flags over imported and own procurements — the Cardinal indicators and the
//! commissioning-specific ones, counted by indicator and listed with why each was raised,
//! with the list as CSV.

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use maud::html;

use app::Actor;
use commissioning::access::Stage;
use nhsuk::components::table::{Cell, Table};

use crate::auth::SignedIn;
use crate::error::Error;
use crate::layout::{self, Section};
use crate::pages::download_link;
use crate::state::AppState;

pub(crate) async fn red_flags(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Html<String>, Error> {
    let report = state.app.red_flags(&Actor::User(session.principal.clone()), app::tenders::now_utc()).await?;
    let content = html! {
        span class="nhsuk-caption-l" { "Procure" }
        h1 { "Red flags" }
        p class="nhsuk-lede-text" {
            "Signs worth a second look across " (report.imported_processes) " imported procurements, "
            (report.own_processes) " of our own tenders and " (report.contracts) " contracts. A flag is a question to ask, not a finding."
        }
        p { "Outliers are judged with Tukey's fences over all the procurements held. Bids count only once they are unsealed. Import other publishers' OCDS releases with "
            code { "commissioner procure import-ocds FILE" } "." }
        (Table::new(
            "Flags by indicator",
            vec![Cell::text("Indicator"), Cell::text("Name"), Cell::numeric("Flags")],
            report.counts().into_iter().map(|(indicator, n)| vec![
                Cell::text(indicator.code()),
                Cell::text(indicator.label()),
                Cell::numeric(n.to_string()),
            ]).collect(),
        ))
        @if report.flags.is_empty() { p { "No flags are raised." } } @else {
            (Table::new(
                "Every flag raised",
                vec![Cell::text("Indicator"), Cell::text("Procurement or contract"), Cell::text("Buyer"), Cell::text("Why")],
                report.flags.iter().map(|f| vec![
                    Cell::text(format!("{} {}", f.indicator.code(), f.indicator.label())),
                    Cell::text(format!("{} ({})", f.title, f.id)),
                    Cell::text(f.buyer.clone()),
                    Cell::text(f.detail.clone()),
                ]).collect(),
            ))
        }
        (download_link("/procure/red-flags.csv", "the red flags"))
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Procure), "Red flags", None, content))
}

pub(crate) async fn red_flags_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Response, Error> {
    let report = state.app.red_flags(&Actor::User(session.principal.clone()), app::tenders::now_utc()).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, "attachment; filename=\"red-flags.csv\"".to_owned()),
        ],
        report.to_csv(),
    )
        .into_response())
}
