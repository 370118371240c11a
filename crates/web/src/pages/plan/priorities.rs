//! Plan: prioritisation workshops (`/plan/priorities`): start one, add options that answer
//! gaps from the register, each participant's scores against the weighted criteria, the
//! ranking of the mean scores with its weight sensitivity and rank stability, the optimal
//! portfolio within the budget (with its CSV), and decisions recorded with their rationale.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use app::AppError;
use app::accounts::Session;
use app::export::{DataTable, Datum};
use app::priorities::{GapRef, NewOption, NewWorkshop, PriorityDecision};
use commissioning::access::{Action, Decision, Stage, decide};
use commissioning::money::Money;
use commissioning::plan::provision::GapKind;
use nhsuk::components::button::Button;
use nhsuk::components::error_summary::ErrorSummary;
use nhsuk::components::input::Input;
use nhsuk::components::inset_text::InsetText;
use nhsuk::components::label::Label;
use nhsuk::components::select::{Select, SelectItem};
use nhsuk::components::table::{Cell, Table};
use nhsuk::components::textarea::Textarea;

use crate::auth::SignedIn;
use crate::charts;
use crate::error::Error;
use crate::format::{percent, thousands, url_encode};
use crate::layout::{self, Section};
use crate::pages::{csv_response, download_link, summary};
use crate::state::AppState;

type Errors = Vec<(String, String)>;

/// An invalid-input error from the use case as (field, message).
fn field_error(error: AppError) -> Result<Errors, Error> {
    match error {
        AppError::Invalid(message) => {
            let (field, text) = message.split_once(": ").unwrap_or(("title", message.as_str()));
            Ok(vec![(field.to_owned(), text.to_owned())])
        }
        other => Err(other.into()),
    }
}

fn csrf(session: &Session) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(session.csrf_token); }
}

fn manager(session: &Session) -> bool {
    decide(Some(&session.principal), &Action::ManagePriorities) == Decision::Allow
}

