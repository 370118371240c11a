//! Monitor: the escalation ladder of a contract (GC9). Either party serves a contract
//! performance notice; both record the steps that follow (the meeting, a joint investigation or
//! remedial action plan, a missed or met milestone); only the commissioner withholds. Every
//! step is one transaction with its audit entry; the ladder's rules and timers are
//! `commissioning::monitor::escalation`.

use chrono::NaiveDate;
use serde::Serialize;

use commissioning::access::{Action, Principal};
use commissioning::money::Decimal;
use commissioning::monitor::escalation::{Event, Party, Stage, Timers, overdue, timers};
use commissioning::org::OdsCode;
use commissioning::period::parse_date;
use store::audit::AuditEntry;
use store::notices::{MilestoneRecord, NoticeEventRecord, NoticeRecord};

use crate::{App, AppError, Result, authorize, now_millis};

/// The share withheld when none is given: 2% of the monthly value (historically) [K].
pub const DEFAULT_WITHHOLD_PERCENT: Decimal = Decimal::new(2, 0);

/// A step as a form gives it: the event's code, its date, notes, and the percentage withheld
/// when the step is a withholding.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct NoticeStep {
    #[serde(default)]
    pub event: String,
    #[serde(default)]
    pub on_date: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub withhold_percent: String,
}

/// A notice with where it stands and what is due.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoticeView {
    pub id: i64,
    pub contract_id: String,
    pub provider: OdsCode,
    pub served_by: Party,
    pub subject: String,
    pub owner: String,
    pub stage: Stage,
    pub served_on: NaiveDate,
    pub meeting_on: Option<NaiveDate>,
    pub withhold_percent: Option<Decimal>,
    pub timers: Timers,
    /// What is overdue today, if anything.
    pub overdue: Option<&'static str>,
    pub next_events: Vec<Event>,
    pub events: Vec<NoticeEventView>,
    /// The action plan's milestones, by due date.
    pub milestones: Vec<MilestoneView>,
}

/// A milestone of a notice's action plan; overdue when not met by its due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MilestoneView {
    pub id: i64,
    pub description: String,
    pub due_on: NaiveDate,
    pub owner: String,
    pub consequence: String,
    pub met_on: Option<NaiveDate>,
    pub overdue: bool,
}

/// A milestone as the form gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct NewMilestone {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub consequence: String,
}

impl NewMilestone {
    /// The form's errors by field, in the form's order.
    pub fn errors(&self) -> Vec<(String, String)> {
        let mut errors = Vec::new();
        if self.description.trim().is_empty() {
            errors.push(("description".into(), "Enter what is to be done".into()));
        }
        if parse_date(&self.due_on).is_err() {
            errors.push(("due_on".into(), "Enter the date it is due, like 2025-12-19".into()));
        }
        if self.owner.trim().is_empty() {
            errors.push(("milestone_owner".into(), "Enter who will do it".into()));
        }
        if self.consequence.trim().is_empty() {
            errors.push(("consequence".into(), "Enter the consequence of missing it".into()));
        }
        errors
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeEventView {
    pub event: String,
    pub on_date: String,
    pub notes: String,
    pub party: String,
    pub by_whom: String,
}

fn party_code(party: Party) -> &'static str {
    match party {
        Party::Commissioner => "commissioner",
        Party::Provider => "provider",
    }
}

impl App {
    /// Which side a person acts for on a contract's notices: the commissioner's contract and
    /// finance staff (and administrators), or the provider's own people. Anyone else who may
    /// see the contract is refused; anyone who may not gets "not found".
    pub async fn notice_party(&self, principal: &Principal, provider: &OdsCode) -> Result<Party> {
        authorize(Some(principal), &Action::ViewOwnedBy(provider.clone()))?;
        if principal.is_commissioner_side() {
            authorize(Some(principal), &Action::ManageMonitoringOf(provider.clone()))?;
            Ok(Party::Commissioner)
        } else {
            authorize(Some(principal), &Action::SubmitFor(provider.clone()))?;
            Ok(Party::Provider)
        }
    }

