//! Procure: tenders — the list, the form that publishes criteria and price weight before bids
//! open, a tender's page with its lifecycle steps, the provider's bid form, and the bids once
//! (and only once) the deadline has passed and the tender has closed.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use app::accounts::Session;
use app::tenders::{CriterionInput, NewTender, TenderEvaluation, TenderView, now_utc};
use commissioning::access::{Action, Decision, Stage, decide};
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
use crate::pages::procure::manages;
use crate::pages::{MAX_NUMBERED, field_error, numbered_fields, summary};
use crate::state::AppState;

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

fn new_page(
    session: &Session,
    input: &NewTender,
    specifications: &[(i64, String, i64)],
    errors: &[(String, String)],
) -> Html<String> {
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
                name: "specification".into(),
                label: Label::text("Service specification"),
                hint: Some("Its latest version is published with the tender; the award takes its KPIs and payment mechanism".into()),
                error_message: error_for("specification").map(Into::into),
                items: std::iter::once(SelectItem::new("", "None", input.specification.is_empty()))
                    .chain(specifications.iter().map(|(id, title, version)| SelectItem::new(id.to_string(), format!("{title} (version {version})"), input.specification == id.to_string())))
                    .collect(),
                ..Default::default()
            })
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
            (Textarea { name: "pass_fail".into(), label: Label::text("Pass/fail questions, one per line (optional)"), hint: Some("Each bid answers yes or no; a 'no' excludes it, such as 'Registered with the Care Quality Commission'".into()), rows: Some(3), value: Some(input.pass_fail.clone()), ..Default::default() })
            (Textarea { name: "lots".into(), label: Label::text("Lots, one per line (optional)"), hint: Some("Each lot is bid for, evaluated and awarded on its own, with the same criteria, deadline and specification".into()), rows: Some(3), value: Some(input.lots.clone()), ..Default::default() })
            (Textarea { name: "required_documents".into(), label: Label::text("Documents every bid must attach, one per line (optional)"), hint: Some("Such as 'Mobilisation plan'".into()), rows: Some(3), value: Some(input.required_documents.clone()), ..Default::default() })
            (Button::submit("Create tender"))
        }
    };
    layout::page_for(session, Section::Stage(Stage::Procure), "Create a tender", None, content)
}

