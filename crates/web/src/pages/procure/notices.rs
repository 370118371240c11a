//! Contract performance notices on a contract's page and a page per notice with its steps and
//! the next one, for both parties (GC9).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use app::accounts::Session;
use app::notices::NoticeView;
use commissioning::access::Stage;
use commissioning::monitor::escalation::{self, Event, Party};
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
use crate::pages::procure::contracts::today;
use crate::pages::summary;
use crate::state::AppState;

fn party_label(party: Party) -> &'static str {
    match party {
        Party::Commissioner => "Commissioner",
        Party::Provider => "Provider",
    }
}

fn stage_tag(notice: &NoticeView) -> Markup {
    let colour = match notice.stage {
        escalation::Stage::Withholding | escalation::Stage::ExceptionReport => "red",
        escalation::Stage::Closed | escalation::Stage::Withdrawn => "grey",
        _ => "orange",
    };
    html! {
        strong class={ "nhsuk-tag nhsuk-tag--" (colour) } { (notice.stage.label()) }
        @if let Some(overdue) = notice.overdue { " " strong class="nhsuk-tag nhsuk-tag--red" { "Overdue: " (overdue) } }
    }
}

/// The notices section of a contract's page, with the form to serve one when the person may.
pub(crate) fn section(
    contract_id: &str,
    notices: &[NoticeView],
    may_serve: bool,
    session: &Session,
    errors: &[(String, String)],
) -> Markup {
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    html! {
        h2 id="notices" { "Contract performance notices" }
        @if notices.is_empty() {
            p { "No notices have been served." }
        } @else {
            (Table::new(
                format!("Contract performance notices of {contract_id}"),
                vec![Cell::text("Notice"), Cell::text("Served by"), Cell::text("Served"), Cell::text("Meeting due"), Cell::text("Stage")],
                notices.iter().map(|n| vec![
                    Cell::html(html! { a href={ "/procure/contracts/" (contract_id) "/notices/" (n.id) } { (n.subject) } }),
                    Cell::text(party_label(n.served_by)),
                    Cell::html(html! { span class="app-nowrap" { (n.served_on) } }),
                    Cell::html(html! { span class="app-nowrap" { (n.timers.meeting_due) } }),
                    Cell::html(stage_tag(n)),
                ]).collect(),
            ))
        }
        @if may_serve {
            form method="post" action={ "/procure/contracts/" (contract_id) "/notices" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Input { error_message: error_for("subject").map(Into::into), ..Input::new("subject", Label::text("What the notice is about")) })
                (Input { hint: Some("YYYY-MM-DD; the contract management meeting is due within 10 operational days".into()), error_message: error_for("served_on").map(Into::into), ..Input::new("served_on", Label::text("Date served")) }.with_value(today().to_string()))
                (Input::new("owner", Label::text("Who is handling it")))
                (Button::secondary("Serve contract performance notice"))
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ServeForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    served_on: String,
    #[serde(default)]
    owner: String,
}

pub(crate) async fn serve(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ServeForm>,
) -> Result<Response, Error> {
    let contract = state.app.contract(&session.principal, &id, today()).await?;
    state.app.notice_party(&session.principal, &contract.contract.provider).await?;
    match state.app.serve_notice(&session.principal, &id, &form.subject, &form.served_on, &form.owner).await {
        Ok(notice) => Ok(Redirect::to(&format!("/procure/contracts/{id}/notices/{notice}")).into_response()),
        Err(app::AppError::Invalid(message)) => {
            let field = if message.contains("date") { "served_on" } else { "subject" };
            let errors = vec![(field.to_owned(), message)];
            let notices = state.app.notices(&session.principal, &id, today()).await?;
            let content = html! {
                (ErrorSummary::for_fields(&errors))
                span class="nhsuk-caption-l" { "Contract " (id) }
                h1 { (contract.contract.title) }
                (section(&id, &notices, true, &session, &errors))
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                layout::page_for(&session, Section::Stage(Stage::Procure), "Serve a notice", None, content),
            )
                .into_response())
        }
        Err(error) => Err(error.into()),
    }
}

pub(crate) async fn notice(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((id, notice)): Path<(String, i64)>,
) -> Result<Html<String>, Error> {
    render(&state, &session, &id, notice, &[]).await
}

async fn render(
    state: &AppState,
    session: &Session,
    id: &str,
    notice: i64,
    errors: &[(String, String)],
) -> Result<Html<String>, Error> {
    let view = state.app.notice(&session.principal, id, notice, today()).await?;
    let party = state.app.notice_party(&session.principal, &view.provider).await.ok();
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let events: Vec<Event> = view
        .next_events
        .iter()
        .copied()
        .filter(|e| *e != Event::Withhold || party == Some(Party::Commissioner))
        .collect();
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Contract " (view.contract_id) ": notice " (view.id) }
        h1 { (view.subject) }
        p { (stage_tag(&view)) }
        (summary(vec![
            ("Served by", html! { (party_label(view.served_by)) }),
            ("Served", html! { (view.served_on) }),
            ("Meeting due", html! { (view.timers.meeting_due) " (10 operational days, England and Wales bank holidays excluded)" }),
            ("Meeting held", html! { (view.meeting_on.map(|d| d.to_string()).unwrap_or_else(|| "Not yet".into())) }),
            ("Remedial action plan due", html! { (view.timers.plan_due.map(|d| d.to_string()).unwrap_or_else(|| "After the meeting".into())) }),
            ("Withholding", html! { @match view.withhold_percent { Some(p) => { (p) "% of the monthly value, repaid when the milestone is met" } None => { "None" } } }),
            ("Handled by", html! { (view.owner) }),
        ]))
        h2 { "Steps" }
        ol class="nhsuk-list app-timeline" {
            @for event in &view.events {
                li { strong { (event.on_date) } " " (event.event.replace('_', " ")) " (" (event.party) ", " (event.by_whom) ")" @if !event.notes.is_empty() { ": " (event.notes) } }
            }
        }
        h2 id="milestones" { "Action plan milestones" }
        @if view.milestones.is_empty() {
            p { "No milestones are recorded." @if !view.stage.has_action_plan() { " They are added once a remedial action plan is agreed." } }
        } @else {
            (Table::new(
                format!("Milestones of notice {}", view.id),
                vec![Cell::text("Milestone"), Cell::text("Due"), Cell::text("Owner"), Cell::text("Consequence if missed"), Cell::text("Status")],
                view.milestones.iter().map(|m| vec![
                    Cell::text(m.description.clone()),
                    Cell::html(html! { span class="app-nowrap" { (m.due_on) } }),
                    Cell::text(m.owner.clone()),
                    Cell::text(m.consequence.clone()),
                    Cell::html(match m.met_on {
                        Some(met) => html! { strong class="nhsuk-tag nhsuk-tag--green" { "Met " (met) } },
                        None if m.overdue => html! { strong class="nhsuk-tag nhsuk-tag--red" { "Overdue" } },
                        None => html! { strong class="nhsuk-tag nhsuk-tag--grey" { "Due" } },
                    }),
                ]).collect(),
            ))
        }
        @if party.is_some() && view.stage.has_action_plan() {
            @let open: Vec<_> = view.milestones.iter().filter(|m| m.met_on.is_none()).collect();
            @if !open.is_empty() {
                form method="post" action={ "/procure/contracts/" (view.contract_id) "/notices/" (view.id) "/milestones/met" } novalidate {
                    input type="hidden" name="csrf_token" value=(session.csrf_token);
                    (Select {
                        name: "milestone".into(),
                        label: Label::text("Milestone met"),
                        items: std::iter::once(SelectItem::new("", "Choose a milestone", true))
                            .chain(open.iter().map(|m| SelectItem::new(m.id.to_string(), format!("{} (due {})", m.description, m.due_on), false)))
                            .collect(),
                        error_message: error_for("milestone").map(Into::into),
                        ..Default::default()
                    })
                    (Input { hint: Some("YYYY-MM-DD".into()), error_message: error_for("met_on").map(Into::into), ..Input::new("met_on", Label::text("Date met")) }.with_value(today().to_string()))
                    (Button::secondary("Record milestone met"))
                }
            }
            h3 { "Add a milestone" }
            form method="post" action={ "/procure/contracts/" (view.contract_id) "/notices/" (view.id) "/milestones" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Input { error_message: error_for("description").map(Into::into), ..Input::new("description", Label::text("What is to be done")) })
                (Input { hint: Some("YYYY-MM-DD".into()), error_message: error_for("due_on").map(Into::into), ..Input::new("due_on", Label::text("Due by")) })
                (Input { error_message: error_for("milestone_owner").map(Into::into), ..Input::new("milestone_owner", Label::text("Owner")) })
                (Input { error_message: error_for("consequence").map(Into::into), ..Input::new("consequence", Label::text("Consequence if it is missed")) })
                (Button::secondary("Add milestone"))
            }
        }
        @if party.is_some() && !events.is_empty() {
            h2 { "Record the next step" }
            form method="post" action={ "/procure/contracts/" (view.contract_id) "/notices/" (view.id) "/events" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Select {
                    name: "event".into(),
                    label: Label::text("Step"),
                    items: std::iter::once(SelectItem::new("", "Choose a step", true))
                        .chain(events.iter().map(|e| SelectItem::new(e.code(), capitalise(e.label()), false)))
                        .collect(),
                    error_message: error_for("event").map(Into::into),
                    ..Default::default()
                })
                (Input { hint: Some("YYYY-MM-DD".into()), error_message: error_for("on_date").map(Into::into), ..Input::new("on_date", Label::text("Date")) }.with_value(today().to_string()))
                @if events.contains(&Event::Withhold) {
                    (Input { hint: Some("Historically up to 2% of the monthly value".into()), error_message: error_for("withhold_percent").map(Into::into), ..Input::new("withhold_percent", Label::text("Percentage withheld (if withholding)")) })
                }
                (Textarea { name: "notes".into(), label: Label::text("Notes"), rows: Some(3), ..Default::default() })
                (Button::secondary("Record step"))
            }
        }
        p { a href={ "/procure/contracts/" (view.contract_id) "#notices" } { "Back to the contract" } }
    };
    Ok(layout::page_for(session, Section::Stage(Stage::Procure), &view.subject, None, content))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

