//! Commissioning programmes and where each stands in the cycle: a programme names the needs,
//! plans, specifications and contracts it is about; from those the cycle view gathers every
//! artefact at each stage — plan (needs indicators, plans and their objectives, consultations),
//! procure (specifications, route decisions, tenders, consultations), monitor (contracts and
//! their KPI returns) and evaluate (contract evaluations) — says which stage the programme has
//! reached, and lists the audit trail of all of them.

use serde::{Deserialize, Serialize};

use commissioning::access::{Action, Principal, Stage};
use store::audit::AuditFilter;
use store::engagement::ProgrammeRecord;

use crate::{Actor, App, AppError, Result, audit_entry, authorize, must_be_held, now_millis};

/// What a programme gathers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeLinks {
    #[serde(default)]
    pub needs: Vec<String>,
    #[serde(default)]
    pub plans: Vec<i64>,
    #[serde(default)]
    pub specifications: Vec<i64>,
    #[serde(default)]
    pub contracts: Vec<String>,
}

/// A programme as a form or the API gives it: ids comma-separated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ProgrammeInput {
    pub name: String,
    pub summary: String,
    pub needs: String,
    pub plans: String,
    pub specifications: String,
    pub contracts: String,
}

/// A stage of the cycle as the cycle view shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CycleStage {
    Plan,
    Procure,
    Monitor,
    Evaluate,
}

impl CycleStage {
    pub const ALL: [CycleStage; 4] = [CycleStage::Plan, CycleStage::Procure, CycleStage::Monitor, CycleStage::Evaluate];

    pub fn label(self) -> &'static str {
        match self {
            CycleStage::Plan => "Plan",
            CycleStage::Procure => "Procure",
            CycleStage::Monitor => "Monitor",
            CycleStage::Evaluate => "Evaluate",
        }
    }
}

/// Something the programme has produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artefact {
    pub stage: CycleStage,
    /// What kind of thing it is ("Specification", "Tender", ...).
    pub kind: &'static str,
    pub label: String,
    pub href: String,
    pub status: String,
}

/// An entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrailEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub object: String,
}

/// A programme's place in the cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleView {
    pub id: i64,
    pub name: String,
    pub summary: String,
    /// The furthest stage with an artefact.
    pub current: CycleStage,
    pub artefacts: Vec<Artefact>,
    pub trail: Vec<TrailEntry>,
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

