//! Procure: tenders — the list, the form that publishes criteria and price weight before bids
//! open, a tender's page with its lifecycle steps, the provider's bid form, and the bids once
//! (and only once) the deadline has passed and the tender has closed.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use app::accounts::Session;
use app::tenders::{NewTender, TenderView, now_utc};
use commissioning::access::{Action, Decision, Role, Stage, decide};
use commissioning::procure::psr::Process;
use commissioning::procure::scoring::PriceFormula;
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

fn manages(session: &Session) -> bool {
    decide(Some(&session.principal), &Action::ManageProcurement) == Decision::Allow
}

fn deadline_text(view: &TenderView) -> String {
    format!("{} UTC", view.deadline.format("%-d %B %Y, %H:%M"))
}

pub(crate) async fn tenders(State(state): State<AppState>, SignedIn(session): SignedIn) -> Result<Html<String>, Error> {
    let tenders = state.app.tenders(&session.principal, now_utc()).await?;
    let content = html! {
        span class="nhsuk-caption-l" { "Procure" }
        h1 { "Tenders" }
        @if manages(&session) { p { a class="nhsuk-button" href="/procure/tenders/new" { "Create a tender" } } }
        @if tenders.is_empty() { p { "There are no tenders." } } @else {
            (Table::new(
                "Tenders, newest first",
                vec![Cell::text("Tender"), Cell::text("Process"), Cell::text("Stage"), Cell::text("Deadline"), Cell::numeric("Bids received")],
                tenders.iter().map(|t| vec![
                    Cell::html(html! { a href={ "/procure/tenders/" (t.id) } { (t.title) } }),
                    Cell::text(t.process.label()),
                    Cell::text(t.stage.code().replace('_', " ")),
                    Cell::text(deadline_text(t)),
                    Cell::numeric(t.bids_received.to_string()),
                ]).collect(),
            ))
        }
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Procure), "Tenders", None, content))
}

fn new_page(session: &Session, input: &NewTender, errors: &[(String, String)]) -> Html<String> {
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Procure" }
        h1 { "Create a tender" }
        p { "The criteria, their weights and how price is scored are published with the tender, before any bid is opened." }
        form method="post" action="/procure/tenders" novalidate {
            input type="hidden" name="csrf_token" value=(session.csrf_token);
            (Input { error_message: error_for("title").map(Into::into), ..Input::new("title", Label::text("What is being procured")) }.with_value(input.title.clone()))
            (Select {
                name: "process".into(),
                label: Label::text("Provider selection process"),
                error_message: error_for("process").map(Into::into),
                items: [Process::Competitive, Process::MostSuitableProvider].into_iter().map(|p| SelectItem::new(p.code(), p.label(), input.process == p.code())).collect(),
                ..Default::default()
            })
            (Input { hint: Some("UTC, as YYYY-MM-DDTHH:MM, such as 2026-02-02T12:00".into()), error_message: error_for("deadline").map(Into::into), ..Input::new("deadline", Label::text("Deadline for bids")) }.with_value(input.deadline.clone()))
            (Input { hint: Some("Points out of 100; the criteria take the rest".into()), error_message: error_for("price_weight").map(Into::into), ..Input::new("price_weight", Label::text("Points for price")) }.with_value(input.price_weight.clone()))
            (Select {
                name: "price_formula".into(),
                label: Label::text("How price is scored"),
                error_message: error_for("price_formula").map(Into::into),
                items: vec![
                    SelectItem::new(PriceFormula::RelativeToLowest.code(), "Lowest price ÷ bid price × points", input.price_formula != "linear_deviation" && input.price_formula != "range_normalised"),
                    SelectItem::new(PriceFormula::LinearDeviation.code(), "Less by the share above the lowest (twice the lowest scores 0)", input.price_formula == "linear_deviation"),
                    SelectItem::new(PriceFormula::RangeNormalised.code(), "Across the range from highest to lowest", input.price_formula == "range_normalised"),
                ],
                ..Default::default()
            })
            (Textarea {
                name: "criteria".into(),
                label: Label::text("Quality criteria, one per line"),
                hint: Some("name | points | minimum score (0 to 5), such as 'Quality and innovation | 25 | 2'. Scored 0 to 5.".into()),
                rows: Some(6),
                value: Some(input.criteria.clone()),
                error_message: error_for("criteria").map(Into::into),
                ..Default::default()
            })
            (Button::submit("Create tender"))
        }
    };
    layout::page_for(session, Section::Stage(Stage::Procure), "Create a tender", None, content)
}

pub(crate) async fn new_tender(SignedIn(session): SignedIn) -> Result<Html<String>, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    Ok(new_page(&session, &NewTender { price_weight: "40".into(), ..Default::default() }, &[]))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(input): Form<NewTender>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    if let Err(errors) = input.check(now_utc()) {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, new_page(&session, &input, &errors)).into_response());
    }
    let id = state.app.create_tender(&session.principal, &input, now_utc()).await?;
    Ok(Redirect::to(&format!("/procure/tenders/{id}")).into_response())
}

