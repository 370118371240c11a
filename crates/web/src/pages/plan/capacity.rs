//! Plan: capacity planning — the capacity-required table with scenarios side by side and a
//! fan chart of each scenario's simulated waiting list (`/plan/capacity`, with the weeks as
//! CSV), and referral-to-treatment waits by provider and treatment function from NHS
//! England's return, each service linking to its capacity plan (`/plan/capacity/rtt`), and a
//! seasonal demand forecast of the A&E return (`/plan/capacity/forecast`).

use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use maud::{Markup, html};
use serde::Deserialize;

use app::AppError;
use app::capacity::{CapacityPlan, CapacityRequest, ScenarioSettings, weekly_table};
use app::export::{DataTable, Datum};
use app::rtt::{PathwayFigures, RttGroup};
use commissioning::access::Stage;
use commissioning::money::Money;
use commissioning::plan::capacity::ScenarioResult;
use commissioning::plan::rtt::Weeks;
use nhsuk::components::button::Button;
use nhsuk::components::error_summary::ErrorSummary;
use nhsuk::components::input::Input;
use nhsuk::components::inset_text::InsetText;
use nhsuk::components::label::Label;
use nhsuk::components::table::{Cell, Table};

use crate::auth::SignedIn;
use crate::charts;
use crate::error::Error;
use crate::format::{percent, thousands, url_encode};
use crate::layout::{self, Section};
use crate::pages::{csv_response, download_link, summary};
use crate::state::AppState;

/// The capacity page's fields, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CapacityParams {
    provider: Option<String>,
    tfc: Option<String>,
    period: Option<String>,
    demand: Option<String>,
    capacity: Option<String>,
    backlog: Option<String>,
    standard: Option<String>,
    confidence: Option<String>,
    price: Option<String>,
    community_price: Option<String>,
    shift: Option<String>,
    case_mix_demand: Option<String>,
    case_mix_price: Option<String>,
    extra: Option<String>,
}

const FIELDS: [(&str, &str, &str); 10] = [
    ("demand", "Referrals a week", "Empty for the RTT throughput"),
    ("capacity", "Capacity a week now", "Treatments a week; empty for the RTT throughput"),
    ("backlog", "Patients waiting now", "Empty for the list implied by RTT waits"),
    ("standard", "Standard (weeks)", "18 for RTT"),
    ("confidence", "Confidence (%)", "85: met in 85% of simulations"),
    ("price", "Price per case (£)", "At tariff"),
    ("community_price", "Community price per case (£)", "For activity shifted"),
    ("shift", "Shift to community (%)", "Scenario 2"),
    ("case_mix_demand", "Case mix: more demand (%)", "Scenario 3, with the next"),
    ("extra", "Extra capacity a week", "Scenario 4; empty for 10% more"),
];

impl CapacityParams {
    fn get(&self, key: &str) -> Option<&str> {
        let value = match key {
            "provider" => &self.provider,
            "tfc" => &self.tfc,
            "period" => &self.period,
            "demand" => &self.demand,
            "capacity" => &self.capacity,
            "backlog" => &self.backlog,
            "standard" => &self.standard,
            "confidence" => &self.confidence,
            "price" => &self.price,
            "community_price" => &self.community_price,
            "shift" => &self.shift,
            "case_mix_demand" => &self.case_mix_demand,
            "case_mix_price" => &self.case_mix_price,
            "extra" => &self.extra,
            _ => &None,
        };
        value.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }

