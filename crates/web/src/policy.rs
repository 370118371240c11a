//! The one place where routes meet the access policy.
//!
//! [`ROUTES`] gives every route of the router a [`Rule`]; [`authorize`] runs before every
//! matched route, looks the route up and asks `commissioning::access::decide`. A route
//! missing from the table is refused (fail closed), and the route matrix test checks that
//! the table and the router list the same routes. The same middleware checks the CSRF token
//! of every state-changing request that a browser session makes.

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use commissioning::access::{Action, Decision, Stage, decide};

use crate::auth::{CurrentUser, PRE_SESSION_CSRF_COOKIE, read_cookie};
use crate::error::{ApiError, Error};
use crate::state::AppState;

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person (their own profile, home, sign-out).
    SignedIn,
    /// Organisations and areas.
    ReferenceData,
    /// The commissioner's dashboard.
    CommissionerDashboard,
    /// A stage's pages.
    Stage(Stage),
    /// Something an organisation owns, named in the path: the use case decides (by owner)
    /// with `Action::ViewOwnedBy` or `Action::SubmitFor`; here it needs someone signed in
    /// or an API token.
    Owned,
    /// The public-health methods, on data the caller sends.
    Methods,
    /// Users, organisations and the audit log.
    Administer,
}

impl Rule {
    pub(crate) fn action(self) -> Action {
        match self {
            Rule::Public => Action::ViewPublic,
            Rule::SignedIn => Action::ViewOwnProfile,
            Rule::ReferenceData => Action::ViewReferenceData,
            Rule::CommissionerDashboard => Action::ViewCommissionerDashboard,
            Rule::Stage(stage) => Action::ViewStage(stage),
            Rule::Owned => Action::ViewPublic,
            Rule::Methods => Action::RunMethods,
            Rule::Administer => Action::Administer,
        }
    }
}

/// A route and its rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RouteRule {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) rule: Rule,
}

const fn route(method: &'static str, path: &'static str, rule: Rule) -> RouteRule {
    RouteRule { method, path, rule }
}