fn pounds(text: &str) -> Option<i64> {
    Money::parse_pounds(text.trim()).ok().map(|m| m.pence())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WorkshopForm {
    title: String,
    budget: String,
}

fn list_page(
    session: &Session,
    workshops: &[app::priorities::WorkshopSummary],
    form: &WorkshopForm,
    errors: &Errors,
) -> Html<String> {
    let error = |f: &str| errors.iter().find(|(k, _)| k == f).map(|(_, m)| m.as_str().into());
    let content = html! {
        span class="nhsuk-caption-l" { "Plan" }
        h1 { "Prioritisation" }
        p class="nhsuk-lede-text" { "Options that answer the gaps in provision, scored by the people in the room against weighted criteria, and the portfolio that buys the most benefit within the budget." }
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        @if workshops.is_empty() {
            p { "No prioritisation has been started." }
        } @else {
            (Table::new(
                "Prioritisation workshops",
                vec![Cell::text("Workshop"), Cell::numeric("Budget"), Cell::text("Started by")],
                workshops.iter().map(|w| vec![
                    Cell::html(html! { a href={ "/plan/priorities/" (w.id) } { (w.title) } }),
                    Cell::numeric(Money::from_pence(w.budget_pence).to_string()),
                    Cell::text(w.created_by.clone()),
                ]).collect(),
            ))
        }
        @if manager(session) {
            h2 { "Start a prioritisation" }
            form method="post" action="/plan/priorities" novalidate {
                (csrf(session))
                (Input { error_message: error("title"), ..Input::new("title", Label::text("Title")) }.with_value(form.title.clone()))
                (Input { hint: Some("The money to allocate a year, in pounds".into()), error_message: error("budget"), width: Some(10), ..Input::new("budget", Label::text("Budget (£)")) }.with_value(form.budget.clone()))
                (Button::submit("Start"))
            }
        }
    };
    layout::page_for(
        session,
        Section::Stage(Stage::Plan),
        if errors.is_empty() { "Prioritisation" } else { "Error: Prioritisation" },
        None,
        content,
    )
}

pub(crate) async fn list(State(state): State<AppState>, SignedIn(session): SignedIn) -> Result<Html<String>, Error> {
    let workshops = state.app.workshops(&session.principal).await?;
    Ok(list_page(&session, &workshops, &WorkshopForm::default(), &Vec::new()))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(form): Form<WorkshopForm>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManagePriorities)?;
    let mut errors = Vec::new();
    if form.title.trim().is_empty() {
        errors.push(("title".to_owned(), "Enter a title for the workshop".to_owned()));
    }
    let budget = pounds(&form.budget).filter(|b| *b >= 0);
    if budget.is_none() {
        errors.push(("budget".to_owned(), "Enter the budget in pounds, like 450000 or 450,000.00".to_owned()));
    }
    if errors.is_empty() {
        let new = NewWorkshop { title: form.title.clone(), budget_pence: budget.unwrap_or_default() };
        match state.app.create_workshop(&session.principal, &new).await {
            Ok(id) => return Ok(Redirect::to(&format!("/plan/priorities/{id}")).into_response()),
            Err(error) => errors = field_error(error)?,
        }
    }
    let workshops = state.app.workshops(&session.principal).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, list_page(&session, &workshops, &form, &errors)).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WorkshopQuery {
    gap: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct OptionForm {
    name: String,
    gap: String,
    cost: String,
    benefit: String,
    mandatory: String,
    group: String,
    requires: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct DecisionForm {
    option: String,
    decision: String,
    rationale: String,
}

/// What the page shows in its forms after a failed post.
#[derive(Default)]
struct Pending {
    option: OptionForm,
    decision: DecisionForm,
    scores: HashMap<String, String>,
    errors: Errors,
}

fn gap_label(kind: &str) -> &'static str {
    GapKind::parse(kind).map(GapKind::label).unwrap_or("No gap")
}

async fn workshop_page(
    state: &AppState,
    session: &Session,
    id: i64,
    chosen_gap: Option<&str>,
    pending: &Pending,
) -> Result<Html<String>, Error> {
    let workshop = state.app.workshop(&session.principal, id).await?;
    let actor = app::Actor::User(session.principal.clone());
    let register = state.app.gap_register(&actor, None, None).await?;
    let errors = &pending.errors;
    let error = |f: &str| errors.iter().find(|(k, _)| k == f).map(|(_, m)| m.as_str().into());
    let score_allowed = decide(Some(&session.principal), &Action::ScorePriorities) == Decision::Allow;
    let spend: i64 = workshop.portfolio.as_ref().map(|p| p.cost_pence).unwrap_or_default();
    let gap_of = |g: &GapRef| -> String {
        if g.kind.is_empty() {
            "–".into()
        } else {
            register
                .gaps
                .iter()
                .find(|r| {
                    r.kind.code() == g.kind
                        && r.need == g.need
                        && r.area_code == g.area_code
                        && r.service_code == g.service_code
                })
                .map(|r| format!("{}: {} ({})", r.kind.label(), r.title, r.area_name))
                .unwrap_or_else(|| format!("{} ({})", gap_label(&g.kind), g.area_code))
        }
    };
    let selected_gap = if pending.option.gap.is_empty() {
        chosen_gap.unwrap_or_default().to_owned()
    } else {
        pending.option.gap.clone()
    };
    let option_name = if pending.option.name.is_empty() {
        register
            .gaps
            .iter()
            .find(|g| gap_key(g) == selected_gap)
            .map(|g| format!("Answer: {}", g.title))
            .unwrap_or_default()
    } else {
        pending.option.name.clone()
    };
    let content = html! {
        span class="nhsuk-caption-l" { "Plan: prioritisation" }
        h1 { (workshop.title) }
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        @for note in &workshop.notes { (InsetText::text(note.clone())) }
        (summary(vec![
            ("Budget", html! { (Money::from_pence(workshop.budget_pence)) }),
            ("Options", html! { (workshop.options.len()) }),
            ("Participants who have scored", html! { @if workshop.participants.is_empty() { "None yet" } @else { (workshop.participants.join(", ")) } }),
            ("Criteria (swing weights)", html! { (workshop.criteria.iter().map(|c| format!("{} {}", c.name, c.weight)).collect::<Vec<_>>().join(", ")) }),
        ]))
        h2 id="options" { "Options" }
        @if workshop.options.is_empty() {
            p { "No options yet: add one for a gap from the " a href="/plan/gaps" { "gap register" } "." }
        } @else {
            (Table::new(
                "Options, with the gap each answers and the mean of the participants' scores",
                {
                    let mut head = vec![Cell::text("Option"), Cell::text("Gap"), Cell::numeric("Cost a year"), Cell::numeric("Benefit (QALYs)")];
                    head.extend(workshop.criteria.iter().map(|c| Cell::numeric(c.name.clone())));
                    head
                },
                workshop.options.iter().map(|o| {
                    let mut row = vec![
                        Cell::text(format!("{} {}{}", o.id, o.name, if o.mandatory { " (mandatory)" } else { "" })),
                        Cell::text(gap_of(&o.gap)),
                        Cell::numeric(Money::from_pence(o.cost_pence).to_string()),
                        Cell::numeric(format!("{:.1}", o.benefit)),
                    ];
                    row.extend(o.mean_scores.iter().map(|s| Cell::numeric(s.map(|v| format!("{v:.0}")).unwrap_or_else(|| "–".into()))));
                    row
                }).collect(),
            ))
        }
        @if let Some(ranking) = &workshop.ranking {
            h2 id="ranking" { "Ranking" }
            (Table::new(
                "Options by weighted score (mean of participants)",
                vec![Cell::numeric("Rank"), Cell::text("Option"), Cell::numeric("Weighted score")],
                ranking.ranking.iter().map(|r| vec![Cell::numeric(r.rank.to_string()), Cell::text(r.name.clone()), Cell::numeric(format!("{:.1}", r.score))]).collect(),
            ))
            @if let Some((criterion, change)) = &ranking.most_sensitive {
                (InsetText::text(format!("The top {} changes if the weight of {criterion} moves by {:.1} percentage points (its share of all the weight).", ranking.top_k, change * 100.0)))
            } @else {
                (InsetText::text(format!("No change of one criterion's weight alters the top {}.", ranking.top_k)))
            }
            (Table::new(
                "Weight sensitivity: the smallest change of each weight that alters the top of the ranking",
                vec![Cell::text("Criterion"), Cell::numeric("Weight"), Cell::numeric("Rise that alters it"), Cell::numeric("Fall that alters it"), Cell::text("Swap")],
                ranking.sensitivity.iter().map(|s| vec![
                    Cell::text(s.criterion.clone()),
                    Cell::numeric(percent(s.weight)),
                    Cell::numeric(s.increase.map(percent).unwrap_or_else(|| "none".into())),
                    Cell::numeric(s.decrease.map(percent).unwrap_or_else(|| "none".into())),
                    Cell::text(s.swap.as_ref().map(|(a, b)| format!("{a} and {b}")).unwrap_or_default()),
                ]).collect(),
            ))
            (Table::new(
                format!("Rank stability: share of {} draws with every weight moved up to ±{:.0}%", ranking.draws, ranking.perturbation * 100.0),
                {
                    let mut head = vec![Cell::text("Option")];
                    head.extend((1..=ranking.ranking.len()).map(|r| Cell::numeric(format!("Rank {r}"))));
                    head
                },
                ranking.ranking.iter().zip(&ranking.stability).map(|(r, shares)| {
                    let mut row = vec![Cell::text(r.name.clone())];
                    row.extend(shares.iter().map(|s| Cell::numeric(percent(*s))));
                    row
                }).collect(),
            ))
        }
        h2 id="portfolio" { "Portfolio within the budget" }
        @match &workshop.portfolio {
            Ok(portfolio) => {
                (summary(vec![
                    ("Chosen", html! { (portfolio.chosen.join(", ")) }),
                    ("Benefit", html! { (format!("{:.1}", portfolio.benefit)) " QALYs a year (greedy by benefit per pound: " (portfolio.greedy_benefit.map(|g| format!("{g:.1}")).unwrap_or_else(|| "infeasible".into())) ")" }),
                    ("Cost", html! { (Money::from_pence(spend)) " of " (Money::from_pence(workshop.budget_pence)) ", leaving " (Money::from_pence(portfolio.headroom_pence)) }),
                    ("Next pound", html! { (format!("{:.5}", portfolio.marginal_benefit_per_pound)) " QALYs (" (format!("{:.1}", portfolio.marginal_benefit_per_pound * 1_000_000.0)) " per £1m) at the margin" }),
                    ("Next to fund", html! { @if let Some(next) = &portfolio.next_candidate { (next.id) ", needing " (Money::from_pence(next.shortfall_pence)) " more" } @else { "Nothing else is worth funding" } }),
                    ("Proof", html! { "Optimal: " (thousands(portfolio.nodes as i64)) " branch-and-bound nodes" @if portfolio.core_candidates > 0 { ", and an exact programme over the " (portfolio.core_candidates) " candidates left open" } }),
                ]))
                (charts::portfolio(
                    "portfolio-chart",
                    "Options by cost and benefit: filled, chosen",
                    &workshop.options.iter().map(|o| (format!("{} {}", o.id, o.name), o.cost_pence, o.benefit, portfolio.chosen.contains(&o.id))).collect::<Vec<_>>(),
                ))
                (download_link(&format!("/plan/priorities/{id}/portfolio.csv"), "the options with the portfolio"))
            }
            Err(reason) => { p { "No portfolio: " (reason) } }
        }
        h2 id="decisions" { "Decisions" }
        @if workshop.decisions.is_empty() {
            p { "No decision has been recorded." }
        } @else {
            (Table::new(
                "Decisions, with the gap each answers",
                vec![Cell::text("Option"), Cell::text("Decision"), Cell::text("Rationale"), Cell::text("Gap"), Cell::text("Decided by"), Cell::text("Next")],
                workshop.decisions.iter().map(|d| vec![
                    Cell::text(format!("{} {}", d.option_id, d.option_name)),
                    Cell::text(d.decision.label()),
                    Cell::text(d.rationale.clone()),
                    Cell::text(gap_of(&d.gap)),
                    Cell::text(d.decided_by.clone()),
                    Cell::html(html! {
                        @if d.decision == PriorityDecision::Invest && manager(session) {
                            a href=(specification_link(&workshop.title, d, &gap_of(&d.gap))) { "Write its specification" }
                        }
                    }),
                ]).collect(),
            ))
        }
        @if score_allowed && !workshop.options.is_empty() {
            h2 id="score" { "Your scores" }
            p { "Score every option from 0 (worst) to 100 (best) on each criterion; on affordability, cheaper scores higher. Scoring again replaces your earlier scores." }
            form method="post" action={ "/plan/priorities/" (id) "/scores" } novalidate {
                (csrf(session))
                @for o in &workshop.options {
                    fieldset class="nhsuk-fieldset" {
                        legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (o.id) " " (o.name) }
                        div class="nhsuk-grid-row" {
                            @for (c, own) in workshop.criteria.iter().zip(&o.own_scores) {
                                @let key = format!("score-{}-{}", o.id, c.id);
                                div class="nhsuk-grid-column-one-third" {
                                    (Input { width: Some(3), error_message: error(&key), inputmode: Some("numeric".into()), ..Input::new(key.clone(), Label::text(c.name.clone())) }
                                        .with_value(pending.scores.get(&key).cloned().or_else(|| own.map(|v| format!("{v:.0}"))).unwrap_or_default()))
                                }
                            }
                        }
                    }
                }
                (Button::secondary("Save my scores"))
            }
        }
        @if manager(session) {
            h2 id="add-option" { "Add an option" }
            form method="post" action={ "/plan/priorities/" (id) "/options" } novalidate {
                (csrf(session))
                (Select {
                    error_message: error("gap"),
                    items: std::iter::once(SelectItem::new("", "No gap", selected_gap.is_empty()))
                        .chain(register.gaps.iter().map(|g| SelectItem::new(gap_key(g), format!("{}: {} ({})", g.kind.label(), g.title, g.area_name), gap_key(g) == selected_gap)))
                        .collect(),
                    id: None,
                    name: "gap".into(),
                    label: Label::text("Gap it answers"),
                    hint: None,
                })
                (Input { error_message: error("name"), ..Input::new("name", Label::text("Option")) }.with_value(option_name))
                div class="nhsuk-grid-row" {
                    div class="nhsuk-grid-column-one-third" {
                        (Input { hint: Some("Pounds a year; negative for a saving".into()), error_message: error("cost"), ..Input::new("cost", Label::text("Cost (£)")) }.with_value(pending.option.cost.clone()))
                    }
                    div class="nhsuk-grid-column-one-third" {
                        (Input { hint: Some("QALYs a year; negative if given up".into()), error_message: error("benefit"), ..Input::new("benefit", Label::text("Benefit")) }.with_value(pending.option.benefit.clone()))
                    }
                    div class="nhsuk-grid-column-one-third" {
                        (Input { hint: Some("Options sharing a group are alternatives".into()), error_message: error("group"), ..Input::new("group", Label::text("Group (optional)")) }.with_value(pending.option.group.clone()))
                    }
                }
                (Input { hint: Some("Option ids it needs, such as O01, O02".into()), error_message: error("requires"), ..Input::new("requires", Label::text("Requires (optional)")) }.with_value(pending.option.requires.clone()))
                div class="nhsuk-checkboxes__item" {
                    input class="nhsuk-checkboxes__input" id="mandatory" name="mandatory" type="checkbox" value="yes" checked[pending.option.mandatory == "yes"];
                    label class="nhsuk-label nhsuk-checkboxes__label" for="mandatory" { "Mandatory (a must-do, such as a national requirement)" }
                }
                (Button::secondary("Add option"))
            }
            @if !workshop.options.is_empty() {
                h2 id="decide" { "Record a decision" }
                form method="post" action={ "/plan/priorities/" (id) "/decisions" } novalidate {
                    (csrf(session))
                    (Select {
                        error_message: error("option"),
                        items: workshop.options.iter().map(|o| SelectItem::new(o.id.clone(), format!("{} {}", o.id, o.name), pending.decision.option == o.id)).collect(),
                        id: None,
                        name: "option".into(),
                        label: Label::text("Option to decide"),
                        hint: None,
                    })
                    (Select {
                        error_message: error("decision"),
                        items: PriorityDecision::ALL.iter().map(|d| SelectItem::new(d.code(), d.label(), pending.decision.decision == d.code())).collect(),
                        id: None,
                        name: "decision".into(),
                        label: Label::text("Decision"),
                        hint: None,
                    })
                    (Textarea { rows: Some(3), value: Some(pending.decision.rationale.clone()), error_message: error("rationale"), hint: Some("Why, with the evidence: the gap, the scores, the portfolio".into()), id: None, name: "rationale".into(), label: Label::text("Rationale") })
                    (Button::submit("Record decision"))
                }
            }
        }
    };
    Ok(layout::page_for(
        session,
        Section::Stage(Stage::Plan),
        &if errors.is_empty() { workshop.title.clone() } else { format!("Error: {}", workshop.title) },
        None,
        content,
    ))
}