    /// The request, or the fields in error with what to do.
    fn request(&self) -> Result<CapacityRequest, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let mut number = |key: &str, low: f64, high: f64, what: &str| -> Option<f64> {
            let text = self.get(key)?;
            match text.replace(',', "").parse::<f64>() {
                Ok(v) if v.is_finite() && (low..=high).contains(&v) => Some(v),
                _ => {
                    errors.push((key.to_owned(), what.to_owned()));
                    None
                }
            }
        };
        let demand = number("demand", 0.0, 1e6, "Enter referrals a week as a number from 0 to 1,000,000");
        let capacity = number("capacity", 0.0, 1e6, "Enter capacity a week as a number from 0 to 1,000,000");
        let backlog = number("backlog", 0.0, 1e7, "Enter the patients waiting as a number from 0 to 10,000,000");
        let standard = number("standard", 1.0, 104.0, "Enter the standard in weeks, from 1 to 104");
        let confidence = number("confidence", 50.0, 99.0, "Enter the confidence as a percentage from 50 to 99");
        let shift = number("shift", 0.0, 100.0, "Enter the shift to community as a percentage from 0 to 100");
        let more =
            number("case_mix_demand", -50.0, 100.0, "Enter the change in demand as a percentage from -50 to 100");
        let dearer =
            number("case_mix_price", -50.0, 100.0, "Enter the change in price as a percentage from -50 to 100");
        let extra = number("extra", -1e6, 1e6, "Enter the extra capacity a week as a number");
        let mut money = |key: &str| -> Option<i64> {
            let text = self.get(key)?;
            match Money::parse_pounds(text) {
                Ok(m) if m.pence() >= 0 => Some(m.pence()),
                _ => {
                    errors.push((key.to_owned(), "Enter an amount in pounds, like 1500 or 1,499.50".to_owned()));
                    None
                }
            }
        };
        let price = money("price");
        let community_price = money("community_price");
        if self.get("provider").is_some() != self.get("tfc").is_some() {
            errors.push((
                "provider".to_owned(),
                "Choose both a provider and a treatment function, or neither".to_owned(),
            ));
        }
        if self.get("provider").is_none() && demand.is_none() {
            errors.push((
                "demand".to_owned(),
                "Enter referrals a week, or start from a service in the RTT table".to_owned(),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CapacityRequest {
            provider: self.get("provider").map(str::to_owned),
            treatment_function: self.get("tfc").map(str::to_owned),
            period: self.get("period").map(str::to_owned),
            demand,
            capacity,
            backlog,
            standard_weeks: standard,
            confidence: confidence.map(|c| c / 100.0),
            price_pence: price,
            community_price_pence: community_price,
            replications: None,
            horizon_weeks: None,
            scenarios: Vec::new(),
            settings: ScenarioSettings {
                community_shift: shift.map(|s| s / 100.0),
                case_mix_demand: more.map(|m| 1.0 + m / 100.0),
                case_mix_price: dearer.map(|d| 1.0 + d / 100.0),
                extra_capacity: extra,
            },
        })
    }

    fn query_string(&self) -> String {
        let keys = [
            "provider",
            "tfc",
            "period",
            "demand",
            "capacity",
            "backlog",
            "standard",
            "confidence",
            "price",
            "community_price",
            "shift",
            "case_mix_demand",
            "case_mix_price",
            "extra",
        ];
        let pairs: Vec<String> =
            keys.iter().filter_map(|k| self.get(k).map(|v| format!("{k}={}", url_encode(v)))).collect();
        if pairs.is_empty() { String::new() } else { format!("?{}", pairs.join("&")) }
    }
}

async fn plan_for(
    state: &AppState,
    session: &app::accounts::Session,
    params: &CapacityParams,
) -> Result<Result<CapacityPlan, Vec<(String, String)>>, Error> {
    let request = match params.request() {
        Ok(request) => request,
        Err(errors) => return Ok(Err(errors)),
    };
    state.app.capacity_plan(&session.principal, &request).await.map(Ok).map_err(capacity_error)
}

fn capacity_error(error: AppError) -> Error {
    match error {
        AppError::Invalid(message) => Error::BadRequest(message),
        other => other.into(),
    }
}

fn form(params: &CapacityParams, errors: &[(String, String)]) -> Markup {
    let error = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, message)| message.as_str().into());
    html! {
        form method="get" action="/plan/capacity" class="app-no-print" novalidate {
            @for key in ["provider", "tfc", "period"] {
                @if let Some(value) = params.get(key) { input type="hidden" name=(key) value=(value); }
            }
            @if errors.iter().any(|(f, _)| f == "provider") {
                (Input { error_message: error("provider"), ..Input::new("provider", Label::text("Provider (ODS code)")) }.with_value(params.get("provider").unwrap_or_default().to_owned()))
            }
            div class="nhsuk-grid-row" {
                @for (key, label, hint) in FIELDS {
                    div class="nhsuk-grid-column-one-quarter" {
                        (Input { hint: Some(hint.into()), error_message: error(key), ..Input::new(key, Label::text(label)) }.with_value(params.get(key).unwrap_or_default().to_owned()))
                    }
                }
                div class="nhsuk-grid-column-one-quarter" {
                    (Input { hint: Some("Scenario 3".into()), error_message: error("case_mix_price"), ..Input::new("case_mix_price", Label::text("Case mix: dearer (%)")) }.with_value(params.get("case_mix_price").unwrap_or_default().to_owned()))
                }
            }
            (Button::secondary("Plan"))
        }
    }
}

