//! Procure: the contract register (value, term, deadlines) and a contract's page with its
//! alerts and the payment statement of a chosen month.

use axum::extract::{Path, Query, State};
use axum::response::Html;
use maud::{Markup, html};
use serde::Deserialize;

use app::Actor;
use commissioning::access::Stage;
use commissioning::period::YearMonth;
use commissioning::procure::contract::{Alert, AlertKind, Mechanism};
use nhsuk::components::button::Button;
use nhsuk::components::input::Input;
use nhsuk::components::inset_text::InsetText;
use nhsuk::components::label::Label;
use nhsuk::components::select::{Select, SelectItem};
use nhsuk::components::table::{Cell, Table};

use crate::auth::SignedIn;
use crate::error::Error;
use crate::layout::{self, Section};
use crate::pages::summary;
use crate::state::AppState;

fn today() -> chrono::NaiveDate {
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
    let view = state.app.contract(&session.principal, &id, today()).await?;
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
    let content = html! {
        span class="nhsuk-caption-l" { "Contract " (contract.id) }
        h1 { (contract.title) }
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
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Procure), &contract.title, None, content))
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
