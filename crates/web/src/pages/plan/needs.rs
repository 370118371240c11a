//! Plan: the health needs assessment pages. An overview of every indicator as a spine
//! chart with significance against the benchmark and the unmet-need ranking; a page per
//! indicator (bars with limits across places, a funnel plot, the deprivation gradient); a
//! profile per place; a printable report; and every table as CSV and the whole as XLSX.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, Render, html};
use serde::Deserialize;

use app::export::Datum;
use app::needs::export;
use app::needs::{IndicatorAssessment, NeedsAssessment, NeedsLevel, NeedsQuery, UnmetNeedRow, parse_area};
use app::{Actor, AppError};
use commissioning::access::Stage;
use commissioning::plan::needs::{IndicatorValue, Significance};
use nhsuk::components::button::Button;
use nhsuk::components::error_summary::ErrorSummary;
use nhsuk::components::input::Input;
use nhsuk::components::inset_text::InsetText;
use nhsuk::components::label::Label;
use nhsuk::components::select::{Select, SelectItem};
use nhsuk::components::table::{Cell, Table};

use crate::auth::SignedIn;
use crate::charts::{self, FunnelPoint, Interval, Spread};
use crate::error::Error;
use crate::format::{thousands, url_encode};
use crate::layout::{self, Section};
use crate::pages::{csv_response, download_link, summary};
use crate::state::AppState;

/// At most this many places are drawn in a bar chart; the table and CSV have them all.
const MAX_BARS: usize = 60;

/// The selection, as typed: everything optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct NeedsParams {
    area: Option<String>,
    level: Option<String>,
    benchmark: Option<String>,
    year: Option<String>,
}

impl NeedsParams {
    /// The query, or the fields in error with what to do.
    fn query(&self) -> Result<NeedsQuery, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let text =
            |value: &Option<String>| value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let area = text(&self.area).and_then(|area| match parse_area(&area) {
            Ok(code) => Some(code),
            Err(_) => {
                errors.push(("area".to_owned(), "Enter an ONS area code, like E54900001 or E12000009".to_owned()));
                None
            }
        });
        let benchmark = text(&self.benchmark).and_then(|benchmark| match parse_area(&benchmark) {
            Ok(code) => Some(code),
            Err(_) => {
                errors.push((
                    "benchmark".to_owned(),
                    "Enter the benchmark as an ONS area code, like E92000001 for England".to_owned(),
                ));
                None
            }
        });
        let level = match text(&self.level) {
            None => NeedsLevel::Locality,
            Some(level) => NeedsLevel::parse(&level).unwrap_or_else(|| {
                errors.push(("level".to_owned(), "Select the places to compare".to_owned()));
                NeedsLevel::Locality
            }),
        };
        let year = text(&self.year).and_then(|year| match year.parse::<i32>() {
            Ok(year) if (1900..=2200).contains(&year) => Some(year),
            _ => {
                errors.push(("year".to_owned(), "Enter the year as 4 digits, like 2024, or leave it empty".to_owned()));
                None
            }
        });
        if errors.is_empty() { Ok(NeedsQuery { area, level, benchmark, year }) } else { Err(errors) }
    }

    /// The selection as a query string (with `?`), to carry it between pages.
    fn query_string(&self) -> String {
        let pairs: Vec<String> =
            [("area", &self.area), ("level", &self.level), ("benchmark", &self.benchmark), ("year", &self.year)]
                .into_iter()
                .filter_map(|(key, value)| {
                    value.as_deref().filter(|v| !v.trim().is_empty()).map(|v| format!("{key}={}", url_encode(v.trim())))
                })
                .collect();
        if pairs.is_empty() { String::new() } else { format!("?{}", pairs.join("&")) }
    }
}

async fn assessment(
    state: &AppState,
    session: &app::accounts::Session,
    query: &NeedsQuery,
) -> Result<Arc<NeedsAssessment>, Error> {
    let actor = Actor::User(session.principal.clone());
    match state.app.needs_assessment(&actor, query).await {
        Ok(assessment) => Ok(assessment),
        Err(AppError::Invalid(message)) => Err(Error::BadRequest(message)),
        Err(error) => Err(error.into()),
    }
}

