//! Procure: the contract register (value, term, deadlines) and a contract's page with its
//! alerts and the payment statement of a chosen month.

use axum::extract::{FromRequest, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use app::Actor;
use commissioning::access::{Action, Decision, Stage, decide};
use commissioning::monitor::bp_percent;
use commissioning::period::YearMonth;
use commissioning::procure::contract::{Alert, AlertKind, Mechanism};
use nhsuk::components::button::Button;
use nhsuk::components::error_summary::ErrorSummary;
use nhsuk::components::input::Input;
use nhsuk::components::inset_text::InsetText;
use nhsuk::components::label::Label;
use nhsuk::components::select::{Select, SelectItem};
use nhsuk::components::table::{Cell, Table};

use app::accounts::Session;

use crate::auth::SignedIn;
use crate::error::Error;
use crate::layout::{self, Section};
use crate::pages::summary;
use crate::state::AppState;

pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// An alert as a tag: red when missed, orange within a quarter, yellow otherwise.
pub(crate) fn alert_tag(alert: &Alert) -> Markup {
    let colour = if alert.days_left < 0 {
        "red"
    } else if alert.days_left <= 91 {
        "orange"
    } else {
        "yellow"
    };
    let what = match alert.kind {
        AlertKind::NoticeDeadline => "Notice deadline",
        AlertKind::Expiry => "Expiry",
    };
    html! { strong class={ "nhsuk-tag nhsuk-tag--" (colour) } { (what) } " " (alert.message) }
}

/// Filters of the register, as typed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RegisterQuery {
    provider: Option<String>,
    mechanism: Option<String>,
    ends_before: Option<String>,
}

