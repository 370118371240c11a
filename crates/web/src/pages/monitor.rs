//! Monitor: activity by provider and month. Providers see only their own.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Html;
use maud::html;

use commissioning::access::Stage;
use nhsuk::components::table::{Cell, Table};

use crate::auth::SignedIn;
use crate::error::Error;
use crate::format::thousands;
use crate::layout::{self, Section};
use crate::state::AppState;

pub(crate) async fn monitor(State(state): State<AppState>, SignedIn(session): SignedIn) -> Result<Html<String>, Error> {
    let rows = state.app.activity_summary(&session.principal).await?;
    let mut months: Vec<String> = rows.iter().map(|r| r.month.clone()).collect();
    months.sort();
    months.dedup();
    let mut by_provider: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for row in &rows {
        *by_provider.entry(row.provider.to_string()).or_default().entry(row.month.clone()).or_default() += row.activity;
    }
    let content = html! {
        h1 { "Monitor" }
        p class="nhsuk-lede-text" { "Activity each provider delivered, month by month." }
        @if rows.is_empty() {
            p { "No activity has been loaded yet." }
        } @else {
            (Table::new(
                "Activity by provider and month",
                std::iter::once(Cell::text("Provider")).chain(months.iter().map(|m| Cell::numeric(m.clone()))).chain(std::iter::once(Cell::numeric("Total"))).collect(),
                by_provider.iter().map(|(provider, counts)| {
                    std::iter::once(Cell::html(html! { a href={ "/organisations/" (provider) } { (provider) } }))
                        .chain(months.iter().map(|m| Cell::numeric(thousands(counts.get(m).copied().unwrap_or(0)))))
                        .chain(std::iter::once(Cell::numeric(thousands(counts.values().sum()))))
                        .collect()
                }).collect(),
            ))
        }
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Monitor), "Monitor", None, content))
}
