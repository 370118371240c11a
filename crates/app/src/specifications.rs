//! Procure: service specifications — written by the commissioner's contract staff, each
//! change saved as a new version with its reason (earlier versions are never overwritten) and
//! compared line by line; the service change a specification makes, with the scrutiny
//! committee's consultation and the public consultation, which gate the award of a
//! substantial change (`commissioning::procure::spec::consultation_gate`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use commissioning::access::{Action, Principal};
use commissioning::procure::spec::{DiffLine, ServiceChange, SpecContent, consultation_gate, diff};
use store::audit::AuditEntry;
use store::specifications::{ServiceChangeRecord, VersionRecord};

use crate::{Actor, App, AppError, Result, authorize, now_millis};

/// One version as people see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionView {
    pub version: i64,
    pub content: SpecContent,
    pub note: String,
    pub changed_by: String,
    pub changed_at: i64,
}

/// A specification with every version, its service change and where the gate stands today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecificationView {
    pub id: i64,
    pub title: String,
    /// First to latest.
    pub versions: Vec<VersionView>,
    pub service_change: Option<ServiceChange>,
    /// What is still to happen before a substantial change may be awarded (empty when none).
    pub gate_outstanding: Vec<String>,
}

impl SpecificationView {
    pub fn latest(&self) -> &VersionView {
        self.versions.last().expect("a specification has its first version")
    }
}

/// A service change as its form gives it (dates `YYYY-MM-DD`, each optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ServiceChangeInput {
    #[serde(default)]
    pub substantial: String,
    #[serde(default)]
    pub hosc_consulted_on: String,
    #[serde(default)]
    pub hosc_responded_on: String,
    #[serde(default)]
    pub hosc_response: String,
    #[serde(default)]
    pub consultation_opens: String,
    #[serde(default)]
    pub consultation_closes: String,
    #[serde(default)]
    pub consultation_outcome: String,
}

impl ServiceChangeInput {
    /// The change, or the fields at fault in the form's order.
    pub fn check(&self) -> std::result::Result<ServiceChange, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let mut date = |field: &str, text: &str| -> Option<NaiveDate> {
            if text.trim().is_empty() {
                return None;
            }
            commissioning::period::parse_date(text.trim())
                .map_err(|_| {
                    errors.push((field.to_owned(), "Enter the date as YYYY-MM-DD, like 2025-03-01".to_owned()))
                })
                .ok()
        };
        let change = ServiceChange {
            substantial: matches!(self.substantial.as_str(), "true" | "yes"),
            hosc_consulted_on: date("hosc_consulted_on", &self.hosc_consulted_on),
            hosc_responded_on: date("hosc_responded_on", &self.hosc_responded_on),
            hosc_response: self.hosc_response.trim().to_owned(),
            consultation_opens: date("consultation_opens", &self.consultation_opens),
            consultation_closes: date("consultation_closes", &self.consultation_closes),
            consultation_outcome: self.consultation_outcome.trim().to_owned(),
        };
        if let (Some(consulted), Some(responded)) = (change.hosc_consulted_on, change.hosc_responded_on)
            && responded < consulted
        {
            errors.push(("hosc_responded_on".into(), "The response must come after the consultation began".into()));
        }
        if let (Some(opens), Some(closes)) = (change.consultation_opens, change.consultation_closes)
            && closes <= opens
        {
            errors.push(("consultation_closes".into(), "The consultation must close after it opens".into()));
        }
        if change.hosc_responded_on.is_some() && change.hosc_response.is_empty() {
            errors.push(("hosc_response".into(), "Enter what the scrutiny committee said".into()));
        }
        if errors.is_empty() { Ok(change) } else { Err(errors) }
    }
}

fn joined(errors: Vec<(String, String)>) -> AppError {
    AppError::Invalid(errors.into_iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))
}

fn audit(actor: &Actor, id: i64, action: &str, after: serde_json::Value) -> AuditEntry {
    crate::audit_entry(actor, "specification", id, action, after)
}

fn to_record(c: &ServiceChange, id: i64, by: &str, at: i64) -> ServiceChangeRecord {
    ServiceChangeRecord {
        specification_id: id,
        substantial: c.substantial,
        hosc_consulted_on: c.hosc_consulted_on.map(|d| d.to_string()),
        hosc_responded_on: c.hosc_responded_on.map(|d| d.to_string()),
        hosc_response: c.hosc_response.clone(),
        consultation_opens: c.consultation_opens.map(|d| d.to_string()),
        consultation_closes: c.consultation_closes.map(|d| d.to_string()),
        consultation_outcome: c.consultation_outcome.clone(),
        recorded_by: by.to_owned(),
        recorded_at: at,
    }
}

fn from_record(r: ServiceChangeRecord) -> Result<ServiceChange> {
    let day = |d: Option<String>| {
        d.map(|d| commissioning::period::parse_date(&d))
            .transpose()
            .map_err(|_| AppError::Unexpected(anyhow::anyhow!("service change {}: a date", r.specification_id)))
    };
    Ok(ServiceChange {
        substantial: r.substantial,
        hosc_consulted_on: day(r.hosc_consulted_on.clone())?,
        hosc_responded_on: day(r.hosc_responded_on.clone())?,
        hosc_response: r.hosc_response.clone(),
        consultation_opens: day(r.consultation_opens.clone())?,
        consultation_closes: day(r.consultation_closes.clone())?,
        consultation_outcome: r.consultation_outcome.clone(),
    })
}