fn weeks_or(value: Option<f64>, none: &str) -> String {
    value.map(|v| format!("{v:.1}")).unwrap_or_else(|| none.to_owned())
}

fn scenario_table(plan: &CapacityPlan) -> Markup {
    let columns: Vec<&ScenarioResult> = plan.results.iter().collect();
    let mut head = vec![Cell::text("")];
    head.extend(columns.iter().map(|r| Cell::numeric(r.scenario.name.clone())));
    let row = |label: &str, value: &dyn Fn(&ScenarioResult) -> String| {
        let mut cells = vec![Cell::text(label.to_owned())];
        cells.extend(columns.iter().map(|r| Cell::numeric(value(r))));
        cells
    };
    let end = |r: &ScenarioResult| r.simulation.weeks.last().cloned();
    let rows = vec![
        row("Referrals a week to the service", &|r| format!("{:.1}", r.demand)),
        row("Moved to community a week", &|r| format!("{:.1}", r.community_demand)),
        row("Capacity a week", &|r| format!("{:.1}", r.capacity)),
        row("Capacity needed a week (simulated)", &|r| weeks_or(r.simulated_capacity, "over twice demand")),
        row("Capacity needed a week (NHSRwaitinglist formula)", &|r| format!("{:.1}", r.formula_capacity)),
        row("Headroom over demand a week", &|r| format!("{:.1}", r.headroom)),
        row("Weeks to clear the backlog to the target queue", &|r| {
            weeks_or(r.clearance_weeks, "never at this capacity")
        }),
        row("Median waiting list at the horizon", &|r| {
            end(r).map(|w| thousands(w.queue_size.percentiles[3].round() as i64)).unwrap_or_default()
        }),
        row("Over the standard at the horizon (median)", &|r| {
            end(r).map(|w| thousands(w.breaches.percentiles[3].round() as i64)).unwrap_or_default()
        }),
        row("Simulations meeting 92% within the standard at the horizon", &|r| {
            percent(r.simulation.meets_target_at_end)
        }),
        row("Treated within the standard", &|r| {
            r.simulation.waits.first().map(|w| percent(w.within_standard)).unwrap_or_default()
        }),
        row("Cases a year at the service", &|r| thousands(r.cases_per_year)),
        row("Cost a year at tariff", &|r| r.cost_per_year.to_string()),
        row("Community cost a year", &|r| r.community_cost_per_year.to_string()),
        row("Total cost a year", &|r| r.total_cost_per_year.to_string()),
    ];
    html! { (Table::new("Capacity required, by scenario", head, rows)) }
}

