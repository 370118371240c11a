//! Procure: Provider Selection Regime route decisions — the register of decisions, the form
//! that shows which processes the answers allow and records the one chosen, and each record.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};

use app::accounts::Session;
use app::procurement::{RouteInput, RoutePreview};
use commissioning::access::{Action, Decision, Stage, decide};
use commissioning::procure::psr::{CpvScope, Process};
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
use crate::pages::summary;
use crate::state::AppState;

/// The questions, as (field, question, hint).
const QUESTIONS: [(&str, &str, &str); 9] = [
    ("existing_provider", "Is there an existing provider of the service?", "The contract is being replaced at its end"),
    (
        "only_existing_provider_capable",
        "Is the existing provider the only one capable of providing it?",
        "Including where alternatives are not realistic, such as type 1 A&E or 999 ambulance",
    ),
    (
        "unrestricted_patient_choice",
        "Do patients choose their provider, with no cap on the number of providers?",
        "Every provider meeting the requirements is offered the contract",
    ),
    (
        "incumbent_satisfying",
        "Is the existing provider satisfying the current contract and likely to satisfy the new one?",
        "Judged against the five key criteria",
    ),
    (
        "materially_different",
        "Will the new arrangements be materially different in character?",
        "A considerable change",
    ),
    (
        "authority_driven",
        "Is the change attributable to the commissioner's own decision?",
        "Used with the lifetime values below",
    ),
    (
        "framework",
        "Does this decision conclude a framework agreement?",
        "Only through the competitive process; counted in the annual summary",
    ),
    ("call_off", "Is the contract called off from a framework agreement?", "Counted in the annual summary"),
    ("urgent", "Is the award made urgently (regulation 14)?", "Where delay would put patients or a service at risk"),
];

fn answer(input: &RouteInput, field: &str) -> bool {
    match field {
        "existing_provider" => input.existing_provider,
        "only_existing_provider_capable" => input.only_existing_provider_capable,
        "unrestricted_patient_choice" => input.unrestricted_patient_choice,
        "incumbent_satisfying" => input.incumbent_satisfying,
        "materially_different" => input.materially_different,
        "framework" => input.framework,
        "call_off" => input.call_off,
        "urgent" => input.urgent,
        _ => input.authority_driven,
    }
}

fn scope_text(scope: Option<CpvScope>) -> &'static str {
    match scope {
        Some(CpvScope::HealthService) => "A health care service under the Provider Selection Regime (CPV 851…)",
        Some(CpvScope::CheckSchedule1) => {
            "Outside the health services branch: check Schedule 1 of the regulations before using the regime"
        }
        None => "",
    }
}

fn allowed_list(preview: &RoutePreview) -> Markup {
    html! {
        h2 id="allowed" { "Processes the rules allow" }
        ul class="nhsuk-list nhsuk-list--bullet" {
            @for process in &preview.decision.allowed {
                li { strong { (process.label()) } @if preview.decision.mandatory { " (must be used)" } }
            }
        }
        @for reason in &preview.decision.reasons { p { "Why: " (reason) } }
        @if !scope_text(preview.cpv_scope).is_empty() { p class="nhsuk-body-s" { (scope_text(preview.cpv_scope)) } }
    }
}

fn form_page(
    session: &Session,
    input: &RouteInput,
    preview: Option<&RoutePreview>,
    errors: &[(String, String)],
) -> Html<String> {
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let yes_no = |field: &str| -> Vec<SelectItem> {
        let yes = answer(input, field);
        vec![SelectItem::new("false", "No", !yes), SelectItem::new("true", "Yes", yes)]
    };
    let allowed: Vec<Process> = preview.map(|p| p.decision.allowed.clone()).unwrap_or_else(|| Process::ALL.to_vec());
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Procure" }
        h1 { "Decide the provider selection process" }
        p { "Answer the questions; the Provider Selection Regime's rules say which processes may be used and why. The record keeps the answers, the result, the choice and who made it." }
        @if let Some(preview) = preview { (allowed_list(preview)) }
        form method="post" action="/procure/decisions" novalidate {
            input type="hidden" name="csrf_token" value=(session.csrf_token);
            (Input { error_message: error_for("title").map(Into::into), ..Input::new("title", Label::text("What is being procured")) }.with_value(input.title.clone()))
            (Input { hint: Some("Eight digits, such as 85121100 (general practitioner services)".into()), error_message: error_for("cpv").map(Into::into), ..Input::new("cpv", Label::text("Most relevant CPV code")) }.with_value(input.cpv.clone()))
            @for (field, question, hint) in QUESTIONS {
                (Select { name: field.into(), label: Label::text(question), hint: Some(hint.into()), error_message: error_for(field).map(Into::into), items: yes_no(field), ..Default::default() })
            }
            (Input { hint: Some("In pounds, when it was entered into".into()), error_message: error_for("current_lifetime_value").map(Into::into), ..Input::new("current_lifetime_value", Label::text("Existing contract's lifetime value")) }.with_value(input.current_lifetime_value.clone()))
            (Input { hint: Some("In pounds".into()), error_message: error_for("new_lifetime_value").map(Into::into), ..Input::new("new_lifetime_value", Label::text("New contract's lifetime value")) }.with_value(input.new_lifetime_value.clone()))
            (Select {
                name: "chosen".into(),
                label: Label::text("Process chosen"),
                hint: Some("Leave as it is and continue to see which processes are allowed".into()),
                error_message: error_for("chosen").map(Into::into),
                items: std::iter::once(SelectItem::new("", "Not chosen yet", input.chosen.is_empty()))
                    .chain(allowed.iter().map(|p| SelectItem::new(p.code(), p.label(), input.chosen == p.code())))
                    .collect(),
                ..Default::default()
            })
            (Input { hint: Some("ODS code, such as R9A: needed for direct award A or C".into()), error_message: error_for("provider").map(Into::into), ..Input::new("provider", Label::text("Provider to be awarded the contract")) }.with_value(input.provider.clone()))
            (Textarea { name: "rationale".into(), label: Label::text("Reasons for the choice"), rows: Some(4), value: Some(input.rationale.clone()), error_message: error_for("rationale").map(Into::into), ..Default::default() })
            (Button::submit("Continue"))
        }
    };
    layout::page_for(session, Section::Stage(Stage::Procure), "Decide the provider selection process", None, content)
}

