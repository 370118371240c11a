//! Contract performance notices, their steps on the escalation ladder (GC9) and the
//! milestones of their action plans, as stored.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, Tx};

/// A notice as stored (stage, party and dates as their text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRecord {
    pub id: i64,
    pub contract_id: String,
    pub served_by_party: String,
    pub subject: String,
    pub stage: String,
    pub served_on: String,
    pub meeting_on: Option<String>,
    pub withhold_percent: Option<String>,
    pub owner: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One step taken on a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeEventRecord {
    pub notice_id: i64,
    pub event: String,
    pub on_date: String,
    pub notes: String,
    pub party: String,
    pub by_whom: String,
    pub at: i64,
}

/// A milestone of a notice's action plan (dates as `YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneRecord {
    pub id: i64,
    pub notice_id: i64,
    pub description: String,
    pub due_on: String,
    pub owner: String,
    pub consequence: String,
    pub met_on: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

const NOTICE_COLUMNS: &str = "id, contract_id, served_by_party, subject, stage, served_on, meeting_on, \
     withhold_percent, owner, created_by, created_at, updated_at";

impl Tx {
    /// Records a new notice, returning its id.
    pub async fn insert_notice(&mut self, notice: &NoticeRecord) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO contract_notices (contract_id, served_by_party, subject, stage, served_on, meeting_on, \
             withhold_percent, owner, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(&notice.contract_id)
        .bind(&notice.served_by_party)
        .bind(&notice.subject)
        .bind(&notice.stage)
        .bind(&notice.served_on)
        .bind(&notice.meeting_on)
        .bind(&notice.withhold_percent)
        .bind(&notice.owner)
        .bind(&notice.created_by)
        .bind(notice.created_at)
        .bind(notice.updated_at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Moves a notice to a stage (with the meeting date and withholding percentage as they now
    /// stand), only if it is still at `from`, so two people acting at once cannot both win.
    pub async fn update_notice_stage(&mut self, id: i64, from: &str, notice: &NoticeRecord) -> Result<()> {
        let result = sqlx::query(
            "UPDATE contract_notices SET stage = $1, meeting_on = $2, withhold_percent = $3, updated_at = $4 \
             WHERE id = $5 AND stage = $6",
        )
        .bind(&notice.stage)
        .bind(&notice.meeting_on)
        .bind(&notice.withhold_percent)
        .bind(notice.updated_at)
        .bind(id)
        .bind(from)
        .execute(self.connection())
        .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Adds a milestone (its `id` and `met_on` are ignored), returning its id.
    pub async fn insert_milestone(&mut self, milestone: &MilestoneRecord) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO contract_notice_milestones (notice_id, description, due_on, owner, consequence, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(milestone.notice_id)
        .bind(&milestone.description)
        .bind(&milestone.due_on)
        .bind(&milestone.owner)
        .bind(&milestone.consequence)
        .bind(&milestone.created_by)
        .bind(milestone.created_at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Records a milestone of the notice as met, only if it is not met already.
    pub async fn mark_milestone_met(&mut self, notice_id: i64, id: i64, met_on: &str) -> Result<()> {
        let result = sqlx::query(
            "UPDATE contract_notice_milestones SET met_on = $1 WHERE id = $2 AND notice_id = $3 AND met_on IS NULL",
        )
        .bind(met_on)
        .bind(id)
        .bind(notice_id)
        .execute(self.connection())
        .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub async fn insert_notice_event(&mut self, event: &NoticeEventRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO contract_notice_events (notice_id, event, on_date, notes, party, by_whom, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(event.notice_id)
        .bind(&event.event)
        .bind(&event.on_date)
        .bind(&event.notes)
        .bind(&event.party)
        .bind(&event.by_whom)
        .bind(event.at)
        .execute(self.connection())
        .await?;
        Ok(())
    }
}

impl Store {
    pub async fn notice(&self, id: i64) -> Result<NoticeRecord> {
        let row = sqlx::query(&format!("SELECT {NOTICE_COLUMNS} FROM contract_notices WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        notice_from_row(&row)
    }

    /// A contract's notices, newest first.
    pub async fn notices(&self, contract_id: &str) -> Result<Vec<NoticeRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {NOTICE_COLUMNS} FROM contract_notices WHERE contract_id = $1 ORDER BY served_on DESC, id DESC"
        ))
        .bind(contract_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(notice_from_row).collect()
    }

    /// A notice's milestones, by due date.
    pub async fn milestones(&self, notice_id: i64) -> Result<Vec<MilestoneRecord>> {
        let rows = sqlx::query(
            "SELECT id, notice_id, description, due_on, owner, consequence, met_on, created_by, created_at \
             FROM contract_notice_milestones WHERE notice_id = $1 ORDER BY due_on, id",
        )
        .bind(notice_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(MilestoneRecord {
                    id: row.try_get("id")?,
                    notice_id: row.try_get("notice_id")?,
                    description: row.try_get("description")?,
                    due_on: row.try_get("due_on")?,
                    owner: row.try_get("owner")?,
                    consequence: row.try_get("consequence")?,
                    met_on: row.try_get("met_on")?,
                    created_by: row.try_get("created_by")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// A notice's steps in the order they were taken.
    pub async fn notice_events(&self, notice_id: i64) -> Result<Vec<NoticeEventRecord>> {
        let rows = sqlx::query(
            "SELECT notice_id, event, on_date, notes, party, by_whom, at FROM contract_notice_events \
             WHERE notice_id = $1 ORDER BY at, id",
        )
        .bind(notice_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(NoticeEventRecord {
                    notice_id: row.try_get("notice_id")?,
                    event: row.try_get("event")?,
                    on_date: row.try_get("on_date")?,
                    notes: row.try_get("notes")?,
                    party: row.try_get("party")?,
                    by_whom: row.try_get("by_whom")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }
}

fn notice_from_row(row: &AnyRow) -> Result<NoticeRecord> {
    Ok(NoticeRecord {
        id: row.try_get("id")?,
        contract_id: row.try_get("contract_id")?,
        served_by_party: row.try_get("served_by_party")?,
        subject: row.try_get("subject")?,
        stage: row.try_get("stage")?,
        served_on: row.try_get("served_on")?,
        meeting_on: row.try_get("meeting_on")?,
        withhold_percent: row.try_get("withhold_percent")?,
        owner: row.try_get("owner")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}
