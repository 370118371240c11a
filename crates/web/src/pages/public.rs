//! The public area, open without signing in: services and providers with their quality
//! information for patient choice, contracts awarded, Provider Selection Regime notices and
//! the annual summary, and consultations on service change with "you said, we did".

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use commissioning::period::FinancialYear;
use nhsuk::components::table::{Cell, Table};

use crate::auth::{CurrentUser, SignedIn};
use crate::error::Error;
use crate::layout;
use crate::pages::{MAX_NUMBERED, field_error, numbered_fields};
use crate::state::AppState;

/// A public page: the public area's links above its content.
fn page(title: &str, content: Markup) -> Html<String> {
    let nav = [
        ("/public", "Public information"),
        ("/public/providers", "Services and providers"),
        ("/public/contracts", "Contracts awarded"),
        ("/public/notices", "Provider selection notices"),
        ("/public/psr-summary", "Annual summary"),
        ("/public/consultations", "Consultations"),
    ];
    Html(layout::bare_page(
        title,
        html! {
            nav aria-label="Public information" {
                ul class="nhsuk-list nhsuk-u-font-size-16 app-inline-list" {
                    @for (href, text) in nav { li { a href=(href) { (text) } } }
                }
            }
            (content)
        },
    ))
}

fn percent(value: f64) -> String {
    format!("{value:.1}%")
}

pub(crate) async fn index(State(state): State<AppState>) -> Result<Html<String>, Error> {
    let consultations = state.app.public_consultations(chrono::Utc::now().date_naive()).await?;
    let engagement = state.app.public_consultation_list().await?;
    let open = consultations.iter().filter(|c| c.open).count()
        + engagement.iter().filter(|c| c.status == commissioning::strategy::engagement::Status::Open).count();
    Ok(page(
        "Public information",
        html! {
            h1 { "Public information" }
            p class="nhsuk-lede-text" { "What we buy, from whom, how well it is done, and how we decide." }
            ul class="nhsuk-list nhsuk-list--bullet" {
                li { a href="/public/providers" { "Services and providers" } ": quality, patient feedback and waiting times, to help you choose" }
                li { a href="/public/contracts" { "Contracts awarded" } }
                li { a href="/public/notices" { "Provider selection notices" } ": intentions to award and awards under the Provider Selection Regime" }
                li { a href="/public/psr-summary" { "Provider Selection Regime annual summary" } }
                li { a href="/public/consultations" { "Consultations" } " (" (open) " open now)" }
            }
        },
    ))
}

pub(crate) async fn providers(State(state): State<AppState>) -> Result<Html<String>, Error> {
    let providers = state.app.public_providers().await?;
    Ok(page(
        "Services and providers",
        html! {
            h1 { "Services and providers" }
            p { "The providers we buy services from. Each page shows the latest results against the standards in their contracts and what patients say." }
            (Table::new(
                "Providers",
                vec![Cell::text("Provider"), Cell::text("Services"), Cell::text("Standards met at the latest month")],
                providers.iter().map(|p| {
                    let kpis: Vec<_> = p.services.iter().flat_map(|s| &s.kpis).collect();
                    let met = kpis.iter().filter(|k| k.met).count();
                    vec![
                        Cell::html(html! { a href={ "/public/providers/" (p.code) } { (p.name) } }),
                        Cell::text(p.services.iter().map(|s| s.title.as_str()).collect::<Vec<_>>().join("; ")),
                        Cell::text(&if kpis.is_empty() { "None reported yet".to_owned() } else { format!("{met} of {}", kpis.len()) }),
                    ]
                }).collect(),
            ))
        },
    ))
}

