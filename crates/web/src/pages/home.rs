//! The start page and the signed-in person's profile.

use axum::extract::Query;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;

use commissioning::access::{Action, Decision, decide};
use nhsuk::components::button::Button;
use nhsuk::components::notification_banner::NotificationBanner;

use crate::auth::{CurrentUser, SignedIn};
use crate::layout::{self, Section};
use crate::pages::summary;

pub(crate) async fn start(user: CurrentUser) -> Response {
    if let Some(session) = &user.session {
        return Redirect::to(&layout::home_path(&session.principal)).into_response();
    }
    let content = html! {
        div class="nhsuk-grid-row" {
            div class="nhsuk-grid-column-two-thirds" {
                h1 { "Commissioner" }
                p class="nhsuk-lede-text" { "Plan, buy and monitor health services for a population, in one open system." }
                p { "Commissioners use it to assess the health needs of their population, review what is provided, "
                    "set priorities, run fair procurements, manage contracts and payments, and monitor activity, "
                    "money, quality and outcomes." }
                p { "Providers use it to bid for contracts and to submit and check their monthly activity." }
                (Button::link("Sign in", "/sign-in"))
                p { a href="/public" { "Information for patients and the public" } ": the services we buy, how well they are done, contracts awarded and consultations. No sign-in needed." }
            }
        }
    };
    Html(layout::bare_page("Commissioner", content)).into_response()
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ProfileQuery {
    changed: Option<String>,
}

pub(crate) async fn profile(SignedIn(session): SignedIn, Query(query): Query<ProfileQuery>) -> Html<String> {
    let principal = &session.principal;
    let manages_tokens =
        decide(Some(principal), &Action::ManageTokensFor(principal.organisation.clone())) == Decision::Allow;
    let roles: Vec<&str> = principal.roles.iter().map(|r| r.label()).collect();
    let content = html! {
        @if query.changed.is_some() { (NotificationBanner::success("Your password has been changed")) }
        h1 { "Your profile" }
        (summary(vec![
            ("Name", html! { (principal.name) }),
            ("Email address", html! { (session.email) }),
            ("Organisation", html! { a href={ "/organisations/" (principal.organisation) } { (principal.organisation) } " (" (principal.organisation_kind.label()) ")" }),
            ("Roles", html! { (roles.join(", ")) }),
        ]))
        ul class="nhsuk-list" {
            li { a href="/profile/password" { "Change your password" } }
            @if manages_tokens { li { a href="/tokens" { "API tokens for your organisation" } } }
            @if principal.organisation_kind == commissioning::org::OrgKind::Provider {
                li { a href={ "/monitor/providers/" (principal.organisation) } { "Your organisation's activity submissions" } }
            }
        }
    };
    layout::page_for(&session, Section::Profile, "Your profile", None, content)
}