/// The overview: the selection form, every indicator as a row of a spine chart, unmet need.
pub(crate) async fn overview(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<NeedsParams>,
) -> Result<Html<String>, Error> {
    let query = match params.query() {
        Ok(query) => query,
        Err(errors) => {
            let content = html! {
                h1 { "Health needs assessment" }
                (ErrorSummary::for_fields(&errors))
                (selection_form(&params, &errors))
            };
            return Ok(layout::page_for(
                &session,
                Section::Stage(Stage::Plan),
                "Error: Health needs assessment",
                None,
                content,
            ));
        }
    };
    let assessment = assessment(&state, &session, &query).await?;
    let findings = state.app.plan_findings(&session.principal).await?;
    let qs = params.query_string();
    let content = html! {
        span class="nhsuk-caption-l" { "Plan" }
        h1 { "Health needs assessment: " (assessment.area.name) }
        p class="nhsuk-lede-text" {
            "What illness the population carries, how it compares with the benchmark, how it differs by deprivation, and how much is likely to be unrecorded."
        }
        (selection_form(&params, &[]))
        @if assessment.indicators.is_empty() {
            (InsetText::text(format!("No registers or events are loaded for {} ({}). Import them with `commissioner import registers`.", assessment.area.name, assessment.area.code)))
        } @else {
            p {
                (assessment.indicators.len()) " indicators for " (assessment.area.name) " (" (assessment.area.code) "), compared by "
                (assessment.level.label()) ". Values are shown with 95% limits; comparisons with the benchmark are at 95% and 99.8%."
            }
            ul class="nhsuk-list app-no-print" {
                li { a href={ "/plan/needs/assessment.xlsx" (qs) } { "Download the whole assessment (XLSX)" } }
                li { a href={ "/plan/needs/report" (qs) } { "Printable report" } }
            }
            @for note in &assessment.notes {
                (InsetText::text(note.clone()))
            }
            h2 { "Indicators" }
            (significance_key())
            (indicator_table(&assessment, &qs))
            (download_link(&format!("/plan/needs/indicators.csv{qs}"), "every indicator"))
            (unmet_need_section(&assessment, &qs, 20))
            h2 { "Places" }
            p { "Profiles of each place (" (assessment.level.label()) ") against the benchmark:" }
            (place_links(&assessment, &qs))
            (download_link(&format!("/plan/needs/places.csv{qs}"), "every indicator for every place"))
        }
        (crate::pages::plan::findings_section(&findings))
    };
    let title = format!("Health needs assessment: {}", assessment.area.name);
    Ok(layout::page_for(&session, Section::Stage(Stage::Plan), &title, None, content))
}

fn selection_form(params: &NeedsParams, errors: &[(String, String)]) -> Markup {
    let error = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, message)| message.as_str().into());
    let value = |value: &Option<String>| value.clone().unwrap_or_default();
    let level = params.level.clone().unwrap_or_else(|| NeedsLevel::Locality.code().to_owned());
    let levels = NeedsLevel::ALL.iter().map(|l| SelectItem::new(l.code(), l.label(), level == l.code())).collect();
    html! {
        form method="get" action="/plan/needs" class="app-no-print" {
            div class="nhsuk-grid-row" {
                div class="nhsuk-grid-column-one-quarter" {
                    (Input { hint: Some("ONS code; empty for your area".into()), error_message: error("area"), ..Input::new("area", Label::text("Area")) }.with_value(value(&params.area)))
                }
                div class="nhsuk-grid-column-one-quarter" {
                    (Select { name: "level".into(), label: Label::text("Compare places"), items: levels, error_message: error("level"), ..Default::default() })
                }
                div class="nhsuk-grid-column-one-quarter" {
                    (Input { hint: Some("Empty for England".into()), error_message: error("benchmark"), ..Input::new("benchmark", Label::text("Benchmark")) }.with_value(value(&params.benchmark)))
                }
                div class="nhsuk-grid-column-one-quarter" {
                    (Input { hint: Some("Empty for the latest".into()), error_message: error("year"), ..Input::new("year", Label::text("Year")) }.with_value(value(&params.year)))
                }
            }
            (Button::secondary("Update"))
        }
    }
}

fn significance_key() -> Markup {
    html! {
        p class="nhsuk-body-s" {
            "Compared with the benchmark: "
            @for significance in [Significance::Better, Significance::Similar, Significance::Worse, Significance::Higher, Significance::Lower, Significance::NotCompared] {
                (tag(significance)) " "
            }
            ". Higher and lower are used where neither is better (recorded prevalence). In the spine chart the line is the benchmark, the light bar the range of the places, the dark bar their middle half, and the dot the area."
        }
    }
}

