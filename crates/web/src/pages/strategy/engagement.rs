//! Engagement pages: the stakeholder register, consultations on any stage of the cycle with
//! their analysis, responses and "you said, we did", and the public's page of a consultation,
//! where anyone signed in may respond while it is open.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use app::accounts::Session;
use app::engagement::{ConsultationInput, ConsultationSummary, ConsultationView, StakeholderInput};
use commissioning::access::Stage;
use commissioning::strategy::engagement::{
    AGREEMENT, Analysis, ConsultationStage, Question, QuestionAnalysis, QuestionKind, StakeholderKind, Status,
};
use nhsuk::components::button::Button;
use nhsuk::components::error_summary::ErrorSummary;
use nhsuk::components::input::Input;
use nhsuk::components::label::Label;
use nhsuk::components::select::{Select, SelectItem};
use nhsuk::components::table::{Cell, Table};
use nhsuk::components::textarea::Textarea;

use super::{Errors, csrf, error_for, invalid, manager};
use crate::auth::{CurrentUser, SignedIn};
use crate::error::Error;
use crate::layout::{self, Section};
use crate::pages::{MAX_NUMBERED, numbered_fields, summary};
use crate::state::AppState;

fn status_tag(status: Status) -> Markup {
    let colour = match status {
        Status::Upcoming => "nhsuk-tag--grey",
        Status::Open => "nhsuk-tag--green",
        Status::Closed => "nhsuk-tag--blue",
    };
    html! { strong class={ "nhsuk-tag " (colour) } { (status.label()) } }
}

/// The consultations table, as the list and a decision's engagement record show it.
pub(crate) fn consultations_table(caption: &str, consultations: &[ConsultationSummary]) -> Markup {
    html! {
        (Table::new(
            caption,
            vec![Cell::text("Consultation"), Cell::text("Stage"), Cell::text("Runs"), Cell::text("Status"), Cell::numeric("Responses"), Cell::numeric("You said, we did")],
            consultations.iter().map(|c| vec![
                Cell::html(html! { a href={ "/strategy/consultations/" (c.id) } { (c.title) } }),
                Cell::text(c.stage.label()),
                Cell::text(format!("{} to {}", c.opens, c.closes)),
                Cell::html(status_tag(c.status)),
                Cell::numeric(c.responses.to_string()),
                Cell::numeric(c.outcomes.to_string()),
            ]).collect(),
        ))
    }
}

/// The analysis of the responses, question by question.
pub(crate) fn analysis(questions: &[Question], analysis: &Analysis) -> Markup {
    html! {
        p { (analysis.responses) " responses: "
            (analysis.by_kind.iter().map(|(k, n)| format!("{n} {}", k.label().to_lowercase())).collect::<Vec<_>>().join(", ")) "." }
        @for (i, (question, result)) in questions.iter().zip(&analysis.questions).enumerate() {
            h3 { (i + 1) ". " (question.text) }
            @match result {
                QuestionAnalysis::Agreement { counts, answered, agree, disagree } => {
                    (Table::new(
                        format!("Answers to question {}", i + 1),
                        vec![Cell::text("Answer"), Cell::numeric("Responses")],
                        AGREEMENT.iter().zip(counts).map(|(a, n)| vec![Cell::text(*a), Cell::numeric(n.to_string())]).collect(),
                    ))
                    @if let (Some(agree), Some(disagree)) = (agree, disagree) {
                        p { (format!("{:.0}%", agree.value)) " of " (answered) " agree (95% interval "
                            (format!("{:.0}% to {:.0}%", agree.lower, agree.upper)) "); "
                            (format!("{:.0}%", disagree.value)) " disagree." }
                    }
                },
                QuestionAnalysis::Text { answered, themes } => {
                    p { (answered) " answered in their own words."
                        @if !themes.is_empty() { " Words used most: " (themes.iter().map(|(w, n)| format!("{w} ({n})")).collect::<Vec<_>>().join(", ")) "." } }
                },
            }
        }
    }
}

