//! Strategy: the commissioner's plans — strategic, operating and organisational development —
//! each with its versions and board approvals and its review date on the plan's cycle;
//! objectives whose progress is read live from monitoring (a contract KPI's latest result, or
//! an organisation's latest month against a national standard) along the straight line from
//! baseline to target; an operating plan's activity and financial schedule reconciled with
//! the contracts' indicative activity plans; and the Provider Selection Regime's annual
//! summary generated from the decision log.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use commissioning::access::{Action, Principal, Stage};
use commissioning::money::{Decimal, Money};
use commissioning::org::OdsCode;
use commissioning::period::{FinancialYear, YearMonth};
use commissioning::procure::contract::ModificationGround;
use commissioning::procure::psr::Process;
use commissioning::procure::summary::{
    AnnualSummary, DecisionFacts, ModificationFacts, Representation, annual_summary,
};
use commissioning::strategy::{COMPETENCIES, PlanKind, Progress, Trajectory};
use store::strategy::{ObjectiveRecord, PlanRecord, PlanVersionRecord, ScheduleRecord};

use crate::{Actor, App, AppError, Result, audit_entry, authorize, now_millis};

/// What an objective is measured by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Measure {
    /// A contract KPI's monthly results.
    Kpi { contract_id: String, code: String },
    /// An organisation's monthly percentage against a national standard.
    Standard { metric: String, org_code: String },
}

impl Measure {
    /// Reads `kpi:CONTRACT:CODE` or `standard:METRIC:ORG`.
    pub fn parse(text: &str) -> std::result::Result<Measure, String> {
        let parts: Vec<&str> = text.trim().split(':').map(str::trim).collect();
        match parts.as_slice() {
            ["kpi", contract, code] if !contract.is_empty() && !code.is_empty() => {
                Ok(Measure::Kpi { contract_id: (*contract).into(), code: (*code).into() })
            }
            ["standard", metric, org] if !metric.is_empty() && !org.is_empty() => {
                Ok(Measure::Standard { metric: (*metric).into(), org_code: (*org).into() })
            }
            _ => Err(format!(
                "'{}' is not a measure: enter kpi:CONTRACT:CODE (such as kpi:Q99-R9A-2024:AE4) or standard:METRIC:ORG",
                text.trim()
            )),
        }
    }

    pub fn code(&self) -> String {
        match self {
            Measure::Kpi { contract_id, code } => format!("kpi:{contract_id}:{code}"),
            Measure::Standard { metric, org_code } => format!("standard:{metric}:{org_code}"),
        }
    }
}

/// What an objective links to across the cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    /// Needs-assessment indicator ids.
    #[serde(default)]
    pub needs: Vec<String>,
    /// Prioritisation decisions, as `workshop/option`.
    #[serde(default)]
    pub priorities: Vec<String>,
    /// Specification ids.
    #[serde(default)]
    pub specifications: Vec<i64>,
    /// Contract ids.
    #[serde(default)]
    pub contracts: Vec<String>,
    /// The World Class Commissioning competencies it develops, numbered from 1, so that the
    /// competencies' assurance view lists the objectives behind each.
    #[serde(default)]
    pub competencies: Vec<u8>,
}

/// A plan as a form or the API gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct PlanInput {
    pub kind: String,
    pub title: String,
    /// Its first financial year, such as 2025/26.
    pub first_year: String,
    pub summary: String,
}

/// An objective as a form or the API gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ObjectiveInput {
    pub title: String,
    /// `kpi:CONTRACT:CODE` or `standard:METRIC:ORG`.
    pub measure: String,
    pub baseline: String,
    pub target: String,
    /// `higher` or `lower`.
    pub better: String,
    pub starts: String,
    pub due: String,
    /// Comma-separated ids of each kind.
    pub needs: String,
    pub priorities: String,
    pub specifications: String,
    pub contracts: String,
    /// The competencies it develops, numbered 1 to 11, comma-separated.
    pub competencies: String,
}

/// A board's approval of a version, as a form gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ApprovalInput {
    pub version: String,
    pub board: String,
    pub approved_on: String,
    pub minute: String,
}

/// A version of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionView {
    pub version: i64,
    pub summary: String,
    pub changes: String,
    pub drafted_by: String,
    pub approval: Option<Approval>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    pub board: String,
    pub approved_on: NaiveDate,
    pub minute: String,
    pub recorded_by: String,
}