pub(crate) async fn register(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(query): Query<RegisterQuery>,
) -> Result<Html<String>, Error> {
    let today = today();
    let all = state.app.contracts(&Actor::User(session.principal.clone()), today).await?;
    let text = |value: &Option<String>| value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let (provider, mechanism) = (text(&query.provider), text(&query.mechanism));
    let ends_before_text = text(&query.ends_before);
    let ends_before = ends_before_text.as_deref().map(commissioning::period::parse_date);
    let date_error = matches!(ends_before, Some(Err(_))).then(|| "Enter a date like 2027-03-31".to_owned());
    let ends_before = ends_before.and_then(Result::ok);
    let register: Vec<&app::contracts::ContractView> = all
        .iter()
        .filter(|view| provider.as_deref().is_none_or(|p| view.contract.provider.as_str() == p))
        .filter(|view| mechanism.as_deref().is_none_or(|m| view.contract.mechanism.code() == m))
        .filter(|view| ends_before.is_none_or(|date| view.contract.term.end < date))
        .collect();
    let providers: std::collections::BTreeMap<String, String> =
        all.iter().map(|view| (view.contract.provider.to_string(), view.provider_name.clone())).collect();
    let provider_items = std::iter::once(SelectItem::new("", "All providers", provider.is_none()))
        .chain(
            providers
                .iter()
                .map(|(code, name)| SelectItem::new(code.clone(), name.clone(), provider.as_deref() == Some(code))),
        )
        .collect();
    let mechanism_items = std::iter::once(SelectItem::new("", "All mechanisms", mechanism.is_none()))
        .chain(
            [
                ("block", "Block"),
                ("activity_based", "Activity-based"),
                ("low_volume_block", "Low-volume block"),
                ("aligned_payment", "Aligned payment and incentive"),
            ]
            .into_iter()
            .map(|(code, label)| SelectItem::new(code, label, mechanism.as_deref() == Some(code))),
        )
        .collect();
    let total: commissioning::money::Money = register.iter().map(|view| view.contract.annual_value).sum();
    let content = html! {
        span class="nhsuk-caption-l" { "Procure" }
        h1 { "Contract register" }
        @if let Some(message) = &date_error {
            (nhsuk::components::error_summary::ErrorSummary::for_fields(&[("ends_before".to_owned(), message.clone())]))
        }
        form method="get" action="/procure/contracts" {
            div class="nhsuk-grid-row" {
                div class="nhsuk-grid-column-one-third" { (Select { name: "provider".into(), label: Label::text("Provider"), items: provider_items, ..Default::default() }) }
                div class="nhsuk-grid-column-one-third" { (Select { name: "mechanism".into(), label: Label::text("Payment mechanism"), items: mechanism_items, ..Default::default() }) }
                div class="nhsuk-grid-column-one-third" {
                    (Input { hint: Some("YYYY-MM-DD".into()), error_message: date_error.as_deref().map(Into::into), ..Input::new("ends_before", Label::text("Ending before")) }.with_value(ends_before_text.clone().unwrap_or_default()))
                }
            }
            (Button::secondary("Filter"))
        }
        p { (register.len()) " of " (all.len()) " contracts, worth " (total) " a year. Deadlines within " (app::contracts::ALERT_HORIZON_DAYS) " days of " (today) " are shown, and notice deadlines already missed." }
        p { a href="/procure/contracts.xlsx" download { "Download the register (XLSX)" } }
        @let by_mechanism = portfolio(&register, |view| view.contract.mechanism.label().to_owned());
        @let by_year = portfolio(&register, |view| {
            let end = view.contract.term.end;
            commissioning::period::FinancialYear::containing(end).to_string()
        });
        @let by_provider = portfolio(&register, |view| view.provider_name.clone());
        @let by_service = service_portfolio(&register);
        div class="nhsuk-grid-row" {
            div class="nhsuk-grid-column-one-half" {
                (Table::new("Portfolio by provider", vec![Cell::text("Provider"), Cell::numeric("Contracts"), Cell::numeric("Annual value")],
                    by_provider.iter().map(|(key, n, value)| vec![Cell::text(key.clone()), Cell::numeric(n.to_string()), Cell::numeric(value.to_string())]).collect()))
            }
            div class="nhsuk-grid-column-one-half" {
                (Table::new("Portfolio by service (service lines of the latest year)", vec![Cell::text("Service"), Cell::numeric("Contracts"), Cell::numeric("Annual value")],
                    by_service.iter().map(|(key, n, value)| vec![Cell::text(key.clone()), Cell::numeric(n.to_string()), Cell::numeric(value.to_string())]).collect()))
            }
        }
        @let by_value = value_bands(&register);
        (Table::new("Portfolio by annual value", vec![Cell::text("Annual value"), Cell::numeric("Contracts"), Cell::numeric("Annual value")],
            by_value.iter().map(|(key, n, value)| vec![Cell::text(*key), Cell::numeric(n.to_string()), Cell::numeric(value.to_string())]).collect()))
        div class="nhsuk-grid-row" {
            div class="nhsuk-grid-column-one-half" {
                (Table::new("Portfolio by payment mechanism", vec![Cell::text("Mechanism"), Cell::numeric("Contracts"), Cell::numeric("Annual value")],
                    by_mechanism.iter().map(|(key, n, value)| vec![Cell::text(key.clone()), Cell::numeric(n.to_string()), Cell::numeric(value.to_string())]).collect()))
            }
            div class="nhsuk-grid-column-one-half" {
                (Table::new("Portfolio by the financial year contracts end", vec![Cell::text("Ends in"), Cell::numeric("Contracts"), Cell::numeric("Annual value")],
                    by_year.iter().map(|(key, n, value)| vec![Cell::text(key.clone()), Cell::numeric(n.to_string()), Cell::numeric(value.to_string())]).collect()))
            }
        }
        (Table::new(
            "Contracts, soonest to end first",
            vec![Cell::text("Contract"), Cell::text("Provider"), Cell::text("Mechanism"), Cell::numeric("Annual value"), Cell::numeric("Lifetime value"), Cell::text("Ends"), Cell::text("Notice by"), Cell::text("Alerts")],
            register.iter().map(|view| vec![
                Cell::html(html! { a href={ "/procure/contracts/" (view.contract.id) } { (view.contract.title) } br; span class="nhsuk-body-s" { (view.contract.id) } }),
                Cell::text(view.provider_name.clone()),
                Cell::text(view.contract.mechanism.label()),
                Cell::numeric(view.contract.annual_value.to_string()),
                Cell::numeric(view.lifetime_value.to_string()),
                Cell::html(html! { span class="app-nowrap" { (view.contract.term.end) } }),
                Cell::html(html! { span class="app-nowrap" { (view.contract.term.notice_deadline()) } }),
                Cell::html(html! {
                    @if view.ended { strong class="nhsuk-tag nhsuk-tag--grey" { "Ended" } }
                    @for alert in &view.alerts { p class="nhsuk-body-s" { (alert_tag(alert)) } }
                }),
            ]).collect(),
        ))
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Procure), "Contract register", None, content))
}

