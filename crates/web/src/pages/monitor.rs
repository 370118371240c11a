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

/// A provider's activity submissions: its own staff and the commissioner's see them; other
/// providers get "page not found".
pub(crate) async fn provider_submissions(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> Result<Html<String>, Error> {
    let provider = commissioning::org::OdsCode::parse(&code).map_err(|_| Error::NotFound)?;
    let submissions = state.app.submissions(&session.principal, &provider).await?;
    let content = html! {
        span class="nhsuk-caption-l" { "Monitor" }
        h1 { "Activity submissions from " (provider) }
        p { "Each month's patient-level activity, as submitted. A resubmitted month replaces the earlier file." }
        @if submissions.is_empty() {
            p { "Nothing has been submitted yet. Providers submit with an API token: "
                code { "POST /api/v1/providers/" (provider) "/submissions?month=YYYY-MM" } " with the CSV as the body." }
        } @else {
            (Table::new(
                "Submissions, newest first",
                vec![Cell::text("Month"), Cell::text("File"), Cell::numeric("Rows"), Cell::numeric("Unreadable"), Cell::text("Submitted"), Cell::text("Status")],
                submissions.iter().map(|s| vec![
                    Cell::text(s.month.clone()),
                    Cell::text(s.file_name.clone()),
                    Cell::numeric(thousands(s.n_rows)),
                    Cell::numeric(thousands(s.n_unreadable)),
                    Cell::text(format!("{} by {}", crate::pages::admin::when(s.submitted_at), s.submitted_by)),
                    Cell::html(if s.superseded_at.is_some() {
                        maud::Render::render(&nhsuk::components::tag::Tag::new("Replaced", Some("grey")))
                    } else {
                        maud::Render::render(&nhsuk::components::tag::Tag::new("Current", Some("green")))
                    }),
                ]).collect(),
            ))
        }
    };
    Ok(layout::page_for(
        &session,
        Section::Stage(Stage::Monitor),
        &format!("Submissions from {provider}"),
        None,
        content,
    ))
}
