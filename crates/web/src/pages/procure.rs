//! Procure: the providers the commissioner buys from and the services they run;
//! `contracts` is the contract register.

pub(crate) mod accreditation;
pub(crate) mod contracts;
pub(crate) mod decisions;
pub(crate) mod notices;
pub(crate) mod performance;
pub(crate) mod redflags;
pub(crate) mod specifications;
pub(crate) mod tenders;

use axum::extract::State;
use axum::response::Html;
use maud::html;

use commissioning::access::Stage;
use commissioning::service::PointOfDelivery;
use nhsuk::components::table::{Cell, Table};

use app::accounts::Session;
use commissioning::access::{Action, Decision, decide};

use crate::auth::SignedIn;
use crate::error::Error;
use crate::format::thousands;
use crate::layout::{self, Section};
use crate::pages::organisations::display_name;
use crate::state::AppState;

pub(crate) async fn procure(State(state): State<AppState>, SignedIn(session): SignedIn) -> Result<Html<String>, Error> {
    let providers = state.app.providers(&session.principal).await?;
    let content = html! {
        h1 { "Procure" }
        p class="nhsuk-lede-text" { "The providers of services for the area and what each of them runs." }
        p { a href="/procure/contracts" { "The contract register, with deadlines and payment statements" } }
        p { a href="/procure/accreditation" { "Any qualified provider accreditation" } }
        p { a href="/procure/specifications" { "Service specifications, their versions and consultations" } }
        p { a href="/procure/red-flags" { "Red flags across procurements and contracts" } }
        p { a href="/procure/tenders" { "Tenders: published criteria, bids sealed until the deadline" } }
        @if session.principal.is_commissioner_side() {
            p { a href="/procure/decisions" { "Provider selection decisions: which process the Provider Selection Regime allows, and why" } }
        }
        (Table::new(
            "Providers and their services by point of delivery",
            std::iter::once(Cell::text("Provider"))
                .chain(PointOfDelivery::ALL.iter().map(|pod| Cell::numeric(pod.code())))
                .collect(),
            providers.iter().map(|(provider, services)| {
                std::iter::once(Cell::html(html! { a href={ "/organisations/" (provider.code) } { (display_name(provider)) } }))
                    .chain(PointOfDelivery::ALL.iter().map(|pod| {
                        Cell::numeric(thousands(services.iter().filter(|s| s.pod == *pod).count() as i64))
                    }))
                    .collect()
            }).collect(),
        ))
        p class="nhsuk-body-s" { "Points of delivery: " @for (idx, pod) in PointOfDelivery::ALL.iter().enumerate() {
            @if idx > 0 { ", " } (pod.code()) " " (pod.label().to_lowercase())
        } "." }
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Procure), "Procure", None, content))
}

/// Whether the person runs procurements (and so sees the forms that change them).
pub(crate) fn manages(session: &Session) -> bool {
    decide(Some(&session.principal), &Action::ManageProcurement) == Decision::Allow
}
