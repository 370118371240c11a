//! Monitor: activity against plan. An overview of every provider, each provider's dashboard
//! (plan against actual with RAG, outturn forecasts, submissions), challenges the provider
//! answers, and activity queries the commissioner raises and takes through SC29.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, Render, html};
use serde::Deserialize;

use app::accounts::Session;
use app::monitor::{LineMonitoring, ProviderMonitoring};
use commissioning::access::{Action, Decision, Stage, decide};
use commissioning::money::Money;
use commissioning::monitor::{QueryEvent, QueryStatus, Rag};
use commissioning::org::OdsCode;
use commissioning::service::PointOfDelivery;
use nhsuk::components::breadcrumb::Breadcrumb;
use nhsuk::components::button::Button;
use nhsuk::components::error_summary::ErrorSummary;
use nhsuk::components::input::Input;
use nhsuk::components::label::Label;
use nhsuk::components::select::{Select, SelectItem};
use nhsuk::components::table::{Cell, Table};
use nhsuk::components::tag::Tag;
use nhsuk::components::textarea::Textarea;

use crate::auth::SignedIn;
use crate::charts;
use crate::error::Error;
use crate::format::thousands;
use crate::layout::{self, Section};
use crate::pages::admin::when;
use crate::pages::organisations::display_name;
use crate::pages::{csv_download, download_link, summary};
use crate::state::AppState;

fn money(pence: i64) -> String {
    Money::from_pence(pence).to_string()
}

/// Basis points as a signed percentage: 1250 → `+12.5%`.
fn percent_bp(bp: i64) -> String {
    format!("{}{:.1}%", if bp > 0 { "+" } else { "" }, bp as f64 / 100.0)
}

fn rag_tag(rag: Option<Rag>) -> Markup {
    match rag {
        Some(Rag::Green) => Tag::new(Rag::Green.label(), Some("green")).render(),
        Some(Rag::Amber) => Tag::new(Rag::Amber.label(), Some("orange")).render(),
        Some(Rag::Red) => Tag::new(Rag::Red.label(), Some("red")).render(),
        None => Tag::new("No plan", Some("grey")).render(),
    }
}

fn provider_code(code: &str) -> Result<OdsCode, Error> {
    OdsCode::parse(code).map_err(|_| Error::NotFound)
}

pub(crate) async fn monitor(State(state): State<AppState>, SignedIn(session): SignedIn) -> Result<Html<String>, Error> {
    let overview = state.app.monitoring_overview(&session.principal).await?;
    let content = html! {
        h1 { "Monitor" }
        p class="nhsuk-lede-text" { "Activity and money against plan, year to date, for each provider." }
        p { a href="/monitor/performance" { "Performance against national standards (A&E 4 hours, referral to treatment), as SPC charts" } }
        @if overview.is_empty() {
            p { "No activity has been submitted yet." }
        } @else {
            (Table::new(
                "Providers: value of activity against plan, year to date",
                vec![Cell::text("Provider"), Cell::numeric("Months"), Cell::numeric("Actual"), Cell::numeric("Plan"), Cell::numeric("Variance"), Cell::text("Position"), Cell::numeric("Open challenges")],
                overview.iter().map(|m| {
                    let open: i64 = m.challenge_counts.iter().filter(|(_, status, _)| status == "open").map(|(_, _, n)| n).sum();
                    vec![
                        Cell::html(html! { a href={ "/monitor/providers/" (m.provider.code) } { (display_name(&m.provider)) } }),
                        Cell::numeric(m.months_elapsed.to_string()),
                        Cell::numeric(money(m.total.ytd.actual_value_pence)),
                        Cell::numeric(money(m.total.ytd.plan_value_pence)),
                        Cell::numeric(m.total.variance_bp.map(percent_bp).unwrap_or_else(|| "–".into())),
                        Cell::html(rag_tag(m.total.rag)),
                        Cell::numeric(thousands(open)),
                    ]
                }).collect(),
            ))
        }
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Monitor), "Monitor", None, content))
}

fn line_label(line: &LineMonitoring) -> String {
    line.pod.map(|p| format!("{} ({})", p.label(), p.code())).unwrap_or_else(|| "All activity".into())
}

