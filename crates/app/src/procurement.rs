//! Procure: Provider Selection Regime route decisions — the answers given, the processes the
//! rules allow with their reasons (`commissioning::procure::psr::route`), the process chosen,
//! why, and who chose it, kept whole as the record regulation 24 asks for.

use serde::{Deserialize, Serialize};

use commissioning::access::{Action, Principal};
use commissioning::money::Money;
use commissioning::procure::psr::{self, CpvScope, Process, RouteAnswers, RouteDecision};
use store::audit::AuditEntry;
use store::procurement::DecisionRecord;

use crate::{Actor, App, AppError, Result, authorize, now_millis};

/// A route decision as a form or the API gives it. Values are in pounds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct RouteInput {
    #[serde(default)]
    pub title: String,
    /// The most relevant CPV code, such as 85121100.
    #[serde(default)]
    pub cpv: String,
    #[serde(default)]
    pub existing_provider: bool,
    #[serde(default)]
    pub only_existing_provider_capable: bool,
    #[serde(default)]
    pub unrestricted_patient_choice: bool,
    #[serde(default)]
    pub incumbent_satisfying: bool,
    /// The new arrangements are materially different in character from the existing contract.
    #[serde(default)]
    pub materially_different: bool,
    /// The change is attributable to a decision of the commissioner.
    #[serde(default)]
    pub authority_driven: bool,
    /// The existing contract's lifetime value when it was entered into.
    #[serde(default)]
    pub current_lifetime_value: String,
    /// The new contract's lifetime value.
    #[serde(default)]
    pub new_lifetime_value: String,
    /// The provider to be awarded the contract (its ODS code), when the process names one
    /// (a direct award or the most suitable provider); empty otherwise.
    #[serde(default)]
    pub provider: String,
    /// The decision concludes a framework agreement (only through the competitive process).
    #[serde(default)]
    pub framework: bool,
    /// The contract is called off from a framework agreement already concluded.
    #[serde(default)]
    pub call_off: bool,
    /// The award is made urgently under regulation 14.
    #[serde(default)]
    pub urgent: bool,
    /// The process chosen (its code); empty to see what is allowed first.
    #[serde(default)]
    pub chosen: String,
    #[serde(default)]
    pub rationale: String,
}

/// What the rules make of the answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutePreview {
    pub answers: RouteAnswers,
    pub decision: RouteDecision,
    pub cpv_scope: Option<CpvScope>,
}

/// A recorded decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionView {
    pub id: i64,
    pub input: RouteInput,
    pub allowed: Vec<Process>,
    pub reasons: Vec<String>,
    pub chosen: Process,
    pub decided_by: String,
    pub decided_at: i64,
}

fn money(field: &str, text: &str) -> std::result::Result<Option<Money>, (String, String)> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    Money::parse_pounds(text.trim())
        .map(Some)
        .map_err(|_| (field.to_owned(), format!("Enter the value in pounds, like 2500000.00 (not '{}')", text.trim())))
}

impl RouteInput {
    /// The answers for the rules, with the considerable change test worked out from the
    /// values when there is an existing provider; or the fields at fault.
    pub fn preview(&self) -> std::result::Result<RoutePreview, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let cpv_scope = match psr::cpv_scope(&self.cpv) {
            Ok(scope) => Some(scope),
            Err(message) if !self.cpv.trim().is_empty() => {
                errors.push(("cpv".to_owned(), message));
                None
            }
            Err(_) => None,
        };
        let current = money("current_lifetime_value", &self.current_lifetime_value).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let new = money("new_lifetime_value", &self.new_lifetime_value).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let value_limb = match (current, new) {
            (Some(current), Some(new)) => psr::considerable_change(false, self.authority_driven, current, new),
            (None, None) => false,
            _ if self.existing_provider && self.authority_driven => {
                let field = if current.is_none() { "current_lifetime_value" } else { "new_lifetime_value" };
                errors.push((
                    field.to_owned(),
                    "Give both lifetime values to test the considerable change threshold".into(),
                ));
                false
            }
            _ => false,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let answers = RouteAnswers {
            existing_provider: self.existing_provider,
            only_existing_provider_capable: self.only_existing_provider_capable,
            unrestricted_patient_choice: self.unrestricted_patient_choice,
            incumbent_satisfying: self.incumbent_satisfying,
            considerable_change: self.existing_provider && (self.materially_different || value_limb),
        };
        Ok(RoutePreview { decision: psr::route(&answers), answers, cpv_scope })
    }

