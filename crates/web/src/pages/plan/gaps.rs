//! Plan: review of current provision and the gap register (`/plan/gaps`, with the register
//! as CSV): each gap — unmet need, under- or over-provision, access, duplication, low value —
//! with its evidence and confidence, driven by the needs assessment and the service catalogue.

use axum::extract::{Query, State};
use axum::response::{Html, Response};
use maud::html;
use serde::Deserialize;

use app::provision::GapRegister;
use commissioning::access::Stage;
use commissioning::methods::funnel::FunnelRow;
use commissioning::methods::overdispersion::Outlier;
use commissioning::money::Money;
use commissioning::plan::needs::Significance;
use commissioning::plan::provision::{Confidence, GapKind};
use nhsuk::components::inset_text::InsetText;
use nhsuk::components::table::{Cell, Table};

use crate::auth::SignedIn;
use crate::charts;
use crate::error::Error;
use crate::format::{thousands, url_encode};
use crate::layout::{self, Section};
use crate::pages::{csv_response, download_link, summary};
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct GapParams {
    year: Option<String>,
}

impl GapParams {
    fn year(&self) -> Result<Option<i32>, Error> {
        match self.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
            None => Ok(None),
            Some(text) => text
                .parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .map(Some)
                .ok_or_else(|| Error::BadRequest(format!("year: '{text}' is not a year"))),
        }
    }
}

async fn register(
    state: &AppState,
    session: &app::accounts::Session,
    params: &GapParams,
) -> Result<GapRegister, Error> {
    let year = params.year()?;
    let actor = app::Actor::User(session.principal.clone());
    Ok(state.app.gap_register(&actor, None, year).await?)
}

fn confidence_label(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::High => "High",
        Confidence::Medium => "Medium",
        Confidence::Low => "Low",
    }
}

fn size_text(kind: GapKind, size: f64) -> String {
    match kind {
        GapKind::Duplication | GapKind::LowValue => Money::from_pence(size.round() as i64).to_string(),
        _ => format!("{} people", thousands(size.round() as i64)),
    }
}

/// The funnel's limits at 100 points from the smallest expected count to beyond the largest.
fn funnel_rows(funnel: &commissioning::methods::overdispersion::OdFunnel) -> Vec<FunnelRow> {
    let max = funnel.points.iter().map(|p| p.denominator).fold(1.0, f64::max) * 1.1;
    let min = (max / 200.0).max(1.0);
    (0..100)
        .map(|i| {
            let axis = min + (max - min) * f64::from(i) / 99.0;
            FunnelRow { axis, aux: None, limits: funnel.limits_at(axis), baseline: Some(1.0) }
        })
        .collect()
}

