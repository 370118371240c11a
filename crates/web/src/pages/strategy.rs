//! Strategy: the partners in the commissioning cycle — the commissioner, local authorities
//! and the scrutiny committee that oversees service change — and the commissioner's plans:
//! each with its versions and board approvals, its objectives with live progress from
//! monitoring, and an operating plan's schedule reconciled with the contracts. Self-assessment,
//! engagement and the programmes' cycle views are in the modules below.

pub(crate) mod assessments;
pub(crate) mod engagement;
pub(crate) mod programmes;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};

use app::AppError;
use app::accounts::Session;
use app::strategy::{ApprovalInput, ObjectiveInput, PlanInput, PlanView};
use commissioning::access::{Action, Decision, Stage, decide};
use commissioning::org::OrgKind;
use commissioning::strategy::{PlanKind, Standing};
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
use crate::pages::organisations::display_name;
use crate::pages::{field_error, summary};
use crate::state::AppState;

pub(crate) type Errors = Vec<(String, String)>;

pub(crate) async fn strategy(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Html<String>, Error> {
    let mut partners = Vec::new();
    for kind in [OrgKind::Commissioner, OrgKind::LocalAuthority, OrgKind::ScrutinyCommittee] {
        partners.extend(state.app.organisations(&session.principal, Some(kind), None, None).await?);
    }
    let content = html! {
        h1 { "Strategy" }
        p class="nhsuk-lede-text" { "The organisations that set the direction of commissioning for the area and hold it to account." }
        (Table::new(
            "Partners",
            vec![Cell::text("Organisation"), Cell::text("Role in the cycle")],
            partners.iter().map(|org| vec![
                Cell::html(html! { a href={ "/organisations/" (org.code) } { (display_name(org)) } }),
                Cell::text(match org.kind {
                    OrgKind::Commissioner => "Plans and buys services for the population",
                    OrgKind::LocalAuthority => "Public health, social care and joint commissioning",
                    OrgKind::ScrutinyCommittee => "Scrutinises substantial changes to services",
                    _ => "",
                }),
            ]).collect(),
        ))
        h2 { "Plans and transparency" }
        ul class="nhsuk-list nhsuk-list--bullet" {
            li { a href="/strategy/plans" { "Our plans" } ": the strategy, the operating plan and the organisational development plan, with progress on each objective" }
            li { a href="/strategy/programmes" { "Commissioning programmes" } ": where each is in the cycle, with every artefact and its audit trail" }
            li { a href="/strategy/assessments" { "Self-assessment" } ": the World Class Commissioning competencies and the commissioning and procurement checklists, year on year" }
            li { a href="/strategy/consultations" { "Consultations" } " and the " a href="/strategy/stakeholders" { "stakeholder register" } }
            li { a href="/public/psr-summary" { "Provider Selection Regime annual summary" } ", from the decision log" }
            li { a href="/public" { "The public area" } ", as the public sees it" }
        }
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Strategy), "Strategy", None, content))
}

pub(crate) fn manager(session: &Session) -> bool {
    decide(Some(&session.principal), &Action::ManageStrategy) == Decision::Allow
}

pub(crate) fn csrf(session: &Session) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(session.csrf_token); }
}

pub(crate) fn invalid(error: AppError, fallback: &str) -> Result<Errors, Error> {
    match error {
        AppError::Invalid(message) => Ok(vec![field_error(&message, fallback)]),
        other => Err(other.into()),
    }
}

pub(crate) fn error_for<'a>(errors: &'a Errors, field: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
}

pub(crate) fn standing_tag(standing: Standing) -> Markup {
    let colour = match standing {
        Standing::Met => "nhsuk-tag--green",
        Standing::OnTrack => "nhsuk-tag--blue",
        Standing::OffTrack => "nhsuk-tag--red",
        Standing::NoData => "nhsuk-tag--grey",
    };
    html! { strong class={ "nhsuk-tag " (colour) } { (standing.label()) } }
}

