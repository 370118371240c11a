//! Strategy: plans, every version of each with its board approval, objectives with their
//! measures and links (as JSON the app reads), and an operating plan's schedule per provider
//! and point of delivery (replaced whole when set again).

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, Tx, Value, insert_rows};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRecord {
    pub id: i64,
    /// `strategic`, `operating` or `development`.
    pub kind: String,
    pub title: String,
    /// The start year of its first financial year.
    pub first_year: i64,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanVersionRecord {
    pub plan_id: i64,
    pub version: i64,
    pub summary: String,
    /// What changed from the version before.
    pub changes: String,
    pub drafted_by: String,
    pub drafted_at: i64,
    /// The board's approval: which board, on what day, the minute, who recorded it.
    pub board: Option<String>,
    pub approved_on: Option<String>,
    pub minute: Option<String>,
    pub recorded_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectiveRecord {
    pub id: i64,
    pub plan_id: i64,
    pub title: String,
    /// The measure as JSON.
    pub measure: String,
    /// Decimal text.
    pub baseline: String,
    pub target: String,
    pub higher_is_better: bool,
    /// `YYYY-MM-DD`.
    pub starts: String,
    pub due: String,
    /// What it links to, as JSON.
    pub links: String,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRecord {
    pub plan_id: i64,
    pub provider_code: String,
    pub pod: String,
    pub activity: i64,
    pub value_pence: i64,
}

const PLAN_COLUMNS: &str = "id, kind, title, first_year, created_by, created_at";
const VERSION_COLUMNS: &str =
    "plan_id, version, summary, changes, drafted_by, drafted_at, board, approved_on, minute, recorded_by";
const OBJECTIVE_COLUMNS: &str = "id, plan_id, title, measure, baseline, target, higher_is_better, starts, due, \
     links, created_by, created_at";

fn plan_from_row(row: &AnyRow) -> Result<PlanRecord> {
    Ok(PlanRecord {
        id: row.try_get(0)?,
        kind: row.try_get(1)?,
        title: row.try_get(2)?,
        first_year: row.try_get(3)?,
        created_by: row.try_get(4)?,
        created_at: row.try_get(5)?,
    })
}

fn version_from_row(row: &AnyRow) -> Result<PlanVersionRecord> {
    Ok(PlanVersionRecord {
        plan_id: row.try_get(0)?,
        version: row.try_get(1)?,
        summary: row.try_get(2)?,
        changes: row.try_get(3)?,
        drafted_by: row.try_get(4)?,
        drafted_at: row.try_get(5)?,
        board: row.try_get(6)?,
        approved_on: row.try_get(7)?,
        minute: row.try_get(8)?,
        recorded_by: row.try_get(9)?,
    })
}

fn objective_from_row(row: &AnyRow) -> Result<ObjectiveRecord> {
    Ok(ObjectiveRecord {
        id: row.try_get(0)?,
        plan_id: row.try_get(1)?,
        title: row.try_get(2)?,
        measure: row.try_get(3)?,
        baseline: row.try_get(4)?,
        target: row.try_get(5)?,
        higher_is_better: row.try_get::<i64, _>(6)? != 0,
        starts: row.try_get(7)?,
        due: row.try_get(8)?,
        links: row.try_get(9)?,
        created_by: row.try_get(10)?,
        created_at: row.try_get(11)?,
    })
}

impl Tx {
    /// Records a plan (its `id` is ignored), returning its id.
    pub async fn insert_plan(&mut self, plan: &PlanRecord) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO strategy_plans (kind, title, first_year, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&plan.kind)
        .bind(&plan.title)
        .bind(plan.first_year)
        .bind(&plan.created_by)
        .bind(plan.created_at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Adds a version; a version number already held is a conflict.
    pub async fn insert_plan_version(&mut self, version: &PlanVersionRecord) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO strategy_plan_versions ({VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(version.plan_id)
        .bind(version.version)
        .bind(&version.summary)
        .bind(&version.changes)
        .bind(&version.drafted_by)
        .bind(version.drafted_at)
        .bind(&version.board)
        .bind(&version.approved_on)
        .bind(&version.minute)
        .bind(&version.recorded_by)
        .execute(self.connection())
        .await?;
        Ok(())
    }

    /// Records a version's board approval; `NotFound` if there is no such version.
    pub async fn approve_plan_version(
        &mut self,
        plan_id: i64,
        version: i64,
        board: &str,
        approved_on: &str,
        minute: &str,
        recorded_by: &str,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE strategy_plan_versions SET board = $1, approved_on = $2, minute = $3, recorded_by = $4 \
             WHERE plan_id = $5 AND version = $6",
        )
        .bind(board)
        .bind(approved_on)
        .bind(minute)
        .bind(recorded_by)
        .bind(plan_id)
        .bind(version)
        .execute(self.connection())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records an objective (its `id` is ignored), returning its id.
    pub async fn insert_objective(&mut self, objective: &ObjectiveRecord) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO strategy_objectives (plan_id, title, measure, baseline, target, higher_is_better, starts, \
             due, links, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(objective.plan_id)
        .bind(&objective.title)
        .bind(&objective.measure)
        .bind(&objective.baseline)
        .bind(&objective.target)
        .bind(i64::from(objective.higher_is_better))
        .bind(&objective.starts)
        .bind(&objective.due)
        .bind(&objective.links)
        .bind(&objective.created_by)
        .bind(objective.created_at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Replaces a plan's schedule with `rows`.
    pub async fn replace_plan_schedule(&mut self, plan_id: i64, rows: &[ScheduleRecord]) -> Result<u64> {
        sqlx::query("DELETE FROM strategy_plan_schedules WHERE plan_id = $1")
            .bind(plan_id)
            .execute(self.connection())
            .await?;
        let values = rows
            .iter()
            .map(|r| {
                vec![
                    Value::Int(plan_id),
                    Value::Text(r.provider_code.clone()),
                    Value::Text(r.pod.clone()),
                    Value::Int(r.activity),
                    Value::Int(r.value_pence),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "strategy_plan_schedules",
            &["plan_id", "provider_code", "pod", "activity", "value_pence"],
            values,
            "",
        )
        .await
    }
}

impl Store {
    pub async fn strategy_plans(&self) -> Result<Vec<PlanRecord>> {
        let rows = sqlx::query(&format!("SELECT {PLAN_COLUMNS} FROM strategy_plans ORDER BY first_year DESC, id"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(plan_from_row).collect()
    }

    pub async fn strategy_plan(&self, id: i64) -> Result<PlanRecord> {
        let row = sqlx::query(&format!("SELECT {PLAN_COLUMNS} FROM strategy_plans WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        plan_from_row(&row)
    }

    /// A plan's versions, oldest first.
    pub async fn plan_versions(&self, plan_id: i64) -> Result<Vec<PlanVersionRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM strategy_plan_versions WHERE plan_id = $1 ORDER BY version"
        ))
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(version_from_row).collect()
    }

    /// A plan's objectives (every plan's with `None`), in the order they were added.
    pub async fn objectives(&self, plan_id: Option<i64>) -> Result<Vec<ObjectiveRecord>> {
        let rows = match plan_id {
            Some(id) => {
                sqlx::query(&format!(
                    "SELECT {OBJECTIVE_COLUMNS} FROM strategy_objectives WHERE plan_id = $1 ORDER BY id"
                ))
                .bind(id)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!("SELECT {OBJECTIVE_COLUMNS} FROM strategy_objectives ORDER BY id"))
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(objective_from_row).collect()
    }

    pub async fn plan_schedule(&self, plan_id: i64) -> Result<Vec<ScheduleRecord>> {
        let rows = sqlx::query(
            "SELECT plan_id, provider_code, pod, activity, value_pence FROM strategy_plan_schedules \
             WHERE plan_id = $1 ORDER BY provider_code, pod",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ScheduleRecord {
                    plan_id: row.try_get(0)?,
                    provider_code: row.try_get(1)?,
                    pod: row.try_get(2)?,
                    activity: row.try_get(3)?,
                    value_pence: row.try_get(4)?,
                })
            })
            .collect()
    }
}
