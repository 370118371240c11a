//! What a contract holds besides its term: service lines with their plan and tolerance,
//! KPIs and national quality requirements with monthly results, documents, and the spells
//! that met best-practice tariff criteria; quality and experience returns; and evaluation
//! records.
//!
//! A service-line import is the register's truth for the contracts and years it names: their
//! earlier lines for those years are replaced, not added to, so re-importing never doubles a
//! plan.

use std::collections::BTreeSet;

use sqlx::Row;
use sqlx::any::AnyRow;

use commissioning::money::{Decimal, Money};
use commissioning::monitor::quality::QualityKind;
use commissioning::monitor::{Phasing, Tolerance};
use commissioning::period::{FinancialYear, parse_date};
use commissioning::procure::contract::{Kpi, KpiKind, KpiLevel, ServiceLine};
use commissioning::service::PointOfDelivery;

use crate::{Result, Store, StoreError, Tx, Value, insert_rows, parse_column, parse_optional_column};

/// One month's result of a contract's KPI, as exact decimal text, with the counts it was
/// worked out from when the return gave them, and who returned it (milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KpiResult {
    pub contract_id: String,
    pub code: String,
    pub month: String,
    pub value: Decimal,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub submitted_by: String,
    pub submitted_at: i64,
}

/// A document attached to a contract (its content is read separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: i64,
    pub contract_id: String,
    pub title: String,
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

/// A document to attach: its content travels base64-encoded so both backends (and backups)
/// hold it as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub contract_id: String,
    pub title: String,
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
    pub uploaded_by: String,
}

/// Spells of an HRG in a month whose best-practice criteria were met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BptAttainment {
    pub contract_id: String,
    pub month: String,
    pub hrg: String,
    pub pod: String,
    pub spells_met: i64,
}

/// A quality or experience return for a month (its figures as `QualityKind::check` allows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityReturn {
    pub contract_id: String,
    pub kind: QualityKind,
    pub measure: String,
    pub month: String,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub score: Option<Decimal>,
}

/// An evaluation of a contract, with the report it was made on kept as JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationRecord {
    pub id: i64,
    pub contract_id: String,
    pub review_date: String,
    pub recommendation: String,
    pub rationale: String,
    /// One finding per line.
    pub findings: String,
    /// The financial year whose plan the findings feed, such as `2026/27`.
    pub next_year: String,
    pub report: String,
    pub created_by: String,
    pub created_at: i64,
}

