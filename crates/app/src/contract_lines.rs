//! What a contract holds besides its term: service lines (whose phased plans and tolerances
//! become the provider's indicative activity plan for monitoring), KPIs and national quality
//! requirements with monthly results, documents, and best-practice tariff attainment; with
//! the readers of their CSV files.
//!
//! File layouts (values in pounds, percentages as numbers such as 2.5):
//! - service lines: `contract_id,service,year,annual_activity,annual_value[,pod,phasing,
//!   tolerance_lower_pct,tolerance_upper_pct]`; `phasing` is `flat`, `working_days` (the
//!   default) or twelve weights `8;8;9;…` April first; tolerance ±3% when absent;
//! - KPIs: `contract_id,code,name,kind,threshold,better,consequence[,withhold_percent,source,
//!   numerator,denominator,level,effective_from,effective_to]` (`kind` kpi or nqr, `better`
//!   higher or lower, `level` constitutional, planning or local);
//! - KPI results: `contract_id,code,month` with `value` or `numerator,denominator` (a
//!   percentage worked out to one decimal place);
//! - best-practice attainment: `contract_id,month,hrg,pod,spells_met`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use commissioning::access::{Action, Principal};
use commissioning::calendar::WorkingCalendar;
use commissioning::money::{Decimal, Money};
use commissioning::monitor::{Phasing, Tolerance, bp_percent, phase};
use commissioning::org::OdsCode;
use commissioning::period::{FinancialYear, YearMonth, parse_date};
use commissioning::procure::contract::{Contract, Kpi, KpiKind, KpiLevel, ServiceLine};
use commissioning::service::PointOfDelivery;
use store::audit::AuditEntry;
use store::contract_lines::{BptAttainment, Document, KpiResult, NewDocument};
use store::monitor::PlanRow;

use crate::contracts::registered;
use crate::import::{CsvFile, ImportError, Seen};
use crate::{Actor, App, AppError, Result, authorize, now_millis};

/// Months a run of KPI breaches may last before withheld sums are retained for good
/// (historically 3) [K].
pub const KPI_RETAIN_AFTER_MONTHS: usize = 3;

/// The largest document a contract may hold: 20 MiB.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// A service line with its plan phased over the year, April first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedLine {
    pub line: ServiceLine,
    pub activity: [i64; 12],
    pub value_pence: [i64; 12],
}

/// A KPI with its monthly results, each marked as meeting the threshold or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiView {
    pub kpi: Kpi,
    pub results: Vec<KpiMonthResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiMonthResult {
    pub month: String,
    pub value: Decimal,
    pub breached: bool,
}

impl KpiView {
    /// The latest result, if any.
    pub fn latest(&self) -> Option<&KpiMonthResult> {
        self.results.last()
    }
}

/// Phases a service line over its year with the calendar's working days where asked.
pub fn planned_line(line: &ServiceLine, calendar: &WorkingCalendar) -> PlannedLine {
    let weights = line.phasing.weights(calendar, line.year);
    let zero = [0; 12];
    PlannedLine {
        activity: phase(line.annual_activity, &weights).unwrap_or(zero),
        value_pence: phase(line.annual_value.pence(), &weights).unwrap_or(zero),
        line: line.clone(),
    }
}

/// The indicative activity plan of each provider, point of delivery and month, summed over
/// the service lines of the provider's contracts; and the tolerance of each provider and
/// point of delivery.
pub(crate) fn provider_plan(
    lines: &[ServiceLine],
    contracts: &[Contract],
    calendar: &WorkingCalendar,
) -> (Vec<PlanRow>, BTreeMap<(OdsCode, String), Tolerance>) {
    let provider_of: BTreeMap<&str, &OdsCode> = contracts.iter().map(|c| (c.id.as_str(), &c.provider)).collect();
    let mut plan: BTreeMap<(OdsCode, String, String), (i64, i64)> = BTreeMap::new();
    let mut tolerances = BTreeMap::new();
    for line in lines {
        let (Some(pod), Some(provider)) = (line.pod, provider_of.get(line.contract_id.as_str())) else {
            continue;
        };
        let planned = planned_line(line, calendar);
        for (idx, month) in line.year.months().iter().enumerate() {
            let entry = plan.entry(((*provider).clone(), pod.code().to_owned(), month.to_string())).or_insert((0, 0));
            entry.0 += planned.activity[idx];
            entry.1 += planned.value_pence[idx];
        }
        tolerances.insert(((*provider).clone(), pod.code().to_owned()), line.tolerance);
    }
    let rows = plan
        .into_iter()
        .map(|((provider, pod, month), (activity, value_pence))| PlanRow {
            provider,
            pod,
            month,
            activity,
            value_pence,
        })
        .collect();
    (rows, tolerances)
}

