//! 'Any qualified provider' accreditation: schemes with their qualification requirements, and
//! providers' applications with the commissioner's decision.

use sqlx::Row;

use crate::{Result, Store, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeRecord {
    pub id: i64,
    pub title: String,
    /// One requirement per line.
    pub requirements: String,
    pub buyer: String,
    pub created_by: String,
    pub created_at: i64,
}

/// An application: evidence for each requirement (JSON array of text), and where it stands
/// (`pending`, `accredited` or `refused`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRecord {
    pub scheme_id: i64,
    pub provider: String,
    pub evidence: String,
    pub applied_by: String,
    pub applied_at: i64,
    pub status: String,
    pub reason: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

impl Tx {
    pub async fn insert_scheme(&mut self, scheme: &SchemeRecord) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO accreditation_schemes (title, requirements, buyer, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&scheme.title)
        .bind(&scheme.requirements)
        .bind(&scheme.buyer)
        .bind(&scheme.created_by)
        .bind(scheme.created_at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Records an application, replacing the provider's earlier one only while undecided.
    pub async fn upsert_application(&mut self, a: &ApplicationRecord) -> Result<()> {
        let result = sqlx::query(
            "INSERT INTO accreditation_applications (scheme_id, provider, evidence, applied_by, applied_at, status, reason) \
             VALUES ($1, $2, $3, $4, $5, 'pending', '') ON CONFLICT (scheme_id, provider) DO UPDATE SET \
             evidence = excluded.evidence, applied_by = excluded.applied_by, applied_at = excluded.applied_at \
             WHERE accreditation_applications.status = 'pending'",
        )
        .bind(a.scheme_id)
        .bind(&a.provider)
        .bind(&a.evidence)
        .bind(&a.applied_by)
        .bind(a.applied_at)
        .execute(self.connection())
        .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Decides a pending application.
    pub async fn decide_application(
        &mut self,
        scheme_id: i64,
        provider: &str,
        status: &str,
        reason: &str,
        by: &str,
        at: i64,
    ) -> Result<()> {
        let result = sqlx::query(
            "UPDATE accreditation_applications SET status = $1, reason = $2, decided_by = $3, decided_at = $4 \
             WHERE scheme_id = $5 AND provider = $6 AND status = 'pending'",
        )
        .bind(status)
        .bind(reason)
        .bind(by)
        .bind(at)
        .bind(scheme_id)
        .bind(provider)
        .execute(self.connection())
        .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}

fn scheme_from_row(row: &sqlx::any::AnyRow) -> Result<SchemeRecord> {
    Ok(SchemeRecord {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        requirements: row.try_get("requirements")?,
        buyer: row.try_get("buyer")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    pub async fn schemes(&self) -> Result<Vec<SchemeRecord>> {
        let rows = sqlx::query(
            "SELECT id, title, requirements, buyer, created_by, created_at FROM accreditation_schemes ORDER BY id DESC",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(scheme_from_row).collect()
    }

    pub async fn scheme(&self, id: i64) -> Result<SchemeRecord> {
        let row = sqlx::query(
            "SELECT id, title, requirements, buyer, created_by, created_at FROM accreditation_schemes WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        scheme_from_row(&row)
    }

    /// A scheme's applications, of every provider or of one, by provider.
    pub async fn applications(&self, scheme_id: i64, provider: Option<&str>) -> Result<Vec<ApplicationRecord>> {
        let select = "SELECT scheme_id, provider, evidence, applied_by, applied_at, status, reason, decided_by, \
                      decided_at FROM accreditation_applications WHERE scheme_id = $1";
        let rows = match provider {
            Some(provider) => {
                sqlx::query(&format!("{select} AND provider = $2 ORDER BY provider"))
                    .bind(scheme_id)
                    .bind(provider)
                    .fetch_all(self.pool())
                    .await?
            }
            None => sqlx::query(&format!("{select} ORDER BY provider")).bind(scheme_id).fetch_all(self.pool()).await?,
        };
        rows.iter()
            .map(|row| {
                Ok(ApplicationRecord {
                    scheme_id: row.try_get("scheme_id")?,
                    provider: row.try_get("provider")?,
                    evidence: row.try_get("evidence")?,
                    applied_by: row.try_get("applied_by")?,
                    applied_at: row.try_get("applied_at")?,
                    status: row.try_get("status")?,
                    reason: row.try_get("reason")?,
                    decided_by: row.try_get("decided_by")?,
                    decided_at: row.try_get("decided_at")?,
                })
            })
            .collect()
    }
}
