//! The JSON API under `/api/v1`, and its OpenAPI document at `/api/v1/openapi.json`.
//!
//! Responses are plain data transfer types defined here (so the API can stay stable while
//! domain types evolve); errors are `{ "error": "…" }` with the matching status.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use commissioning::area::{AreaCode, AreaKind};
use commissioning::org::{OdsCode, Organisation};

use crate::auth::SignedIn;
use crate::error::{ApiError, Error};
use crate::pages::areas::AreaQuery;
use crate::pages::organisations::OrgQuery;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Commissioner API",
        version = "1",
        description = "Clinical commissioning: reference data, needs, procurement, contracts and monitoring. Authenticate with the session cookie from /sign-in (send X-CSRF-Token on writes) or a bearer token."
    ),
    paths(health, me, dashboard, organisations, organisation, areas, area, activity_summary, submissions, submit, audit, users, monitoring, challenges, answer_challenge, raise_query, query, query_event, method, needs, indicators, contracts, contract, contract_statement, contract_performance, kpi_return, contract_evaluations, plan_findings, procure_route, procure_decisions, tender_bids, submit_bid, tender_evaluation, ocds_release_package, strategy_plans, strategy_plan, psr_summary, strategy_assessment, strategy_consultations, strategy_consultation, strategy_programme),
    components(schemas(
        Health,
        Me,
        DashboardDto,
        PopulationBandDto,
        DecileDto,
        AreaSummaryDto,
        ProviderDto,
        PracticeDto,
        OrganisationDto,
        OrganisationDetailDto,
        ServiceDto,
        ActivityMonthDto,
        AreaDetailDto,
        AreaDto,
        ApiErrorDto
    ,
        SubmissionDto,
        SubmissionReportDto,
        AuditEntryDto,
        UserDto,
        MonitoringDto,
        MonitoringLineDto,
        MonthFiguresDto,
        QueryDto,
        ChallengeDto,
        ChallengeAnswer,
        NewQuery,
        QueryStep,
        KpiReturnBody,
        KpiReturnLineDto,
        KpiReturnReportDto,
        BidBody
    )),
    modifiers(&BearerAuth),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) struct ApiDoc;

/// Declares the two ways to authenticate: a bearer token, or the session cookie.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("__Host-commissioner_session"))),
        );
    }
}