/// Contracts and annual value grouped by a key, in key order.
fn portfolio(
    register: &[&app::contracts::ContractView],
    key: impl Fn(&app::contracts::ContractView) -> String,
) -> Vec<(String, usize, commissioning::money::Money)> {
    let mut groups: std::collections::BTreeMap<String, (usize, commissioning::money::Money)> =
        std::collections::BTreeMap::new();
    for view in register {
        let entry = groups.entry(key(view)).or_default();
        entry.0 += 1;
        entry.1 += view.contract.annual_value;
    }
    groups.into_iter().map(|(key, (n, value))| (key, n, value)).collect()
}

/// Contracts by band of annual value, smallest first (bands without contracts left out).
fn value_bands(register: &[&app::contracts::ContractView]) -> Vec<(&'static str, usize, commissioning::money::Money)> {
    use commissioning::money::Money;
    const MILLION: i64 = 100_000_000;
    let bands: [(&str, i64); 4] = [
        ("Under £1m", MILLION),
        ("£1m to under £10m", 10 * MILLION),
        ("£10m to under £100m", 100 * MILLION),
        ("£100m and over", i64::MAX),
    ];
    bands
        .iter()
        .enumerate()
        .filter_map(|(idx, (label, below))| {
            let from = if idx == 0 { i64::MIN } else { bands[idx - 1].1 };
            let members: Vec<Money> = register
                .iter()
                .map(|view| view.contract.annual_value)
                .filter(|value| value.pence() >= from && value.pence() < *below)
                .collect();
            (!members.is_empty()).then(|| (*label, members.len(), members.into_iter().sum()))
        })
        .collect()
}

/// Contracts and the annual value of their service lines by service, from each contract's
/// latest year of lines (a contract counts once per service).
fn service_portfolio(register: &[&app::contracts::ContractView]) -> Vec<(String, usize, commissioning::money::Money)> {
    let mut groups: std::collections::BTreeMap<String, (usize, commissioning::money::Money)> =
        std::collections::BTreeMap::new();
    for view in register {
        let Some(latest) = view.service_lines.iter().map(|p| p.line.year).max() else {
            continue;
        };
        let mut services: std::collections::BTreeMap<&str, commissioning::money::Money> =
            std::collections::BTreeMap::new();
        for planned in view.service_lines.iter().filter(|p| p.line.year == latest) {
            *services.entry(planned.line.service.as_str()).or_default() += planned.line.annual_value;
        }
        for (service, value) in services {
            let entry = groups.entry(service.to_owned()).or_default();
            entry.0 += 1;
            entry.1 += value;
        }
    }
    groups.into_iter().map(|(key, (n, value))| (key, n, value)).collect()
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct MonthQuery {
    month: Option<String>,
}

pub(crate) async fn contract(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<MonthQuery>,
) -> Result<Html<String>, Error> {
    render_contract(&state, &session, &id, query.month, &[]).await
}

/// Attaches a document from the contract page's upload form (multipart): a title and a file.
pub(crate) async fn upload_document(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, Error> {
    // Who may attach is decided before the body is read, so that a refusal never depends on
    // what was sent.
    let view = state.app.contract(&session.principal, &id, today()).await?;
    state.app.check_may_manage_monitoring(&session.principal, &view.contract.provider).await?;
    let mut multipart = Multipart::from_request(request, &state).await.map_err(|error| {
        Error::BadRequest(format!("Attach the document with the form on the contract page ({error})."))
    })?;
    let (mut title, mut file_name, mut content) = (String::new(), String::new(), Vec::new());
    let unreadable = |error: axum::extract::multipart::MultipartError| {
        Error::BadRequest(format!("The upload could not be read ({error}). Go back and try again."))
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("title") => title = field.text().await.map_err(unreadable)?,
            Some("document") => {
                file_name = field.file_name().unwrap_or_default().to_owned();
                content = field.bytes().await.map_err(unreadable)?.to_vec();
            }
            _ => {}
        }
    }
    let mut errors = Vec::new();
    if title.trim().is_empty() {
        errors.push(("title".to_owned(), "Enter a title for the document".to_owned()));
    }
    if content.is_empty() {
        errors.push(("document".to_owned(), "Choose a file to attach".to_owned()));
    }
    if errors.is_empty() {
        match state.app.attach_document(&Actor::User(session.principal.clone()), &id, &title, &file_name, content).await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/procure/contracts/{id}#documents")).into_response()),
            Err(app::AppError::Invalid(message)) => errors.push(("document".to_owned(), message)),
            Err(error) => return Err(error.into()),
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_contract(&state, &session, &id, None, &errors).await?).into_response())
}

