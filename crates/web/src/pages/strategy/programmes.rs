//! Commissioning programmes: the list with each one's stage, the form to start one, and a
//! programme's cycle view — plan, procure, monitor, evaluate — with every artefact linked and
//! the audit trail of them all.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;

use app::accounts::Session;
use app::cycle::{CycleStage, CycleView, ProgrammeInput};
use commissioning::access::Stage;
use nhsuk::components::button::Button;
use nhsuk::components::error_summary::ErrorSummary;
use nhsuk::components::input::Input;
use nhsuk::components::label::Label;
use nhsuk::components::table::{Cell, Table};
use nhsuk::components::textarea::Textarea;

use super::{Errors, csrf, error_for, invalid, manager};
use crate::auth::SignedIn;
use crate::error::Error;
use crate::layout::{self, Section};
use crate::state::AppState;

fn list_page(session: &Session, programmes: &[CycleView], form: &ProgrammeInput, errors: &Errors) -> Html<String> {
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Strategy" }
        h1 { "Commissioning programmes" }
        @if programmes.is_empty() { p { "No programmes yet." } } @else {
            (Table::new(
                "Programmes and where each is in the cycle",
                vec![Cell::text("Programme"), Cell::text("Stage reached"), Cell::numeric("Artefacts")],
                programmes.iter().map(|p| vec![
                    Cell::html(html! { a href={ "/strategy/programmes/" (p.id) } { (p.name) } }),
                    Cell::text(p.current.label()),
                    Cell::numeric(p.artefacts.len().to_string()),
                ]).collect(),
            ))
        }
        @if manager(session) {
            h2 { "Start a programme" }
            form method="post" action="/strategy/programmes" novalidate {
                (csrf(session))
                (Input { error_message: error_for(errors, "name").map(Into::into), ..Input::new("name", Label::text("Name")) }.with_value(form.name.clone()))
                (Textarea { name: "summary".into(), label: Label::text("What it is for"), rows: Some(2), value: Some(form.summary.clone()), ..Default::default() })
                (Input { hint: Some("Needs-assessment indicator ids, separated by commas".into()), ..Input::new("needs", Label::text("Needs")) }.with_value(form.needs.clone()))
                (Input { hint: Some("Plan numbers, separated by commas".into()), error_message: error_for(errors, "plans").map(Into::into), ..Input::new("plans", Label::text("Plans")) }.with_value(form.plans.clone()))
                (Input { hint: Some("Specification numbers, separated by commas".into()), error_message: error_for(errors, "specifications").map(Into::into), ..Input::new("specifications", Label::text("Specifications")) }.with_value(form.specifications.clone()))
                (Input { hint: Some("Contract ids, separated by commas".into()), error_message: error_for(errors, "contracts").map(Into::into), ..Input::new("contracts", Label::text("Contracts")) }.with_value(form.contracts.clone()))
                (Button::submit("Start the programme"))
            }
        }
    };
    layout::page_for(session, Section::Stage(Stage::Strategy), "Commissioning programmes", None, content)
}

pub(crate) async fn programmes(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Html<String>, Error> {
    let programmes = state.app.programmes(&session.principal).await?;
    Ok(list_page(&session, &programmes, &ProgrammeInput::default(), &Vec::new()))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(form): Form<ProgrammeInput>,
) -> Result<Response, Error> {
    let errors = match state.app.create_programme(&session.principal, &form).await {
        Ok(id) => return Ok(Redirect::to(&format!("/strategy/programmes/{id}")).into_response()),
        Err(error) => invalid(error, "name")?,
    };
    let programmes = state.app.programmes(&session.principal).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, list_page(&session, &programmes, &form, &errors)).into_response())
}

pub(crate) async fn programme(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    let view = state.app.programme_cycle(&session.principal, id).await?;
    let content = html! {
        span class="nhsuk-caption-l" { "Commissioning programme" }
        h1 { (view.name) }
        @if !view.summary.is_empty() { p class="nhsuk-lede-text" { (view.summary) } }
        h2 { "Where it is in the cycle" }
        ol class="app-cycle" aria-label="The commissioning cycle" {
            @for stage in CycleStage::ALL {
                li {
                    @if stage == view.current { strong { (stage.label()) " (current stage)" } }
                    @else if stage < view.current { (stage.label()) " (done)" }
                    @else { (stage.label()) " (not started)" }
                }
            }
        }
        @for stage in CycleStage::ALL {
            @let here: Vec<_> = view.artefacts.iter().filter(|a| a.stage == stage).collect();
            h2 id=(stage.label().to_lowercase()) { (stage.label()) }
            @if here.is_empty() { p { "Nothing yet." } } @else {
                (Table::new(
                    format!("{} artefacts", stage.label()),
                    vec![Cell::text("What"), Cell::text("Name"), Cell::text("Status")],
                    here.iter().map(|a| vec![
                        Cell::text(a.kind),
                        Cell::html(html! { a href=(a.href) { (a.label) } }),
                        Cell::text(&a.status),
                    ]).collect(),
                ))
            }
        }
        h2 id="audit" { "Audit trail" }
        @if view.trail.is_empty() { p { "Nothing recorded." } } @else {
            (Table::new(
                "Audit trail, newest first",
                vec![Cell::text("When"), Cell::text("Who"), Cell::text("What"), Cell::text("Of")],
                view.trail.iter().map(|t| vec![
                    Cell::text(chrono::DateTime::from_timestamp_millis(t.at).map(|d| d.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()),
                    Cell::text(&t.actor),
                    Cell::text(&t.action),
                    Cell::text(&t.object),
                ]).collect(),
            ))
        }
        p { a href="/strategy/programmes" { "All programmes" } }
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Strategy), &view.name, None, content))
}
