//! A contract's performance tab — KPIs with RAG, SPC charts and icons, the "Making Data
//! Count" matrix, the provider's KPI return upload, quality and experience — and its
//! evaluations: the report, the form to record a recommendation, and each record.

use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};

use app::accounts::Session;
use app::contract_performance::{ContractPerformance, KpiPerformance, QualitySeries};
use app::evaluation::{EvaluationInput, EvaluationReport, EvaluationView};
use app::performance::MatrixCell;
use commissioning::access::{Action, Decision, Stage, decide};
use commissioning::money::Money;
use commissioning::monitor::quality::{QualityKind, Rag, Recommendation};
use commissioning::period::parse_date;
use nhsuk::components::button::Button;
use nhsuk::components::error_summary::ErrorSummary;
use nhsuk::components::input::Input;
use nhsuk::components::label::Label;
use nhsuk::components::select::{Select, SelectItem};
use nhsuk::components::table::{Cell, Table};
use nhsuk::components::textarea::Textarea;

use crate::auth::SignedIn;
use crate::charts;
use crate::error::Error;
use crate::format::thousands;
use crate::layout::{self, Section};
use crate::pages::performance::{assurance_tag, variation_tag};
use crate::pages::procure::contracts::{file_upload, today};
use crate::pages::summary;
use crate::state::AppState;

/// The links between a contract's pages (evaluations are the commissioner's side's).
pub(crate) fn contract_tabs(id: &str, current: &str, session: &Session) -> Markup {
    let mut tabs = vec![("Contract", String::new()), ("Performance", "/performance".to_owned())];
    if session.principal.is_commissioner_side() {
        tabs.push(("Evaluation", "/evaluations".to_owned()));
    }
    html! {
        nav class="app-tabs" aria-label="Contract pages" {
            ul class="app-tabs__list" {
                @for (label, suffix) in &tabs {
                    li class="app-tabs__item" {
                        @if *label == current {
                            a class="app-tabs__link app-tabs__link--current" aria-current="page" href={ "/procure/contracts/" (id) (suffix) } { (label) }
                        } @else {
                            a class="app-tabs__link" href={ "/procure/contracts/" (id) (suffix) } { (label) }
                        }
                    }
                }
            }
        }
    }
}

pub(crate) fn rag_tag(rag: Option<Rag>) -> Markup {
    match rag {
        None => html! { strong class="nhsuk-tag nhsuk-tag--white" { "No results" } },
        Some(rag) => {
            let colour = match rag {
                Rag::Red => "red",
                Rag::Amber => "orange",
                Rag::Green => "green",
            };
            html! { strong class={ "nhsuk-tag nhsuk-tag--" (colour) } { (rag.label()) } }
        }
    }
}

/// A "Making Data Count" matrix as a table: each cell's icons and what is in it.
pub(crate) fn matrix_table(caption: &str, matrix: &[MatrixCell]) -> Markup {
    html! {
        (Table::new(
            caption.to_owned(),
            vec![Cell::text("Variation"), Cell::text("Assurance"), Cell::numeric("Measures"), Cell::text("Which")],
            matrix.iter().map(|cell| vec![
                Cell::html(variation_tag(cell.variation)),
                Cell::html(assurance_tag(cell.assurance)),
                Cell::numeric(cell.members.len().to_string()),
                Cell::text(cell.members.join("; ")),
            ]).collect(),
        ))
    }
}

