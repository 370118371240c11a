//! Procure: 'any qualified provider' accreditation — the schemes, the form that publishes one,
//! and each scheme's requirements with providers' applications and the commissioner's
//! decisions.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use app::accounts::Session;
use commissioning::access::{Action, Decision, Stage, decide};
use nhsuk::components::button::Button;
use nhsuk::components::error_summary::ErrorSummary;
use nhsuk::components::input::Input;
use nhsuk::components::label::Label;
use nhsuk::components::select::{Select, SelectItem};
use nhsuk::components::table::{Cell, Table};
use nhsuk::components::textarea::Textarea;

use crate::auth::SignedIn;
use crate::error::Error;
use crate::layout::{self, Section};
use crate::pages::procure::manages;
use crate::pages::{MAX_NUMBERED, field_errors, numbered_fields};
use crate::state::AppState;

/// A scheme as its form gives it.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SchemeForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    requirements: String,
}

async fn list_page(
    state: &AppState,
    session: &Session,
    form: &SchemeForm,
    errors: &[(String, String)],
) -> Result<Html<String>, Error> {
    let schemes = state.app.schemes(&session.principal).await?;
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Procure" }
        h1 { "Any qualified provider accreditation" }
        p { "Where patients choose their provider, every provider meeting the published requirements is accredited (direct award process B)." }
        @if schemes.is_empty() { p { "No schemes have been published." } } @else {
            (Table::new("Accreditation schemes", vec![Cell::text("Scheme")],
                schemes.iter().map(|(id, title)| vec![Cell::html(html! { a href={ "/procure/accreditation/" (id) } { (title) } })]).collect()))
        }
        @if manages(session) {
            h2 { "Publish a scheme" }
            form method="post" action="/procure/accreditation" novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Input { error_message: error_for("title").map(Into::into), ..Input::new("title", Label::text("Service")) }.with_value(form.title.clone()))
                (Textarea { name: "requirements".into(), label: Label::text("Qualification requirements, one per line"), rows: Some(4), value: Some(form.requirements.clone()), error_message: error_for("requirements").map(Into::into), ..Default::default() })
                (Button::submit("Publish scheme"))
            }
        }
    };
    Ok(layout::page_for(session, Section::Stage(Stage::Procure), "Any qualified provider accreditation", None, content))
}

pub(crate) async fn schemes(State(state): State<AppState>, SignedIn(session): SignedIn) -> Result<Html<String>, Error> {
    list_page(&state, &session, &SchemeForm::default(), &[]).await
}

pub(crate) async fn create(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(form): Form<SchemeForm>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    match state.app.create_scheme(&session.principal, &form.title, &form.requirements).await {
        Ok(id) => Ok(Redirect::to(&format!("/procure/accreditation/{id}")).into_response()),
        Err(app::AppError::Invalid(message)) => {
            let page = list_page(&state, &session, &form, &field_errors(&message, "title")).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn scheme_page(
    state: &AppState,
    session: &Session,
    id: i64,
    errors: &[(String, String)],
) -> Result<Html<String>, Error> {
    let scheme = state.app.scheme(&session.principal, id).await?;
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let may_apply =
        decide(Some(&session.principal), &Action::BidFor(session.principal.organisation.clone())) == Decision::Allow;
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Accreditation scheme " (scheme.id) }
        h1 { (scheme.title) }
        h2 { "Qualification requirements" }
        ol { @for r in &scheme.requirements { li { (r) } } }
        h2 { @if may_apply { "Your application" } @else { "Applications" } }
        @if scheme.applications.is_empty() { p { "No applications yet." } }
        @for a in &scheme.applications {
            div class="nhsuk-inset-text" {
                p { strong { (a.provider) } ": " strong class={ "nhsuk-tag " (match a.status.as_str() { "accredited" => "nhsuk-tag--green", "refused" => "nhsuk-tag--red", _ => "nhsuk-tag--grey" }) } { (a.status) }
                    @if !a.reason.is_empty() { " " (a.reason) } }
                ul { @for (requirement, evidence) in &a.evidence { li { (requirement) ": " (evidence) } } }
                @if manages(session) && a.status == "pending" {
                    form method="post" action={ "/procure/accreditation/" (scheme.id) "/decisions" } novalidate {
                        input type="hidden" name="csrf_token" value=(session.csrf_token);
                        input type="hidden" name="provider" value=(a.provider);
                        (Select { name: "decision".into(), label: Label::text(format!("Decision on {}", a.provider)), items: vec![SelectItem::new("accredit", "Accredit: meets every requirement", true), SelectItem::new("refuse", "Refuse", false)], ..Default::default() })
                        (Textarea { name: "reason".into(), label: Label::text("Reasons"), rows: Some(2), error_message: error_for("reason").map(Into::into), ..Default::default() })
                        (Button::secondary("Record decision"))
                    }
                }
            }
        }
        @if may_apply && scheme.applications.iter().all(|a| a.status == "pending") {
            form method="post" action={ "/procure/accreditation/" (scheme.id) "/applications" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                @for (i, requirement) in scheme.requirements.iter().enumerate() {
                    @let field = format!("evidence_{}", i + 1);
                    (Textarea { name: field.clone(), label: Label::text(requirement.clone()), hint: Some("How you meet it".into()), rows: Some(2), error_message: error_for(&field).map(Into::into), ..Default::default() })
                }
                (Button::submit("Apply"))
            }
        }
    };
    Ok(layout::page_for(session, Section::Stage(Stage::Procure), &scheme.title, None, content))
}

pub(crate) async fn scheme(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    scheme_page(&state, &session, id, &[]).await
}

pub(crate) async fn apply(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::BidFor(session.principal.organisation.clone()))?;
    let evidence = numbered_fields(&fields, "evidence", MAX_NUMBERED);
    match state.app.apply_for_accreditation(&session.principal, id, &evidence).await {
        Ok(()) => Ok(Redirect::to(&format!("/procure/accreditation/{id}")).into_response()),
        Err(app::AppError::Invalid(message)) => {
            let page = scheme_page(&state, &session, id, &field_errors(&message, "evidence_1")).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// A decision as its form gives it.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DecisionForm {
    #[serde(default)]
    provider: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn decide_application(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    let accredit = form.decision != "refuse";
    match state.app.decide_accreditation(&session.principal, id, &form.provider, accredit, &form.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/procure/accreditation/{id}")).into_response()),
        Err(app::AppError::Invalid(message)) => {
            let page = scheme_page(&state, &session, id, &field_errors(&message, "reason")).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