    /// Serves a contract performance notice.
    pub async fn serve_notice(
        &self,
        principal: &Principal,
        contract_id: &str,
        subject: &str,
        served_on: &str,
        owner: &str,
    ) -> Result<i64> {
        let contract = self.store().contract(contract_id).await?;
        let party = self.notice_party(principal, &contract.provider).await?;
        let subject = subject.trim();
        if subject.is_empty() {
            return Err(AppError::Invalid("Enter what the notice is about".into()));
        }
        let served = parse_date(served_on)
            .map_err(|_| AppError::Invalid("Enter the date the notice was served, like 2025-10-06".into()))?;
        let at = now_millis();
        let record = NoticeRecord {
            id: 0,
            contract_id: contract.id.clone(),
            served_by_party: party_code(party).into(),
            subject: subject.to_owned(),
            stage: Stage::NoticeServed.code().into(),
            served_on: served.to_string(),
            meeting_on: None,
            withhold_percent: None,
            owner: if owner.trim().is_empty() { principal.name.clone() } else { owner.trim().to_owned() },
            created_by: principal.name.clone(),
            created_at: at,
            updated_at: at,
        };
        let mut tx = self.store().begin().await?;
        let id = tx.insert_notice(&record).await?;
        tx.insert_notice_event(&NoticeEventRecord {
            notice_id: id,
            event: "serve_notice".into(),
            on_date: served.to_string(),
            notes: subject.to_owned(),
            party: party_code(party).into(),
            by_whom: principal.name.clone(),
            at,
        })
        .await?;
        tx.audit(&notice_audit(principal, id, "serve_notice", None, Stage::NoticeServed), at).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A contract's notices.
    pub async fn notices(&self, principal: &Principal, contract_id: &str, today: NaiveDate) -> Result<Vec<NoticeView>> {
        let contract = self.store().contract(contract_id).await?;
        authorize(Some(principal), &Action::ViewOwnedBy(contract.provider.clone()))?;
        let mut views = Vec::new();
        for record in self.store().notices(contract_id).await? {
            views.push(self.notice_view(record, &contract.provider, today).await?);
        }
        Ok(views)
    }

    /// One notice of a contract.
    pub async fn notice(
        &self,
        principal: &Principal,
        contract_id: &str,
        id: i64,
        today: NaiveDate,
    ) -> Result<NoticeView> {
        let contract = self.store().contract(contract_id).await?;
        authorize(Some(principal), &Action::ViewOwnedBy(contract.provider.clone()))?;
        let record = self.store().notice(id).await?;
        if record.contract_id != contract.id {
            return Err(AppError::NotFound);
        }
        self.notice_view(record, &contract.provider, today).await
    }

    /// Takes the next step on a notice. The date may not be before the notice was served;
    /// only the commissioner withholds (the percentage defaults to 2).
    pub async fn notice_event(
        &self,
        principal: &Principal,
        contract_id: &str,
        id: i64,
        step: &NoticeStep,
    ) -> Result<Stage> {
        let (event, on_date, notes, withhold_percent) =
            (step.event.as_str(), step.on_date.as_str(), step.notes.as_str(), step.withhold_percent.as_str());
        let contract = self.store().contract(contract_id).await?;
        let party = self.notice_party(principal, &contract.provider).await?;
        let record = self.store().notice(id).await?;
        if record.contract_id != contract.id {
            return Err(AppError::NotFound);
        }
        let event = Event::parse(event).ok_or_else(|| AppError::Invalid("Choose the step to record".into()))?;
        let from = Stage::parse(&record.stage).ok_or_else(|| AppError::Invalid(format!("stage '{}'", record.stage)))?;
        let to = from.apply(event).map_err(|error| AppError::Invalid(error.to_string()))?;
        let date =
            parse_date(on_date).map_err(|_| AppError::Invalid("Enter the date of the step, like 2025-10-20".into()))?;
        if date.to_string() < record.served_on {
            return Err(AppError::Invalid(format!(
                "The step cannot be before the notice was served ({})",
                record.served_on
            )));
        }
        let mut updated = record.clone();
        updated.stage = to.code().into();
        if event == Event::HoldMeeting {
            updated.meeting_on = Some(date.to_string());
        }
        if event == Event::Withhold {
            if party != Party::Commissioner {
                return Err(AppError::Forbidden);
            }
            let percent = if withhold_percent.trim().is_empty() {
                DEFAULT_WITHHOLD_PERCENT
            } else {
                Decimal::parse(withhold_percent)
                    .ok()
                    .filter(|p| p.is_percentage())
                    .ok_or_else(|| AppError::Invalid("Enter the percentage withheld, such as 2".into()))?
            };
            updated.withhold_percent = Some(percent.to_string());
        }
        let at = now_millis();
        updated.updated_at = at;
        let mut tx = self.store().begin().await?;
        tx.update_notice_stage(id, from.code(), &updated).await.map_err(|error| match error {
            store::StoreError::NotFound => {
                AppError::Invalid("Someone else has just moved this notice on; reload the page".into())
            }
            other => other.into(),
        })?;
        tx.insert_notice_event(&NoticeEventRecord {
            notice_id: id,
            event: event.code().into(),
            on_date: date.to_string(),
            notes: notes.trim().to_owned(),
            party: party_code(party).into(),
            by_whom: principal.name.clone(),
            at,
        })
        .await?;
        tx.audit(&notice_audit(principal, id, event.code(), Some(from), to), at).await?;
        tx.commit().await?;
        Ok(to)
    }

    /// Adds a milestone to a notice's agreed action plan (either party), in one transaction
    /// with its audit entry.
    pub async fn add_milestone(
        &self,
        principal: &Principal,
        contract_id: &str,
        notice_id: i64,
        milestone: &NewMilestone,
    ) -> Result<i64> {
        let (record, _) = self.notice_to_act_on(principal, contract_id, notice_id).await?;
        let stage =
            Stage::parse(&record.stage).ok_or_else(|| AppError::Invalid(format!("stage '{}'", record.stage)))?;
        if !stage.has_action_plan() {
            return Err(AppError::Invalid(format!(
                "Milestones are added once an action plan is agreed; this notice is at '{}'",
                stage.label()
            )));
        }
        if let Some((field, message)) = milestone.errors().into_iter().next() {
            return Err(AppError::Invalid(format!("{field}: {message}")));
        }
        let due_on = parse_date(&milestone.due_on).expect("checked");
        if due_on.to_string() < record.served_on {
            return Err(AppError::Invalid(format!(
                "due_on: The milestone cannot be due before the notice was served ({})",
                record.served_on
            )));
        }
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        let id = tx
            .insert_milestone(&MilestoneRecord {
                id: 0,
                notice_id,
                description: milestone.description.trim().to_owned(),
                due_on: due_on.to_string(),
                owner: milestone.owner.trim().to_owned(),
                consequence: milestone.consequence.trim().to_owned(),
                met_on: None,
                created_by: principal.name.clone(),
                created_at: at,
            })
            .await?;
        let after = serde_json::json!({
            "milestone": id, "description": milestone.description.trim(), "due_on": due_on.to_string(),
            "owner": milestone.owner.trim(), "consequence": milestone.consequence.trim(),
        });
        tx.audit(&milestone_audit(principal, notice_id, "add_milestone", after), at).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a milestone as met on a date (either party); a milestone is met once.
    pub async fn milestone_met(
        &self,
        principal: &Principal,
        contract_id: &str,
        notice_id: i64,
        milestone_id: i64,
        met_on: &str,
    ) -> Result<()> {
        let (record, _) = self.notice_to_act_on(principal, contract_id, notice_id).await?;
        let met = parse_date(met_on)
            .map_err(|_| AppError::Invalid("Enter the date the milestone was met, like 2025-12-19".into()))?;
        if met.to_string() < record.served_on {
            return Err(AppError::Invalid(format!(
                "The milestone cannot be met before the notice was served ({})",
                record.served_on
            )));
        }
        if !self.store().milestones(notice_id).await?.iter().any(|m| m.id == milestone_id) {
            return Err(AppError::NotFound);
        }
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.mark_milestone_met(notice_id, milestone_id, &met.to_string()).await.map_err(|error| match error {
            store::StoreError::NotFound => AppError::Invalid("That milestone is already recorded as met".into()),
            other => other.into(),
        })?;
        let after = serde_json::json!({ "milestone": milestone_id, "met_on": met.to_string() });
        tx.audit(&milestone_audit(principal, notice_id, "milestone_met", after), at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A notice of the contract that the person may act on, with their side.
    async fn notice_to_act_on(
        &self,
        principal: &Principal,
        contract_id: &str,
        notice_id: i64,
    ) -> Result<(NoticeRecord, Party)> {
        let contract = self.store().contract(contract_id).await?;
        let party = self.notice_party(principal, &contract.provider).await?;
        let record = self.store().notice(notice_id).await?;
        if record.contract_id != contract.id {
            return Err(AppError::NotFound);
        }
        Ok((record, party))
    }

    async fn notice_view(&self, record: NoticeRecord, provider: &OdsCode, today: NaiveDate) -> Result<NoticeView> {
        let corrupt = |what: &str| AppError::Invalid(format!("notice {}: {what}", record.id));
        let stage = Stage::parse(&record.stage).ok_or_else(|| corrupt("stage"))?;
        let served_on = parse_date(&record.served_on).map_err(|_| corrupt("served_on"))?;
        let meeting_on = record.meeting_on.as_deref().map(parse_date).transpose().map_err(|_| corrupt("meeting_on"))?;
        let timers = timers(self.calendar(), served_on, meeting_on);
        let mut milestones = Vec::new();
        for m in self.store().milestones(record.id).await? {
            let due_on = parse_date(&m.due_on).map_err(|_| corrupt("milestone due_on"))?;
            let met_on = m.met_on.as_deref().map(parse_date).transpose().map_err(|_| corrupt("milestone met_on"))?;
            milestones.push(MilestoneView {
                id: m.id,
                description: m.description,
                due_on,
                owner: m.owner,
                consequence: m.consequence,
                overdue: met_on.is_none() && today > due_on,
                met_on,
            });
        }
        let events = self
            .store()
            .notice_events(record.id)
            .await?
            .into_iter()
            .map(|e| NoticeEventView {
                event: e.event,
                on_date: e.on_date,
                notes: e.notes,
                party: e.party,
                by_whom: e.by_whom,
            })
            .collect();
        Ok(NoticeView {
            id: record.id,
            contract_id: record.contract_id,
            provider: provider.clone(),
            served_by: if record.served_by_party == "provider" { Party::Provider } else { Party::Commissioner },
            subject: record.subject,
            owner: record.owner,
            stage,
            served_on,
            meeting_on,
            withhold_percent: record
                .withhold_percent
                .as_deref()
                .map(Decimal::parse)
                .transpose()
                .map_err(|_| corrupt("percent"))?,
            overdue: overdue(stage, &timers, today)
                .or_else(|| milestones.iter().any(|m| m.overdue).then_some("a milestone of the action plan")),
            timers,
            next_events: stage.next_events(),
            events,
            milestones,
        })
    }
}

fn notice_audit(principal: &Principal, id: i64, action: &str, from: Option<Stage>, to: Stage) -> AuditEntry {
    AuditEntry {
        actor: format!("user:{}", principal.user_id),
        organisation: Some(principal.organisation.to_string()),
        action: action.into(),
        object_type: "contract_notice".into(),
        object_id: id.to_string(),
        before: from.map(|stage| serde_json::json!({ "stage": stage.code() })),
        after: Some(serde_json::json!({ "stage": to.code() })),
    }
}

fn milestone_audit(principal: &Principal, notice_id: i64, action: &str, after: serde_json::Value) -> AuditEntry {
    AuditEntry {
        actor: format!("user:{}", principal.user_id),
        organisation: Some(principal.organisation.to_string()),
        action: action.into(),
        object_type: "contract_notice".into(),
        object_id: notice_id.to_string(),
        before: None,
        after: Some(after),
    }
}
