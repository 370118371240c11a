//! The commissioner's dashboard: its population, deprivation, local authorities, GP
//! practices and providers, with chart data as CSV.

use axum::extract::State;
use axum::response::{Html, Response};
use maud::html;

use nhsuk::components::card::Card;
use nhsuk::components::inset_text::InsetText;
use nhsuk::components::table::{Cell, Table};

use crate::auth::SignedIn;
use crate::charts;
use crate::error::Error;
use crate::format::{percent, thousands};
use crate::layout::{self, Section};
use crate::pages::{csv_download, download_link};
use crate::state::AppState;

pub(crate) async fn dashboard(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Html<String>, Error> {
    let dashboard = state.app.dashboard(&session.principal).await?;
    let alerts = state
        .app
        .contract_alerts(&app::Actor::User(session.principal.clone()), chrono::Local::now().date_naive())
        .await?;
    let year = dashboard.population.year.map(|y| format!("mid-{y}")).unwrap_or_else(|| "no year".into());
    let n_lsoas: i64 = dashboard.local_authorities.iter().map(|la| la.n_lsoas).sum();
    let bands: Vec<(String, i64, i64)> =
        dashboard.population.bands.iter().map(|b| (b.band.to_string(), b.male, b.female)).collect();
    let deciles: Vec<(String, i64)> =
        dashboard.deciles.iter().map(|d| (format!("Decile {}", d.decile.value()), d.population)).collect();
    let decile_total: i64 = dashboard.deciles.iter().map(|d| d.population).sum();
    let stat = |value: String, label: &str| html! { p class="app-stat" { (value) } p class="nhsuk-body-s" { (label) } };
    let content = html! {
        span class="nhsuk-caption-l" { "Dashboard" }
        h1 { (dashboard.commissioner.name) }
        @if dashboard.footprint.is_none() {
            (InsetText::text("No area is recorded for this commissioner yet, so population and deprivation are not shown. An administrator can set it with `commissioner footprint`."))
        }
        ul class="nhsuk-grid-row nhsuk-card-group" {
            li class="nhsuk-grid-column-one-quarter nhsuk-card-group__item" {
                (Card::new("Population").with_content(stat(thousands(dashboard.population.total), &format!("residents, {year}"))))
            }
            li class="nhsuk-grid-column-one-quarter nhsuk-card-group__item" {
                (Card::new("Small areas").linked("/areas").with_content(stat(thousands(n_lsoas), "LSOAs in the area")))
            }
            li class="nhsuk-grid-column-one-quarter nhsuk-card-group__item" {
                (Card::new("GP practices").with_content(stat(thousands(dashboard.practices.len() as i64), &format!("{} registered patients", thousands(dashboard.registered_patients())))))
            }
            li class="nhsuk-grid-column-one-quarter nhsuk-card-group__item" {
                (Card::new("Providers").linked("/procure").with_content(stat(thousands(dashboard.providers.len() as i64), "providers of services")))
            }
        }
        h2 { "Contract deadlines" }
        @if alerts.is_empty() {
            p { "No contract expires or needs notice within the next six months." }
        } @else {
            ul class="nhsuk-list" {
                @for (view, alert) in alerts.iter().take(10) {
                    li { a href={ "/procure/contracts/" (view.contract.id) } { (view.contract.title) } " (" (view.contract.owner) "): " (crate::pages::procure::contracts::alert_tag(alert)) }
                }
            }
            p { a href="/procure/contracts" { "The whole contract register" } }
        }
        h2 { "Population by age and sex" }
        (charts::pyramid("population-pyramid", &format!("Population by age and sex, {year}"), &bands))
        (download_link("/dashboard/population.csv", "population by age and sex"))
        h2 { "Deprivation" }
        @if let Some(share) = dashboard.most_deprived_share() {
            (InsetText::text(format!("{} of residents live in the most deprived fifth of small areas in England (IMD 2019 deciles 1 and 2).", percent(share))))
        }
        (charts::bars("deprivation", "Residents by IMD 2019 decile (1 is most deprived)", &deciles))
        (Table::new(
            "Residents and small areas by deprivation decile",
            vec![Cell::text("IMD decile"), Cell::numeric("LSOAs"), Cell::numeric("Residents"), Cell::numeric("Share")],
            dashboard.deciles.iter().map(|d| vec![
                Cell::text(d.decile.value().to_string()),
                Cell::numeric(thousands(d.n_lsoas)),
                Cell::numeric(thousands(d.population)),
                Cell::numeric(if decile_total > 0 { percent(d.population as f64 / decile_total as f64) } else { "–".into() }),
            ]).collect(),
        ))
        (download_link("/dashboard/deprivation.csv", "residents by deprivation decile"))
        h2 { "Local authorities" }
        (Table::new(
            "Local authorities in the area",
            vec![Cell::text("Local authority"), Cell::numeric("Residents"), Cell::numeric("LSOAs"), Cell::numeric("Mean IMD decile")],
            dashboard.local_authorities.iter().map(|la| vec![
                Cell::html(html! { a href={ "/areas/" (la.area.code) } { (la.area.name) } }),
                Cell::numeric(thousands(la.population)),
                Cell::numeric(thousands(la.n_lsoas)),
                Cell::numeric(la.mean_imd_decile.map(|d| format!("{d:.1}")).unwrap_or_else(|| "–".into())),
            ]).collect(),
        ))
        h2 { "Providers" }
        (Table::new(
            "Providers commissioned for the area",
            vec![Cell::text("Provider"), Cell::text("Type"), Cell::numeric("Services"), Cell::numeric("Activity this year")],
            dashboard.providers.iter().map(|p| vec![
                Cell::html(html! { a href={ "/organisations/" (p.organisation.code) } { (p.organisation.name) } }),
                Cell::text(p.organisation.provider_type.map(|t| t.label()).unwrap_or("Provider")),
                Cell::numeric(p.n_services.to_string()),
                Cell::numeric(thousands(p.activity)),
            ]).collect(),
        ))
        h2 { "GP practices" }
        (Table::new(
            "GP practices and their registered lists",
            vec![Cell::text("Practice"), Cell::text("ODS code"), Cell::numeric("Registered patients")],
            dashboard.practices.iter().map(|p| vec![
                Cell::html(html! { a href={ "/organisations/" (p.code) } { (p.name) } }),
                Cell::text(p.code.to_string()),
                Cell::numeric(thousands(p.registered)),
            ]).collect(),
        ))
    };
    Ok(layout::page_for(&session, Section::Dashboard, &dashboard.commissioner.name, None, content))
}

pub(crate) async fn population_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Response, Error> {
    let dashboard = state.app.dashboard(&session.principal).await?;
    let year = dashboard.population.year.map(|y| y.to_string()).unwrap_or_default();
    let rows = dashboard
        .population
        .bands
        .iter()
        .map(|b| vec![year.clone(), b.band.to_string(), b.male.to_string(), b.female.to_string()])
        .collect();
    Ok(csv_download("population-by-age-and-sex.csv", &["year", "age_band", "males", "females"], rows))
}

pub(crate) async fn deprivation_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Response, Error> {
    let dashboard = state.app.dashboard(&session.principal).await?;
    let rows = dashboard
        .deciles
        .iter()
        .map(|d| vec![d.decile.value().to_string(), d.n_lsoas.to_string(), d.population.to_string()])
        .collect();
    Ok(csv_download("residents-by-imd-decile.csv", &["imd_decile", "lsoas", "residents"], rows))
}
