//! Procure: service specifications — the list, the form that writes the first version or the
//! next, each specification with its versions, the comparison of any two, and the service
//! change it makes with the scrutiny committee's and the public's consultation, which gate
//! the award of a substantial change.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use app::accounts::Session;
use app::specifications::{ServiceChangeInput, SpecificationView};
use commissioning::access::{Action, Stage};
use commissioning::procure::spec::{DiffLine, FIELDS, SpecContent};
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
use crate::pages::{field_errors, summary};
use crate::state::AppState;

/// Hints for the fields that hold one item per line.
fn hint(field: &str) -> Option<&'static str> {
    match field {
        "outcomes" => Some("One outcome per line"),
        "kpis" => Some(
            "One per line: code | name | threshold | higher or lower | numerator / denominator, such as 'CDC1 | Tests reported within 7 days (%) | 90 | higher | tests reported within 7 days / tests done'",
        ),
        "activity" => Some("One per line: service | annual activity, such as 'Imaging tests | 30000'"),
        "quality" => Some("Standards, accreditation and workforce requirements, one per line"),
        "conditional_payments" => Some(
            "CQUIN-style, one per line: indicator | percent of the contract value, such as 'Results to the GP within 48 hours | 1.25'",
        ),
        "answers" => Some("The needs, gaps and priority decisions it answers, one per line"),
        _ => None,
    }
}

/// The form for a first or next version, posting to `action`.
fn form(
    session: &Session,
    action: &str,
    content: &SpecContent,
    based_on: Option<i64>,
    note: &str,
    errors: &[(String, String)],
) -> Markup {
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    html! {
        form method="post" action=(action) novalidate {
            input type="hidden" name="csrf_token" value=(session.csrf_token);
            @if let Some(version) = based_on { input type="hidden" name="based_on" value=(version); }
            @for (field, label) in FIELDS {
                @match field {
                    "title" | "duration_months" => {
                        (Input { error_message: error_for(field).map(Into::into), ..Input::new(field, Label::text(label)) }.with_value(content.field(field).to_owned()))
                    }
                    "payment_mechanism" => {
                        (Select {
                            name: field.into(),
                            label: Label::text(label),
                            error_message: error_for(field).map(Into::into),
                            items: [("block", "Block"), ("activity_based", "Activity-based"), ("low_volume_block", "Low-volume activity block"), ("aligned_payment", "Aligned payment and incentive")]
                                .into_iter().map(|(code, text)| SelectItem::new(code, text, content.payment_mechanism == code)).collect(),
                            ..Default::default()
                        })
                    }
                    _ => {
                        (Textarea { name: field.into(), label: Label::text(label), hint: hint(field).map(Into::into), rows: Some(4), value: Some(content.field(field).to_owned()), error_message: error_for(field).map(Into::into), ..Default::default() })
                    }
                }
            }
            @if based_on.is_some() {
                (Textarea { name: "note".into(), label: Label::text("What changed and why"), rows: Some(2), value: Some(note.to_owned()), error_message: error_for("note").map(Into::into), ..Default::default() })
            }
            (Button::submit(if based_on.is_some() { "Save as a new version" } else { "Save the first version" }))
        }
    }
}

pub(crate) async fn specifications(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Html<String>, Error> {
    let list = state.app.specifications(&session.principal).await?;
    let content = html! {
        span class="nhsuk-caption-l" { "Procure" }
        h1 { "Service specifications" }
        p { "What each service must achieve, how it is measured and paid for, and the needs it answers. Every change is kept as a version." }
        @if manages(&session) { p { a class="nhsuk-button" href="/procure/specifications/new" { "Write a specification" } } }
        @if list.is_empty() { p { "No specifications have been written." } } @else {
            (Table::new(
                "Service specifications, newest first",
                vec![Cell::text("Specification"), Cell::numeric("Versions")],
                list.iter().map(|(id, title, latest)| vec![
                    Cell::html(html! { a href={ "/procure/specifications/" (id) } { (title) } }),
                    Cell::numeric(latest.to_string()),
                ]).collect(),
            ))
        }
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Procure), "Service specifications", None, content))
}

fn new_page(session: &Session, content: &SpecContent, errors: &[(String, String)]) -> Html<String> {
    let body = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Procure" }
        h1 { "Write a service specification" }
        (form(session, "/procure/specifications", content, None, "", errors))
    };
    layout::page_for(session, Section::Stage(Stage::Procure), "Write a service specification", None, body)
}

