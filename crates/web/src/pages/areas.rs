//! Areas: the geography from region to LSOA, each with population and deprivation.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Render, html};
use serde::Deserialize;

use commissioning::area::{AreaCode, AreaKind};
use nhsuk::components::breadcrumb::{Breadcrumb, BreadcrumbItem};
use nhsuk::components::table::{Cell, Table};

use crate::auth::SignedIn;
use crate::charts;
use crate::error::Error;
use crate::format::thousands;
use crate::layout::{self, Section};
use crate::pages::{csv_download, download_link, summary};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AreaQuery {
    pub(crate) kind: Option<String>,
    pub(crate) parent: Option<String>,
}

/// Without a filter, goes to the person's own commissioner's area, or lists regions.
pub(crate) async fn list(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(query): Query<AreaQuery>,
) -> Result<Response, Error> {
    let parent = query
        .parent
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(AreaCode::parse)
        .transpose()
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    let kind = match query.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(kind) => {
            Some(AreaKind::parse(kind).ok_or_else(|| Error::BadRequest(format!("'{kind}' is not a kind of area")))?)
        }
        None => None,
    };
    if parent.is_none()
        && kind.is_none()
        && let Some(footprint) = state.app.footprint_of(&session.principal).await?
    {
        return Ok(Redirect::to(&format!("/areas/{footprint}")).into_response());
    }
    let kind = if parent.is_none() { kind.or(Some(AreaKind::Region)) } else { kind };
    let areas = state.app.areas(&session.principal, parent.as_ref(), kind).await?;
    let title = kind.map(|k| format!("{}s", k.label())).unwrap_or_else(|| "Areas".into());
    let content = html! {
        h1 { (title) }
        (Table::new(
            &title,
            vec![Cell::text("Area"), Cell::text("Code"), Cell::numeric("Residents"), Cell::numeric("LSOAs")],
            areas.iter().map(|a| vec![
                Cell::html(html! { a href={ "/areas/" (a.area.code) } { (a.area.name) } }),
                Cell::text(a.area.code.to_string()),
                Cell::numeric(thousands(a.population)),
                Cell::numeric(thousands(a.n_lsoas)),
            ]).collect(),
        ))
    };
    Ok(layout::page_for(&session, Section::Areas, &title, None, content).into_response())
}

pub(crate) async fn show(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
) -> Result<Html<String>, Error> {
    let code = AreaCode::parse(&code).map_err(|_| Error::NotFound)?;
    let view = state.app.area(&session.principal, &code).await?;
    let kind = view.area.kind();
    let year = view.population.year.map(|y| format!("mid-{y}")).unwrap_or_default();
    let breadcrumb = Breadcrumb {
        items: std::iter::once(BreadcrumbItem { href: "/areas?kind=region".into(), text: "Areas".into() })
            .chain(
                view.ancestors
                    .iter()
                    .rev()
                    .map(|a| BreadcrumbItem { href: format!("/areas/{}", a.code), text: a.name.clone() }),
            )
            .collect(),
    };
    let bands: Vec<(String, i64, i64)> =
        view.population.bands.iter().map(|b| (b.band.to_string(), b.male, b.female)).collect();
    let deciles: Vec<(String, i64)> =
        view.deciles.iter().map(|d| (format!("Decile {}", d.decile.value()), d.population)).collect();
    let child_kind = view.children.first().map(|c| c.area.kind().label()).unwrap_or("Area");
    let content = html! {
        span class="nhsuk-caption-l" { (kind.label()) }
        h1 { (view.area.name) }
        (summary(vec![
            ("Code", html! { (view.area.code) }),
            ("Residents", html! { (thousands(view.population.total)) " (" (year) ")" }),
            ("Part of", html! {
                @if let Some(parent) = view.ancestors.first() { a href={ "/areas/" (parent.code) } { (parent.name) } } @else { "–" }
            }),
            ("Deprivation", html! {
                @if let Some(d) = view.deprivation {
                    "IMD 2019 decile " (d.imd_decile.value()) " (quintile " (d.imd_decile.quintile()) ")"
                    @if let Some(rank) = d.imd_rank { ", rank " (thousands(i64::from(rank))) " of 32,844" }
                    @if let Some(income) = d.income_decile { "; income decile " (income.value()) }
                } @else if !view.deciles.is_empty() {
                    (view.deciles.len()) " IMD deciles among its small areas"
                } @else { "Not known" }
            }),
        ]))
        @if view.population.total > 0 {
            h2 { "Population by age and sex" }
            (charts::pyramid("area-pyramid", &format!("Population of {} by age and sex, {year}", view.area.name), &bands))
            (download_link(&format!("/areas/{}/population.csv", view.area.code), "population by age and sex"))
        }
        @if deciles.len() > 1 {
            h2 { "Deprivation" }
            (charts::bars("area-deprivation", "Residents by IMD 2019 decile (1 is most deprived)", &deciles))
        }
        @if !view.children.is_empty() {
            h2 { (child_kind) "s in " (view.area.name) }
            (Table::new(
                format!("{child_kind}s in {}", view.area.name),
                vec![Cell::text("Area"), Cell::text("Code"), Cell::numeric("Residents"), Cell::numeric("LSOAs"), Cell::numeric("IMD decile")],
                view.children.iter().map(|c| vec![
                    Cell::html(html! { a href={ "/areas/" (c.area.code) } { (c.area.name) } }),
                    Cell::text(c.area.code.to_string()),
                    Cell::numeric(thousands(c.population)),
                    Cell::numeric(thousands(c.n_lsoas)),
                    Cell::numeric(match (c.deprivation, c.mean_imd_decile) {
                        (Some(d), _) => d.imd_decile.value().to_string(),
                        (None, Some(mean)) => format!("{mean:.1} (mean)"),
                        _ => "–".into(),
                    }),
                ]).collect(),
            ))
        }
    };
    Ok(layout::page_for(&session, Section::Areas, &view.area.name, Some(breadcrumb.render()), content))
}

pub(crate) async fn population_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
) -> Result<Response, Error> {
    let code = AreaCode::parse(&code).map_err(|_| Error::NotFound)?;
    let view = state.app.area(&session.principal, &code).await?;
    let year = view.population.year.map(|y| y.to_string()).unwrap_or_default();
    let rows = view
        .population
        .bands
        .iter()
        .map(|b| vec![code.to_string(), year.clone(), b.band.to_string(), b.male.to_string(), b.female.to_string()])
        .collect();
    Ok(csv_download(&format!("population-{code}.csv"), &["area_code", "year", "age_band", "males", "females"], rows))
}
