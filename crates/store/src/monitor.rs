//! Monitor stage: the register of monthly activity submissions. The submitted files live
//! under the data directory; this register says which file is current for each provider
//! and month, so that a resubmission replaces rather than adds.

use sqlx::Row;
use sqlx::any::AnyRow;

use commissioning::org::OdsCode;

use crate::{Result, Store, StoreError, Tx, Value, insert_rows, parse_column};

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
    pub n_valid: i64,
    pub n_challenged: i64,
    pub value_pence: i64,
    /// The priced valid rows, as Parquet under the data directory.
    pub priced_path: Option<String>,
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
    pub n_valid: i64,
    pub n_challenged: i64,
    pub value_pence: i64,
    pub priced_path: Option<String>,
}

const SELECT: &str = "SELECT id, provider_code, month, file_name, file_sha256, stored_path, n_rows, n_unreadable, \
    submitted_by, submitted_at, superseded_at, n_valid, n_challenged, value_pence, priced_path FROM activity_submissions";

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
             n_unreadable, submitted_by, submitted_at, n_valid, n_challenged, value_pence, priced_path) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
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
        .bind(submission.n_valid)
        .bind(submission.n_challenged)
        .bind(submission.value_pence)
        .bind(submission.priced_path.as_deref())
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
        n_valid: row.try_get("n_valid")?,
        n_challenged: row.try_get("n_challenged")?,
        value_pence: row.try_get("value_pence")?,
        priced_path: row.try_get("priced_path")?,
    })
}

/// A challenged line of a submission, and the provider's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeRecord {
    pub id: i64,
    pub submission_id: i64,
    pub provider: OdsCode,
    pub month: String,
    pub line: i64,
    pub record_id: String,
    pub reason: String,
    /// `open`, `accepted` or `disputed`.
    pub status: String,
    pub response: Option<String>,
    pub responded_by: Option<String>,
    pub responded_at: Option<i64>,
}

/// A challenge to record.
#[derive(Debug, Clone)]
pub struct NewChallenge {
    pub line: i64,
    pub record_id: String,
    pub reason: String,
}

/// Plan for one provider, point of delivery and month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub provider: OdsCode,
    pub pod: String,
    pub month: String,
    pub activity: i64,
    pub value_pence: i64,
}

/// An activity query as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryRecord {
    pub id: i64,
    pub provider: OdsCode,
    pub pod: String,
    pub month: String,
    pub variance_bp: Option<i64>,
    pub status: String,
    pub owner: String,
    pub notice_date: String,
    pub meeting_due: String,
    pub meeting_date: Option<String>,
    pub notes: String,
    pub raised_by: String,
    pub raised_at: i64,
    pub updated_at: i64,
}

const CHALLENGE_SELECT: &str = "SELECT id, submission_id, provider_code, month, line, record_id, reason, status, response, \
    responded_by, responded_at FROM activity_challenges";
const QUERY_SELECT: &str = "SELECT id, provider_code, pod, month, variance_bp, status, owner, notice_date, meeting_due, \
    meeting_date, notes, raised_by, raised_at, updated_at FROM activity_queries";