/// A contract's document, as an attachment.
pub(crate) async fn document(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((id, document_id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    let (document, content) = state.app.document(&session.principal, &id, document_id).await?;
    let safe_name: String = document
        .file_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    Ok((
        [(CONTENT_TYPE, document.media_type), (CONTENT_DISPOSITION, format!("attachment; filename=\"{safe_name}\""))],
        content,
    )
        .into_response())
}

async fn render_contract(
    state: &AppState,
    session: &Session,
    id: &str,
    month: Option<String>,
    errors: &[(String, String)],
) -> Result<Html<String>, Error> {
    let id = id.to_owned();
    let query = MonthQuery { month };
    let view = state.app.contract(&session.principal, &id, today()).await?;
    let notices = state.app.notices(&session.principal, &id, today()).await?;
    let may_serve = state.app.notice_party(&session.principal, &view.contract.provider).await.is_ok();
    let contract = &view.contract;
    let month_text = query.month.clone().filter(|m| !m.trim().is_empty()).unwrap_or_else(|| "2025-06".to_owned());
    let actor = Actor::User(session.principal.clone());
    let (statement, reconciliation, month_error) = match YearMonth::parse(&month_text) {
        Ok(month) => match state.app.payment_statement(&actor, &id, month).await {
            Ok(statement) => (Some(statement), Some(state.app.reconciliation(&actor, &id, month).await?), None),
            Err(app::AppError::Invalid(message)) => (None, None, Some(message)),
            Err(error) => return Err(error.into()),
        },
        Err(_) => (None, None, Some("Enter the month as YYYY-MM, like 2025-06".to_owned())),
    };
    let mechanism_detail = match contract.mechanism {
        Mechanism::AlignedPayment { fixed_annual, elective_baseline_annual } => format!(
            "{}: fixed element {fixed_annual} a year{}",
            contract.mechanism.label(),
            elective_baseline_annual.map(|b| format!(", elective baseline {b} a year")).unwrap_or_default()
        ),
        other => other.label().to_owned(),
    };
    let manages =
        decide(Some(&session.principal), &Action::ManageMonitoringOf(contract.provider.clone())) == Decision::Allow;
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Contract " (contract.id) }
        h1 { (contract.title) }
        (crate::pages::procure::performance::contract_tabs(&contract.id, "Contract", session))
        @if view.ended { p { strong class="nhsuk-tag nhsuk-tag--grey" { "Ended" } " The term ended on " (contract.term.end) " (extensions, if taken, are recorded as variations)." } }
        (summary(vec![
            ("Provider", html! { a href={ "/organisations/" (contract.provider) } { (view.provider_name) } }),
            ("Commissioner", html! { (contract.commissioner) }),
            ("Term", html! { (contract.term.start) " to " (contract.term.end) }),
            ("Extension options", html! { @if contract.term.extension_months.is_empty() { "None" } @else { (contract.term.extension_months.iter().map(|m| format!("{m} months")).collect::<Vec<_>>().join(", then ")) " (to " (contract.term.end_with_extensions()) ")" } }),
            ("Notice", html! { (contract.term.notice_months) " months: by " (contract.term.notice_deadline()) }),
            ("Annual value", html! { (contract.annual_value) }),
            ("Lifetime value", html! { (view.lifetime_value) " (" (view.lifetime_value_with_extensions) " with every extension)" }),
            ("Payment mechanism", html! { (mechanism_detail) }),
            ("Owner", html! { (contract.owner) }),
            ("Activity", html! { a href={ "/monitor/providers/" (contract.provider) } { "Activity against the indicative plan, with tolerances and forecasts" } }),
        ]))
        (service_lines_section(&view))
        (kpi_section(&view))
        (crate::pages::procure::notices::section(&contract.id, &notices, may_serve, session, &[]))
        @if !view.variations.is_empty() {
            h2 { "Variations" }
            p { "Annual value after variations: " strong { (view.annual_value_after_variations) } "." }
            (Table::new(
                format!("Variations of {}", contract.id),
                vec![Cell::numeric("No."), Cell::text("Agreed"), Cell::text("What changed"), Cell::numeric("Annual value"), Cell::numeric("Lifetime value"), Cell::text("Ground"), Cell::text("Provider Selection Regime")],
                view.variations.iter().map(|v| vec![
                    Cell::numeric(v.variation.number.to_string()),
                    Cell::html(html! { span class="app-nowrap" { (v.variation.agreed_on) } }),
                    Cell::text(v.variation.description.clone()),
                    Cell::numeric(v.variation.annual_value_change.to_string()),
                    Cell::numeric(v.variation.lifetime_value_change.to_string()),
                    Cell::text(v.variation.ground.code().replace('_', " ")),
                    Cell::html(html! {
                        @if v.considerable_change { strong class="nhsuk-tag nhsuk-tag--red" { "Considerable change: new process needed" } br; }
                        @if v.transparency_notice_required { strong class="nhsuk-tag nhsuk-tag--orange" { "Transparency notice required" } }
                        @else if !v.considerable_change { "Permitted; no notice needed" }
                    }),
                ]).collect(),
            ))
        }
        @if let Some(scheme) = &view.cquin {
            h2 { "CQUIN" }
            p { (scheme.available) " of the fixed element is conditional on these indicators; " (scheme.earned) " is earned, so " (scheme.deduction) " comes off the year's variable element in twelve instalments." }
            (Table::new(
                format!("CQUIN indicators of {}", contract.id),
                vec![Cell::text("Indicator"), Cell::text("Rule"), Cell::numeric("Earned")],
                scheme.statement.lines.iter().map(|line| vec![
                    Cell::text(line.label.trim_start_matches("CQUIN: ").to_owned()),
                    Cell::html(html! { ul class="nhsuk-list nhsuk-body-s" { @for (name, value) in &line.inputs { li { (name) ": " (value) } } } }),
                    Cell::numeric(line.amount.to_string()),
                ]).collect(),
            ))
        }
        @if !view.alerts.is_empty() {
            h2 { "Alerts" }
            @for alert in &view.alerts { p { (alert_tag(alert)) } }
        }
        h2 { "Payment statement" }
        form method="get" action={ "/procure/contracts/" (contract.id) } {
            (Input { hint: Some("YYYY-MM".into()), error_message: month_error.as_deref().map(Into::into), ..Input::new("month", Label::text("Month")) }.with_value(month_text.clone()))
            (Button::secondary("Show"))
        }
        @if let Some(statement) = &statement {
            (Table::new(
                format!("Payment statement for {}: {}", statement.month, statement.statement.mechanism.replace('_', " ")),
                vec![Cell::text("Line"), Cell::text("Inputs"), Cell::text("Rule and source"), Cell::numeric("Amount")],
                statement.statement.lines.iter().map(|line| vec![
                    Cell::text(line.label.clone()),
                    Cell::html(html! { ul class="nhsuk-list nhsuk-body-s" { @for (name, value) in &line.inputs { li { (name) ": " (value) } } } }),
                    Cell::html(html! { span class="nhsuk-body-s" { (line.rule) br; (line.source) } }),
                    Cell::numeric(line.amount.to_string()),
                ]).chain(std::iter::once(vec![
                    Cell::html(html! { strong { "Total" } }), Cell::text(""), Cell::text(""),
                    Cell::html(html! { strong { (statement.total) } }),
                ])).collect(),
            ))
        } @else if let Some(message) = &month_error {
            (InsetText::text(message.clone()))
        }
        @if let Some(result) = &reconciliation {
            h2 { "Reconciliation" }
            @match &result.reconciliation {
                None => { (InsetText::text(format!("No invoice has been received for {}.", result.month))) }
                Some(checks) => {
                    p { "Invoice " (result.invoice_number.clone().unwrap_or_default()) ": "
                        @if checks.matched() { strong class="nhsuk-tag nhsuk-tag--green" { "Matches" } } @else { strong class="nhsuk-tag nhsuk-tag--red" { "Differences to resolve" } } }
                    (Table::new(
                        format!("Reconciliation for {}", result.month),
                        vec![Cell::text("Check"), Cell::numeric("Amount"), Cell::numeric("Against"), Cell::numeric("Difference")],
                        checks.checks.iter().map(|check| vec![
                            Cell::text(check.name.clone()),
                            Cell::html(html! { (check.left.0) br; (check.left.1) }),
                            Cell::html(html! { (check.right.0) br; (check.right.1) }),
                            Cell::numeric(check.difference.to_string()),
                        ]).collect(),
                    ))
                }
            }
        }
        h2 id="documents" { "Documents" }
        @if view.documents.is_empty() {
            p { "No documents are attached." }
        } @else {
            (Table::new(
                format!("Documents of {}", contract.id),
                vec![Cell::text("Document"), Cell::text("File"), Cell::numeric("Size"), Cell::text("Attached")],
                view.documents.iter().map(|d| vec![
                    Cell::html(html! { a href={ "/procure/contracts/" (contract.id) "/documents/" (d.id) } download { (d.title) } }),
                    Cell::html(html! { (d.file_name) br; span class="nhsuk-body-s" { "SHA-256 " (d.sha256.get(..12).unwrap_or(&d.sha256)) "…" } }),
                    Cell::numeric(size_text(d.size_bytes)),
                    Cell::html(html! { (crate::pages::admin::when(d.uploaded_at)) br; span class="nhsuk-body-s" { "by " (d.uploaded_by) } }),
                ]).collect(),
            ))
        }
        @if manages {
            form method="post" action={ "/procure/contracts/" (contract.id) "/documents" } enctype="multipart/form-data" novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Input { error_message: error_for("title").map(Into::into), ..Input::new("title", Label::text("Title of the document")) })
                (file_upload("document", "File to attach", "Signed particulars, schedules or a variation agreement, up to 20 MB", error_for("document")))
                (Button::secondary("Attach document"))
            }
        }
        h2 { "Timeline" }
        ol class="nhsuk-list app-timeline" {
            @for event in &view.timeline {
                li {
                    span class="app-nowrap" { strong { (event.date) } } " "
                    (event.label)
                    @if event.future { " " strong class="nhsuk-tag nhsuk-tag--grey" { "Due" } }
                }
            }
        }
    };
    Ok(layout::page_for(session, Section::Stage(Stage::Procure), &contract.title, None, content))
}

