//! HTTP: the pages (NHS.UK design system, server-rendered, working without JavaScript) and
//! the JSON API under `/api/v1` with its OpenAPI document.
//!
//! ```text
//! request ─▶ security headers, body limit ─▶ session (cookie) ─▶ policy (route table)
//!         ─▶ handler ─▶ app use case ─▶ page or JSON
//! ```
//!
//! **Architecture invariant:** only this crate knows HTTP. Handlers never decide who may do
//! what: `policy::ROUTES` gives every route its rule, the `policy::authorize` middleware
//! applies it through `commissioning::access::decide` before any handler runs, and a route
//! with no rule is refused (the route matrix test fails too). Object-level checks (a
//! provider's own data) happen in `app`, through the same `decide`.

mod api;
mod assets;
mod auth;
mod charts;
mod error;
mod format;
mod layout;
mod pages;
mod policy;
mod ratelimit;
mod router;
mod state;

pub use router::router;
pub use state::WebSettings;

/// Every route and its access rule, for tests and documentation.
pub fn route_table() -> Vec<(&'static str, &'static str, String)> {
    policy::ROUTES.iter().map(|route| (route.method, route.path, format!("{:?}", route.rule))).collect()
}