/// The capacity plan page.
pub(crate) async fn plan(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<CapacityParams>,
) -> Result<Html<String>, Error> {
    let starting =
        params.get("provider").is_none() && params.get("demand").is_none() && params.query_string().is_empty();
    if starting {
        let content = html! {
            span class="nhsuk-caption-l" { "Plan" }
            h1 { "Capacity planning" }
            p class="nhsuk-lede-text" { "The weekly capacity a service needs to meet a waiting-time standard, how long its backlog takes to clear, and what it costs, under scenarios side by side." }
            p { "Start from a service in the " a href="/plan/capacity/rtt" { "referral-to-treatment waits by provider" } ", or enter the figures. The " a href="/plan/capacity/forecast" { "demand forecast" } " projects monthly demand with its intervals." }
            (form(&params, &[]))
        };
        return Ok(layout::page_for(&session, Section::Stage(Stage::Plan), "Capacity planning", None, content));
    }
    let plan = match plan_for(&state, &session, &params).await? {
        Ok(plan) => plan,
        Err(errors) => {
            let content = html! {
                h1 { "Capacity planning" }
                (ErrorSummary::for_fields(&errors))
                (form(&params, &errors))
            };
            return Ok(layout::page_for(
                &session,
                Section::Stage(Stage::Plan),
                "Error: Capacity planning",
                None,
                content,
            ));
        }
    };
    let service = &plan.service;
    let backlog: u64 = service.waiting.iter().map(|c| u64::from(*c)).sum();
    let qs = params.query_string();
    let content = html! {
        span class="nhsuk-caption-l" { "Plan: capacity" }
        h1 { (service.name) }
        (summary(vec![
            ("Starting figures", html! { (plan.source) }),
            ("Referrals a week", html! { (format!("{:.1}", service.demand)) }),
            ("Capacity a week now", html! { (format!("{:.1}", service.capacity)) }),
            ("Waiting now", html! { (thousands(backlog as i64)) }),
            ("Standard", html! { (format!("{}", service.standard_weeks)) " weeks, 92% of the list within it, in " (format!("{:.0}", service.confidence * 100.0)) "% of simulations" }),
            ("Simulation", html! { (service.replications) " replications of " (service.horizon_weeks) " weeks, seed " (service.seed) }),
        ]))
        (form(&params, &[]))
        h2 { "Capacity required" }
        (scenario_table(&plan))
        (download_link(&format!("/plan/capacity/weeks.csv{qs}"), "every scenario's simulated waiting list by week"))
        (InsetText::text("Capacity needed (simulated) is the least weekly capacity with which the waiting list at the horizon has 92% of patients within the standard in the chosen share of simulations. The formula figure is NHSRwaitinglist's: demand at the confidence percentile plus its variability allowance, or its relief capacity while the backlog is above the target queue. The waiting list implied by RTT waits is an estimate (Little's law on completed pathways), not the published incomplete-pathway count."))
        @for (i, result) in plan.results.iter().enumerate() {
            h2 { "Waiting list: " (result.scenario.name) }
            @let weeks: Vec<(u32, Vec<f64>)> = result.simulation.weeks.iter().map(|w| (w.week, w.queue_size.percentiles.clone())).collect();
            @let target = commissioning::methods::waiting::target_queue_size(result.demand, service.standard_weeks, 4.0);
            (charts::queue_fan(&format!("fan-{i}"), &format!("Simulated waiting list, {}", result.scenario.name), &weeks, Some(target)))
        }
    };
    Ok(layout::page_for(
        &session,
        Section::Stage(Stage::Plan),
        &format!("Capacity planning: {}", service.name),
        None,
        content,
    ))
}