/// A new specification prefilled with what an investment decision answers.
fn specification_link(workshop: &str, d: &app::priorities::DecisionView, gap: &str) -> String {
    let mut answers = vec![format!("Priority decision ({workshop}): invest in {} — {}", d.option_name, d.rationale)];
    if !d.gap.kind.is_empty() {
        answers.push(format!("Gap: {gap}"));
    }
    if !d.gap.need.is_empty() {
        answers.push(format!("Need: {}", d.gap.need));
    }
    format!(
        "/procure/specifications/new?title={}&answers={}",
        url_encode(&d.option_name),
        url_encode(&answers.join("\n"))
    )
}

/// The key a gap goes by in the forms.
pub(crate) fn gap_key(gap: &commissioning::plan::provision::Gap) -> String {
    GapRef {
        kind: gap.kind.code().to_owned(),
        need: gap.need.clone(),
        area_code: gap.area_code.clone(),
        service_code: gap.service_code.clone(),
    }
    .key()
}

pub(crate) async fn show(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<WorkshopQuery>,
) -> Result<Html<String>, Error> {
    workshop_page(&state, &session, id, query.gap.as_deref(), &Pending::default()).await
}

async fn failed(state: &AppState, session: &Session, id: i64, pending: Pending) -> Result<Response, Error> {
    let page = workshop_page(state, session, id, None, &pending).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub(crate) async fn add_option(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<OptionForm>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManagePriorities)?;
    let mut errors = Vec::new();
    let cost = pounds(&form.cost);
    if cost.is_none() {
        errors.push((
            "cost".to_owned(),
            "Enter the cost in pounds a year, like 120000 or -45000 for a saving".to_owned(),
        ));
    }
    let benefit = form.benefit.trim().parse::<f64>().ok().filter(|b| b.is_finite() && b.abs() <= 1e7);
    if benefit.is_none() {
        errors.push(("benefit".to_owned(), "Enter the benefit as a number of QALYs a year, like 6.5".to_owned()));
    }
    let gap = if form.gap.trim().is_empty() { None } else { GapRef::parse(form.gap.trim()) };
    if !form.gap.trim().is_empty() && gap.is_none() {
        errors.push(("gap".to_owned(), "Choose a gap from the register, or no gap".to_owned()));
    }
    if form.name.trim().is_empty() {
        errors.push(("name".to_owned(), "Enter the option's name".to_owned()));
    }
    if errors.is_empty() {
        let new = NewOption {
            name: form.name.clone(),
            gap,
            cost_pence: cost.unwrap_or_default(),
            benefit: benefit.unwrap_or_default(),
            mandatory: form.mandatory == "yes",
            group: form.group.clone(),
            requires: form.requires.split(',').map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned).collect(),
        };
        match state.app.add_workshop_option(&session.principal, id, &new).await {
            Ok(_) => return Ok(Redirect::to(&format!("/plan/priorities/{id}#options")).into_response()),
            Err(error) => errors = field_error(error)?,
        }
    }
    failed(&state, &session, id, Pending { option: form, errors, ..Pending::default() }).await
}