/// Every route of the router, with its rule.
pub(crate) const ROUTES: &[RouteRule] = &[
    route("GET", "/", Rule::Public),
    route("GET", "/health", Rule::Public),
    route("GET", "/assets/{*path}", Rule::Public),
    route("GET", "/sign-in", Rule::Public),
    route("POST", "/sign-in", Rule::Public),
    route("POST", "/sign-out", Rule::SignedIn),
    route("GET", "/profile", Rule::SignedIn),
    route("GET", "/profile/password", Rule::SignedIn),
    route("POST", "/profile/password", Rule::SignedIn),
    route("GET", "/tokens", Rule::SignedIn),
    route("POST", "/tokens", Rule::SignedIn),
    route("POST", "/tokens/{id}/revoke", Rule::SignedIn),
    route("GET", "/admin/users", Rule::Administer),
    route("GET", "/admin/users/new", Rule::Administer),
    route("POST", "/admin/users/new", Rule::Administer),
    route("GET", "/admin/users/{id}", Rule::Administer),
    route("POST", "/admin/users/{id}/roles", Rule::Administer),
    route("POST", "/admin/users/{id}/unlock", Rule::Administer),
    route("POST", "/admin/users/{id}/reset-password", Rule::Administer),
    route("GET", "/admin/organisations/new", Rule::Administer),
    route("POST", "/admin/organisations/new", Rule::Administer),
    route("GET", "/admin/audit", Rule::Administer),
    route("GET", "/dashboard", Rule::CommissionerDashboard),
    route("GET", "/dashboard/population.csv", Rule::CommissionerDashboard),
    route("GET", "/dashboard/deprivation.csv", Rule::CommissionerDashboard),
    route("GET", "/organisations", Rule::ReferenceData),
    route("GET", "/organisations/{code}", Rule::ReferenceData),
    route("GET", "/areas", Rule::ReferenceData),
    route("GET", "/areas/{code}", Rule::ReferenceData),
    route("GET", "/areas/{code}/population.csv", Rule::ReferenceData),
    route("GET", "/plan", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/needs", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/needs/indicators.csv", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/needs/places.csv", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/needs/unmet-need.csv", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/needs/assessment.xlsx", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/needs/report", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/needs/indicators/{id}", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/needs/indicators/{id}/places.csv", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/capacity", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/capacity/weeks.csv", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/capacity/forecast", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/capacity/rtt", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/capacity/rtt.csv", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/gaps", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/gaps.csv", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/gaps.xlsx", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/peers", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/priorities", Rule::Stage(Stage::Plan)),
    route("POST", "/plan/priorities", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/priorities/{id}", Rule::Stage(Stage::Plan)),
    route("POST", "/plan/priorities/{id}/options", Rule::Stage(Stage::Plan)),
    route("POST", "/plan/priorities/{id}/scores", Rule::Stage(Stage::Plan)),
    route("POST", "/plan/priorities/{id}/decisions", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/priorities/{id}/portfolio.csv", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/capacity/rtt/{provider}", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/needs/indicators/{id}/funnel.csv", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/needs/indicators/{id}/deprivation.csv", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/needs/places/{code}", Rule::Stage(Stage::Plan)),
    route("GET", "/plan/needs/places/{code}/profile.csv", Rule::Stage(Stage::Plan)),
    route("GET", "/procure", Rule::Stage(Stage::Procure)),
    route("GET", "/procure/decisions", Rule::CommissionerDashboard),
    route("POST", "/procure/decisions", Rule::CommissionerDashboard),
    route("GET", "/procure/decisions/new", Rule::CommissionerDashboard),
    route("GET", "/procure/decisions/{id}", Rule::CommissionerDashboard),
    route("GET", "/procure/tenders", Rule::Stage(Stage::Procure)),
    route("POST", "/procure/tenders", Rule::CommissionerDashboard),
    route("GET", "/procure/tenders/new", Rule::CommissionerDashboard),
    route("GET", "/procure/tenders/{id}", Rule::Stage(Stage::Procure)),
    route("POST", "/procure/tenders/{id}/events", Rule::CommissionerDashboard),
    route("POST", "/procure/tenders/{id}/bids", Rule::Stage(Stage::Procure)),
    route("POST", "/procure/tenders/{id}/declarations", Rule::CommissionerDashboard),
    route("POST", "/procure/tenders/{id}/scores", Rule::CommissionerDashboard),
    route("POST", "/procure/tenders/{id}/moderation", Rule::CommissionerDashboard),
    route("POST", "/procure/tenders/{id}/intention", Rule::CommissionerDashboard),
    route("POST", "/procure/tenders/{id}/representations", Rule::CommissionerDashboard),
    route("POST", "/procure/tenders/{id}/review", Rule::CommissionerDashboard),
    route("POST", "/procure/tenders/{id}/award", Rule::CommissionerDashboard),
    route("POST", "/procure/tenders/{id}/clarifications", Rule::Stage(Stage::Procure)),
    route("POST", "/procure/tenders/{id}/clarifications/{question}", Rule::CommissionerDashboard),
    route("POST", "/procure/tenders/{id}/answers", Rule::Stage(Stage::Procure)),
    route("POST", "/procure/tenders/{id}/documents", Rule::Stage(Stage::Procure)),
    route("GET", "/procure/accreditation", Rule::Stage(Stage::Procure)),
    route("POST", "/procure/accreditation", Rule::CommissionerDashboard),
    route("GET", "/procure/accreditation/{id}", Rule::Stage(Stage::Procure)),
    route("POST", "/procure/accreditation/{id}/applications", Rule::Stage(Stage::Procure)),
    route("POST", "/procure/accreditation/{id}/decisions", Rule::CommissionerDashboard),
    route("GET", "/procure/red-flags", Rule::CommissionerDashboard),
    route("GET", "/procure/specifications", Rule::CommissionerDashboard),
    route("POST", "/procure/specifications", Rule::CommissionerDashboard),
    route("GET", "/procure/specifications/new", Rule::CommissionerDashboard),
    route("GET", "/procure/specifications/{id}", Rule::CommissionerDashboard),
    route("POST", "/procure/specifications/{id}/versions", Rule::CommissionerDashboard),
    route("POST", "/procure/specifications/{id}/service-change", Rule::CommissionerDashboard),
    route("GET", "/procure/red-flags.csv", Rule::CommissionerDashboard),
    route("GET", "/procure/contracts", Rule::Stage(Stage::Procure)),
    route("GET", "/procure/contracts.xlsx", Rule::Stage(Stage::Procure)),
    route("GET", "/procure/contracts/{id}", Rule::Owned),
    route("POST", "/procure/contracts/{id}/documents", Rule::Owned),
    route("GET", "/procure/contracts/{id}/documents/{document}", Rule::Owned),
    route("POST", "/procure/contracts/{id}/notices", Rule::Owned),
    route("GET", "/procure/contracts/{id}/notices/{notice}", Rule::Owned),
    route("POST", "/procure/contracts/{id}/notices/{notice}/events", Rule::Owned),
    route("POST", "/procure/contracts/{id}/notices/{notice}/milestones", Rule::Owned),
    route("POST", "/procure/contracts/{id}/notices/{notice}/milestones/met", Rule::Owned),
    route("GET", "/procure/contracts/{id}/performance", Rule::Owned),
    route("POST", "/procure/contracts/{id}/kpi-returns", Rule::Owned),
    route("GET", "/procure/contracts/{id}/evaluations", Rule::Owned),
    route("POST", "/procure/contracts/{id}/evaluations", Rule::Owned),
    route("GET", "/procure/contracts/{id}/evaluations/{evaluation}", Rule::Owned),
    route("GET", "/monitor/board-report", Rule::CommissionerDashboard),
    route("GET", "/monitor/providers/{code}/performance", Rule::Owned),
    route("GET", "/monitor", Rule::Stage(Stage::Monitor)),
    route("GET", "/strategy", Rule::Stage(Stage::Strategy)),
    route("GET", "/strategy/plans", Rule::Stage(Stage::Strategy)),
    route("POST", "/strategy/plans", Rule::Stage(Stage::Strategy)),
    route("GET", "/strategy/plans/{id}", Rule::Stage(Stage::Strategy)),
    route("POST", "/strategy/plans/{id}/approval", Rule::Stage(Stage::Strategy)),
    route("POST", "/strategy/plans/{id}/versions", Rule::Stage(Stage::Strategy)),
    route("POST", "/strategy/plans/{id}/objectives", Rule::Stage(Stage::Strategy)),
    route("GET", "/public", Rule::Public),
    route("GET", "/public/providers", Rule::Public),
    route("GET", "/public/providers/{code}", Rule::Public),
    route("GET", "/public/contracts", Rule::Public),
    route("GET", "/public/notices", Rule::Public),
    route("GET", "/public/psr-summary", Rule::Public),
    route("GET", "/public/consultations", Rule::Public),
    route("GET", "/public/consultations/{id}", Rule::Public),
    route("POST", "/public/consultations/{id}/responses", Rule::SignedIn),
    route("GET", "/strategy/assessments", Rule::Stage(Stage::Strategy)),
    route("POST", "/strategy/assessments", Rule::Stage(Stage::Strategy)),
    route("GET", "/strategy/stakeholders", Rule::Stage(Stage::Strategy)),
    route("POST", "/strategy/stakeholders", Rule::Stage(Stage::Strategy)),
    route("GET", "/strategy/consultations", Rule::Stage(Stage::Strategy)),
    route("POST", "/strategy/consultations", Rule::Stage(Stage::Strategy)),
    route("GET", "/strategy/consultations/{id}", Rule::Stage(Stage::Strategy)),
    route("GET", "/strategy/consultations/{id}/responses.csv", Rule::Stage(Stage::Strategy)),
    route("POST", "/strategy/consultations/{id}/responses", Rule::Stage(Stage::Strategy)),
    route("POST", "/strategy/consultations/{id}/outcomes", Rule::Stage(Stage::Strategy)),
    route("POST", "/strategy/consultations/{id}/close", Rule::Stage(Stage::Strategy)),
    route("GET", "/strategy/programmes", Rule::Stage(Stage::Strategy)),
    route("POST", "/strategy/programmes", Rule::Stage(Stage::Strategy)),
    route("GET", "/strategy/programmes/{id}", Rule::Stage(Stage::Strategy)),
    route("GET", "/monitor/performance", Rule::Stage(Stage::Monitor)),
    route("GET", "/monitor/performance/{metric}", Rule::Stage(Stage::Monitor)),
    route("GET", "/monitor/performance/{metric}/{org}", Rule::Stage(Stage::Monitor)),
    route("GET", "/monitor/performance/{metric}/{org}/spc.csv", Rule::Stage(Stage::Monitor)),
    route("GET", "/monitor/providers/{code}", Rule::Owned),
    route("GET", "/monitor/providers/{code}/plan-vs-actual.csv", Rule::Owned),
    route("GET", "/monitor/providers/{code}/challenges", Rule::Owned),
    route("POST", "/monitor/providers/{code}/queries", Rule::Owned),
    route("GET", "/monitor/challenges/{id}", Rule::Owned),
    route("POST", "/monitor/challenges/{id}/respond", Rule::Owned),
    route("GET", "/monitor/queries/{id}", Rule::Owned),
    route("POST", "/monitor/queries/{id}/events", Rule::Owned),
    route("GET", "/api/v1/openapi.json", Rule::Public),
    route("GET", "/api/v1/me", Rule::SignedIn),
    route("GET", "/api/v1/dashboard", Rule::CommissionerDashboard),
    route("GET", "/api/v1/organisations", Rule::ReferenceData),
    route("GET", "/api/v1/organisations/{code}", Rule::ReferenceData),
    route("GET", "/api/v1/areas", Rule::ReferenceData),
    route("GET", "/api/v1/areas/{code}", Rule::ReferenceData),
    route("GET", "/api/v1/activity/summary", Rule::SignedIn),
    route("GET", "/api/v1/providers/{code}/submissions", Rule::Owned),
    route("POST", "/api/v1/providers/{code}/submissions", Rule::Owned),
    route("GET", "/api/v1/providers/{code}/monitoring", Rule::Owned),
    route("GET", "/api/v1/providers/{code}/challenges", Rule::Owned),
    route("POST", "/api/v1/providers/{code}/queries", Rule::Owned),
    route("POST", "/api/v1/challenges/{id}/response", Rule::Owned),
    route("GET", "/api/v1/queries/{id}", Rule::Owned),
    route("POST", "/api/v1/queries/{id}/events", Rule::Owned),
    route("POST", "/api/v1/methods/{name}", Rule::Methods),
    route("GET", "/api/v1/needs", Rule::Stage(Stage::Plan)),
    route("GET", "/api/v1/indicators", Rule::ReferenceData),
    route("GET", "/api/v1/contracts", Rule::Stage(Stage::Procure)),
    route("GET", "/api/v1/contracts/{id}", Rule::Owned),
    route("GET", "/api/v1/contracts/{id}/statement", Rule::Owned),
    route("GET", "/api/v1/contracts/{id}/performance", Rule::Owned),
    route("POST", "/api/v1/contracts/{id}/kpi-returns", Rule::Owned),
    route("GET", "/api/v1/contracts/{id}/evaluations", Rule::Owned),
    route("GET", "/api/v1/plan/findings", Rule::Stage(Stage::Plan)),
    route("POST", "/api/v1/procure/route", Rule::CommissionerDashboard),
    route("GET", "/api/v1/procure/decisions", Rule::CommissionerDashboard),
    route("GET", "/api/v1/tenders/{id}/bids", Rule::Stage(Stage::Procure)),
    route("POST", "/api/v1/tenders/{id}/bids", Rule::Stage(Stage::Procure)),
    route("GET", "/api/v1/tenders/{id}/evaluation", Rule::CommissionerDashboard),
    route("GET", "/api/v1/ocds/release-package", Rule::Public),
    route("GET", "/api/v1/strategy/plans", Rule::Stage(Stage::Strategy)),
    route("GET", "/api/v1/strategy/plans/{id}", Rule::Stage(Stage::Strategy)),
    route("GET", "/api/v1/psr-summary", Rule::Public),
    route("GET", "/api/v1/strategy/assessments/{framework}", Rule::Stage(Stage::Strategy)),
    route("GET", "/api/v1/strategy/consultations", Rule::Stage(Stage::Strategy)),
    route("GET", "/api/v1/strategy/consultations/{id}", Rule::Stage(Stage::Strategy)),
    route("GET", "/api/v1/strategy/programmes/{id}", Rule::Stage(Stage::Strategy)),
    route("GET", "/api/v1/audit", Rule::Administer),
    route("GET", "/api/v1/users", Rule::Administer),
];

pub(crate) fn rule_for(method: &Method, path: &str) -> Option<Rule> {
    let method = if *method == Method::HEAD { "GET" } else { method.as_str() };
    ROUTES.iter().find(|r| r.method == method && r.path == path).map(|r| r.rule)
}

/// Applies the route's rule, then checks CSRF on state-changing browser requests.
pub(crate) async fn authorize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let refuse = |error: Error| {
        if is_api { ApiError(error).into_response() } else { error.into_response() }
    };
    let Some(matched) = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()) else {
        return refuse(Error::NotFound);
    };
    let Some(rule) = rule_for(request.method(), &matched) else {
        let allowed: Vec<&str> = ROUTES.iter().filter(|r| r.path == matched).map(|r| r.method).collect();
        if !allowed.is_empty() {
            // A known route asked with a method it does not have.
            let allow =
                if allowed.contains(&"GET") { format!("{}, HEAD", allowed.join(", ")) } else { allowed.join(", ") };
            return (StatusCode::METHOD_NOT_ALLOWED, [(axum::http::header::ALLOW, allow)], "method not allowed")
                .into_response();
        }
        tracing::error!(method = %request.method(), route = matched, "route has no access rule; refusing");
        return refuse(Error::Unexpected(anyhow::anyhow!("route {matched} has no access rule")));
    };
    let user = request.extensions().get::<CurrentUser>().cloned().unwrap_or_default();
    let principal = user.session.as_ref().map(|s| &s.principal);
    if rule == Rule::Owned && principal.is_none() {
        let next = request.uri().path().to_owned();
        return refuse(Error::SignInRequired { next });
    }
    // A person with a temporary password must change it before anything else.
    if let Some(session) = user.session.as_ref().filter(|s| s.must_change_password) {
        let allowed_before_change = ["/profile/password", "/sign-out", "/assets/{*path}", "/health", "/"];
        if !allowed_before_change.contains(&matched.as_str()) {
            let _ = session;
            return if is_api {
                refuse(Error::Forbidden)
            } else {
                axum::response::Redirect::to("/profile/password").into_response()
            };
        }
    }
    match decide(principal, &rule.action()) {
        Decision::Allow => {}
        Decision::SignInRequired => {
            let next = request.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
            return refuse(Error::SignInRequired { next });
        }
        Decision::Forbidden => return refuse(Error::Forbidden),
        Decision::NotFound => return refuse(Error::NotFound),
    }
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !changes_state || user.via_token {
        return next.run(request).await;
    }
    // A browser request that changes state must prove it came from our own page.
    let expected = match &user.session {
        Some(session) => Some(session.csrf_token.clone()),
        None => read_cookie(request.headers(), PRE_SESSION_CSRF_COOKIE),
    };
    let (request, presented) = if is_api {
        let header = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
        (request, header)
    } else {
        let limit = if matched == DOCUMENT_UPLOAD {
            app::contract_lines::MAX_DOCUMENT_BYTES + 64 * 1024
        } else if matched == BID_DOCUMENT_UPLOAD {
            app::tender_questions::MAX_BID_DOCUMENT_BYTES + 64 * 1024
        } else {
            state.settings.max_body_bytes
        };
        match form_csrf_token(request, limit).await {
            Ok(pair) => pair,
            Err(response) => return response,
        }
    };
    match (expected, presented) {
        (Some(expected), Some(presented)) if constant_time_eq(expected.as_bytes(), presented.as_bytes()) => {
            next.run(request).await
        }
        _ => {
            tracing::warn!(route = matched, "CSRF token missing or wrong");
            refuse(Error::BadRequest(
                "Your form expired or did not come from this service. Go back, reload the page and try again.".into(),
            ))
        }
    }
}

