//! Monitor: monthly activity submissions, plan against actual with outturn forecasts,
//! challenges, and activity queries.
//!
//! A submission is one provider's month of patient-level activity. Loading it runs the
//! monitoring engine (validation, de-duplication, pricing at the tariff and MFF in force
//! that month), writes the priced rows as Parquet under
//! `activity/provider=<code>/month=<YYYY-MM>/`, and then, in one transaction, records the
//! submission as current for that provider and month, replaces the month's summary and
//! records the challenges. The transaction is the only switch: a load killed before it
//! commits leaves the previous submission current and the store consistent, and loading the
//! same file again changes nothing. Rows of another provider make the whole file invalid.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

use analytics::AnalyticsError;
use analytics::engine::{Challenge, RunOptions, Sink, run};
use analytics::parquet_io::{ParquetFileWriter, priced_schema};
use analytics::rules::Checks;
use commissioning::access::{Action, Principal};
use commissioning::calendar::WorkingCalendar;
use commissioning::monitor::{
    Forecasts, QueryEvent, QueryStatus, Rag, Tolerance, forecast, meeting_due, rag, variance_bp, working_day_profile,
};
use commissioning::org::{OdsCode, OrgKind, Organisation};
use commissioning::period::{FinancialYear, YearMonth};
use commissioning::service::PointOfDelivery;
use store::StoreError;
use store::audit::AuditEntry;
use store::monitor::{NewChallenge, NewSubmission, PlanRow, SubmissionRecord};

/// Records this module's use cases return (the store's types, offered to callers of `app`).
pub type ChallengeRecord = store::monitor::ChallengeRecord;
pub type QueryRecord = store::monitor::QueryRecord;
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
    pub n_valid: i64,
    pub n_challenged: i64,
    pub value_pence: i64,
    pub sha256: String,
    /// The same file was already the current submission: nothing changed.
    pub unchanged: bool,
    /// An earlier submission for the month was replaced.
    pub replaced: bool,
}

/// One month of plan and actual for a point of delivery.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MonthFigures {
    pub plan_activity: i64,
    pub plan_value_pence: i64,
    pub actual_activity: i64,
    pub actual_value_pence: i64,
}

/// Plan against actual for one point of delivery (or all, when `pod` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMonitoring {
    pub pod: Option<PointOfDelivery>,
    pub months: [MonthFigures; 12],
    pub ytd: MonthFigures,
    pub tolerance: Tolerance,
    /// Year-to-date value against plan, in basis points.
    pub variance_bp: Option<i64>,
    pub rag: Option<Rag>,
    pub forecast_value: Forecasts,
    pub forecast_activity: Forecasts,
    pub plan_total: MonthFigures,
}

/// A provider's monitoring page.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderMonitoring {
    pub provider: Organisation,
    pub year: FinancialYear,
    /// Months of the year with a current submission, counted from April.
    pub months_elapsed: usize,
    pub lines: Vec<LineMonitoring>,
    pub total: LineMonitoring,
    pub submissions: Vec<SubmissionRecord>,
    /// (reason, status, count) of the current submissions' challenges.
    pub challenge_counts: Vec<(String, String, i64)>,
    pub queries: Vec<QueryRecord>,
}

/// A plan file: what it held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanImport {
    pub n_rows: u64,
}

/// Collects challenges for the store (and counts them).
#[derive(Default)]
struct ChallengeCollector(Vec<NewChallenge>, Option<ParquetFileWriter>);

impl Sink for ChallengeCollector {
    fn challenge(&mut self, challenge: &Challenge<'_>) -> std::result::Result<(), AnalyticsError> {
        self.0.push(NewChallenge {
            line: challenge.line as i64,
            record_id: String::from_utf8_lossy(challenge.record_id).into_owned(),
            reason: challenge.reason.code().to_owned(),
        });
        Ok(())
    }

    fn priced(&mut self, batch: &arrow_array::RecordBatch) -> std::result::Result<(), AnalyticsError> {
        match self.1.as_mut() {
            Some(writer) => writer.write(batch),
            None => Ok(()),
        }
    }
}

