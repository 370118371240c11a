//! Plan: the population and its needs. Starts from the commissioner's area, its local
//! authorities and their deprivation; `needs` is the health needs assessment and `capacity`
//! capacity planning with referral-to-treatment waits.

pub(crate) mod capacity;
pub(crate) mod gaps;
pub(crate) mod needs;
pub(crate) mod peers;
pub(crate) mod priorities;

use axum::extract::State;
use axum::response::Html;
use maud::html;

use commissioning::access::Stage;
use commissioning::area::AreaKind;
use nhsuk::components::card::Card;
use nhsuk::components::table::{Cell, Table};

use crate::auth::SignedIn;
use crate::error::Error;
use crate::format::thousands;
use crate::layout::{self, Section};
use crate::state::AppState;

pub(crate) async fn plan(State(state): State<AppState>, SignedIn(session): SignedIn) -> Result<Html<String>, Error> {
    let footprint = state.app.footprint_of(&session.principal).await?;
    let local_authorities = match &footprint {
        Some(area) => state.app.areas(&session.principal, Some(area), Some(AreaKind::LocalAuthority)).await?,
        None => Vec::new(),
    };
    let findings = state.app.plan_findings(&session.principal).await?;
    let content = html! {
        h1 { "Plan" }
        p class="nhsuk-lede-text" { "Who lives in the area, what they need, and how that differs by deprivation." }
        ul class="nhsuk-grid-row nhsuk-card-group" {
            @if let Some(area) = &footprint {
                li class="nhsuk-grid-column-one-half nhsuk-card-group__item" {
                    (Card::new("Population and deprivation").linked(format!("/areas/{area}"))
                        .with_description("Residents by age and sex, and small areas by deprivation, for the whole area and every place in it."))
                }
            }
            li class="nhsuk-grid-column-one-half nhsuk-card-group__item" {
                (Card::new("Health needs assessment").linked("/plan/needs")
                    .with_description("Every indicator against England with 95% and 99.8% limits, inequality by deprivation and estimated unmet need."))
            }
            li class="nhsuk-grid-column-one-half nhsuk-card-group__item" {
                (Card::new("Provision and gaps").linked("/plan/gaps")
                    .with_description("Current services against need: unmet need, provision out of line with need, access, duplication and low value, with evidence."))
            }
            li class="nhsuk-grid-column-one-half nhsuk-card-group__item" {
                (Card::new("Prioritisation").linked("/plan/priorities")
                    .with_description("Options for the gaps scored against weighted criteria, with the sensitivity of the ranking, and the optimal portfolio within the budget."))
            }
            li class="nhsuk-grid-column-one-half nhsuk-card-group__item" {
                (Card::new("Capacity planning").linked("/plan/capacity")
                    .with_description("Capacity to meet a waiting-time standard, backlog clearance and cost, with scenarios and simulated waiting lists; RTT waits by provider."))
            }
            li class="nhsuk-grid-column-one-half nhsuk-card-group__item" {
                (Card::new("Organisations").linked("/organisations?kind=gp_practice")
                    .with_description("GP practices and their registered lists."))
            }
        }
        @if !local_authorities.is_empty() {
            (Table::new(
                "Local authorities in the area",
                vec![Cell::text("Local authority"), Cell::numeric("Residents"), Cell::numeric("LSOAs"), Cell::numeric("Mean IMD decile")],
                local_authorities.iter().map(|la| vec![
                    Cell::html(html! { a href={ "/areas/" (la.area.code) } { (la.area.name) } }),
                    Cell::numeric(thousands(la.population)),
                    Cell::numeric(thousands(la.n_lsoas)),
                    Cell::numeric(la.mean_imd_decile.map(|d| format!("{d:.1}")).unwrap_or_else(|| "–".into())),
                ]).collect(),
            ))
        }
        (findings_section(&findings))
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Plan), "Plan", None, content))
}

/// What contract evaluations found, for the needs and priorities of the plan each feeds.
pub(crate) fn findings_section(findings: &[app::evaluation::PlanFinding]) -> maud::Markup {
    html! {
        h2 id="findings" { "Findings from contract evaluations" }
        @if findings.is_empty() {
            p { "No contract evaluation has recorded findings yet. They appear here for the plan of the year after the review." }
        } @else {
            (Table::new(
                "Findings for the next plan, from contract evaluations",
                vec![Cell::text("Plan year"), Cell::text("Finding"), Cell::text("Contract"), Cell::text("Recommendation")],
                findings.iter().map(|f| vec![
                    Cell::text(f.next_year.clone()),
                    Cell::text(f.finding.clone()),
                    Cell::html(html! { a href={ "/procure/contracts/" (f.contract_id) "/evaluations/" (f.evaluation_id) } { (f.title) } " (" (f.provider_name) ")" }),
                    Cell::text(f.recommendation.label()),
                ]).collect(),
            ))
        }
    }
}
