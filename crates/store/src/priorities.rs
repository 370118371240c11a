//! Prioritisation workshops: criteria and budget, options linked to the gaps they answer,
//! each participant's scores (entering again replaces them) and the decisions recorded with
//! their rationale (deciding again replaces the decision, the audit log keeps the history).

use sqlx::Row;

use crate::{Result, Store, Tx, Value, insert_rows};

#[derive(Debug, Clone, PartialEq)]
pub struct WorkshopRecord {
    pub id: i64,
    pub area_code: String,
    pub title: String,
    /// `direct` or `swing`.
    pub weighting: String,
    /// The criteria as JSON: `[{"id", "name", "weight"}]`.
    pub criteria: String,
    pub budget_pence: i64,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OptionRecord {
    pub workshop_id: i64,
    pub option_id: String,
    pub name: String,
    pub need: String,
    /// The gap answered: its kind, area and service (empty when the option answers none).
    pub gap_kind: String,
    pub area_code: String,
    pub service_code: String,
    pub cost_pence: i64,
    pub benefit: f64,
    pub mandatory: bool,
    pub group: String,
    /// Option ids, comma-separated.
    pub requires: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRecord {
    pub workshop_id: i64,
    pub participant: String,
    pub option_id: String,
    pub criterion_id: String,
    pub score: f64,
    pub entered_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PriorityDecisionRecord {
    pub workshop_id: i64,
    pub option_id: String,
    pub decision: String,
    pub rationale: String,
    pub decided_by: String,
    pub decided_at: i64,
}

const WORKSHOP_COLUMNS: &str = "id, area_code, title, weighting, criteria, budget_pence, created_by, created_at";
const OPTION_COLUMNS: &str = "workshop_id, option_id, name, need, gap_kind, area_code, service_code, cost_pence, \
     benefit, mandatory, option_group, requires";

fn workshop_from_row(row: &sqlx::any::AnyRow) -> Result<WorkshopRecord> {
    Ok(WorkshopRecord {
        id: row.try_get(0)?,
        area_code: row.try_get(1)?,
        title: row.try_get(2)?,
        weighting: row.try_get(3)?,
        criteria: row.try_get(4)?,
        budget_pence: row.try_get(5)?,
        created_by: row.try_get(6)?,
        created_at: row.try_get(7)?,
    })
}

fn option_from_row(row: &sqlx::any::AnyRow) -> Result<OptionRecord> {
    Ok(OptionRecord {
        workshop_id: row.try_get(0)?,
        option_id: row.try_get(1)?,
        name: row.try_get(2)?,
        need: row.try_get(3)?,
        gap_kind: row.try_get(4)?,
        area_code: row.try_get(5)?,
        service_code: row.try_get(6)?,
        cost_pence: row.try_get(7)?,
        benefit: row.try_get(8)?,
        mandatory: row.try_get::<i64, _>(9)? != 0,
        group: row.try_get(10)?,
        requires: row.try_get(11)?,
    })
}

impl Tx {
    /// Records a workshop (its `id` is ignored), returning its id.
    pub async fn insert_workshop(&mut self, workshop: &WorkshopRecord) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO priority_workshops (area_code, title, weighting, criteria, budget_pence, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&workshop.area_code)
        .bind(&workshop.title)
        .bind(&workshop.weighting)
        .bind(&workshop.criteria)
        .bind(workshop.budget_pence)
        .bind(&workshop.created_by)
        .bind(workshop.created_at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }

    pub async fn upsert_workshop_options(&mut self, options: &[OptionRecord]) -> Result<u64> {
        let values = options
            .iter()
            .map(|o| {
                vec![
                    Value::Int(o.workshop_id),
                    Value::Text(o.option_id.clone()),
                    Value::Text(o.name.clone()),
                    Value::Text(o.need.clone()),
                    Value::Text(o.gap_kind.clone()),
                    Value::Text(o.area_code.clone()),
                    Value::Text(o.service_code.clone()),
                    Value::Int(o.cost_pence),
                    Value::Float(o.benefit),
                    Value::Int(i64::from(o.mandatory)),
                    Value::Text(o.group.clone()),
                    Value::Text(o.requires.clone()),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "priority_options",
            &[
                "workshop_id",
                "option_id",
                "name",
                "need",
                "gap_kind",
                "area_code",
                "service_code",
                "cost_pence",
                "benefit",
                "mandatory",
                "option_group",
                "requires",
            ],
            values,
            "ON CONFLICT (workshop_id, option_id) DO UPDATE SET name = excluded.name, need = excluded.need, \
             gap_kind = excluded.gap_kind, area_code = excluded.area_code, service_code = excluded.service_code, \
             cost_pence = excluded.cost_pence, benefit = excluded.benefit, mandatory = excluded.mandatory, \
             option_group = excluded.option_group, requires = excluded.requires",
        )
        .await
    }

    pub async fn upsert_workshop_scores(&mut self, scores: &[ScoreRecord]) -> Result<u64> {
        let values = scores
            .iter()
            .map(|s| {
                vec![
                    Value::Int(s.workshop_id),
                    Value::Text(s.participant.clone()),
                    Value::Text(s.option_id.clone()),
                    Value::Text(s.criterion_id.clone()),
                    Value::Float(s.score),
                    Value::Int(s.entered_at),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "priority_scores",
            &["workshop_id", "participant", "option_id", "criterion_id", "score", "entered_at"],
            values,
            "ON CONFLICT (workshop_id, participant, option_id, criterion_id) DO UPDATE SET \
             score = excluded.score, entered_at = excluded.entered_at",
        )
        .await
    }

    pub async fn upsert_priority_decision(&mut self, decision: &PriorityDecisionRecord) -> Result<u64> {
        insert_rows(
            self.connection(),
            "priority_decisions",
            &["workshop_id", "option_id", "decision", "rationale", "decided_by", "decided_at"],
            vec![vec![
                Value::Int(decision.workshop_id),
                Value::Text(decision.option_id.clone()),
                Value::Text(decision.decision.clone()),
                Value::Text(decision.rationale.clone()),
                Value::Text(decision.decided_by.clone()),
                Value::Int(decision.decided_at),
            ]],
            "ON CONFLICT (workshop_id, option_id) DO UPDATE SET decision = excluded.decision, \
             rationale = excluded.rationale, decided_by = excluded.decided_by, decided_at = excluded.decided_at",
        )
        .await
    }
}

impl Store {
    /// Every workshop, newest first.
    pub async fn workshops(&self) -> Result<Vec<WorkshopRecord>> {
        let rows = sqlx::query(&format!("SELECT {WORKSHOP_COLUMNS} FROM priority_workshops ORDER BY id DESC"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(workshop_from_row).collect()
    }

    pub async fn workshop(&self, id: i64) -> Result<Option<WorkshopRecord>> {
        let row = sqlx::query(&format!("SELECT {WORKSHOP_COLUMNS} FROM priority_workshops WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(workshop_from_row).transpose()
    }

    /// A workshop's options in the order they were added (by option id).
    pub async fn workshop_options(&self, id: i64) -> Result<Vec<OptionRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {OPTION_COLUMNS} FROM priority_options WHERE workshop_id = $1 ORDER BY option_id"
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(option_from_row).collect()
    }

    pub async fn workshop_scores(&self, id: i64) -> Result<Vec<ScoreRecord>> {
        let rows = sqlx::query(
            "SELECT workshop_id, participant, option_id, criterion_id, score, entered_at FROM priority_scores \
             WHERE workshop_id = $1 ORDER BY participant, option_id, criterion_id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ScoreRecord {
                    workshop_id: row.try_get(0)?,
                    participant: row.try_get(1)?,
                    option_id: row.try_get(2)?,
                    criterion_id: row.try_get(3)?,
                    score: row.try_get(4)?,
                    entered_at: row.try_get(5)?,
                })
            })
            .collect()
    }

    /// Decisions of one workshop, or of all (`None`), by workshop and option.
    pub async fn priority_decisions(&self, workshop: Option<i64>) -> Result<Vec<PriorityDecisionRecord>> {
        let rows = sqlx::query(
            "SELECT workshop_id, option_id, decision, rationale, decided_by, decided_at FROM priority_decisions \
             WHERE ($1 = CAST(0 AS BIGINT) OR workshop_id = $1) ORDER BY workshop_id, option_id",
        )
        .bind(workshop.unwrap_or(0))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PriorityDecisionRecord {
                    workshop_id: row.try_get(0)?,
                    option_id: row.try_get(1)?,
                    decision: row.try_get(2)?,
                    rationale: row.try_get(3)?,
                    decided_by: row.try_get(4)?,
                    decided_at: row.try_get(5)?,
                })
            })
            .collect()
    }
}