pub(crate) async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiErrorDto {
    error: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Health {
    status: String,
    store: String,
}

/// Reports whether the service and its store answer.
#[utoipa::path(get, path = "/health", responses((status = 200, body = Health), (status = 503, body = Health)))]
pub(crate) async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match state.app.health().await {
        Ok(()) => (StatusCode::OK, Json(Health { status: "ok".into(), store: state.app.backend_name().into() })),
        Err(error) => {
            tracing::error!(error = %error, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health { status: "unavailable".into(), store: state.app.backend_name().into() }),
            )
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Me {
    name: String,
    email: String,
    organisation: String,
    organisation_kind: String,
    roles: Vec<String>,
}

/// The signed-in person.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = ApiErrorDto)))]
pub(crate) async fn me(SignedIn(session): SignedIn) -> Json<Me> {
    let principal = &session.principal;
    Json(Me {
        name: principal.name.clone(),
        email: session.email.clone(),
        organisation: principal.organisation.to_string(),
        organisation_kind: principal.organisation_kind.code().into(),
        roles: principal.roles.iter().map(|r| r.code().to_owned()).collect(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PopulationBandDto {
    age_band: String,
    males: i64,
    females: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DecileDto {
    imd_decile: u8,
    lsoas: i64,
    residents: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AreaSummaryDto {
    code: String,
    name: String,
    kind: String,
    residents: i64,
    lsoas: i64,
    imd_decile: Option<u8>,
    mean_imd_decile: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProviderDto {
    code: String,
    name: String,
    provider_type: Option<String>,
    services: usize,
    activity: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PracticeDto {
    code: String,
    name: String,
    registered: i64,
    as_of: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DashboardDto {
    commissioner: OrganisationDto,
    footprint: Option<String>,
    population_year: Option<i32>,
    residents: i64,
    population: Vec<PopulationBandDto>,
    deprivation: Vec<DecileDto>,
    local_authorities: Vec<AreaSummaryDto>,
    practices: Vec<PracticeDto>,
    providers: Vec<ProviderDto>,
}

/// The signed-in commissioner's dashboard.
#[utoipa::path(get, path = "/api/v1/dashboard", responses((status = 200, body = DashboardDto), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto)))]
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Json<DashboardDto>, ApiError> {
    let dashboard = state.app.dashboard(&session.principal).await?;
    Ok(Json(DashboardDto {
        commissioner: OrganisationDto::from(&dashboard.commissioner),
        footprint: dashboard.footprint.as_ref().map(|a| a.code.to_string()),
        population_year: dashboard.population.year,
        residents: dashboard.population.total,
        population: dashboard
            .population
            .bands
            .iter()
            .map(|b| PopulationBandDto { age_band: b.band.to_string(), males: b.male, females: b.female })
            .collect(),
        deprivation: dashboard
            .deciles
            .iter()
            .map(|d| DecileDto { imd_decile: d.decile.value(), lsoas: d.n_lsoas, residents: d.population })
            .collect(),
        local_authorities: dashboard
            .local_authorities
            .iter()
            .map(|a| AreaSummaryDto {
                code: a.area.code.to_string(),
                name: a.area.name.clone(),
                kind: a.area.kind().code().into(),
                residents: a.population,
                lsoas: a.n_lsoas,
                imd_decile: a.deprivation.map(|d| d.imd_decile.value()),
                mean_imd_decile: a.mean_imd_decile,
            })
            .collect(),
        practices: dashboard
            .practices
            .iter()
            .map(|p| PracticeDto {
                code: p.code.to_string(),
                name: p.name.clone(),
                registered: p.registered,
                as_of: p.as_of.to_string(),
            })
            .collect(),
        providers: dashboard
            .providers
            .iter()
            .map(|p| ProviderDto {
                code: p.organisation.code.to_string(),
                name: p.organisation.name.clone(),
                provider_type: p.organisation.provider_type.map(|t| t.code().to_owned()),
                services: p.n_services,
                activity: p.activity,
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OrganisationDto {
    code: String,
    name: String,
    kind: String,
    provider_type: Option<String>,
    parent: Option<String>,
    region: Option<String>,
    postcode: Option<String>,
    opened: Option<String>,
    closed: Option<String>,
}

impl From<&Organisation> for OrganisationDto {
    fn from(org: &Organisation) -> OrganisationDto {
        OrganisationDto {
            code: org.code.to_string(),
            name: org.name.clone(),
            kind: org.kind.code().into(),
            provider_type: org.provider_type.map(|t| t.code().to_owned()),
            parent: org.parent.as_ref().map(ToString::to_string),
            region: org.region.clone(),
            postcode: org.postcode.clone(),
            opened: org.opened.map(|d| d.to_string()),
            closed: org.closed.map(|d| d.to_string()),
        }
    }
}

/// Organisations, filtered by kind, parent or a search on name and code.
#[utoipa::path(get, path = "/api/v1/organisations",
    params(
        ("kind" = Option<String>, Query, description = "commissioner, provider, gp_practice, local_authority, scrutiny_committee or public"),
        ("parent" = Option<String>, Query, description = "ODS code of the parent organisation"),
        ("q" = Option<String>, Query, description = "Part of the name or ODS code"),
    ),
    responses((status = 200, body = [OrganisationDto]), (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto)))]
pub(crate) async fn organisations(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(query): Query<OrgQuery>,
) -> Result<Json<Vec<OrganisationDto>>, ApiError> {
    let (kind, parent, search) = query.parse()?;
    let organisations = state.app.organisations(&session.principal, kind, parent, search).await?;
    Ok(Json(organisations.iter().map(OrganisationDto::from).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ServiceDto {
    id: String,
    name: String,
    pod: String,
    tfc: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ActivityMonthDto {
    provider_code: String,
    pod: String,
    month: String,
    activity: i64,
    los_days: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OrganisationDetailDto {
    organisation: OrganisationDto,
    children: Vec<OrganisationDto>,
    services: Vec<ServiceDto>,
    registered_patients: Option<i64>,
    /// Present only to those allowed to see the provider's activity.
    activity: Option<Vec<ActivityMonthDto>>,
}

/// One organisation, with what belongs to it.
#[utoipa::path(get, path = "/api/v1/organisations/{code}",
    params(("code" = String, Path, description = "ODS code")),
    responses((status = 200, body = OrganisationDetailDto), (status = 401, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn organisation(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
) -> Result<Json<OrganisationDetailDto>, ApiError> {
    let code = OdsCode::parse(&code).map_err(|_| Error::NotFound)?;
    let view = state.app.organisation(&session.principal, &code).await?;
    Ok(Json(OrganisationDetailDto {
        organisation: OrganisationDto::from(&view.organisation),
        children: view.children.iter().map(OrganisationDto::from).collect(),
        services: view
            .services
            .iter()
            .map(|s| ServiceDto {
                id: s.id.clone(),
                name: s.name.clone(),
                pod: s.pod.code().into(),
                tfc: s.tfc.to_string(),
            })
            .collect(),
        registered_patients: view.practice_list.as_ref().map(|p| p.registered),
        activity: view.activity.as_ref().map(|rows| {
            rows.iter()
                .map(|r| ActivityMonthDto {
                    provider_code: r.provider.to_string(),
                    pod: r.pod.code().into(),
                    month: r.month.clone(),
                    activity: r.activity,
                    los_days: r.los_days,
                })
                .collect()
        }),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AreaDto {
    code: String,
    name: String,
    kind: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AreaDetailDto {
    area: AreaDto,
    parent: Option<String>,
    ancestors: Vec<AreaDto>,
    population_year: Option<i32>,
    residents: i64,
    population: Vec<PopulationBandDto>,
    imd_rank: Option<u32>,
    imd_decile: Option<u8>,
    deprivation: Vec<DecileDto>,
    children: Vec<AreaSummaryDto>,
}

/// Areas below a parent area, or all areas of one kind.
#[utoipa::path(get, path = "/api/v1/areas",
    params(
        ("parent" = Option<String>, Query, description = "ONS code of the parent area"),
        ("kind" = Option<String>, Query, description = "lsoa, msoa, local_authority, icb or region"),
    ),
    responses((status = 200, body = [AreaSummaryDto]), (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto)))]
pub(crate) async fn areas(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(query): Query<AreaQuery>,
) -> Result<Json<Vec<AreaSummaryDto>>, ApiError> {
    let parent = query
        .parent
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(AreaCode::parse)
        .transpose()
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    let kind = match query.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(kind) => {
            Some(AreaKind::parse(kind).ok_or_else(|| Error::BadRequest(format!("'{kind}' is not a kind of area")))?)
        }
        None => None,
    };
    let areas =
        state.app.areas(&session.principal, parent.as_ref(), kind).await.map_err(|e| ApiError(Error::from(e)))?;
    Ok(Json(
        areas
            .iter()
            .map(|a| AreaSummaryDto {
                code: a.area.code.to_string(),
                name: a.area.name.clone(),
                kind: a.area.kind().code().into(),
                residents: a.population,
                lsoas: a.n_lsoas,
                imd_decile: a.deprivation.map(|d| d.imd_decile.value()),
                mean_imd_decile: a.mean_imd_decile,
            })
            .collect(),
    ))
}

/// One area with its population, deprivation and the areas within it.
#[utoipa::path(get, path = "/api/v1/areas/{code}",
    params(("code" = String, Path, description = "ONS area code, such as E01000001")),
    responses((status = 200, body = AreaDetailDto), (status = 401, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn area(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
) -> Result<Json<AreaDetailDto>, ApiError> {
    let code = AreaCode::parse(&code).map_err(|_| Error::NotFound)?;
    let view = state.app.area(&session.principal, &code).await?;
    let area_dto = |a: &commissioning::area::Area| AreaDto {
        code: a.code.to_string(),
        name: a.name.clone(),
        kind: a.kind().code().into(),
    };
    Ok(Json(AreaDetailDto {
        area: area_dto(&view.area),
        parent: view.area.parent.as_ref().map(ToString::to_string),
        ancestors: view.ancestors.iter().map(area_dto).collect(),
        population_year: view.population.year,
        residents: view.population.total,
        population: view
            .population
            .bands
            .iter()
            .map(|b| PopulationBandDto { age_band: b.band.to_string(), males: b.male, females: b.female })
            .collect(),
        imd_rank: view.deprivation.and_then(|d| d.imd_rank),
        imd_decile: view.deprivation.map(|d| d.imd_decile.value()),
        deprivation: view
            .deciles
            .iter()
            .map(|d| DecileDto { imd_decile: d.decile.value(), lsoas: d.n_lsoas, residents: d.population })
            .collect(),
        children: view
            .children
            .iter()
            .map(|a| AreaSummaryDto {
                code: a.area.code.to_string(),
                name: a.area.name.clone(),
                kind: a.area.kind().code().into(),
                residents: a.population,
                lsoas: a.n_lsoas,
                imd_decile: a.deprivation.map(|d| d.imd_decile.value()),
                mean_imd_decile: a.mean_imd_decile,
            })
            .collect(),
    }))
}

/// Activity by provider, point of delivery and month: every provider for the
/// commissioner's staff, only its own for a provider.
#[utoipa::path(get, path = "/api/v1/activity/summary", responses((status = 200, body = [ActivityMonthDto]), (status = 401, body = ApiErrorDto)))]
pub(crate) async fn activity_summary(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Json<Vec<ActivityMonthDto>>, ApiError> {
    let rows = state.app.activity_summary(&session.principal).await?;
    Ok(Json(
        rows.iter()
            .map(|r| ActivityMonthDto {
                provider_code: r.provider.to_string(),
                pod: r.pod.code().into(),
                month: r.month.clone(),
                activity: r.activity,
                los_days: r.los_days,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SubmissionDto {
    id: i64,
    provider_code: String,
    month: String,
    file_name: String,
    sha256: String,
    rows: i64,
    valid_rows: i64,
    challenged_rows: i64,
    value_pence: i64,
    submitted_by: String,
    submitted_at: i64,
    /// Set when a later submission for the month replaced this one.
    superseded_at: Option<i64>,
}

/// A provider's submissions, newest first (its own staff and tokens, and the commissioner's).
#[utoipa::path(get, path = "/api/v1/providers/{code}/submissions",
    params(("code" = String, Path, description = "Provider ODS code")),
    responses((status = 200, body = [SubmissionDto]), (status = 401, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn submissions(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
) -> Result<Json<Vec<SubmissionDto>>, ApiError> {
    let provider = OdsCode::parse(&code).map_err(|_| Error::NotFound)?;
    let records = state.app.submissions(&session.principal, &provider).await?;
    Ok(Json(
        records
            .into_iter()
            .map(|r| SubmissionDto {
                id: r.id,
                provider_code: r.provider.to_string(),
                month: r.month,
                file_name: r.file_name,
                sha256: r.file_sha256,
                rows: r.n_rows,
                valid_rows: r.n_valid,
                challenged_rows: r.n_challenged,
                value_pence: r.value_pence,
                submitted_by: r.submitted_by,
                submitted_at: r.submitted_at,
                superseded_at: r.superseded_at,
            })
            .collect(),
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub(crate) struct SubmitQuery {
    /// The month the activity is for, YYYY-MM.
    month: Option<String>,
    /// The file's name, for the record.
    file_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SubmissionReportDto {
    id: i64,
    provider_code: String,
    month: String,
    rows: i64,
    valid_rows: i64,
    challenged_rows: i64,
    /// Value of the valid rows at the tariff and MFF in force, in pence.
    value_pence: i64,
    sha256: String,
    /// The same file was already current: nothing changed.
    unchanged: bool,
    /// An earlier submission for the month was replaced.
    replaced: bool,
}

/// Submits a month of patient-level activity (CSV with a header row) for a provider. The
/// body is the file. Resubmitting a month replaces it; an identical file changes nothing.
#[utoipa::path(post, path = "/api/v1/providers/{code}/submissions",
    params(("code" = String, Path, description = "Provider ODS code"), SubmitQuery),
    request_body(content = String, content_type = "text/csv", description = "Activity CSV: record_id,provider_code,commissioner_code,patient_id,lsoa_code,age,sex,pod,tfc,hrg,activity_date,los"),
    responses((status = 201, body = SubmissionReportDto), (status = 200, body = SubmissionReportDto, description = "Identical to the current submission"),
        (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto), (status = 404, body = ApiErrorDto), (status = 413, body = ApiErrorDto), (status = 422, body = ApiErrorDto)))]
pub(crate) async fn submit(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
    Query(query): Query<SubmitQuery>,
    body: axum::body::Body,
) -> Result<axum::response::Response, ApiError> {
    let provider = OdsCode::parse(&code).map_err(|_| Error::NotFound)?;
    // Refuse before reading a byte if the caller may not submit for this provider.
    app::authorize(Some(&session.principal), &commissioning::access::Action::SubmitFor(provider.clone()))?;
    let month = query
        .month
        .as_deref()
        .ok_or_else(|| Error::BadRequest("give the month of the activity: ?month=YYYY-MM".into()))
        .and_then(|m| commissioning::period::YearMonth::parse(m).map_err(|e| Error::BadRequest(e.to_string())))?;
    let file_name = query.file_name.unwrap_or_else(|| format!("{provider}-{month}.csv"));
    let upload = state.app.upload_path()?;
    let received = receive(body, &upload, state.settings.max_upload_bytes).await;
    let result = match received {
        Ok(()) => {
            state.app.submit_activity(&session.principal, &provider, month, &file_name, &upload).await.map_err(|e| {
                match e {
                    app::AppError::Import(error) => ApiError(Error::Unprocessable(error.to_string())),
                    other => ApiError::from(other),
                }
            })
        }
        Err(error) => Err(error),
    };
    let _ = tokio::fs::remove_file(&upload).await;
    let report = result?;
    let status = if report.unchanged { StatusCode::OK } else { StatusCode::CREATED };
    let dto = SubmissionReportDto {
        id: report.id,
        provider_code: report.provider.to_string(),
        month: report.month.to_string(),
        rows: report.n_rows,
        valid_rows: report.n_valid,
        challenged_rows: report.n_challenged,
        value_pence: report.value_pence,
        sha256: report.sha256,
        unchanged: report.unchanged,
        replaced: report.replaced,
    };
    Ok((status, Json(dto)).into_response())
}

/// Streams a request body to a file, refusing bodies over `limit` bytes.
async fn receive(body: axum::body::Body, path: &std::path::Path, limit: u64) -> Result<(), ApiError> {
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;
    let unexpected = |e: std::io::Error| ApiError(Error::Unexpected(anyhow::Error::new(e)));
    let mut file = tokio::fs::File::create(path).await.map_err(unexpected)?;
    let mut stream = body.into_data_stream();
    let mut received: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError(Error::BadRequest(format!("the upload was interrupted: {e}"))))?;
        received += chunk.len() as u64;
        if received > limit {
            return Err(ApiError(Error::TooLarge(format!("the file is larger than the {limit} bytes allowed"))));
        }
        file.write_all(&chunk).await.map_err(unexpected)?;
    }
    file.flush().await.map_err(unexpected)?;
    Ok(())
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AuditEntryDto {
    seq: i64,
    at: i64,
    actor: String,
    organisation: Option<String>,
    action: String,
    object_type: String,
    object_id: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    hash: String,
}

/// The audit log, newest first (administrators).
#[utoipa::path(get, path = "/api/v1/audit",
    params(
        ("actor" = Option<String>, Query, description = "Who, such as user:3 or token:1"),
        ("object_type" = Option<String>, Query, description = "Kind of object, such as user"),
        ("object_id" = Option<String>, Query, description = "The object's id"),
        ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "Last day, YYYY-MM-DD"),
    ),
    responses((status = 200, body = [AuditEntryDto]), (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto)))]
pub(crate) async fn audit(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(query): Query<crate::pages::admin::AuditQuery>,
) -> Result<Json<Vec<AuditEntryDto>>, ApiError> {
    let entries = state.app.audit_entries(&session.principal, &query.filter()?).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|r| AuditEntryDto {
                seq: r.seq,
                at: r.at,
                actor: r.entry.actor,
                organisation: r.entry.organisation,
                action: r.entry.action,
                object_type: r.entry.object_type,
                object_id: r.entry.object_id,
                before: r.entry.before,
                after: r.entry.after,
                hash: r.hash,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct UserDto {
    id: i64,
    email: String,
    name: String,
    organisation: String,
    roles: Vec<String>,
    locked: bool,
    must_change_password: bool,
}

/// Every user account (administrators).
#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, body = [UserDto]), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto)))]
pub(crate) async fn users(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Json<Vec<UserDto>>, ApiError> {
    let users = state.app.users(&session.principal).await?;
    Ok(Json(
        users
            .into_iter()
            .map(|u| UserDto {
                id: u.id,
                email: u.email,
                name: u.name,
                organisation: u.organisation.to_string(),
                roles: u.roles.iter().map(|r| r.code().to_owned()).collect(),
                locked: u.locked_at.is_some(),
                must_change_password: u.must_change_password,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MonitoringLineDto {
    /// Point of delivery, or `ALL` for the provider's total.
    pod: String,
    /// April first: plan and actual activity and value (pence) for each month.
    months: Vec<MonthFiguresDto>,
    ytd_activity: i64,
    ytd_plan_activity: i64,
    ytd_value_pence: i64,
    ytd_plan_value_pence: i64,
    variance_bp: Option<i64>,
    /// green, amber or red.
    rag: Option<String>,
    tolerance_lower_bp: i64,
    tolerance_upper_bp: i64,
    forecast_run_rate_pence: i64,
    forecast_plan_adjusted_pence: Option<i64>,
    forecast_seasonal_pence: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MonthFiguresDto {
    month: String,
    plan_activity: i64,
    actual_activity: i64,
    plan_value_pence: i64,
    actual_value_pence: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MonitoringDto {
    provider_code: String,
    financial_year: String,
    months_elapsed: usize,
    lines: Vec<MonitoringLineDto>,
    queries: Vec<QueryDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct QueryDto {
    id: i64,
    provider_code: String,
    pod: String,
    month: String,
    variance_bp: Option<i64>,
    status: String,
    owner: String,
    notice_date: String,
    meeting_due: String,
    meeting_date: Option<String>,
    notes: String,
    /// Steps that may happen next.
    next_events: Vec<String>,
}

fn query_dto(q: app::monitor::QueryRecord) -> QueryDto {
    let status = commissioning::monitor::QueryStatus::parse(&q.status);
    QueryDto {
        id: q.id,
        provider_code: q.provider.to_string(),
        pod: q.pod,
        month: q.month,
        variance_bp: q.variance_bp,
        next_events: status.map(|s| s.next_events().iter().map(|e| e.code().to_owned()).collect()).unwrap_or_default(),
        status: q.status,
        owner: q.owner,
        notice_date: q.notice_date,
        meeting_due: q.meeting_due,
        meeting_date: q.meeting_date,
        notes: q.notes,
    }
}

/// Plan against actual by point of delivery and month, with forecasts and queries.
#[utoipa::path(get, path = "/api/v1/providers/{code}/monitoring",
    params(("code" = String, Path, description = "Provider ODS code")),
    responses((status = 200, body = MonitoringDto), (status = 401, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn monitoring(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
) -> Result<Json<MonitoringDto>, ApiError> {
    let provider = OdsCode::parse(&code).map_err(|_| Error::NotFound)?;
    let m = state.app.provider_monitoring(&session.principal, &provider).await?;
    let line_dto = |line: &app::monitor::LineMonitoring| MonitoringLineDto {
        pod: line.pod.map(|p| p.code().to_owned()).unwrap_or_else(|| "ALL".into()),
        months: m
            .year
            .months()
            .iter()
            .zip(line.months.iter())
            .map(|(month, f)| MonthFiguresDto {
                month: month.to_string(),
                plan_activity: f.plan_activity,
                actual_activity: f.actual_activity,
                plan_value_pence: f.plan_value_pence,
                actual_value_pence: f.actual_value_pence,
            })
            .collect(),
        ytd_activity: line.ytd.actual_activity,
        ytd_plan_activity: line.ytd.plan_activity,
        ytd_value_pence: line.ytd.actual_value_pence,
        ytd_plan_value_pence: line.ytd.plan_value_pence,
        variance_bp: line.variance_bp,
        rag: line.rag.map(|r| format!("{r:?}").to_lowercase()),
        tolerance_lower_bp: line.tolerance.lower_bp,
        tolerance_upper_bp: line.tolerance.upper_bp,
        forecast_run_rate_pence: line.forecast_value.run_rate,
        forecast_plan_adjusted_pence: line.forecast_value.plan_adjusted,
        forecast_seasonal_pence: line.forecast_value.seasonal,
    };
    Ok(Json(MonitoringDto {
        provider_code: provider.to_string(),
        financial_year: m.year.to_string(),
        months_elapsed: m.months_elapsed,
        lines: m.lines.iter().chain(std::iter::once(&m.total)).map(line_dto).collect(),
        queries: m.queries.clone().into_iter().map(query_dto).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ChallengeDto {
    id: i64,
    submission_id: i64,
    provider_code: String,
    month: String,
    line: i64,
    record_id: String,
    reason: String,
    status: String,
    response: Option<String>,
}

/// Challenged lines of a provider's current submissions (at most 10,000).
#[utoipa::path(get, path = "/api/v1/providers/{code}/challenges",
    params(("code" = String, Path, description = "Provider ODS code")),
    responses((status = 200, body = [ChallengeDto]), (status = 401, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn challenges(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
) -> Result<Json<Vec<ChallengeDto>>, ApiError> {
    let provider = OdsCode::parse(&code).map_err(|_| Error::NotFound)?;
    let records = state.app.challenges(&session.principal, &provider, 10_000).await?;
    Ok(Json(records.into_iter().map(challenge_dto).collect()))
}

fn challenge_dto(c: app::monitor::ChallengeRecord) -> ChallengeDto {
    ChallengeDto {
        id: c.id,
        submission_id: c.submission_id,
        provider_code: c.provider.to_string(),
        month: c.month,
        line: c.line,
        record_id: c.record_id,
        reason: c.reason,
        status: c.status,
        response: c.response,
    }
}

#[derive(Debug, serde::Deserialize, ToSchema)]
pub(crate) struct ChallengeAnswer {
    /// True to accept the challenge, false to dispute it.
    accept: bool,
    /// Required when disputing.
    #[serde(default)]
    response: String,
}

/// The provider accepts or disputes a challenged line.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/response",
    params(("id" = i64, Path, description = "Challenge id")),
    request_body = ChallengeAnswer,
    responses((status = 200, body = ChallengeDto), (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn answer_challenge(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Json(answer): Json<ChallengeAnswer>,
) -> Result<Json<ChallengeDto>, ApiError> {
    let record = state.app.respond_to_challenge(&session.principal, id, answer.accept, &answer.response).await?;
    Ok(Json(challenge_dto(record)))
}

#[derive(Debug, serde::Deserialize, ToSchema)]
pub(crate) struct NewQuery {
    /// Point of delivery: EL, DC, NEL, OPFA, OPFU, OPPROC or AE.
    pod: String,
    owner: String,
    #[serde(default)]
    notes: String,
    /// The date the notice is served (YYYY-MM-DD); today when absent.
    notice_date: Option<String>,
}

/// Serves an activity query notice on a provider (contract and finance staff).
#[utoipa::path(post, path = "/api/v1/providers/{code}/queries",
    params(("code" = String, Path, description = "Provider ODS code")),
    request_body = NewQuery,
    responses((status = 201, body = QueryDto), (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn raise_query(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
    Json(new): Json<NewQuery>,
) -> Result<axum::response::Response, ApiError> {
    let provider = OdsCode::parse(&code).map_err(|_| Error::NotFound)?;
    state.app.check_may_manage_monitoring(&session.principal, &provider).await?;
    let pod = commissioning::service::PointOfDelivery::parse(&new.pod).map_err(|e| Error::BadRequest(e.to_string()))?;
    let notice = match new.notice_date.as_deref() {
        Some(text) => commissioning::period::parse_date(text).map_err(|e| Error::BadRequest(e.to_string()))?,
        None => chrono::Utc::now().date_naive(),
    };
    let id = state.app.raise_query(&session.principal, &provider, pod, &new.owner, &new.notes, notice).await?;
    let record = state.app.query(&session.principal, id).await?;
    Ok((StatusCode::CREATED, Json(query_dto(record))).into_response())
}

/// One activity query.
#[utoipa::path(get, path = "/api/v1/queries/{id}",
    params(("id" = i64, Path, description = "Query id")),
    responses((status = 200, body = QueryDto), (status = 401, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn query(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<QueryDto>, ApiError> {
    Ok(Json(query_dto(state.app.query(&session.principal, id).await?)))
}

#[derive(Debug, serde::Deserialize, ToSchema)]
pub(crate) struct QueryStep {
    /// hold_meeting, start_joint_review, agree_plan, withdraw or close.
    event: String,
    /// Required for hold_meeting (YYYY-MM-DD).
    meeting_date: Option<String>,
    #[serde(default)]
    note: String,
}

/// Takes an activity query to its next step.
#[utoipa::path(post, path = "/api/v1/queries/{id}/events",
    params(("id" = i64, Path, description = "Query id")),
    request_body = QueryStep,
    responses((status = 200, body = QueryDto), (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn query_event(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Json(step): Json<QueryStep>,
) -> Result<Json<QueryDto>, ApiError> {
    state.app.check_may_manage_query(&session.principal, id).await?;
    let event = commissioning::monitor::QueryEvent::parse(&step.event)
        .ok_or_else(|| Error::BadRequest(format!("'{}' is not a step of an activity query", step.event)))?;
    let meeting = step
        .meeting_date
        .as_deref()
        .map(commissioning::period::parse_date)
        .transpose()
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    Ok(Json(query_dto(state.app.advance_query(&session.principal, id, event, meeting, &step.note).await?)))
}

/// Runs a public-health method (byars, wilson, rate, proportion, mean, dsr, isr-ratio,
/// isr-rate, life-expectancy, sii, funnel-limits, funnel-significance) on one JSON object
/// whose keys are the PHEindicatormethods argument names; returns its output columns, or an
/// array of rows for methods with a row per age band or funnel point. `null` is R's NA.
#[utoipa::path(post, path = "/api/v1/methods/{name}",
    params(("name" = String, Path, description = "Method name, e.g. dsr")),
    request_body(content = Object, description = "Arguments named as in PHEindicatormethods, e.g. {\"x\": [..], \"n\": [..]}"),
    responses((status = 200, body = Object), (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn method(
    SignedIn(_session): SignedIn,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    if !app::methods::NAMES.contains(&name.as_str()) {
        return Err(Error::NotFound.into());
    }
    let input: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|error| Error::BadRequest(format!("the body must be one JSON object: {error}")))?;
    // The methods are pure computation but a simulation can take a moment: keep it off the
    // async workers.
    let output = tokio::task::spawn_blocking(move || app::methods::run(&name, &input))
        .await
        .map_err(|error| Error::Unexpected(error.into()))??;
    Ok(Json(output))
}

/// The selection for a needs assessment.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub(crate) struct NeedsApiQuery {
    /// ONS code of the area; the signed-in person's commissioner's footprint when left out.
    area: Option<String>,
    /// Places compared: locality (default), msoa, lsoa or practice.
    level: Option<String>,
    /// ONS code of the benchmark; each indicator's own (England) when left out.
    benchmark: Option<String>,
    /// Year of the counts (4 digits); each indicator's latest when left out.
    year: Option<String>,
}

/// The health needs assessment of an area: each indicator's value with 95% and 99.8% limits
/// for the area and each place, the benchmark and the comparison (`better`, `similar`,
/// `worse`, `higher`, `lower`, `not_compared`), the deprivation gradient with SII and RII,
/// and unmet need (expected minus recorded prevalence) ranked largest first. `null` is NA.
#[utoipa::path(get, path = "/api/v1/needs", params(NeedsApiQuery),
    responses((status = 200, body = Object), (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn needs(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(query): Query<NeedsApiQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    fn text(value: &Option<String>) -> Option<&str> {
        value.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    let area = text(&query.area)
        .map(app::needs::parse_area)
        .transpose()
        .map_err(|e| ApiError(Error::BadRequest(e.to_string())))?;
    let benchmark = text(&query.benchmark)
        .map(app::needs::parse_area)
        .transpose()
        .map_err(|e| ApiError(Error::BadRequest(e.to_string())))?;
    let level = match text(&query.level) {
        None => app::needs::NeedsLevel::Locality,
        Some(level) => app::needs::NeedsLevel::parse(level).ok_or_else(|| {
            Error::BadRequest(format!("'{level}' is not a level: use locality, msoa, lsoa or practice"))
        })?,
    };
    let year = match text(&query.year) {
        None => None,
        Some(year) => Some(
            year.parse::<i32>()
                .ok()
                .filter(|y| (1900..=2200).contains(y))
                .ok_or_else(|| Error::BadRequest(format!("'{year}' is not a year")))?,
        ),
    };
    let needs_query = app::needs::NeedsQuery { area, level, benchmark, year };
    let assessment = state.app.needs_assessment(&app::Actor::User(session.principal.clone()), &needs_query).await?;
    let value = serde_json::to_value(&*assessment).map_err(|error| Error::Unexpected(error.into()))?;
    Ok(Json(value))
}

/// The indicator catalogue: the NHS Outcomes Framework, the CCG Outcomes Indicator Set and
/// the QOF registers, with any local definitions.
#[utoipa::path(get, path = "/api/v1/indicators",
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto)))]
pub(crate) async fn indicators(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Json<serde_json::Value>, ApiError> {
    let catalogue = state.app.indicator_catalogue(&app::Actor::User(session.principal.clone())).await?;
    let value = serde_json::to_value(&catalogue).map_err(|error| Error::Unexpected(error.into()))?;
    Ok(Json(value))
}

/// The contract register a person may see (a provider sees its own), each contract with its
/// lifetime value and the deadline alerts due within six months of today.
#[utoipa::path(get, path = "/api/v1/contracts",
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto)))]
pub(crate) async fn contracts(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Json<serde_json::Value>, ApiError> {
    let today = chrono::Local::now().date_naive();
    let register = state.app.contracts(&app::Actor::User(session.principal.clone()), today).await?;
    Ok(Json(serde_json::to_value(&register).map_err(|error| Error::Unexpected(error.into()))?))
}

/// One contract with its service lines (phased plans), KPIs with results, variations,
/// CQUIN, documents (details only), alerts and timeline.
#[utoipa::path(get, path = "/api/v1/contracts/{id}",
    params(("id" = String, Path, description = "The contract's id")),
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn contract(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let today = chrono::Local::now().date_naive();
    let view = state.app.contract(&session.principal, &id, today).await?;
    Ok(Json(serde_json::to_value(&view).map_err(|error| Error::Unexpected(error.into()))?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub(crate) struct StatementQuery {
    /// The month, YYYY-MM.
    month: Option<String>,
}

/// A contract's payment statement for a month: lines with their inputs, rule, source and
/// amount (pence), and the total, which is always the sum of the lines.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/statement",
    params(("id" = String, Path, description = "The contract's id"), StatementQuery),
    responses((status = 200, body = Object), (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn contract_statement(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<StatementQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let month = query.month.as_deref().unwrap_or("");
    let month = commissioning::period::YearMonth::parse(month)
        .map_err(|_| Error::BadRequest(format!("'{month}' is not a month: give month=YYYY-MM")))?;
    let statement = state.app.payment_statement(&app::Actor::User(session.principal.clone()), &id, month).await?;
    Ok(Json(serde_json::to_value(&statement).map_err(|error| Error::Unexpected(error.into()))?))
}

/// A contract's performance: KPIs with results, RAG, SPC chart and icons; the "Making Data
/// Count" matrix; quality and experience returns with Wilson intervals.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/performance",
    params(("id" = String, Path, description = "The contract's id")),
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn contract_performance(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let performance = state.app.contract_performance(&session.principal, &id).await?;
    Ok(Json(serde_json::to_value(&performance).map_err(|error| Error::Unexpected(error.into()))?))
}

/// A KPI return: one result per KPI and month.
#[derive(Debug, serde::Deserialize, ToSchema)]
pub(crate) struct KpiReturnBody {
    results: Vec<KpiReturnLineDto>,
}

/// One result: the value, or the counts it is worked out from (a percentage to one decimal
/// place); with both, they must agree.
#[derive(Debug, serde::Deserialize, ToSchema)]
pub(crate) struct KpiReturnLineDto {
    /// The KPI's code on the contract, such as DS24.
    code: String,
    /// YYYY-MM; not a month that has yet to end.
    month: String,
    /// A decimal, such as "96.4".
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    numerator: Option<i64>,
    #[serde(default)]
    denominator: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct KpiReturnReportDto {
    contract_id: String,
    results: usize,
    months: Vec<String>,
}

/// The provider sends its monthly KPI results for a contract (the provider's own contracts;
/// a month already returned is replaced). All or nothing.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/kpi-returns",
    params(("id" = String, Path, description = "The contract's id")),
    request_body = KpiReturnBody,
    responses((status = 201, body = KpiReturnReportDto), (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn kpi_return(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<KpiReturnReportDto>), ApiError> {
    // Who may send is decided before the body is read.
    let contract = state.app.contract(&session.principal, &id, chrono::Local::now().date_naive()).await?.contract;
    app::authorize(Some(&session.principal), &commissioning::access::Action::SubmitFor(contract.provider))?;
    let body: KpiReturnBody = serde_json::from_slice(&body)
        .map_err(|error| Error::BadRequest(format!("the body must be {{\"results\": [...]}}: {error}")))?;
    let lines: Vec<app::contract_performance::KpiReturnInput> = body
        .results
        .into_iter()
        .map(|line| app::contract_performance::KpiReturnInput {
            code: line.code,
            month: line.month,
            value: line.value,
            numerator: line.numerator,
            denominator: line.denominator,
        })
        .collect();
    let report =
        state.app.submit_kpi_return(&session.principal, &id, &lines, chrono::Local::now().date_naive()).await?;
    Ok((
        StatusCode::CREATED,
        Json(KpiReturnReportDto { contract_id: report.contract_id, results: report.results, months: report.months }),
    ))
}

/// A contract's evaluations, newest first, each with the report it was made on.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/evaluations",
    params(("id" = String, Path, description = "The contract's id")),
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn contract_evaluations(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let evaluations = state.app.evaluations(&session.principal, &id).await?;
    Ok(Json(serde_json::to_value(&evaluations).map_err(|error| Error::Unexpected(error.into()))?))
}

/// Findings of contract evaluations for the plan of the year each feeds, latest year first.
#[utoipa::path(get, path = "/api/v1/plan/findings",
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto)))]
pub(crate) async fn plan_findings(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Json<serde_json::Value>, ApiError> {
    let findings = state.app.plan_findings(&session.principal).await?;
    Ok(Json(serde_json::to_value(&findings).map_err(|error| Error::Unexpected(error.into()))?))
}

/// What the Provider Selection Regime's rules allow for the answers given (nothing is
/// stored): the processes, whether the one allowed is mandatory, and the reasons. The body
/// is the decision form's fields (`existing_provider`, `only_existing_provider_capable`,
/// `unrestricted_patient_choice`, `incumbent_satisfying`, `materially_different`,
/// `authority_driven` as booleans; `current_lifetime_value`, `new_lifetime_value` in pounds;
/// `cpv`).
#[utoipa::path(post, path = "/api/v1/procure/route",
    request_body(content = Object, description = "The answers, such as {\"existing_provider\": true, \"incumbent_satisfying\": true}"),
    responses((status = 200, body = Object), (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto)))]
pub(crate) async fn procure_route(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    app::authorize(Some(&session.principal), &commissioning::access::Action::ViewCommissionerDashboard)?;
    let input: app::procurement::RouteInput = serde_json::from_slice(&body)
        .map_err(|error| Error::BadRequest(format!("the body must be one JSON object of answers: {error}")))?;
    let preview = state.app.preview_route(&session.principal, &input)?;
    Ok(Json(serde_json::to_value(&preview).map_err(|error| Error::Unexpected(error.into()))?))
}

/// Every provider selection decision recorded, newest first, with its answers, the allowed
/// processes and reasons, the choice and who made it.
#[utoipa::path(get, path = "/api/v1/procure/decisions",
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto)))]
pub(crate) async fn procure_decisions(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Json<serde_json::Value>, ApiError> {
    let decisions = state.app.route_decisions(&session.principal).await?;
    Ok(Json(serde_json::to_value(&decisions).map_err(|error| Error::Unexpected(error.into()))?))
}

/// A tender's bids: a provider reads its own at any time; the commissioner's side reads every
/// bid once the deadline has passed and the tender has closed; before that the answer is 403
/// for everyone, administrators included.
#[utoipa::path(get, path = "/api/v1/tenders/{id}/bids",
    params(("id" = i64, Path, description = "The tender's number")),
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn tender_bids(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let bids = state.app.bids(&session.principal, id, app::tenders::now_utc()).await?;
    Ok(Json(serde_json::to_value(&bids).map_err(|error| Error::Unexpected(error.into()))?))
}

/// A provider's bid: its price in pounds and its response; replaced until the deadline.
#[derive(Debug, serde::Deserialize, ToSchema)]
pub(crate) struct BidBody {
    /// In pounds, such as "1250000.00".
    price: String,
    response: String,
}

/// A provider submits or replaces its bid for a tender before the deadline.
#[utoipa::path(post, path = "/api/v1/tenders/{id}/bids",
    params(("id" = i64, Path, description = "The tender's number")),
    request_body = BidBody,
    responses((status = 204), (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn submit_bid(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    // Who may bid is decided before the body is read.
    app::authorize(
        Some(&session.principal),
        &commissioning::access::Action::BidFor(session.principal.organisation.clone()),
    )?;
    state.app.tender(&session.principal, id, app::tenders::now_utc()).await?;
    let bid: BidBody = serde_json::from_slice(&body).map_err(|error| {
        Error::BadRequest(format!("the body must be {{\"price\": \"…\", \"response\": \"…\"}}: {error}"))
    })?;
    state.app.submit_bid(&session.principal, id, &bid.price, &bid.response, app::tenders::now_utc()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A tender's evaluation as the reader may see it: declarations of interest and how
/// conflicts are managed; before moderation only the reader's own scores; from moderation on,
/// every evaluator's beside the consensus; and the ranked result once every bid is moderated.
#[utoipa::path(get, path = "/api/v1/tenders/{id}/evaluation",
    params(("id" = i64, Path, description = "The tender's number")),
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn tender_evaluation(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let evaluation = state.app.tender_evaluation(&session.principal, id, app::tenders::now_utc()).await?;
    Ok(Json(serde_json::to_value(&evaluation).map_err(|error| Error::Unexpected(error.into()))?))
}

/// Every procurement as an OCDS 1.1 release package, published openly: route decisions as
/// planning releases naming the PSR process, tenders once published, tenderers once the bids
/// are unsealed, awards with their standstill, and contracts. No bid price is published.
#[utoipa::path(get, path = "/api/v1/ocds/release-package",
    responses((status = 200, body = Object, description = "An OCDS 1.1 release package")))]
pub(crate) async fn ocds_release_package(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    // The package's own address, from the Host header when it is a plain host name and port.
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':')))
        .unwrap_or("localhost");
    let scheme = if state.settings.secure_cookies && !host.starts_with("localhost") { "https" } else { "http" };
    let base = format!("{scheme}://{host}");
    Ok(Json(state.app.ocds_release_package(&base, app::tenders::now_utc()).await?))
}

fn json_of<T: Serialize>(value: &T) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(serde_json::to_value(value).map_err(|error| Error::Unexpected(error.into()))?))
}

/// The commissioner's plans (strategic, operating, organisational development) with their
/// versions, approvals, review dates, objectives with live progress, the operating plan's
/// schedule against the contracts and the development plan's gaps.
#[utoipa::path(get, path = "/api/v1/strategy/plans",
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto)))]
pub(crate) async fn strategy_plans(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Json<serde_json::Value>, ApiError> {
    json_of(&state.app.plans(&session.principal).await?)
}

/// One plan, as in the list.
#[utoipa::path(get, path = "/api/v1/strategy/plans/{id}",
    params(("id" = i64, Path, description = "The plan's number")),
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn strategy_plan(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    json_of(&state.app.plan(&session.principal, id).await?)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(crate) struct YearQuery {
    /// A financial year such as 2025/26; the latest with a decision when absent.
    year: Option<String>,
}

fn year_of(text: Option<&str>) -> Result<Option<commissioning::period::FinancialYear>, ApiError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => commissioning::period::FinancialYear::parse(text)
            .map(Some)
            .map_err(|_| Error::BadRequest(format!("'{text}' is not a financial year such as 2025/26")).into()),
    }
}

/// The Provider Selection Regime's annual summary, generated from the decision log (public).
#[utoipa::path(get, path = "/api/v1/psr-summary", params(YearQuery),
    responses((status = 200, body = Object), (status = 400, body = ApiErrorDto)))]
pub(crate) async fn psr_summary(
    State(state): State<AppState>,
    Query(query): Query<YearQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let year = year_of(query.year.as_deref())?;
    json_of(&state.app.psr_annual_summary(year).await?)
}

/// A self-assessment (`competencies`, `commissioning` or `procurement`) of a year, with its
/// gaps and the trend over every year assessed.
#[utoipa::path(get, path = "/api/v1/strategy/assessments/{framework}",
    params(("framework" = String, Path, description = "competencies, commissioning or procurement"), YearQuery),
    responses((status = 200, body = Object), (status = 400, body = ApiErrorDto), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn strategy_assessment(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(framework): Path<String>,
    Query(query): Query<YearQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let framework = commissioning::strategy::assessment::Framework::parse(&framework).ok_or(Error::NotFound)?;
    let year = year_of(query.year.as_deref())?;
    json_of(&state.app.assessment(&session.principal, framework, year).await?)
}

/// Every consultation, newest first.
#[utoipa::path(get, path = "/api/v1/strategy/consultations",
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto)))]
pub(crate) async fn strategy_consultations(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Json<serde_json::Value>, ApiError> {
    json_of(&state.app.consultations(&session.principal).await?)
}

/// A consultation with its invitees, respondents, the analysis and "you said, we did".
#[utoipa::path(get, path = "/api/v1/strategy/consultations/{id}",
    params(("id" = i64, Path, description = "The consultation's number")),
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn strategy_consultation(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    json_of(&state.app.consultation(&session.principal, id).await?)
}

/// A commissioning programme's cycle view: its stage, artefacts and audit trail.
#[utoipa::path(get, path = "/api/v1/strategy/programmes/{id}",
    params(("id" = i64, Path, description = "The programme's number")),
    responses((status = 200, body = Object), (status = 401, body = ApiErrorDto), (status = 403, body = ApiErrorDto), (status = 404, body = ApiErrorDto)))]
pub(crate) async fn strategy_programme(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    json_of(&state.app.programme_cycle(&session.principal, id).await?)
}