/// The answer fields of a response form, named `answer_1`, `answer_2`, ….
pub(crate) fn answer_fields(questions: &[Question], answers: &[String], errors: &Errors) -> Markup {
    html! {
        @for (i, question) in questions.iter().enumerate() {
            @let name = format!("answer_{}", i + 1);
            @let given = answers.get(i).cloned().unwrap_or_default();
            @match question.kind {
                QuestionKind::Agreement => {
                    (Select {
                        name: name.clone(),
                        label: Label::text(format!("{}. {}", i + 1, question.text)),
                        error_message: error_for(errors, &name).map(Into::into),
                        items: std::iter::once(SelectItem::new("", "Choose an answer", given.is_empty()))
                            .chain(AGREEMENT.iter().enumerate().map(|(a, text)| SelectItem::new(a.to_string(), *text, given == a.to_string())))
                            .collect(),
                        ..Default::default()
                    })
                },
                QuestionKind::Text => {
                    (Textarea { name: name.clone(), label: Label::text(format!("{}. {}", i + 1, question.text)), rows: Some(3), value: Some(given), error_message: error_for(errors, &name).map(Into::into), ..Default::default() })
                },
            }
        }
    }
}

fn stakeholders_page(
    session: &Session,
    stakeholders: &[app::engagement::Stakeholder],
    form: &StakeholderInput,
    errors: &Errors,
) -> Html<String> {
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Strategy" }
        h1 { "Stakeholder register" }
        (Table::new(
            "Stakeholders",
            vec![Cell::text("Name"), Cell::text("Kind"), Cell::text("Interests"), Cell::text("Contact"), Cell::numeric("Invited"), Cell::numeric("Responded")],
            stakeholders.iter().map(|s| vec![
                Cell::html(html! { (s.name) @if let Some(code) = &s.organisation_code { " (" a href={ "/organisations/" (code) } { (code) } ")" } }),
                Cell::text(s.kind.label()),
                Cell::text(&s.interests),
                Cell::text(&s.contact),
                Cell::numeric(s.invited.to_string()),
                Cell::numeric(s.responded.to_string()),
            ]).collect(),
        ))
        @if manager(session) {
            h2 { "Add a stakeholder" }
            form method="post" action="/strategy/stakeholders" novalidate {
                (csrf(session))
                (Input { error_message: error_for(errors, "name").map(Into::into), ..Input::new("name", Label::text("Name")) }.with_value(form.name.clone()))
                (Select {
                    name: "kind".into(),
                    label: Label::text("Kind"),
                    error_message: error_for(errors, "kind").map(Into::into),
                    items: StakeholderKind::ALL.iter().map(|k| SelectItem::new(k.code(), k.label(), form.kind == k.code())).collect(),
                    ..Default::default()
                })
                (Input { hint: Some("Its ODS code, if it is an organisation we hold".into()), error_message: error_for(errors, "organisation_code").map(Into::into), ..Input::new("organisation_code", Label::text("Organisation code (optional)")) }.with_value(form.organisation_code.clone()))
                (Input { ..Input::new("contact", Label::text("Contact")) }.with_value(form.contact.clone()))
                (Input { ..Input::new("interests", Label::text("Interests")) }.with_value(form.interests.clone()))
                (Button::submit("Add the stakeholder"))
            }
        }
    };
    layout::page_for(session, Section::Stage(Stage::Strategy), "Stakeholder register", None, content)
}

pub(crate) async fn stakeholders(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Html<String>, Error> {
    let stakeholders = state.app.stakeholders(&session.principal).await?;
    Ok(stakeholders_page(&session, &stakeholders, &StakeholderInput::default(), &Vec::new()))
}

pub(crate) async fn add_stakeholder(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(form): Form<StakeholderInput>,
) -> Result<Response, Error> {
    let errors = match state.app.add_stakeholder(&session.principal, &form).await {
        Ok(_) => return Ok(Redirect::to("/strategy/stakeholders").into_response()),
        Err(error) => invalid(error, "name")?,
    };
    let stakeholders = state.app.stakeholders(&session.principal).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, stakeholders_page(&session, &stakeholders, &form, &errors)).into_response())
}