impl App {
    /// A file to receive an upload into, inside the data directory.
    pub fn upload_path(&self) -> Result<PathBuf> {
        let dir = self.settings().data_dir.join("submissions").join("incoming");
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(dir.join(format!("{}.csv", crate::accounts::random_token())))
    }

    /// A provider (or someone allowed to submit for it) submits a month of activity.
    pub async fn submit_activity(
        &self,
        principal: &Principal,
        provider: &OdsCode,
        month: YearMonth,
        file_name: &str,
        path: &Path,
    ) -> Result<SubmissionReport> {
        authorize(Some(principal), &Action::SubmitFor(provider.clone()))?;
        self.load_submission(&Actor::User(principal.clone()), provider, month, file_name, path).await
    }

    /// Loads a month of activity for a provider (the CLI and the demo call this directly).
    pub async fn load_submission(
        &self,
        actor: &Actor,
        provider: &OdsCode,
        month: YearMonth,
        file_name: &str,
        path: &Path,
    ) -> Result<SubmissionReport> {
        let organisation = self.store().organisation(provider).await.map_err(|e| match e {
            StoreError::NotFound => AppError::Invalid(format!("There is no organisation with ODS code {provider}")),
            other => other.into(),
        })?;
        let sha256 = file_sha256(path)?;
        let month_text = month.to_string();
        let current = self.store().current_submission(provider, &month_text).await?;
        if let Some(current) = current.as_ref().filter(|c| c.file_sha256 == sha256) {
            return Ok(SubmissionReport {
                id: current.id,
                provider: provider.clone(),
                month,
                n_rows: current.n_rows,
                n_valid: current.n_valid,
                n_challenged: current.n_challenged,
                value_pence: current.value_pence,
                sha256,
                unchanged: true,
                replaced: false,
            });
        }
        check_single_provider(path, file_name, provider).await?;
        // Commissioner of the provider's activity: the commissioner it sits under, if any.
        let commissioner = match &organisation.parent {
            Some(parent) => match self.store().organisation(parent).await {
                Ok(parent) if parent.kind == OrgKind::Commissioner => Some(parent.code.to_string()),
                _ => None,
            },
            None => None,
        };
        let (tariff, mff) = self.prices_on(month.first_day()).await?;
        if tariff.is_empty() {
            return Err(AppError::Invalid(format!(
                "No tariff is in force on {}; import prices first",
                month.first_day()
            )));
        }
        let stored = self.store_submission_file(provider, &month_text, &sha256, path)?;
        let priced_dir = self
            .settings()
            .data_dir
            .join("activity")
            .join(format!("provider={provider}"))
            .join(format!("month={month_text}"));
        std::fs::create_dir_all(&priced_dir).with_context(|| format!("creating {}", priced_dir.display()))?;
        let priced_path = priced_dir.join(format!("{sha256}.parquet"));
        let input = stored.clone();
        let priced_target = priced_path.clone();
        let checks = Checks { commissioner, period: Some((month.year() as u16, month.month() as u8)) };
        let (report, challenges) = tokio::task::spawn_blocking(move || -> std::result::Result<_, AnalyticsError> {
            let mut sink =
                ChallengeCollector(Vec::new(), Some(ParquetFileWriter::create(&priced_target, priced_schema())?));
            let options = RunOptions { checks, want_priced: true, ..RunOptions::default() };
            let report = run(&[input], &tariff, &mff, &options, &mut sink, &|_, _| {})?;
            if let Some(writer) = sink.1.take() {
                writer.finish()?;
            }
            Ok((report, sink.0))
        })
        .await
        .context("the pricing task")?
        .map_err(|error| match error {
            AnalyticsError::Data { line, message, .. } => {
                AppError::Import(ImportError { file: PathBuf::from(file_name), line: Some(line), field: None, message })
            }
            other => AppError::Unexpected(anyhow::Error::new(other)),
        })?;
        let summary: Vec<ActivitySummaryRow> = report
            .summary
            .iter()
            .filter(|row| row.provider_code == provider.as_str() && row.month == month_text)
            .filter_map(|row| {
                Some(ActivitySummaryRow {
                    provider: provider.clone(),
                    pod: PointOfDelivery::parse(row.pod).ok()?,
                    month: row.month.clone(),
                    activity: row.activity as i64,
                    los_days: row.los_days as i64,
                    value_pence: row.value_pence,
                })
            })
            .collect();
        let n_challenged = challenges.len() as i64;
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
                    n_rows: report.n_rows as i64,
                    n_unreadable: report.challenged(analytics::rules::Reason::InvalidField) as i64,
                    submitted_by: actor.audit_name(),
                    n_valid: report.n_valid as i64,
                    n_challenged,
                    value_pence: report.total_pence as i64,
                    priced_path: Some(priced_path.to_string_lossy().into_owned()),
                },
                now,
            )
            .await?;
        tx.replace_activity_month(provider, &month_text, &summary).await?;
        tx.insert_challenges(id, provider, &month_text, &challenges).await?;
        tx.audit(
            &AuditEntry {
                actor: actor.audit_name(),
                organisation: actor.organisation(),
                action: "submit".into(),
                object_type: "activity_submission".into(),
                object_id: id.to_string(),
                before: current.as_ref().map(|c| serde_json::json!({ "submission": c.id, "sha256": c.file_sha256, "value_pence": c.value_pence })),
                after: Some(serde_json::json!({
                    "provider": provider.to_string(), "month": month_text, "sha256": sha256,
                    "rows": report.n_rows, "valid": report.n_valid, "challenged": n_challenged, "value_pence": report.total_pence as i64,
                })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        // The superseded month's priced rows are no longer referenced.
        if let Some(old) = current.as_ref().and_then(|c| c.priced_path.as_ref()).filter(|p| Path::new(p) != priced_path)
        {
            let _ = std::fs::remove_file(old);
        }
        Ok(SubmissionReport {
            id,
            provider: provider.clone(),
            month,
            n_rows: report.n_rows as i64,
            n_valid: report.n_valid as i64,
            n_challenged,
            value_pence: report.total_pence as i64,
            sha256,
            unchanged: false,
            replaced: current.is_some(),
        })
    }

    /// A provider's submissions, current and superseded.
    pub async fn submissions(&self, principal: &Principal, provider: &OdsCode) -> Result<Vec<SubmissionRecord>> {
        authorize(Some(principal), &Action::ViewOwnedBy(provider.clone()))?;
        self.store().organisation(provider).await?;
        Ok(self.store().submissions(provider).await?)
    }

    /// Imports an activity plan: `provider_code,pod,month,activity,value` (pounds), with
    /// optional `tolerance_lower_pct,tolerance_upper_pct` per line.
    pub async fn import_plan(&self, actor: &Actor, path: &Path) -> Result<PlanImport> {
        let providers: std::collections::BTreeSet<String> = self
            .store()
            .organisations(&store::org::OrgFilter::default())
            .await?
            .into_iter()
            .map(|o| o.code.to_string())
            .collect();
        let mut rows = Vec::new();
        let mut tolerances: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
        let n_rows = crate::import::read_csv(
            path,
            &["provider_code", "pod", "month", "activity", "value"],
            &["tolerance_lower_pct", "tolerance_upper_pct"],
            |row| {
                let provider = row.parse("provider_code", |t| OdsCode::parse(t).map_err(|e| e.to_string()))?;
                if !providers.contains(provider.as_str()) {
                    return Err(row.error("provider_code", format!("'{provider}' is not a known organisation")));
                }
                let pod = row.parse("pod", |t| PointOfDelivery::parse(t).map_err(|e| e.to_string()))?;
                let month = row.parse("month", |t| YearMonth::parse(t).map_err(|e| e.to_string()))?;
                let activity = row.parse("activity", |t| {
                    t.parse::<i64>()
                        .ok()
                        .filter(|v| *v >= 0)
                        .ok_or_else(|| format!("'{t}' is not a whole number of zero or more"))
                })?;
                let value = row.parse("value", |t| {
                    analytics::pricing::parse_pounds(t)
                        .filter(|v| *v >= 0)
                        .ok_or_else(|| format!("'{t}' is not an amount in pounds"))
                })?;
                let percent = |name: &str| {
                    row.parse_optional(name, |t| {
                        analytics::pricing::parse_pounds(t)
                            .filter(|v| *v >= 0)
                            .ok_or_else(|| format!("'{t}' is not a percentage such as 2.5"))
                    })
                };
                if let (Some(lower), Some(upper)) = (percent("tolerance_lower_pct")?, percent("tolerance_upper_pct")?) {
                    tolerances.insert((provider.to_string(), pod.code().to_owned()), (lower, upper));
                }
                rows.push(PlanRow {
                    provider,
                    pod: pod.code().to_owned(),
                    month: month.to_string(),
                    activity,
                    value_pence: value,
                });
                Ok(())
            },
        )?;
        let mut tx = self.store().begin().await?;
        tx.upsert_plan(&rows).await?;
        for ((provider, pod), (lower, upper)) in &tolerances {
            tx.set_tolerance(&OdsCode::parse(provider).expect("parsed"), pod, *lower, *upper).await?;
        }
        tx.audit(
            &AuditEntry {
                actor: actor.audit_name(),
                organisation: actor.organisation(),
                action: "import".into(),
                object_type: "activity_plan".into(),
                object_id: path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
                before: None,
                after: Some(serde_json::json!({ "rows": n_rows, "tolerances": tolerances.len() })),
            },
            now_millis(),
        )
        .await?;
        tx.commit().await?;
        Ok(PlanImport { n_rows })
    }

    /// Plan against actual, forecasts, submissions, challenges and queries for a provider.
    pub async fn provider_monitoring(&self, principal: &Principal, provider: &OdsCode) -> Result<ProviderMonitoring> {
        authorize(Some(principal), &Action::ViewOwnedBy(provider.clone()))?;
        let organisation = self.store().organisation(provider).await?;
        let submissions = self.store().submissions(provider).await?;
        let actuals = self.store().activity_summary(Some(provider)).await?;
        let plan = self.store().plan(provider).await?;
        let latest = submissions
            .iter()
            .filter(|s| s.superseded_at.is_none())
            .filter_map(|s| YearMonth::parse(&s.month).ok())
            .max();
        let year = latest
            .map(|m| m.financial_year())
            .or_else(|| plan.iter().filter_map(|p| YearMonth::parse(&p.month).ok()).map(|m| m.financial_year()).max())
            .unwrap_or_else(|| FinancialYear::containing(chrono::Utc::now().date_naive()));
        let months_elapsed =
            latest.filter(|m| m.financial_year() == year).map(|m| m.financial_month() as usize).unwrap_or(0);
        let tolerances = self.store().tolerances(provider).await?;
        let calendar = self.calendar();
        let pods: Vec<PointOfDelivery> = PointOfDelivery::ALL
            .into_iter()
            .filter(|pod| actuals.iter().any(|a| a.pod == *pod) || plan.iter().any(|p| p.pod == pod.code()))
            .collect();
        let line_for = |pod: Option<PointOfDelivery>| -> LineMonitoring {
            let matches_pod = |code: &str| pod.is_none_or(|p| p.code() == code);
            let mut months = [MonthFigures::default(); 12];
            for (idx, month) in year.months().iter().enumerate() {
                let month_text = month.to_string();
                for a in actuals.iter().filter(|a| a.month == month_text && matches_pod(a.pod.code())) {
                    months[idx].actual_activity += a.activity;
                    months[idx].actual_value_pence += a.value_pence;
                }
                for p in plan.iter().filter(|p| p.month == month_text && matches_pod(&p.pod)) {
                    months[idx].plan_activity += p.activity;
                    months[idx].plan_value_pence += p.value_pence;
                }
            }
            let sum = |range: std::ops::Range<usize>| {
                months[range].iter().fold(MonthFigures::default(), |acc, m| MonthFigures {
                    plan_activity: acc.plan_activity + m.plan_activity,
                    plan_value_pence: acc.plan_value_pence + m.plan_value_pence,
                    actual_activity: acc.actual_activity + m.actual_activity,
                    actual_value_pence: acc.actual_value_pence + m.actual_value_pence,
                })
            };
            let ytd = sum(0..months_elapsed);
            let plan_total = sum(0..12);
            let tolerance = pod
                .and_then(|p| tolerances.iter().find(|(code, _, _)| code == p.code()))
                .map(|(_, lower, upper)| Tolerance { lower_bp: *lower, upper_bp: *upper })
                .unwrap_or(Tolerance::DEFAULT);
            let variance =
                if months_elapsed > 0 { variance_bp(ytd.actual_value_pence, ytd.plan_value_pence) } else { None };
            let profile = seasonal_profile(&actuals, year, pod, calendar);
            let values: Vec<i64> = months.iter().map(|m| m.actual_value_pence).collect();
            let counts: Vec<i64> = months.iter().map(|m| m.actual_activity).collect();
            let plan_values: [i64; 12] = std::array::from_fn(|i| months[i].plan_value_pence);
            let plan_counts: [i64; 12] = std::array::from_fn(|i| months[i].plan_activity);
            let has_plan = plan_total.plan_activity > 0;
            LineMonitoring {
                pod,
                months,
                ytd,
                tolerance,
                variance_bp: variance,
                rag: variance.map(|v| rag(v, tolerance)),
                forecast_value: forecast(&values, months_elapsed, has_plan.then_some(&plan_values), &profile),
                forecast_activity: forecast(&counts, months_elapsed, has_plan.then_some(&plan_counts), &profile),
                plan_total,
            }
        };
        let lines = pods.iter().map(|pod| line_for(Some(*pod))).collect();
        let total = line_for(None);
        let challenge_counts = self.store().challenge_counts(provider).await?;
        let queries = self.store().queries(provider).await?;
        Ok(ProviderMonitoring {
            provider: organisation,
            year,
            months_elapsed,
            lines,
            total,
            submissions,
            challenge_counts,
            queries,
        })
    }

    /// The current challenges of a provider (at most `limit`).
    pub async fn challenges(
        &self,
        principal: &Principal,
        provider: &OdsCode,
        limit: i64,
    ) -> Result<Vec<ChallengeRecord>> {
        authorize(Some(principal), &Action::ViewOwnedBy(provider.clone()))?;
        self.store().organisation(provider).await?;
        Ok(self.store().challenges(provider, None, limit).await?)
    }

    /// The provider accepts a challenged line (it will be corrected or not paid) or disputes
    /// it with a reason.
    pub async fn respond_to_challenge(
        &self,
        principal: &Principal,
        id: i64,
        accept: bool,
        response: &str,
    ) -> Result<ChallengeRecord> {
        let challenge = self.store().challenge(id).await?;
        authorize(Some(principal), &Action::SubmitFor(challenge.provider.clone()))?;
        if !accept && response.trim().is_empty() {
            return Err(AppError::Invalid("Enter why you dispute the challenge".into()));
        }
        let status = if accept { "accepted" } else { "disputed" };
        let actor = Actor::User(principal.clone());
        let now = now_millis();
        let mut tx = self.store().begin().await?;
        tx.respond_to_challenge(id, status, response.trim(), &actor.audit_name(), now).await?;
        tx.audit(
            &AuditEntry {
                actor: actor.audit_name(),
                organisation: actor.organisation(),
                action: "respond".into(),
                object_type: "activity_challenge".into(),
                object_id: id.to_string(),
                before: Some(serde_json::json!({ "status": challenge.status })),
                after: Some(serde_json::json!({ "status": status, "response": response.trim() })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(self.store().challenge(id).await?)
    }

    /// Serves an activity query notice on a provider for a point of delivery.
    pub async fn raise_query(
        &self,
        principal: &Principal,
        provider: &OdsCode,
        pod: PointOfDelivery,
        owner: &str,
        notes: &str,
        notice: chrono::NaiveDate,
    ) -> Result<i64> {
        authorize(Some(principal), &Action::ManageMonitoringOf(provider.clone()))?;
        if owner.trim().is_empty() {
            return Err(AppError::Invalid("Enter who owns the query".into()));
        }
        let monitoring = self.provider_monitoring(principal, provider).await?;
        let line = monitoring.lines.iter().find(|l| l.pod == Some(pod));
        let month = monitoring
            .year
            .months()
            .get(monitoring.months_elapsed.saturating_sub(1))
            .map(ToString::to_string)
            .unwrap_or_default();
        let now = now_millis();
        let record = QueryRecord {
            id: 0,
            provider: provider.clone(),
            pod: pod.code().into(),
            month,
            variance_bp: line.and_then(|l| l.variance_bp),
            status: QueryStatus::NoticeServed.code().into(),
            owner: owner.trim().into(),
            notice_date: notice.to_string(),
            meeting_due: meeting_due(self.calendar(), notice).to_string(),
            meeting_date: None,
            notes: notes.trim().into(),
            raised_by: Actor::User(principal.clone()).audit_name(),
            raised_at: now,
            updated_at: now,
        };
        let mut tx = self.store().begin().await?;
        let id = tx.insert_query(&record).await?;
        tx.audit(
            &AuditEntry {
                actor: record.raised_by.clone(),
                organisation: Some(principal.organisation.to_string()),
                action: "raise".into(),
                object_type: "activity_query".into(),
                object_id: id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "provider": provider.to_string(), "pod": pod.code(), "variance_bp": record.variance_bp,
                    "notice_date": record.notice_date, "meeting_due": record.meeting_due, "owner": record.owner,
                })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn query(&self, principal: &Principal, id: i64) -> Result<QueryRecord> {
        let query = self.store().query(id).await?;
        authorize(Some(principal), &Action::ViewOwnedBy(query.provider.clone()))?;
        Ok(query)
    }

    /// Moves a query along its workflow, with an optional meeting date and a note.
    pub async fn advance_query(
        &self,
        principal: &Principal,
        id: i64,
        event: QueryEvent,
        meeting_date: Option<chrono::NaiveDate>,
        note: &str,
    ) -> Result<QueryRecord> {
        let query = self.query(principal, id).await?;
        authorize(Some(principal), &Action::ManageMonitoringOf(query.provider.clone()))?;
        let from = QueryStatus::parse(&query.status)
            .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("stored query status '{}'", query.status)))?;
        let to = from.apply(event).map_err(|e| AppError::Invalid(e.to_string()))?;
        if event == QueryEvent::HoldMeeting && meeting_date.is_none() {
            return Err(AppError::Invalid("Enter the date of the meeting".into()));
        }
        let notes = if note.trim().is_empty() {
            query.notes.clone()
        } else if query.notes.is_empty() {
            note.trim().to_owned()
        } else {
            format!("{}\n{}", query.notes, note.trim())
        };
        let now = now_millis();
        let meeting = meeting_date.map(|d| d.to_string());
        let mut tx = self.store().begin().await?;
        tx.update_query(id, to.code(), meeting.as_deref(), &notes, now).await?;
        tx.audit(
            &AuditEntry {
                actor: Actor::User(principal.clone()).audit_name(),
                organisation: Some(principal.organisation.to_string()),
                action: event.code().into(),
                object_type: "activity_query".into(),
                object_id: id.to_string(),
                before: Some(serde_json::json!({ "status": query.status })),
                after: Some(serde_json::json!({ "status": to.code(), "meeting_date": meeting, "note": note.trim() })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(self.store().query(id).await?)
    }

    /// Copies the file to `submissions/<provider>/<month>/<sha>.csv`.
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

/// Last year's actual phasing for the line when there is one, else working days per month.
fn seasonal_profile(
    actuals: &[ActivitySummaryRow],
    year: FinancialYear,
    pod: Option<PointOfDelivery>,
    calendar: &WorkingCalendar,
) -> [i64; 12] {
    let last_year = FinancialYear::starting(year.start_year() - 1);
    let profile: [i64; 12] = last_year.months().map(|month| {
        let month = month.to_string();
        actuals.iter().filter(|a| a.month == month && pod.is_none_or(|p| p == a.pod)).map(|a| a.value_pence).sum()
    });
    if profile.iter().all(|v| *v > 0) { profile } else { working_day_profile(calendar, year) }
}

/// Refuses a file holding another provider's rows, naming the first such line.
async fn check_single_provider(path: &Path, file_name: &str, provider: &OdsCode) -> Result<()> {
    let path = path.to_owned();
    let label = PathBuf::from(file_name);
    let (summary, _) = tokio::task::spawn_blocking(move || {
        let file = File::open(&path)?;
        Ok::<_, std::io::Error>(analytics::activity::summarise_reader(BufReader::new(file), &label))
    })
    .await
    .context("reading the submission")?
    .context("opening the submission")?
    .map_err(|error| match error {
        AnalyticsError::Data { file, line, message } => {
            AppError::Import(ImportError { file, line: Some(line), field: None, message })
        }
        other => AppError::Unexpected(anyhow::Error::new(other)),
    })?;
    if let Some(group) = summary.iter().filter(|g| g.provider_code != provider.as_str()).min_by_key(|g| g.first_line) {
        return Err(AppError::Import(ImportError {
            file: PathBuf::from(file_name),
            line: Some(group.first_line),
            field: Some("provider_code".into()),
            message: format!("'{}' is not {provider}: a submission holds one provider's activity", group.provider_code),
        }));
    }
    Ok(())
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

/// Writes `bytes` to a fresh upload file.
pub fn write_upload(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes).context("writing the upload")?;
    Ok(())
}

impl App {
    /// Every provider with activity or a plan, with its year-to-date position (the
    /// commissioner's staff), or the principal's own organisation (a provider).
    pub async fn monitoring_overview(&self, principal: &Principal) -> Result<Vec<ProviderMonitoring>> {
        authorize(Some(principal), &Action::ViewStage(commissioning::access::Stage::Monitor))?;
        let providers: Vec<OdsCode> = if principal.is_commissioner_side() {
            let mut codes: Vec<OdsCode> =
                self.store().activity_summary(None).await?.into_iter().map(|row| row.provider).collect();
            codes.dedup();
            codes.sort();
            codes.dedup();
            codes
        } else {
            vec![principal.organisation.clone()]
        };
        let mut overview = Vec::new();
        for provider in providers {
            match self.provider_monitoring(principal, &provider).await {
                Ok(monitoring) => overview.push(monitoring),
                Err(AppError::NotFound) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(overview)
    }
}

impl App {
    /// Refuses, before any input is looked at, a person who may not manage the provider's
    /// activity queries (not found for outsiders, forbidden for others).
    pub async fn check_may_manage_monitoring(&self, principal: &Principal, provider: &OdsCode) -> Result<()> {
        authorize(Some(principal), &Action::ManageMonitoringOf(provider.clone()))?;
        self.store().organisation(provider).await?;
        Ok(())
    }

    /// As [`App::check_may_manage_monitoring`], for the provider of an existing query.
    pub async fn check_may_manage_query(&self, principal: &Principal, id: i64) -> Result<()> {
        let query = self.query(principal, id).await?;
        authorize(Some(principal), &Action::ManageMonitoringOf(query.provider))
    }

    /// One challenge, for its provider and the commissioner's staff.
    pub async fn challenge(&self, principal: &Principal, id: i64) -> Result<ChallengeRecord> {
        let challenge = self.store().challenge(id).await?;
        authorize(Some(principal), &Action::ViewOwnedBy(challenge.provider.clone()))?;
        Ok(challenge)
    }
}
