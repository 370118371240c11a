//! The import register: one row per file imported, with its hash, so that a repeated import
//! can be recognised and every load traced to its file.

use sqlx::Row;

use crate::{Result, Store, Tx};

/// A file that was imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub file_sha256: String,
    pub rows: i64,
    pub actor: String,
    pub at: i64,
}

impl Tx {
    pub async fn record_import(
        &mut self,
        kind: &str,
        file_name: &str,
        sha256: &str,
        rows: i64,
        actor: &str,
        at: i64,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO imports (kind, file_name, file_sha256, rows, actor, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(kind)
        .bind(file_name)
        .bind(sha256)
        .bind(rows)
        .bind(actor)
        .bind(at)
        .fetch_one(&mut *self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }
}

impl Store {
    /// Imports, newest first.
    /// The id of the latest import (0 when none): changes whenever reference data changes,
    /// so derived results can be cached against it.
    pub async fn latest_import_id(&self) -> Result<i64> {
        use sqlx::Row;
        let row = sqlx::query("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS id FROM imports")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("id")?)
    }

    pub async fn imports(&self, limit: i64) -> Result<Vec<ImportRecord>> {
        let rows = sqlx::query(
            "SELECT id, kind, file_name, file_sha256, rows, actor, at FROM imports ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ImportRecord {
                    id: row.try_get("id")?,
                    kind: row.try_get("kind")?,
                    file_name: row.try_get("file_name")?,
                    file_sha256: row.try_get("file_sha256")?,
                    rows: row.try_get("rows")?,
                    actor: row.try_get("actor")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }
}
