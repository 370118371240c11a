//! Service specifications with every version kept whole, and the service change each makes
//! with its scrutiny and consultation.

use sqlx::Row;

use crate::{Result, Store, StoreError, Tx};

/// A specification: its current title and who made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecificationRecord {
    pub id: i64,
    pub title: String,
    pub buyer: String,
    pub created_by: String,
    pub created_at: i64,
    /// The latest version's number.
    pub latest: i64,
}

/// One version: its content as JSON text, and why it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    pub specification_id: i64,
    pub version: i64,
    pub content: String,
    pub note: String,
    pub changed_by: String,
    pub changed_at: i64,
}

/// A service change as stored (dates `YYYY-MM-DD`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceChangeRecord {
    pub specification_id: i64,
    pub substantial: bool,
    pub hosc_consulted_on: Option<String>,
    pub hosc_responded_on: Option<String>,
    pub hosc_response: String,
    pub consultation_opens: Option<String>,
    pub consultation_closes: Option<String>,
    pub consultation_outcome: String,
    pub recorded_by: String,
    pub recorded_at: i64,
}

impl Tx {
    /// Records a new specification with its first version, returning its id.
    pub async fn insert_specification(&mut self, buyer: &str, first: &VersionRecord, title: &str) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO specifications (title, buyer, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(title)
        .bind(buyer)
        .bind(&first.changed_by)
        .bind(first.changed_at)
        .fetch_one(self.connection())
        .await?;
        let id: i64 = row.try_get("id")?;
        self.insert_version(&VersionRecord { specification_id: id, version: 1, ..first.clone() }).await?;
        Ok(id)
    }

    /// Adds a version; a version number already taken is a conflict (someone else saved
    /// first).
    pub async fn insert_version(&mut self, version: &VersionRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO specification_versions (specification_id, version, content, note, changed_by, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(version.specification_id)
        .bind(version.version)
        .bind(&version.content)
        .bind(&version.note)
        .bind(&version.changed_by)
        .bind(version.changed_at)
        .execute(self.connection())
        .await?;
        Ok(())
    }

    pub async fn set_specification_title(&mut self, id: i64, title: &str) -> Result<()> {
        sqlx::query("UPDATE specifications SET title = $1 WHERE id = $2")
            .bind(title)
            .bind(id)
            .execute(self.connection())
            .await?;
        Ok(())
    }

    /// Records the service change a specification makes; recording again replaces it.
    pub async fn upsert_service_change(&mut self, c: &ServiceChangeRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO service_changes (specification_id, substantial, hosc_consulted_on, hosc_responded_on, \
             hosc_response, consultation_opens, consultation_closes, consultation_outcome, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (specification_id) DO UPDATE SET \
             substantial = excluded.substantial, hosc_consulted_on = excluded.hosc_consulted_on, \
             hosc_responded_on = excluded.hosc_responded_on, hosc_response = excluded.hosc_response, \
             consultation_opens = excluded.consultation_opens, consultation_closes = excluded.consultation_closes, \
             consultation_outcome = excluded.consultation_outcome, recorded_by = excluded.recorded_by, \
             recorded_at = excluded.recorded_at",
        )
        .bind(c.specification_id)
        .bind(i64::from(c.substantial))
        .bind(&c.hosc_consulted_on)
        .bind(&c.hosc_responded_on)
        .bind(&c.hosc_response)
        .bind(&c.consultation_opens)
        .bind(&c.consultation_closes)
        .bind(&c.consultation_outcome)
        .bind(&c.recorded_by)
        .bind(c.recorded_at)
        .execute(self.connection())
        .await?;
        Ok(())
    }
}

const SPEC_SELECT: &str = "SELECT s.id, s.title, s.buyer, s.created_by, s.created_at, \
     (SELECT MAX(v.version) FROM specification_versions v WHERE v.specification_id = s.id) AS latest \
     FROM specifications s";

fn spec_from_row(row: &sqlx::any::AnyRow) -> Result<SpecificationRecord> {
    Ok(SpecificationRecord {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        buyer: row.try_get("buyer")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        latest: row.try_get::<Option<i64>, _>("latest")?.unwrap_or(0),
    })
}

impl Store {
    /// Every specification, newest first.
    pub async fn specifications(&self) -> Result<Vec<SpecificationRecord>> {
        let rows = sqlx::query(&format!("{SPEC_SELECT} ORDER BY s.id DESC")).fetch_all(self.pool()).await?;
        rows.iter().map(spec_from_row).collect()
    }

    pub async fn specification(&self, id: i64) -> Result<SpecificationRecord> {
        let row = sqlx::query(&format!("{SPEC_SELECT} WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        spec_from_row(&row)
    }

    /// A specification's versions, first to latest.
    pub async fn specification_versions(&self, id: i64) -> Result<Vec<VersionRecord>> {
        let rows = sqlx::query(
            "SELECT specification_id, version, content, note, changed_by, changed_at FROM specification_versions \
             WHERE specification_id = $1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(VersionRecord {
                    specification_id: row.try_get("specification_id")?,
                    version: row.try_get("version")?,
                    content: row.try_get("content")?,
                    note: row.try_get("note")?,
                    changed_by: row.try_get("changed_by")?,
                    changed_at: row.try_get("changed_at")?,
                })
            })
            .collect()
    }

    pub async fn service_change(&self, specification_id: i64) -> Result<Option<ServiceChangeRecord>> {
        let row = sqlx::query(
            "SELECT specification_id, substantial, hosc_consulted_on, hosc_responded_on, hosc_response, \
             consultation_opens, consultation_closes, consultation_outcome, recorded_by, recorded_at \
             FROM service_changes WHERE specification_id = $1",
        )
        .bind(specification_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let substantial: i64 = row.try_get("substantial")?;
            Ok(ServiceChangeRecord {
                specification_id: row.try_get("specification_id")?,
                substantial: crate::flag(substantial),
                hosc_consulted_on: row.try_get("hosc_consulted_on")?,
                hosc_responded_on: row.try_get("hosc_responded_on")?,
                hosc_response: row.try_get("hosc_response")?,
                consultation_opens: row.try_get("consultation_opens")?,
                consultation_closes: row.try_get("consultation_closes")?,
                consultation_outcome: row.try_get("consultation_outcome")?,
                recorded_by: row.try_get("recorded_by")?,
                recorded_at: row.try_get("recorded_at")?,
            })
        })
        .transpose()
    }
}