pub(crate) async fn provider(State(state): State<AppState>, Path(code): Path<String>) -> Result<Html<String>, Error> {
    let provider = state.app.public_provider(&code).await?;
    Ok(page(
        &provider.name,
        html! {
            span class="nhsuk-caption-l" { "Provider " (provider.code) }
            h1 { (provider.name) }
            @for service in &provider.services {
                h2 { (service.title) }
                @if let Some((fft, months)) = &service.friends_and_family {
                    p { "Friends and Family Test: " strong { (percent(fft.value)) } " of patients rated the service good or very good over " (months) " months (95% interval " (percent(fft.lower)) " to " (percent(fft.upper)) ")." }
                }
                @if service.kpis.is_empty() {
                    p { "No results reported yet." }
                } @else {
                    (Table::new(
                        format!("Standards for {}", service.title),
                        vec![Cell::text("Standard"), Cell::text("Month"), Cell::text("Result"), Cell::text("Standard to meet"), Cell::text("Met")],
                        service.kpis.iter().map(|k| vec![
                            Cell::text(&k.name),
                            Cell::text(&k.month),
                            Cell::text(format!("{:.1}", k.value)),
                            Cell::text(format!("{} {:.1}", if k.higher_is_better { "at least" } else { "at most" }, k.threshold)),
                            Cell::text(if k.met { "Yes" } else { "No" }),
                        ]).collect(),
                    ))
                }
            }
            @if !provider.national.is_empty() {
                h2 { "Waiting times against the national standards" }
                (Table::new(
                    "National standards",
                    vec![Cell::text("Standard"), Cell::text("Month"), Cell::text("Result"), Cell::text("Met")],
                    provider.national.iter().map(|(name, month, value, met)| vec![
                        Cell::text(name),
                        Cell::text(month.format("%B %Y").to_string()),
                        Cell::text(percent(*value)),
                        Cell::text(match met { Some(true) => "Yes", Some(false) => "No", None => "No standard" }),
                    ]).collect(),
                ))
            }
        },
    ))
}

pub(crate) async fn contracts(State(state): State<AppState>) -> Result<Html<String>, Error> {
    let contracts = state.app.public_contracts().await?;
    Ok(page(
        "Contracts awarded",
        html! {
            h1 { "Contracts awarded" }
            (Table::new(
                "Contracts",
                vec![Cell::text("Contract"), Cell::text("Provider"), Cell::text("From"), Cell::text("To"), Cell::numeric("Annual value")],
                contracts.iter().map(|c| vec![
                    Cell::text(format!("{} ({})", c.title, c.id)),
                    Cell::html(html! { a href={ "/public/providers/" (c.provider_code) } { (c.provider_name) } }),
                    Cell::text(c.start.to_string()),
                    Cell::text(c.end.to_string()),
                    Cell::numeric(c.annual_value.to_string()),
                ]).collect(),
            ))
        },
    ))
}

