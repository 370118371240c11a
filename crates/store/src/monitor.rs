//! Monitor stage: the register of monthly activity submissions. The submitted files live
//! under the data directory; this register says which file is current for each provider
//! and month, so that a resubmission replaces rather than adds.

use sqlx::Row;
use sqlx::any::AnyRow;

use commissioning::org::OdsCode;

use crate::{Result, Store, Tx, parse_column};

/// A submission as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRecord {
    pub id: i64,
    pub provider: OdsCode,
    pub month: String,
    pub file_name: String,
    pub file_sha256: String,
    pub stored_path: String,
    pub n_rows: i64,
    pub n_unreadable: i64,
    pub submitted_by: String,
    pub submitted_at: i64,
    /// When a later submission for the same provider and month replaced it.
    pub superseded_at: Option<i64>,
}

/// A submission to record.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub provider: OdsCode,
    pub month: String,
    pub file_name: String,
    pub file_sha256: String,
    pub stored_path: String,
    pub n_rows: i64,
    pub n_unreadable: i64,
    pub submitted_by: String,
}

const SELECT: &str = "SELECT id, provider_code, month, file_name, file_sha256, stored_path, n_rows, n_unreadable, \
    submitted_by, submitted_at, superseded_at FROM activity_submissions";

impl Tx {
    /// Records a submission as the current one for its provider and month, superseding any
    /// earlier one, and returns its id.
    pub async fn record_submission(&mut self, submission: &NewSubmission, at: i64) -> Result<i64> {
        sqlx::query(
            "UPDATE activity_submissions SET superseded_at = $3 \
             WHERE provider_code = $1 AND month = $2 AND superseded_at IS NULL",
        )
        .bind(submission.provider.as_str())
        .bind(&submission.month)
        .bind(at)
        .execute(&mut *self.connection())
        .await?;
        let row = sqlx::query(
            "INSERT INTO activity_submissions (provider_code, month, file_name, file_sha256, stored_path, n_rows, \
             n_unreadable, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(submission.provider.as_str())
        .bind(&submission.month)
        .bind(&submission.file_name)
        .bind(&submission.file_sha256)
        .bind(&submission.stored_path)
        .bind(submission.n_rows)
        .bind(submission.n_unreadable)
        .bind(&submission.submitted_by)
        .bind(at)
        .fetch_one(&mut *self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }
}

impl Store {
    /// The current submission for a provider and month, if any.
    pub async fn current_submission(&self, provider: &OdsCode, month: &str) -> Result<Option<SubmissionRecord>> {
        let row = sqlx::query(&format!("{SELECT} WHERE provider_code = $1 AND month = $2 AND superseded_at IS NULL"))
            .bind(provider.as_str())
            .bind(month)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| submission_from_row(&row)).transpose()
    }

    /// Every submission of a provider (current and superseded), newest first.
    pub async fn submissions(&self, provider: &OdsCode) -> Result<Vec<SubmissionRecord>> {
        let rows = sqlx::query(&format!("{SELECT} WHERE provider_code = $1 ORDER BY id DESC"))
            .bind(provider.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(submission_from_row).collect()
    }
}

fn submission_from_row(row: &AnyRow) -> Result<SubmissionRecord> {
    Ok(SubmissionRecord {
        id: row.try_get("id")?,
        provider: parse_column(row, "provider_code", OdsCode::parse)?,
        month: row.try_get("month")?,
        file_name: row.try_get("file_name")?,
        file_sha256: row.try_get("file_sha256")?,
        stored_path: row.try_get("stored_path")?,
        n_rows: row.try_get("n_rows")?,
        n_unreadable: row.try_get("n_unreadable")?,
        submitted_by: row.try_get("submitted_by")?,
        submitted_at: row.try_get("submitted_at")?,
        superseded_at: row.try_get("superseded_at")?,
    })
}