fn kpi_block(index: usize, kpi: &KpiPerformance) -> Markup {
    let direction = if kpi.kpi.higher_is_better { "at least" } else { "at most" };
    html! {
        div class="app-kpi" {
            h3 id={ "kpi-" (kpi.kpi.code) } { (kpi.kpi.code) ": " (kpi.kpi.name) }
            p {
                (rag_tag(kpi.rag)) " Threshold " (direction) " " (kpi.kpi.threshold) " (" (kpi.kpi.level.label()) "; " (kpi.kpi.kind.label()) ")"
                @if let Some(latest) = kpi.results.last() { ". Latest " strong { (latest.value) } " in " (latest.month) }
            }
            @if !kpi.kpi.numerator.is_empty() {
                p class="nhsuk-body-s" { "Counts " (kpi.kpi.numerator) " out of " (kpi.kpi.denominator) "." }
            }
            @if let Some(spc) = &kpi.spc {
                p { (variation_tag(spc.variation_type)) " " (assurance_tag(spc.assurance_type)) }
                @for warning in &spc.warnings { p class="nhsuk-body-s" { strong { "Note: " } (warning) } }
                (charts::spc_chart(&format!("kpi-spc-{index}"), &format!("{}: {}", kpi.kpi.code, kpi.kpi.name), spc, Some(kpi.kpi.threshold.to_f64()), "", false))
            } @else {
                p class="nhsuk-body-s" { "A chart needs two or more months of results." }
            }
            @if !kpi.results.is_empty() {
                details class="nhsuk-details" {
                    summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "Monthly results of " (kpi.kpi.code) } }
                    div class="nhsuk-details__text" {
                        (Table::new(
                            format!("{} by month", kpi.kpi.code),
                            vec![Cell::text("Month"), Cell::numeric("Result"), Cell::numeric("Numerator"), Cell::numeric("Denominator"), Cell::text("Threshold"), Cell::text("Returned by")],
                            kpi.results.iter().zip(&kpi.breached).map(|(r, breached)| vec![
                                Cell::text(r.month.clone()),
                                Cell::numeric(r.value.to_string()),
                                Cell::numeric(r.numerator.map(thousands).unwrap_or_default()),
                                Cell::numeric(r.denominator.map(thousands).unwrap_or_default()),
                                Cell::html(if *breached { html! { strong class="nhsuk-tag nhsuk-tag--red" { "Not met" } } } else { html! { strong class="nhsuk-tag nhsuk-tag--green" { "Met" } } }),
                                Cell::text(r.submitted_by.clone()),
                            ]).collect(),
                        ))
                    }
                }
            }
        }
    }
}

fn percent(value: f64) -> String {
    format!("{value:.1}%")
}

pub(crate) fn quality_section(quality: &[QualitySeries]) -> Markup {
    html! {
        h2 id="quality" { "Quality and experience" }
        @if quality.is_empty() {
            p { "No quality or experience returns are held for this contract." }
        }
        @for kind in QualityKind::ALL {
            @let series: Vec<&QualitySeries> = quality.iter().filter(|s| s.kind == kind).collect();
            @if !series.is_empty() {
                h3 { (kind.label()) }
                @for s in series {
                    @let overall = s.overall.map(|p| format!(": {} overall (95% CI {} to {})", percent(p.value), percent(p.lower), percent(p.upper))).unwrap_or_default();
                    (Table::new(
                        format!("{}{overall}", s.measure),
                        match kind {
                            QualityKind::FriendsAndFamily => vec![Cell::text("Month"), Cell::numeric("Positive"), Cell::numeric("Responses"), Cell::numeric("% positive"), Cell::numeric("95% confidence interval")],
                            QualityKind::ClinicalAudit => vec![Cell::text("Month"), Cell::numeric("Met the standard"), Cell::numeric("Audited"), Cell::numeric("% met"), Cell::numeric("95% confidence interval")],
                            QualityKind::Complaints => vec![Cell::text("Month"), Cell::numeric("Complaints")],
                            QualityKind::Proms => vec![Cell::text("Month"), Cell::numeric("Average health gain"), Cell::numeric("Respondents")],
                        },
                        s.months.iter().map(|m| match kind {
                            QualityKind::FriendsAndFamily | QualityKind::ClinicalAudit => vec![
                                Cell::text(m.month.clone()),
                                Cell::numeric(m.numerator.map(thousands).unwrap_or_default()),
                                Cell::numeric(m.denominator.map(thousands).unwrap_or_default()),
                                Cell::numeric(m.percentage.map(|p| percent(p.value)).unwrap_or_default()),
                                Cell::numeric(m.percentage.map(|p| format!("{} to {}", percent(p.lower), percent(p.upper))).unwrap_or_default()),
                            ],
                            QualityKind::Complaints => vec![Cell::text(m.month.clone()), Cell::numeric(m.numerator.map(thousands).unwrap_or_default())],
                            QualityKind::Proms => vec![
                                Cell::text(m.month.clone()),
                                Cell::numeric(m.score.map(|s| s.to_string()).unwrap_or_default()),
                                Cell::numeric(m.denominator.map(thousands).unwrap_or_default()),
                            ],
                        }).collect(),
                    ))
                }
            }
        }
    }
}