/// The NHS file upload pattern: a label, hint, error message and the file input.
pub(crate) fn file_upload(name: &str, label: &str, hint: &str, error: Option<String>) -> Markup {
    let error_class = if error.is_some() { " nhsuk-form-group--error" } else { "" };
    html! {
        div class={ "nhsuk-form-group" (error_class) } {
            label class="nhsuk-label" for=(name) { (label) }
            div class="nhsuk-hint" id={ (name) "-hint" } { (hint) }
            @if let Some(message) = &error {
                span class="nhsuk-error-message" id={ (name) "-error" } { span class="nhsuk-u-visually-hidden" { "Error:" } " " (message) }
            }
            input class="nhsuk-file-upload" type="file" id=(name) name=(name) aria-describedby={ (name) "-hint" @if error.is_some() { " " (name) "-error" } };
        }
    }
}

fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// Service lines with their annual plan, phasing and tolerance, and the plan by month set
/// against recorded activity at each point of delivery.
fn service_lines_section(view: &app::contracts::ContractView) -> Markup {
    if view.service_lines.is_empty() {
        return html! {};
    }
    let contract = &view.contract;
    let years: std::collections::BTreeSet<commissioning::period::FinancialYear> =
        view.service_lines.iter().map(|p| p.line.year).collect();
    html! {
        h2 { "Service lines and indicative activity plan" }
        (Table::new(
            format!("Service lines of {}", contract.id),
            vec![Cell::text("Service"), Cell::text("Point of delivery"), Cell::text("Year"), Cell::numeric("Annual activity"), Cell::numeric("Annual value"), Cell::text("Phasing"), Cell::text("Tolerance")],
            view.service_lines.iter().map(|planned| {
                let line = &planned.line;
                vec![
                    Cell::text(line.service.clone()),
                    Cell::text(line.pod.map(|pod| pod.label()).unwrap_or("None (block)")),
                    Cell::text(line.year.to_string()),
                    Cell::numeric(line.annual_activity.to_string()),
                    Cell::numeric(line.annual_value.to_string()),
                    Cell::text(match &line.phasing {
                        commissioning::monitor::Phasing::Flat => "Flat".to_owned(),
                        commissioning::monitor::Phasing::WorkingDays => "Working days".to_owned(),
                        commissioning::monitor::Phasing::Custom(_) => format!("Agreed profile {}", line.phasing.code()),
                    }),
                    Cell::text(format!("−{}% / +{}%", bp_percent(line.tolerance.lower_bp), bp_percent(line.tolerance.upper_bp))),
                ]
            }).collect(),
        ))
        @for year in &years {
            @let lines: Vec<&app::contract_lines::PlannedLine> = view.service_lines.iter().filter(|p| p.line.year == *year && p.line.pod.is_some()).collect();
            @if !lines.is_empty() {
                @let months = year.months();
                (Table::new(
                    format!("Planned activity by month, {year} (recorded activity below each plan)"),
                    std::iter::once(Cell::text("Service line")).chain(months.iter().map(|m| Cell::numeric(m.label()))).chain(std::iter::once(Cell::numeric("Year"))).collect(),
                    lines.iter().map(|planned| {
                        let pod = planned.line.pod.expect("filtered").code();
                        let actual = |month: &commissioning::period::YearMonth| {
                            let text = month.to_string();
                            view.actual_activity.iter().find(|(p, m, _)| p == pod && *m == text).map(|(_, _, a)| *a)
                        };
                        std::iter::once(Cell::html(html! { (planned.line.service) br; span class="nhsuk-body-s" { (pod) } }))
                            .chain(months.iter().enumerate().map(|(idx, month)| Cell::html(html! {
                                (planned.activity[idx])
                                @if let Some(actual) = actual(month) { br; span class="nhsuk-body-s" { (actual) } }
                            })))
                            .chain(std::iter::once(Cell::numeric(planned.line.annual_activity.to_string())))
                            .collect()
                    }).collect(),
                ))
            }
        }
        p class="nhsuk-body-s" { "Recorded activity is the provider's at each point of delivery across its contracts. The plan and tolerances feed " a href={ "/monitor/providers/" (contract.provider) } { "activity monitoring" } "." }
    }
}