fn tag(significance: Significance) -> Markup {
    html! { span class={ "app-significance app-significance--" (significance.code()) } { (significance.label()) } }
}

/// A value for reading: one decimal place from 10 up, two below.
pub(crate) fn number(value: Option<f64>) -> String {
    match value {
        None => "–".to_owned(),
        Some(v) if v.abs() >= 10_000.0 => thousands(v.round() as i64),
        Some(v) if v.abs() >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
    }
}

fn limits(value: &IndicatorValue, level: f64) -> String {
    let limits = value.limits(level);
    format!("{} to {}", number(limits.lower.or(value.value.map(|_| 0.0))), number(limits.upper))
}

fn indicator_table(assessment: &NeedsAssessment, qs: &str) -> Markup {
    let rows = assessment
        .indicators
        .iter()
        .enumerate()
        .map(|(idx, indicator)| {
            let benchmark = indicator.benchmark_value.as_ref().and_then(|v| v.value);
            let values: Vec<f64> = indicator.places.iter().filter_map(|p| p.value.value).collect();
            let spine = match (benchmark, indicator.overall.value, Spread::of(&values)) {
                (Some(benchmark), Some(value), Some(spread)) => charts::spine(
                    &format!("spine-{idx}"),
                    &indicator.definition.name,
                    benchmark,
                    spread,
                    value,
                    indicator.significance95,
                    &|v| number(Some(v)),
                ),
                _ => html! { "–" },
            };
            vec![
                Cell::html(html! {
                    a href={ "/plan/needs/indicators/" (indicator.definition.id) (qs) } { (indicator.definition.name) }
                }),
                Cell::numeric(indicator.year.to_string()),
                Cell::numeric(thousands(indicator.overall.count.round() as i64)),
                Cell::html(html! { span class="app-nowrap" { (number(indicator.overall.value)) } br; span class="nhsuk-body-s" { (indicator.unit) } }),
                Cell::html(html! { span class="app-nowrap" { (limits(&indicator.overall, 0.95)) } }),
                Cell::html(html! { span class="app-nowrap" { (number(benchmark)) } br; span class="nhsuk-body-s" { (indicator.benchmark.name) " " (indicator.benchmark_year) } }),
                Cell::html(tag(indicator.significance95)),
                Cell::html(tag(indicator.significance998)),
                Cell::html(spine),
            ]
        })
        .collect();
    Table::new(
        format!("Indicators for {} against the benchmark", assessment.area.name),
        vec![
            Cell::text("Indicator"),
            Cell::numeric("Year"),
            Cell::numeric("Count"),
            Cell::numeric("Value"),
            Cell::numeric("95% limits"),
            Cell::numeric("Benchmark"),
            Cell::text("At 95%"),
            Cell::text("At 99.8%"),
            Cell::text("Spine chart"),
        ],
        rows,
    )
    .render()
}

fn unmet_need_section(assessment: &NeedsAssessment, qs: &str, top: usize) -> Markup {
    if assessment.unmet_need.is_empty() {
        return html! {};
    }
    let row = |line: &UnmetNeedRow, with_place: bool| {
        let mut cells = vec![Cell::text(line.indicator_name.clone())];
        if with_place {
            cells.push(Cell::html(
                html! { a href={ "/plan/needs/places/" (line.place.code) (qs) } { (line.place.name) } },
            ));
        }
        cells.extend([
            Cell::numeric(thousands(line.need.recorded.round() as i64)),
            Cell::numeric(thousands(line.need.expected.round() as i64)),
            Cell::numeric(thousands(line.need.unmet.round() as i64)),
            Cell::numeric(format!("{:.1}%", line.need.unmet_share * 100.0)),
            Cell::html(html! { span class="app-nowrap" { (format!("{:.3}", line.need.ratio)) " (" (number(line.need.ratio_lower95)) " to " (number(line.need.ratio_upper95)) ")" } }),
        ]);
        cells
    };
    let heads = |with_place: bool| {
        let mut head = vec![Cell::text("Condition")];
        if with_place {
            head.push(Cell::text("Place"));
        }
        head.extend([
            Cell::numeric("Recorded"),
            Cell::numeric("Expected"),
            Cell::numeric("Unmet need (people)"),
            Cell::numeric("Share of expected"),
            Cell::numeric("Recorded ÷ expected (95% limits)"),
        ]);
        head
    };
    html! {
        h2 { "Estimated unmet need" }
        p {
            "Expected prevalence applies the benchmark's recorded prevalence in each deprivation decile to the population in that decile. "
            "Unmet need is expected minus recorded: people likely to have the condition who are not on a register. A ratio whose limits are below 1 is significantly low."
        }
        (Table::new(format!("Unmet need in {}, largest first", assessment.area.name), heads(false), assessment.unmet_need.iter().map(|l| row(l, false)).collect()).render())
        @if !assessment.unmet_need_by_place.is_empty() {
            (Table::new(
                format!("The {top} largest gaps by {}", assessment.level.label()),
                heads(true),
                assessment.unmet_need_by_place.iter().take(top).map(|l| row(l, true)).collect(),
            ).render())
        }
        (download_link(&format!("/plan/needs/unmet-need.csv{qs}"), "unmet need for the area and every place"))
    }
}