pub(crate) async fn event(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((id, notice)): Path<(String, i64)>,
    Form(form): Form<app::notices::NoticeStep>,
) -> Result<Response, Error> {
    let view = state.app.notice(&session.principal, &id, notice, today()).await?;
    state.app.notice_party(&session.principal, &view.provider).await?;
    let result = state.app.notice_event(&session.principal, &id, notice, &form).await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/procure/contracts/{id}/notices/{notice}")).into_response()),
        Err(app::AppError::Invalid(message)) => {
            let field = if message.contains("step to record") || message.contains("cannot") {
                "event"
            } else if message.contains("percentage") {
                "withhold_percent"
            } else {
                "on_date"
            };
            let page = render(&state, &session, &id, notice, &[(field.to_owned(), message)]).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct MilestoneForm {
    #[serde(default)]
    description: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    milestone_owner: String,
    #[serde(default)]
    consequence: String,
}

/// Adds a milestone to the notice's action plan (either party).
pub(crate) async fn add_milestone(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((id, notice)): Path<(String, i64)>,
    Form(form): Form<MilestoneForm>,
) -> Result<Response, Error> {
    let view = state.app.notice(&session.principal, &id, notice, today()).await?;
    state.app.notice_party(&session.principal, &view.provider).await?;
    let milestone = app::notices::NewMilestone {
        description: form.description,
        due_on: form.due_on,
        owner: form.milestone_owner,
        consequence: form.consequence,
    };
    let mut errors = milestone.errors();
    if errors.is_empty() {
        match state.app.add_milestone(&session.principal, &id, notice, &milestone).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/procure/contracts/{id}/notices/{notice}#milestones")).into_response()
                );
            }
            Err(app::AppError::Invalid(message)) => {
                let (field, message) = match message.split_once(": ") {
                    Some(("due_on", rest)) => ("due_on", rest.to_owned()),
                    _ => ("description", message),
                };
                errors.push((field.to_owned(), message));
            }
            Err(error) => return Err(error.into()),
        }
    }
    let page = render(&state, &session, &id, notice, &errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct MilestoneMetForm {
    #[serde(default)]
    milestone: String,
    #[serde(default)]
    met_on: String,
}

/// Records a milestone of the notice's action plan as met (either party).
pub(crate) async fn milestone_met(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((id, notice)): Path<(String, i64)>,
    Form(form): Form<MilestoneMetForm>,
) -> Result<Response, Error> {
    let view = state.app.notice(&session.principal, &id, notice, today()).await?;
    state.app.notice_party(&session.principal, &view.provider).await?;
    let error = match form.milestone.trim().parse::<i64>() {
        Err(_) => ("milestone", "Choose the milestone that was met".to_owned()),
        Ok(milestone) => {
            match state.app.milestone_met(&session.principal, &id, notice, milestone, &form.met_on).await {
                Ok(()) => {
                    return Ok(
                        Redirect::to(&format!("/procure/contracts/{id}/notices/{notice}#milestones")).into_response()
                    );
                }
                Err(app::AppError::Invalid(message)) if message.contains("already") => ("milestone", message),
                Err(app::AppError::Invalid(message)) => ("met_on", message),
                Err(app::AppError::NotFound) => ("milestone", "Choose the milestone that was met".to_owned()),
                Err(error) => return Err(error.into()),
            }
        }
    };
    let page = render(&state, &session, &id, notice, &[(error.0.to_owned(), error.1)]).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