pub(crate) async fn scores(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ScorePriorities)?;
    // Fields are `score-{option}-{criterion}`; the use case checks each is of this workshop
    // and from 0 to 100 (text that is not a number reaches it as NaN, and is refused there).
    let scores: Vec<(String, String, f64)> = form
        .iter()
        .filter_map(|(key, text)| {
            let (option, criterion) = key.strip_prefix("score-")?.split_once('-')?;
            let text = text.trim();
            (!text.is_empty()).then(|| (option.to_owned(), criterion.to_owned(), text.parse().unwrap_or(f64::NAN)))
        })
        .collect();
    let errors = match state.app.enter_workshop_scores(&session.principal, id, &scores).await {
        Ok(_) => return Ok(Redirect::to(&format!("/plan/priorities/{id}#ranking")).into_response()),
        Err(error) => field_error(error)?,
    };
    failed(&state, &session, id, Pending { scores: form, errors, ..Pending::default() }).await
}

pub(crate) async fn decide_option(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, Error> {
    app::authorize(Some(&session.principal), &Action::ManagePriorities)?;
    let mut errors = Vec::new();
    let decision = PriorityDecision::parse(&form.decision);
    if decision.is_none() {
        errors.push(("decision".to_owned(), "Choose the decision".to_owned()));
    }
    if form.rationale.trim().is_empty() {
        errors.push(("rationale".to_owned(), "Enter the rationale for the decision".to_owned()));
    }
    if let (true, Some(decision)) = (errors.is_empty(), decision) {
        match state
            .app
            .decide_workshop_option(&session.principal, id, form.option.trim(), decision, &form.rationale)
            .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("/plan/priorities/{id}#decisions")).into_response()),
            Err(error) => errors = field_error(error)?,
        }
    }
    failed(&state, &session, id, Pending { decision: form, errors, ..Pending::default() }).await
}

