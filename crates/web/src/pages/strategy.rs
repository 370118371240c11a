//! Strategy: the partners in the commissioning cycle — the commissioner, local authorities
//! and the scrutiny committee that oversees service change.

use axum::extract::State;
use axum::response::Html;
use maud::html;

use commissioning::access::Stage;
use commissioning::org::OrgKind;
use nhsuk::components::table::{Cell, Table};

use crate::auth::SignedIn;
use crate::error::Error;
use crate::layout::{self, Section};
use crate::pages::organisations::display_name;
use crate::state::AppState;

pub(crate) async fn strategy(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Html<String>, Error> {
    let mut partners = Vec::new();
    for kind in [OrgKind::Commissioner, OrgKind::LocalAuthority, OrgKind::ScrutinyCommittee] {
        partners.extend(state.app.organisations(&session.principal, Some(kind), None, None).await?);
    }
    let content = html! {
        h1 { "Strategy" }
        p class="nhsuk-lede-text" { "The organisations that set the direction of commissioning for the area and hold it to account." }
        (Table::new(
            "Partners",
            vec![Cell::text("Organisation"), Cell::text("Role in the cycle")],
            partners.iter().map(|org| vec![
                Cell::html(html! { a href={ "/organisations/" (org.code) } { (display_name(org)) } }),
                Cell::text(match org.kind {
                    OrgKind::Commissioner => "Plans and buys services for the population",
                    OrgKind::LocalAuthority => "Public health, social care and joint commissioning",
                    OrgKind::ScrutinyCommittee => "Scrutinises substantial changes to services",
                    _ => "",
                }),
            ]).collect(),
        ))
    };
    Ok(layout::page_for(&session, Section::Stage(Stage::Strategy), "Strategy", None, content))
}