/// The gap register page.
pub(crate) async fn gaps(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<GapParams>,
) -> Result<Html<String>, Error> {
    let register = register(&state, &session, &params).await?;
    let decisions = state.app.priority_decisions(&session.principal).await?;
    let latest = state.app.workshops(&session.principal).await?.first().map(|w| w.id);
    let decided = |g: &commissioning::plan::provision::Gap| {
        let key = crate::pages::plan::priorities::gap_key(g);
        decisions.iter().filter(move |d| d.gap.key() == key)
    };
    let prioritise = |g: &commissioning::plan::provision::Gap| match latest {
        Some(id) => {
            format!("/plan/priorities/{id}?gap={}#add-option", url_encode(&crate::pages::plan::priorities::gap_key(g)))
        }
        None => "/plan/priorities".to_owned(),
    };
    let spend: i64 = register.provision.iter().map(|p| p.spend_pence).sum();
    let content = html! {
        span class="nhsuk-caption-l" { "Plan: " (register.area_name) }
        h1 { "Provision and gaps" }
        p class="nhsuk-lede-text" { "What is provided against what the needs assessment says is needed: unmet need, provision out of line with need, access, duplication and services of low value, each with its evidence." }
        @for note in &register.notes { (InsetText::text(note.clone())) }
        (summary(vec![
            ("Year of provision", html! { (register.year.map(|y| y.to_string()).unwrap_or_else(|| "none imported".into())) }),
            ("Services and areas", html! { (register.provision.len()) }),
            ("Spend a year", html! { (Money::from_pence(spend)) }),
            ("Gaps found", html! { (register.gaps.len()) }),
            ("Thresholds", html! { "£" (thousands(register.settings.cost_per_qaly_threshold_pence / 100)) " a QALY; over " (format!("{:.0}", register.settings.access_minutes)) " minutes' travel for more than " (format!("{:.0}", register.settings.access_share * 100.0)) "% of residents" }),
        ]))
        h2 id="register" { "Gap register" }
        @if register.gaps.is_empty() {
            p { "No gaps: the evidence shows none at these thresholds." }
        } @else {
            (Table::new(
                "Gaps, by kind, largest first",
                vec![Cell::text("Kind"), Cell::text("Area"), Cell::text("Gap"), Cell::text("Evidence"), Cell::text("Confidence"), Cell::numeric("Size"), Cell::text("Priority")],
                register.gaps.iter().map(|g| vec![
                    Cell::text(g.kind.label()),
                    Cell::text(g.area_name.clone()),
                    Cell::text(g.title.clone()),
                    Cell::text(g.evidence.clone()),
                    Cell::text(confidence_label(g.confidence)),
                    Cell::numeric(size_text(g.kind, g.size)),
                    Cell::html(html! {
                        @for d in decided(g) {
                            p class="nhsuk-body-s" {
                                strong { (d.decision.label()) } ": " (d.option_name) " — " (d.rationale) " ("
                                a href={ "/plan/priorities/" (d.workshop_id) "#decisions" } { (d.workshop_title) } ")"
                            }
                        }
                        a href=(prioritise(g)) { "Prioritise" span class="nhsuk-u-visually-hidden" { " " (g.title) } }
                    }),
                ]).collect(),
            ))
        }
        (download_link("/plan/gaps.csv", "the gap register"))
        p { a href="/plan/gaps.xlsx" { "Download the gap register and current provision (XLSX)" } }
        @if !register.funnels.is_empty() {
            h2 id="variation" { "Activity against need" }
            p { "Each locality's activity for a need against what its share of the expected cases would give (1 is in line with need), with 95% and 99.8% limits widened for the variation between places (FunnelPlotR's SHMI method)." }
            @for (i, f) in register.funnels.iter().enumerate() {
                (charts::funnel(
                    &format!("funnel-{i}"),
                    &format!("{}: activity ÷ need-based expectation by locality", f.need_name),
                    &f.funnel.points.iter().zip(&f.area_names).map(|(p, name)| charts::FunnelPoint {
                        label: name.clone(),
                        denominator: p.denominator,
                        value: p.value,
                        significance: match p.outlier95 {
                            Some(Outlier::High) => Significance::Higher,
                            Some(Outlier::Low) => Significance::Lower,
                            None => Significance::Similar,
                        },
                    }).collect::<Vec<_>>(),
                    &funnel_rows(&f.funnel),
                    Some(1.0),
                    &|v| format!("{v:.2}"),
                ))
            }
        }
        p { "Compare a place with its " a href="/plan/peers" { "nearest peers" } " on any indicator." }
        h2 id="provision" { "Current provision" }
        (Table::new(
            "Services by provider and area",
            vec![Cell::text("Service"), Cell::text("Provider"), Cell::text("Area"), Cell::numeric("Activity"), Cell::numeric("Spend"), Cell::numeric("Cost per case"), Cell::numeric("Wait (weeks)"), Cell::numeric("Quality"), Cell::numeric("FFT positive")],
            register.provision.iter().map(|p| vec![
                Cell::text(p.service_name.clone()),
                Cell::text(p.provider_name.clone()),
                Cell::text(p.area_name.clone()),
                Cell::numeric(thousands(p.activity.round() as i64)),
                Cell::numeric(Money::from_pence(p.spend_pence).to_string()),
                Cell::numeric(p.cost_per_case_pence().map(|c| Money::from_pence(c).to_string()).unwrap_or_default()),
                Cell::numeric(p.waiting_weeks.map(|w| format!("{w:.1}")).unwrap_or_default()),
                Cell::numeric(p.quality.map(|q| format!("{q:.0}")).unwrap_or_default()),
                Cell::numeric(p.feedback.map(|f| format!("{:.0}%", f * 100.0)).unwrap_or_default()),
            ]).collect(),
        ))
        (InsetText::text("Unmet need is the needs assessment's: recorded prevalence against what the population's deprivation predicts. Provision against need uses an overdispersion-adjusted funnel (FunnelPlotR's SHMI method) across the localities, so ordinary variation between places is not called a gap."))
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Plan), "Provision and gaps", None, content))
}

/// The gap register as CSV.
pub(crate) async fn gaps_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<GapParams>,
) -> Result<Response, Error> {
    let register = register(&state, &session, &params).await?;
    Ok(csv_response("gap-register.csv", &app::provision::gap_table(&register)))
}

/// The gap register and current provision as an XLSX workbook.
pub(crate) async fn gaps_xlsx(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<GapParams>,
) -> Result<Response, Error> {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::response::IntoResponse;
    let register = register(&state, &session, &params).await?;
    let bytes =
        app::export::workbook(&[app::provision::gap_table(&register), app::provision::provision_table(&register)])?;
    Ok((
        [
            (CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"gap-register-{}.xlsx\"", register.area_code)),
        ],
        bytes,
    )
        .into_response())
}
