//! Monitor: providers submit a month of patient-level activity (through the API with a
//! token, or the CLI). The file is stored under the data directory and recorded as the
//! current submission for that provider and month; a resubmission replaces it in one
//! transaction, so nothing is ever counted twice, and an identical file changes nothing.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

use commissioning::access::{Action, Principal};
use commissioning::org::OdsCode;
use commissioning::period::YearMonth;
use commissioning::service::PointOfDelivery;
use store::audit::AuditEntry;
use store::monitor::{NewSubmission, SubmissionRecord};
use store::org::ActivitySummaryRow;

use crate::import::ImportError;
use crate::{Actor, App, AppError, Result, authorize, now_millis};

/// What a submission did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionReport {
    pub id: i64,
    pub provider: OdsCode,
    pub month: YearMonth,
    pub n_rows: i64,
    pub n_unreadable: i64,
    pub sha256: String,
    /// The same file was already the current submission: nothing changed.
    pub unchanged: bool,
    /// An earlier submission for the month was replaced.
    pub replaced: bool,
}

impl App {
    /// A file to receive an upload into, inside the data directory (so the final move is a
    /// rename on the same file system).
    pub fn upload_path(&self) -> Result<PathBuf> {
        let dir = self.settings().data_dir.join("submissions").join("incoming");
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(dir.join(format!("{}.csv", crate::accounts::random_token())))
    }

    /// Submits a month of activity for a provider from a file already on disk (an upload
    /// received into [`App::upload_path`], or a path given to the CLI).
    pub async fn submit_activity(
        &self,
        principal: &Principal,
        provider: &OdsCode,
        month: YearMonth,
        file_name: &str,
        path: &Path,
    ) -> Result<SubmissionReport> {
        authorize(Some(principal), &Action::SubmitFor(provider.clone()))?;
        let sha256 = file_sha256(path)?;
        let month_text = month.to_string();
        let current = self.store().current_submission(provider, &month_text).await?;
        if let Some(current) = current.as_ref().filter(|c| c.file_sha256 == sha256) {
            return Ok(SubmissionReport {
                id: current.id,
                provider: provider.clone(),
                month,
                n_rows: current.n_rows,
                n_unreadable: current.n_unreadable,
                sha256,
                unchanged: true,
                replaced: false,
            });
        }
        let label = PathBuf::from(file_name);
        let (summary, n_unreadable) = {
            let path = path.to_owned();
            let label = label.clone();
            tokio::task::spawn_blocking(move || {
                let file = File::open(&path)?;
                Ok::<_, std::io::Error>(analytics::activity::summarise_reader(BufReader::new(file), &label))
            })
            .await
            .context("reading the submission")?
            .context("opening the submission")?
            .map_err(|error| match error {
                analytics::AnalyticsError::Data { file, line, message } => {
                    AppError::Import(ImportError { file, line: Some(line), field: None, message })
                }
                other => AppError::Unexpected(anyhow::Error::new(other)),
            })?
        };
        let mut rows = Vec::new();
        for group in &summary {
            if group.provider_code != provider.as_str() {
                return Err(submission_error(
                    &label,
                    group.first_line,
                    "provider_code",
                    format!("'{}' is not {provider}: a submission holds one provider's activity", group.provider_code),
                ));
            }
            if group.month != month_text {
                return Err(submission_error(
                    &label,
                    group.first_line,
                    "activity_date",
                    format!("is in {}, not {month_text}: a submission holds one month", group.month),
                ));
            }
            let pod = PointOfDelivery::parse(&group.pod)
                .map_err(|error| submission_error(&label, group.first_line, "pod", error.to_string()))?;
            rows.push(ActivitySummaryRow {
                provider: provider.clone(),
                pod,
                month: month_text.clone(),
                activity: group.activity,
                los_days: group.los_days,
            });
        }
        let n_rows: i64 = summary.iter().map(|g| g.activity).sum::<i64>() + n_unreadable as i64;
        let stored = self.store_submission_file(provider, &month_text, &sha256, path)?;
        let actor = Actor::User(principal.clone());
        let now = now_millis();
        let mut tx = self.store().begin().await?;
        let id = tx
            .record_submission(
                &NewSubmission {
                    provider: provider.clone(),
                    month: month_text.clone(),
                    file_name: file_name.to_owned(),
                    file_sha256: sha256.clone(),
                    stored_path: stored.to_string_lossy().into_owned(),
                    n_rows,
                    n_unreadable: n_unreadable as i64,
                    submitted_by: actor.audit_name(),
                },
                now,
            )
            .await?;
        tx.replace_activity_month(provider, &month_text, &rows).await?;
        tx.audit(
            &AuditEntry {
                actor: actor.audit_name(),
                organisation: actor.organisation(),
                action: "submit".into(),
                object_type: "activity_submission".into(),
                object_id: id.to_string(),
                before: current
                    .as_ref()
                    .map(|c| serde_json::json!({ "submission": c.id, "sha256": c.file_sha256, "rows": c.n_rows })),
                after: Some(serde_json::json!({
                    "provider": provider.to_string(), "month": month_text, "sha256": sha256, "rows": n_rows,
                })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(SubmissionReport {
            id,
            provider: provider.clone(),
            month,
            n_rows,
            n_unreadable: n_unreadable as i64,
            sha256,
            unchanged: false,
            replaced: current.is_some(),
        })
    }

    /// A provider's submissions, current and superseded (the provider's own, or any for the
    /// commissioner's staff).
    pub async fn submissions(&self, principal: &Principal, provider: &OdsCode) -> Result<Vec<SubmissionRecord>> {
        authorize(Some(principal), &Action::ViewOwnedBy(provider.clone()))?;
        self.store().organisation(provider).await?;
        Ok(self.store().submissions(provider).await?)
    }

    /// Copies (or moves, for an upload) the file to `submissions/<provider>/<month>/<sha>.csv`.
    fn store_submission_file(&self, provider: &OdsCode, month: &str, sha256: &str, path: &Path) -> Result<PathBuf> {
        let dir = self.settings().data_dir.join("submissions").join(provider.as_str()).join(month);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let target = dir.join(format!("{sha256}.csv"));
        if !target.exists() {
            let partial = dir.join(format!("{sha256}.partial"));
            std::fs::copy(path, &partial).with_context(|| format!("storing the submission in {}", dir.display()))?;
            std::fs::rename(&partial, &target).context("finishing the stored submission")?;
        }
        Ok(target)
    }
}

fn submission_error(file: &Path, line: u64, field: &str, message: String) -> AppError {
    AppError::Import(ImportError { file: file.to_owned(), line: Some(line), field: Some(field.to_owned()), message })
}

fn file_sha256(path: &Path) -> Result<String> {
    let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        let n = file.read(&mut buffer).context("reading the submission")?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Writes `bytes` to a fresh upload file, for tests and small API bodies.
pub fn write_upload(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes).context("writing the upload")?;
    Ok(())
}