impl Tx {
    /// Records quality returns; the same contract, kind, measure and month replaces the
    /// earlier return.
    pub async fn upsert_quality_returns(&mut self, returns: &[QualityReturn]) -> Result<u64> {
        let rows = returns
            .iter()
            .map(|r| {
                vec![
                    Value::Text(r.contract_id.clone()),
                    Value::Text(r.kind.code().to_owned()),
                    Value::Text(r.measure.clone()),
                    Value::Text(r.month.clone()),
                    Value::OptInt(r.numerator),
                    Value::OptInt(r.denominator),
                    Value::OptText(r.score.map(|s| s.to_string())),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "contract_quality_returns",
            &["contract_id", "kind", "measure", "month", "numerator", "denominator", "score"],
            rows,
            "ON CONFLICT (contract_id, kind, measure, month) DO UPDATE SET numerator = excluded.numerator, \
             denominator = excluded.denominator, score = excluded.score",
        )
        .await
    }

    /// Records an evaluation (its `id` is ignored), returning its id.
    pub async fn insert_evaluation(&mut self, record: &EvaluationRecord) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO contract_evaluations (contract_id, review_date, recommendation, rationale, findings, \
             next_year, report, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&record.contract_id)
        .bind(&record.review_date)
        .bind(&record.recommendation)
        .bind(&record.rationale)
        .bind(&record.findings)
        .bind(&record.next_year)
        .bind(&record.report)
        .bind(&record.created_by)
        .bind(record.created_at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Replaces the service lines of each (contract, year) present in `lines`.
    pub async fn replace_service_lines(&mut self, lines: &[ServiceLine]) -> Result<u64> {
        let keys: BTreeSet<(String, String)> =
            lines.iter().map(|line| (line.contract_id.clone(), line.year.to_string())).collect();
        for (contract_id, year) in &keys {
            sqlx::query("DELETE FROM contract_service_lines WHERE contract_id = $1 AND year = $2")
                .bind(contract_id)
                .bind(year)
                .execute(self.connection())
                .await?;
        }
        let rows = lines
            .iter()
            .map(|line| {
                vec![
                    Value::Text(line.contract_id.clone()),
                    Value::Text(line.service.clone()),
                    Value::Text(line.pod.map(|pod| pod.code().to_owned()).unwrap_or_default()),
                    Value::Text(line.year.to_string()),
                    Value::Int(line.annual_activity),
                    Value::Int(line.annual_value.pence()),
                    Value::Text(line.phasing.code()),
                    Value::Int(line.tolerance.lower_bp),
                    Value::Int(line.tolerance.upper_bp),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "contract_service_lines",
            &[
                "contract_id",
                "service",
                "pod",
                "year",
                "annual_activity",
                "annual_value_pence",
                "phasing",
                "lower_bp",
                "upper_bp",
            ],
            rows,
            "",
        )
        .await
    }

    /// Records KPIs; the same contract and code replaces the definition.
    pub async fn upsert_kpis(&mut self, kpis: &[Kpi]) -> Result<u64> {
        let rows = kpis
            .iter()
            .map(|kpi| {
                vec![
                    Value::Text(kpi.contract_id.clone()),
                    Value::Text(kpi.code.clone()),
                    Value::Text(kpi.name.clone()),
                    Value::Text(kpi.kind.code().to_owned()),
                    Value::Text(kpi.threshold.to_string()),
                    Value::Int(i64::from(kpi.higher_is_better)),
                    Value::Text(kpi.consequence.clone()),
                    Value::OptText(kpi.withhold_percent.map(|p| p.to_string())),
                    Value::Text(kpi.source.clone()),
                    Value::Text(kpi.numerator.clone()),
                    Value::Text(kpi.denominator.clone()),
                    Value::Text(kpi.level.code().to_owned()),
                    Value::OptText(kpi.effective_from.map(|d| d.to_string())),
                    Value::OptText(kpi.effective_to.map(|d| d.to_string())),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "contract_kpis",
            &[
                "contract_id",
                "code",
                "name",
                "kind",
                "threshold",
                "higher_is_better",
                "consequence",
                "withhold_percent",
                "source",
                "numerator",
                "denominator",
                "level",
                "effective_from",
                "effective_to",
            ],
            rows,
            "ON CONFLICT (contract_id, code) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
             threshold = excluded.threshold, higher_is_better = excluded.higher_is_better, \
             consequence = excluded.consequence, withhold_percent = excluded.withhold_percent, \
             source = excluded.source, numerator = excluded.numerator, denominator = excluded.denominator, \
             level = excluded.level, effective_from = excluded.effective_from, effective_to = excluded.effective_to",
        )
        .await
    }

    /// Records monthly KPI results; a result for the same month replaces the earlier one.
    pub async fn upsert_kpi_results(&mut self, results: &[KpiResult]) -> Result<u64> {
        let rows = results
            .iter()
            .map(|result| {
                vec![
                    Value::Text(result.contract_id.clone()),
                    Value::Text(result.code.clone()),
                    Value::Text(result.month.clone()),
                    Value::Text(result.value.to_string()),
                    Value::OptInt(result.numerator),
                    Value::OptInt(result.denominator),
                    Value::Text(result.submitted_by.clone()),
                    Value::Int(result.submitted_at),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "contract_kpi_results",
            &["contract_id", "code", "month", "value", "numerator", "denominator", "submitted_by", "submitted_at"],
            rows,
            "ON CONFLICT (contract_id, code, month) DO UPDATE SET value = excluded.value, \
             numerator = excluded.numerator, denominator = excluded.denominator, \
             submitted_by = excluded.submitted_by, submitted_at = excluded.submitted_at",
        )
        .await
    }

    /// Attaches a document, returning its id.
    pub async fn insert_document(&mut self, document: &NewDocument, at: i64) -> Result<i64> {
        use base64::Engine as _;
        let row = sqlx::query(
            "INSERT INTO contract_documents (contract_id, title, file_name, media_type, sha256, size_bytes, \
             content_base64, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&document.contract_id)
        .bind(&document.title)
        .bind(&document.file_name)
        .bind(&document.media_type)
        .bind(&document.sha256)
        .bind(document.content.len() as i64)
        .bind(base64::engine::general_purpose::STANDARD.encode(&document.content))
        .bind(&document.uploaded_by)
        .bind(at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Records best-practice attainment; the same contract, month, HRG and point of delivery
    /// replaces the count.
    pub async fn upsert_bpt_attainment(&mut self, rows: &[BptAttainment]) -> Result<u64> {
        let values = rows
            .iter()
            .map(|row| {
                vec![
                    Value::Text(row.contract_id.clone()),
                    Value::Text(row.month.clone()),
                    Value::Text(row.hrg.clone()),
                    Value::Text(row.pod.clone()),
                    Value::Int(row.spells_met),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "contract_bpt_attainment",
            &["contract_id", "month", "hrg", "pod", "spells_met"],
            values,
            "ON CONFLICT (contract_id, month, hrg, pod) DO UPDATE SET spells_met = excluded.spells_met",
        )
        .await
    }
}

impl Store {
    /// Service lines, of one contract or all, by contract, year, service and point of delivery.
    pub async fn service_lines(&self, contract_id: Option<&str>) -> Result<Vec<ServiceLine>> {
        let rows = sqlx::query(
            "SELECT contract_id, service, pod, year, annual_activity, annual_value_pence, phasing, lower_bp, upper_bp \
             FROM contract_service_lines WHERE ($1 = '' OR contract_id = $1) ORDER BY contract_id, year, service, pod",
        )
        .bind(contract_id.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(service_line_from_row).collect()
    }

    /// A contract's KPIs by code.
    pub async fn kpis(&self, contract_id: &str) -> Result<Vec<Kpi>> {
        let rows = sqlx::query(
            "SELECT contract_id, code, name, kind, threshold, higher_is_better, consequence, withhold_percent, source, \
             numerator, denominator, level, effective_from, effective_to FROM contract_kpis WHERE contract_id = $1 ORDER BY code",
        )
        .bind(contract_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let higher: i64 = row.try_get("higher_is_better")?;
                Ok(Kpi {
                    contract_id: row.try_get("contract_id")?,
                    code: row.try_get("code")?,
                    name: row.try_get("name")?,
                    kind: parse_column(row, "kind", |t| KpiKind::parse(t).ok_or(format!("KPI kind '{t}'")))?,
                    threshold: parse_column(row, "threshold", Decimal::parse)?,
                    higher_is_better: crate::flag(higher),
                    consequence: row.try_get("consequence")?,
                    withhold_percent: parse_optional_column(row, "withhold_percent", Decimal::parse)?,
                    source: row.try_get("source")?,
                    numerator: row.try_get("numerator")?,
                    denominator: row.try_get("denominator")?,
                    level: parse_column(row, "level", |t| KpiLevel::parse(t).ok_or(format!("KPI level '{t}'")))?,
                    effective_from: parse_optional_column(row, "effective_from", parse_date)?,
                    effective_to: parse_optional_column(row, "effective_to", parse_date)?,
                })
            })
            .collect()
    }

    /// A contract's KPI results by code and month.
    pub async fn kpi_results(&self, contract_id: &str) -> Result<Vec<KpiResult>> {
        let rows = sqlx::query(
            "SELECT contract_id, code, month, value, numerator, denominator, submitted_by, submitted_at \
             FROM contract_kpi_results WHERE contract_id = $1 \
             ORDER BY code, month",
        )
        .bind(contract_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(KpiResult {
                    contract_id: row.try_get("contract_id")?,
                    code: row.try_get("code")?,
                    month: row.try_get("month")?,
                    value: parse_column(row, "value", Decimal::parse)?,
                    numerator: row.try_get("numerator")?,
                    denominator: row.try_get("denominator")?,
                    submitted_by: row.try_get("submitted_by")?,
                    submitted_at: row.try_get("submitted_at")?,
                })
            })
            .collect()
    }

    /// A contract's documents, newest first (without their content).
    pub async fn documents(&self, contract_id: &str) -> Result<Vec<Document>> {
        let rows = sqlx::query(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM contract_documents WHERE contract_id = $1 ORDER BY uploaded_at DESC, id DESC"
        ))
        .bind(contract_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(document_from_row).collect()
    }

    /// One document with its content.
    pub async fn document(&self, id: i64) -> Result<(Document, Vec<u8>)> {
        use base64::Engine as _;
        let row =
            sqlx::query(&format!("SELECT {DOCUMENT_COLUMNS}, content_base64 FROM contract_documents WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?
                .ok_or(StoreError::NotFound)?;
        let encoded: String = row.try_get("content_base64")?;
        let content = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|error| StoreError::Corrupt(format!("document {id}: {error}")))?;
        Ok((document_from_row(&row)?, content))
    }

    /// Best-practice attainment of a contract's month.
    pub async fn bpt_attainment(&self, contract_id: &str, month: &str) -> Result<Vec<BptAttainment>> {
        let rows = sqlx::query(
            "SELECT contract_id, month, hrg, pod, spells_met FROM contract_bpt_attainment \
             WHERE contract_id = $1 AND month = $2 ORDER BY hrg, pod",
        )
        .bind(contract_id)
        .bind(month)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(BptAttainment {
                    contract_id: row.try_get("contract_id")?,
                    month: row.try_get("month")?,
                    hrg: row.try_get("hrg")?,
                    pod: row.try_get("pod")?,
                    spells_met: row.try_get("spells_met")?,
                })
            })
            .collect()
    }
}

const DOCUMENT_COLUMNS: &str =
    "id, contract_id, title, file_name, media_type, sha256, size_bytes, uploaded_by, uploaded_at";

fn document_from_row(row: &AnyRow) -> Result<Document> {
    Ok(Document {
        id: row.try_get("id")?,
        contract_id: row.try_get("contract_id")?,
        title: row.try_get("title")?,
        file_name: row.try_get("file_name")?,
        media_type: row.try_get("media_type")?,
        sha256: row.try_get("sha256")?,
        size_bytes: row.try_get("size_bytes")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at: row.try_get("uploaded_at")?,
    })
}

fn service_line_from_row(row: &AnyRow) -> Result<ServiceLine> {
    let pod: String = row.try_get("pod")?;
    let pod = if pod.is_empty() {
        None
    } else {
        Some(
            PointOfDelivery::from_code(&pod)
                .ok_or_else(|| StoreError::Corrupt(format!("point of delivery '{pod}'")))?,
        )
    };
    let value: i64 = row.try_get("annual_value_pence")?;
    Ok(ServiceLine {
        contract_id: row.try_get("contract_id")?,
        service: row.try_get("service")?,
        pod,
        year: parse_column(row, "year", FinancialYear::parse)?,
        annual_activity: row.try_get("annual_activity")?,
        annual_value: Money::from_pence(value),
        phasing: parse_column(row, "phasing", Phasing::parse)?,
        tolerance: Tolerance { lower_bp: row.try_get("lower_bp")?, upper_bp: row.try_get("upper_bp")? },
    })
}

impl Store {
    /// A contract's quality returns by kind, measure and month.
    pub async fn quality_returns(&self, contract_id: &str) -> Result<Vec<QualityReturn>> {
        let rows = sqlx::query(
            "SELECT contract_id, kind, measure, month, numerator, denominator, score FROM contract_quality_returns \
             WHERE contract_id = $1 ORDER BY kind, measure, month",
        )
        .bind(contract_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(QualityReturn {
                    contract_id: row.try_get("contract_id")?,
                    kind: parse_column(row, "kind", |t| QualityKind::parse(t).ok_or(format!("quality kind '{t}'")))?,
                    measure: row.try_get("measure")?,
                    month: row.try_get("month")?,
                    numerator: row.try_get("numerator")?,
                    denominator: row.try_get("denominator")?,
                    score: parse_optional_column(row, "score", Decimal::parse)?,
                })
            })
            .collect()
    }

    /// Evaluations, newest first: of one contract, or of all.
    pub async fn evaluations(&self, contract_id: Option<&str>) -> Result<Vec<EvaluationRecord>> {
        let select = "SELECT id, contract_id, review_date, recommendation, rationale, findings, next_year, report, \
                      created_by, created_at FROM contract_evaluations";
        let rows = match contract_id {
            Some(id) => {
                sqlx::query(&format!("{select} WHERE contract_id = $1 ORDER BY id DESC"))
                    .bind(id)
                    .fetch_all(self.pool())
                    .await?
            }
            None => sqlx::query(&format!("{select} ORDER BY id DESC")).fetch_all(self.pool()).await?,
        };
        rows.iter().map(evaluation_from_row).collect()
    }

    /// One evaluation.
    pub async fn evaluation(&self, id: i64) -> Result<EvaluationRecord> {
        let row = sqlx::query(
            "SELECT id, contract_id, review_date, recommendation, rationale, findings, next_year, report, created_by, \
             created_at FROM contract_evaluations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        evaluation_from_row(&row)
    }
}

fn evaluation_from_row(row: &AnyRow) -> Result<EvaluationRecord> {
    Ok(EvaluationRecord {
        id: row.try_get("id")?,
        contract_id: row.try_get("contract_id")?,
        review_date: row.try_get("review_date")?,
        recommendation: row.try_get("recommendation")?,
        rationale: row.try_get("rationale")?,
        findings: row.try_get("findings")?,
        next_year: row.try_get("next_year")?,
        report: row.try_get("report")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}
