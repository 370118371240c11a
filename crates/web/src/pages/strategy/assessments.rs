//! Self-assessment pages: a framework's assessment of a year (the competencies, or the
//! commissioning or procurement checklist) with each item's level, evidence and action plan,
//! the gaps below target, the trend over the years assessed, and the form to score an item.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use app::accounts::Session;
use app::assessment::{AssessmentView, ScoreInput};
use commissioning::access::Stage;
use commissioning::period::FinancialYear;
use commissioning::strategy::assessment::{Framework, Movement};
use nhsuk::components::button::Button;
use nhsuk::components::error_summary::ErrorSummary;
use nhsuk::components::input::Input;
use nhsuk::components::label::Label;
use nhsuk::components::select::{Select, SelectItem};
use nhsuk::components::table::{Cell, Table};
use nhsuk::components::textarea::Textarea;

use super::{Errors, csrf, error_for, invalid, manager};
use crate::auth::SignedIn;
use crate::error::Error;
use crate::layout::{self, Section};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Which {
    framework: Option<String>,
    period: Option<String>,
}

fn movement(m: Movement) -> &'static str {
    match m {
        Movement::Improved => "Improved",
        Movement::Same => "No change",
        Movement::Declined => "Declined",
        Movement::New => "",
    }
}

fn page(session: &Session, view: &AssessmentView, form: &ScoreInput, errors: &Errors) -> Html<String> {
    let framework = view.framework;
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Self-assessment " (view.period) }
        h1 { (framework.label()) }
        nav aria-label="Assessments" {
            ul class="nhsuk-list app-inline-list" {
                @for f in Framework::ALL {
                    li { @if f == framework { strong { (f.label()) } } @else { a href={ "/strategy/assessments?framework=" (f.code()) } { (f.label()) } } }
                }
            }
        }
        @if view.periods.len() > 1 {
            p { "Years assessed: "
                @for (i, p) in view.periods.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={ "/strategy/assessments?framework=" (framework.code()) "&period=" (p) } { (p) }
                }
            }
        }
        (Table::new(
            "Items, levels and evidence",
            vec![Cell::text("Item"), Cell::text("Level"), Cell::text("Evidence"), Cell::text("Action plan")],
            view.items.iter().map(|item| vec![
                Cell::text(format!("{}. {}", item.number, item.name)),
                Cell::text(item.score.as_ref().map(|s| framework.level_label(s.level).to_owned()).unwrap_or_else(|| "Not scored".into())),
                Cell::html(html! {
                    @if let Some(score) = &item.score {
                        @for e in &score.evidence {
                            @if e.starts_with('/') { a href=(e) { (e) } br; } @else { (e) br; }
                        }
                    }
                }),
                Cell::text(item.score.as_ref().filter(|s| !s.action.is_empty()).map(|s| format!("{} ({}{})", s.action, s.owner, s.due.map(|d| format!(", by {d}")).unwrap_or_default())).unwrap_or_default()),
            ]).collect(),
        ))
        @if framework == Framework::Competencies {
            h2 id="assurance" { "Assurance from our plans" }
            @if view.assurance.is_empty() { p { "No plan objective is tagged with a competency yet." } } @else {
                p { "The plans' objectives tagged with each competency, with where each stands from monitoring." }
                (Table::new(
                    "Objectives behind each competency",
                    vec![Cell::text("Competency"), Cell::text("Objective"), Cell::text("Standing")],
                    view.assurance.iter().map(|a| vec![
                        Cell::text(framework.items().get(a.item).copied().unwrap_or_default()),
                        Cell::html(html! { a href={ "/strategy/plans/" (a.plan_id) "#objectives" } { (a.objective) } }),
                        Cell::html(super::standing_tag(a.standing)),
                    ]).collect(),
                ))
            }
        }
        h2 id="gaps" { "Gaps below the target" }
        p { "The target is " (framework.level_label(framework.target())) ". The organisational development plan takes these on." }
        @if view.gaps.is_empty() { p { "None: every item meets the target." } } @else {
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for g in &view.gaps {
                    li { (g.name) " — " (framework.level_label(g.level)) @if g.unplanned { strong { " (no action planned)" } } }
                }
            }
        }
        @if !view.periods.is_empty() {
            h2 id="trend" { "Trend" }
            (Table::new(
                "Levels year on year",
                std::iter::once(Cell::text("Item")).chain(view.periods.iter().map(|p| Cell::numeric(p.to_string()))).chain([Cell::text("Since last year")]).collect(),
                view.trend.iter().map(|t| {
                    std::iter::once(Cell::text(t.name))
                        .chain(t.levels.iter().map(|l| Cell::numeric(l.map(|v| v.to_string()).unwrap_or_else(|| "–".into()))))
                        .chain([Cell::text(movement(t.movement))])
                        .collect()
                }).chain(std::iter::once(
                    std::iter::once(Cell::text("Mean level"))
                        .chain(view.means.iter().map(|m| Cell::numeric(m.map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into()))))
                        .chain([Cell::text("")])
                        .collect()
                )).collect(),
            ))
        }
        @if manager(session) {
            h2 id="score" { "Score an item" }
            form method="post" action="/strategy/assessments" novalidate {
                (csrf(session))
                input type="hidden" name="framework" value=(framework.code());
                (Input { hint: Some("Such as 2025/26".into()), error_message: error_for(errors, "period").map(Into::into), ..Input::new("period", Label::text("Financial year")) }.with_value(form.period.clone()))
                (Select {
                    name: "item".into(),
                    label: Label::text("Item"),
                    error_message: error_for(errors, "item").map(Into::into),
                    items: framework.items().iter().enumerate().map(|(i, name)| SelectItem::new((i + 1).to_string(), format!("{}. {name}", i + 1), form.item == (i + 1).to_string())).collect(),
                    ..Default::default()
                })
                (Select {
                    name: "level".into(),
                    label: Label::text("Level"),
                    error_message: error_for(errors, "level").map(Into::into),
                    items: (0..=framework.max_level()).rev().map(|l| SelectItem::new(l.to_string(), framework.level_label(l), form.level == l.to_string())).collect(),
                    ..Default::default()
                })
                (Textarea { name: "evidence".into(), label: Label::text("Evidence"), hint: Some("Links or references, one a line".into()), rows: Some(3), value: Some(form.evidence.clone()), error_message: error_for(errors, "evidence").map(Into::into), ..Default::default() })
                (Textarea { name: "action".into(), label: Label::text("Action to reach the target"), rows: Some(2), value: Some(form.action.clone()), error_message: error_for(errors, "action").map(Into::into), ..Default::default() })
                (Input { error_message: error_for(errors, "owner").map(Into::into), ..Input::new("owner", Label::text("Owner")) }.with_value(form.owner.clone()))
                (Input { hint: Some("Such as 2026-03-31".into()), error_message: error_for(errors, "due").map(Into::into), ..Input::new("due", Label::text("Due by")) }.with_value(form.due.clone()))
                (Button::submit("Save the score"))
            }
        }
    };
    layout::page_for(session, Section::Stage(Stage::Strategy), framework.label(), None, content)
}