pub(crate) async fn new_tender(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Html<String>, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    let specifications = state.app.specifications(&session.principal).await?;
    Ok(new_page(&session, &NewTender { price_weight: "40".into(), ..Default::default() }, &specifications, &[]))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(input): Form<NewTender>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    let specifications = state.app.specifications(&session.principal).await?;
    if let Err(errors) = input.check(now_utc()) {
        return Ok(
            (StatusCode::UNPROCESSABLE_ENTITY, new_page(&session, &input, &specifications, &errors)).into_response()
        );
    }
    match state.app.create_tender(&session.principal, &input, now_utc()).await {
        Ok(id) => Ok(Redirect::to(&format!("/procure/tenders/{id}")).into_response()),
        Err(app::AppError::Invalid(message)) => {
            let errors = [field_error(&message, "title")];
            Ok((StatusCode::UNPROCESSABLE_ENTITY, new_page(&session, &input, &specifications, &errors)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    id: i64,
    errors: &[(String, String)],
) -> Result<Html<String>, Error> {
    let now = now_utc();
    let view = state.app.tender(&session.principal, id, now).await?;
    let specification = state.app.tender_specification(&session.principal, id, now).await?;
    let is_provider =
        decide(Some(&session.principal), &Action::BidFor(session.principal.organisation.clone())) == Decision::Allow;
    let clarifications = state.app.clarifications(&session.principal, id, now).await?;
    let (documents, questions) = state.app.tender_requirements(&session.principal, id, now).await?;
    let completeness =
        if is_provider { Some(state.app.bid_completeness(&session.principal, id, now).await?) } else { None };
    let open = view.stage.takes_bids() && now < view.deadline;
    let bids = match state.app.bids(&session.principal, id, now).await {
        Ok(bids) => Some(bids),
        Err(app::AppError::Sealed(_) | app::AppError::Forbidden) => None,
        Err(error) => return Err(error.into()),
    };
    let (evaluation, award) = if session.principal.is_commissioner_side() {
        (
            Some(state.app.tender_evaluation(&session.principal, id, now).await?),
            Some(state.app.tender_award(&session.principal, id).await?),
        )
    } else {
        (None, None)
    };
    let notice = match &award {
        Some(award) if award.intended_provider.is_some() => {
            Some(state.app.intention_notice(&session.principal, id, now).await?)
        }
        _ => None,
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
        @if let Some((number, lots)) = &view.lot {
            p { "Lot " (number) " of " (lots.len()) ". Every lot:" }
            ul { @for (lot_id, title) in lots { li { @if *lot_id == view.id { (title) " (this lot)" } @else { a href={ "/procure/tenders/" (lot_id) } { (title) } } } } }
        }
        (Table::new(
            "Quality criteria, scored 0 to 5",
            vec![Cell::text("Criterion"), Cell::numeric("Points"), Cell::numeric("Minimum score")],
            view.criteria.iter().map(|(name, weight, minimum)| vec![Cell::text(name.clone()), Cell::numeric(weight.clone()), Cell::numeric(minimum.to_string())]).collect(),
        ))
        @if let Some((spec_id, version)) = &specification {
            h2 { "Service specification" }
            p {
                @if manages(session) { a href={ "/procure/specifications/" (spec_id) } { (version.content.title) } } @else { (version.content.title) }
                ", version " (version.version) ": " (version.content.duration_months) " months, paid by " (version.content.payment_mechanism.replace('_', " ")) "."
            }
            (summary(vec![
                ("Outcomes", html! { ul { @for line in version.content.outcomes.lines().filter(|l| !l.trim().is_empty()) { li { (line) } } } }),
                ("KPIs", html! { ul { @for line in version.content.kpis.lines().filter(|l| !l.trim().is_empty()) { li { (line) } } } }),
                ("Activity", html! { ul { @for line in version.content.activity.lines().filter(|l| !l.trim().is_empty()) { li { (line) } } } }),
                ("Quality requirements", html! { ul { @for line in version.content.quality.lines().filter(|l| !l.trim().is_empty()) { li { (line) } } } }),
            ]))
        }
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
        @if !documents.is_empty() || !questions.is_empty() {
            h2 { "What every bid must include" }
            @if !documents.is_empty() { p { "Documents to attach:" } ul { @for d in &documents { li { (d) } } } }
            @if !questions.is_empty() { p { "Pass/fail questions (a 'no' excludes the bid):" } ol { @for q in &questions { li { (q) } } } }
        }
        (clarifications_section(session, &view, &clarifications, is_provider && open, errors))
        @if let (Some(completeness), true) = (&completeness, open) {
            (bid_tasks(session, &view, completeness, errors))
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
        @if let Some(evaluation) = &evaluation { (evaluation_section(session, &view, evaluation, errors)) }
        @if let Some(award) = &award { (award_section(session, &view, evaluation.as_ref(), award, errors)) }
        @if let Some(notice) = &notice { (notice_section(notice)) }
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
    app::authorize(Some(&session.principal), &Action::BidFor(session.principal.organisation.clone()))?;
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

fn score_items(selected: Option<i64>) -> Vec<SelectItem> {
    std::iter::once(SelectItem::new("", "Choose a score", selected.is_none()))
        .chain(commissioning::procure::scoring::SCALE.iter().map(|(score, meaning)| {
            SelectItem::new(score.to_string(), format!("{score}: {meaning}"), selected == Some(i64::from(*score)))
        }))
        .collect()
}

/// Declarations, independent scoring, moderation and the ranked result, as far as the
/// reader may see them.
fn evaluation_section(
    session: &Session,
    view: &TenderView,
    evaluation: &TenderEvaluation,
    errors: &[(String, String)],
) -> Markup {
    use commissioning::procure::tender::TenderStage;
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let evaluates = decide(Some(&session.principal), &Action::EvaluateBids) == Decision::Allow;
    let cleared = evaluation.own.as_ref().is_some_and(|d| d.cleared);
    let criterion_name =
        |position: i64| view.criteria.get(position as usize - 1).map(|c| c.0.clone()).unwrap_or_default();
    html! {
        h2 id="declarations" { "Declarations of interest" }
        @if evaluation.declarations.is_empty() { p { "Nobody has declared their interests yet. Everyone evaluating must, before they see a bid." } } @else {
            (Table::new(
                "Declarations of interest and how conflicts are managed",
                vec![Cell::text("Who"), Cell::text("Conflict"), Cell::text("Details"), Cell::text("How it is managed")],
                evaluation.declarations.iter().map(|d| vec![
                    Cell::text(d.name.clone()),
                    Cell::html(if d.has_conflict { html! { strong class="nhsuk-tag nhsuk-tag--orange" { "Declared" } } } else { html! { "None" } }),
                    Cell::text(d.details.clone()),
                    Cell::text(if d.has_conflict && !d.cleared { "Not managed: takes no part".to_owned() } else { d.management.clone() }),
                ]).collect(),
            ))
        }
        @if evaluation.own.is_none() && !view.stage.is_final() {
            form method="post" action={ "/procure/tenders/" (view.id) "/declarations" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Select { name: "has_conflict".into(), label: Label::text("Do you have an interest in any bidder?"), items: vec![SelectItem::new("false", "No", true), SelectItem::new("true", "Yes", false)], ..Default::default() })
                (Input { error_message: error_for("details").map(Into::into), ..Input::new("details", Label::text("The interest, if any")) })
                (Input { hint: Some("Without it, a declared conflict keeps you out of the evaluation".into()), ..Input::new("management", Label::text("How it is managed")) })
                (Button::secondary("Declare interests"))
            }
        }
        @if view.stage == TenderStage::Evaluation && evaluates && cleared {
            h2 id="scoring" { "Your scores" }
            p { "Score each bid on its own, 0 to 5 with a comment on every criterion. Nobody sees your scores until moderation." }
            @for bid in &evaluation.bids {
                form method="post" action={ "/procure/tenders/" (view.id) "/scores" } novalidate {
                    input type="hidden" name="csrf_token" value=(session.csrf_token);
                    input type="hidden" name="bidder" value=(bid.bidder);
                    h3 { (bid.bidder) }
                    @for (i, (name, weight, _)) in view.criteria.iter().enumerate() {
                        @let position = i as i64 + 1;
                        @let own = bid.individual.iter().find(|s| s.position == position && s.user_id == session.principal.user_id);
                        (Select { id: Some(format!("score_{position}_{}", bid.bidder)), name: format!("score_{position}"), label: Label::text(format!("{name} ({weight} points)")), items: score_items(own.map(|s| s.score)), error_message: error_for(&format!("score_{position}")).map(Into::into), ..Default::default() })
                        (Input { id: Some(format!("comment_{position}_{}", bid.bidder)), error_message: error_for(&format!("comment_{position}")).map(Into::into), ..Input::new(format!("comment_{position}"), Label::text(format!("Comment on {name}"))) }.with_value(own.map(|s| s.comment.clone()).unwrap_or_default()))
                    }
                    (Button::secondary(format!("Save scores for {}", bid.bidder)))
                }
            }
            @if !evaluation.scored_by.is_empty() { p { "Finished scoring: " (evaluation.scored_by.join(", ")) "." } }
        }
        @if matches!(view.stage, TenderStage::Moderation | TenderStage::IntentionToAward | TenderStage::Standstill | TenderStage::Awarded) {
            h2 id="moderation" { "Moderation" }
            @for bid in &evaluation.bids {
                (Table::new(
                    format!("Scores of {}: each evaluator's and the consensus", bid.bidder),
                    vec![Cell::text("Criterion"), Cell::text("Evaluator"), Cell::numeric("Score"), Cell::text("Comment or reason")],
                    bid.individual.iter().chain(bid.moderated.iter()).map(|s| vec![
                        Cell::text(criterion_name(s.position)),
                        Cell::text(if s.user_id == 0 { format!("Consensus ({})", s.by) } else { s.by.clone() }),
                        Cell::numeric(s.score.to_string()),
                        Cell::text(s.comment.clone()),
                    ]).collect(),
                ))
                @if view.stage == TenderStage::Moderation && manages(session) {
                    form method="post" action={ "/procure/tenders/" (view.id) "/moderation" } novalidate {
                        input type="hidden" name="csrf_token" value=(session.csrf_token);
                        input type="hidden" name="bidder" value=(bid.bidder);
                        @for (i, (name, _, _)) in view.criteria.iter().enumerate() {
                            @let position = i as i64 + 1;
                            @let agreed = bid.moderated.iter().find(|s| s.position == position);
                            (Select { id: Some(format!("score_{position}_{}", bid.bidder)), name: format!("score_{position}"), label: Label::text(format!("Consensus on {name}")), items: score_items(agreed.map(|s| s.score)), error_message: error_for(&format!("score_{position}")).map(Into::into), ..Default::default() })
                            (Input { id: Some(format!("reason_{position}_{}", bid.bidder)), error_message: error_for(&format!("reason_{position}")).map(Into::into), ..Input::new(format!("reason_{position}"), Label::text(format!("Reason for the consensus on {name}"))) }.with_value(agreed.map(|s| s.comment.clone()).unwrap_or_default()))
                        }
                        (Button::secondary(format!("Agree scores for {}", bid.bidder)))
                    }
                }
            }
        }
        @if let Some(results) = &evaluation.results {
            h2 id="results" { "Evaluation result" }
            (Table::new(
                "Bids by rank, from the moderated scores",
                vec![Cell::numeric("Rank"), Cell::text("Bidder"), Cell::numeric("Quality"), Cell::numeric("Price"), Cell::numeric("Total"), Cell::text("Notes")],
                {
                    let mut ranked: Vec<_> = results.iter().collect();
                    ranked.sort_by_key(|r| r.rank.unwrap_or(usize::MAX));
                    ranked.into_iter().map(|r| vec![
                        Cell::numeric(r.rank.map(|n| n.to_string()).unwrap_or_else(|| "Excluded".into())),
                        Cell::text(r.bidder.clone()),
                        Cell::numeric(format!("{:.2}", r.quality_points)),
                        Cell::numeric(format!("{:.2}", r.price_points)),
                        Cell::numeric(format!("{:.2}", r.total)),
                        Cell::text([r.excluded.clone(), r.abnormally_low.then(|| "Abnormally low price: investigate before award".to_owned())].into_iter().flatten().collect::<Vec<_>>().join("; ")),
                    ]).collect()
                },
            ))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DeclarationForm {
    #[serde(default)]
    has_conflict: String,
    #[serde(default)]
    details: String,
    #[serde(default)]
    management: String,
}

pub(crate) async fn declare(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<DeclarationForm>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ViewCommissionerDashboard)?;
    let has_conflict = form.has_conflict == "true";
    match state
        .app
        .declare_interests(&session.principal, id, has_conflict, &form.details, &form.management, now_utc())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/procure/tenders/{id}#declarations")).into_response()),
        Err(app::AppError::Invalid(message)) => {
            let message = message.split_once(": ").map(|(_, m)| m.to_owned()).unwrap_or(message);
            let page = render(&state, &session, id, &[("details".to_owned(), message)]).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// The criteria's scores and comments (or reasons) of a scoring or moderation form.
fn criterion_inputs(fields: &[(String, String)], note: &str) -> (String, Vec<CriterionInput>) {
    let value = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let inputs = fields
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("score_").and_then(|p| p.parse::<i64>().ok()))
        .map(|p| CriterionInput {
            position: p,
            score: value(&format!("score_{p}")),
            comment: value(&format!("{note}_{p}")),
        })
        .collect();
    (value("bidder"), inputs)
}

async fn scores_reply(
    state: &AppState,
    session: &Session,
    id: i64,
    result: app::Result<()>,
    anchor: &str,
) -> Result<Response, Error> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/procure/tenders/{id}#{anchor}")).into_response()),
        Err(app::AppError::Invalid(message)) => {
            let (field, message) = match message.split_once(": ") {
                Some((field, rest)) if field.contains('_') => (field.to_owned(), rest.to_owned()),
                _ => (anchor.to_owned(), message),
            };
            let page = render(state, session, id, &[(field, message)]).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

pub(crate) async fn score(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::EvaluateBids)?;
    let (bidder, inputs) = criterion_inputs(&fields, "comment");
    let result = state.app.score_bid(&session.principal, id, &bidder, &inputs, now_utc()).await;
    scores_reply(&state, &session, id, result, "scoring").await
}

pub(crate) async fn moderate(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    let (bidder, inputs) = criterion_inputs(&fields, "reason");
    let result = state.app.moderate_bid(&session.principal, id, &bidder, &inputs, now_utc()).await;
    scores_reply(&state, &session, id, result, "moderation").await
}

/// The intention to award, the standstill with its representations and review decision, and
/// the award that creates the contract.
fn notice_section(notice: &app::tenders::IntentionNotice) -> Markup {
    html! {
        h2 id="notice" { "Intention to award notice" }
        p { (notice.statement) }
        (summary(vec![
            ("Title and reference", html! { (notice.title) " (" (notice.reference) ")" }),
            ("Chosen provider", html! { (notice.provider) @if !notice.provider_address.is_empty() { ", " (notice.provider_address) } }),
            ("Description", html! { (notice.description) }),
            ("Approximate lifetime value", html! { (notice.approximate_lifetime_value) }),
            ("Decision-makers", html! { (notice.decision_makers.join(", ")) }),
            ("Reasons, against the key criteria", html! { ul { @for r in &notice.reasons { li { (r) } } } }),
            ("Declared conflicts of interest and how they were managed", html! {
                @if notice.conflicts.is_empty() { "None declared" }
                @for (who, what, how) in &notice.conflicts { p { (who) ": " (what) ". Managed: " (how) } }
            }),
            ("Framework agreement", html! { (notice.framework) }),
            ("Published; standstill ends", html! { (notice.published) "; " (notice.standstill_ends) " (midnight)" }),
        ]))
    }
}

fn award_section(
    session: &Session,
    view: &TenderView,
    evaluation: Option<&TenderEvaluation>,
    award: &app::tenders::AwardView,
    errors: &[(String, String)],
) -> Markup {
    use commissioning::procure::tender::TenderStage;
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let base = format!("/procure/tenders/{}", view.id);
    let today = crate::pages::procure::contracts::today().to_string();
    html! {
        @if view.stage == TenderStage::Moderation && manages(session) && evaluation.is_some_and(|e| e.results.is_some()) {
            h2 id="intention" { "Intention to award" }
            p { "Publishing the intention to award to the first-ranked bid starts the standstill: 8 working days from the day after publication." }
            form method="post" action={ (base) "/intention" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Input { hint: Some("YYYY-MM-DD".into()), error_message: error_for("published_on").map(Into::into), ..Input::new("published_on", Label::text("Date the notice is published")) }.with_value(today.clone()))
                (Button::secondary("Publish intention to award"))
            }
        }
        @if let Some(standstill) = &award.standstill {
            h2 id="standstill" { "Standstill" }
            (summary(vec![
                ("Intended provider", html! { (award.intended_provider.clone().unwrap_or_default()) }),
                ("Notice published", html! { (standstill.published) }),
                ("Standstill ends", html! { (standstill.ends) " (midnight)" }),
                ("May award from", html! { @match standstill.award_from { Some(d) => { (d) } None => { "After the review decision on the representations, and 5 working days more" } } }),
                ("Representations", html! { @if award.representations.is_empty() { "None" } @for (who, on, what) in &award.representations { p { (on) ", " (who) ": " (what) } } }),
                ("Review decision", html! { (award.review_decision.map(|d| d.to_string()).unwrap_or_else(|| "None".into())) }),
                ("Contract", html! { @match &award.contract_id { Some(id) => { a href={ "/procure/contracts/" (id) } { (id) } } None => { "Not yet awarded" } } }),
            ]))
            @if view.stage == TenderStage::Standstill && manages(session) {
                h3 { "Record a representation" }
                form method="post" action={ (base) "/representations" } novalidate {
                    input type="hidden" name="csrf_token" value=(session.csrf_token);
                    (Input::new("provider", Label::text("Who made it")))
                    (Input { hint: Some("YYYY-MM-DD".into()), error_message: error_for("received_on").map(Into::into), ..Input::new("received_on", Label::text("Date received")) })
                    (Input { error_message: error_for("summary").map(Into::into), ..Input::new("summary", Label::text("What it says")) })
                    (Button::secondary("Record representation"))
                }
                @if !award.representations.is_empty() {
                    form method="post" action={ (base) "/review" } novalidate {
                        input type="hidden" name="csrf_token" value=(session.csrf_token);
                        (Input { hint: Some("YYYY-MM-DD: the day the provider was told the further decision".into()), error_message: error_for("decided_on").map(Into::into), ..Input::new("decided_on", Label::text("Review decision given")) })
                        (Button::secondary("Record review decision"))
                    }
                }
                h3 { "Award the contract" }
                form method="post" action={ (base) "/award" } novalidate {
                    input type="hidden" name="csrf_token" value=(session.csrf_token);
                    (Input { hint: Some("YYYY-MM-DD".into()), error_message: error_for("start").map(Into::into), ..Input::new("start", Label::text("Contract starts")) })
                    (Input { hint: Some("YYYY-MM-DD".into()), error_message: error_for("end").map(Into::into), ..Input::new("end", Label::text("Contract ends")) })
                    (Textarea { name: "override_reason".into(), label: Label::text("Reason to award before the consultation is complete (only if it is not)"), hint: Some("A substantial service change waits for the scrutiny committee and the public consultation; a reason given here is recorded in the audit log".into()), rows: Some(3), error_message: error_for("override_reason").map(Into::into), ..Default::default() })
                    (Button::submit("Award contract"))
                }
            }
        }
    }
}

/// A form of the award steps: each field's text by name.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AwardForm {
    #[serde(default)]
    published_on: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    override_reason: String,
}

fn standstill_anchor(id: i64) -> String {
    format!("/procure/tenders/{id}#standstill")
}

/// Follows a step to `next`, or re-renders the tender with the error on its field (the
/// message's `field: ` prefix, else `field`).
async fn reply(
    state: &AppState,
    session: &Session,
    id: i64,
    result: app::Result<String>,
    field: &str,
) -> Result<Response, Error> {
    match result {
        Ok(next) => Ok(Redirect::to(&next).into_response()),
        Err(app::AppError::Invalid(message)) => {
            let page = render(state, session, id, &[field_error(&message, field)]).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

pub(crate) async fn intention(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<AwardForm>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    let result = state.app.issue_intention(&session.principal, id, &form.published_on, now_utc()).await;
    reply(&state, &session, id, result.map(|_| standstill_anchor(id)), "published_on").await
}

pub(crate) async fn representation(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<AwardForm>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    let result = state
        .app
        .record_representation(&session.principal, id, &form.provider, &form.received_on, &form.summary, now_utc())
        .await;
    reply(&state, &session, id, result.map(|()| standstill_anchor(id)), "summary").await
}

pub(crate) async fn review(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<AwardForm>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    let result = state.app.record_review_decision(&session.principal, id, &form.decided_on, now_utc()).await;
    reply(&state, &session, id, result.map(|()| standstill_anchor(id)), "decided_on").await
}

pub(crate) async fn award(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<AwardForm>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    let today = crate::pages::procure::contracts::today();
    let input = app::tenders::AwardInput { start: form.start, end: form.end, override_reason: form.override_reason };
    let result = state.app.award_tender(&session.principal, id, &input, today, now_utc()).await;
    reply(&state, &session, id, result.map(|contract| format!("/procure/contracts/{contract}")), "start").await
}

fn clarifications_section(
    session: &Session,
    view: &TenderView,
    clarifications: &[app::tender_questions::ClarificationView],
    may_ask: bool,
    errors: &[(String, String)],
) -> Markup {
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    html! {
        h2 id="clarifications" { "Clarifications" }
        p { "Questions from bidders and the answers, published to every bidder without saying who asked." }
        @if clarifications.is_empty() { p { "No questions have been asked." } }
        @for c in clarifications {
            div class="nhsuk-inset-text" {
                p { strong { "Question " (c.id) ": " } (c.question) @if let Some(by) = &c.asked_by { " (asked by " (by) ")" } }
                @match &c.answer {
                    Some(answer) => { p { strong { "Answer: " } (answer) } }
                    None => {
                        p { "Not answered yet." }
                        @if manages(session) {
                            form method="post" action={ "/procure/tenders/" (view.id) "/clarifications/" (c.id) } novalidate {
                                input type="hidden" name="csrf_token" value=(session.csrf_token);
                                @let field = format!("answer_{}", c.id);
                                (Textarea { name: "answer".into(), id: Some(field.clone()), label: Label::text("Answer, published to every bidder"), rows: Some(3), error_message: error_for(&field).map(Into::into), ..Default::default() })
                                (Button::secondary("Publish the answer"))
                            }
                        }
                    }
                }
            }
        }
        @if may_ask {
            form method="post" action={ "/procure/tenders/" (view.id) "/clarifications" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Textarea { name: "question".into(), label: Label::text("Ask a question"), hint: Some("The question and its answer are published to every bidder; your name is not".into()), rows: Some(3), error_message: error_for("question").map(Into::into), ..Default::default() })
                (Button::secondary("Ask"))
            }
        }
    }
}

/// The bidder's task list: the bid itself, each pass/fail answer and each document.
fn bid_tasks(
    session: &Session,
    view: &TenderView,
    completeness: &app::tender_questions::Completeness,
    errors: &[(String, String)],
) -> Markup {
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let tag = |done: bool| {
        if done {
            html! { strong class="nhsuk-tag nhsuk-tag--green" { "Completed" } }
        } else {
            html! { strong class="nhsuk-tag nhsuk-tag--grey" { "Not started" } }
        }
    };
    html! {
        h2 id="tasks" { "Complete your bid" }
        p {
            @if completeness.complete() { "Your bid is complete. You may still change it until the deadline." }
            @else { "Your bid is incomplete: finish each task before the deadline." }
        }
        ul class="nhsuk-list" {
            li { "Price and response " (tag(completeness.has_bid)) }
            @for (question, answer) in &completeness.questions { li { (question) " " (tag(answer.is_some())) } }
            @for (document, file) in &completeness.documents {
                li { (document) " " (tag(file.is_some())) @if let Some(file) = file { " (" (file) ")" } }
            }
        }
        @if !completeness.questions.is_empty() {
            form method="post" action={ "/procure/tenders/" (view.id) "/answers" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                @for (i, (question, answer)) in completeness.questions.iter().enumerate() {
                    @let n = i + 1;
                    (Select {
                        name: format!("answer_{n}"),
                        label: Label::text(question.clone()),
                        error_message: error_for(&format!("answer_{n}")).map(Into::into),
                        items: vec![
                            SelectItem::new("", "Choose", answer.is_none()),
                            SelectItem::new("yes", "Yes", *answer == Some(true)),
                            SelectItem::new("no", "No", *answer == Some(false)),
                        ],
                        ..Default::default()
                    })
                    (Textarea { name: format!("evidence_{n}"), label: Label::text("How you meet it"), rows: Some(2), error_message: error_for(&format!("evidence_{n}")).map(Into::into), ..Default::default() })
                }
                (Button::secondary("Save your answers"))
            }
        }
        @if !completeness.documents.is_empty() {
            form method="post" action={ "/procure/tenders/" (view.id) "/documents" } enctype="multipart/form-data" novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Select {
                    name: "document".into(),
                    label: Label::text("Which document"),
                    error_message: error_for("document").map(Into::into),
                    items: completeness.documents.iter().enumerate().map(|(i, (name, _))| SelectItem::new((i + 1).to_string(), name.clone(), i == 0)).collect(),
                    ..Default::default()
                })
                div class={ "nhsuk-form-group" @if error_for("file").is_some() { " nhsuk-form-group--error" } } {
                    label class="nhsuk-label" for="file" { "File (up to 5 MB)" }
                    @if let Some(message) = error_for("file") { span class="nhsuk-error-message" id="file-error" { span class="nhsuk-u-visually-hidden" { "Error: " } (message) } }
                    input class="nhsuk-file-upload" id="file" name="file" type="file";
                }
                (Button::secondary("Attach"))
            }
        }
    }
}

/// A question or an answer, as their forms give them.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ClarificationForm {
    #[serde(default)]
    question: String,
    #[serde(default)]
    answer: String,
}

pub(crate) async fn ask(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<ClarificationForm>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::BidFor(session.principal.organisation.clone()))?;
    let result = state.app.ask_clarification(&session.principal, id, &form.question, now_utc()).await.map(|_| ());
    reply(&state, &session, id, result.map(|()| format!("/procure/tenders/{id}#clarifications")), "question").await
}

pub(crate) async fn answer(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((id, question)): Path<(i64, i64)>,
    Form(form): Form<ClarificationForm>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManageProcurement)?;
    let result = state.app.answer_clarification(&session.principal, id, question, &form.answer, now_utc()).await;
    reply(
        &state,
        &session,
        id,
        result.map(|()| format!("/procure/tenders/{id}#clarifications")),
        &format!("answer_{question}"),
    )
    .await
}

pub(crate) async fn pass_fail(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::BidFor(session.principal.organisation.clone()))?;
    let evidence = numbered_fields(&fields, "evidence", MAX_NUMBERED);
    let answers: Vec<app::tender_questions::PassFailInput> = numbered_fields(&fields, "answer", MAX_NUMBERED)
        .into_iter()
        .zip(evidence)
        .enumerate()
        .map(|(i, (answer, evidence))| app::tender_questions::PassFailInput {
            position: i as i64 + 1,
            answer,
            evidence,
        })
        .collect();
    let result = state.app.answer_pass_fail(&session.principal, id, &answers, now_utc()).await;
    reply(&state, &session, id, result.map(|()| format!("/procure/tenders/{id}#tasks")), "answer_1").await
}

pub(crate) async fn upload(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    request: axum::extract::Request,
) -> Result<Response, Error> {
    use axum::extract::{FromRequest, Multipart};
    // Who may attach is decided before the body is read.
    app::authorize(Some(&session.principal), &Action::BidFor(session.principal.organisation.clone()))?;
    state.app.tender(&session.principal, id, now_utc()).await?;
    let mut multipart = Multipart::from_request(request, &state).await.map_err(|error| {
        Error::BadRequest(format!("Attach the document with the form on the tender page ({error})."))
    })?;
    let unreadable = |error: axum::extract::multipart::MultipartError| {
        Error::BadRequest(format!("The upload could not be read ({error}). Go back and try again."))
    };
    let (mut position, mut file_name, mut content) = (0i64, String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("document") => position = field.text().await.map_err(unreadable)?.trim().parse().unwrap_or(0),
            Some("file") => {
                file_name = field.file_name().unwrap_or_default().to_owned();
                content = field.bytes().await.map_err(unreadable)?.to_vec();
            }
            _ => {}
        }
    }
    let result = state.app.attach_bid_document(&session.principal, id, position, &file_name, &content, now_utc()).await;
    reply(&state, &session, id, result.map(|()| format!("/procure/tenders/{id}#tasks")), "file").await
}