/// What a new specification may start from: a priority decision passes its title and what
/// it answers (the need, the gap and the decision).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Prefill {
    #[serde(default)]
    title: String,
    #[serde(default)]
    answers: String,
}

pub(crate) async fn new_specification(
    SignedIn(session): SignedIn,
    Query(prefill): Query<Prefill>,
) -> Result<Html<String>, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    let content = SpecContent {
        title: prefill.title,
        answers: prefill.answers,
        payment_mechanism: "block".into(),
        ..Default::default()
    };
    Ok(new_page(&session, &content, &[]))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(content): Form<SpecContent>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    let errors = content.errors();
    if !errors.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, new_page(&session, &content, &errors)).into_response());
    }
    let id = state.app.create_specification(&session.principal, &content).await?;
    Ok(Redirect::to(&format!("/procure/specifications/{id}")).into_response())
}

/// Which two versions to compare.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Compare {
    #[serde(default)]
    from: Option<i64>,
    #[serde(default)]
    to: Option<i64>,
}

fn diff_markup(changes: &[(&'static str, Vec<DiffLine>)]) -> Markup {
    html! {
        @if changes.is_empty() { p { "The two versions are the same." } }
        @for (label, lines) in changes {
            h3 { (label) }
            ul class="nhsuk-list" {
                @for line in lines {
                    @match line {
                        DiffLine::Same(text) => { li { (text) } }
                        DiffLine::Removed(text) => { li { del { "Removed: " (text) } } }
                        DiffLine::Added(text) => { li { ins { "Added: " (text) } } }
                    }
                }
            }
        }
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    view: &SpecificationView,
    compare: &Compare,
    draft: Option<(&SpecContent, &str)>,
    change_input: Option<&ServiceChangeInput>,
    errors: &[(String, String)],
) -> Result<Html<String>, Error> {
    let latest = view.latest();
    let to = compare.to.unwrap_or(latest.version);
    let from = compare.from.unwrap_or((to - 1).max(1));
    let changes = if view.versions.len() > 1 {
        Some(state.app.specification_diff(&session.principal, view.id, from, to).await?)
    } else {
        None
    };
    let engagement = state.app.engagement_record(&session.principal, &format!("specification:{}", view.id)).await?;
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let change = view.service_change.clone().unwrap_or_default();
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let change_input = change_input.cloned().unwrap_or(ServiceChangeInput {
        substantial: change.substantial.to_string(),
        hosc_consulted_on: date(change.hosc_consulted_on),
        hosc_responded_on: date(change.hosc_responded_on),
        hosc_response: change.hosc_response.clone(),
        consultation_opens: date(change.consultation_opens),
        consultation_closes: date(change.consultation_closes),
        consultation_outcome: change.consultation_outcome.clone(),
    });
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Specification " (view.id) }
        h1 { (view.title) }
        (summary(FIELDS.iter().map(|(field, label)| (*label, html! {
            @let text = latest.content.field(field);
            @if text.lines().filter(|l| !l.trim().is_empty()).count() > 1 {
                ul { @for line in text.lines().filter(|l| !l.trim().is_empty()) { li { (line) } } }
            } @else { (text) }
        })).collect()))
        h2 { "Versions" }
        (Table::new(
            "Every version, first to latest",
            vec![Cell::numeric("Version"), Cell::text("What changed and why"), Cell::text("By")],
            view.versions.iter().map(|v| vec![Cell::numeric(v.version.to_string()), Cell::text(v.note.clone()), Cell::text(v.changed_by.clone())]).collect(),
        ))
        @if let Some(changes) = &changes {
            h2 { "Changes from version " (from) " to version " (to) }
            form method="get" action={ "/procure/specifications/" (view.id) } {
                (Input { hint: Some("A version number".into()), ..Input::new("from", Label::text("Compare version")) }.with_value(from.to_string()))
                (Input { ..Input::new("to", Label::text("with version")) }.with_value(to.to_string()))
                (Button::secondary("Compare"))
            }
            (diff_markup(changes))
        }
        h2 id="service-change" { "Service change and consultation" }
        @if !change.substantial { p { "Not recorded as a substantial change: the award is not held for consultation." } }
        @else if view.gate_outstanding.is_empty() {
            p { strong class="nhsuk-tag nhsuk-tag--green" { "Consultation complete" } " A contract for this change may be awarded." }
        } @else {
            p { strong class="nhsuk-tag nhsuk-tag--red" { "Award held" } " Before a contract for this substantial change is awarded: " (view.gate_outstanding.join("; ")) "." }
        }
        h3 id="engagement" { "Engagement record" }
        @if engagement.is_empty() { p { "No consultation has been recorded about this specification." } } @else {
            (crate::pages::strategy::engagement::consultations_table("Consultations about this specification", &engagement))
        }
        @if manages(session) {
            form method="post" action={ "/procure/specifications/" (view.id) "/service-change" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Select {
                    name: "substantial".into(),
                    label: Label::text("Is it a substantial development or variation of services?"),
                    hint: Some("The scrutiny committee must then be consulted".into()),
                    items: vec![SelectItem::new("false", "No", change_input.substantial != "true"), SelectItem::new("true", "Yes", change_input.substantial == "true")],
                    ..Default::default()
                })
                @for (field, label, value) in [
                    ("hosc_consulted_on", "Scrutiny committee consulted on", &change_input.hosc_consulted_on),
                    ("hosc_responded_on", "Scrutiny committee responded on", &change_input.hosc_responded_on),
                ] {
                    (Input { hint: Some("YYYY-MM-DD".into()), error_message: error_for(field).map(Into::into), ..Input::new(field, Label::text(label)) }.with_value(value.clone()))
                }
                (Textarea { name: "hosc_response".into(), label: Label::text("What the scrutiny committee said"), rows: Some(2), value: Some(change_input.hosc_response.clone()), error_message: error_for("hosc_response").map(Into::into), ..Default::default() })
                @for (field, label, value) in [
                    ("consultation_opens", "Public consultation opens", &change_input.consultation_opens),
                    ("consultation_closes", "Public consultation closes", &change_input.consultation_closes),
                ] {
                    (Input { hint: Some("YYYY-MM-DD".into()), error_message: error_for(field).map(Into::into), ..Input::new(field, Label::text(label)) }.with_value(value.clone()))
                }
                (Textarea { name: "consultation_outcome".into(), label: Label::text("What people said, and what was done about it"), rows: Some(3), value: Some(change_input.consultation_outcome.clone()), ..Default::default() })
                (Button::secondary("Save the service change"))
            }
            h2 { "Change the specification" }
            @let (draft_content, note) = draft.unwrap_or((&latest.content, ""));
            (form(session, &format!("/procure/specifications/{}/versions", view.id), draft_content, Some(latest.version), note, errors))
        }
    };
    Ok(layout::page_for(session, Section::Stage(Stage::Procure), &view.title, None, content))
}

pub(crate) async fn specification(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Query(compare): Query<Compare>,
) -> Result<Response, Error> {
    let view = state.app.specification(&session.principal, id, crate::pages::procure::contracts::today()).await?;
    match render(&state, &session, &view, &compare, None, None, &[]).await {
        Ok(page) => Ok(page.into_response()),
        Err(Error::BadRequest(message)) => {
            let page =
                render(&state, &session, &view, &Compare::default(), None, None, &[("from".into(), message)]).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

/// A new version as its form gives it.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Revision {
    #[serde(default)]
    based_on: i64,
    #[serde(default)]
    note: String,
    #[serde(flatten)]
    content: SpecContent,
}

pub(crate) async fn revise(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<Revision>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    match state.app.revise_specification(&session.principal, id, form.based_on, &form.content, &form.note).await {
        Ok(_) => Ok(Redirect::to(&format!("/procure/specifications/{id}")).into_response()),
        Err(app::AppError::Invalid(message)) => {
            let errors = field_errors(&message, "note");
            let view =
                state.app.specification(&session.principal, id, crate::pages::procure::contracts::today()).await?;
            let page =
                render(&state, &session, &view, &Compare::default(), Some((&form.content, &form.note)), None, &errors)
                    .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn service_change(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(input): Form<ServiceChangeInput>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    match state.app.record_service_change(&session.principal, id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/procure/specifications/{id}#service-change")).into_response()),
        Err(app::AppError::Invalid(message)) => {
            let errors = field_errors(&message, "substantial");
            let view =
                state.app.specification(&session.principal, id, crate::pages::procure::contracts::today()).await?;
            let page = render(&state, &session, &view, &Compare::default(), None, Some(&input), &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