pub(crate) async fn weeks_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<CapacityParams>,
) -> Result<Response, Error> {
    let plan = plan_for(&state, &session, &params).await?.map_err(|errors| Error::BadRequest(errors[0].1.clone()))?;
    Ok(csv_response("capacity-plan-weeks.csv", &weekly_table(&plan)))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PeriodParams {
    period: Option<String>,
}

fn wait(weeks: Option<Weeks>) -> String {
    weeks.map(|w| w.to_string()).unwrap_or_else(|| "–".into())
}

fn share(figures: &commissioning::plan::rtt::RttFigures) -> String {
    figures.within_18_share.map(percent).unwrap_or_else(|| "–".into())
}

fn figures_cells(figures: &PathwayFigures) -> Vec<Cell> {
    vec![
        Cell::numeric(thousands(figures.all.completed as i64)),
        Cell::numeric(wait(figures.all.median)),
        Cell::numeric(wait(figures.all.p95)),
        Cell::numeric(share(&figures.admitted)),
        Cell::numeric(share(&figures.non_admitted)),
        Cell::numeric(share(&figures.all)),
        Cell::numeric(figures.capacity.as_ref().map(|c| format!("{:.1}", c.per_week)).unwrap_or_default()),
        Cell::numeric(figures.capacity.as_ref().map(|c| format!("{:+.1}", c.extra_per_week)).unwrap_or_default()),
    ]
}

fn figures_head(first: &str) -> Vec<Cell> {
    vec![
        Cell::text(first.to_owned()),
        Cell::numeric("Completed pathways"),
        Cell::numeric("Median wait (weeks)"),
        Cell::numeric("95th percentile (weeks)"),
        Cell::numeric("Admitted within 18 weeks"),
        Cell::numeric("Non-admitted within 18 weeks"),
        Cell::numeric("All within 18 weeks"),
        Cell::numeric("Clock stops a week"),
        Cell::numeric("Extra capacity a week to reach 18 weeks"),
    ]
}

fn period_links(periods: &[String], current: &str, base: &str) -> Markup {
    html! {
        p { "Month: "
            @for (i, p) in periods.iter().enumerate() {
                @if i > 0 { " · " }
                @if p == current { strong { (&p[..7]) } } @else { a href={ (base) "?period=" (&p[..7]) } { (&p[..7]) } }
            }
        }
    }
}

/// England, treatment functions and providers for a month.
pub(crate) async fn rtt(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<PeriodParams>,
) -> Result<Html<String>, Error> {
    let summary = match state.app.rtt_summary(&session.principal, params.period.as_deref()).await {
        Err(AppError::NotFound) if params.period.is_none() => {
            let content = html! {
                h1 { "Referral to treatment waits" }
                (InsetText::text("No RTT completed-pathways return is loaded. Import one with `commissioner import rtt-completed FILE`."))
            };
            return Ok(layout::page_for(
                &session,
                Section::Stage(Stage::Plan),
                "Referral to treatment waits",
                None,
                content,
            ));
        }
        other => other?,
    };
    let month = &summary.period[..7];
    let england = &summary.england;
    let mut providers: Vec<&RttGroup> = summary.providers.iter().collect();
    providers.sort_by(|a, b| {
        a.figures
            .all
            .within_18_share
            .unwrap_or(1.0)
            .total_cmp(&b.figures.all.within_18_share.unwrap_or(1.0))
            .then(a.code.cmp(&b.code))
    });
    let content = html! {
        span class="nhsuk-caption-l" { "Plan: capacity" }
        h1 { "Referral to treatment waits, " (month) }
        p class="nhsuk-lede-text" { "Completed pathways from NHS England's monthly return, by provider and treatment function, with the capacity each would need to treat within 18 weeks." }
        (period_links(&summary.periods, &summary.period, "/plan/capacity/rtt"))
        (summary_list(england))
        p class="nhsuk-body-s" { "England here is the sum of the NHS trusts' treatment functions in the return (independent-sector providers are not in it). Percentiles interpolate within weekly bands, as NHS England's do; \"104+\" is beyond the last band." }
        h2 { "By treatment function" }
        (Table::new(
            "Completed pathways by treatment function",
            figures_head("Treatment function"),
            summary.functions.iter().map(|f| {
                let mut cells = vec![Cell::text(format!("{} ({})", f.name, f.code))];
                cells.extend(figures_cells(&f.figures));
                cells
            }).collect(),
        ))
        h2 { "By provider" }
        p { (summary.providers.len()) " providers, the lowest share within 18 weeks first." }
        (Table::new(
            "Completed pathways by provider",
            figures_head("Provider"),
            providers.iter().map(|p| {
                let mut cells = vec![Cell::html(html! { a href={ "/plan/capacity/rtt/" (p.code) "?period=" (month) } { (p.name) } " (" (p.code) ")" })];
                cells.extend(figures_cells(&p.figures));
                cells
            }).collect(),
        ))
        (download_link(&format!("/plan/capacity/rtt.csv?period={month}"), "every provider and treatment function"))
    };
    Ok(layout::page_for(
        &session,
        Section::Stage(Stage::Plan),
        &format!("Referral to treatment waits, {month}"),
        None,
        content,
    ))
}

fn summary_list(england: &PathwayFigures) -> Markup {
    html! { (summary(vec![
        ("Completed pathways (known clock start)", html! { (thousands(england.all.completed as i64)) }),
        ("Within 18 weeks", html! { (thousands(england.all.within_18 as i64)) " (" (share(&england.all)) "): admitted " (share(&england.admitted)) ", non-admitted " (share(&england.non_admitted)) }),
        ("Median wait", html! { (wait(england.all.median)) " weeks (admitted " (wait(england.admitted.median)) ", non-admitted " (wait(england.non_admitted.median)) ")" }),
        ("95th percentile wait", html! { (wait(england.all.p95)) " weeks" }),
        ("Over 52 weeks", html! { (thousands(england.all.over_52 as i64)) }),
    ])) }
}

/// One provider's treatment functions, each linking to its capacity plan.
pub(crate) async fn rtt_provider(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(provider): Path<String>,
    Query(params): Query<PeriodParams>,
) -> Result<Html<String>, Error> {
    let view = state.app.rtt_provider(&session.principal, &provider, params.period.as_deref()).await?;
    let month = &view.period[..7];
    let content = html! {
        span class="nhsuk-caption-l" { "Plan: referral to treatment waits, " (month) }
        h1 { (view.name) " (" (view.code) ")" }
        (summary_list(&view.all))
        (Table::new(
            "Completed pathways by treatment function",
            { let mut head = figures_head("Treatment function"); head.push(Cell::text("")); head },
            view.functions.iter().map(|f| {
                let mut cells = vec![Cell::text(format!("{} ({})", f.name, f.code))];
                cells.extend(figures_cells(&f.figures));
                cells.push(Cell::html(html! { a href={ "/plan/capacity?provider=" (view.code) "&tfc=" (f.code) "&period=" (month) } { "Plan capacity" span class="nhsuk-u-visually-hidden" { " for " (f.name) } } }));
                cells
            }).collect(),
        ))
    };
    Ok(layout::page_for(
        &session,
        Section::Stage(Stage::Plan),
        &format!("{} referral to treatment waits", view.name),
        None,
        content,
    ))
}

pub(crate) async fn rtt_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<PeriodParams>,
) -> Result<Response, Error> {
    let (period, services) = state.app.rtt_services(&session.principal, params.period.as_deref()).await?;
    let weeks = |w: Option<Weeks>| match w {
        Some(Weeks::Weeks(v)) => Datum::Number(Some(v)),
        Some(Weeks::Over104) => Datum::text("104+"),
        None => Datum::Number(None),
    };
    let rows = services
        .iter()
        .map(|(code, name, f)| {
            let fig = &f.figures;
            vec![
                Datum::text(period.clone()),
                Datum::text(code.clone()),
                Datum::text(name.clone()),
                Datum::text(f.code.clone()),
                Datum::text(f.name.clone()),
                Datum::Number(Some(fig.all.completed as f64)),
                weeks(fig.all.median),
                weeks(fig.all.p95),
                Datum::Number(fig.all.within_18_share),
                Datum::Number(fig.admitted.within_18_share),
                Datum::Number(fig.non_admitted.within_18_share),
                Datum::Number(fig.capacity.as_ref().map(|c| c.per_week)),
                Datum::Number(fig.capacity.as_ref().map(|c| c.implied_queue)),
                Datum::Number(fig.capacity.as_ref().map(|c| c.capacity_needed)),
            ]
        })
        .collect();
    let table = DataTable {
        name: "rtt",
        headers: vec![
            "period",
            "provider_code",
            "provider_name",
            "treatment_function_code",
            "treatment_function_name",
            "completed",
            "median_weeks",
            "p95_weeks",
            "within_18_share",
            "admitted_within_18_share",
            "non_admitted_within_18_share",
            "clock_stops_per_week",
            "implied_waiting_list",
            "capacity_needed_per_week",
        ],
        rows,
    };
    Ok(csv_response(&format!("rtt-{}.csv", &period[..7]), &table))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ForecastParams {
    org: Option<String>,
    growth: Option<String>,
}

/// A seasonal forecast of demand (monthly A&E attendances) with intervals, its back-test and
/// demographic growth on top.
pub(crate) async fn forecast(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<ForecastParams>,
) -> Result<Html<String>, Error> {
    let org = params.org.as_deref().map(str::trim).filter(|o| !o.is_empty()).map(str::to_ascii_uppercase);
    let growth_text = params.growth.as_deref().map(str::trim).filter(|g| !g.is_empty());
    let growth = match growth_text.map(|g| g.parse::<f64>()) {
        None => Ok(0.0),
        Some(Ok(g)) if (-20.0..=20.0).contains(&g) => Ok(g / 100.0),
        Some(_) => {
            Err(vec![("growth".to_owned(), "Enter population growth a year as a percentage from -20 to 20".to_owned())])
        }
    };
    let form = |errors: &[(String, String)]| {
        let error = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str().into());
        html! {
            form method="get" action="/plan/capacity/forecast" class="app-no-print" novalidate {
                div class="nhsuk-grid-row" {
                    div class="nhsuk-grid-column-one-third" {
                        (Input { hint: Some("ODS code of a trust; empty for England".into()), error_message: error("org"), ..Input::new("org", Label::text("Organisation")) }.with_value(org.clone().unwrap_or_default()))
                    }
                    div class="nhsuk-grid-column-one-third" {
                        (Input { hint: Some("Demographic growth in demand a year, from population projections".into()), error_message: error("growth"), ..Input::new("growth", Label::text("Growth a year (%)")) }.with_value(growth_text.unwrap_or_default().to_owned()))
                    }
                }
                (Button::secondary("Forecast"))
            }
        }
    };
    let growth = match growth {
        Ok(g) => g,
        Err(errors) => {
            let content = html! { h1 { "Demand forecast" } (ErrorSummary::for_fields(&errors)) (form(&errors)) };
            return Ok(layout::page_for(
                &session,
                Section::Stage(Stage::Plan),
                "Error: Demand forecast",
                None,
                content,
            ));
        }
    };
    let result = match state.app.demand_forecast(&session.principal, org.as_deref(), 12, growth).await {
        Ok(result) => result,
        Err(AppError::NotFound) => {
            let errors = vec![(
                "org".to_owned(),
                "There is no A&E series for that organisation; enter another ODS code or none".to_owned(),
            )];
            let content = html! { h1 { "Demand forecast" } (ErrorSummary::for_fields(&errors)) (form(&errors)) };
            return Ok(layout::page_for(
                &session,
                Section::Stage(Stage::Plan),
                "Error: Demand forecast",
                None,
                content,
            ));
        }
        Err(error) => return Err(capacity_error(error)),
    };
    let history: Vec<f64> = result.history.iter().map(|(_, v)| *v).collect();
    let points: Vec<(f64, f64, f64, f64, f64)> =
        result.forecast.iter().map(|p| (p.mean, p.lower80, p.upper80, p.lower95, p.upper95)).collect();
    let b = &result.backtest;
    let content = html! {
        span class="nhsuk-caption-l" { "Plan: capacity" }
        h1 { "Demand forecast: " (result.series_name) }
        p class="nhsuk-lede-text" { "Seasonal forecasts by Holt–Winters (ETS(A,A,A)) with prediction intervals, checked by forecasting the last year from rolling origins." }
        (form(&[]))
        (charts::demand_fan("demand-fan", &result.series_name, &history, &points))
        (summary(vec![
            ("History", html! { (result.history.len()) " months, " (&result.history[0].0[..7]) " to " (&result.history[result.history.len() - 1].0[..7]) }),
            ("Smoothing", html! { (format!("α {:.3}, β {:.4}, γ {:.3}; one-step σ {}", result.model.alpha, result.model.beta, result.model.gamma, thousands(result.model.sigma.round() as i64))) }),
            ("Back-test", html! { (b.origins) " origins, " (b.points) " forecasts: mean absolute percentage error " (percent(b.mape)) " against " (percent(b.mape_seasonal_naive)) " for the same month last year; MASE " (format!("{:.2}", b.mase)) "; " (percent(b.coverage95)) " of outcomes inside the 95% interval" }),
            ("Demographic growth", html! { (format!("{:+.1}%", result.growth * 100.0)) " a year on top of the model" }),
        ]))
        @if b.coverage95 < 0.9 {
            (InsetText::text("The 95% intervals held fewer outcomes than 95% in the back-test: with two or three seasons of history the model's spread is optimistic. Plan capacity on the upper limits, or the simulated percentiles, rather than the mean."))
        }
        (Table::new(
            "Forecast by month",
            vec![Cell::text("Month"), Cell::numeric("Forecast"), Cell::numeric("80% interval"), Cell::numeric("95% interval")],
            result.months.iter().zip(&result.forecast).map(|(month, p)| vec![
                Cell::text(month[..7].to_owned()),
                Cell::numeric(thousands(p.mean.round() as i64)),
                Cell::numeric(format!("{} to {}", thousands(p.lower80.round() as i64), thousands(p.upper80.round() as i64))),
                Cell::numeric(format!("{} to {}", thousands(p.lower95.round() as i64), thousands(p.upper95.round() as i64))),
            ]).collect(),
        ))
    };
    Ok(layout::page_for(
        &session,
        Section::Stage(Stage::Plan),
        &format!("Demand forecast: {}", result.series_name),
        None,
        content,
    ))
}