/// The options with the portfolio, as CSV.
pub(crate) async fn portfolio_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    let workshop = state.app.workshop(&session.principal, id).await?;
    let chosen: Vec<String> = workshop.portfolio.as_ref().map(|p| p.chosen.clone()).unwrap_or_default();
    let rank = |option: &str| {
        workshop
            .ranking
            .as_ref()
            .and_then(|r| r.ranking.iter().find(|x| x.id == option).map(|x| (x.rank as f64, x.score)))
    };
    let table = DataTable {
        name: "portfolio",
        headers: vec![
            "option",
            "name",
            "gap_kind",
            "need",
            "area_code",
            "cost",
            "benefit",
            "mandatory",
            "group",
            "requires",
            "rank",
            "weighted_score",
            "chosen",
        ],
        rows: workshop
            .options
            .iter()
            .map(|o| {
                vec![
                    Datum::text(o.id.clone()),
                    Datum::text(o.name.clone()),
                    Datum::text(o.gap.kind.clone()),
                    Datum::text(o.gap.need.clone()),
                    Datum::text(o.gap.area_code.clone()),
                    Datum::text(Money::from_pence(o.cost_pence).to_pounds_string()),
                    Datum::Number(Some(o.benefit)),
                    Datum::text(if o.mandatory { "yes" } else { "no" }),
                    Datum::text(o.group.clone()),
                    Datum::text(o.requires.join(",")),
                    Datum::Number(rank(&o.id).map(|r| r.0)),
                    Datum::Number(rank(&o.id).map(|r| r.1)),
                    Datum::text(if chosen.contains(&o.id) { "yes" } else { "no" }),
                ]
            })
            .collect(),
    };
    Ok(csv_response(&format!("portfolio-{id}.csv"), &table))
}
