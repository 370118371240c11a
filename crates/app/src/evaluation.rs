//! Evaluation: at a review point or a contract's end, one report that pulls together the
//! contract's KPIs and outcomes, activity against plan, money (statements against invoices),
//! patients' feedback and notices, and a record of the recommendation made on it
//! (recommission, redesign or decommission) whose findings feed the needs and priorities of
//! the next year's plan. The record keeps the report as it stood when the decision was made.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use commissioning::access::{Action, Principal, Stage};
use commissioning::monitor::quality::{Percentage, QualityKind, Rag, Recommendation};
use commissioning::period::{FinancialYear, YearMonth, parse_date};
use store::audit::AuditEntry;
use store::contract_lines::EvaluationRecord;

use crate::contract_performance::KpiPerformance;
use crate::{Actor, App, AppError, Result, authorize, now_millis};

/// A KPI over the period reviewed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiSummary {
    pub code: String,
    pub name: String,
    pub threshold: String,
    pub higher_is_better: bool,
    pub months: usize,
    pub months_met: usize,
    pub latest: Option<String>,
    pub rag: Option<Rag>,
    pub variation: Option<String>,
    pub assurance: Option<String>,
}

/// Activity at a point of delivery (or a block service) in the year reviewed, to the review
/// month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivitySummary {
    pub line: String,
    pub planned: i64,
    pub actual: Option<i64>,
}

/// A quality measure's total over the months held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackSummary {
    pub kind: QualityKind,
    pub measure: String,
    pub months: usize,
    pub percentage: Option<(f64, f64, f64)>,
    pub total: i64,
}

/// Everything an evaluation looks at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationReport {
    pub contract_id: String,
    pub title: String,
    pub provider: String,
    pub provider_name: String,
    pub mechanism: String,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub annual_value_pence: i64,
    pub lifetime_value_pence: i64,
    pub review_date: NaiveDate,
    /// The financial year reviewed (the review date's) and the one the findings feed.
    pub year: String,
    pub next_year: String,
    pub kpis: Vec<KpiSummary>,
    pub activity: Vec<ActivitySummary>,
    /// Months of the year reviewed with a payment statement, their total and what was
    /// invoiced for them.
    pub statement_months: usize,
    pub statements_pence: i64,
    pub invoiced_pence: i64,
    pub feedback: Vec<FeedbackSummary>,
    /// (subject, stage) of each contract performance notice.
    pub notices: Vec<(String, String)>,
}

impl EvaluationReport {
    pub fn kpis_red(&self) -> usize {
        self.kpis.iter().filter(|k| k.rag == Some(Rag::Red)).count()
    }
}

/// What a person decides at an evaluation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct EvaluationInput {
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub review_date: String,
    /// recommission, redesign or decommission.
    #[serde(default)]
    pub recommendation: String,
    #[serde(default)]
    pub rationale: String,
    /// One finding per line, for the next plan.
    #[serde(default)]
    pub findings: String,
}

impl EvaluationInput {
    /// The form's errors by field, in the form's order (empty when it is complete).
    pub fn errors(&self) -> Vec<(String, String)> {
        let mut errors = Vec::new();
        if parse_date(&self.review_date).is_err() {
            errors.push(("review_date".into(), "Enter the review date as YYYY-MM-DD, such as 2026-03-31".into()));
        }
        if Recommendation::parse(&self.recommendation).is_none() {
            errors.push(("recommendation".into(), "Choose recommission, redesign or decommission".into()));
        }
        if self.rationale.trim().is_empty() {
            errors.push(("rationale".into(), "Enter the reasons for the recommendation".into()));
        }
        if self.findings().is_empty() {
            errors.push(("findings".into(), "Enter at least one finding for the next plan".into()));
        }
        errors
    }

    pub fn findings(&self) -> Vec<String> {
        self.findings.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    }
}

/// A recorded evaluation with its report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluationView {
    pub id: i64,
    pub recommendation: Recommendation,
    pub rationale: String,
    pub findings: Vec<String>,
    pub report: EvaluationReport,
    pub created_by: String,
    pub created_at: i64,
}

/// A finding for the next plan, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanFinding {
    pub next_year: String,
    pub contract_id: String,
    pub title: String,
    pub provider_name: String,
    pub recommendation: Recommendation,
    pub finding: String,
    pub evaluation_id: i64,
}

