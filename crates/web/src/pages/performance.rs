//! Monitor: performance against national standards, the "Making Data Count" way — a page per
//! metric with every organisation as an SPC small multiple with its variation and assurance,
//! the summary matrix, and a page per organisation with the full chart and its data as CSV;
//! a provider's matrix over its national measures and contract KPIs; and the printable board
//! report.

use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use maud::{Markup, html};
use serde::Deserialize;

use app::performance::PerformanceChart;
use commissioning::access::Stage;
use commissioning::methods::spc::{Assurance, PointType};
use commissioning::monitor::standards::Standard;
use nhsuk::components::button::Button;
use nhsuk::components::input::Input;
use nhsuk::components::label::Label;
use nhsuk::components::table::{Cell, Table};

use crate::auth::SignedIn;
use crate::charts;
use crate::error::Error;
use crate::format::thousands;
use crate::layout::{self, Section};
use crate::pages::{csv_download, download_link};
use crate::state::AppState;

/// Small multiples drawn on one page; a search narrows the rest.
const MAX_MULTIPLES: usize = 60;

pub(crate) fn variation_tag(point: PointType) -> Markup {
    let colour = match point {
        PointType::CommonCause => "grey",
        PointType::SpecialCauseImprovement => "blue",
        PointType::SpecialCauseConcern => "orange",
        PointType::SpecialCauseNeutralHigh | PointType::SpecialCauseNeutralLow => "purple",
    };
    html! { strong class={ "nhsuk-tag nhsuk-tag--" (colour) } { (point.label()) } }
}

pub(crate) fn assurance_tag(assurance: Option<Assurance>) -> Markup {
    match assurance {
        None => html! { strong class="nhsuk-tag nhsuk-tag--white" { "No target to assure against" } },
        Some(assurance) => {
            let colour = match assurance {
                Assurance::ConsistentPass => "blue",
                Assurance::ConsistentFail => "orange",
                Assurance::Inconsistent => "grey",
            };
            html! { strong class={ "nhsuk-tag nhsuk-tag--" (colour) } { (assurance.label()) } }
        }
    }
}

fn standard_tag(chart: &PerformanceChart) -> Markup {
    match (chart.latest_meets_standard, &chart.standard) {
        (Some(true), Some(standard)) => {
            html! { strong class="nhsuk-tag nhsuk-tag--green" { "Meets the " (standard.threshold) "% standard" } }
        }
        (Some(false), Some(standard)) => {
            html! { strong class="nhsuk-tag nhsuk-tag--red" { "Below the " (standard.threshold) "% standard" } }
        }
        _ => html! {},
    }
}

fn thresholds(standard: &Option<Standard>, planning: &Option<Standard>) -> Markup {
    html! {
        ul class="nhsuk-list nhsuk-list--bullet" {
            @if let Some(s) = standard { li { "Constitutional standard: " strong { (s.threshold) "%" } " (" (s.source) ")" } }
            @if let Some(p) = planning { li { "Planning target: " strong { (p.threshold) "%" } " from " (p.effective_from) " (" (p.source) "); charts assure against it" } }
        }
    }
}