fn list_page(session: &Session, plans: &[PlanView], form: &PlanInput, errors: &Errors) -> Html<String> {
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Strategy" }
        h1 { "Plans" }
        (Table::new(
            "Plans",
            vec![Cell::text("Plan"), Cell::text("Kind"), Cell::text("Years"), Cell::text("Approved"), Cell::text("Review due"), Cell::text("Objectives on track or met")],
            plans.iter().map(|p| {
                let good = p.objectives.iter().filter(|o| matches!(o.progress.standing, Standing::Met | Standing::OnTrack)).count();
                vec![
                    Cell::html(html! { a href={ "/strategy/plans/" (p.id) } { (p.title) } }),
                    Cell::text(p.kind.label()),
                    Cell::text(if p.first_year == p.last_year { p.first_year.to_string() } else { format!("{} to {}", p.first_year, p.last_year) }),
                    Cell::text(p.approved.map(|v| format!("Version {v}")).unwrap_or_else(|| "Draft".into())),
                    Cell::text(p.review_due.map(|d| d.to_string()).unwrap_or_default()),
                    Cell::text(format!("{good} of {}", p.objectives.len())),
                ]
            }).collect(),
        ))
        @if manager(session) {
            h2 { "Start a plan" }
            form method="post" action="/strategy/plans" novalidate {
                (csrf(session))
                (Select {
                    name: "kind".into(),
                    label: Label::text("Kind of plan"),
                    error_message: error_for(errors, "kind").map(Into::into),
                    items: PlanKind::ALL.iter().map(|k| SelectItem::new(k.code(), k.label(), form.kind == k.code())).collect(),
                    ..Default::default()
                })
                (Input { error_message: error_for(errors, "title").map(Into::into), ..Input::new("title", Label::text("Title")) }.with_value(form.title.clone()))
                (Input { hint: Some("Such as 2026/27".into()), error_message: error_for(errors, "first_year").map(Into::into), ..Input::new("first_year", Label::text("First financial year")) }.with_value(form.first_year.clone()))
                (Textarea { name: "summary".into(), label: Label::text("What the plan sets out"), rows: Some(3), value: Some(form.summary.clone()), error_message: error_for(errors, "summary").map(Into::into), ..Default::default() })
                (Button::submit("Start the plan"))
            }
        }
    };
    layout::page_for(session, Section::Stage(Stage::Strategy), "Plans", None, content)
}

pub(crate) async fn plans(State(state): State<AppState>, SignedIn(session): SignedIn) -> Result<Html<String>, Error> {
    let plans = state.app.plans(&session.principal).await?;
    Ok(list_page(&session, &plans, &PlanInput { first_year: "2026/27".into(), ..PlanInput::default() }, &Vec::new()))
}

pub(crate) async fn create_plan(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(form): Form<PlanInput>,
) -> Result<Response, Error> {
    let errors = match state.app.create_plan(&session.principal, &form).await {
        Ok(id) => return Ok(Redirect::to(&format!("/strategy/plans/{id}")).into_response()),
        Err(error) => invalid(error, "title")?,
    };
    let plans = state.app.plans(&session.principal).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, list_page(&session, &plans, &form, &errors)).into_response())
}

/// A new version of a plan, as its form gives it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct RevisionForm {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    changes: String,
}

/// What a plan page's forms hold: blank, or what was entered when one is refused; and the
/// consultations about the plan.
#[derive(Default)]
struct Forms {
    approval: ApprovalInput,
    objective: ObjectiveInput,
    revision: Option<RevisionForm>,
    engagement: Vec<app::engagement::ConsultationSummary>,
}