fn list_page(
    session: &Session,
    consultations: &[ConsultationSummary],
    form: &ConsultationInput,
    errors: &Errors,
) -> Html<String> {
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Strategy" }
        h1 { "Consultations" }
        p { "Consultations at every stage of the cycle. The public see them, and respond, at " a href="/public/consultations" { "public consultations" } "." }
        (consultations_table("Consultations", consultations))
        @if manager(session) {
            h2 { "Start a consultation" }
            form method="post" action="/strategy/consultations" novalidate {
                (csrf(session))
                (Input { error_message: error_for(errors, "title").map(Into::into), ..Input::new("title", Label::text("Title")) }.with_value(form.title.clone()))
                (Select {
                    name: "stage".into(),
                    label: Label::text("Stage of the cycle it informs"),
                    error_message: error_for(errors, "stage").map(Into::into),
                    items: ConsultationStage::ALL.iter().map(|k| SelectItem::new(k.code(), k.label(), form.stage == k.code())).collect(),
                    ..Default::default()
                })
                (Input { hint: Some("Such as specification:3, decision:5, plan:2, contract:Q99-R9A-2024, tender:4 or programme:1; leave blank if none".into()), error_message: error_for(errors, "subject").map(Into::into), ..Input::new("subject", Label::text("What it is about (optional)")) }.with_value(form.subject.clone()))
                (Textarea { name: "summary".into(), label: Label::text("What is proposed and why views are sought"), rows: Some(3), value: Some(form.summary.clone()), error_message: error_for(errors, "summary").map(Into::into), ..Default::default() })
                (Input { hint: Some("Such as 2026-01-05".into()), error_message: error_for(errors, "opens").map(Into::into), ..Input::new("opens", Label::text("Opens")) }.with_value(form.opens.clone()))
                (Input { hint: Some("Such as 2026-03-01".into()), error_message: error_for(errors, "closes").map(Into::into), ..Input::new("closes", Label::text("Closes")) }.with_value(form.closes.clone()))
                (Textarea { name: "agreement_questions".into(), label: Label::text("Questions answered from strongly agree to strongly disagree"), hint: Some("One a line".into()), rows: Some(3), value: Some(form.agreement_questions.clone()), error_message: error_for(errors, "agreement_questions").map(Into::into), ..Default::default() })
                (Textarea { name: "text_questions".into(), label: Label::text("Questions answered in the respondent's own words"), hint: Some("One a line".into()), rows: Some(3), value: Some(form.text_questions.clone()), ..Default::default() })
                (Input { hint: Some("Stakeholder numbers from the register, separated by commas".into()), error_message: error_for(errors, "invitees").map(Into::into), ..Input::new("invitees", Label::text("Stakeholders invited")) }.with_value(form.invitees.clone()))
                (Button::submit("Start the consultation"))
            }
        }
    };
    layout::page_for(session, Section::Stage(Stage::Strategy), "Consultations", None, content)
}