/// An objective with its live progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveView {
    pub id: i64,
    pub title: String,
    pub measure: Measure,
    /// What the measure is called where it is held (the KPI's name, the standard's).
    pub measure_name: String,
    pub trajectory: Trajectory,
    pub progress: Progress,
    pub links: Links,
}

/// A difference between the operating plan's schedule and the contracts' plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleLine {
    pub provider_code: String,
    pub pod: String,
    pub plan_activity: i64,
    pub contract_activity: i64,
    pub plan_value: Money,
    pub contract_value: Money,
}

impl ScheduleLine {
    pub fn reconciles(&self) -> bool {
        self.plan_activity == self.contract_activity && self.plan_value == self.contract_value
    }
}

/// A plan with everything about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanView {
    pub id: i64,
    pub kind: PlanKind,
    pub title: String,
    /// The financial years it covers.
    pub first_year: FinancialYear,
    pub last_year: FinancialYear,
    pub versions: Vec<VersionView>,
    /// The latest approved version, and when the plan falls due for review after it.
    pub approved: Option<i64>,
    pub review_due: Option<NaiveDate>,
    pub objectives: Vec<ObjectiveView>,
    /// The operating plan's schedule against the contracts' plans, line by line.
    pub schedule: Vec<ScheduleLine>,
    /// The development plan's gaps to close: the items below target in the latest
    /// self-assessments up to its year.
    pub development_gaps: Vec<commissioning::strategy::assessment::Gap>,
}

fn parse_year(field: &str, text: &str) -> Result<FinancialYear> {
    FinancialYear::parse(text.trim()).map_err(|e| AppError::Invalid(format!("{field}: {e}")))
}

fn parse_day(field: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::Invalid(format!("{field}: Enter a date such as 2026-03-31 (not '{}')", text.trim())))
}

/// The trimmed text of a field that must not be empty, or the field's error.
fn required<'a>(field: &str, text: &'a str, message: &str) -> Result<&'a str> {
    let text = text.trim();
    if text.is_empty() { Err(AppError::Invalid(format!("{field}: {message}"))) } else { Ok(text) }
}

