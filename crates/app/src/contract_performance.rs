//! Monitor: how a contract performs — providers' monthly KPI returns (a CSV upload or the
//! API), each KPI's RAG with its SPC chart and "Making Data Count" icons, the summary matrix
//! of a contract and of a provider, and quality and experience returns (Friends and Family
//! Test with Wilson intervals, complaints, clinical audit, PROMs).
//!
//! Files:
//! - a KPI return, from the provider: `code,month` with `value` or `numerator,denominator`
//!   (a percentage worked out to one decimal place); a result for a month already returned
//!   replaces it;
//! - quality returns, `contract_id,kind,measure,month[,numerator,denominator,score]` with
//!   `kind` fft (positive responses of all responses), complaints (a count), audit (patients
//!   meeting the standard of those audited) or proms (average health gain over respondents).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use commissioning::access::{Action, Decision, Principal, decide};
use commissioning::methods::spc::{Direction, Spc, SpcOptions, spc};
use commissioning::money::{Decimal, round_half_away};
use commissioning::monitor::quality::{Percentage, QualityKind, Rag, kpi_rag, percentage};
use commissioning::period::YearMonth;
use commissioning::procure::contract::{Contract, Kpi};
use store::audit::AuditEntry;
use store::contract_lines::{KpiResult, QualityReturn};

use crate::contracts::registered;
use crate::import::{CsvFile, ImportError, Row, Seen};
use crate::performance::{MatrixCell, PerformanceChart, mdc_matrix};
use crate::{Actor, App, AppError, Result, authorize, now_millis};

/// One line of a KPI return as it arrives, before it is checked against the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiReturnLine {
    pub code: String,
    pub month: YearMonth,
    pub value: Option<Decimal>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
}

/// A KPI return line sent to the API.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct KpiReturnInput {
    pub code: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The result as a decimal, such as `96.4`.
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub numerator: Option<i64>,
    #[serde(default)]
    pub denominator: Option<i64>,
}

/// What a KPI return recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiReturnReport {
    pub contract_id: String,
    pub results: usize,
    pub months: Vec<String>,
}

impl KpiReturnLine {
    pub(crate) fn from_row(row: &Row<'_>) -> std::result::Result<KpiReturnLine, ImportError> {
        Ok(KpiReturnLine {
            code: row.required("code")?.to_owned(),
            month: row.parse("month", YearMonth::parse)?,
            value: row.parse_optional("value", Decimal::parse)?,
            numerator: row.optional_count("numerator")?,
            denominator: row.optional_count("denominator")?,
        })
    }

    /// Checks the line against the contract's KPIs: the KPI exists and is in force in the
    /// month, the month is not after `latest` (when given), and there is a value or counts
    /// (0 ≤ numerator ≤ denominator, denominator above 0) — with both, they must agree to
    /// one decimal place. The error names the field at fault.
    pub fn check(
        &self,
        contract_id: &str,
        kpis: &[Kpi],
        latest: Option<YearMonth>,
    ) -> std::result::Result<KpiResult, (&'static str, String)> {
        let Some(kpi) = kpis.iter().find(|k| k.contract_id == contract_id && k.code == self.code) else {
            return Err(("code", format!("{contract_id} has no KPI '{}'; import its KPIs first", self.code)));
        };
        if !kpi.in_force(self.month) {
            let from = kpi.effective_from.map(|d| d.to_string()).unwrap_or_else(|| "the start".into());
            let to = kpi.effective_to.map(|d| d.to_string()).unwrap_or_else(|| "the end".into());
            return Err(("month", format!("{} applies from {from} to {to}; {} is outside that", kpi.code, self.month)));
        }
        if let Some(latest) = latest
            && self.month > latest
        {
            return Err(("month", format!("{} has not ended yet", self.month)));
        }
        for (field, count) in [("numerator", self.numerator), ("denominator", self.denominator)] {
            if count.is_some_and(|c| c < 0) {
                return Err((field, "must be zero or more".into()));
            }
        }
        let counted = match (self.numerator, self.denominator) {
            (None, None) => None,
            (Some(_), None) => return Err(("denominator", "is needed with a numerator".into())),
            (None, Some(_)) => return Err(("numerator", "is needed with a denominator".into())),
            (Some(_), Some(0)) => return Err(("denominator", "must be more than 0".into())),
            (Some(n), Some(d)) if n > d => return Err(("numerator", format!("{n} is more than the denominator {d}"))),
            (Some(n), Some(d)) => Some(Decimal::new(round_half_away(i128::from(n) * 1000, i128::from(d)) as i64, 1)),
        };
        let value = match (counted, self.value) {
            (Some(counted), Some(value)) if (counted.to_f64() - value.to_f64()).abs() > 0.05 => {
                return Err(("value", format!("{value} does not agree with the counts, which give {counted}")));
            }
            (Some(counted), _) => counted,
            (None, Some(value)) => value,
            (None, None) => return Err(("value", "give the value, or the numerator and denominator".into())),
        };
        Ok(KpiResult {
            contract_id: contract_id.to_owned(),
            code: kpi.code.clone(),
            month: self.month.to_string(),
            value,
            numerator: self.numerator,
            denominator: self.denominator,
            submitted_by: String::new(),
            submitted_at: 0,
        })
    }
}