pub(crate) async fn consultations(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Html<String>, Error> {
    let consultations = state.app.consultations(&session.principal).await?;
    Ok(list_page(&session, &consultations, &ConsultationInput::default(), &Vec::new()))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(form): Form<ConsultationInput>,
) -> Result<Response, Error> {
    let errors = match state.app.create_consultation(&session.principal, &form).await {
        Ok(id) => return Ok(Redirect::to(&format!("/strategy/consultations/{id}")).into_response()),
        Err(error) => invalid(error, "title")?,
    };
    let consultations = state.app.consultations(&session.principal).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, list_page(&session, &consultations, &form, &errors)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OutcomeForm {
    #[serde(default)]
    you_said: String,
    #[serde(default)]
    we_did: String,
}

fn subject_link(subject: &str) -> Markup {
    let href = match subject.split_once(':') {
        Some(("specification", id)) => format!("/procure/specifications/{id}"),
        Some(("decision", id)) => format!("/procure/decisions/{id}"),
        Some(("plan", id)) => format!("/strategy/plans/{id}"),
        Some(("tender", id)) => format!("/procure/tenders/{id}"),
        Some(("contract", id)) => format!("/procure/contracts/{id}"),
        Some(("programme", id)) => format!("/strategy/programmes/{id}"),
        _ => return html! { "Nothing in particular" },
    };
    html! { a href=(href) { (subject.replace(':', " ")) } }
}

fn consultation_page(
    session: &Session,
    view: &ConsultationView,
    stakeholders: &[app::engagement::Stakeholder],
    answers: &[String],
    outcome: &OutcomeForm,
    errors: &Errors,
) -> Html<String> {
    let c = &view.summary;
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Consultation " (c.id) }
        h1 { (c.title) }
        (summary(vec![
            ("Status", status_tag(c.status)),
            ("Runs", html! { (c.opens) " to " (c.closes) }),
            ("Stage", html! { (c.stage.label()) }),
            ("About", subject_link(&c.subject)),
            ("What is proposed", html! { (view.description) }),
            ("Invited", html! { @if view.invitees.is_empty() { "Nobody in particular" } @else {
                (view.invitees.iter().map(|(n, r)| if *r { format!("{n} (responded)") } else { n.clone() }).collect::<Vec<_>>().join(", ")) } }),
        ]))
        p { a href={ "/public/consultations/" (c.id) } { "As the public sees it" } }
        h2 id="analysis" { "Analysis of the responses" }
        (analysis(&view.questions, &view.analysis))
        (crate::pages::download_link(&format!("/strategy/consultations/{}/responses.csv", c.id), "the responses, without names"))
        h2 id="respondents" { "Respondents" }
        @if view.respondents.is_empty() { p { "No responses yet." } } @else {
            (Table::new(
                "Respondents",
                vec![Cell::text("Respondent"), Cell::text("As"), Cell::text("Received")],
                view.respondents.iter().map(|(name, kind, at)| vec![
                    Cell::text(name),
                    Cell::text(kind.label()),
                    Cell::text(chrono::DateTime::from_timestamp_millis(*at).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()),
                ]).collect(),
            ))
        }
        h2 id="outcomes" { "You said, we did" }
        @if view.outcomes.is_empty() { p { "Nothing recorded yet." } }
        @for o in &view.outcomes {
            (summary(vec![("You said", html! { (o.you_said) }), ("We did", html! { (o.we_did) })]))
        }
        @if manager(session) {
            @if c.status == Status::Open {
                h2 id="record" { "Record a stakeholder's response" }
                form method="post" action={ "/strategy/consultations/" (c.id) "/responses" } novalidate {
                    (csrf(session))
                    (Select {
                        name: "stakeholder".into(),
                        label: Label::text("Stakeholder"),
                        error_message: error_for(errors, "stakeholder").map(Into::into),
                        items: stakeholders.iter().map(|s| SelectItem::new(s.id.to_string(), &s.name, false)).collect(),
                        ..Default::default()
                    })
                    (answer_fields(&view.questions, answers, errors))
                    (Button::submit("Record the response"))
                }
                form method="post" action={ "/strategy/consultations/" (c.id) "/close" } novalidate {
                    (csrf(session))
                    (Button { classes: Some("nhsuk-button--secondary".into()), ..Button::submit("Close the consultation now") })
                }
            }
            h3 { "Record what was done" }
            form method="post" action={ "/strategy/consultations/" (c.id) "/outcomes" } novalidate {
                (csrf(session))
                (Textarea { name: "you_said".into(), label: Label::text("You said"), rows: Some(2), value: Some(outcome.you_said.clone()), error_message: error_for(errors, "you_said").map(Into::into), ..Default::default() })
                (Textarea { name: "we_did".into(), label: Label::text("We did"), rows: Some(2), value: Some(outcome.we_did.clone()), error_message: error_for(errors, "we_did").map(Into::into), ..Default::default() })
                (Button::submit("Record the outcome"))
            }
        }
        p { a href="/strategy/consultations" { "All consultations" } }
    };
    layout::page_for(session, Section::Stage(Stage::Strategy), &c.title, None, content)
}

async fn render(
    state: &AppState,
    session: &Session,
    id: i64,
    answers: &[String],
    outcome: &OutcomeForm,
    errors: &Errors,
) -> Result<Html<String>, Error> {
    let view = state.app.consultation(&session.principal, id).await?;
    let stakeholders = state.app.stakeholders(&session.principal).await?;
    Ok(consultation_page(session, &view, &stakeholders, answers, outcome, errors))
}

pub(crate) async fn consultation(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    render(&state, &session, id, &[], &OutcomeForm::default(), &Vec::new()).await
}

pub(crate) async fn record_response(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let answers = numbered_fields(&fields, "answer", MAX_NUMBERED);
    let view = state.app.consultation(&session.principal, id).await?;
    let answers: Vec<String> = answers.into_iter().take(view.questions.len()).collect();
    let stakeholder = fields.iter().find(|(f, _)| f == "stakeholder").and_then(|(_, v)| v.trim().parse::<i64>().ok());
    // No stakeholder chosen is 0, which the use case refuses by name after checking access.
    let result =
        state.app.record_stakeholder_response(&session.principal, id, stakeholder.unwrap_or(0), &answers).await;
    let errors = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/strategy/consultations/{id}#analysis")).into_response()),
        Err(error) => invalid(error, "stakeholder")?,
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&state, &session, id, &answers, &OutcomeForm::default(), &errors).await?,
    )
        .into_response())
}