impl Tx {
    pub async fn insert_challenges(
        &mut self,
        submission_id: i64,
        provider: &OdsCode,
        month: &str,
        challenges: &[NewChallenge],
    ) -> Result<u64> {
        let rows = challenges
            .iter()
            .map(|c| {
                vec![
                    Value::Int(submission_id),
                    Value::Text(provider.to_string()),
                    Value::Text(month.to_owned()),
                    Value::Int(c.line),
                    Value::Text(c.record_id.clone()),
                    Value::Text(c.reason.clone()),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "activity_challenges",
            &["submission_id", "provider_code", "month", "line", "record_id", "reason"],
            rows,
            "",
        )
        .await
    }

    pub async fn respond_to_challenge(
        &mut self,
        id: i64,
        status: &str,
        response: &str,
        by: &str,
        at: i64,
    ) -> Result<()> {
        let result = sqlx::query("UPDATE activity_challenges SET status = $2, response = $3, responded_by = $4, responded_at = $5 WHERE id = $1")
            .bind(id)
            .bind(status)
            .bind(response)
            .bind(by)
            .bind(at)
            .execute(&mut *self.connection())
            .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Removes a provider's plan for the months from `first` to `last` (`YYYY-MM`, inclusive),
    /// before a plan derived from contract service lines replaces it.
    pub async fn delete_plan_months(&mut self, provider: &OdsCode, first: &str, last: &str) -> Result<u64> {
        let result = sqlx::query("DELETE FROM activity_plans WHERE provider_code = $1 AND month >= $2 AND month <= $3")
            .bind(provider.as_str())
            .bind(first)
            .bind(last)
            .execute(&mut *self.connection())
            .await?;
        Ok(result.rows_affected())
    }

    /// Replaces the plan of the providers and months in `rows`.
    pub async fn upsert_plan(&mut self, rows: &[PlanRow]) -> Result<u64> {
        let values = rows
            .iter()
            .map(|r| {
                vec![
                    Value::Text(r.provider.to_string()),
                    Value::Text(r.pod.clone()),
                    Value::Text(r.month.clone()),
                    Value::Int(r.activity),
                    Value::Int(r.value_pence),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "activity_plans",
            &["provider_code", "pod", "month", "activity", "value_pence"],
            values,
            "ON CONFLICT (provider_code, pod, month) DO UPDATE SET activity = excluded.activity, value_pence = excluded.value_pence",
        )
        .await
    }

    pub async fn set_tolerance(&mut self, provider: &OdsCode, pod: &str, lower_bp: i64, upper_bp: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO activity_tolerances (provider_code, pod, lower_bp, upper_bp) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (provider_code, pod) DO UPDATE SET lower_bp = excluded.lower_bp, upper_bp = excluded.upper_bp",
        )
        .bind(provider.as_str())
        .bind(pod)
        .bind(lower_bp)
        .bind(upper_bp)
        .execute(&mut *self.connection())
        .await?;
        Ok(())
    }

    pub async fn insert_query(&mut self, query: &QueryRecord) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO activity_queries (provider_code, pod, month, variance_bp, status, owner, notice_date, meeting_due, \
             meeting_date, notes, raised_by, raised_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(query.provider.as_str())
        .bind(&query.pod)
        .bind(&query.month)
        .bind(query.variance_bp)
        .bind(&query.status)
        .bind(&query.owner)
        .bind(&query.notice_date)
        .bind(&query.meeting_due)
        .bind(query.meeting_date.as_deref())
        .bind(&query.notes)
        .bind(&query.raised_by)
        .bind(query.raised_at)
        .bind(query.updated_at)
        .fetch_one(&mut *self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }

    pub async fn update_query(
        &mut self,
        id: i64,
        status: &str,
        meeting_date: Option<&str>,
        notes: &str,
        at: i64,
    ) -> Result<()> {
        let result = sqlx::query("UPDATE activity_queries SET status = $2, meeting_date = COALESCE($3, meeting_date), notes = $4, updated_at = $5 WHERE id = $1")
            .bind(id)
            .bind(status)
            .bind(meeting_date)
            .bind(notes)
            .bind(at)
            .execute(&mut *self.connection())
            .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}

impl Store {
    /// Challenges of a provider's current submissions (or of one submission), in line order.
    pub async fn challenges(
        &self,
        provider: &OdsCode,
        submission_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<ChallengeRecord>> {
        let rows = sqlx::query(&format!(
            "{CHALLENGE_SELECT} WHERE provider_code = $1 AND submission_id IN \
             (SELECT id FROM activity_submissions WHERE provider_code = $1 AND ($2 < 0 AND superseded_at IS NULL OR id = $2)) \
             ORDER BY month, submission_id, line LIMIT $3"
        ))
        .bind(provider.as_str())
        .bind(submission_id.unwrap_or(-1))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(challenge_from_row).collect()
    }

    pub async fn challenge(&self, id: i64) -> Result<ChallengeRecord> {
        let row = sqlx::query(&format!("{CHALLENGE_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        challenge_from_row(&row)
    }

    /// Counts of a provider's current challenges by reason and status.
    pub async fn challenge_counts(&self, provider: &OdsCode) -> Result<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT reason, status, COUNT(*) AS n FROM activity_challenges WHERE provider_code = $1 AND submission_id IN \
             (SELECT id FROM activity_submissions WHERE provider_code = $1 AND superseded_at IS NULL) GROUP BY reason, status ORDER BY reason, status",
        )
        .bind(provider.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("reason")?, r.try_get("status")?, r.try_get("n")?))).collect()
    }

    pub async fn plan(&self, provider: &OdsCode) -> Result<Vec<PlanRow>> {
        let rows = sqlx::query("SELECT provider_code, pod, month, activity, value_pence FROM activity_plans WHERE provider_code = $1 ORDER BY pod, month")
            .bind(provider.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(PlanRow {
                    provider: parse_column(r, "provider_code", OdsCode::parse)?,
                    pod: r.try_get("pod")?,
                    month: r.try_get("month")?,
                    activity: r.try_get("activity")?,
                    value_pence: r.try_get("value_pence")?,
                })
            })
            .collect()
    }

    /// Agreed tolerances of a provider by point of delivery, in basis points.
    pub async fn tolerances(&self, provider: &OdsCode) -> Result<Vec<(String, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT pod, lower_bp, upper_bp FROM activity_tolerances WHERE provider_code = $1 ORDER BY pod",
        )
        .bind(provider.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("pod")?, r.try_get("lower_bp")?, r.try_get("upper_bp")?))).collect()
    }

    pub async fn queries(&self, provider: &OdsCode) -> Result<Vec<QueryRecord>> {
        let rows = sqlx::query(&format!("{QUERY_SELECT} WHERE provider_code = $1 ORDER BY id DESC"))
            .bind(provider.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(query_from_row).collect()
    }

    pub async fn query(&self, id: i64) -> Result<QueryRecord> {
        let row = sqlx::query(&format!("{QUERY_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        query_from_row(&row)
    }
}

fn challenge_from_row(row: &AnyRow) -> Result<ChallengeRecord> {
    Ok(ChallengeRecord {
        id: row.try_get("id")?,
        submission_id: row.try_get("submission_id")?,
        provider: parse_column(row, "provider_code", OdsCode::parse)?,
        month: row.try_get("month")?,
        line: row.try_get("line")?,
        record_id: row.try_get("record_id")?,
        reason: row.try_get("reason")?,
        status: row.try_get("status")?,
        response: row.try_get("response")?,
        responded_by: row.try_get("responded_by")?,
        responded_at: row.try_get("responded_at")?,
    })
}

fn query_from_row(row: &AnyRow) -> Result<QueryRecord> {
    Ok(QueryRecord {
        id: row.try_get("id")?,
        provider: parse_column(row, "provider_code", OdsCode::parse)?,
        pod: row.try_get("pod")?,
        month: row.try_get("month")?,
        variance_bp: row.try_get("variance_bp")?,
        status: row.try_get("status")?,
        owner: row.try_get("owner")?,
        notice_date: row.try_get("notice_date")?,
        meeting_due: row.try_get("meeting_due")?,
        meeting_date: row.try_get("meeting_date")?,
        notes: row.try_get("notes")?,
        raised_by: row.try_get("raised_by")?,
        raised_at: row.try_get("raised_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}