async fn render(
    state: &AppState,
    session: &Session,
    id: i64,
    errors: &[(String, String)],
) -> Result<Html<String>, Error> {
    let now = now_utc();
    let view = state.app.tender(&session.principal, id, now).await?;
    let is_provider = session.principal.has(Role::Provider);
    let bids = match state.app.bids(&session.principal, id, now).await {
        Ok(bids) => Some(bids),
        Err(app::AppError::Sealed(_) | app::AppError::Forbidden) => None,
        Err(error) => return Err(error.into()),
    };
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Tender " (view.id) }
        h1 { (view.title) }
        (summary(vec![
            ("Process", html! { (view.process.label()) }),
            ("Stage", html! { (view.stage.code().replace('_', " ")) }),
            ("Deadline for bids", html! { (deadline_text(&view)) }),
            ("Price", html! { (view.price_weight) " points, scored " (view.price_formula.code().replace('_', " ")) }),
            ("Bids received", html! { (view.bids_received) }),
        ]))
        (Table::new(
            "Quality criteria, scored 0 to 5",
            vec![Cell::text("Criterion"), Cell::numeric("Points"), Cell::numeric("Minimum score")],
            view.criteria.iter().map(|(name, weight, minimum)| vec![Cell::text(name.clone()), Cell::numeric(weight.clone()), Cell::numeric(minimum.to_string())]).collect(),
        ))
        @if manages(session) && !view.next_events.is_empty() {
            h2 { "Move the tender on" }
            form method="post" action={ "/procure/tenders/" (view.id) "/events" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Select {
                    name: "event".into(),
                    label: Label::text("Step"),
                    error_message: error_for("event").map(Into::into),
                    items: view.next_events.iter().map(|e| SelectItem::new(e.code(), e.code().replace('_', " "), false)).collect(),
                    ..Default::default()
                })
                (Button::secondary("Take step"))
            }
        }
        @if is_provider && view.stage.takes_bids() && now < view.deadline {
            h2 id="bid" { "Your bid" }
            p { "You may replace your bid until the deadline. Nobody else can open it before then." }
            form method="post" action={ "/procure/tenders/" (view.id) "/bids" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Input { hint: Some("In pounds, for the whole contract".into()), error_message: error_for("price").map(Into::into), ..Input::new("price", Label::text("Price")) })
                (Textarea { name: "response".into(), label: Label::text("Your response to each criterion"), rows: Some(6), error_message: error_for("response").map(Into::into), ..Default::default() })
                (Button::submit("Submit bid"))
            }
        }
        h2 { "Bids" }
        @match &bids {
            Some(bids) if bids.is_empty() => { p { @if is_provider { "You have not bid." } @else { "No bids were received." } } }
            Some(bids) => {
                (Table::new(
                    if is_provider { "Your bid".to_owned() } else { "Bids received".to_owned() },
                    vec![Cell::text("Bidder"), Cell::numeric("Price"), Cell::text("Response"), Cell::text("Submitted by")],
                    bids.iter().map(|b| vec![Cell::text(b.bidder.clone()), Cell::numeric(b.price.to_string()), Cell::text(b.response.clone()), Cell::text(b.submitted_by.clone())]).collect(),
                ))
            }
            None => { p { "The bids are sealed until the deadline (" (deadline_text(&view)) ") has passed and the tender has closed. Nobody can open them before then, administrators included." } }
        }
        p { a href="/procure/tenders" { "All tenders" } }
    };
    Ok(layout::page_for(session, Section::Stage(Stage::Procure), &view.title, None, content))
}

pub(crate) async fn tender(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    render(&state, &session, id, &[]).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct StepForm {
    #[serde(default)]
    event: String,
}

pub(crate) async fn step(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    match state.app.tender_step(&session.principal, id, &form.event, now_utc()).await {
        Ok(_) => Ok(Redirect::to(&format!("/procure/tenders/{id}")).into_response()),
        Err(app::AppError::Invalid(message)) => {
            let page = render(&state, &session, id, &[("event".to_owned(), message)]).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct BidForm {
    #[serde(default)]
    price: String,
    #[serde(default)]
    response: String,
}

pub(crate) async fn bid(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<BidForm>,
) -> Result<Response, Error> {
    if !session.principal.has(Role::Provider) {
        return Err(Error::Forbidden);
    }
    state.app.tender(&session.principal, id, now_utc()).await?;
    match state.app.submit_bid(&session.principal, id, &form.price, &form.response, now_utc()).await {
        Ok(()) => Ok(Redirect::to(&format!("/procure/tenders/{id}#bid")).into_response()),
        Err(app::AppError::Invalid(message)) => {
            let (field, message) = match message.split_once(": ") {
                Some(("price", rest)) => ("price", rest.to_owned()),
                Some(("response", rest)) => ("response", rest.to_owned()),
                _ => ("price", message),
            };
            let page = render(&state, &session, id, &[(field.to_owned(), message)]).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}