impl App {
    /// Starts a programme over things already held.
    pub async fn create_programme(&self, principal: &Principal, input: &ProgrammeInput) -> Result<i64> {
        authorize(Some(principal), &Action::ManageStrategy)?;
        let name = input.name.trim();
        if name.is_empty() {
            return Err(AppError::field("name", "Enter the programme's name"));
        }
        let numbers = |field: &str, text: &str| -> Result<Vec<i64>> {
            list(text)
                .iter()
                .map(|t| t.parse::<i64>().map_err(|_| AppError::field(field, format!("'{t}' is not a number"))))
                .collect()
        };
        let links = ProgrammeLinks {
            needs: list(&input.needs),
            plans: numbers("plans", &input.plans)?,
            specifications: numbers("specifications", &input.specifications)?,
            contracts: list(&input.contracts),
        };
        for id in &links.plans {
            must_be_held("plans", &format!("plan {id}"), self.store().strategy_plan(*id).await)?;
        }
        for id in &links.specifications {
            must_be_held("specifications", &format!("specification {id}"), self.store().specification(*id).await)?;
        }
        for id in &links.contracts {
            must_be_held("contracts", &format!("contract {id}"), self.store().contract(id).await)?;
        }
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        let id = tx
            .insert_programme(&ProgrammeRecord {
                id: 0,
                name: name.to_owned(),
                summary: input.summary.trim().to_owned(),
                links: serde_json::to_string(&links).map_err(anyhow::Error::new)?,
                created_by: principal.name.clone(),
                created_at: at,
            })
            .await?;
        tx.audit(
            &audit_entry(
                &Actor::User(principal.clone()),
                "programme",
                id,
                "create_programme",
                serde_json::json!({"name": name}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every programme with its current stage.
    pub async fn programmes(&self, principal: &Principal) -> Result<Vec<CycleView>> {
        authorize(Some(principal), &Action::ViewStage(Stage::Strategy))?;
        let mut views = Vec::new();
        for record in self.store().programmes().await? {
            views.push(self.cycle_of(record, false).await?);
        }
        Ok(views)
    }

    /// A programme's cycle view with its audit trail.
    pub async fn programme_cycle(&self, principal: &Principal, id: i64) -> Result<CycleView> {
        authorize(Some(principal), &Action::ViewStage(Stage::Strategy))?;
        let record = self.store().programme(id).await?;
        self.cycle_of(record, true).await
    }

    async fn cycle_of(&self, record: ProgrammeRecord, with_trail: bool) -> Result<CycleView> {
        let links: ProgrammeLinks = serde_json::from_str(&record.links)
            .map_err(|_| AppError::Unexpected(anyhow::anyhow!("programme {}: links", record.id)))?;
        let mut artefacts = Vec::new();
        let mut objects: Vec<(&'static str, String)> = vec![("programme", record.id.to_string())];
        let mut subjects: Vec<String> = vec![format!("programme:{}", record.id)];
        let artefact =
            |stage, kind, label: String, href: String, status: String| Artefact { stage, kind, label, href, status };

        for need in &links.needs {
            artefacts.push(artefact(
                CycleStage::Plan,
                "Needs indicator",
                need.clone(),
                format!("/plan/needs/indicators/{need}"),
                String::new(),
            ));
        }
        let plans = self.store().strategy_plans().await?;
        for plan in plans.iter().filter(|p| links.plans.contains(&p.id)) {
            artefacts.push(artefact(
                CycleStage::Plan,
                "Plan",
                plan.title.clone(),
                format!("/strategy/plans/{}", plan.id),
                String::new(),
            ));
            objects.push(("strategy_plan", plan.id.to_string()));
            subjects.push(format!("plan:{}", plan.id));
        }
        // Objectives of any plan that name the programme's contracts or specifications.
        let mut contracts: Vec<String> = links.contracts.clone();
        let specifications = self.store().specifications().await?;
        let decisions = self.store().decisions().await?;
        let mut titles: Vec<String> = Vec::new();
        for spec in specifications.iter().filter(|s| links.specifications.contains(&s.id)) {
            artefacts.push(artefact(
                CycleStage::Procure,
                "Specification",
                spec.title.clone(),
                format!("/procure/specifications/{}", spec.id),
                format!("Version {}", spec.latest),
            ));
            objects.push(("specification", spec.id.to_string()));
            subjects.push(format!("specification:{}", spec.id));
            titles.push(spec.title.clone());
        }
        for tender in self.store().tenders().await? {
            if !tender.specification.is_some_and(|s| links.specifications.contains(&s)) {
                continue;
            }
            titles.push(tender.title.clone());
            artefacts.push(artefact(
                CycleStage::Procure,
                "Tender",
                tender.title.clone(),
                format!("/procure/tenders/{}", tender.id),
                tender.stage.replace('_', " "),
            ));
            objects.push(("tender", tender.id.to_string()));
            subjects.push(format!("tender:{}", tender.id));
            if let Some(contract) = self.store().award(tender.id).await?.contract_id
                && !contracts.contains(&contract)
            {
                contracts.push(contract);
            }
        }
        for decision in decisions.iter().filter(|d| titles.contains(&d.title)) {
            artefacts.push(artefact(
                CycleStage::Procure,
                "Route decision",
                decision.title.clone(),
                format!("/procure/decisions/{}", decision.id),
                decision.chosen.replace('_', " "),
            ));
            objects.push(("procurement_decision", decision.id.to_string()));
            subjects.push(format!("decision:{}", decision.id));
        }
        for contract_id in &contracts {
            let Ok(contract) = self.store().contract(contract_id).await else { continue };
            let returns = self.store().kpi_results(contract_id).await?.len();
            artefacts.push(artefact(
                CycleStage::Monitor,
                "Contract",
                format!("{} ({})", contract.title, contract.id),
                format!("/procure/contracts/{}/performance", contract.id),
                format!("{} to {}; {returns} KPI results", contract.term.start, contract.term.end),
            ));
            objects.push(("contract", contract.id.clone()));
            subjects.push(format!("contract:{}", contract.id));
            for evaluation in self.store().evaluations(Some(contract_id)).await? {
                artefacts.push(artefact(
                    CycleStage::Evaluate,
                    "Evaluation",
                    format!("Review of {} on {}", contract.id, evaluation.review_date),
                    format!("/procure/contracts/{}/evaluations/{}", contract.id, evaluation.id),
                    evaluation.recommendation.replace('_', " "),
                ));
            }
        }
        for objective in self.store().objectives(None).await? {
            let objective_links: crate::strategy::Links = serde_json::from_str(&objective.links).unwrap_or_default();
            let measured_by_ours = matches!(
                serde_json::from_str(&objective.measure),
                Ok(crate::strategy::Measure::Kpi { contract_id, .. }) if contracts.contains(&contract_id)
            );
            let ours = measured_by_ours
                || objective_links.contracts.iter().any(|c| contracts.contains(c))
                || objective_links.specifications.iter().any(|s| links.specifications.contains(s));
            if ours {
                artefacts.push(artefact(
                    CycleStage::Plan,
                    "Objective",
                    objective.title.clone(),
                    format!("/strategy/plans/{}#objectives", objective.plan_id),
                    format!("Target {} by {}", objective.target, objective.due),
                ));
            }
        }
        for consultation in self.store().consultations().await? {
            if !subjects.contains(&consultation.subject) {
                continue;
            }
            let stage = match consultation.stage.as_str() {
                "needs" | "priorities" | "strategy" => CycleStage::Plan,
                "evaluation" => CycleStage::Evaluate,
                _ => CycleStage::Procure,
            };
            artefacts.push(artefact(
                stage,
                "Consultation",
                consultation.title.clone(),
                format!("/strategy/consultations/{}", consultation.id),
                format!("{} to {}", consultation.opens, consultation.closes),
            ));
            objects.push(("consultation", consultation.id.to_string()));
        }
        artefacts.sort_by_key(|a| a.stage);
        let current = artefacts.iter().map(|a| a.stage).max().unwrap_or(CycleStage::Plan);
        let mut trail = Vec::new();
        if with_trail {
            // The audit log names people by account (`user:ID`): show their names.
            let names: std::collections::BTreeMap<String, String> =
                self.store().users().await?.into_iter().map(|u| (format!("user:{}", u.id), u.name)).collect();
            for (object_type, object_id) in &objects {
                let filter = AuditFilter {
                    object_type: Some((*object_type).to_owned()),
                    object_id: Some(object_id.clone()),
                    limit: 500,
                    ..AuditFilter::default()
                };
                for record in self.store().audit_entries(&filter).await? {
                    trail.push(TrailEntry {
                        at: record.at,
                        actor: names.get(&record.entry.actor).cloned().unwrap_or(record.entry.actor),
                        action: record.entry.action.replace('_', " "),
                        object: format!("{} {}", object_type.replace('_', " "), object_id),
                    });
                }
            }
            trail.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.object.cmp(&b.object)));
        }
        Ok(CycleView { id: record.id, name: record.name, summary: record.summary, current, artefacts, trail })
    }

    /// The demo's programme: urgent and emergency care, over the operating plan, the
    /// community diagnostics specification and the acute contract.
    pub(crate) async fn load_demo_programme(&self) -> Result<()> {
        let chris = self.demo_principal("commissioner@demo.commissioner.test").await?;
        let plans: Vec<String> = self
            .store()
            .strategy_plans()
            .await?
            .iter()
            .filter(|p| p.kind != "development")
            .map(|p| p.id.to_string())
            .collect();
        let specifications: Vec<String> =
            self.store().specifications().await?.iter().map(|s| s.id.to_string()).collect();
        self.create_programme(
            &chris,
            &ProgrammeInput {
                name: "Urgent care and planned care recovery".into(),
                summary: "Shorter waits in A&E and for planned care, with diagnostics closer to home.".into(),
                needs: String::new(),
                plans: plans.join(","),
                specifications: specifications.join(","),
                contracts: format!("{}-R9A-2024", crate::generate::ICB_CODE),
            },
        )
        .await?;
        Ok(())
    }
}