pub(crate) async fn metrics(State(state): State<AppState>, SignedIn(session): SignedIn) -> Result<Html<String>, Error> {
    let metrics = state.app.performance_metrics(&session.principal).await?;
    let content = html! {
        span class="nhsuk-caption-l" { "Monitor" }
        h1 { "Performance against national standards" }
        p class="nhsuk-lede-text" { "Each organisation's monthly performance as a statistical process control chart, read the NHS England “Making Data Count” way: is the variation common or special cause, and can the process be relied on to meet the target?" }
        @if session.principal.is_commissioner_side() {
            p { a href="/monitor/board-report" { "The board report" } ": every standard's matrix, each contract's KPI ratings, open notices, feedback and evaluations, laid out for printing." }
        } @else {
            p { a href={ "/monitor/providers/" (session.principal.organisation) "/performance" } { "Your organisation's performance" } ": national measures and contract KPIs in one matrix." }
        }
        @if metrics.is_empty() {
            p { "No performance returns have been imported. Import A&E attendances with " code { "commissioner import ae-attendances FILE" } "." }
        } @else {
            (Table::new(
                "Measures held",
                vec![Cell::text("Measure"), Cell::numeric("Organisations")],
                metrics.iter().map(|(metric, name, n)| vec![
                    Cell::html(html! { a href={ "/monitor/performance/" (metric) } { (name) } }),
                    Cell::numeric(thousands(*n)),
                ]).collect(),
            ))
        }
    };
    Ok(layout::page_for(
        &session,
        Section::Stage(Stage::Monitor),
        "Performance against national standards",
        None,
        content,
    ))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchQuery {
    q: Option<String>,
}

pub(crate) async fn metric(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(metric): Path<String>,
    Query(query): Query<SearchQuery>,
) -> Result<Html<String>, Error> {
    let overview = state.app.performance_overview(&session.principal, &metric).await?;
    let q = query.q.clone().unwrap_or_default().trim().to_owned();
    let needle = q.to_ascii_lowercase();
    let shown: Vec<&PerformanceChart> = overview
        .charts
        .iter()
        .filter(|c| {
            needle.is_empty()
                || c.org_code.to_ascii_lowercase().contains(&needle)
                || c.org_name.to_ascii_lowercase().contains(&needle)
        })
        .collect();
    let content = html! {
        span class="nhsuk-caption-l" { "Monitor: performance" }
        h1 { (overview.name) }
        (thresholds(&overview.standard, &overview.planning))
        @if overview.charts.is_empty() {
            p { "There are no returns for your organisation for this measure." }
        } @else {
            h2 { "Variation and assurance" }
            (Table::new(
                format!("Organisations by the variation and assurance of their latest month ({} organisations)", overview.charts.len()),
                vec![Cell::text("Variation"), Cell::text("Assurance"), Cell::numeric("Organisations")],
                overview.matrix.iter().map(|cell| vec![
                    Cell::html(variation_tag(cell.variation)),
                    Cell::html(assurance_tag(cell.assurance)),
                    Cell::numeric(cell.members.len().to_string()),
                ]).collect(),
            ))
            form method="get" action={ "/monitor/performance/" (overview.metric) } {
                (Input::new("q", Label::text("Find an organisation by name or code")).with_value(q.clone()))
                (Button::secondary("Search"))
            }
            p { "Showing " (shown.len().min(MAX_MULTIPLES)) " of " (shown.len()) " organisations" @if !q.is_empty() { " matching “" (q) "”" } "." }
            div class="app-multiples" {
                @for (i, chart) in shown.iter().take(MAX_MULTIPLES).enumerate() {
                    div class="app-multiple" {
                        h3 class="nhsuk-heading-xs" { a href={ "/monitor/performance/" (overview.metric) "/" (chart.org_code) } { (chart.org_name) " (" (chart.org_code) ")" } }
                        (charts::spc_chart(&format!("spc-{i}"), &format!("{}: {}", chart.org_name, overview.name), &chart.spc, chart.spc_target(), "%", true))
                        p class="nhsuk-body-s" { "Latest " (format!("{:.1}%", chart.latest())) " (" (chart.spc.x.last().map(|d| d.format("%b %Y").to_string()).unwrap_or_default()) ") " (standard_tag(chart)) }
                        p class="nhsuk-body-s" { (variation_tag(chart.spc.variation_type)) " " (assurance_tag(chart.spc.assurance_type)) }
                    }
                }
            }
        }
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Monitor), &overview.name, None, content))
}

pub(crate) async fn organisation(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((metric, org)): Path<(String, String)>,
) -> Result<Html<String>, Error> {
    let chart = state.app.performance_chart(&session.principal, &metric, &org).await?;
    let title = format!("{}: {}", chart.org_name, chart.name);
    let content = html! {
        span class="nhsuk-caption-l" { "Monitor: performance" }
        h1 { (chart.org_name) " (" (chart.org_code) ")" }
        h2 { (chart.name) }
        (thresholds(&chart.standard, &chart.planning))
        p { "Latest " strong { (format!("{:.1}%", chart.latest())) } " " (standard_tag(&chart)) }
        p { (variation_tag(chart.spc.variation_type)) " " (assurance_tag(chart.spc.assurance_type)) }
        @for warning in &chart.spc.warnings { p class="nhsuk-body-s" { strong { "Note: " } (warning) } }
        (charts::spc_chart("spc", &title, &chart.spc, chart.spc_target(), "%", false))
        (download_link(&format!("/monitor/performance/{}/{}/spc.csv", chart.metric, chart.org_code), "the chart's data"))
        (Table::new(
            format!("{title}, by month"),
            vec![Cell::text("Month"), Cell::numeric("Within standard"), Cell::numeric("All"), Cell::numeric("Performance"), Cell::numeric("Mean"), Cell::numeric("Process limits"), Cell::text("Point")],
            chart.counts.iter().enumerate().map(|(i, (period, numerator, denominator))| vec![
                Cell::text(period.format("%b %Y").to_string()),
                Cell::numeric(thousands(*numerator)),
                Cell::numeric(thousands(*denominator)),
                Cell::numeric(format!("{:.1}%", chart.spc.y[i])),
                Cell::numeric(format!("{:.1}%", chart.spc.mean[i])),
                Cell::numeric(format!("{:.1}% to {:.1}%", chart.spc.lpl[i], chart.spc.upl[i])),
                Cell::text(match chart.spc.point_type[i] { PointType::CommonCause => "Common cause", PointType::SpecialCauseImprovement => "Improvement", PointType::SpecialCauseConcern => "Concern", _ => "Special cause (neutral)" }),
            ]).collect(),
        ))
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Monitor), &title, None, content))
}