/// KPIs and national quality requirements: threshold, latest result and consequence.
fn kpi_section(view: &app::contracts::ContractView) -> Markup {
    if view.kpis.is_empty() {
        return html! {};
    }
    html! {
        h2 { "Quality requirements and KPIs" }
        (Table::new(
            format!("Quality requirements and KPIs of {}", view.contract.id),
            vec![Cell::text("Measure"), Cell::text("Threshold"), Cell::text("Latest result"), Cell::text("Results by month"), Cell::text("Consequence of a breach")],
            view.kpis.iter().map(|kpi_view| {
                let kpi = &kpi_view.kpi;
                vec![
                    Cell::html(html! { (kpi.name) br; span class="nhsuk-body-s" { (kpi.kind.label()) ", " (kpi.code) } }),
                    Cell::text(format!("{} {}", if kpi.higher_is_better { "at least" } else { "at most" }, kpi.threshold)),
                    Cell::html(html! {
                        @match kpi_view.latest() {
                            Some(latest) => {
                                (latest.value) " (" (latest.month) ") "
                                @if latest.breached { strong class="nhsuk-tag nhsuk-tag--red" { "Not met" } } @else { strong class="nhsuk-tag nhsuk-tag--green" { "Met" } }
                            }
                            None => { "No results yet" }
                        }
                    }),
                    Cell::html(html! { ul class="nhsuk-list nhsuk-body-s" { @for result in &kpi_view.results { li { (result.month) ": " (result.value) @if result.breached { " (not met)" } } } } }),
                    Cell::html(html! { (kpi.consequence) @if let Some(percent) = kpi.withhold_percent { br; span class="nhsuk-body-s" { (percent) "% of the monthly value is withheld in each month of breach and repaid when met again" } } br; span class="nhsuk-body-s" { (kpi.source) } }),
                ]
            }).collect(),
        ))
    }
}

pub(crate) async fn register_xlsx(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<axum::response::Response, Error> {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::response::IntoResponse;
    let register = state.app.contracts(&Actor::User(session.principal.clone()), today()).await?;
    let bytes = app::export::workbook(&[app::contracts::register_table(&register)])?;
    Ok((
        [
            (CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (CONTENT_DISPOSITION, "attachment; filename=\"contract-register.xlsx\"".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
