//! Procurement records: Provider Selection Regime route decisions, kept whole as decided.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, Tx};

/// A route decision as stored: the answers as JSON text, the allowed processes as their
/// codes joined by commas, and the reasons one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    pub id: i64,
    pub title: String,
    pub cpv: String,
    pub answers: String,
    pub allowed: String,
    pub reasons: String,
    pub chosen: String,
    pub rationale: String,
    pub decided_by: String,
    pub decided_at: i64,
}

const COLUMNS: &str = "id, title, cpv, answers, allowed, reasons, chosen, rationale, decided_by, decided_at";

impl Tx {
    /// Records a decision (its `id` is ignored), returning its id.
    pub async fn insert_decision(&mut self, decision: &DecisionRecord) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO procurement_decisions (title, cpv, answers, allowed, reasons, chosen, rationale, decided_by, \
             decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&decision.title)
        .bind(&decision.cpv)
        .bind(&decision.answers)
        .bind(&decision.allowed)
        .bind(&decision.reasons)
        .bind(&decision.chosen)
        .bind(&decision.rationale)
        .bind(&decision.decided_by)
        .bind(decision.decided_at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }
}

impl Store {
    /// Every decision, newest first.
    pub async fn decisions(&self) -> Result<Vec<DecisionRecord>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM procurement_decisions ORDER BY id DESC"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(decision_from_row).collect()
    }

    pub async fn decision(&self, id: i64) -> Result<DecisionRecord> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM procurement_decisions WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        decision_from_row(&row)
    }
}

fn decision_from_row(row: &AnyRow) -> Result<DecisionRecord> {
    Ok(DecisionRecord {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        cpv: row.try_get("cpv")?,
        answers: row.try_get("answers")?,
        allowed: row.try_get("allowed")?,
        reasons: row.try_get("reasons")?,
        chosen: row.try_get("chosen")?,
        rationale: row.try_get("rationale")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
    })
}