impl App {
    /// Rewrites the indicative activity plan and tolerances of every provider and year the
    /// imported lines touch, from all that provider's lines for the year once the import has
    /// replaced its contracts' earlier lines: the plan's months for the year are cleared first,
    /// so a line dropped from the register drops out of the plan.
    pub(crate) async fn replan_providers(
        &self,
        tx: &mut store::Tx,
        contracts: &[Contract],
        existing: Vec<ServiceLine>,
        imported: &[ServiceLine],
    ) -> Result<u64> {
        let provider_of = |id: &str| contracts.iter().find(|c| c.id == id).map(|c| c.provider.clone());
        let replaced: BTreeSet<(String, FinancialYear)> =
            imported.iter().map(|l| (l.contract_id.clone(), l.year)).collect();
        let touched: BTreeSet<(OdsCode, FinancialYear)> =
            imported.iter().filter_map(|l| provider_of(&l.contract_id).map(|p| (p, l.year))).collect();
        let lines: Vec<ServiceLine> = existing
            .into_iter()
            .filter(|l| !replaced.contains(&(l.contract_id.clone(), l.year)))
            .chain(imported.iter().cloned())
            .filter(|l| provider_of(&l.contract_id).is_some_and(|p| touched.contains(&(p, l.year))))
            .collect();
        let mut written = 0;
        for (provider, year) in &touched {
            let months = year.months();
            tx.delete_plan_months(provider, &months[0].to_string(), &months[11].to_string()).await?;
        }
        let (plan, tolerances) = provider_plan(&lines, contracts, self.calendar());
        written += tx.upsert_plan(&plan).await?;
        for ((provider, pod), tolerance) in &tolerances {
            tx.set_tolerance(provider, pod, tolerance.lower_bp, tolerance.upper_bp).await?;
        }
        Ok(written)
    }

    /// A contract's service lines, phased.
    pub(crate) async fn planned_lines(&self, contract_id: &str) -> Result<Vec<PlannedLine>> {
        Ok(self
            .store()
            .service_lines(Some(contract_id))
            .await?
            .iter()
            .map(|line| planned_line(line, self.calendar()))
            .collect())
    }

    /// A contract's KPIs with their results.
    pub(crate) async fn kpi_views(&self, contract_id: &str) -> Result<Vec<KpiView>> {
        let results = self.store().kpi_results(contract_id).await?;
        Ok(self
            .store()
            .kpis(contract_id)
            .await?
            .into_iter()
            .map(|kpi| KpiView {
                results: results
                    .iter()
                    .filter(|result| result.code == kpi.code)
                    .map(|result| KpiMonthResult {
                        month: result.month.clone(),
                        value: result.value,
                        breached: kpi.breached(result.value),
                    })
                    .collect(),
                kpi,
            })
            .collect())
    }