pub(crate) async fn provider(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
) -> Result<Html<String>, Error> {
    let provider = provider_code(&code)?;
    let monitoring = state.app.provider_monitoring(&session.principal, &provider).await?;
    render_provider(&session, &monitoring, &[])
}

fn render_provider(
    session: &Session,
    m: &ProviderMonitoring,
    errors: &[(String, String)],
) -> Result<Html<String>, Error> {
    let labels: Vec<String> = m.year.months().iter().map(|month| month.first_day().format("%b").to_string()).collect();
    let elapsed = m.months_elapsed;
    let plan: Vec<i64> = m.total.months.iter().map(|f| f.plan_value_pence).collect();
    let actual: Vec<Option<i64>> =
        m.total.months.iter().enumerate().map(|(i, f)| (i < elapsed).then_some(f.actual_value_pence)).collect();
    let mut cumulative_plan = [0i64; 12];
    let mut running = 0;
    for (i, f) in m.total.months.iter().enumerate() {
        running += f.plan_value_pence;
        cumulative_plan[i] = running;
    }
    let cumulative_actual: Vec<i64> = m
        .total
        .months
        .iter()
        .take(elapsed)
        .scan(0i64, |sum, f| {
            *sum += f.actual_value_pence;
            Some(*sum)
        })
        .collect();
    let (low, high) = m.total.forecast_value.range();
    let pounds_short = |pence: i64| format!("£{}", thousands(pence / 100));
    let manages =
        decide(Some(&session.principal), &Action::ManageMonitoringOf(m.provider.code.clone())) == Decision::Allow;
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, msg)| msg.as_str());
    let open_challenges: i64 = m.challenge_counts.iter().filter(|(_, s, _)| s == "open").map(|(_, _, n)| n).sum();
    let name = display_name(&m.provider);
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Monitor " (m.year) }
        h1 { (name) }
        (summary(vec![
            ("Months submitted", html! { (elapsed) " of 12" }),
            ("Value to date", html! { (money(m.total.ytd.actual_value_pence)) " against a plan of " (money(m.total.ytd.plan_value_pence)) }),
            ("Variance", html! { (m.total.variance_bp.map(percent_bp).unwrap_or_else(|| "–".into())) " " (rag_tag(m.total.rag)) }),
            ("Year-end forecast", html! {
                (money(m.total.forecast_value.run_rate)) " at run rate"
                @if let Some(v) = m.total.forecast_value.plan_adjusted { ", " (money(v)) " adjusted to plan" }
                @if let Some(v) = m.total.forecast_value.seasonal { ", " (money(v)) " seasonal" }
                "; plan for the year " (money(m.total.plan_total.plan_value_pence))
            }),
            ("Challenges", html! { a href={ "/monitor/providers/" (m.provider.code) "/challenges" } { (thousands(open_challenges)) " open" } }),
        ]))
        h2 { "Plan against actual" }
        (charts::plan_vs_actual("plan-actual", &format!("Value of activity by month, {}", m.year), &labels, &plan, &actual, &pounds_short))
        (charts::forecast_fan("forecast", &format!("Cumulative value and year-end forecasts, {}", m.year), &cumulative_actual, &cumulative_plan, low, high, &pounds_short))
        (download_link(&format!("/monitor/providers/{}/plan-vs-actual.csv", m.provider.code), "plan against actual by month"))
        (Table::new(
            "Year to date by point of delivery",
            vec![Cell::text("Point of delivery"), Cell::numeric("Activity"), Cell::numeric("Plan"), Cell::numeric("Value"), Cell::numeric("Plan value"),
                Cell::numeric("Variance"), Cell::text("Position"), Cell::numeric("Tolerance"), Cell::numeric("Forecast (run rate)")],
            m.lines.iter().chain(std::iter::once(&m.total)).map(|line| vec![
                Cell::text(line_label(line)),
                Cell::numeric(thousands(line.ytd.actual_activity)),
                Cell::numeric(thousands(line.ytd.plan_activity)),
                Cell::numeric(money(line.ytd.actual_value_pence)),
                Cell::numeric(money(line.ytd.plan_value_pence)),
                Cell::numeric(line.variance_bp.map(percent_bp).unwrap_or_else(|| "–".into())),
                Cell::html(rag_tag(line.rag)),
                Cell::numeric(format!("−{:.1}% / +{:.1}%", line.tolerance.lower_bp as f64 / 100.0, line.tolerance.upper_bp as f64 / 100.0)),
                Cell::numeric(money(line.forecast_value.run_rate)),
            ]).collect(),
        ))
        h2 { "Activity queries" }
        @if m.queries.is_empty() {
            p { "No activity queries have been raised." }
        } @else {
            (Table::new(
                "Activity queries",
                vec![Cell::text("Point of delivery"), Cell::text("Notice served"), Cell::text("Meeting due"), Cell::text("Owner"), Cell::text("Status")],
                m.queries.iter().map(|q| vec![
                    Cell::html(html! { a href={ "/monitor/queries/" (q.id) } { (q.pod) " query " (q.id) } }),
                    Cell::text(q.notice_date.clone()),
                    Cell::text(q.meeting_due.clone()),
                    Cell::text(q.owner.clone()),
                    Cell::text(QueryStatus::parse(&q.status).map(|s| s.label()).unwrap_or("Unknown")),
                ]).collect(),
            ))
        }
        @if manages {
            h3 { "Raise an activity query" }
            form method="post" action={ "/monitor/providers/" (m.provider.code) "/queries" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Select {
                    name: "pod".into(),
                    label: Label::text("Point of delivery"),
                    items: m.lines.iter().filter_map(|l| l.pod).map(|p| SelectItem::new(p.code(), format!("{} {}", p.label(), l_variance(m, p)), false)).collect(),
                    error_message: error_for("pod").map(Into::into),
                    ..Default::default()
                })
                (Input::new("owner", Label::text("Owner")).with_hint("Who will take the query forward").with_error(error_for("owner")))
                (Textarea { name: "notes".into(), label: Label::text("Reason for the query"), rows: Some(3), ..Default::default() })
                (Button::secondary("Serve activity query notice"))
            }
        }
        h2 { "Submissions" }
        (Table::new(
            "Submissions, newest first",
            vec![Cell::text("Month"), Cell::numeric("Rows"), Cell::numeric("Valid"), Cell::numeric("Challenged"), Cell::numeric("Value"), Cell::text("Submitted"), Cell::text("Status")],
            m.submissions.iter().take(40).map(|s| vec![
                Cell::text(s.month.clone()),
                Cell::numeric(thousands(s.n_rows)),
                Cell::numeric(thousands(s.n_valid)),
                Cell::numeric(thousands(s.n_challenged)),
                Cell::numeric(money(s.value_pence)),
                Cell::text(format!("{} by {}", when(s.submitted_at), s.submitted_by)),
                Cell::html(if s.superseded_at.is_some() { Tag::new("Replaced", Some("grey")).render() } else { Tag::new("Current", Some("green")).render() }),
            ]).collect(),
        ))
    };
    let breadcrumb = Breadcrumb::new(&[("/monitor", "Monitor")]);
    Ok(layout::page_for(session, Section::Stage(Stage::Monitor), &name, Some(breadcrumb.render()), content))
}