pub(crate) async fn decisions(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Html<String>, Error> {
    let decisions = state.app.route_decisions(&session.principal).await?;
    let may_decide = decide(Some(&session.principal), &Action::ManageProcurement) == Decision::Allow;
    let content = html! {
        span class="nhsuk-caption-l" { "Procure" }
        h1 { "Provider selection decisions" }
        @if may_decide { p { a class="nhsuk-button" href="/procure/decisions/new" { "Decide a process" } } }
        @if decisions.is_empty() { p { "No decisions have been recorded." } } @else {
            (Table::new(
                "Provider selection decisions, newest first",
                vec![Cell::text("Procurement"), Cell::text("CPV"), Cell::text("Process chosen"), Cell::text("Decided by")],
                decisions.iter().map(|d| vec![
                    Cell::html(html! { a href={ "/procure/decisions/" (d.id) } { (d.input.title) } }),
                    Cell::text(d.input.cpv.clone()),
                    Cell::text(d.chosen.label()),
                    Cell::text(d.decided_by.clone()),
                ]).collect(),
            ))
        }
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Procure), "Provider selection decisions", None, content))
}

pub(crate) async fn new_decision(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Html<String>, Error> {
    state.app.route_decisions(&session.principal).await?;
    Ok(form_page(&session, &RouteInput::default(), None, &[]))
}

pub(crate) async fn record(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(input): Form<RouteInput>,
) -> Result<Response, Error> {
    // Who may record is decided before the answers are read.
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    let preview = match input.preview() {
        Ok(preview) => preview,
        Err(errors) => {
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(&session, &input, None, &errors)).into_response());
        }
    };
    // Without a choice yet, the page shows what is allowed.
    if input.chosen.trim().is_empty() && input.rationale.trim().is_empty() {
        return Ok(form_page(&session, &input, Some(&preview), &[]).into_response());
    }
    let errors = input.errors();
    if errors.is_empty() {
        let id = state.app.record_route_decision(&session.principal, &input).await?;
        return Ok(Redirect::to(&format!("/procure/decisions/{id}")).into_response());
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(&session, &input, Some(&preview), &errors)).into_response())
}

pub(crate) async fn decision(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    let decision = state.app.route_decision(&session.principal, id).await?;
    let engagement = state.app.engagement_record(&session.principal, &format!("decision:{id}")).await?;
    let yes_no = |yes: bool| if yes { "Yes" } else { "No" };
    let input = &decision.input;
    let content = html! {
        span class="nhsuk-caption-l" { "Provider selection decision " (decision.id) }
        h1 { (input.title) }
        (summary(vec![
            ("Process chosen", html! { strong { (decision.chosen.label()) } }),
            ("Allowed", html! { (decision.allowed.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ")) }),
            ("Why", html! { @for r in &decision.reasons { p { (r) } } }),
            ("Provider", html! { @if input.provider.is_empty() { "Not named" } @else { (input.provider) } }),
            ("Reasons for the choice", html! { (input.rationale) }),
            ("CPV code", html! { (input.cpv) }),
            ("Decided by", html! { (decision.decided_by) }),
        ]))
        h2 { "Answers" }
        (summary(QUESTIONS.iter().map(|(field, question, _)| (*question, html! { (yes_no(answer(input, field))) })).chain([
            ("Existing contract's lifetime value", html! { (input.current_lifetime_value) }),
            ("New contract's lifetime value", html! { (input.new_lifetime_value) }),
        ]).collect()))
        h2 id="engagement" { "Engagement record" }
        @if engagement.is_empty() { p { "No consultation has been recorded about this decision." } } @else {
            (crate::pages::strategy::engagement::consultations_table("Consultations about this decision", &engagement))
        }
        p { a href="/procure/decisions" { "All decisions" } }
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Procure), &input.title, None, content))
}