pub(crate) async fn add_outcome(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, Error> {
    let errors = match state.app.add_consultation_outcome(&session.principal, id, &form.you_said, &form.we_did).await {
        Ok(_) => return Ok(Redirect::to(&format!("/strategy/consultations/{id}#outcomes")).into_response()),
        Err(error) => invalid(error, "you_said")?,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&state, &session, id, &[], &form, &errors).await?).into_response())
}

pub(crate) async fn close(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    let errors = match state.app.close_consultation(&session.principal, id).await {
        Ok(()) => return Ok(Redirect::to(&format!("/strategy/consultations/{id}#analysis")).into_response()),
        Err(error) => invalid(error, "stakeholder")?,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&state, &session, id, &[], &OutcomeForm::default(), &errors).await?)
        .into_response())
}

/// The public's page of a consultation: what is proposed, the questions (a response form for
/// anyone signed in while it is open), the analysis once closed, and "you said, we did".
pub(crate) fn public_consultation_page(
    view: &app::engagement::PublicConsultationView,
    user: &CurrentUser,
    answers: &[String],
    errors: &Errors,
    thanks: bool,
) -> Markup {
    let c = &view.summary;
    html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        h1 { (c.title) }
        p { (status_tag(c.status)) " " @match c.status {
            Status::Upcoming => { "Opens on " (c.opens) "." },
            Status::Open => { "Open until " (c.closes) "." },
            Status::Closed => { "Ran from " (c.opens) " to " (c.closes) "." },
        } }
        p { (view.description) }
        p { (c.responses) " responses so far." }
        @if thanks { div class="nhsuk-inset-text" { p { "Thank you: your response has been recorded. You can change it while the consultation is open." } } }
        @if c.status == Status::Open {
            h2 { "Have your say" }
            @match &user.session {
                Some(session) if !user.via_token => {
                    form method="post" action={ "/public/consultations/" (c.id) "/responses" } novalidate {
                        (csrf(session))
                        (answer_fields(&view.questions, answers, errors))
                        (Button::submit("Send my response"))
                    }
                },
                _ => {
                    p { a href={ "/sign-in?next=/public/consultations/" (c.id) } { "Sign in to respond" } "." }
                    ol { @for q in &view.questions { li { (q.text) } } }
                },
            }
        } @else {
            h2 { "Questions" }
            ol { @for q in &view.questions { li { (q.text) } } }
        }
        @if let Some(result) = &view.analysis {
            h2 { "What people told us" }
            (analysis(&view.questions, result))
        }
        @if !view.outcomes.is_empty() {
            h2 { "You said, we did" }
            @for o in &view.outcomes {
                (summary(vec![("You said", html! { (o.you_said) }), ("We did", html! { (o.we_did) })]))
            }
        }
    }
}

/// A consultation's responses as CSV, without names, for analysis elsewhere.
pub(crate) async fn responses_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    let (questions, responses) = state.app.consultation_responses(&session.principal, id).await?;
    let mut header = vec!["received".to_owned(), "respondent_kind".to_owned()];
    header.extend(questions.iter().enumerate().map(|(i, q)| format!("q{}: {}", i + 1, q.text)));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let rows = responses
        .into_iter()
        .map(|(received, kind, answers)| {
            [received.to_string(), kind.code().to_owned()].into_iter().chain(answers).collect()
        })
        .collect();
    Ok(crate::pages::csv_download(&format!("consultation-{id}-responses.csv"), &header, rows))
}