fn l_variance(m: &ProviderMonitoring, pod: PointOfDelivery) -> String {
    m.lines
        .iter()
        .find(|l| l.pod == Some(pod))
        .and_then(|l| l.variance_bp)
        .map(|v| format!("({})", percent_bp(v)))
        .unwrap_or_default()
}

pub(crate) async fn plan_vs_actual_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
) -> Result<Response, Error> {
    let provider = provider_code(&code)?;
    let m = state.app.provider_monitoring(&session.principal, &provider).await?;
    let mut rows = Vec::new();
    for line in m.lines.iter().chain(std::iter::once(&m.total)) {
        for (month, figures) in m.year.months().iter().zip(line.months.iter()) {
            rows.push(vec![
                provider.to_string(),
                line.pod.map(|p| p.code().to_owned()).unwrap_or_else(|| "ALL".into()),
                month.to_string(),
                figures.plan_activity.to_string(),
                figures.actual_activity.to_string(),
                Money::from_pence(figures.plan_value_pence).to_pounds_string(),
                Money::from_pence(figures.actual_value_pence).to_pounds_string(),
            ]);
        }
    }
    Ok(csv_download(
        &format!("plan-vs-actual-{provider}-{}.csv", m.year.start_year()),
        &["provider_code", "pod", "month", "plan_activity", "actual_activity", "plan_value", "actual_value"],
        rows,
    ))
}