    /// Attaches a document to a contract (commissioner, finance or administrator), in one
    /// transaction with its audit entry.
    pub async fn attach_document(
        &self,
        actor: &Actor,
        contract_id: &str,
        title: &str,
        file_name: &str,
        content: Vec<u8>,
    ) -> Result<i64> {
        let contract = self.store().contract(contract_id).await?;
        if let Actor::User(principal) = actor {
            authorize(Some(principal), &Action::ManageMonitoringOf(contract.provider.clone()))?;
        }
        let title = title.trim();
        if title.is_empty() {
            return Err(AppError::Invalid("Enter a title for the document".into()));
        }
        let file_name = Path::new(file_name.trim())
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .filter(|f| !f.is_empty())
            .ok_or_else(|| AppError::Invalid("Choose a file to attach".into()))?;
        if content.is_empty() {
            return Err(AppError::Invalid(format!("{file_name} is empty")));
        }
        if content.len() > MAX_DOCUMENT_BYTES {
            return Err(AppError::Invalid(format!(
                "{file_name} is larger than {} MiB",
                MAX_DOCUMENT_BYTES / 1024 / 1024
            )));
        }
        let sha256 = hex::encode(Sha256::digest(&content));
        let document = NewDocument {
            contract_id: contract.id.clone(),
            title: title.to_owned(),
            media_type: media_type(&file_name).to_owned(),
            file_name,
            sha256: sha256.clone(),
            content,
            uploaded_by: match actor {
                Actor::User(principal) => principal.name.clone(),
                Actor::System(name) => name.clone(),
            },
        };
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        let id = tx.insert_document(&document, at).await?;
        tx.audit(
            &AuditEntry {
                actor: actor.audit_name(),
                organisation: actor.organisation(),
                action: "attach_document".into(),
                object_type: "contract".into(),
                object_id: contract.id,
                before: None,
                after: Some(serde_json::json!({
                    "document_id": id, "title": document.title, "file_name": document.file_name,
                    "bytes": document.content.len(), "sha256": sha256,
                })),
            },
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A contract's documents, for anyone who may see the contract.
    pub async fn documents(&self, principal: &Principal, contract_id: &str) -> Result<Vec<Document>> {
        let contract = self.store().contract(contract_id).await?;
        authorize(Some(principal), &Action::ViewOwnedBy(contract.provider))?;
        Ok(self.store().documents(contract_id).await?)
    }

    /// One document with its content, for anyone who may see its contract.
    pub async fn document(&self, principal: &Principal, contract_id: &str, id: i64) -> Result<(Document, Vec<u8>)> {
        let contract = self.store().contract(contract_id).await?;
        authorize(Some(principal), &Action::ViewOwnedBy(contract.provider))?;
        let (document, content) = self.store().document(id).await?;
        if document.contract_id != contract_id {
            return Err(AppError::NotFound);
        }
        Ok((document, content))
    }
}

/// The media type a download is served with, from the file's extension.
pub fn media_type(file_name: &str) -> &'static str {
    let extension = file_name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        "csv" => "text/csv",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}

/// A percentage with at most two decimals, 0 to 100, in basis points.
fn percent_bp(text: &str) -> std::result::Result<i64, String> {
    analytics::pricing::parse_pounds(text)
        .filter(|bp| (0..=10_000).contains(bp))
        .ok_or_else(|| format!("'{text}' is not a percentage from 0 to 100 such as 2.5"))
}

/// Reads service lines. Each (contract, service, point of delivery, year) appears once; the
/// year must fall within the contract's term (with extensions); and one provider's lines at
/// the same point of delivery and year, across its contracts, share one tolerance, because
/// monitoring compares plan and actual by provider and point of delivery.
pub(crate) fn parse_service_lines(
    path: &Path,
    contracts: &[Contract],
    existing: &[ServiceLine],
) -> Result<(u64, Vec<ServiceLine>), ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(
        &["contract_id", "service", "year", "annual_activity", "annual_value"],
        &["pod", "phasing", "tolerance_lower_pct", "tolerance_upper_pct"],
    )?;
    let mut lines: Vec<ServiceLine> = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let contract = registered(row, contracts)?;
        let service = row.required("service")?.to_owned();
        let pod = row.parse_optional("pod", PointOfDelivery::parse)?;
        let year = row.parse("year", FinancialYear::parse)?;
        let key = format!("{} {service} {} {year}", contract.id, pod.map_or("(no point of delivery)", |p| p.code()));
        seen.check(row, "service", &key)?;
        if year.first_day() > contract.term.end_with_extensions() || year.last_day() < contract.term.start {
            return Err(row.error(
                "year",
                format!(
                    "{year} is outside {}'s term ({} to {}, with extensions)",
                    contract.id,
                    contract.term.start,
                    contract.term.end_with_extensions()
                ),
            ));
        }
        let annual_activity = row.count("annual_activity")?;
        let annual_value = row.parse("annual_value", Money::parse_pounds)?;
        if annual_value < Money::ZERO {
            return Err(row.error("annual_value", "must not be negative"));
        }
        let phasing = row.parse_optional("phasing", Phasing::parse)?.unwrap_or(Phasing::WorkingDays);
        let lower = row.parse_optional("tolerance_lower_pct", percent_bp)?;
        let upper = row.parse_optional("tolerance_upper_pct", percent_bp)?;
        let tolerance = Tolerance {
            lower_bp: lower.unwrap_or(Tolerance::DEFAULT.lower_bp),
            upper_bp: upper.unwrap_or(Tolerance::DEFAULT.upper_bp),
        };
        let line = ServiceLine {
            contract_id: contract.id.clone(),
            service,
            pod,
            year,
            annual_activity,
            annual_value,
            phasing,
            tolerance,
        };
        if let Some(pod) = pod {
            let same_provider_pod = |other: &ServiceLine| {
                other.pod == Some(pod)
                    && other.year == year
                    && contracts.iter().any(|c| c.id == other.contract_id && c.provider == contract.provider)
            };
            let replaced: BTreeSet<(String, FinancialYear)> =
                lines.iter().map(|l| (l.contract_id.clone(), l.year)).chain([(contract.id.clone(), year)]).collect();
            let clash = lines
                .iter()
                .chain(existing.iter().filter(|l| !replaced.contains(&(l.contract_id.clone(), l.year))))
                .find(|other| same_provider_pod(other) && other.tolerance != tolerance);
            if let Some(other) = clash {
                return Err(row.error(
                    "tolerance_lower_pct",
                    format!(
                        "{} at {} in {year} already has a tolerance of −{}%/+{}% ({}, {}); lines at the same point of delivery share one tolerance",
                        contract.provider,
                        pod.code(),
                        bp_percent(other.tolerance.lower_bp),
                        bp_percent(other.tolerance.upper_bp),
                        other.contract_id,
                        other.service
                    ),
                ));
            }
        }
        lines.push(line);
        Ok(())
    })?;
    Ok((n_rows, lines))
}