    /// Everything a record needs, or the fields at fault, in the form's order.
    pub fn errors(&self) -> Vec<(String, String)> {
        let mut errors = Vec::new();
        if self.title.trim().is_empty() {
            errors.push(("title".to_owned(), "Enter what is being procured".to_owned()));
        }
        if self.cpv.trim().is_empty() {
            errors.push(("cpv".to_owned(), "Enter the most relevant CPV code, such as 85121100".to_owned()));
        }
        match self.preview() {
            Err(more) => errors.extend(more),
            Ok(preview) => match Process::parse(&self.chosen) {
                None => errors.push(("chosen".to_owned(), "Choose the process to use".to_owned())),
                Some(chosen) if !preview.decision.allowed.contains(&chosen) => errors.push((
                    "chosen".to_owned(),
                    format!("{} is not allowed here: {}", chosen.label(), preview.decision.reasons.join("; ")),
                )),
                Some(_) => {}
            },
        }
        if self.framework && Process::parse(&self.chosen).is_some_and(|p| p != Process::Competitive) {
            errors.push((
                "framework".to_owned(),
                "A framework agreement is concluded only through the competitive process".to_owned(),
            ));
        }
        if self.framework && self.call_off {
            errors.push((
                "call_off".to_owned(),
                "A decision either concludes a framework agreement or calls off from one, not both".to_owned(),
            ));
        }
        let names_incumbent =
            matches!(Process::parse(&self.chosen), Some(Process::DirectAwardA | Process::DirectAwardC));
        match self.provider.trim() {
            "" if names_incumbent => errors.push((
                "provider".to_owned(),
                "Enter the ODS code of the provider to be awarded the contract, such as R9A".to_owned(),
            )),
            "" => {}
            code if commissioning::org::OdsCode::parse(code).is_err() => {
                errors.push(("provider".to_owned(), format!("'{code}' is not an ODS code: enter one such as R9A")))
            }
            _ => {}
        }
        if self.rationale.trim().is_empty() {
            errors.push(("rationale".to_owned(), "Enter the reasons for the choice".to_owned()));
        }
        errors
    }
}

/// The answers a decision was made on, as recorded.
pub(crate) fn decision_input(record: &DecisionRecord) -> Result<RouteInput> {
    serde_json::from_str(&record.answers)
        .map_err(|_| AppError::Unexpected(anyhow::anyhow!("decision {}: answers", record.id)))
}

fn view(record: DecisionRecord) -> Result<DecisionView> {
    let corrupt = |what: &str| AppError::Unexpected(anyhow::anyhow!("decision {}: {what}", record.id));
    Ok(DecisionView {
        id: record.id,
        input: decision_input(&record)?,
        allowed: record
            .allowed
            .split(',')
            .map(|code| Process::parse(code).ok_or_else(|| corrupt("allowed")))
            .collect::<Result<_>>()?,
        reasons: record.reasons.lines().map(str::to_owned).collect(),
        chosen: Process::parse(&record.chosen).ok_or_else(|| corrupt("chosen"))?,
        decided_by: record.decided_by,
        decided_at: record.decided_at,
    })
}

impl App {
    /// What the rules allow for the answers (anyone in Procure on the commissioner's side;
    /// nothing is stored).
    pub fn preview_route(&self, principal: &Principal, input: &RouteInput) -> Result<RoutePreview> {
        authorize(Some(principal), &Action::ViewCommissionerDashboard)?;
        input.preview().map_err(|errors| {
            AppError::Invalid(
                errors.iter().map(|(field, message)| format!("{field}: {message}")).collect::<Vec<_>>().join("; "),
            )
        })
    }

    /// Records a route decision (the commissioner's contract staff and administrators), in
    /// one transaction with its audit entry.
    pub async fn record_route_decision(&self, principal: &Principal, input: &RouteInput) -> Result<i64> {
        self.record_route_decision_at(principal, input, now_millis()).await
    }

    /// [`App::record_route_decision`] as made at `at` (milliseconds), for the demo's history.
    pub(crate) async fn record_route_decision_at(
        &self,
        principal: &Principal,
        input: &RouteInput,
        at: i64,
    ) -> Result<i64> {
        authorize(Some(principal), &Action::ManageProcurement)?;
        if let Some((field, message)) = input.errors().into_iter().next() {
            return Err(AppError::Invalid(format!("{field}: {message}")));
        }
        let preview = input.preview().map_err(|_| AppError::Invalid("checked".into()))?;
        let actor = Actor::User(principal.clone());
        let record = DecisionRecord {
            id: 0,
            title: input.title.trim().to_owned(),
            cpv: input.cpv.trim().to_owned(),
            answers: serde_json::to_string(input).map_err(anyhow::Error::new)?,
            allowed: preview.decision.allowed.iter().map(|p| p.code()).collect::<Vec<_>>().join(","),
            reasons: preview.decision.reasons.join("\n"),
            chosen: input.chosen.trim().to_owned(),
            rationale: input.rationale.trim().to_owned(),
            decided_by: principal.name.clone(),
            decided_at: at,
            buyer: principal.organisation.to_string(),
        };
        let mut tx = self.store().begin().await?;
        let id = tx.insert_decision(&record).await?;
        tx.audit(
            &AuditEntry {
                actor: actor.audit_name(),
                organisation: actor.organisation(),
                action: "route_decision".into(),
                object_type: "procurement_decision".into(),
                object_id: id.to_string(),
                before: None,
                after: Some(
                    serde_json::json!({ "title": record.title, "allowed": record.allowed, "chosen": record.chosen }),
                ),
            },
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every route decision, newest first (the commissioner's side).
    pub async fn route_decisions(&self, principal: &Principal) -> Result<Vec<DecisionView>> {
        authorize(Some(principal), &Action::ViewCommissionerDashboard)?;
        self.store().decisions().await?.into_iter().map(view).collect()
    }

    pub async fn route_decision(&self, principal: &Principal, id: i64) -> Result<DecisionView> {
        authorize(Some(principal), &Action::ViewCommissionerDashboard)?;
        view(self.store().decision(id).await?)
    }
}