fn view(record: EvaluationRecord) -> Result<EvaluationView> {
    let corrupt = |what: &str| AppError::Unexpected(anyhow::anyhow!("evaluation {}: {what}", record.id));
    Ok(EvaluationView {
        id: record.id,
        recommendation: Recommendation::parse(&record.recommendation).ok_or_else(|| corrupt("recommendation"))?,
        rationale: record.rationale.clone(),
        findings: record.findings.lines().map(str::to_owned).collect(),
        report: serde_json::from_str(&record.report).map_err(|_| corrupt("report"))?,
        created_by: record.created_by,
        created_at: record.created_at,
    })
}

fn kpi_summary(kpi: &KpiPerformance) -> KpiSummary {
    KpiSummary {
        code: kpi.kpi.code.clone(),
        name: kpi.kpi.name.clone(),
        threshold: kpi.kpi.threshold.to_string(),
        higher_is_better: kpi.kpi.higher_is_better,
        months: kpi.results.len(),
        months_met: kpi.breached.iter().filter(|b| !**b).count(),
        latest: kpi.results.last().map(|r| format!("{} ({})", r.value, r.month)),
        rag: kpi.rag,
        variation: kpi.spc.as_ref().map(|s| s.variation_type.label().to_owned()),
        assurance: kpi.spc.as_ref().and_then(|s| s.assurance_type).map(|a| a.label().to_owned()),
    }
}

impl App {
    /// The evaluation report of a contract as it stands on the review date (commissioner,
    /// finance or administrator).
    pub async fn evaluation_report(
        &self,
        principal: &Principal,
        contract_id: &str,
        review_date: NaiveDate,
    ) -> Result<EvaluationReport> {
        let contract = self.store().contract(contract_id).await?;
        authorize(Some(principal), &Action::ManageMonitoringOf(contract.provider.clone()))?;
        let view = self.contract(principal, contract_id, review_date).await?;
        let performance = self.contract_performance(principal, contract_id).await?;
        let year = FinancialYear::containing(review_date);
        let review_month = YearMonth::of(review_date);
        let months: Vec<YearMonth> = year.months().into_iter().filter(|m| *m <= review_month).collect();
        let month_texts: Vec<String> = months.iter().map(ToString::to_string).collect();
        let mut activity = Vec::new();
        for planned in view.service_lines.iter().filter(|p| p.line.year == year) {
            let upto = months.len();
            let pod = planned.line.pod.map(|pod| pod.code().to_owned());
            let actual = pod.as_ref().map(|pod| {
                view.actual_activity
                    .iter()
                    .filter(|(p, month, _)| p == pod && month_texts.contains(month))
                    .map(|(_, _, n)| n)
                    .sum()
            });
            activity.push(ActivitySummary {
                line: match &pod {
                    Some(pod) => format!("{} ({pod})", planned.line.service),
                    None => planned.line.service.clone(),
                },
                planned: planned.activity[..upto].iter().sum(),
                actual,
            });
        }
        let actor = Actor::User(principal.clone());
        let (mut statement_months, mut statements_pence, mut invoiced_pence) = (0, 0, 0);
        for month in &months {
            if *month < YearMonth::of(contract.term.start) {
                continue;
            }
            if let Ok(statement) = self.payment_statement(&actor, contract_id, *month).await {
                statement_months += 1;
                statements_pence += statement.total.pence();
                if let Some(invoice) = self.store().invoice(contract_id, &month.to_string()).await? {
                    invoiced_pence += invoice.value.pence();
                }
            }
        }
        let feedback = performance
            .quality
            .iter()
            .map(|s| FeedbackSummary {
                kind: s.kind,
                measure: s.measure.clone(),
                months: s.months.len(),
                percentage: s.overall.map(|Percentage { value, lower, upper }| (value, lower, upper)),
                total: s.total,
            })
            .collect();
        let notices = self
            .notices(principal, contract_id, review_date)
            .await?
            .into_iter()
            .map(|n| (n.subject, n.stage.label().to_owned()))
            .collect();
        Ok(EvaluationReport {
            contract_id: contract.id.clone(),
            title: contract.title.clone(),
            provider: contract.provider.to_string(),
            provider_name: view.provider_name.clone(),
            mechanism: contract.mechanism.label().to_owned(),
            term_start: contract.term.start,
            term_end: contract.term.end,
            annual_value_pence: contract.annual_value.pence(),
            lifetime_value_pence: view.lifetime_value.pence(),
            review_date,
            year: year.to_string(),
            next_year: year.next().to_string(),
            kpis: performance.kpis.iter().map(kpi_summary).collect(),
            activity,
            statement_months,
            statements_pence,
            invoiced_pence,
            feedback,
            notices,
        })
    }

