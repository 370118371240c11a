//! Procure: 'any qualified provider' accreditation, the way direct award process B is run
//! when patients choose their provider — the commissioner publishes the qualification
//! requirements; any provider applies with evidence against each; every provider meeting
//! them all is accredited (and may be offered the contract), the rest refused with reasons.

use serde::Serialize;

use commissioning::access::{Action, Principal, Stage};
use store::accreditation::{ApplicationRecord, SchemeRecord};
use store::audit::AuditEntry;

use crate::{Actor, App, AppError, Result, authorize, now_millis};

/// An application as the reader may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationView {
    pub provider: String,
    /// (requirement, evidence given) in the scheme's order.
    pub evidence: Vec<(String, String)>,
    pub applied_by: String,
    /// pending, accredited or refused.
    pub status: String,
    pub reason: String,
}

/// A scheme with the applications the reader may see: all for the commissioner's side, a
/// provider's own for a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemeView {
    pub id: i64,
    pub title: String,
    pub requirements: Vec<String>,
    pub applications: Vec<ApplicationView>,
}

fn audit(actor: &Actor, id: i64, action: &str, after: serde_json::Value) -> AuditEntry {
    crate::audit_entry(actor, "accreditation_scheme", id, action, after)
}

fn requirements(scheme: &SchemeRecord) -> Vec<String> {
    crate::tender_questions::requirement_lines(&scheme.requirements)
}

fn view(scheme: &SchemeRecord, a: ApplicationRecord) -> ApplicationView {
    let given: Vec<String> = serde_json::from_str(&a.evidence).unwrap_or_default();
    ApplicationView {
        evidence: requirements(scheme)
            .into_iter()
            .zip(given.into_iter().chain(std::iter::repeat(String::new())))
            .collect(),
        provider: a.provider,
        applied_by: a.applied_by,
        status: a.status,
        reason: a.reason,
    }
}

impl App {
    /// Publishes a scheme with its qualification requirements, one per line.
    pub async fn create_scheme(&self, principal: &Principal, title: &str, requirements_text: &str) -> Result<i64> {
        authorize(Some(principal), &Action::ManageProcurement)?;
        let mut errors = Vec::new();
        if title.trim().is_empty() {
            errors.push("title: Enter the service providers are accredited for");
        }
        if crate::tender_questions::requirement_lines(requirements_text).is_empty() {
            errors.push("requirements: Enter at least one qualification requirement");
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors.join("; ")));
        }
        let at = now_millis();
        let record = SchemeRecord {
            id: 0,
            title: title.trim().to_owned(),
            requirements: requirements_text.trim().to_owned(),
            buyer: principal.organisation.to_string(),
            created_by: principal.name.clone(),
            created_at: at,
        };
        let mut tx = self.store().begin().await?;
        let id = tx.insert_scheme(&record).await?;
        tx.audit(
            &audit(&Actor::User(principal.clone()), id, "create_scheme", serde_json::json!({ "title": record.title })),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every scheme (anyone in Procure: providers apply to them).
    pub async fn schemes(&self, principal: &Principal) -> Result<Vec<(i64, String)>> {
        authorize(Some(principal), &Action::ViewStage(Stage::Procure))?;
        Ok(self.store().schemes().await?.into_iter().map(|s| (s.id, s.title)).collect())
    }

    pub async fn scheme(&self, principal: &Principal, id: i64) -> Result<SchemeView> {
        authorize(Some(principal), &Action::ViewStage(Stage::Procure))?;
        let scheme = self.store().scheme(id).await?;
        let own = principal.organisation.to_string();
        let only = (!principal.is_commissioner_side()).then_some(own.as_str());
        let applications = self.store().applications(id, only).await?.into_iter().map(|a| view(&scheme, a)).collect();
        Ok(SchemeView { id, title: scheme.title.clone(), requirements: requirements(&scheme), applications })
    }

    /// A provider applies (or changes its application until it is decided), with evidence
    /// for every requirement.
    pub async fn apply_for_accreditation(&self, principal: &Principal, id: i64, evidence: &[String]) -> Result<()> {
        authorize(Some(principal), &Action::BidFor(principal.organisation.clone()))?;
        let scheme = self.store().scheme(id).await?;
        let needed = requirements(&scheme);
        for (i, _) in needed.iter().enumerate() {
            if evidence.get(i).is_none_or(|e| e.trim().is_empty()) {
                return Err(AppError::Invalid(format!("evidence_{}: Give your evidence for this requirement", i + 1)));
            }
        }
        let evidence: Vec<String> = evidence.iter().take(needed.len()).map(|e| e.trim().to_owned()).collect();
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.upsert_application(&ApplicationRecord {
            scheme_id: id,
            provider: principal.organisation.to_string(),
            evidence: serde_json::to_string(&evidence).map_err(anyhow::Error::new)?,
            applied_by: principal.name.clone(),
            applied_at: at,
            status: "pending".into(),
            reason: String::new(),
            decided_by: None,
            decided_at: None,
        })
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => AppError::Invalid("evidence_1: Your application has been decided".into()),
            other => other.into(),
        })?;
        tx.audit(
            &audit(
                &Actor::User(principal.clone()),
                id,
                "accreditation_application",
                serde_json::json!({ "provider": principal.organisation.to_string() }),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Accredits a provider that meets every requirement, or refuses it with the reason.
    pub async fn decide_accreditation(
        &self,
        principal: &Principal,
        id: i64,
        provider: &str,
        accredit: bool,
        reason: &str,
    ) -> Result<()> {
        authorize(Some(principal), &Action::ManageProcurement)?;
        self.store().scheme(id).await?;
        if !accredit && reason.trim().is_empty() {
            return Err(AppError::Invalid("reason: Say which requirement is not met, and why".into()));
        }
        let status = if accredit { "accredited" } else { "refused" };
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.decide_application(id, provider, status, reason.trim(), &principal.name, at).await.map_err(|e| match e {
            store::StoreError::NotFound => {
                AppError::Invalid("reason: There is no application waiting for a decision".into())
            }
            other => other.into(),
        })?;
        tx.audit(
            &audit(
                &Actor::User(principal.clone()),
                id,
                "accreditation_decision",
                serde_json::json!({ "provider": provider, "status": status, "reason": reason.trim() }),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