pub(crate) async fn organisation_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((metric, org)): Path<(String, String)>,
) -> Result<Response, Error> {
    let chart = state.app.performance_chart(&session.principal, &metric, &org).await?;
    let spc = &chart.spc;
    Ok(csv_download(
        &format!("{}-{}-spc.csv", chart.org_code, chart.metric),
        &[
            "org_code",
            "x",
            "numerator",
            "denominator",
            "y",
            "rebase_group",
            "mean",
            "lpl",
            "upl",
            "outside_limits",
            "relative_to_mean",
            "close_to_limits",
            "point_type",
        ],
        chart
            .counts
            .iter()
            .enumerate()
            .map(|(i, (period, numerator, denominator))| {
                vec![
                    chart.org_code.clone(),
                    period.to_string(),
                    numerator.to_string(),
                    denominator.to_string(),
                    spc.y[i].to_string(),
                    spc.rebase_group[i].to_string(),
                    spc.mean[i].to_string(),
                    spc.lpl[i].to_string(),
                    spc.upl[i].to_string(),
                    spc.outside_limits[i].to_string(),
                    spc.relative_to_mean[i].to_string(),
                    spc.close_to_limits[i].to_string(),
                    spc.point_type[i].code().to_owned(),
                ]
            })
            .collect(),
    ))
}

/// A provider's national measures and contract KPIs, with one matrix over both.
pub(crate) async fn provider(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
) -> Result<Html<String>, Error> {
    use crate::pages::procure::performance::{matrix_table, rag_tag};
    let performance = state.app.provider_performance(&session.principal, &code).await?;
    let title = format!("{}: performance", performance.name);
    let content = html! {
        span class="nhsuk-caption-l" { "Monitor: performance" }
        h1 { (performance.name) " (" (performance.provider) ")" }
        h2 { "Variation and assurance" }
        @if performance.matrix.is_empty() { p { "There are no charts yet: national returns or two months of KPI results are needed." } }
        @else { (matrix_table(&format!("Measures of {} by the variation and assurance of their latest month", performance.name), &performance.matrix)) }
        h2 { "National standards" }
        @if performance.national.is_empty() { p { "No national returns are held for this organisation." } }
        div class="app-multiples" {
            @for (i, chart) in performance.national.iter().enumerate() {
                div class="app-multiple" {
                    h3 class="nhsuk-heading-xs" { a href={ "/monitor/performance/" (chart.metric) "/" (chart.org_code) } { (chart.name) } }
                    (charts::spc_chart(&format!("national-{i}"), &chart.name, &chart.spc, chart.spc_target(), "%", true))
                    p class="nhsuk-body-s" { "Latest " (format!("{:.1}%", chart.latest())) " " (standard_tag(chart)) }
                    p class="nhsuk-body-s" { (variation_tag(chart.spc.variation_type)) " " (assurance_tag(chart.spc.assurance_type)) }
                }
            }
        }
        h2 { "Contract KPIs" }
        @if performance.contracts.iter().all(|c| c.kpis.is_empty()) { p { "No KPIs are recorded on this provider's contracts." } }
        @for contract in &performance.contracts {
            @if !contract.kpis.is_empty() {
                (Table::new(
                    format!("KPIs of {}", contract.contract.id),
                    vec![Cell::text("KPI"), Cell::text("Latest"), Cell::text("RAG"), Cell::text("Variation"), Cell::text("Assurance")],
                    contract.kpis.iter().map(|k| vec![
                        Cell::html(html! { a href={ "/procure/contracts/" (contract.contract.id) "/performance#kpi-" (k.kpi.code) } { (k.kpi.code) ": " (k.kpi.name) } }),
                        Cell::text(k.results.last().map(|r| format!("{} ({})", r.value, r.month)).unwrap_or_default()),
                        Cell::html(rag_tag(k.rag)),
                        Cell::html(k.spc.as_ref().map(|s| variation_tag(s.variation_type)).unwrap_or_default()),
                        Cell::html(k.spc.as_ref().map(|s| assurance_tag(s.assurance_type)).unwrap_or_default()),
                    ]).collect(),
                ))
            }
        }
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Monitor), &title, None, content))
}