impl App {
    /// Writes a new specification as its first version (the commissioner's contract staff).
    pub async fn create_specification(&self, principal: &Principal, content: &SpecContent) -> Result<i64> {
        authorize(Some(principal), &Action::ManageProcurement)?;
        let errors = content.errors();
        if !errors.is_empty() {
            return Err(joined(errors));
        }
        let at = now_millis();
        let version = VersionRecord {
            specification_id: 0,
            version: 1,
            content: serde_json::to_string(content).map_err(anyhow::Error::new)?,
            note: "First version".into(),
            changed_by: principal.name.clone(),
            changed_at: at,
        };
        let mut tx = self.store().begin().await?;
        let id = tx.insert_specification(principal.organisation.as_str(), &version, content.title.trim()).await?;
        let actor = Actor::User(principal.clone());
        tx.audit(&audit(&actor, id, "create_specification", serde_json::json!({ "title": content.title.trim() })), at)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Saves a change as the next version after `based_on`, with why it changed; refused if
    /// someone else has saved a version since.
    pub async fn revise_specification(
        &self,
        principal: &Principal,
        id: i64,
        based_on: i64,
        content: &SpecContent,
        note: &str,
    ) -> Result<i64> {
        authorize(Some(principal), &Action::ManageProcurement)?;
        let record = self.store().specification(id).await?;
        let mut errors = content.errors();
        if note.trim().is_empty() {
            errors.push(("note".into(), "Say what changed and why".into()));
        }
        if !errors.is_empty() {
            return Err(joined(errors));
        }
        if based_on != record.latest {
            return Err(AppError::Invalid(format!(
                "Version {} has been saved since you began; reload the page and make your change to it",
                record.latest
            )));
        }
        let at = now_millis();
        let version = based_on + 1;
        let mut tx = self.store().begin().await?;
        tx.insert_version(&VersionRecord {
            specification_id: id,
            version,
            content: serde_json::to_string(content).map_err(anyhow::Error::new)?,
            note: note.trim().to_owned(),
            changed_by: principal.name.clone(),
            changed_at: at,
        })
        .await
        .map_err(|e| match e {
            store::StoreError::Conflict { .. } => {
                AppError::Invalid("Someone else has just saved a version; reload the page".into())
            }
            other => other.into(),
        })?;
        tx.set_specification_title(id, content.title.trim()).await?;
        let actor = Actor::User(principal.clone());
        tx.audit(
            &audit(&actor, id, "revise_specification", serde_json::json!({ "version": version, "note": note.trim() })),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Every specification's id, title and latest version (the commissioner's side).
    pub async fn specifications(&self, principal: &Principal) -> Result<Vec<(i64, String, i64)>> {
        authorize(Some(principal), &Action::ViewCommissionerDashboard)?;
        Ok(self.store().specifications().await?.into_iter().map(|s| (s.id, s.title, s.latest)).collect())
    }

    /// A specification with its versions and service change, the gate as at `today`.
    pub async fn specification(&self, principal: &Principal, id: i64, today: NaiveDate) -> Result<SpecificationView> {
        authorize(Some(principal), &Action::ViewCommissionerDashboard)?;
        self.specification_view(id, today).await
    }

    pub(crate) async fn specification_view(&self, id: i64, today: NaiveDate) -> Result<SpecificationView> {
        let record = self.store().specification(id).await?;
        let versions = self
            .store()
            .specification_versions(id)
            .await?
            .into_iter()
            .map(|v| {
                Ok(VersionView {
                    content: serde_json::from_str(&v.content).map_err(|_| {
                        AppError::Unexpected(anyhow::anyhow!("specification {id}: version {}", v.version))
                    })?,
                    version: v.version,
                    note: v.note,
                    changed_by: v.changed_by,
                    changed_at: v.changed_at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let service_change = self.store().service_change(id).await?.map(from_record).transpose()?;
        let gate_outstanding = consultation_gate(service_change.as_ref(), today).err().unwrap_or_default();
        Ok(SpecificationView { id, title: record.title, versions, service_change, gate_outstanding })
    }

    /// What changed between two versions, field by field.
    pub async fn specification_diff(
        &self,
        principal: &Principal,
        id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<(&'static str, Vec<DiffLine>)>> {
        let view = self.specification(principal, id, chrono::Local::now().date_naive()).await?;
        let find = |n: i64| {
            view.versions
                .iter()
                .find(|v| v.version == n)
                .map(|v| v.content.clone())
                .ok_or_else(|| AppError::Invalid(format!("There is no version {n}")))
        };
        Ok(diff(&find(from)?, &find(to)?))
    }

    /// Records the service change a specification makes, with its scrutiny and consultation.
    pub async fn record_service_change(
        &self,
        principal: &Principal,
        id: i64,
        input: &ServiceChangeInput,
    ) -> Result<()> {
        authorize(Some(principal), &Action::ManageProcurement)?;
        self.store().specification(id).await?;
        let change = input.check().map_err(joined)?;
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.upsert_service_change(&to_record(&change, id, &principal.name, at)).await?;
        let actor = Actor::User(principal.clone());
        tx.audit(&audit(&actor, id, "service_change", serde_json::to_value(&change).map_err(anyhow::Error::new)?), at)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The specification a tender buys, as published with it: its latest version, for anyone
    /// who may see the tender (bidders included).
    pub async fn tender_specification(
        &self,
        principal: &Principal,
        tender_id: i64,
        now: chrono::NaiveDateTime,
    ) -> Result<Option<(i64, VersionView)>> {
        let tender = self.tender(principal, tender_id, now).await?;
        let Some(id) = tender.specification else { return Ok(None) };
        let view = self.specification_view(id, now.date()).await?;
        Ok(Some((id, view.latest().clone())))
    }
}