fn place_links(assessment: &NeedsAssessment, qs: &str) -> Markup {
    let mut places: Vec<(&str, &str)> = assessment
        .indicators
        .iter()
        .flat_map(|indicator| indicator.places.iter().map(|p| (p.code.as_str(), p.name.as_str())))
        .collect();
    places.sort_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(b.0)));
    places.dedup();
    html! {
        ul class="nhsuk-list app-columns" {
            @for (code, name) in places {
                li { a href={ "/plan/needs/places/" (code) (qs) } { (name) } }
            }
        }
    }
}

/// One indicator: definition, bars with limits across places, funnel plot, gradient.
pub(crate) async fn indicator(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    Query(params): Query<NeedsParams>,
) -> Result<Html<String>, Error> {
    let query = params.query().map_err(|errors| Error::BadRequest(errors[0].1.clone()))?;
    let assessment = assessment(&state, &session, &query).await?;
    let indicator = assessment.indicator(&id).ok_or(Error::NotFound)?;
    let qs = params.query_string();
    let content = html! {
        span class="nhsuk-caption-l" { "Health needs assessment: " (assessment.area.name) }
        h1 { (indicator.definition.name) }
        p class="app-no-print" { a href={ "/plan/needs" (qs) } { "Back to the needs assessment" } }
        (indicator_detail(&assessment, indicator, &qs, &id)?)
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Plan), &indicator.definition.name, None, content))
}