/// A KPI with its results, chart and rating.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiPerformance {
    pub kpi: Kpi,
    pub results: Vec<KpiResult>,
    /// Whether each result breached the threshold, in the order of `results`.
    pub breached: Vec<bool>,
    /// The SPC chart against the threshold, with two or more results.
    pub spc: Option<Spc>,
    /// The latest month's rating, with one or more results.
    pub rag: Option<Rag>,
}

/// One month of a quality measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityMonth {
    pub month: String,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub score: Option<Decimal>,
    /// For the Friends and Family Test and clinical audits.
    pub percentage: Option<Percentage>,
}

/// A quality measure month by month, with its total over the months held.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualitySeries {
    pub kind: QualityKind,
    pub measure: String,
    pub months: Vec<QualityMonth>,
    /// The counts summed: positive of all responses, or met of all audited.
    pub overall: Option<Percentage>,
    /// Complaints summed, or respondents to PROMs.
    pub total: i64,
}

/// A contract's performance tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContractPerformance {
    pub contract: Contract,
    pub provider_name: String,
    pub kpis: Vec<KpiPerformance>,
    /// KPIs with a chart, by variation and assurance.
    pub matrix: Vec<MatrixCell>,
    pub quality: Vec<QualitySeries>,
    /// Whether the person looking may send a KPI return (the provider, or an administrator).
    pub can_return: bool,
}

/// A provider's KPIs across its contracts and its charts against national standards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderPerformance {
    pub provider: String,
    pub name: String,
    pub contracts: Vec<ContractPerformance>,
    pub national: Vec<PerformanceChart>,
    pub matrix: Vec<MatrixCell>,
}

/// A KPI's chart and rating from its results.
pub fn kpi_performance(kpi: Kpi, results: Vec<KpiResult>) -> KpiPerformance {
    let breached: Vec<bool> = results.iter().map(|r| kpi.breached(r.value)).collect();
    let chart = (results.len() >= 2)
        .then(|| {
            let x: Vec<NaiveDate> =
                results.iter().filter_map(|r| YearMonth::parse(&r.month).ok().map(YearMonth::first_day)).collect();
            let y: Vec<f64> = results.iter().map(|r| r.value.to_f64()).collect();
            let options = SpcOptions {
                improvement_direction: if kpi.higher_is_better { Direction::Increase } else { Direction::Decrease },
                target: Some(kpi.threshold.to_f64()),
                ..SpcOptions::default()
            };
            spc(&x, &y, &options).ok()
        })
        .flatten();
    let rag = breached.last().map(|latest| {
        kpi_rag(*latest, chart.as_ref().map(|c| c.variation_type), chart.as_ref().and_then(|c| c.assurance_type))
    });
    KpiPerformance { kpi, results, breached, spc: chart, rag }
}

/// Quality returns grouped into series by kind and measure.
pub fn quality_series(returns: &[QualityReturn]) -> Vec<QualitySeries> {
    let mut series: BTreeMap<(QualityKind, String), Vec<&QualityReturn>> = BTreeMap::new();
    for r in returns {
        series.entry((r.kind, r.measure.clone())).or_default().push(r);
    }
    series
        .into_iter()
        .map(|((kind, measure), rows)| {
            let proportion = matches!(kind, QualityKind::FriendsAndFamily | QualityKind::ClinicalAudit);
            let months: Vec<QualityMonth> = rows
                .iter()
                .map(|r| QualityMonth {
                    month: r.month.clone(),
                    numerator: r.numerator,
                    denominator: r.denominator,
                    score: r.score,
                    percentage: if proportion {
                        percentage(r.numerator.unwrap_or(0), r.denominator.unwrap_or(0))
                    } else {
                        None
                    },
                })
                .collect();
            let sum = |f: fn(&QualityMonth) -> Option<i64>| months.iter().filter_map(f).sum::<i64>();
            let (numerators, denominators) = (sum(|m| m.numerator), sum(|m| m.denominator));
            QualitySeries {
                overall: if proportion { percentage(numerators, denominators) } else { None },
                total: if kind == QualityKind::Complaints { numerators } else { denominators },
                kind,
                measure,
                months,
            }
        })
        .collect()
}