/// Reads KPIs and national quality requirements.
pub(crate) fn parse_kpis(path: &Path, contracts: &[Contract]) -> Result<(u64, Vec<Kpi>), ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(
        &["contract_id", "code", "name", "kind", "threshold", "better", "consequence"],
        &["withhold_percent", "source", "numerator", "denominator", "level", "effective_from", "effective_to"],
    )?;
    let mut kpis = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let contract = registered(row, contracts)?;
        let code = row.required("code")?.to_owned();
        seen.check(row, "code", &format!("{} {code}", contract.id))?;
        let kind = row.parse("kind", |t| KpiKind::parse(t).ok_or_else(|| format!("'{t}' is not kpi or nqr")))?;
        let higher_is_better = match row.required("better")?.to_ascii_lowercase().as_str() {
            "higher" => true,
            "lower" => false,
            other => return Err(row.error("better", format!("'{other}' is not higher or lower"))),
        };
        let withhold_percent = row.parse_optional("withhold_percent", |t| {
            Decimal::parse(t)
                .ok()
                .filter(|p| p.is_percentage())
                .ok_or_else(|| format!("'{t}' is not a percentage above 0 and at most 100"))
        })?;
        let text = |name: &str| row.parse_optional(name, |t| Ok::<_, String>(t.to_owned()));
        let level = row
            .parse_optional("level", |t| {
                KpiLevel::parse(t).ok_or_else(|| format!("'{t}' is not constitutional, planning or local"))
            })?
            .unwrap_or(KpiLevel::default_for(kind));
        let effective_from = row.parse_optional("effective_from", parse_date)?;
        let effective_to = row.parse_optional("effective_to", parse_date)?;
        if let (Some(from), Some(to)) = (effective_from, effective_to)
            && to < from
        {
            return Err(row.error("effective_to", format!("{to} is before effective_from {from}")));
        }
        kpis.push(Kpi {
            numerator: text("numerator")?.unwrap_or_default(),
            denominator: text("denominator")?.unwrap_or_default(),
            level,
            effective_from,
            effective_to,
            contract_id: contract.id.clone(),
            code,
            name: row.required("name")?.to_owned(),
            kind,
            threshold: row.parse("threshold", Decimal::parse)?,
            higher_is_better,
            consequence: row.required("consequence")?.to_owned(),
            withhold_percent,
            source: row.parse_optional("source", |t| Ok::<_, String>(t.to_owned()))?.unwrap_or_else(|| match kind {
                KpiKind::Kpi => "NHS Standard Contract, Schedule 4 (local quality requirements)".into(),
                KpiKind::NationalQualityRequirement => {
                    "NHS Standard Contract, Schedule 4 (national quality requirements)".into()
                }
            }),
        });
        Ok(())
    })?;
    Ok((n_rows, kpis))
}