/// The board report, laid out for printing (the browser saves it as a PDF).
pub(crate) async fn board_report(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Html<String>, Error> {
    use crate::pages::procure::performance::rag_tag;
    let report = state.app.board_report(&session.principal, crate::pages::procure::contracts::today()).await?;
    let content = html! {
        div class="app-report" {
            span class="nhsuk-caption-l" { "Monitor" }
            h1 { "Performance report to the board, " (report.date.format("%-d %B %Y")) }
            p class="app-no-print nhsuk-body-s" { "To print this report or save it as a PDF, use your browser's print command: it is laid out for A4 paper." }
            h2 { "National standards" }
            @if report.standards.is_empty() { p { "No national returns have been imported." } }
            @for (overview, meeting) in &report.standards {
                h3 { (overview.name) }
                (thresholds(&overview.standard, &overview.planning))
                @let total: usize = overview.matrix.iter().map(|c| c.members.len()).sum();
                p { (meeting) " of " (total) " organisations met the constitutional standard in their latest month." }
                (Table::new(
                    format!("{}: organisations by variation and assurance", overview.name),
                    vec![Cell::text("Variation"), Cell::text("Assurance"), Cell::numeric("Organisations")],
                    overview.matrix.iter().map(|cell| vec![
                        Cell::html(variation_tag(cell.variation)),
                        Cell::html(assurance_tag(cell.assurance)),
                        Cell::numeric(cell.members.len().to_string()),
                    ]).collect(),
                ))
            }
            h2 { "Contracts" }
            (Table::new(
                "Contract KPIs by rating of their latest month",
                vec![Cell::text("Contract"), Cell::numeric("Red"), Cell::numeric("Amber"), Cell::numeric("Green"), Cell::text("Red KPIs"), Cell::text("Friends and Family Test")],
                report.contracts.iter().map(|c| vec![
                    Cell::html(html! { a href={ "/procure/contracts/" (c.contract_id) "/performance" } { (c.title) } }),
                    Cell::numeric(c.red.to_string()),
                    Cell::numeric(c.amber.to_string()),
                    Cell::numeric(c.green.to_string()),
                    Cell::html(html! { @for (i, kpi) in c.red_kpis.iter().enumerate() { @if i > 0 { br; } (rag_tag(Some(commissioning::monitor::quality::Rag::Red))) " " (kpi) } }),
                    Cell::text(c.fft.iter().map(|(measure, p)| format!("{measure}: {:.1}% positive (95% CI {:.1}% to {:.1}%)", p.value, p.lower, p.upper)).collect::<Vec<_>>().join("; ")),
                ]).collect(),
            ))
            h2 { "Open contract performance notices" }
            @let open: Vec<_> = report.contracts.iter().flat_map(|c| c.open_notices.iter().map(move |n| (c, n))).collect();
            @if open.is_empty() { p { "None." } } @else {
                (Table::new(
                    "Open contract performance notices",
                    vec![Cell::text("Contract"), Cell::text("Notice"), Cell::text("Stage"), Cell::text("Served")],
                    open.iter().map(|(c, n)| vec![
                        Cell::text(c.title.clone()),
                        Cell::html(html! { a href={ "/procure/contracts/" (c.contract_id) "/notices/" (n.id) } { (n.subject) } }),
                        Cell::text(format!("{}{}", n.stage.label(), n.overdue.map(|o| format!(" (overdue: {o})")).unwrap_or_default())),
                        Cell::text(n.served_on.to_string()),
                    ]).collect(),
                ))
            }
            h2 { "Evaluations" }
            @let evaluations: Vec<_> = report.contracts.iter().flat_map(|c| c.evaluations.iter().map(move |e| (c, e))).collect();
            @if evaluations.is_empty() { p { "No contract evaluations have been recorded." } } @else {
                (Table::new(
                    "Contract evaluations and their recommendations",
                    vec![Cell::text("Contract"), Cell::text("Reviewed"), Cell::text("Recommendation"), Cell::text("Findings for the next plan")],
                    evaluations.iter().map(|(c, e)| vec![
                        Cell::text(c.title.clone()),
                        Cell::text(e.report.review_date.to_string()),
                        Cell::text(e.recommendation.label()),
                        Cell::text(e.findings.join("; ")),
                    ]).collect(),
                ))
            }
        }
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Monitor), "Performance report to the board", None, content))
}