fn render_performance(
    session: &Session,
    performance: &ContractPerformance,
    notices: &[app::notices::NoticeView],
    errors: &[(String, String)],
) -> Html<String> {
    let contract = &performance.contract;
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let count = |rag: Rag| performance.kpis.iter().filter(|k| k.rag == Some(rag)).count();
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Contract " (contract.id) }
        h1 { (contract.title) ": performance" }
        (contract_tabs(&contract.id, "Performance", session))
        (summary(vec![
            ("Provider", html! { a href={ "/monitor/providers/" (contract.provider) "/performance" } { (performance.provider_name) } }),
            ("KPIs", html! { (count(Rag::Red)) " red, " (count(Rag::Amber)) " amber, " (count(Rag::Green)) " green" }),
            ("Open notices", html! { (notices.iter().filter(|n| n.stage.is_open()).count()) }),
        ]))
        p class="nhsuk-body-s" { "Red: the latest month missed the threshold. Amber: it met the threshold, but the chart shows special cause for concern or the process will not reliably meet it. Green: met, with nothing in the chart to worry about." }
        @if !performance.matrix.is_empty() {
            h2 { "Variation and assurance" }
            (matrix_table(&format!("KPIs of {} by the variation and assurance of their latest month", contract.id), &performance.matrix))
        }
        h2 id="kpis" { "KPIs and quality requirements" }
        @if performance.kpis.is_empty() { p { "No KPIs are recorded for this contract." } }
        @for (i, kpi) in performance.kpis.iter().enumerate() { (kpi_block(i, kpi)) }
        @if performance.can_return {
            h2 id="kpi-return" { "Send a KPI return" }
            p { "Upload a CSV file with the columns " code { "code,month" } " and either " code { "value" } " or " code { "numerator,denominator" } ". A month already returned is replaced." }
            form method="post" action={ "/procure/contracts/" (contract.id) "/kpi-returns" } enctype="multipart/form-data" novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (file_upload("kpi_return", "KPI return file", "A CSV file, such as kpi-return-2025-10.csv", error_for("kpi_return")))
                (Button::secondary("Send KPI return"))
            }
        }
        (quality_section(&performance.quality))
        h2 { "Contract performance notices" }
        @if notices.is_empty() { p { "No notices have been served." } }
        @else {
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for n in notices { li { a href={ "/procure/contracts/" (contract.id) "/notices/" (n.id) } { (n.subject) } " — " (n.stage.label()) } }
            }
        }
    };
    layout::page_for(
        session,
        Section::Stage(Stage::Procure),
        &format!("{}: performance", contract.title),
        None,
        content,
    )
}

pub(crate) async fn performance(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> Result<Html<String>, Error> {
    let performance = state.app.contract_performance(&session.principal, &id).await?;
    let notices = state.app.notices(&session.principal, &id, today()).await?;
    Ok(render_performance(&session, &performance, &notices, &[]))
}

/// A provider's KPI return uploaded from the performance tab (multipart): one CSV file.
pub(crate) async fn kpi_return(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, Error> {
    // Who may send a return is decided before the body is read.
    let performance = state.app.contract_performance(&session.principal, &id).await?;
    app::authorize(Some(&session.principal), &Action::SubmitFor(performance.contract.provider.clone()))?;
    let mut multipart = Multipart::from_request(request, &state).await.map_err(|error| {
        Error::BadRequest(format!("Send the return with the form on the performance page ({error})."))
    })?;
    let unreadable = |error: axum::extract::multipart::MultipartError| {
        Error::BadRequest(format!("The upload could not be read ({error}). Go back and try again."))
    };
    let (mut file_name, mut content) = (String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() == Some("kpi_return") {
            file_name = field.file_name().unwrap_or("kpi-return.csv").to_owned();
            content = field.bytes().await.map_err(unreadable)?.to_vec();
        }
    }
    let mut errors = Vec::new();
    if content.is_empty() {
        errors.push(("kpi_return".to_owned(), "Choose a KPI return file".to_owned()));
    } else {
        let path = state.app.upload_path()?;
        std::fs::write(&path, &content).map_err(|e| Error::Unexpected(anyhow::Error::new(e)))?;
        let result = state.app.submit_kpi_return_file(&session.principal, &id, &file_name, &path, today()).await;
        let _ = std::fs::remove_file(&path);
        match result {
            Ok(_) => return Ok(Redirect::to(&format!("/procure/contracts/{id}/performance#kpis")).into_response()),
            Err(app::AppError::Import(error)) => errors.push(("kpi_return".to_owned(), error.to_string())),
            Err(app::AppError::Invalid(message)) => errors.push(("kpi_return".to_owned(), message)),
            Err(error) => return Err(error.into()),
        }
    }
    let notices = state.app.notices(&session.principal, &id, today()).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_performance(&session, &performance, &notices, &errors))
        .into_response())
}

fn pounds(pence: i64) -> String {
    Money::from_pence(pence).to_string()
}