fn indicator_detail(
    assessment: &NeedsAssessment,
    indicator: &IndicatorAssessment,
    qs: &str,
    id: &str,
) -> Result<Markup, Error> {
    let definition = &indicator.definition;
    let benchmark = indicator.benchmark_value.as_ref().and_then(|v| v.value);
    let format = |v: f64| number(Some(v));
    let mut bars: Vec<Interval> = indicator
        .places
        .iter()
        .filter_map(|place| {
            place.value.value.map(|value| Interval {
                label: place.name.clone(),
                value,
                lower: place.value.lower95,
                upper: place.value.upper95,
                significance: place.significance95,
            })
        })
        .collect();
    bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    let n_bars = bars.len();
    bars.truncate(MAX_BARS);
    let funnel_rows = export::funnel(indicator).map_err(Error::from)?;
    let points: Vec<FunnelPoint> = indicator
        .places
        .iter()
        .filter_map(|place| {
            place.value.value.map(|value| FunnelPoint {
                label: place.name.clone(),
                denominator: place.value.denominator,
                value,
                significance: place.significance95,
            })
        })
        .collect();
    let baseline = funnel_rows.first().and_then(|row| row.baseline).or(benchmark);
    let level = assessment.level.label();
    let area_label = assessment.area.name.clone();
    Ok(html! {
        (summary(vec![
            ("Framework", html! { (definition.framework) }),
            ("Domain", html! { (definition.domain) }),
            ("Numerator", html! { (definition.numerator) }),
            ("Denominator", html! { (definition.denominator) }),
            ("Method", html! { (definition.method.label()) ", " (indicator.unit) }),
            ("Better is", html! { (definition.polarity.label()) }),
            ("Source", html! { (definition.source) " (" (definition.source_date) ")" }),
            ("Year", html! { (indicator.year) }),
            (area_label.as_str(), html! { (number(indicator.overall.value)) " " (indicator.unit) " (95% limits " (limits(&indicator.overall, 0.95)) "; 99.8% limits " (limits(&indicator.overall, 0.998)) ") " (tag(indicator.significance95)) }),
            ("Benchmark", html! { (indicator.benchmark.name) " " (indicator.benchmark_year) ": " (number(benchmark)) }),
        ]))
        @if !bars.is_empty() {
            h2 { "By " (level) }
            @if n_bars > MAX_BARS { p { "The chart shows the " (MAX_BARS) " highest of " (n_bars) "; the table and the download have them all." } }
            (charts::interval_bars(&format!("bars-{}", id.replace('.', "-")), &format!("{} by {level}, with 95% limits", definition.name), &bars, benchmark, &format))
            (download_link(&format!("/plan/needs/indicators/{id}/places.csv{qs}"), &format!("{} by {level}", definition.name)))
        }
        @if !funnel_rows.is_empty() {
            h2 { "Funnel plot" }
            p {
                "The funnel is centred on the average of the places shown: a place outside it differs from that average by more than chance would explain (dashed lines 95%, solid lines 99.8%). "
                "Dots are coloured by comparison with the benchmark, " (indicator.benchmark.name) "."
            }
            (charts::funnel(&format!("funnel-{}", id.replace('.', "-")), &format!("{} against denominator", definition.name), &points, &funnel_rows, baseline, &format))
            (download_link(&format!("/plan/needs/indicators/{id}/funnel.csv{qs}"), "the funnel limits"))
        }
        @if let (Some(gradient), Some(of)) = (&indicator.gradient, &indicator.gradient_of) {
            h2 { "Deprivation gradient" }
            @let items: Vec<(u8, f64, Option<f64>, Option<f64>)> = gradient.groups.iter().filter_map(|(d, v)| v.value.map(|value| (*d, value, v.lower95, v.upper95))).collect();
            (charts::deciles(&format!("deciles-{}", id.replace('.', "-")), &format!("{} by IMD 2019 decile in {}", definition.name, of.name), &items, &format))
            (inequality_text("decile", gradient, &indicator.unit))
            @if let Some(quintiles) = &indicator.gradient_quintiles {
                (Table::new(
                    format!("{} by IMD 2019 quintile in {}", definition.name, of.name),
                    vec![Cell::text("Quintile (1 most deprived)"), Cell::numeric("Count"), Cell::numeric("Denominator"), Cell::numeric("Value"), Cell::numeric("95% limits")],
                    quintiles.groups.iter().map(|(quintile, value)| vec![
                        Cell::text(quintile.to_string()),
                        Cell::numeric(thousands(value.count.round() as i64)),
                        Cell::numeric(thousands(value.denominator.round() as i64)),
                        Cell::numeric(number(value.value)),
                        Cell::html(html! { span class="app-nowrap" { (limits(value, 0.95)) } }),
                    ]).collect(),
                ).render())
                (inequality_text("quintile", quintiles, &indicator.unit))
            }
            (download_link(&format!("/plan/needs/indicators/{id}/deprivation.csv{qs}"), "the values by decile and quintile"))
        }
        h2 { "Every " (level) }
        (Table::new(
            format!("{} by {level}", definition.name),
            vec![Cell::text("Place"), Cell::numeric("Count"), Cell::numeric("Denominator"), Cell::numeric("Value"), Cell::numeric("95% limits"), Cell::numeric("99.8% limits"), Cell::text("At 95%"), Cell::text("At 99.8%"), Cell::numeric("Unmet need")],
            indicator.places.iter().map(|place| vec![
                Cell::html(html! { a href={ "/plan/needs/places/" (place.code) (qs) } { (place.name) } }),
                Cell::numeric(thousands(place.value.count.round() as i64)),
                Cell::numeric(thousands(place.value.denominator.round() as i64)),
                Cell::numeric(number(place.value.value)),
                Cell::html(html! { span class="app-nowrap" { (limits(&place.value, 0.95)) } }),
                Cell::html(html! { span class="app-nowrap" { (limits(&place.value, 0.998)) } }),
                Cell::html(tag(place.significance95)),
                Cell::html(tag(place.significance998)),
                Cell::numeric(place.unmet_need.map(|n| thousands(n.unmet.round() as i64)).unwrap_or_else(|| "–".into())),
            ]).collect(),
        ).render())
    })
}

