//! Self-assessment: the commissioner scores itself each financial year against the eleven
//! World Class Commissioning competencies (0 to 4) and the commissioning and procurement
//! self-evaluation checklists (no, partly, yes), each item with its evidence and action plan;
//! the trend of each framework over the years; and the gaps below target, which the
//! organisational development plan of the year takes on.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use commissioning::access::{Action, Principal, Stage};
use commissioning::period::FinancialYear;
use commissioning::strategy::assessment::{Framework, Gap, ItemScore, ItemTrend, gaps, trend};
use store::engagement::{AssessmentItemRecord, AssessmentRecord};

use crate::{Actor, App, AppError, Result, audit_entry, authorize, now_millis};

/// One item's score as a form or the API gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ScoreInput {
    /// `competencies`, `commissioning` or `procurement`.
    pub framework: String,
    /// The financial year, such as 2025/26.
    pub period: String,
    /// The item's number, from 1.
    pub item: String,
    pub level: String,
    /// One link or reference a line.
    pub evidence: String,
    pub action: String,
    pub owner: String,
    /// `YYYY-MM-DD`, or empty.
    pub due: String,
}

/// An item with its score in the period, if scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemView {
    /// From 1.
    pub number: usize,
    pub name: &'static str,
    pub score: Option<ItemScore>,
    pub recorded_by: Option<String>,
}

/// A framework's assessment of a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentView {
    pub framework: Framework,
    pub period: FinancialYear,
    pub items: Vec<ItemView>,
    pub gaps: Vec<Gap>,
    /// Every year assessed, oldest first, and each item's trend over them with each year's
    /// mean level.
    pub periods: Vec<FinancialYear>,
    pub trend: Vec<ItemTrend>,
    pub means: Vec<Option<f64>>,
    /// For the competencies: each plan objective tagged with a competency, under its item
    /// (the assurance view, DOMAIN.md B8); empty for the checklists.
    pub assurance: Vec<Assurance>,
}

/// An objective behind a competency, with its standing from monitoring.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assurance {
    /// The competency's index.
    pub item: usize,
    pub plan_id: i64,
    pub objective: String,
    pub standing: commissioning::strategy::Standing,
}

fn score_of(record: &AssessmentItemRecord) -> Option<ItemScore> {
    Some(ItemScore {
        item: usize::try_from(record.item).ok()?,
        level: u8::try_from(record.level).ok()?,
        evidence: record.evidence.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        action: record.action.clone(),
        owner: record.owner.clone(),
        due: record.due.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
    })
}