fn which(query: &Which) -> (Framework, Option<FinancialYear>) {
    let framework = query.framework.as_deref().and_then(Framework::parse).unwrap_or(Framework::Competencies);
    let period = query.period.as_deref().and_then(|p| FinancialYear::parse(p).ok());
    (framework, period)
}

pub(crate) async fn assessment(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(query): Query<Which>,
) -> Result<Html<String>, Error> {
    let (framework, period) = which(&query);
    let view = state.app.assessment(&session.principal, framework, period).await?;
    let form =
        ScoreInput { framework: framework.code().into(), period: view.period.to_string(), ..ScoreInput::default() };
    Ok(page(&session, &view, &form, &Vec::new()))
}

pub(crate) async fn score(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(form): Form<ScoreInput>,
) -> Result<Response, Error> {
    let errors = match state.app.score_assessment_item(&session.principal, &form).await {
        Ok(()) => {
            // Both parsed for the score to be saved, so both are safe in the address.
            let framework = Framework::parse(&form.framework).unwrap_or(Framework::Competencies);
            let period = FinancialYear::parse(form.period.trim()).map(|p| p.to_string()).unwrap_or_default();
            let to = format!("/strategy/assessments?framework={}&period={period}#score", framework.code());
            return Ok(Redirect::to(&to).into_response());
        }
        Err(error) => invalid(error, "level")?,
    };
    let framework = Framework::parse(&form.framework).unwrap_or(Framework::Competencies);
    let period = FinancialYear::parse(form.period.trim()).ok();
    let view = state.app.assessment(&session.principal, framework, period).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&session, &view, &form, &errors)).into_response())
}