pub(crate) async fn notices(State(state): State<AppState>) -> Result<Html<String>, Error> {
    let notices = state.app.public_notices().await?;
    Ok(page(
        "Provider selection notices",
        html! {
            h1 { "Provider selection notices" }
            p { "Notices under the Provider Selection Regime: an intention to award starts a standstill of eight working days; an award notice follows the award." }
            (Table::new(
                "Notices",
                vec![Cell::text("Published"), Cell::text("Notice"), Cell::text("Service"), Cell::text("Process"), Cell::text("Provider")],
                notices.iter().map(|n| vec![
                    Cell::text(n.published_on.to_string()),
                    Cell::text(n.kind),
                    Cell::text(&n.title),
                    Cell::text(n.process.label()),
                    Cell::text(n.provider.as_deref().unwrap_or("")),
                ]).collect(),
            ))
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct YearQuery {
    year: Option<String>,
}

pub(crate) async fn psr_summary(
    State(state): State<AppState>,
    Query(query): Query<YearQuery>,
) -> Result<Html<String>, Error> {
    let year = match query.year.as_deref().filter(|y| !y.trim().is_empty()) {
        Some(text) => Some(FinancialYear::parse(text).map_err(|_| Error::NotFound)?),
        None => None,
    };
    let summary = state.app.psr_annual_summary(year).await?;
    let years = state.app.psr_summary_years().await?;
    Ok(page(
        "Provider Selection Regime annual summary",
        html! {
            span class="nhsuk-caption-l" { (summary.year) }
            h1 { "Provider Selection Regime annual summary" }
            p { "Generated from our decision log, as regulation 25 of the Health Care Services (Provider Selection Regime) Regulations 2023 requires." }
            @if years.len() > 1 {
                p { "Other years: " @for y in years.iter().filter(|y| y.to_string() != summary.year) { a href={ "/public/psr-summary?year=" (y) } { (y) } " " } }
            }
            (Table::new(
                "Contracts awarded by process",
                vec![Cell::text("Process"), Cell::numeric("Contracts")],
                summary.by_process.iter().map(|(p, n)| vec![Cell::text(p.label()), Cell::numeric(n.to_string())])
                    .chain(std::iter::once(vec![Cell::html(html! { strong { "All processes" } }), Cell::numeric(summary.total.to_string())]))
                    .collect(),
            ))
            (Table::new(
                "Other counts",
                vec![Cell::text("What"), Cell::numeric("Number")],
                vec![
                    vec![Cell::text("Framework agreements concluded"), Cell::numeric(summary.frameworks_concluded.to_string())],
                    vec![Cell::text("Contracts called off from frameworks"), Cell::numeric(summary.call_offs.to_string())],
                    vec![Cell::text("Urgent awards"), Cell::numeric(summary.urgent_awards.to_string())],
                    vec![Cell::text("Urgent modifications"), Cell::numeric(summary.urgent_modifications.to_string())],
                    vec![Cell::text("Contracts awarded to providers new to us"), Cell::numeric(summary.new_providers.to_string())],
                    vec![Cell::text("Written representations received"), Cell::numeric(summary.representations.len().to_string())],
                ],
            ))
            @if !summary.representations.is_empty() {
                h2 { "Representations" }
                @for r in &summary.representations {
                    p { strong { (r.procurement) } " (" (r.received_on) "): " (r.summary) }
                }
            }
        },
    ))
}

pub(crate) async fn consultations(State(state): State<AppState>) -> Result<Html<String>, Error> {
    let consultations = state.app.public_consultations(chrono::Utc::now().date_naive()).await?;
    let engagement = state.app.public_consultation_list().await?;
    Ok(page(
        "Consultations",
        html! {
            h1 { "Consultations" }
            @if consultations.is_empty() && engagement.is_empty() { p { "There are no consultations." } }
            @for c in &engagement {
                h2 { a href={ "/public/consultations/" (c.id) } { (c.title) } }
                p { (c.stage.label()) ". "
                    @match c.status {
                        commissioning::strategy::engagement::Status::Open => { strong { "Open" } " until " (c.closes) ": have your say." },
                        commissioning::strategy::engagement::Status::Upcoming => { "Opens on " (c.opens) "." },
                        commissioning::strategy::engagement::Status::Closed => { "Ran from " (c.opens) " to " (c.closes) "." },
                    }
                    @if c.outcomes > 0 { " See what we did about it." }
                }
            }
            @for c in &consultations {
                h2 { (c.title) }
                p { "Service change. " @if c.open { strong { "Open" } " until " } @else { "Ran from " (c.opens) " to " } (c.closes) }
                @if !c.outcome.is_empty() {
                    h3 { "You said, we did" }
                    p { (c.outcome) }
                }
            }
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Thanks {
    #[serde(default)]
    thanks: Option<String>,
}

/// A consultation as the public sees it, with the response form for anyone signed in.
pub(crate) async fn consultation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<Thanks>,
) -> Result<Html<String>, Error> {
    let view = state.app.public_consultation(id).await?;
    let content = crate::pages::strategy::engagement::public_consultation_page(
        &view,
        &user,
        &[],
        &Vec::new(),
        query.thanks.is_some(),
    );
    Ok(page(&view.summary.title, content))
}

/// A signed-in person's response to an open consultation.
pub(crate) async fn respond(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let view = state.app.public_consultation(id).await?;
    let answers: Vec<String> =
        numbered_fields(&fields, "answer", MAX_NUMBERED).into_iter().take(view.questions.len()).collect();
    let errors = match state.app.respond_to_consultation(&session.principal, id, &answers).await {
        Ok(_) => return Ok(Redirect::to(&format!("/public/consultations/{id}?thanks=1")).into_response()),
        Err(app::AppError::Invalid(message)) => vec![field_error(&message, "answer_1")],
        Err(other) => return Err(other.into()),
    };
    let content = crate::pages::strategy::engagement::public_consultation_page(&view, &user, &answers, &errors, false);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&view.summary.title, content)).into_response())
}