/// A new version of a plan, not yet approved.
fn draft(plan_id: i64, version: i64, summary: &str, changes: &str, by: &str, at: i64) -> PlanVersionRecord {
    PlanVersionRecord {
        plan_id,
        version,
        summary: summary.to_owned(),
        changes: changes.to_owned(),
        drafted_by: by.to_owned(),
        drafted_at: at,
        board: None,
        approved_on: None,
        minute: None,
        recorded_by: None,
    }
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

fn corrupt(what: &str, id: i64) -> AppError {
    AppError::Unexpected(anyhow::anyhow!("plan record {id}: {what}"))
}

impl ObjectiveInput {
    /// The objective's record for `plan_id`, or the first field at fault.
    fn record(&self, plan_id: i64, by: &str, at: i64) -> Result<ObjectiveRecord> {
        let title = required("title", &self.title, "Enter what the objective is")?;
        let measure = Measure::parse(&self.measure).map_err(|e| AppError::Invalid(format!("measure: {e}")))?;
        let number = |field: &str, text: &str| {
            Decimal::parse(text.trim())
                .map_err(|_| AppError::Invalid(format!("{field}: Enter a number such as 72.5 (not '{}')", text.trim())))
        };
        let baseline = number("baseline", &self.baseline)?;
        let target = number("target", &self.target)?;
        let higher = match self.better.trim() {
            "higher" => true,
            "lower" => false,
            _ => return Err(AppError::Invalid("better: Choose whether higher or lower is better".into())),
        };
        let starts = parse_day("starts", &self.starts)?;
        let due = parse_day("due", &self.due)?;
        if due <= starts {
            return Err(AppError::Invalid("due: The due date must be after the start".into()));
        }
        let specifications = list(&self.specifications)
            .iter()
            .map(|s| {
                s.parse::<i64>()
                    .map_err(|_| AppError::Invalid(format!("specifications: '{s}' is not a specification number")))
            })
            .collect::<Result<Vec<_>>>()?;
        let links = Links {
            needs: list(&self.needs),
            priorities: list(&self.priorities),
            specifications,
            contracts: list(&self.contracts),
            competencies: list(&self.competencies)
                .iter()
                .map(|c| {
                    c.parse::<u8>().ok().filter(|n| (1..=COMPETENCIES.len() as u8).contains(n)).ok_or_else(|| {
                        AppError::Invalid(format!(
                            "competencies: '{c}' is not a competency: enter numbers from 1 to 11"
                        ))
                    })
                })
                .collect::<Result<Vec<_>>>()?,
        };
        Ok(ObjectiveRecord {
            id: 0,
            plan_id,
            title: title.to_owned(),
            measure: serde_json::to_string(&measure).map_err(anyhow::Error::new)?,
            baseline: baseline.to_string(),
            target: target.to_string(),
            higher_is_better: higher,
            starts: starts.to_string(),
            due: due.to_string(),
            links: serde_json::to_string(&links).map_err(anyhow::Error::new)?,
            created_by: by.to_owned(),
            created_at: at,
        })
    }
}

impl App {
    /// Starts a plan with its first version, a draft (the commissioner's contract staff and
    /// administrators).
    pub async fn create_plan(&self, principal: &Principal, input: &PlanInput) -> Result<i64> {
        authorize(Some(principal), &Action::ManageStrategy)?;
        let kind = PlanKind::parse(&input.kind)
            .ok_or_else(|| AppError::Invalid("kind: Choose a strategic, operating or development plan".into()))?;
        let title = required("title", &input.title, "Enter the plan's title")?;
        let first = parse_year("first_year", &input.first_year)?;
        let summary = required("summary", &input.summary, "Enter what the plan sets out")?;
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        let id = tx
            .insert_plan(&PlanRecord {
                id: 0,
                kind: kind.code().into(),
                title: title.to_owned(),
                first_year: i64::from(first.start_year()),
                created_by: principal.name.clone(),
                created_at: at,
            })
            .await?;
        tx.insert_plan_version(&draft(id, 1, summary, "First version", &principal.name, at)).await?;
        let actor = Actor::User(principal.clone());
        tx.audit(
            &audit_entry(
                &actor,
                "strategy_plan",
                id,
                "create_plan",
                serde_json::json!({"kind": kind.code(), "title": title}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Drafts the next version of a plan, saying what changed.
    pub async fn revise_plan(&self, principal: &Principal, plan_id: i64, summary: &str, changes: &str) -> Result<i64> {
        authorize(Some(principal), &Action::ManageStrategy)?;
        self.store().strategy_plan(plan_id).await?;
        let summary = required("summary", summary, "Enter what the plan sets out")?;
        let changes = required("changes", changes, "Say what changed from the version before")?;
        let next = self.store().plan_versions(plan_id).await?.last().map_or(1, |v| v.version + 1);
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.insert_plan_version(&draft(plan_id, next, summary, changes, &principal.name, at)).await?;
        let actor = Actor::User(principal.clone());
        tx.audit(
            &audit_entry(&actor, "strategy_plan", plan_id, "revise_plan", serde_json::json!({"version": next})),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Records a board's approval of a version of a plan.
    pub async fn approve_plan(&self, principal: &Principal, plan_id: i64, input: &ApprovalInput) -> Result<()> {
        authorize(Some(principal), &Action::ManageStrategy)?;
        self.store().strategy_plan(plan_id).await?;
        let versions = self.store().plan_versions(plan_id).await?;
        let version: i64 = input
            .version
            .trim()
            .parse()
            .ok()
            .filter(|v| versions.iter().any(|r| r.version == *v))
            .ok_or_else(|| AppError::Invalid("version: Choose a version of this plan".into()))?;
        let board = required("board", &input.board, "Enter the board or committee that approved it")?;
        let on = parse_day("approved_on", &input.approved_on)?;
        let minute = required("minute", &input.minute, "Enter the minute reference of the approval")?;
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.approve_plan_version(plan_id, version, board, &on.to_string(), minute, &principal.name).await?;
        let actor = Actor::User(principal.clone());
        tx.audit(
            &audit_entry(
                &actor,
                "strategy_plan",
                plan_id,
                "approve_plan",
                serde_json::json!({"version": version, "board": board, "approved_on": on.to_string()}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds an objective to a plan; its measure must be one held (a contract's KPI, or a
    /// metric reported for the organisation).
    pub async fn add_objective(&self, principal: &Principal, plan_id: i64, input: &ObjectiveInput) -> Result<i64> {
        authorize(Some(principal), &Action::ManageStrategy)?;
        self.store().strategy_plan(plan_id).await?;
        let at = now_millis();
        let record = input.record(plan_id, &principal.name, at)?;
        let measure: Measure = serde_json::from_str(&record.measure).map_err(anyhow::Error::new)?;
        if self.measure_name(&measure).await?.is_none() {
            return Err(AppError::Invalid(format!(
                "measure: {} is not held: check the contract and KPI code",
                measure.code()
            )));
        }
        let mut tx = self.store().begin().await?;
        let id = tx.insert_objective(&record).await?;
        let actor = Actor::User(principal.clone());
        tx.audit(
            &audit_entry(
                &actor,
                "strategy_objective",
                id,
                "add_objective",
                serde_json::json!({"plan": plan_id, "title": record.title}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Sets an operating plan's schedule (replacing it), from rows of provider, point of
    /// delivery, annual activity and annual value.
    pub async fn set_plan_schedule(
        &self,
        principal: &Principal,
        plan_id: i64,
        rows: &[(String, String, i64, Money)],
    ) -> Result<()> {
        authorize(Some(principal), &Action::ManageStrategy)?;
        let plan = self.store().strategy_plan(plan_id).await?;
        if plan.kind != PlanKind::Operating.code() {
            return Err(AppError::Invalid("schedule: Only an annual operating plan has a schedule".into()));
        }
        let records: Vec<ScheduleRecord> = rows
            .iter()
            .map(|(provider, pod, activity, value)| ScheduleRecord {
                plan_id,
                provider_code: provider.clone(),
                pod: pod.clone(),
                activity: *activity,
                value_pence: value.pence(),
            })
            .collect();
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.replace_plan_schedule(plan_id, &records).await?;
        let actor = Actor::User(principal.clone());
        tx.audit(
            &audit_entry(&actor, "strategy_plan", plan_id, "set_schedule", serde_json::json!({"rows": rows.len()})),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every plan, newest first (the commissioner's staff and scrutiny).
    pub async fn plans(&self, principal: &Principal) -> Result<Vec<PlanView>> {
        self.plans_for(&Actor::User(principal.clone())).await
    }

    /// The plans for a person, or for batch work from the command line.
    pub async fn plans_for(&self, actor: &Actor) -> Result<Vec<PlanView>> {
        if let Actor::User(principal) = actor {
            authorize(Some(principal), &Action::ViewStage(Stage::Strategy))?;
        }
        let mut views = Vec::new();
        for record in self.store().strategy_plans().await? {
            views.push(self.plan_view(record).await?);
        }
        Ok(views)
    }

    pub async fn plan(&self, principal: &Principal, id: i64) -> Result<PlanView> {
        authorize(Some(principal), &Action::ViewStage(Stage::Strategy))?;
        let record = self.store().strategy_plan(id).await?;
        self.plan_view(record).await
    }

    async fn plan_view(&self, record: PlanRecord) -> Result<PlanView> {
        let kind = PlanKind::parse(&record.kind).ok_or_else(|| corrupt("kind", record.id))?;
        let first = FinancialYear::starting(record.first_year as i32);
        let versions: Vec<VersionView> = self
            .store()
            .plan_versions(record.id)
            .await?
            .into_iter()
            .map(|v| {
                let approval = match (v.board, v.approved_on) {
                    (Some(board), Some(on)) => Some(Approval {
                        board,
                        approved_on: NaiveDate::parse_from_str(&on, "%Y-%m-%d")
                            .map_err(|_| corrupt("approved_on", record.id))?,
                        minute: v.minute.unwrap_or_default(),
                        recorded_by: v.recorded_by.unwrap_or_default(),
                    }),
                    _ => None,
                };
                Ok(VersionView {
                    version: v.version,
                    summary: v.summary,
                    changes: v.changes,
                    drafted_by: v.drafted_by,
                    approval,
                })
            })
            .collect::<Result<_>>()?;
        let approved = versions.iter().rev().find(|v| v.approval.is_some());
        let review_due = approved.and_then(|v| v.approval.as_ref()).map(|a| kind.review_due(first, a.approved_on));
        let mut objectives = Vec::new();
        for o in self.store().objectives(Some(record.id)).await? {
            objectives.push(self.objective_view(o).await?);
        }
        let schedule =
            if kind == PlanKind::Operating { self.reconcile_schedule(record.id, first).await? } else { Vec::new() };
        let development_gaps = if kind == PlanKind::Development { self.gaps_up_to(first).await? } else { Vec::new() };
        Ok(PlanView {
            id: record.id,
            kind,
            title: record.title,
            first_year: first,
            last_year: FinancialYear::starting(first.start_year() + kind.years() - 1),
            approved: approved.map(|v| v.version),
            review_due,
            versions,
            objectives,
            schedule,
            development_gaps,
        })
    }

    async fn measure_name(&self, measure: &Measure) -> Result<Option<String>> {
        Ok(match measure {
            Measure::Kpi { contract_id, code } => match self.store().kpis(contract_id).await {
                Ok(kpis) => kpis.into_iter().find(|k| k.code == *code).map(|k| format!("{} ({contract_id})", k.name)),
                Err(store::StoreError::NotFound) => None,
                Err(other) => return Err(other.into()),
            },
            Measure::Standard { metric, org_code } => {
                let rows = self.store().performance(metric, Some(org_code)).await?;
                (!rows.is_empty()).then(|| format!("{} ({org_code})", commissioning::monitor::standards::name(metric)))
            }
        })
    }

    /// The latest measurement of a measure: the month's last day and its value.
    async fn latest(&self, measure: &Measure) -> Result<Option<(NaiveDate, f64)>> {
        Ok(match measure {
            Measure::Kpi { contract_id, code } => self
                .store()
                .kpi_results(contract_id)
                .await?
                .into_iter()
                .filter(|r| r.code == *code)
                .filter_map(|r| YearMonth::parse(&r.month).ok().map(|m| (m.last_day(), r.value.to_f64())))
                .max_by_key(|(on, _)| *on),
            Measure::Standard { metric, org_code } => self
                .store()
                .performance(metric, Some(org_code))
                .await?
                .into_iter()
                .filter(|r| r.denominator > 0)
                .filter_map(|r| {
                    let first = NaiveDate::parse_from_str(&r.period, "%Y-%m-%d").ok()?;
                    Some((YearMonth::of(first).last_day(), 100.0 * r.numerator as f64 / r.denominator as f64))
                })
                .max_by_key(|(on, _)| *on),
        })
    }

    pub(crate) async fn objective_view(&self, record: ObjectiveRecord) -> Result<ObjectiveView> {
        let id = record.id;
        let measure: Measure = serde_json::from_str(&record.measure).map_err(|_| corrupt("measure", id))?;
        let links: Links = serde_json::from_str(&record.links).map_err(|_| corrupt("links", id))?;
        let number = |text: &str| Decimal::parse(text).map(|d| d.to_f64()).map_err(|_| corrupt("target", id));
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| corrupt("dates", id));
        let trajectory = Trajectory {
            baseline: number(&record.baseline)?,
            target: number(&record.target)?,
            higher_is_better: record.higher_is_better,
            starts: day(&record.starts)?,
            due: day(&record.due)?,
        };
        let progress = trajectory.progress(self.latest(&measure).await?);
        let measure_name = self.measure_name(&measure).await?.unwrap_or_else(|| measure.code());
        Ok(ObjectiveView { id, title: record.title, measure, measure_name, trajectory, progress, links })
    }

    /// The schedule against the sum of the contracts' indicative activity plans for the
    /// plan's year, per provider and point of delivery; lines on either side only appear
    /// with zero on the other.
    async fn reconcile_schedule(&self, plan_id: i64, year: FinancialYear) -> Result<Vec<ScheduleLine>> {
        let schedule = self.store().plan_schedule(plan_id).await?;
        let mut lines: BTreeMap<(String, String), ScheduleLine> = BTreeMap::new();
        let blank = |provider: &str, pod: &str| ScheduleLine {
            provider_code: provider.to_owned(),
            pod: pod.to_owned(),
            plan_activity: 0,
            contract_activity: 0,
            plan_value: Money::ZERO,
            contract_value: Money::ZERO,
        };
        let mut providers: Vec<String> = Vec::new();
        for row in &schedule {
            let line = lines
                .entry((row.provider_code.clone(), row.pod.clone()))
                .or_insert_with(|| blank(&row.provider_code, &row.pod));
            line.plan_activity += row.activity;
            line.plan_value += Money::from_pence(row.value_pence);
            if !providers.contains(&row.provider_code) {
                providers.push(row.provider_code.clone());
            }
        }
        let months: Vec<String> = year.months().iter().map(|m| m.to_string()).collect();
        for provider in &providers {
            let Ok(code) = OdsCode::parse(provider) else { continue };
            for row in self.store().plan(&code).await?.into_iter().filter(|r| months.contains(&r.month)) {
                let line =
                    lines.entry((provider.clone(), row.pod.clone())).or_insert_with(|| blank(provider, &row.pod));
                line.contract_activity += row.activity;
                line.contract_value += Money::from_pence(row.value_pence);
            }
        }
        Ok(lines.into_values().collect())
    }

    /// The Provider Selection Regime's annual summary of `year` (the latest year with a
    /// decision when `None`), generated from the decision log; public, as regulation 25
    /// requires it to be published.
    pub async fn psr_annual_summary(&self, year: Option<FinancialYear>) -> Result<AnnualSummary> {
        authorize(None, &Action::ViewPublic)?;
        let (decisions, modifications, representations, first_contract) = self.summary_facts().await?;
        let year = year
            .or_else(|| decisions.iter().map(|d| FinancialYear::containing(d.decided_on)).max())
            .unwrap_or_else(|| FinancialYear::containing(chrono::Utc::now().date_naive()));
        Ok(annual_summary(year, &decisions, &modifications, &representations, &first_contract))
    }

    /// The years the decision log covers, newest first.
    pub async fn psr_summary_years(&self) -> Result<Vec<FinancialYear>> {
        let (decisions, ..) = self.summary_facts().await?;
        let mut years: Vec<FinancialYear> = decisions.iter().map(|d| FinancialYear::containing(d.decided_on)).collect();
        years.sort_by_key(|y| std::cmp::Reverse(y.start_year()));
        years.dedup();
        Ok(years)
    }

    async fn summary_facts(
        &self,
    ) -> Result<(Vec<DecisionFacts>, Vec<ModificationFacts>, Vec<Representation>, BTreeMap<String, NaiveDate>)> {
        let tenders = self.store().tenders().await?;
        let mut awarded_by_title: BTreeMap<String, String> = BTreeMap::new();
        let mut representations = Vec::new();
        for tender in &tenders {
            let award = self.store().award(tender.id).await?;
            if let (Some(provider), Some(_)) = (&award.intended_provider, &award.contract_id) {
                awarded_by_title.insert(tender.title.clone(), provider.clone());
            }
            for (provider, received_on, summary) in award.representations {
                if let Ok(received_on) = NaiveDate::parse_from_str(&received_on, "%Y-%m-%d") {
                    representations.push(Representation {
                        procurement: tender.title.clone(),
                        provider,
                        received_on,
                        summary,
                    });
                }
            }
        }
        let mut decisions = Vec::new();
        for record in self.store().decisions().await? {
            let input = crate::procurement::decision_input(&record)?;
            let process = Process::parse(&record.chosen).ok_or_else(|| corrupt("process", record.id))?;
            let decided_on = chrono::DateTime::from_timestamp_millis(record.decided_at)
                .ok_or_else(|| corrupt("decided_at", record.id))?
                .date_naive();
            let named = Some(input.provider.trim().to_owned()).filter(|p| !p.is_empty());
            decisions.push(DecisionFacts {
                id: record.id,
                provider: named.or_else(|| awarded_by_title.get(&record.title).cloned()),
                title: record.title,
                process,
                decided_on,
                framework: input.framework,
                call_off: input.call_off,
                urgent: input.urgent,
            });
        }
        let mut modifications = Vec::new();
        let mut first_contract: BTreeMap<String, NaiveDate> = BTreeMap::new();
        for contract in self.store().contracts(None).await? {
            let first = first_contract.entry(contract.provider.to_string()).or_insert(contract.term.start);
            *first = (*first).min(contract.term.start);
            for (variation, ..) in self.store().variations(&contract.id).await? {
                modifications.push(ModificationFacts {
                    contract_id: contract.id.clone(),
                    made_on: variation.agreed_on,
                    urgent: variation.ground == ModificationGround::Urgent,
                });
            }
        }
        // A provider is new until its first contract with the commissioner: a contract the
        // award itself created does not make it an existing provider.
        for tender in &tenders {
            let award = self.store().award(tender.id).await?;
            if let (Some(provider), Some(contract_id)) = (award.intended_provider, award.contract_id)
                && let Ok(contract) = self.store().contract(&contract_id).await
                && first_contract.get(&provider) == Some(&contract.term.start)
            {
                let others = self.store().contracts(Some(&contract.provider)).await?;
                match others.iter().filter(|c| c.id != contract_id).map(|c| c.term.start).min() {
                    Some(earlier) => first_contract.insert(provider, earlier),
                    None => first_contract.remove(&provider),
                };
            }
        }
        Ok((decisions, modifications, representations, first_contract))
    }
}

impl App {
    /// The demo's plans: a strategy for 2025/26 to 2029/30 and the operating plan for
    /// 2025/26, both approved by the board, with objectives read from the acute contract's
    /// KPIs and a schedule that differs from the contract's plan on one line; and an
    /// organisational development plan still in draft.
    pub(crate) async fn load_demo_strategy(&self) -> Result<()> {
        let chris = self.demo_principal("commissioner@demo.commissioner.test").await?;
        let contract = format!("{}-R9A-2024", crate::generate::ICB_CODE);
        let strategy = self
            .create_plan(
                &chris,
                &PlanInput {
                    kind: "strategic".into(),
                    title: "Healthier together: our commissioning strategy 2025 to 2030".into(),
                    first_year: "2025/26".into(),
                    summary:
                        "Care closer to home, shorter waits and narrower gaps in health between our most and least \
                              deprived neighbourhoods."
                            .into(),
                },
            )
            .await?;
        let board = |version: &str, on: &str, minute: &str| ApprovalInput {
            version: version.into(),
            board: "Integrated care board".into(),
            approved_on: on.into(),
            minute: minute.into(),
        };
        self.approve_plan(&chris, strategy, &board("1", "2025-03-20", "ICB/25/031")).await?;
        let operating = self
            .create_plan(
                &chris,
                &PlanInput {
                    kind: "operating".into(),
                    title: "Operating plan 2025/26".into(),
                    first_year: "2025/26".into(),
                    summary: "The first year of the strategy: urgent care recovery and elective waits.".into(),
                },
            )
            .await?;
        self.revise_plan(
            &chris,
            operating,
            "The first year of the strategy: urgent care recovery, elective waits and discharge.",
            "Discharge summaries added after the planning round",
        )
        .await?;
        self.approve_plan(&chris, operating, &board("2", "2025-04-24", "ICB/25/047")).await?;
        for (title, code, baseline, target, better, competencies) in [
            ("Patients seen within 4 hours in A&E", "AE4", "72.8", "78", "higher", "10"),
            ("Incomplete pathways within 18 weeks", "RTT18", "57.8", "65", "higher", "6, 10"),
            ("Patients waiting over 52 weeks", "RTT52", "1.9", "1", "lower", "10, 11"),
        ] {
            self.add_objective(
                &chris,
                operating,
                &ObjectiveInput {
                    title: title.into(),
                    measure: format!("kpi:{contract}:{code}"),
                    baseline: baseline.into(),
                    target: target.into(),
                    better: better.into(),
                    starts: "2025-04-01".into(),
                    due: "2026-03-31".into(),
                    priorities: String::new(),
                    contracts: contract.clone(),
                    competencies: competencies.into(),
                    ..ObjectiveInput::default()
                },
            )
            .await?;
        }
        // The schedule as the planning round set it: the contract's plan, but outpatient
        // first attendances a little higher than the contract was agreed at.
        let year = FinancialYear::starting(2025);
        let months: Vec<String> = year.months().iter().map(|m| m.to_string()).collect();
        let provider = OdsCode::parse("R9A").expect("valid code");
        let mut by_pod: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for row in self.store().plan(&provider).await?.into_iter().filter(|r| months.contains(&r.month)) {
            let entry = by_pod.entry(row.pod).or_default();
            entry.0 += row.activity;
            entry.1 += row.value_pence;
        }
        let mut differs = false;
        let rows: Vec<(String, String, i64, Money)> = by_pod
            .into_iter()
            .map(|(pod, (activity, pence))| {
                if !differs && pod == "OPFA" {
                    differs = true;
                    (provider.to_string(), pod, activity + activity / 50, Money::from_pence(pence + pence / 50))
                } else {
                    (provider.to_string(), pod, activity, Money::from_pence(pence))
                }
            })
            .collect();
        self.set_plan_schedule(&chris, operating, &rows).await?;
        self.create_plan(
            &chris,
            &PlanInput {
                kind: "development".into(),
                title: "Organisational development plan 2025/26".into(),
                first_year: "2025/26".into(),
                summary: "The skills we need to commission well: procurement under the Provider Selection Regime, \
                          analysis and engagement."
                    .into(),
            },
        )
        .await?;
        Ok(())
    }
}
