//! The router: every route, the policy and session middleware, security headers and limits.
//!
//! Each `.route(…)` here must have an entry in `policy::ROUTES`; the route matrix test reads
//! this file to check it.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware;
use axum::routing::{get, post};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use app::App;

use crate::ratelimit::RateLimiter;
use crate::state::{AppState, WebSettings};
use crate::{api, assets, auth, pages, policy};

/// Builds the whole web application over an [`App`].
pub fn router(app: App, settings: WebSettings) -> Router {
    let max_body = settings.max_body_bytes;
    // Documents are larger than forms: their one route lifts the limit to theirs.
    let max_document = app::contract_lines::MAX_DOCUMENT_BYTES + 64 * 1024;
    let max_bid_document = app::tender_questions::MAX_BID_DOCUMENT_BYTES + 64 * 1024;
    let limiter = RateLimiter::new(settings.sign_in_attempts_per_minute, std::time::Duration::from_secs(60));
    let state = AppState { app, settings: Arc::new(settings), sign_in_limiter: Arc::new(limiter) };
    let routes = Router::new()
        .route("/", get(pages::home::start))
        .route("/health", get(api::health))
        .route("/assets/{*path}", get(assets::asset))
        .route("/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/sign-out", post(auth::sign_out))
        .route("/profile", get(pages::home::profile))
        .route("/profile/password", get(auth::password_page).post(auth::change_password))
        .route("/tokens", get(pages::tokens::tokens).post(pages::tokens::create))
        .route("/tokens/{id}/revoke", post(pages::tokens::revoke))
        .route("/admin/users", get(pages::admin::users))
        .route("/admin/users/new", get(pages::admin::new_user_page).post(pages::admin::create_user))
        .route("/admin/users/{id}", get(pages::admin::show_user))
        .route("/admin/users/{id}/roles", post(pages::admin::set_roles))
        .route("/admin/users/{id}/unlock", post(pages::admin::unlock))
        .route("/admin/users/{id}/reset-password", post(pages::admin::reset_password))
        .route(
            "/admin/organisations/new",
            get(pages::admin::new_organisation_page).post(pages::admin::create_organisation),
        )
        .route("/admin/audit", get(pages::admin::audit))
        .route("/dashboard", get(pages::dashboard::dashboard))
        .route("/dashboard/population.csv", get(pages::dashboard::population_csv))
        .route("/dashboard/deprivation.csv", get(pages::dashboard::deprivation_csv))
        .route("/organisations", get(pages::organisations::list))
        .route("/organisations/{code}", get(pages::organisations::show))
        .route("/areas", get(pages::areas::list))
        .route("/areas/{code}", get(pages::areas::show))
        .route("/areas/{code}/population.csv", get(pages::areas::population_csv))
        .route("/plan", get(pages::plan::plan))
        .route("/plan/needs", get(pages::plan::needs::overview))
        .route("/plan/needs/indicators.csv", get(pages::plan::needs::indicators_csv))
        .route("/plan/needs/places.csv", get(pages::plan::needs::places_csv))
        .route("/plan/needs/unmet-need.csv", get(pages::plan::needs::unmet_need_csv))
        .route("/plan/needs/assessment.xlsx", get(pages::plan::needs::xlsx))
        .route("/plan/needs/report", get(pages::plan::needs::report))
        .route("/plan/needs/indicators/{id}", get(pages::plan::needs::indicator))
        .route("/plan/needs/indicators/{id}/places.csv", get(pages::plan::needs::indicator_places_csv))
        .route("/plan/needs/indicators/{id}/funnel.csv", get(pages::plan::needs::indicator_funnel_csv))
        .route("/plan/capacity", get(pages::plan::capacity::plan))
        .route("/plan/capacity/weeks.csv", get(pages::plan::capacity::weeks_csv))
        .route("/plan/capacity/forecast", get(pages::plan::capacity::forecast))
        .route("/plan/capacity/rtt", get(pages::plan::capacity::rtt))
        .route("/plan/capacity/rtt.csv", get(pages::plan::capacity::rtt_csv))
        .route("/plan/gaps", get(pages::plan::gaps::gaps))
        .route("/plan/gaps.csv", get(pages::plan::gaps::gaps_csv))
        .route("/plan/gaps.xlsx", get(pages::plan::gaps::gaps_xlsx))
        .route("/plan/peers", get(pages::plan::peers::peers))
        .route("/plan/priorities", get(pages::plan::priorities::list).post(pages::plan::priorities::create))
        .route("/plan/priorities/{id}", get(pages::plan::priorities::show))
        .route("/plan/priorities/{id}/options", post(pages::plan::priorities::add_option))
        .route("/plan/priorities/{id}/scores", post(pages::plan::priorities::scores))
        .route("/plan/priorities/{id}/decisions", post(pages::plan::priorities::decide_option))
        .route("/plan/priorities/{id}/portfolio.csv", get(pages::plan::priorities::portfolio_csv))
        .route("/plan/capacity/rtt/{provider}", get(pages::plan::capacity::rtt_provider))
        .route("/plan/needs/indicators/{id}/deprivation.csv", get(pages::plan::needs::indicator_deprivation_csv))
        .route("/plan/needs/places/{code}", get(pages::plan::needs::place))
        .route("/plan/needs/places/{code}/profile.csv", get(pages::plan::needs::place_csv))
        .route("/procure", get(pages::procure::procure))
        .route("/procure/decisions", get(pages::procure::decisions::decisions).post(pages::procure::decisions::record))
        .route("/procure/decisions/new", get(pages::procure::decisions::new_decision))
        .route("/procure/decisions/{id}", get(pages::procure::decisions::decision))
        .route("/procure/tenders", get(pages::procure::tenders::tenders).post(pages::procure::tenders::create))
        .route("/procure/tenders/new", get(pages::procure::tenders::new_tender))
        .route("/procure/tenders/{id}", get(pages::procure::tenders::tender))
        .route("/procure/tenders/{id}/events", post(pages::procure::tenders::step))
        .route("/procure/tenders/{id}/bids", post(pages::procure::tenders::bid))
        .route("/procure/tenders/{id}/declarations", post(pages::procure::tenders::declare))
        .route("/procure/tenders/{id}/scores", post(pages::procure::tenders::score))
        .route("/procure/tenders/{id}/moderation", post(pages::procure::tenders::moderate))
        .route("/procure/tenders/{id}/intention", post(pages::procure::tenders::intention))
        .route("/procure/tenders/{id}/representations", post(pages::procure::tenders::representation))
        .route("/procure/tenders/{id}/review", post(pages::procure::tenders::review))
        .route("/procure/tenders/{id}/award", post(pages::procure::tenders::award))
        .route("/procure/tenders/{id}/clarifications", post(pages::procure::tenders::ask))
        .route("/procure/tenders/{id}/clarifications/{question}", post(pages::procure::tenders::answer))
        .route("/procure/tenders/{id}/answers", post(pages::procure::tenders::pass_fail))
        .route(
            "/procure/tenders/{id}/documents",
            post(pages::procure::tenders::upload).layer(DefaultBodyLimit::max(max_bid_document)),
        )
        .route(
            "/procure/accreditation",
            get(pages::procure::accreditation::schemes).post(pages::procure::accreditation::create),
        )
        .route("/procure/accreditation/{id}", get(pages::procure::accreditation::scheme))
        .route("/procure/accreditation/{id}/applications", post(pages::procure::accreditation::apply))
        .route("/procure/accreditation/{id}/decisions", post(pages::procure::accreditation::decide_application))
        .route("/procure/red-flags", get(pages::procure::redflags::red_flags))
        .route(
            "/procure/specifications",
            get(pages::procure::specifications::specifications).post(pages::procure::specifications::create),
        )
        .route("/procure/specifications/new", get(pages::procure::specifications::new_specification))
        .route("/procure/specifications/{id}", get(pages::procure::specifications::specification))
        .route("/procure/specifications/{id}/versions", post(pages::procure::specifications::revise))
        .route("/procure/specifications/{id}/service-change", post(pages::procure::specifications::service_change))
        .route("/procure/red-flags.csv", get(pages::procure::redflags::red_flags_csv))
        .route("/procure/contracts", get(pages::procure::contracts::register))
        .route("/procure/contracts.xlsx", get(pages::procure::contracts::register_xlsx))
        .route("/procure/contracts/{id}", get(pages::procure::contracts::contract))
        .route(
            "/procure/contracts/{id}/documents",
            post(pages::procure::contracts::upload_document).layer(DefaultBodyLimit::max(max_document)),
        )
        .route("/procure/contracts/{id}/documents/{document}", get(pages::procure::contracts::document))
        .route("/procure/contracts/{id}/notices", post(pages::procure::notices::serve))
        .route("/procure/contracts/{id}/performance", get(pages::procure::performance::performance))
        .route("/procure/contracts/{id}/kpi-returns", post(pages::procure::performance::kpi_return))
        .route(
            "/procure/contracts/{id}/evaluations",
            get(pages::procure::performance::evaluations).post(pages::procure::performance::record_evaluation),
        )
        .route("/procure/contracts/{id}/evaluations/{evaluation}", get(pages::procure::performance::evaluation))
        .route("/procure/contracts/{id}/notices/{notice}", get(pages::procure::notices::notice))
        .route("/procure/contracts/{id}/notices/{notice}/events", post(pages::procure::notices::event))
        .route("/procure/contracts/{id}/notices/{notice}/milestones", post(pages::procure::notices::add_milestone))
        .route("/procure/contracts/{id}/notices/{notice}/milestones/met", post(pages::procure::notices::milestone_met))
        .route("/monitor", get(pages::monitor::monitor))
        .route("/strategy", get(pages::strategy::strategy))
        .route("/strategy/plans", get(pages::strategy::plans).post(pages::strategy::create_plan))
        .route("/strategy/plans/{id}", get(pages::strategy::plan))
        .route("/strategy/plans/{id}/approval", post(pages::strategy::approve))
        .route("/strategy/plans/{id}/versions", post(pages::strategy::revise))
        .route("/strategy/plans/{id}/objectives", post(pages::strategy::add_objective))
        .route("/public", get(pages::public::index))
        .route("/public/providers", get(pages::public::providers))
        .route("/public/providers/{code}", get(pages::public::provider))
        .route("/public/contracts", get(pages::public::contracts))
        .route("/public/notices", get(pages::public::notices))
        .route("/public/psr-summary", get(pages::public::psr_summary))
        .route("/public/consultations", get(pages::public::consultations))
        .route("/public/consultations/{id}", get(pages::public::consultation))
        .route("/public/consultations/{id}/responses", post(pages::public::respond))
        .route(
            "/strategy/assessments",
            get(pages::strategy::assessments::assessment).post(pages::strategy::assessments::score),
        )
        .route(
            "/strategy/stakeholders",
            get(pages::strategy::engagement::stakeholders).post(pages::strategy::engagement::add_stakeholder),
        )
        .route(
            "/strategy/consultations",
            get(pages::strategy::engagement::consultations).post(pages::strategy::engagement::create),
        )
        .route("/strategy/consultations/{id}", get(pages::strategy::engagement::consultation))
        .route("/strategy/consultations/{id}/responses.csv", get(pages::strategy::engagement::responses_csv))
        .route("/strategy/consultations/{id}/responses", post(pages::strategy::engagement::record_response))
        .route("/strategy/consultations/{id}/outcomes", post(pages::strategy::engagement::add_outcome))
        .route("/strategy/consultations/{id}/close", post(pages::strategy::engagement::close))
        .route(
            "/strategy/programmes",
            get(pages::strategy::programmes::programmes).post(pages::strategy::programmes::create),
        )
        .route("/strategy/programmes/{id}", get(pages::strategy::programmes::programme))
        .route("/monitor/performance", get(pages::performance::metrics))
        .route("/monitor/performance/{metric}", get(pages::performance::metric))
        .route("/monitor/performance/{metric}/{org}", get(pages::performance::organisation))
        .route("/monitor/performance/{metric}/{org}/spc.csv", get(pages::performance::organisation_csv))
        .route("/monitor/board-report", get(pages::performance::board_report))
        .route("/monitor/providers/{code}/performance", get(pages::performance::provider))
        .route("/monitor/providers/{code}", get(pages::monitor::provider))
        .route("/monitor/providers/{code}/plan-vs-actual.csv", get(pages::monitor::plan_vs_actual_csv))
        .route("/monitor/providers/{code}/challenges", get(pages::monitor::challenges))
        .route("/monitor/providers/{code}/queries", post(pages::monitor::raise_query))
        .route("/monitor/challenges/{id}", get(pages::monitor::challenge))
        .route("/monitor/challenges/{id}/respond", post(pages::monitor::respond))
        .route("/monitor/queries/{id}", get(pages::monitor::query))
        .route("/monitor/queries/{id}/events", post(pages::monitor::query_event))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/dashboard", get(api::dashboard))
        .route("/api/v1/organisations", get(api::organisations))
        .route("/api/v1/organisations/{code}", get(api::organisation))
        .route("/api/v1/areas", get(api::areas))
        .route("/api/v1/areas/{code}", get(api::area))
        .route("/api/v1/activity/summary", get(api::activity_summary))
        .route("/api/v1/providers/{code}/submissions", get(api::submissions).post(api::submit))
        .route("/api/v1/providers/{code}/monitoring", get(api::monitoring))
        .route("/api/v1/providers/{code}/challenges", get(api::challenges))
        .route("/api/v1/providers/{code}/queries", post(api::raise_query))
        .route("/api/v1/challenges/{id}/response", post(api::answer_challenge))
        .route("/api/v1/queries/{id}", get(api::query))
        .route("/api/v1/queries/{id}/events", post(api::query_event))
        .route("/api/v1/methods/{name}", post(api::method))
        .route("/api/v1/needs", get(api::needs))
        .route("/api/v1/indicators", get(api::indicators))
        .route("/api/v1/contracts", get(api::contracts))
        .route("/api/v1/contracts/{id}", get(api::contract))
        .route("/api/v1/contracts/{id}/statement", get(api::contract_statement))
        .route("/api/v1/contracts/{id}/performance", get(api::contract_performance))
        .route("/api/v1/contracts/{id}/kpi-returns", post(api::kpi_return))
        .route("/api/v1/contracts/{id}/evaluations", get(api::contract_evaluations))
        .route("/api/v1/plan/findings", get(api::plan_findings))
        .route("/api/v1/procure/route", post(api::procure_route))
        .route("/api/v1/procure/decisions", get(api::procure_decisions))
        .route("/api/v1/tenders/{id}/bids", get(api::tender_bids).post(api::submit_bid))
        .route("/api/v1/tenders/{id}/evaluation", get(api::tender_evaluation))
        .route("/api/v1/ocds/release-package", get(api::ocds_release_package))
        .route("/api/v1/strategy/plans", get(api::strategy_plans))
        .route("/api/v1/strategy/plans/{id}", get(api::strategy_plan))
        .route("/api/v1/psr-summary", get(api::psr_summary))
        .route("/api/v1/strategy/assessments/{framework}", get(api::strategy_assessment))
        .route("/api/v1/strategy/consultations", get(api::strategy_consultations))
        .route("/api/v1/strategy/consultations/{id}", get(api::strategy_consultation))
        .route("/api/v1/strategy/programmes/{id}", get(api::strategy_programme))
        .route("/api/v1/audit", get(api::audit))
        .route("/api/v1/users", get(api::users));
    routes
        .route_layer(middleware::from_fn_with_state(state.clone(), policy::authorize))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), auth::load_session))
        .layer(RequestBodyLimitLayer::new(max_body.max(max_document)))
        .layer(security_header("content-security-policy", CONTENT_SECURITY_POLICY))
        .layer(security_header("x-content-type-options", "nosniff"))
        .layer(security_header("x-frame-options", "DENY"))
        .layer(security_header("referrer-policy", "same-origin"))
        .layer(security_header("permissions-policy", "camera=(), microphone=(), geolocation=()"))
        .layer(security_header("cross-origin-opener-policy", "same-origin"))
        .with_state(state)
}

/// No inline scripts or styles, nothing from other sites, never framed.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

fn security_header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(HeaderName::from_static(name), HeaderValue::from_static(value))
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        crate::error::ApiError(crate::error::Error::NotFound).into_response()
    } else {
        crate::error::Error::NotFound.into_response()
    }
}