/// Reads monthly KPI results; each names a KPI the contract has (already imported) and in
/// force in the month, with its value or the counts it comes from
/// (`contract_id,code,month[,value,numerator,denominator]`).
pub(crate) fn parse_kpi_results(
    path: &Path,
    contracts: &[Contract],
    kpis: &[Kpi],
    submitted_by: &str,
    submitted_at: i64,
) -> Result<(u64, Vec<KpiResult>), ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(&["contract_id", "code", "month"], &["value", "numerator", "denominator"])?;
    let mut results = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let contract = registered(row, contracts)?;
        let line = crate::contract_performance::KpiReturnLine::from_row(row)?;
        seen.check(row, "month", &format!("{} {} {}", contract.id, line.code, line.month))?;
        let result = line.check(&contract.id, kpis, None).map_err(|(field, message)| row.error(field, message))?;
        results.push(KpiResult { submitted_by: submitted_by.to_owned(), submitted_at, ..result });
        Ok(())
    })?;
    Ok((n_rows, results))
}

/// Reads best-practice attainment; each HRG and point of delivery must have a best-practice
/// uplift in the tariff in force in the month.
pub(crate) fn parse_bpt(
    path: &Path,
    contracts: &[Contract],
    tariffs: &[store::prices::TariffRow],
) -> Result<(u64, Vec<BptAttainment>), ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(&["contract_id", "month", "hrg", "pod", "spells_met"], &[])?;
    let mut rows = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let contract = registered(row, contracts)?;
        let month = row.parse("month", YearMonth::parse)?;
        let hrg = row.required("hrg")?.to_owned();
        let pod = row.parse("pod", PointOfDelivery::parse)?;
        seen.check(row, "hrg", &format!("{} {month} {hrg} {}", contract.id, pod.code()))?;
        if bpt_uplift(tariffs, &hrg, pod.code(), month.first_day()).is_none() {
            return Err(row.error(
                "hrg",
                format!("{hrg} at {} has no best-practice uplift in the tariff in force in {month}", pod.code()),
            ));
        }
        let spells_met = row.count("spells_met")?;
        rows.push(BptAttainment {
            contract_id: contract.id.clone(),
            month: month.to_string(),
            hrg,
            pod: pod.code().to_owned(),
            spells_met,
        });
        Ok(())
    })?;
    Ok((n_rows, rows))
}

/// The best-practice uplift in force for an HRG and point of delivery on a day.
pub(crate) fn bpt_uplift(tariffs: &[store::prices::TariffRow], hrg: &str, pod: &str, on: NaiveDate) -> Option<Money> {
    tariffs
        .iter()
        .find(|t| t.hrg == hrg && t.pod == pod && t.effective_from <= on && t.effective_to.is_none_or(|to| on <= to))
        .and_then(|t| t.bpt_uplift_pence)
        .map(Money::from_pence)
}
