//! Organisations: a searchable list and a page per organisation.

use axum::extract::{Path, Query, State};
use axum::response::Html;
use maud::html;
use serde::Deserialize;

use commissioning::org::{OdsCode, OrgKind, Organisation};
use nhsuk::components::breadcrumb::Breadcrumb;
use nhsuk::components::button::Button;
use nhsuk::components::input::Input;
use nhsuk::components::label::Label;
use nhsuk::components::select::{Select, SelectItem};
use nhsuk::components::table::{Cell, Table};

use crate::auth::SignedIn;
use crate::error::Error;
use crate::format::thousands;
use crate::layout::{self, Section};
use crate::pages::summary;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OrgQuery {
    pub(crate) kind: Option<String>,
    pub(crate) q: Option<String>,
    pub(crate) parent: Option<String>,
}

/// A parsed organisation filter: kind, parent and search text.
pub(crate) type OrgFilterParts = (Option<OrgKind>, Option<OdsCode>, Option<String>);

impl OrgQuery {
    /// Parses the filter, rejecting bad values clearly.
    pub(crate) fn parse(&self) -> Result<OrgFilterParts, Error> {
        let kind = match self.kind.as_deref().filter(|k| !k.is_empty()) {
            Some(kind) => Some(OrgKind::parse(kind).map_err(|e| Error::BadRequest(e.to_string()))?),
            None => None,
        };
        let parent = match self.parent.as_deref().filter(|p| !p.is_empty()) {
            Some(parent) => Some(OdsCode::parse(parent).map_err(|e| Error::BadRequest(e.to_string()))?),
            None => None,
        };
        Ok((kind, parent, self.q.clone().filter(|q| !q.trim().is_empty())))
    }
}

pub(crate) fn display_name(org: &Organisation) -> String {
    Organisation::display_name(&org.name)
}

pub(crate) async fn list(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(query): Query<OrgQuery>,
) -> Result<Html<String>, Error> {
    let (kind, parent, search) = query.parse()?;
    let organisations = state.app.organisations(&session.principal, kind, parent, search.clone()).await?;
    let shown = organisations.iter().take(500);
    let kind_items: Vec<SelectItem> = std::iter::once(SelectItem::new("", "All kinds", kind.is_none()))
        .chain(OrgKind::ALL.iter().map(|k| SelectItem::new(k.code(), k.label(), Some(*k) == kind)))
        .collect();
    let content = html! {
        h1 { "Organisations" }
        form method="get" action="/organisations" {
            div class="nhsuk-grid-row" {
                div class="nhsuk-grid-column-one-half" {
                    (Input::new("q", Label::text("Name or ODS code")).with_value(search.clone().unwrap_or_default()))
                }
                div class="nhsuk-grid-column-one-half" {
                    (Select { name: "kind".into(), label: Label::text("Kind of organisation"), items: kind_items, ..Default::default() })
                }
            }
            (Button::secondary("Filter"))
        }
        p { (thousands(organisations.len() as i64)) " organisations" @if organisations.len() > 500 { ", showing the first 500" } "." }
        (Table::new(
            "Organisations",
            vec![Cell::text("Name"), Cell::text("ODS code"), Cell::text("Kind"), Cell::text("Part of")],
            shown.map(|org| vec![
                Cell::html(html! { a href={ "/organisations/" (org.code) } { (display_name(org)) } }),
                Cell::text(org.code.to_string()),
                Cell::text(org.provider_type.map(|t| t.label()).unwrap_or(org.kind.label())),
                Cell::text(org.parent.as_ref().map(ToString::to_string).unwrap_or_default()),
            ]).collect(),
        ))
    };
    Ok(layout::page_for(&session, Section::Organisations, "Organisations", None, content))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
) -> Result<Html<String>, Error> {
    let code = OdsCode::parse(&code).map_err(|_| Error::NotFound)?;
    let view = state.app.organisation(&session.principal, &code).await?;
    let org = &view.organisation;
    let name = display_name(org);
    let breadcrumb = Breadcrumb::new(&[("/organisations", "Organisations")]);
    let content = html! {
        span class="nhsuk-caption-l" { (org.provider_type.map(|t| t.label()).unwrap_or(org.kind.label())) }
        h1 { (name) }
        (summary(vec![
            ("ODS code", html! { (org.code) }),
            ("Kind", html! { (org.kind.label()) }),
            ("Part of", html! {
                @if let Some(parent) = &view.parent { a href={ "/organisations/" (parent.code) } { (display_name(parent)) } }
                @else if let Some(code) = &org.parent { (code) }
                @else { "–" }
            }),
            ("NHS region", html! { (org.region.as_deref().unwrap_or("–")) }),
            ("Postcode", html! { (org.postcode.as_deref().unwrap_or("–")) }),
            ("Opened", html! { (org.opened.map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_else(|| "–".into())) }),
            ("Closed", html! { (org.closed.map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_else(|| "Open".into())) }),
        ]))
        @if let Some(list) = &view.practice_list {
            h2 { "Registered patients" }
            p { (thousands(list.registered)) " patients registered on " (list.as_of.format("%-d %B %Y")) "." }
        }
        @if !view.services.is_empty() {
            h2 { "Services" }
            (Table::new(
                "Services this provider runs",
                vec![Cell::text("Service"), Cell::text("Point of delivery"), Cell::text("Treatment function")],
                view.services.iter().map(|s| vec![Cell::text(s.name.clone()), Cell::text(s.pod.label()), Cell::text(s.tfc.to_string())]).collect(),
            ))
        }
        @if let Some(activity) = &view.activity {
            h2 { "Activity" }
            @if activity.is_empty() {
                p { "No activity has been recorded for this provider." }
            } @else {
                (Table::new(
                    "Activity by point of delivery and month",
                    vec![Cell::text("Month"), Cell::text("Point of delivery"), Cell::numeric("Activity"), Cell::numeric("Bed days")],
                    activity.iter().map(|row| vec![Cell::text(row.month.clone()), Cell::text(row.pod.label()), Cell::numeric(thousands(row.activity)), Cell::numeric(thousands(row.los_days))]).collect(),
                ))
            }
        }
        @if !view.children.is_empty() {
            h2 { "Organisations it includes" }
            (Table::new(
                "Organisations within this one",
                vec![Cell::text("Name"), Cell::text("ODS code"), Cell::text("Kind")],
                view.children.iter().map(|child| vec![
                    Cell::html(html! { a href={ "/organisations/" (child.code) } { (display_name(child)) } }),
                    Cell::text(child.code.to_string()),
                    Cell::text(child.kind.label()),
                ]).collect(),
            ))
        }
    };
    Ok(layout::page_for(&session, Section::Organisations, &name, Some(maud::Render::render(&breadcrumb)), content))
}
