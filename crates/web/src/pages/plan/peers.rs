//! Plan: peer comparison (`/plan/peers`) — a place against its nearest neighbours on age
//! structure and deprivation, on one indicator, with what it would gain at the peers' median
//! or best quartile.

use axum::extract::{Query, State};
use axum::response::Html;
use maud::html;
use serde::Deserialize;

use app::needs::NeedsLevel;
use commissioning::access::Stage;
use commissioning::plan::provision::FEATURES;
use nhsuk::components::button::Button;
use nhsuk::components::input::Input;
use nhsuk::components::inset_text::InsetText;
use nhsuk::components::label::Label;
use nhsuk::components::select::{Select, SelectItem};
use nhsuk::components::table::{Cell, Table};

use crate::auth::SignedIn;
use crate::error::Error;
use crate::format::thousands;
use crate::layout::{self, Section};
use crate::pages::summary;
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PeerParams {
    level: Option<String>,
    place: Option<String>,
    indicator: Option<String>,
    k: Option<String>,
}

fn feature_text(i: usize, value: Option<f64>) -> String {
    match (i, value) {
        (_, None) => "–".into(),
        (2, Some(v)) => format!("{v:.1}"),
        (_, Some(v)) => format!("{:.1}%", v * 100.0),
    }
}

pub(crate) async fn peers(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(params): Query<PeerParams>,
) -> Result<Html<String>, Error> {
    let level = match params.level.as_deref().filter(|l| !l.is_empty()) {
        None => NeedsLevel::Msoa,
        Some(text) => {
            NeedsLevel::parse(text).ok_or_else(|| Error::BadRequest(format!("level: '{text}' is not a level")))?
        }
    };
    let k = match params.k.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => 5,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|k| (1..=50).contains(k))
            .ok_or_else(|| Error::BadRequest(format!("k: '{text}' is not a number of peers from 1 to 50")))?,
    };
    let actor = app::Actor::User(session.principal.clone());
    let blank = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let comparison = state
        .app
        .peer_comparison(&actor, level, blank(&params.place).as_deref(), blank(&params.indicator).as_deref(), k)
        .await?;
    let value = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into());
    let content = html! {
        span class="nhsuk-caption-l" { "Plan: provision" }
        h1 { "Peers: " (comparison.place_name) }
        p class="nhsuk-lede-text" { "The places most like this one in age structure and deprivation, and what it would gain if it matched them." }
        form method="get" action="/plan/peers" class="app-no-print" novalidate {
            div class="nhsuk-grid-row" {
                div class="nhsuk-grid-column-one-quarter" {
                    (Select { id: None, name: "level".into(), label: Label::text("Level"), hint: None, error_message: None,
                        items: [NeedsLevel::Msoa, NeedsLevel::Lsoa, NeedsLevel::Locality].iter().map(|l| SelectItem::new(l.code(), l.label(), *l == comparison.level)).collect() })
                }
                div class="nhsuk-grid-column-one-quarter" {
                    (Select { id: None, name: "place".into(), label: Label::text("Place"), hint: None, error_message: None,
                        items: comparison.places.iter().map(|(code, name)| SelectItem::new(code.clone(), name.clone(), *code == comparison.place_code)).collect() })
                }
                div class="nhsuk-grid-column-one-quarter" {
                    (Select { id: None, name: "indicator".into(), label: Label::text("Indicator"), hint: None, error_message: None,
                        items: comparison.indicators.iter().map(|(id, name)| SelectItem::new(id.clone(), name.clone(), *id == comparison.indicator)).collect() })
                }
                div class="nhsuk-grid-column-one-quarter" {
                    (Input { width: Some(3), ..Input::new("k", Label::text("Peers (k)")) }.with_value(comparison.k.to_string()))
                }
            }
            (Button::secondary("Compare"))
        }
        (summary(vec![
            ("Indicator", html! { (comparison.indicator_name) " (" (comparison.unit) ")" }),
            ("Value here", html! { (value(comparison.value)) }),
            ("Features here", html! { (FEATURES.iter().enumerate().map(|(i, f)| format!("{f} {}", feature_text(i, comparison.features.get(i).copied().flatten()))).collect::<Vec<_>>().join("; ")) }),
        ]))
        @if let Some(o) = &comparison.opportunity {
            (summary(vec![
                ("Peers' median", html! { (format!("{:.1}", o.peer_median)) }),
                ("Peers' best quartile", html! { (format!("{:.1}", o.peer_best_quartile)) }),
                ("Opportunity at the median", html! { (thousands(o.at_median.round() as i64)) " events a year" }),
                ("Opportunity at the best quartile", html! { (thousands(o.at_best_quartile.round() as i64)) " events a year" }),
            ]))
        } @else {
            (InsetText::text("This indicator has no better direction (or no value here), so there is no opportunity to count: the peers' values are for comparison."))
        }
        (Table::new(
            format!("The {} nearest places", comparison.peers.len()),
            {
                let mut head = vec![Cell::text("Place"), Cell::numeric("Distance")];
                head.extend(FEATURES.iter().map(|f| Cell::numeric(*f)));
                head.push(Cell::numeric("Value"));
                head
            },
            comparison.peers.iter().map(|p| {
                let mut row = vec![Cell::text(p.name.clone()), Cell::numeric(format!("{:.2}", p.distance))];
                row.extend((0..FEATURES.len()).map(|i| Cell::numeric(feature_text(i, p.features.get(i).copied().flatten()))));
                row.push(Cell::numeric(value(p.value)));
                row
            }).collect(),
        ))
        (InsetText::text("Distance is Euclidean on z-scores of each feature across the places compared, scaled by the number of features both places have. No rural classification is held, so rurality is left out (ADR 0016)."))
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Plan), "Peers", None, content))
}