/// The place among all the places at its level, against the benchmark.
fn place_spine(idx: usize, indicator: &IndicatorAssessment, place: &app::needs::PlaceValue) -> Markup {
    let benchmark = indicator.benchmark_value.as_ref().and_then(|v| v.value);
    let values: Vec<f64> = indicator.places.iter().filter_map(|p| p.value.value).collect();
    match (benchmark, place.value.value, Spread::of(&values)) {
        (Some(benchmark), Some(value), Some(spread)) => charts::spine(
            &format!("spine-{idx}"),
            &format!("{}: {}", place.name, indicator.definition.name),
            benchmark,
            spread,
            value,
            place.significance95,
            &|v| number(Some(v)),
        ),
        _ => html! { "–" },
    }
}

fn inequality_text(grouping: &str, gradient: &commissioning::plan::needs::Gradient, unit: &str) -> Markup {
    let Some(inequality) = gradient.inequality else {
        return html! {};
    };
    html! {
        p {
            "By " (grouping) ": slope index of inequality " strong { (number(Some(inequality.sii))) " " (unit) } " (95% limits " (number(inequality.sii_lower95)) " to " (number(inequality.sii_upper95)) "), "
            "the modelled gap between the most and the least deprived ends; relative index of inequality " strong { (format!("{:.3}", inequality.rii)) } " (" (number(inequality.rii_lower95)) " to " (number(inequality.rii_upper95)) ")."
        }
    }
}

/// A place's profile: every indicator for it against the benchmark and the whole area.
pub(crate) async fn place(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
    Query(params): Query<NeedsParams>,
) -> Result<Html<String>, Error> {
    let query = params.query().map_err(|errors| Error::BadRequest(errors[0].1.clone()))?;
    let assessment = assessment(&state, &session, &query).await?;
    let rows: Vec<(&IndicatorAssessment, &app::needs::PlaceValue)> = assessment
        .indicators
        .iter()
        .filter_map(|indicator| indicator.places.iter().find(|p| p.code == code).map(|place| (indicator, place)))
        .collect();
    let Some((_, first)) = rows.first() else {
        return Err(Error::NotFound);
    };
    let name = first.name.clone();
    let qs = params.query_string();
    let content = html! {
        span class="nhsuk-caption-l" { "Health needs assessment: " (assessment.area.name) }
        h1 { (name) }
        p class="app-no-print" { a href={ "/plan/needs" (qs) } { "Back to the needs assessment" } }
        @if let Some(decile) = first.imd_decile { p { "IMD 2019 decile " (decile) " (1 is the most deprived tenth of England)." } }
        (significance_key())
        (Table::new(
            format!("Indicators for {name} against the benchmark"),
            vec![Cell::text("Indicator"), Cell::numeric("Count"), Cell::numeric("Value"), Cell::numeric("95% limits"), Cell::numeric(assessment.area.name.clone()), Cell::numeric("Benchmark"), Cell::text("At 95%"), Cell::text("At 99.8%"), Cell::numeric("Unmet need"), Cell::text("Spine chart")],
            rows.iter().enumerate().map(|(idx, (indicator, place))| vec![
                Cell::html(html! { a href={ "/plan/needs/indicators/" (indicator.definition.id) (qs) } { (indicator.definition.name) } }),
                Cell::numeric(thousands(place.value.count.round() as i64)),
                Cell::html(html! { span class="app-nowrap" { (number(place.value.value)) " " (indicator.unit) } }),
                Cell::html(html! { span class="app-nowrap" { (limits(&place.value, 0.95)) } }),
                Cell::numeric(number(indicator.overall.value)),
                Cell::numeric(number(indicator.benchmark_value.as_ref().and_then(|v| v.value))),
                Cell::html(tag(place.significance95)),
                Cell::html(tag(place.significance998)),
                Cell::numeric(place.unmet_need.map(|n| thousands(n.unmet.round() as i64)).unwrap_or_else(|| "–".into())),
                Cell::html(place_spine(idx, indicator, place)),
            ]).collect(),
        ).render())
        (download_link(&format!("/plan/needs/places/{code}/profile.csv{qs}"), &format!("the profile of {name}")))
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Plan), &name, None, content))
}