/// The evaluation report, as the evaluations page and each record show it.
pub(crate) fn report_markup(report: &EvaluationReport) -> Markup {
    html! {
        (summary(vec![
            ("Provider", html! { (report.provider_name) " (" (report.provider) ")" }),
            ("Term", html! { (report.term_start) " to " (report.term_end) }),
            ("Payment mechanism", html! { (report.mechanism) }),
            ("Annual value", html! { (pounds(report.annual_value_pence)) }),
            ("Lifetime value", html! { (pounds(report.lifetime_value_pence)) }),
            ("Reviewed", html! { (report.review_date) " (financial year " (report.year) ")" }),
        ]))
        h2 { "Outcomes and KPIs" }
        @if report.kpis.is_empty() { p { "No KPIs are recorded." } } @else {
            (Table::new(
                format!("KPIs of {} at review", report.contract_id),
                vec![Cell::text("KPI"), Cell::text("Threshold"), Cell::numeric("Months met"), Cell::text("Latest"), Cell::text("RAG"), Cell::text("Variation"), Cell::text("Assurance")],
                report.kpis.iter().map(|k| vec![
                    Cell::text(format!("{}: {}", k.code, k.name)),
                    Cell::text(format!("{} {}", if k.higher_is_better { "at least" } else { "at most" }, k.threshold)),
                    Cell::numeric(format!("{} of {}", k.months_met, k.months)),
                    Cell::text(k.latest.clone().unwrap_or_default()),
                    Cell::html(rag_tag(k.rag)),
                    Cell::text(k.variation.clone().unwrap_or_default()),
                    Cell::text(k.assurance.clone().unwrap_or_default()),
                ]).collect(),
            ))
        }
        h2 { "Activity against plan" }
        @if report.activity.is_empty() { p { "No service lines are planned for " (report.year) "." } } @else {
            (Table::new(
                format!("Activity in {} to the review month", report.year),
                vec![Cell::text("Service line"), Cell::numeric("Planned"), Cell::numeric("Recorded"), Cell::numeric("Variance")],
                report.activity.iter().map(|a| vec![
                    Cell::text(a.line.clone()),
                    Cell::numeric(thousands(a.planned)),
                    Cell::numeric(a.actual.map(thousands).unwrap_or_else(|| "Block".into())),
                    Cell::numeric(a.actual.filter(|_| a.planned > 0).map(|n| format!("{:+.1}%", 100.0 * (n - a.planned) as f64 / a.planned as f64)).unwrap_or_default()),
                ]).collect(),
            ))
        }
        h2 { "Money" }
        p { (report.statement_months) " months of payment statements in " (report.year) " total " strong { (pounds(report.statements_pence)) } "; invoiced for them " strong { (pounds(report.invoiced_pence)) } "." }
        h2 { "Patients' feedback and quality" }
        @if report.feedback.is_empty() { p { "No quality or experience returns are held." } } @else {
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for f in &report.feedback {
                    li {
                        (f.kind.label()) ", " (f.measure) ": "
                        @if let Some((value, lower, upper)) = f.percentage { (percent(value)) " (95% CI " (percent(lower)) " to " (percent(upper)) ")" }
                        @else if f.kind == QualityKind::Complaints { (thousands(f.total)) " complaints" }
                        @else { (thousands(f.total)) " respondents" }
                        " over " (f.months) " months"
                    }
                }
            }
        }
        h2 { "Contract performance notices" }
        @if report.notices.is_empty() { p { "None served." } } @else {
            ul class="nhsuk-list nhsuk-list--bullet" { @for (subject, stage) in &report.notices { li { (subject) " — " (stage) } } }
        }
    }
}

fn recommendation_tag(recommendation: Recommendation) -> Markup {
    let colour = match recommendation {
        Recommendation::Recommission => "green",
        Recommendation::Redesign => "orange",
        Recommendation::Decommission => "red",
    };
    html! { strong class={ "nhsuk-tag nhsuk-tag--" (colour) } { (recommendation.label()) } }
}