pub(crate) async fn challenges(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
) -> Result<Html<String>, Error> {
    let provider = provider_code(&code)?;
    let challenges = state.app.challenges(&session.principal, &provider, 2_000).await?;
    let content = html! {
        span class="nhsuk-caption-l" { "Monitor" }
        h1 { "Challenges to " (provider) "'s activity" }
        p { "Lines of the current submissions that could not be validated. The provider accepts each one (it will be corrected or not paid) or disputes it with a reason. Showing at most 2,000." }
        (Table::new(
            "Challenged lines",
            vec![Cell::text("Month"), Cell::numeric("Line"), Cell::text("Record"), Cell::text("Reason"), Cell::text("Status")],
            challenges.iter().map(|c| vec![
                Cell::text(c.month.clone()),
                Cell::numeric(c.line.to_string()),
                Cell::html(html! { a href={ "/monitor/challenges/" (c.id) } { (if c.record_id.is_empty() { "(no record id)" } else { c.record_id.as_str() }) } }),
                Cell::text(c.reason.replace('_', " ")),
                Cell::text(c.status.clone()),
            ]).collect(),
        ))
    };
    let breadcrumb =
        Breadcrumb::new(&[("/monitor", "Monitor"), (&format!("/monitor/providers/{provider}"), provider.as_str())]);
    Ok(layout::page_for(&session, Section::Stage(Stage::Monitor), "Challenges", Some(breadcrumb.render()), content))
}

pub(crate) async fn challenge(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    render_challenge(&state, &session, id, &[]).await
}

async fn render_challenge(
    state: &AppState,
    session: &Session,
    id: i64,
    errors: &[(String, String)],
) -> Result<Html<String>, Error> {
    let record = state.app.challenge(&session.principal, id).await?;
    let may_respond = decide(Some(&session.principal), &Action::SubmitFor(record.provider.clone())) == Decision::Allow;
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, msg)| msg.as_str());
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Challenge " (record.id) }
        h1 { "Line " (record.line) " of " (record.provider) "'s " (record.month) " submission" }
        (summary(vec![
            ("Record", html! { (record.record_id) }),
            ("Reason", html! { (record.reason.replace('_', " ")) }),
            ("Status", html! { (record.status) }),
            ("Response", html! { (record.response.clone().unwrap_or_else(|| "–".into())) }),
        ]))
        @if may_respond && record.status == "open" {
            form method="post" action={ "/monitor/challenges/" (record.id) "/respond" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Select {
                    name: "answer".into(),
                    label: Label::text("Your answer"),
                    items: vec![SelectItem::new("accept", "Accept the challenge", true), SelectItem::new("dispute", "Dispute the challenge", false)],
                    ..Default::default()
                })
                (Textarea { name: "response".into(), label: Label::text("Comments"), hint: Some("Needed if you dispute the challenge".into()), rows: Some(3), error_message: error_for("response").map(Into::into), ..Default::default() })
                (Button::submit("Send answer"))
            }
        }
    };
    Ok(layout::page_for(session, Section::Stage(Stage::Monitor), &format!("Challenge {id}"), None, content))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    response: String,
}

pub(crate) async fn respond(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, Error> {
    match state.app.respond_to_challenge(&session.principal, id, form.answer != "dispute", &form.response).await {
        Ok(record) => Ok(Redirect::to(&format!("/monitor/providers/{}/challenges", record.provider)).into_response()),
        Err(app::AppError::Invalid(message)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render_challenge(&state, &session, id, &[("response".into(), message)]).await?,
        )
            .into_response()),
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RaiseForm {
    #[serde(default)]
    pod: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    notes: String,
}

pub(crate) async fn raise_query(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
    Form(form): Form<RaiseForm>,
) -> Result<Response, Error> {
    let provider = provider_code(&code)?;
    state.app.check_may_manage_monitoring(&session.principal, &provider).await?;
    let mut errors = Vec::new();
    let pod = PointOfDelivery::parse(&form.pod);
    if pod.is_err() {
        errors.push(("pod".to_owned(), "Select the point of delivery the query is about".to_owned()));
    }
    if let (true, Ok(pod)) = (errors.is_empty(), pod) {
        let today = chrono::Utc::now().date_naive();
        match state.app.raise_query(&session.principal, &provider, pod, &form.owner, &form.notes, today).await {
            Ok(id) => return Ok(Redirect::to(&format!("/monitor/queries/{id}")).into_response()),
            Err(app::AppError::Invalid(message)) => errors.push(("owner".to_owned(), message)),
            Err(error) => return Err(error.into()),
        }
    }
    let monitoring = state.app.provider_monitoring(&session.principal, &provider).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_provider(&session, &monitoring, &errors)?).into_response())
}

