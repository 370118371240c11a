//! Plan: prioritisation workshops. A workshop has criteria with weights (swing by default)
//! and a budget; options answer gaps from the register, each with a cost and a benefit;
//! every participant scores every option against every criterion, the scores are averaged
//! across participants and ranked by multi-criteria decision analysis with its weight
//! sensitivity, and the optimiser picks the portfolio within the budget. Decisions are
//! recorded with their rationale against the option (and so against its gap and need).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use commissioning::access::{Action, Principal, Stage};
use commissioning::plan::mcda::{self, Criterion, Mcda, McdaResult, OptionScores, Weighting};
use commissioning::plan::portfolio::{self, Candidate, Portfolio, Problem};
use store::audit::AuditEntry;
use store::priorities::{OptionRecord, PriorityDecisionRecord, ScoreRecord, WorkshopRecord};

use crate::{Actor, App, AppError, Result, authorize, now_millis};

/// The criteria a workshop starts with: the usual ones, swing-weighted.
pub const DEFAULT_CRITERIA: [(&str, &str, f64); 6] = [
    ("gain", "Health gain", 100.0),
    ("inequalities", "Reducing inequalities", 70.0),
    ("cost", "Affordability", 60.0),
    ("fit", "Strategic fit", 40.0),
    ("deliver", "Deliverability", 30.0),
    ("experience", "Patient experience", 20.0),
];

/// What a decision on an option is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityDecision {
    Invest,
    Disinvest,
    Defer,
    Reject,
}

impl PriorityDecision {
    pub const ALL: [PriorityDecision; 4] =
        [PriorityDecision::Invest, PriorityDecision::Disinvest, PriorityDecision::Defer, PriorityDecision::Reject];

    pub fn code(self) -> &'static str {
        match self {
            PriorityDecision::Invest => "invest",
            PriorityDecision::Disinvest => "disinvest",
            PriorityDecision::Defer => "defer",
            PriorityDecision::Reject => "reject",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PriorityDecision::Invest => "Invest",
            PriorityDecision::Disinvest => "Disinvest",
            PriorityDecision::Defer => "Defer to a later round",
            PriorityDecision::Reject => "Reject",
        }
    }

    pub fn parse(text: &str) -> Option<PriorityDecision> {
        PriorityDecision::ALL.into_iter().find(|d| d.code() == text.trim())
    }
}

/// A new workshop.
#[derive(Debug, Clone, PartialEq)]
pub struct NewWorkshop {
    pub title: String,
    pub budget_pence: i64,
}

/// The gap an option answers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GapRef {
    pub kind: String,
    pub need: String,
    pub area_code: String,
    pub service_code: String,
}

impl GapRef {
    /// The key the register and the forms use: `kind|need|area|service`.
    pub fn key(&self) -> String {
        format!("{}|{}|{}|{}", self.kind, self.need, self.area_code, self.service_code)
    }

    pub fn parse(key: &str) -> Option<GapRef> {
        let parts: Vec<&str> = key.split('|').collect();
        (parts.len() == 4 && !parts[0].is_empty()).then(|| GapRef {
            kind: parts[0].to_owned(),
            need: parts[1].to_owned(),
            area_code: parts[2].to_owned(),
            service_code: parts[3].to_owned(),
        })
    }
}

/// A new option.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOption {
    pub name: String,
    pub gap: Option<GapRef>,
    /// Pence a year; negative for a disinvestment.
    pub cost_pence: i64,
    pub benefit: f64,
    pub mandatory: bool,
    pub group: String,
    pub requires: Vec<String>,
}

/// A workshop in the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkshopSummary {
    pub id: i64,
    pub title: String,
    pub budget_pence: i64,
    pub created_by: String,
}

/// A decision as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionView {
    pub workshop_id: i64,
    pub workshop_title: String,
    pub option_id: String,
    pub option_name: String,
    pub gap: GapRef,
    pub decision: PriorityDecision,
    pub rationale: String,
    pub decided_by: String,
    pub decided_at: i64,
}

/// A workshop with its options, scores, ranking and portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workshop {
    pub id: i64,
    pub title: String,
    pub area_code: String,
    pub budget_pence: i64,
    pub weighting: Weighting,
    pub criteria: Vec<Criterion>,
    pub options: Vec<OptionView>,
    pub participants: Vec<String>,
    /// The ranking of fully scored options by their mean scores, with sensitivity.
    pub ranking: Option<McdaResult>,
    /// The optimal portfolio within the budget, or why there is none.
    pub portfolio: std::result::Result<Portfolio, String>,
    pub decisions: Vec<DecisionView>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionView {
    pub id: String,
    pub name: String,
    pub gap: GapRef,
    pub cost_pence: i64,
    pub benefit: f64,
    pub mandatory: bool,
    pub group: String,
    pub requires: Vec<String>,
    /// Mean score per criterion across participants (`None` where nobody scored it).
    pub mean_scores: Vec<Option<f64>>,
    /// The signed-in participant's own scores, to prefill the form.
    pub own_scores: Vec<Option<f64>>,
}