/// The whole assessment on one page, for printing or saving as PDF from the browser.
pub(crate) async fn report(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<NeedsParams>,
) -> Result<Html<String>, Error> {
    let query = params.query().map_err(|errors| Error::BadRequest(errors[0].1.clone()))?;
    let assessment = assessment(&state, &session, &query).await?;
    let qs = params.query_string();
    let mut sections = Vec::new();
    for indicator in &assessment.indicators {
        let id = indicator.definition.id.to_string();
        sections.push(html! {
            section {
                h2 { (indicator.definition.name) }
                (indicator_detail(&assessment, indicator, &qs, &id)?)
            }
        });
    }
    let content = html! {
        span class="nhsuk-caption-l" { "Health needs assessment report" }
        h1 { (assessment.area.name) " (" (assessment.area.code) ")" }
        p { "Compared by " (assessment.level.label()) ". Methods: PHEindicatormethods 2.x (Wilson, exact and Byar's, Dobson, phe_sii); comparisons at 95% and 99.8%." }
        @for note in &assessment.notes { (InsetText::text(note.clone())) }
        (significance_key())
        (indicator_table(&assessment, &qs))
        (unmet_need_section(&assessment, &qs, 50))
        @for section in sections { (section) }
    };
    let title = format!("Health needs assessment report: {}", assessment.area.name);
    Ok(layout::page_for(&session, Section::Stage(Stage::Plan), &title, None, content))
}

async fn assessment_for(
    state: &AppState,
    session: &app::accounts::Session,
    params: &NeedsParams,
) -> Result<Arc<NeedsAssessment>, Error> {
    let query = params.query().map_err(|errors| Error::BadRequest(errors[0].1.clone()))?;
    assessment(state, session, &query).await
}

pub(crate) async fn indicators_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<NeedsParams>,
) -> Result<Response, Error> {
    let assessment = assessment_for(&state, &session, &params).await?;
    Ok(csv_response("needs-indicators.csv", &export::overview(&assessment)))
}

pub(crate) async fn places_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<NeedsParams>,
) -> Result<Response, Error> {
    let assessment = assessment_for(&state, &session, &params).await?;
    Ok(csv_response("needs-places.csv", &export::places(&assessment, None)))
}

pub(crate) async fn unmet_need_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<NeedsParams>,
) -> Result<Response, Error> {
    let assessment = assessment_for(&state, &session, &params).await?;
    Ok(csv_response("needs-unmet-need.csv", &export::unmet_need(&assessment)))
}

pub(crate) async fn indicator_places_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    Query(params): Query<NeedsParams>,
) -> Result<Response, Error> {
    let assessment = assessment_for(&state, &session, &params).await?;
    assessment.indicator(&id).ok_or(Error::NotFound)?;
    Ok(csv_response(&format!("{id}-places.csv"), &export::places(&assessment, Some(&id))))
}

pub(crate) async fn indicator_funnel_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    Query(params): Query<NeedsParams>,
) -> Result<Response, Error> {
    let assessment = assessment_for(&state, &session, &params).await?;
    let indicator = assessment.indicator(&id).ok_or(Error::NotFound)?;
    Ok(csv_response(&format!("{id}-funnel.csv"), &export::funnel_table(indicator)?))
}

pub(crate) async fn indicator_deprivation_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    Query(params): Query<NeedsParams>,
) -> Result<Response, Error> {
    let assessment = assessment_for(&state, &session, &params).await?;
    assessment.indicator(&id).ok_or(Error::NotFound)?;
    Ok(csv_response(&format!("{id}-deprivation.csv"), &export::deprivation(&assessment, Some(&id))))
}

pub(crate) async fn place_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
    Query(params): Query<NeedsParams>,
) -> Result<Response, Error> {
    let assessment = assessment_for(&state, &session, &params).await?;
    let mut table = export::places(&assessment, None);
    let code_column = table.headers.iter().position(|h| *h == "place_code").expect("the places table has codes");
    table.rows.retain(|row| matches!(&row[code_column], Datum::Text(text) if *text == code));
    if table.rows.is_empty() {
        return Err(Error::NotFound);
    }
    Ok(csv_response(&format!("{code}-profile.csv"), &table))
}

pub(crate) async fn xlsx(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<NeedsParams>,
) -> Result<Response, Error> {
    let assessment = assessment_for(&state, &session, &params).await?;
    let bytes = export::to_xlsx(&assessment)?;
    let file_name = format!("needs-assessment-{}.xlsx", assessment.area.code);
    Ok((
        [
            (CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        bytes,
    )
        .into_response())
}