async fn render_evaluations(
    state: &AppState,
    session: &Session,
    id: &str,
    input: &EvaluationInput,
    errors: &[(String, String)],
) -> Result<Html<String>, Error> {
    let evaluations = state.app.evaluations(&session.principal, id).await?;
    let contract = state.app.contract(&session.principal, id, today()).await?.contract;
    let manages =
        decide(Some(&session.principal), &Action::ManageMonitoringOf(contract.provider.clone())) == Decision::Allow;
    let review_date = parse_date(&input.review_date).unwrap_or_else(|_| today());
    let report =
        if manages { Some(state.app.evaluation_report(&session.principal, id, review_date).await?) } else { None };
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        span class="nhsuk-caption-l" { "Contract " (contract.id) }
        h1 { (contract.title) ": evaluation" }
        (contract_tabs(&contract.id, "Evaluation", session))
        h2 { "Evaluations recorded" }
        @if evaluations.is_empty() { p { "No evaluation has been recorded." } } @else {
            (Table::new(
                format!("Evaluations of {}", contract.id),
                vec![Cell::text("Reviewed"), Cell::text("Recommendation"), Cell::text("Findings for the next plan")],
                evaluations.iter().map(|e| vec![
                    Cell::html(html! { a href={ "/procure/contracts/" (contract.id) "/evaluations/" (e.id) } { (e.report.review_date) } }),
                    Cell::html(recommendation_tag(e.recommendation)),
                    Cell::text(format!("{} ({})", e.findings.join("; "), e.report.next_year)),
                ]).collect(),
            ))
        }
        @if let Some(report) = &report {
            h2 { "Evaluation report at " (review_date) }
            (report_markup(report))
            h2 id="record" { "Record the evaluation" }
            form method="post" action={ "/procure/contracts/" (contract.id) "/evaluations" } novalidate {
                input type="hidden" name="csrf_token" value=(session.csrf_token);
                (Input { hint: Some("YYYY-MM-DD: the review point or the contract's end".into()), error_message: error_for("review_date").map(Into::into), ..Input::new("review_date", Label::text("Review date")) }.with_value(if input.review_date.is_empty() { today().to_string() } else { input.review_date.clone() }))
                (Select {
                    name: "recommendation".into(),
                    label: Label::text("Recommendation"),
                    error_message: error_for("recommendation").map(Into::into),
                    items: std::iter::once(SelectItem::new("", "Choose a recommendation", input.recommendation.is_empty()))
                        .chain(Recommendation::ALL.into_iter().map(|r| SelectItem::new(r.code(), r.label(), input.recommendation == r.code())))
                        .collect(),
                    ..Default::default()
                })
                (Textarea { name: "rationale".into(), label: Label::text("Reasons for the recommendation"), rows: Some(4), value: Some(input.rationale.clone()), error_message: error_for("rationale").map(Into::into), ..Default::default() })
                (Textarea { name: "findings".into(), label: Label::text("Findings for the next plan, one per line"), hint: Some(format!("They are listed on the plan's needs and priorities page for {}", report.next_year).into()), rows: Some(4), value: Some(input.findings.clone()), error_message: error_for("findings").map(Into::into), ..Default::default() })
                (Button::submit("Record evaluation"))
            }
        }
    };
    Ok(layout::page_for(
        session,
        Section::Stage(Stage::Procure),
        &format!("{}: evaluation", contract.title),
        None,
        content,
    ))
}

pub(crate) async fn evaluations(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> Result<Html<String>, Error> {
    render_evaluations(&state, &session, &id, &EvaluationInput::default(), &[]).await
}

pub(crate) async fn record_evaluation(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    Form(input): Form<EvaluationInput>,
) -> Result<Response, Error> {
    // Who may record is decided before the form is read.
    let contract = state.app.contract(&session.principal, &id, today()).await?.contract;
    state.app.check_may_manage_monitoring(&session.principal, &contract.provider).await?;
    let errors = input.errors();
    if errors.is_empty() {
        let evaluation = state.app.record_evaluation(&session.principal, &id, &input).await?;
        return Ok(Redirect::to(&format!("/procure/contracts/{id}/evaluations/{evaluation}")).into_response());
    }
    let page = render_evaluations(&state, &session, &id, &input, &errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub(crate) async fn evaluation(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((id, evaluation)): Path<(String, i64)>,
) -> Result<Html<String>, Error> {
    let evaluation: EvaluationView = state.app.evaluation(&session.principal, &id, evaluation).await?;
    let report = &evaluation.report;
    let content = html! {
        span class="nhsuk-caption-l" { "Contract " (report.contract_id) }
        h1 { "Evaluation of " (report.title) }
        (contract_tabs(&report.contract_id, "Evaluation", &session))
        p { (recommendation_tag(evaluation.recommendation)) " recorded by " (evaluation.created_by) }
        h2 { "Reasons" }
        p { (evaluation.rationale) }
        h2 { "Findings for the " (report.next_year) " plan" }
        ul class="nhsuk-list nhsuk-list--bullet" { @for f in &evaluation.findings { li { (f) } } }
        (report_markup(report))
        p class="app-no-print nhsuk-body-s" { "To print this record or save it as a PDF, use your browser's print command: the page is laid out for A4 paper." }
    };
    Ok(layout::page_for(
        &session,
        Section::Stage(Stage::Procure),
        &format!("Evaluation of {}", report.title),
        None,
        content,
    ))
}