fn plan_page(session: &Session, plan: &PlanView, forms: &Forms, errors: &Errors) -> Html<String> {
    let (approval, objective) = (&forms.approval, &forms.objective);
    let latest_summary = plan.versions.last().map(|v| v.summary.clone()).unwrap_or_default();
    let revision = forms.revision.clone().unwrap_or(RevisionForm { summary: latest_summary, changes: String::new() });
    let manage = manager(session);
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { (plan.kind.label()) }
        h1 { (plan.title) }
        (summary(vec![
            ("Years", html! { @if plan.first_year == plan.last_year { (plan.first_year) } @else { (plan.first_year) " to " (plan.last_year) } }),
            ("Approved", html! { @match plan.approved { Some(v) => { "Version " (v) }, None => { "Not yet approved" } } }),
            ("Review due", html! { @match plan.review_due { Some(d) => { (d) }, None => { "Once approved" } } }),
        ]))
        h2 id="objectives" { "Objectives" }
        @if plan.objectives.is_empty() { p { "No objectives yet." } } @else {
            (Table::new(
                "Objectives and their progress from monitoring",
                vec![Cell::text("Objective"), Cell::text("Measure"), Cell::text("Baseline"), Cell::text("Latest"), Cell::text("Target"), Cell::text("Progress"), Cell::text("Standing")],
                plan.objectives.iter().map(|o| vec![
                    Cell::text(&o.title),
                    Cell::text(&o.measure_name),
                    Cell::text(format!("{}", o.trajectory.baseline)),
                    Cell::text(match (o.progress.latest, o.progress.measured_on) { (Some(v), Some(on)) => format!("{v} ({})", on.format("%b %Y")), _ => "None yet".into() }),
                    Cell::text(format!("{} by {}", o.trajectory.target, o.trajectory.due)),
                    Cell::text(match (o.progress.achieved, o.progress.expected) { (Some(a), Some(e)) => format!("{:.0}% of the way (expected {:.0}%)", a * 100.0, e * 100.0), _ => String::new() }),
                    Cell::html(standing_tag(o.progress.standing)),
                ]).collect(),
            ))
        }
        @if plan.kind == PlanKind::Operating {
            h2 id="schedule" { "Activity and financial schedule against the contracts" }
            @let differences: Vec<_> = plan.schedule.iter().filter(|l| !l.reconciles()).collect();
            p { (plan.schedule.len() - differences.len()) " of " (plan.schedule.len()) " lines agree with the contracts' indicative activity plans." }
            @if !differences.is_empty() {
                (Table::new(
                    "Differences from the contracts' plans",
                    vec![Cell::text("Provider"), Cell::text("Point of delivery"), Cell::numeric("Plan activity"), Cell::numeric("Contracts"), Cell::numeric("Plan value"), Cell::numeric("Contracts")],
                    differences.iter().map(|l| vec![
                        Cell::text(&l.provider_code),
                        Cell::text(&l.pod),
                        Cell::numeric(l.plan_activity.to_string()),
                        Cell::numeric(l.contract_activity.to_string()),
                        Cell::numeric(l.plan_value.to_string()),
                        Cell::numeric(l.contract_value.to_string()),
                    ]).collect(),
                ))
            }
        }
        @if plan.kind == PlanKind::Development {
            h2 id="gaps" { "Gaps from our self-assessment" }
            @if plan.development_gaps.is_empty() { p { "No item of the latest self-assessments is below its target." } } @else {
                p { "Each item of the latest " a href="/strategy/assessments" { "self-assessments" } " below its target, with the action this plan takes on." }
                (Table::new(
                    "Development gaps",
                    vec![Cell::text("Assessment"), Cell::text("Item"), Cell::numeric("Level"), Cell::numeric("Target"), Cell::text("Action"), Cell::text("Owner and due")],
                    plan.development_gaps.iter().map(|g| vec![
                        Cell::text(g.framework.label()),
                        Cell::text(g.name),
                        Cell::numeric(g.level.to_string()),
                        Cell::numeric(g.target.to_string()),
                        Cell::text(if g.unplanned { "No action planned yet".to_owned() } else { g.action.clone() }),
                        Cell::text(format!("{}{}", g.owner, g.due.map(|d| format!(", by {d}")).unwrap_or_default())),
                    ]).collect(),
                ))
            }
        }
        h2 id="engagement" { "Engagement record" }
        @if forms.engagement.is_empty() { p { "No consultation has been recorded about this plan." } } @else {
            (engagement::consultations_table("Consultations about this plan", &forms.engagement))
        }
        h2 id="versions" { "Versions" }
        (Table::new(
            "Versions and approvals",
            vec![Cell::text("Version"), Cell::text("What changed"), Cell::text("Drafted by"), Cell::text("Board approval")],
            plan.versions.iter().map(|v| vec![
                Cell::text(v.version.to_string()),
                Cell::text(&v.changes),
                Cell::text(&v.drafted_by),
                Cell::text(match &v.approval { Some(a) => format!("{} on {} (minute {})", a.board, a.approved_on, a.minute), None => "Not approved".into() }),
            ]).collect(),
        ))
        @if manage {
            h3 { "Draft a new version" }
            form method="post" action={ "/strategy/plans/" (plan.id) "/versions" } novalidate {
                (csrf(session))
                (Textarea { name: "summary".into(), label: Label::text("What the plan sets out"), rows: Some(3), value: Some(revision.summary.clone()), error_message: error_for(errors, "summary").map(Into::into), ..Default::default() })
                (Textarea { name: "changes".into(), label: Label::text("What changed from the version before"), rows: Some(2), value: Some(revision.changes.clone()), error_message: error_for(errors, "changes").map(Into::into), ..Default::default() })
                (Button::submit("Draft the version"))
            }
            h3 { "Record the board's approval" }
            form method="post" action={ "/strategy/plans/" (plan.id) "/approval" } novalidate {
                (csrf(session))
                (Select {
                    name: "version".into(),
                    label: Label::text("Version approved"),
                    error_message: error_for(errors, "version").map(Into::into),
                    items: plan.versions.iter().rev().map(|v| SelectItem::new(v.version.to_string(), format!("Version {}", v.version), approval.version == v.version.to_string())).collect(),
                    ..Default::default()
                })
                (Input { error_message: error_for(errors, "board").map(Into::into), ..Input::new("board", Label::text("Board or committee")) }.with_value(approval.board.clone()))
                (Input { hint: Some("Such as 2026-03-26".into()), error_message: error_for(errors, "approved_on").map(Into::into), ..Input::new("approved_on", Label::text("Date approved")) }.with_value(approval.approved_on.clone()))
                (Input { error_message: error_for(errors, "minute").map(Into::into), ..Input::new("minute", Label::text("Minute reference")) }.with_value(approval.minute.clone()))
                (Button::submit("Record the approval"))
            }
            h3 { "Add an objective" }
            form method="post" action={ "/strategy/plans/" (plan.id) "/objectives" } novalidate {
                (csrf(session))
                (Input { error_message: error_for(errors, "title").map(Into::into), ..Input::new("title", Label::text("Objective")) }.with_value(objective.title.clone()))
                (Input { hint: Some("kpi:CONTRACT:CODE, such as kpi:Q99-R9A-2024:AE4, or standard:METRIC:ORG".into()), error_message: error_for(errors, "measure").map(Into::into), ..Input::new("measure", Label::text("Measure")) }.with_value(objective.measure.clone()))
                (Input { error_message: error_for(errors, "baseline").map(Into::into), ..Input::new("baseline", Label::text("Baseline")) }.with_value(objective.baseline.clone()))
                (Input { error_message: error_for(errors, "target").map(Into::into), ..Input::new("target", Label::text("Target")) }.with_value(objective.target.clone()))
                (Select {
                    name: "better".into(),
                    label: Label::text("Which way is better"),
                    error_message: error_for(errors, "better").map(Into::into),
                    items: vec![SelectItem::new("higher", "Higher", objective.better != "lower"), SelectItem::new("lower", "Lower", objective.better == "lower")],
                    ..Default::default()
                })
                (Input { hint: Some("Such as 2026-04-01".into()), error_message: error_for(errors, "starts").map(Into::into), ..Input::new("starts", Label::text("Measured from")) }.with_value(objective.starts.clone()))
                (Input { hint: Some("Such as 2027-03-31".into()), error_message: error_for(errors, "due").map(Into::into), ..Input::new("due", Label::text("Target due by")) }.with_value(objective.due.clone()))
                (Input { hint: Some("Contract ids, separated by commas".into()), ..Input::new("contracts", Label::text("Contracts it depends on")) }.with_value(objective.contracts.clone()))
                (Input { hint: Some("Needs-assessment indicator ids, separated by commas".into()), ..Input::new("needs", Label::text("Needs it answers")) }.with_value(objective.needs.clone()))
                (Input { hint: Some("World Class Commissioning competencies it develops, numbered 1 to 11, separated by commas".into()), error_message: error_for(errors, "competencies").map(Into::into), ..Input::new("competencies", Label::text("Competencies")) }.with_value(objective.competencies.clone()))
                (Button::submit("Add the objective"))
            }
        }
        p { a href="/strategy/plans" { "All plans" } }
    };
    layout::page_for(session, Section::Stage(Stage::Strategy), &plan.title, None, content)
}