    /// Records an evaluation with its report, in one transaction with its audit entry.
    pub async fn record_evaluation(
        &self,
        principal: &Principal,
        contract_id: &str,
        input: &EvaluationInput,
    ) -> Result<i64> {
        let contract = self.store().contract(contract_id).await?;
        authorize(Some(principal), &Action::ManageMonitoringOf(contract.provider.clone()))?;
        if let Some((field, message)) = input.errors().into_iter().next() {
            return Err(AppError::Invalid(format!("{field}: {message}")));
        }
        let review_date = parse_date(&input.review_date).map_err(|e| AppError::Invalid(e.to_string()))?;
        let recommendation = Recommendation::parse(&input.recommendation).expect("checked");
        let report = self.evaluation_report(principal, contract_id, review_date).await?;
        let actor = Actor::User(principal.clone());
        let at = now_millis();
        let record = EvaluationRecord {
            id: 0,
            contract_id: contract_id.to_owned(),
            review_date: review_date.to_string(),
            recommendation: recommendation.code().to_owned(),
            rationale: input.rationale.trim().to_owned(),
            findings: input.findings().join("\n"),
            next_year: report.next_year.clone(),
            report: serde_json::to_string(&report).map_err(anyhow::Error::new)?,
            created_by: actor.audit_name(),
            created_at: at,
        };
        let mut tx = self.store().begin().await?;
        let id = tx.insert_evaluation(&record).await?;
        tx.audit(
            &AuditEntry {
                actor: actor.audit_name(),
                organisation: actor.organisation(),
                action: "evaluate".into(),
                object_type: "contract".into(),
                object_id: contract_id.to_owned(),
                before: None,
                after: Some(serde_json::json!({
                    "evaluation": id, "recommendation": record.recommendation, "review_date": record.review_date,
                    "findings": input.findings(),
                })),
            },
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A contract's evaluations, newest first: the commissioner's own deliberation, so its
    /// side only (a provider learns the outcome through the contract, not this record).
    pub async fn evaluations(&self, principal: &Principal, contract_id: &str) -> Result<Vec<EvaluationView>> {
        authorize(Some(principal), &Action::ViewStage(Stage::Plan))?;
        self.store().contract(contract_id).await?;
        self.store().evaluations(Some(contract_id)).await?.into_iter().map(view).collect()
    }

    /// One evaluation of a contract.
    pub async fn evaluation(&self, principal: &Principal, contract_id: &str, id: i64) -> Result<EvaluationView> {
        authorize(Some(principal), &Action::ViewStage(Stage::Plan))?;
        self.store().contract(contract_id).await?;
        let record = self.store().evaluation(id).await?;
        if record.contract_id != contract_id {
            return Err(AppError::NotFound);
        }
        view(record)
    }

    /// Every evaluation's findings, for the plan of the year each feeds (the commissioner's
    /// side), latest year first.
    pub async fn plan_findings(&self, principal: &Principal) -> Result<Vec<PlanFinding>> {
        authorize(Some(principal), &Action::ViewStage(Stage::Plan))?;
        let mut findings = Vec::new();
        for record in self.store().evaluations(None).await? {
            let evaluation = view(record)?;
            for finding in &evaluation.findings {
                findings.push(PlanFinding {
                    next_year: evaluation.report.next_year.clone(),
                    contract_id: evaluation.report.contract_id.clone(),
                    title: evaluation.report.title.clone(),
                    provider_name: evaluation.report.provider_name.clone(),
                    recommendation: evaluation.recommendation,
                    finding: finding.clone(),
                    evaluation_id: evaluation.id,
                });
            }
        }
        findings.sort_by(|a, b| b.next_year.cmp(&a.next_year).then_with(|| a.contract_id.cmp(&b.contract_id)));
        Ok(findings)
    }
}