impl App {
    /// Records an item's level with its evidence and action plan, replacing the year's
    /// earlier score of it.
    pub async fn score_assessment_item(&self, principal: &Principal, input: &ScoreInput) -> Result<()> {
        authorize(Some(principal), &Action::ManageStrategy)?;
        let framework = Framework::parse(&input.framework)
            .ok_or_else(|| AppError::field("framework", "Choose the competencies or a checklist"))?;
        let period = FinancialYear::parse(input.period.trim()).map_err(|_| {
            AppError::field("period", format!("Enter a financial year such as 2025/26 (not '{}')", input.period.trim()))
        })?;
        let item = input
            .item
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=framework.items().len()).contains(n))
            .ok_or_else(|| AppError::field("item", "Choose what you are scoring"))?;
        let level = framework
            .parse_level(&input.level)
            .ok_or_else(|| AppError::field("level", format!("Choose a level from 0 to {}", framework.max_level())))?;
        let evidence = input.evidence.trim();
        if level > 0 && evidence.is_empty() {
            return Err(AppError::field("evidence", "Give the evidence for the level, one link or reference a line"));
        }
        let action = input.action.trim();
        let owner = input.owner.trim();
        if level < framework.target() && (action.is_empty() || owner.is_empty()) {
            let field = if action.is_empty() { "action" } else { "owner" };
            return Err(AppError::field(field, "Below the target level, say what will be done and who owns it"));
        }
        let due = match input.due.trim() {
            "" => None,
            text => Some(
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map_err(|_| AppError::field("due", format!("Enter a date such as 2026-03-31 (not '{text}')")))?,
            ),
        };
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        let assessment_id =
            tx.assessment_for(framework.code(), i64::from(period.start_year()), &principal.name, at).await?;
        tx.put_assessment_item(&AssessmentItemRecord {
            assessment_id,
            item: (item - 1) as i64,
            level: i64::from(level),
            evidence: evidence.to_owned(),
            action: action.to_owned(),
            owner: owner.to_owned(),
            due: due.map(|d| d.to_string()),
            recorded_by: principal.name.clone(),
            recorded_at: at,
        })
        .await?;
        tx.audit(
            &audit_entry(
                &Actor::User(principal.clone()),
                "assessment",
                assessment_id,
                "score_item",
                serde_json::json!({"framework": framework.code(), "period": period.to_string(), "item": item, "level": level}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The years each framework has been assessed, oldest first.
    async fn assessed(&self, framework: Framework) -> Result<Vec<AssessmentRecord>> {
        Ok(self.store().assessments().await?.into_iter().filter(|a| a.framework == framework.code()).collect())
    }

    async fn scores(&self, assessment_id: i64) -> Result<Vec<(ItemScore, String)>> {
        Ok(self
            .store()
            .assessment_items(assessment_id)
            .await?
            .iter()
            .filter_map(|r| score_of(r).map(|s| (s, r.recorded_by.clone())))
            .collect())
    }

    /// A framework's assessment of `period` (the latest assessed, or the current year, when
    /// `None`), with its gaps and the trend over every year assessed.
    pub async fn assessment(
        &self,
        principal: &Principal,
        framework: Framework,
        period: Option<FinancialYear>,
    ) -> Result<AssessmentView> {
        self.assessment_for(&Actor::User(principal.clone()), framework, period).await
    }

    /// A framework's assessment for a person, or for batch work from the command line.
    pub async fn assessment_for(
        &self,
        actor: &Actor,
        framework: Framework,
        period: Option<FinancialYear>,
    ) -> Result<AssessmentView> {
        if let Actor::User(principal) = actor {
            authorize(Some(principal), &Action::ViewStage(Stage::Strategy))?;
        }
        let records = self.assessed(framework).await?;
        let mut periods = Vec::new();
        let mut all_scores = Vec::new();
        for record in &records {
            periods.push(FinancialYear::starting(record.period as i32));
            all_scores.push(self.scores(record.id).await?);
        }
        let period = period
            .or_else(|| periods.last().copied())
            .unwrap_or_else(|| FinancialYear::containing(chrono::Utc::now().date_naive()));
        let current: Vec<(ItemScore, String)> =
            periods.iter().position(|p| *p == period).map(|i| all_scores[i].clone()).unwrap_or_default();
        let scores: Vec<ItemScore> = current.iter().map(|(s, _)| s.clone()).collect();
        let items = framework
            .items()
            .iter()
            .enumerate()
            .map(|(item, name)| {
                let found = current.iter().find(|(s, _)| s.item == item);
                ItemView {
                    number: item + 1,
                    name,
                    score: found.map(|(s, _)| s.clone()),
                    recorded_by: found.map(|(_, by)| by.clone()),
                }
            })
            .collect();
        let only_scores: Vec<Vec<ItemScore>> =
            all_scores.into_iter().map(|v| v.into_iter().map(|(s, _)| s).collect()).collect();
        let (trend, means) = trend(framework, &only_scores);
        let mut assurance = Vec::new();
        if framework == Framework::Competencies {
            for record in self.store().objectives(None).await? {
                let tagged = serde_json::from_str::<crate::strategy::Links>(&record.links)
                    .is_ok_and(|links| !links.competencies.is_empty());
                if !tagged {
                    continue;
                }
                let plan_id = record.plan_id;
                let objective = self.objective_view(record).await?;
                for competency in &objective.links.competencies {
                    assurance.push(Assurance {
                        item: usize::from(*competency).saturating_sub(1),
                        plan_id,
                        objective: objective.title.clone(),
                        standing: objective.progress.standing,
                    });
                }
            }
            assurance.sort_by_key(|a| a.item);
        }
        Ok(AssessmentView {
            framework,
            period,
            gaps: gaps(framework, &scores),
            items,
            periods,
            trend,
            means,
            assurance,
        })
    }

    /// The gaps the organisational development plan of `year` must close: for each framework,
    /// the items below target in its latest assessment up to that year (none for a framework
    /// never assessed by then).
    pub async fn development_gaps(&self, principal: &Principal, year: FinancialYear) -> Result<Vec<Gap>> {
        authorize(Some(principal), &Action::ViewStage(Stage::Strategy))?;
        self.gaps_up_to(year).await
    }

    pub(crate) async fn gaps_up_to(&self, year: FinancialYear) -> Result<Vec<Gap>> {
        let mut found = Vec::new();
        for framework in Framework::ALL {
            let latest = self
                .assessed(framework)
                .await?
                .into_iter()
                .filter(|a| a.period <= i64::from(year.start_year()))
                .max_by_key(|a| a.period);
            if let Some(record) = latest {
                let scores: Vec<ItemScore> = self.scores(record.id).await?.into_iter().map(|(s, _)| s).collect();
                found.extend(gaps(framework, &scores));
            }
        }
        Ok(found)
    }

    /// The demo's self-assessments: the competencies in 2024/25 and 2025/26, improving on
    /// engagement and procurement but with market stimulation still below target, and the
    /// procurement checklist of 2025/26 with one duty only partly met.
    pub(crate) async fn load_demo_assessments(&self) -> Result<()> {
        let chris = self.demo_principal("commissioner@demo.commissioner.test").await?;
        let score = |framework: &str, period: &str, item: usize, level: u8, action: &str| ScoreInput {
            framework: framework.into(),
            period: period.into(),
            item: item.to_string(),
            level: level.to_string(),
            evidence: if level > 0 {
                format!("/strategy/plans\nBoard paper ICB/{}/{item:02}", &period[2..4])
            } else {
                String::new()
            },
            action: action.into(),
            owner: if action.is_empty() { String::new() } else { "Director of strategy".into() },
            due: if action.is_empty() { String::new() } else { "2026-03-31".into() },
        };
        let before = [2, 2, 1, 3, 3, 2, 1, 2, 1, 2, 3];
        let after = [3, 3, 3, 3, 4, 3, 2, 3, 3, 3, 3];
        for (period, levels) in [("2024/25", before), ("2025/26", after)] {
            for (idx, level) in levels.into_iter().enumerate() {
                let action =
                    if level < 3 { "Develop the competency through the organisational development plan" } else { "" };
                self.score_assessment_item(&chris, &score("competencies", period, idx + 1, level, action)).await?;
            }
        }
        self.score_assessment_item(
            &chris,
            &score(
                "competencies",
                "2025/26",
                7,
                2,
                "Hold a market engagement event for community services each quarter",
            ),
        )
        .await?;
        for item in 1..=10 {
            let (level, action) =
                if item == 9 { (1, "Train contract managers on the considerable-change thresholds") } else { (2, "") };
            self.score_assessment_item(&chris, &score("procurement", "2025/26", item, level, action)).await?;
        }
        Ok(())
    }
}