pub(crate) async fn query(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    render_query(&state, &session, id, &[]).await
}

async fn render_query(
    state: &AppState,
    session: &Session,
    id: i64,
    errors: &[(String, String)],
) -> Result<Html<String>, Error> {
    let record = state.app.query(&session.principal, id).await?;
    let status = QueryStatus::parse(&record.status).unwrap_or(QueryStatus::Closed);
    let manages =
        decide(Some(&session.principal), &Action::ManageMonitoringOf(record.provider.clone())) == Decision::Allow;
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, msg)| msg.as_str());
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Activity query " (record.id) }
        h1 { (record.provider) ": " (record.pod) " activity" }
        (summary(vec![
            ("Status", html! { (status.label()) }),
            ("Variance when raised", html! { (record.variance_bp.map(percent_bp).unwrap_or_else(|| "–".into())) " (to " (record.month) ")" }),
            ("Notice served", html! { (record.notice_date) }),
            ("Meeting due", html! { (record.meeting_due) " (10 operational days after the notice)" }),
            ("Meeting held", html! { (record.meeting_date.clone().unwrap_or_else(|| "Not yet".into())) }),
            ("Owner", html! { (record.owner) }),
            ("Notes", html! { @for line in record.notes.lines() { (line) br; } }),
        ]))
        @if manages && !status.next_events().is_empty() {
            h2 { "Next step" }
            form method="post" action={ "/monitor/queries/" (record.id) "/events" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Select {
                    name: "event".into(),
                    label: Label::text("What happened"),
                    items: status.next_events().into_iter().map(|e| SelectItem::new(e.code(), capitalise(e.label()), false)).collect(),
                    ..Default::default()
                })
                (Input { input_type: Some("date".into()), ..Input::new("meeting_date", Label::text("Date of the meeting")) }
                    .with_hint("Needed when you record the meeting").with_error(error_for("meeting_date")))
                (Textarea { name: "note".into(), label: Label::text("Note"), rows: Some(3), ..Default::default() })
                (Button::submit("Save"))
            }
        }
    };
    let breadcrumb = Breadcrumb::new(&[
        ("/monitor", "Monitor"),
        (&format!("/monitor/providers/{}", record.provider), record.provider.as_str()),
    ]);
    Ok(layout::page_for(
        session,
        Section::Stage(Stage::Monitor),
        &format!("Activity query {id}"),
        Some(breadcrumb.render()),
        content,
    ))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct EventForm {
    #[serde(default)]
    event: String,
    #[serde(default)]
    meeting_date: String,
    #[serde(default)]
    note: String,
}

pub(crate) async fn query_event(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<EventForm>,
) -> Result<Response, Error> {
    state.app.check_may_manage_query(&session.principal, id).await?;
    let event = QueryEvent::parse(&form.event)
        .ok_or_else(|| Error::BadRequest(format!("'{}' is not a step of an activity query", form.event)))?;
    let meeting = if form.meeting_date.trim().is_empty() {
        None
    } else {
        match commissioning::period::parse_date(&form.meeting_date) {
            Ok(date) => Some(date),
            Err(_) => {
                let errors = [("meeting_date".to_owned(), "Enter the date of the meeting like 2025-06-12".to_owned())];
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render_query(&state, &session, id, &errors).await?)
                    .into_response());
            }
        }
    };
    match state.app.advance_query(&session.principal, id, event, meeting, &form.note).await {
        Ok(_) => Ok(Redirect::to(&format!("/monitor/queries/{id}")).into_response()),
        Err(app::AppError::Invalid(message)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render_query(&state, &session, id, &[("meeting_date".into(), message)]).await?,
        )
            .into_response()),
        Err(error) => Err(error.into()),
    }
}