/// The routes whose forms are multipart (file uploads).
const DOCUMENT_UPLOAD: &str = "/procure/contracts/{id}/documents";
const BID_DOCUMENT_UPLOAD: &str = "/procure/tenders/{id}/documents";

/// Reads `csrf_token` from a URL-encoded or multipart form body and puts the body back.
async fn form_csrf_token(request: Request, limit: usize) -> Result<(Request, Option<String>), Response> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response())?;
    let content_type =
        parts.headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let token = if content_type.starts_with("application/x-www-form-urlencoded") {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|fields| fields.into_iter().find(|(name, _)| name == "csrf_token").map(|(_, value)| value))
    } else if content_type.starts_with("multipart/form-data") {
        multipart_csrf_token(&content_type, bytes.clone()).await
    } else {
        None
    };
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

/// The `csrf_token` field of a multipart body. The page puts it first, so only the body's
/// first 64 KiB are parsed (the rest may be a large file).
async fn multipart_csrf_token(content_type: &str, bytes: axum::body::Bytes) -> Option<String> {
    use axum::extract::FromRequest;
    let prefix = bytes.slice(..bytes.len().min(64 * 1024));
    let request =
        Request::builder().header(axum::http::header::CONTENT_TYPE, content_type).body(Body::from(prefix)).ok()?;
    let mut multipart = axum::extract::Multipart::from_request(request, &()).await.ok()?;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("csrf_token") {
            return field.text().await.ok();
        }
    }
    None
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