/// Reads quality returns; each names a registered contract.
pub(crate) fn parse_quality(
    path: &Path,
    contracts: &[Contract],
) -> std::result::Result<(u64, Vec<QualityReturn>), ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(&["contract_id", "kind", "measure", "month"], &["numerator", "denominator", "score"])?;
    let mut returns = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let contract = registered(row, contracts)?;
        let kind = row.parse("kind", |t| {
            QualityKind::parse(t).ok_or_else(|| format!("'{t}' is not fft, complaints, audit or proms"))
        })?;
        let measure = row.required("measure")?.to_owned();
        let month = row.parse("month", YearMonth::parse)?;
        seen.check(row, "month", &format!("{} {} {measure} {month}", contract.id, kind.code()))?;
        let numerator = row.optional_count("numerator")?;
        let denominator = row.optional_count("denominator")?;
        let score = row.parse_optional("score", Decimal::parse)?;
        kind.check(numerator, denominator, score).map_err(|(field, message)| row.error(field, message))?;
        returns.push(QualityReturn {
            contract_id: contract.id.clone(),
            kind,
            measure,
            month: month.to_string(),
            numerator,
            denominator,
            score,
        });
        Ok(())
    })?;
    Ok((n_rows, returns))
}

impl App {
    /// A contract's performance tab: KPIs with charts and ratings, their matrix, and quality
    /// and experience. A provider sees its own contracts only.
    pub async fn contract_performance(&self, principal: &Principal, id: &str) -> Result<ContractPerformance> {
        let contract = self.store().contract(id).await?;
        authorize(Some(principal), &Action::ViewOwnedBy(contract.provider.clone()))?;
        let can_return = decide(Some(principal), &Action::SubmitFor(contract.provider.clone())) == Decision::Allow;
        let mut view = self.performance_of(contract).await?;
        view.can_return = can_return;
        Ok(view)
    }

    async fn performance_of(&self, contract: Contract) -> Result<ContractPerformance> {
        let mut results = self.store().kpi_results(&contract.id).await?;
        let kpis: Vec<KpiPerformance> = self
            .store()
            .kpis(&contract.id)
            .await?
            .into_iter()
            .map(|kpi| {
                let own: Vec<KpiResult> = results.extract_if(.., |r| r.code == kpi.code).collect();
                kpi_performance(kpi, own)
            })
            .collect();
        let matrix = mdc_matrix(
            kpis.iter().filter_map(|k| k.spc.as_ref().map(|spc| (format!("{}: {}", k.kpi.code, k.kpi.name), spc))),
        );
        let quality = quality_series(&self.store().quality_returns(&contract.id).await?);
        let provider_name = self
            .store()
            .organisation(&contract.provider)
            .await
            .map(|org| org.name)
            .unwrap_or_else(|_| contract.provider.to_string());
        Ok(ContractPerformance { contract, provider_name, kpis, matrix, quality, can_return: false })
    }

    /// A provider's KPIs across its contracts and its national-standard charts, with one
    /// matrix over both. A provider sees its own only.
    pub async fn provider_performance(&self, principal: &Principal, provider: &str) -> Result<ProviderPerformance> {
        let code = commissioning::org::OdsCode::parse(provider).map_err(|_| AppError::NotFound)?;
        authorize(Some(principal), &Action::ViewOwnedBy(code.clone()))?;
        let organisation = self.store().organisation(&code).await?;
        let mut contracts = Vec::new();
        for contract in self.store().contracts(Some(&code)).await? {
            contracts.push(self.performance_of(contract).await?);
        }
        let mut national = Vec::new();
        for metric in [crate::performance::AE_ALL, crate::performance::AE_TYPE1, crate::performance::RTT_COMPLETED] {
            match self.performance_chart(principal, metric, code.as_str()).await {
                Ok(chart) => national.push(chart),
                Err(AppError::NotFound) => {}
                Err(other) => return Err(other),
            }
        }
        let kpi_charts = contracts.iter().flat_map(|c| {
            c.kpis.iter().filter_map(move |k| {
                k.spc.as_ref().map(|spc| (format!("{} {}: {}", c.contract.id, k.kpi.code, k.kpi.name), spc))
            })
        });
        let national_charts = national.iter().map(|chart| (chart.name.clone(), &chart.spc));
        let matrix = mdc_matrix(national_charts.chain(kpi_charts));
        Ok(ProviderPerformance { provider: code.to_string(), name: organisation.name, contracts, national, matrix })
    }