pub(crate) async fn plan(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    let plan = state.app.plan(&session.principal, id).await?;
    let engagement = state.app.engagement_record(&session.principal, &format!("plan:{id}")).await?;
    let objective = ObjectiveInput { better: "higher".into(), ..ObjectiveInput::default() };
    Ok(plan_page(&session, &plan, &Forms { objective, engagement, ..Forms::default() }, &Vec::new()))
}

pub(crate) async fn approve(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<ApprovalInput>,
) -> Result<Response, Error> {
    let errors = match state.app.approve_plan(&session.principal, id, &form).await {
        Ok(()) => return Ok(Redirect::to(&format!("/strategy/plans/{id}#versions")).into_response()),
        Err(error) => invalid(error, "board")?,
    };
    let plan = state.app.plan(&session.principal, id).await?;
    let engagement = state.app.engagement_record(&session.principal, &format!("plan:{id}")).await?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        plan_page(&session, &plan, &Forms { approval: form, engagement, ..Forms::default() }, &errors),
    )
        .into_response())
}

pub(crate) async fn add_objective(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<ObjectiveInput>,
) -> Result<Response, Error> {
    let errors = match state.app.add_objective(&session.principal, id, &form).await {
        Ok(_) => return Ok(Redirect::to(&format!("/strategy/plans/{id}#objectives")).into_response()),
        Err(error) => invalid(error, "title")?,
    };
    let plan = state.app.plan(&session.principal, id).await?;
    let engagement = state.app.engagement_record(&session.principal, &format!("plan:{id}")).await?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        plan_page(&session, &plan, &Forms { objective: form, engagement, ..Forms::default() }, &errors),
    )
        .into_response())
}

pub(crate) async fn revise(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<RevisionForm>,
) -> Result<Response, Error> {
    let errors = match state.app.revise_plan(&session.principal, id, &form.summary, &form.changes).await {
        Ok(_) => return Ok(Redirect::to(&format!("/strategy/plans/{id}#versions")).into_response()),
        Err(error) => invalid(error, "changes")?,
    };
    let plan = state.app.plan(&session.principal, id).await?;
    let engagement = state.app.engagement_record(&session.principal, &format!("plan:{id}")).await?;
    let forms = Forms { revision: Some(form), engagement, ..Forms::default() };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, plan_page(&session, &plan, &forms, &errors)).into_response())
}