fn criteria_of(record: &WorkshopRecord) -> Result<Vec<Criterion>> {
    serde_json::from_str(&record.criteria).map_err(|e| AppError::Invalid(format!("workshop criteria: {e}")))
}

fn weighting_of(record: &WorkshopRecord) -> Weighting {
    if record.weighting == "direct" { Weighting::Direct } else { Weighting::Swing }
}

impl App {
    fn audit_entry(principal: &Principal, action: &str, object_id: String, after: serde_json::Value) -> AuditEntry {
        let actor = Actor::User(principal.clone());
        AuditEntry {
            actor: actor.audit_name(),
            organisation: actor.organisation(),
            action: action.into(),
            object_type: "priority_workshop".into(),
            object_id,
            before: None,
            after: Some(after),
        }
    }

    /// Starts a workshop on the commissioner's area with the default criteria.
    pub async fn create_workshop(&self, principal: &Principal, new: &NewWorkshop) -> Result<i64> {
        authorize(Some(principal), &Action::ManagePriorities)?;
        let title = new.title.trim();
        if title.is_empty() {
            return Err(AppError::Invalid("title: Enter a title for the workshop".into()));
        }
        if new.budget_pence < 0 {
            return Err(AppError::Invalid("budget: Enter a budget of £0 or more".into()));
        }
        let area = self.footprint_of(principal).await?.map(|a| a.to_string()).unwrap_or_default();
        let criteria: Vec<Criterion> = DEFAULT_CRITERIA
            .iter()
            .map(|(id, name, weight)| Criterion { id: (*id).into(), name: (*name).into(), weight: *weight })
            .collect();
        let at = now_millis();
        let record = WorkshopRecord {
            id: 0,
            area_code: area,
            title: title.to_owned(),
            weighting: "swing".into(),
            criteria: serde_json::to_string(&criteria).map_err(anyhow::Error::new)?,
            budget_pence: new.budget_pence,
            created_by: principal.name.clone(),
            created_at: at,
        };
        let mut tx = self.store().begin().await?;
        let id = tx.insert_workshop(&record).await?;
        tx.audit(
            &Self::audit_entry(
                principal,
                "create_workshop",
                id.to_string(),
                serde_json::json!({"title": title, "budget_pence": new.budget_pence}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn workshop_record(&self, id: i64) -> Result<WorkshopRecord> {
        self.store().workshop(id).await?.ok_or(AppError::NotFound)
    }

    /// Adds an option; its id is the next `O1`, `O2`, …
    pub async fn add_workshop_option(&self, principal: &Principal, id: i64, new: &NewOption) -> Result<String> {
        authorize(Some(principal), &Action::ManagePriorities)?;
        self.workshop_record(id).await?;
        let name = new.name.trim();
        if name.is_empty() {
            return Err(AppError::Invalid("name: Enter the option's name".into()));
        }
        if !new.benefit.is_finite() {
            return Err(AppError::Invalid("benefit: Enter the benefit as a number".into()));
        }
        let existing = self.store().workshop_options(id).await?;
        for required in &new.requires {
            if !existing.iter().any(|o| &o.option_id == required) {
                return Err(AppError::Invalid(format!("requires: {required} is not an option of this workshop")));
            }
        }
        let next =
            existing.iter().filter_map(|o| o.option_id.strip_prefix('O')?.parse::<u32>().ok()).max().unwrap_or(0) + 1;
        let option_id = format!("O{next:02}");
        let gap = new.gap.clone().unwrap_or_default();
        let record = OptionRecord {
            workshop_id: id,
            option_id: option_id.clone(),
            name: name.to_owned(),
            need: gap.need.clone(),
            gap_kind: gap.kind.clone(),
            area_code: gap.area_code.clone(),
            service_code: gap.service_code.clone(),
            cost_pence: new.cost_pence,
            benefit: new.benefit,
            mandatory: new.mandatory,
            group: new.group.trim().to_owned(),
            requires: new.requires.join(","),
        };
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.upsert_workshop_options(std::slice::from_ref(&record)).await?;
        tx.audit(
            &Self::audit_entry(
                principal,
                "add_workshop_option",
                format!("{id}/{option_id}"),
                serde_json::json!({"name": name, "gap": gap.key(), "cost_pence": new.cost_pence, "benefit": new.benefit}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(option_id)
    }

    /// Records the participant's scores (0–100), replacing any they gave before.
    pub async fn enter_workshop_scores(
        &self,
        principal: &Principal,
        id: i64,
        scores: &[(String, String, f64)],
    ) -> Result<u64> {
        authorize(Some(principal), &Action::ScorePriorities)?;
        let record = self.workshop_record(id).await?;
        let criteria = criteria_of(&record)?;
        let options = self.store().workshop_options(id).await?;
        if scores.is_empty() {
            let field = match (options.first(), criteria.first()) {
                (Some(o), Some(c)) => format!("score-{}-{}", o.option_id, c.id),
                _ => "score".to_owned(),
            };
            return Err(AppError::Invalid(format!("{field}: Enter at least one score")));
        }
        let at = now_millis();
        let participant = principal.name.clone();
        let mut rows = Vec::with_capacity(scores.len());
        for (option, criterion, score) in scores {
            let option_name = options.iter().find(|o| &o.option_id == option).map(|o| o.name.as_str());
            let criterion_name = criteria.iter().find(|c| &c.id == criterion).map(|c| c.name.as_str());
            let (Some(option_name), Some(criterion_name)) = (option_name, criterion_name) else {
                return Err(AppError::Invalid(format!(
                    "score-{option}-{criterion}: not an option and criterion of this workshop"
                )));
            };
            if !score.is_finite() || !(0.0..=100.0).contains(score) {
                return Err(AppError::Invalid(format!(
                    "score-{option}-{criterion}: Enter a score from 0 to 100 for {option_name} on {criterion_name}"
                )));
            }
            rows.push(ScoreRecord {
                workshop_id: id,
                participant: participant.clone(),
                option_id: option.clone(),
                criterion_id: criterion.clone(),
                score: *score,
                entered_at: at,
            });
        }
        let mut tx = self.store().begin().await?;
        let written = tx.upsert_workshop_scores(&rows).await?;
        tx.audit(
            &Self::audit_entry(
                principal,
                "enter_workshop_scores",
                id.to_string(),
                serde_json::json!({"scores": rows.len()}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(written)
    }

    /// Records a decision on an option with its rationale.
    pub async fn decide_workshop_option(
        &self,
        principal: &Principal,
        id: i64,
        option_id: &str,
        decision: PriorityDecision,
        rationale: &str,
    ) -> Result<()> {
        authorize(Some(principal), &Action::ManagePriorities)?;
        self.workshop_record(id).await?;
        if !self.store().workshop_options(id).await?.iter().any(|o| o.option_id == option_id) {
            return Err(AppError::Invalid("option: Choose an option of this workshop".into()));
        }
        let rationale = rationale.trim();
        if rationale.is_empty() {
            return Err(AppError::Invalid("rationale: Enter the rationale for the decision".into()));
        }
        let at = now_millis();
        let record = PriorityDecisionRecord {
            workshop_id: id,
            option_id: option_id.to_owned(),
            decision: decision.code().into(),
            rationale: rationale.to_owned(),
            decided_by: principal.name.clone(),
            decided_at: at,
        };
        let mut tx = self.store().begin().await?;
        tx.upsert_priority_decision(&record).await?;
        tx.audit(
            &Self::audit_entry(
                principal,
                "decide_workshop_option",
                format!("{id}/{option_id}"),
                serde_json::json!({"decision": decision.code(), "rationale": rationale}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every workshop, newest first.
    pub async fn workshops(&self, principal: &Principal) -> Result<Vec<WorkshopSummary>> {
        authorize(Some(principal), &Action::ViewStage(Stage::Plan))?;
        Ok(self
            .store()
            .workshops()
            .await?
            .into_iter()
            .map(|w| WorkshopSummary {
                id: w.id,
                title: w.title,
                budget_pence: w.budget_pence,
                created_by: w.created_by,
            })
            .collect())
    }

    /// Every decision with its option and gap, for the gap register.
    pub async fn priority_decisions(&self, principal: &Principal) -> Result<Vec<DecisionView>> {
        authorize(Some(principal), &Action::ViewStage(Stage::Plan))?;
        let mut views = Vec::new();
        let mut titles: BTreeMap<i64, (String, Vec<OptionRecord>)> = BTreeMap::new();
        for decision in self.store().priority_decisions(None).await? {
            if let std::collections::btree_map::Entry::Vacant(slot) = titles.entry(decision.workshop_id) {
                let record = self.workshop_record(decision.workshop_id).await?;
                let options = self.store().workshop_options(decision.workshop_id).await?;
                slot.insert((record.title, options));
            }
            let (title, options) = &titles[&decision.workshop_id];
            views.extend(decision_view(decision, title, options));
        }
        Ok(views)
    }

    /// A workshop with the ranking of its mean scores and the optimal portfolio.
    pub async fn workshop(&self, principal: &Principal, id: i64) -> Result<Workshop> {
        authorize(Some(principal), &Action::ViewStage(Stage::Plan))?;
        let record = self.workshop_record(id).await?;
        let criteria = criteria_of(&record)?;
        let weighting = weighting_of(&record);
        let options = self.store().workshop_options(id).await?;
        let scores = self.store().workshop_scores(id).await?;
        let participants: Vec<String> =
            scores.iter().map(|s| s.participant.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let mut notes = Vec::new();
        let views: Vec<OptionView> = options
            .iter()
            .map(|o| {
                let of = |c: &Criterion, who: Option<&str>| {
                    let given: Vec<f64> = scores
                        .iter()
                        .filter(|s| s.option_id == o.option_id && s.criterion_id == c.id)
                        .filter(|s| who.is_none_or(|w| s.participant == w))
                        .map(|s| s.score)
                        .collect();
                    (!given.is_empty()).then(|| given.iter().sum::<f64>() / given.len() as f64)
                };
                OptionView {
                    id: o.option_id.clone(),
                    name: o.name.clone(),
                    gap: GapRef {
                        kind: o.gap_kind.clone(),
                        need: o.need.clone(),
                        area_code: o.area_code.clone(),
                        service_code: o.service_code.clone(),
                    },
                    cost_pence: o.cost_pence,
                    benefit: o.benefit,
                    mandatory: o.mandatory,
                    group: o.group.clone(),
                    requires: o.requires.split(',').filter(|r| !r.is_empty()).map(str::to_owned).collect(),
                    mean_scores: criteria.iter().map(|c| of(c, None)).collect(),
                    own_scores: criteria.iter().map(|c| of(c, Some(principal.name.as_str()))).collect(),
                }
            })
            .collect();
        let scored: Vec<OptionScores> = views
            .iter()
            .filter_map(|v| {
                let all: Option<Vec<f64>> = v.mean_scores.iter().copied().collect();
                all.map(|scores| OptionScores { id: v.id.clone(), name: v.name.clone(), scores })
            })
            .collect();
        if scored.len() < views.len() {
            notes.push(format!(
                "{} of {} options are scored on every criterion; the ranking shows those.",
                scored.len(),
                views.len()
            ));
        }
        let ranking = if scored.is_empty() {
            None
        } else {
            let model = Mcda { weighting, criteria: criteria.clone(), options: scored };
            Some(mcda::analyse(&model, 3, 1_000, 0.2, id as u64).map_err(|e| AppError::Invalid(e.to_string()))?)
        };
        let problem = Problem {
            budget_pence: record.budget_pence,
            candidates: views
                .iter()
                .map(|v| Candidate {
                    id: v.id.clone(),
                    name: v.name.clone(),
                    cost_pence: v.cost_pence,
                    benefit: v.benefit,
                    mandatory: v.mandatory,
                    group: (!v.group.is_empty()).then(|| v.group.clone()),
                    requires: v.requires.clone(),
                })
                .collect(),
            node_limit: None,
        };
        let portfolio = portfolio::solve(&problem).map_err(|e| e.to_string());
        let decisions = self
            .store()
            .priority_decisions(Some(id))
            .await?
            .into_iter()
            .filter_map(|d| decision_view(d, &record.title, &options))
            .collect();
        Ok(Workshop {
            id,
            title: record.title,
            area_code: record.area_code,
            budget_pence: record.budget_pence,
            weighting,
            criteria,
            options: views,
            participants,
            ranking,
            portfolio,
            decisions,
            notes,
        })
    }
}

fn decision_view(d: PriorityDecisionRecord, title: &str, options: &[OptionRecord]) -> Option<DecisionView> {
    let option = options.iter().find(|o| o.option_id == d.option_id)?;
    Some(DecisionView {
        workshop_id: d.workshop_id,
        workshop_title: title.to_owned(),
        option_id: d.option_id.clone(),
        option_name: option.name.clone(),
        gap: GapRef {
            kind: option.gap_kind.clone(),
            need: option.need.clone(),
            area_code: option.area_code.clone(),
            service_code: option.service_code.clone(),
        },
        decision: PriorityDecision::parse(&d.decision)?,
        rationale: d.rationale,
        decided_by: d.decided_by,
        decided_at: d.decided_at,
    })
}

impl App {
    /// The demo's worked prioritisation: options answering the demo's gaps, scored by the
    /// commissioner and the clinical lead, with one decision recorded.
    pub(crate) async fn load_demo_priorities(&self) -> Result<()> {
        let chris = self.principal_of("commissioner@demo.commissioner.test").await?.ok_or(AppError::NotFound)?;
        let cleo = self.principal_of("clinical.lead@demo.commissioner.test").await?.ok_or(AppError::NotFound)?;
        let register = self.gap_register(&Actor::User(chris.clone()), None, None).await?;
        let id = self
            .create_workshop(
                &chris,
                &NewWorkshop { title: "2026/27 investment round".into(), budget_pence: 45_000_000 },
            )
            .await?;
        let gap = |kind: &str, service: Option<&str>| {
            register.gaps.iter().find(|g| g.kind.code() == kind && service.is_none_or(|s| g.service_code == s)).map(
                |g| GapRef {
                    kind: g.kind.code().into(),
                    need: g.need.clone(),
                    area_code: g.area_code.clone(),
                    service_code: g.service_code.clone(),
                },
            )
        };
        let low_value = register.gaps.iter().find(|g| g.kind.code() == "low_value");
        let options = [
            ("Diabetes case finding in primary care", gap("unmet_need", None), 12_000_000, 6.5, ""),
            (
                "Pulmonary rehabilitation: a second course site",
                gap("under_provision", None).or(gap("unmet_need", None)),
                18_000_000,
                9.0,
                "rehab",
            ),
            (
                "Pulmonary rehabilitation: home-based programme",
                gap("under_provision", None).or(gap("unmet_need", None)),
                11_000_000,
                5.5,
                "rehab",
            ),
            (
                "Memory assessment outreach clinics",
                gap("access", Some("MEMORY")).or(gap("access", None)),
                9_000_000,
                3.0,
                "",
            ),
            ("One diabetes service in place of two", gap("duplication", None), -6_000_000, 0.5, ""),
            (
                "Decommission the homeopathy clinic",
                gap("low_value", None),
                -low_value.map(|g| g.size.round() as i64).unwrap_or(5_000_000),
                -0.2,
                "",
            ),
        ];
        for (name, gap, cost, benefit, group) in options {
            let new = NewOption {
                name: name.into(),
                gap,
                cost_pence: cost,
                benefit,
                mandatory: false,
                group: group.into(),
                requires: Vec::new(),
            };
            self.add_workshop_option(&chris, id, &new).await?;
        }
        let criteria: Vec<&str> = DEFAULT_CRITERIA.iter().map(|c| c.0).collect();
        let score_sheets: [(&Principal, [[f64; 6]; 6]); 2] = [
            (
                &chris,
                [
                    [80.0, 85.0, 60.0, 90.0, 70.0, 60.0],
                    [75.0, 70.0, 40.0, 80.0, 50.0, 75.0],
                    [60.0, 65.0, 70.0, 70.0, 80.0, 85.0],
                    [50.0, 80.0, 65.0, 60.0, 60.0, 80.0],
                    [30.0, 20.0, 95.0, 75.0, 55.0, 50.0],
                    [5.0, 10.0, 100.0, 70.0, 90.0, 20.0],
                ],
            ),
            (
                &cleo,
                [
                    [85.0, 80.0, 55.0, 85.0, 65.0, 55.0],
                    [85.0, 75.0, 35.0, 75.0, 45.0, 80.0],
                    [55.0, 70.0, 75.0, 65.0, 85.0, 80.0],
                    [60.0, 85.0, 60.0, 55.0, 50.0, 85.0],
                    [25.0, 15.0, 90.0, 70.0, 40.0, 45.0],
                    [5.0, 5.0, 100.0, 60.0, 85.0, 15.0],
                ],
            ),
        ];
        for (who, sheet) in score_sheets {
            let mut scores = Vec::new();
            for (o, row) in sheet.iter().enumerate() {
                for (c, score) in row.iter().enumerate() {
                    scores.push((format!("O{:02}", o + 1), criteria[c].to_owned(), *score));
                }
            }
            self.enter_workshop_scores(who, id, &scores).await?;
        }
        self.decide_workshop_option(
            &chris,
            id,
            "O06",
            PriorityDecision::Disinvest,
            "Far above £30,000 a QALY with no evidence of benefit; the saving funds the case-finding programme",
        )
        .await?;
        Ok(())
    }
}