    /// A provider's KPI return from a CSV file (uploaded, so errors name `file_name`).
    pub async fn submit_kpi_return_file(
        &self,
        principal: &Principal,
        contract_id: &str,
        file_name: &str,
        path: &Path,
        today: NaiveDate,
    ) -> Result<KpiReturnReport> {
        let contract = self.store().contract(contract_id).await?;
        authorize(Some(principal), &Action::SubmitFor(contract.provider.clone()))?;
        let kpis = self.store().kpis(contract_id).await?;
        let latest = YearMonth::of(today);
        let parse = || -> std::result::Result<Vec<KpiResult>, ImportError> {
            let mut file = CsvFile::open(path, true)?;
            let columns = file.columns(&["code", "month"], &["value", "numerator", "denominator", "contract_id"])?;
            let mut results = Vec::new();
            let mut seen = Seen::new();
            file.for_each_row(&columns, |row| {
                let named = row.text("contract_id");
                if !named.is_empty() && named != contract_id {
                    return Err(row.error("contract_id", format!("'{named}' is not this contract ({contract_id})")));
                }
                let line = KpiReturnLine::from_row(row)?;
                seen.check(row, "month", &format!("{} {}", line.code, line.month))?;
                results.push(line.check(contract_id, &kpis, Some(latest)).map_err(|(f, m)| row.error(f, m))?);
                Ok(())
            })?;
            if results.is_empty() {
                return Err(ImportError {
                    file: path.to_owned(),
                    line: None,
                    field: None,
                    message: "has no results".into(),
                });
            }
            Ok(results)
        };
        let results = parse().map_err(|error| ImportError { file: PathBuf::from(file_name), ..error })?;
        self.record_kpi_return(principal, &contract, file_name, results).await
    }

    /// A provider's KPI return sent to the API; errors name the line as `results[i].field`.
    pub async fn submit_kpi_return(
        &self,
        principal: &Principal,
        contract_id: &str,
        lines: &[KpiReturnInput],
        today: NaiveDate,
    ) -> Result<KpiReturnReport> {
        let contract = self.store().contract(contract_id).await?;
        authorize(Some(principal), &Action::SubmitFor(contract.provider.clone()))?;
        if lines.is_empty() {
            return Err(AppError::Invalid("results: give at least one result".into()));
        }
        let kpis = self.store().kpis(contract_id).await?;
        let latest = YearMonth::of(today);
        let mut results: Vec<KpiResult> = Vec::new();
        for (i, input) in lines.iter().enumerate() {
            let at = |field: &str, message: String| AppError::Invalid(format!("results[{i}].{field}: {message}"));
            let month = YearMonth::parse(&input.month).map_err(|e| at("month", e.to_string()))?;
            let value =
                input.value.as_deref().map(Decimal::parse).transpose().map_err(|e| at("value", e.to_string()))?;
            let line = KpiReturnLine {
                code: input.code.trim().to_owned(),
                month,
                value,
                numerator: input.numerator,
                denominator: input.denominator,
            };
            let result = line.check(contract_id, &kpis, Some(latest)).map_err(|(field, message)| at(field, message))?;
            if results.iter().any(|r| r.code == result.code && r.month == result.month) {
                return Err(at("month", format!("{} {} is given twice", result.code, result.month)));
            }
            results.push(result);
        }
        self.record_kpi_return(principal, &contract, "api", results).await
    }

    /// Records a checked return in one transaction with its audit entry.
    async fn record_kpi_return(
        &self,
        principal: &Principal,
        contract: &Contract,
        source: &str,
        results: Vec<KpiResult>,
    ) -> Result<KpiReturnReport> {
        let actor = Actor::User(principal.clone());
        let at = now_millis();
        let results: Vec<KpiResult> = results
            .into_iter()
            .map(|r| KpiResult { submitted_by: actor.audit_name(), submitted_at: at, ..r })
            .collect();
        let mut months: Vec<String> = results.iter().map(|r| r.month.clone()).collect();
        months.sort();
        months.dedup();
        let mut tx = self.store().begin().await?;
        tx.upsert_kpi_results(&results).await?;
        tx.audit(
            &AuditEntry {
                actor: actor.audit_name(),
                organisation: actor.organisation(),
                action: "kpi_return".into(),
                object_type: "contract".into(),
                object_id: contract.id.clone(),
                before: None,
                after: Some(serde_json::json!({
                    "source": source,
                    "results": results.iter().map(|r| serde_json::json!({
                        "code": r.code, "month": r.month, "value": r.value.to_string(),
                        "numerator": r.numerator, "denominator": r.denominator,
                    })).collect::<Vec<_>>(),
                })),
            },
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(KpiReturnReport { contract_id: contract.id.clone(), results: results.len(), months })
    }
}
