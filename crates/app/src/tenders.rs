//! Procure: tenders — created with their weighted criteria and price weight published before
//! bids open, moved along the lifecycle (`commissioning::procure::tender`), and bids, which
//! providers submit and replace until the deadline and which nobody else opens before it:
//! not the commissioner's staff, not administrators, not the command line.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use commissioning::access::{Action, BidAccess, Decision, Principal, Stage, decide};
use commissioning::money::{Decimal, Money};
use commissioning::procure::psr::Process;
use commissioning::procure::scoring::{PriceFormula, SCALE_MAX};
use commissioning::procure::tender::{TenderEvent, TenderStage, bids_unsealed};
use store::audit::AuditEntry;
use store::procurement::{BidRecord, CriterionRecord, TenderRecord};

use crate::{Actor, App, AppError, Result, authorize, now_millis};

/// Lifecycle steps taken only by `issue_intention` and `award_tender`, which check the
/// evaluation and the standstill.
const AWARD_EVENTS: [TenderEvent; 3] =
    [TenderEvent::IssueIntentionToAward, TenderEvent::StartStandstill, TenderEvent::Award];

/// The deadline's format (UTC).
pub const DEADLINE_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// Now, in UTC to the minute, as deadlines are compared.
pub fn now_utc() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// A form's errors: (field, message) in the form's order.
pub type FormErrors = Vec<(String, String)>;

/// A tender as the form gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct NewTender {
    #[serde(default)]
    pub title: String,
    /// The provider selection process's code (competitive, most suitable provider, …).
    #[serde(default)]
    pub process: String,
    /// UTC, `YYYY-MM-DDTHH:MM`.
    #[serde(default)]
    pub deadline: String,
    /// Points out of 100 for price.
    #[serde(default)]
    pub price_weight: String,
    #[serde(default)]
    pub price_formula: String,
    /// One criterion per line: `name | weight | minimum score` (minimum 0 to 5, optional).
    #[serde(default)]
    pub criteria: String,
    /// The number of the specification it buys (optional).
    #[serde(default)]
    pub specification: String,
    /// Documents every bid must attach, one per line (optional).
    #[serde(default)]
    pub required_documents: String,
    /// Pass/fail questions every bid must answer yes to, one per line (optional).
    #[serde(default)]
    pub pass_fail: String,
    /// The lots, one name per line (optional): each becomes a tender of its own, bid for,
    /// evaluated and awarded separately.
    #[serde(default)]
    pub lots: String,
}

/// The award as its form gives it: the contract's term, and the reason for going ahead when
/// the consultation gate of a substantial service change is not yet passed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AwardInput {
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub override_reason: String,
}

impl NewTender {
    /// The criteria as records, or the form's errors by field in its order.
    pub fn check(&self, now: NaiveDateTime) -> std::result::Result<(Vec<CriterionRecord>, NaiveDateTime), FormErrors> {
        let mut errors = Vec::new();
        let mut push = |field: &str, message: String| errors.push((field.to_owned(), message));
        if self.title.trim().is_empty() {
            push("title", "Enter what is being procured".into());
        }
        if !matches!(Process::parse(&self.process), Some(Process::Competitive | Process::MostSuitableProvider)) {
            push("process", "Choose the competitive or most suitable provider process".into());
        }
        let deadline = NaiveDateTime::parse_from_str(self.deadline.trim(), DEADLINE_FORMAT).ok();
        match deadline {
            None => push("deadline", "Enter the deadline as YYYY-MM-DDTHH:MM (UTC), such as 2026-02-02T12:00".into()),
            Some(deadline) if deadline <= now => push("deadline", "The deadline must be in the future".into()),
            Some(_) => {}
        }
        let price_weight =
            Decimal::parse(self.price_weight.trim()).ok().filter(|w| w.to_f64() >= 0.0 && w.to_f64() <= 100.0);
        if price_weight.is_none() {
            push("price_weight", "Enter the points for price, from 0 to 100".into());
        }
        if PriceFormula::parse(&self.price_formula).is_none() {
            push("price_formula", "Choose how price is scored".into());
        }
        let mut criteria = Vec::new();
        let mut bad_line = None;
        for (i, line) in self.criteria.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let weight = parts.get(1).and_then(|w| Decimal::parse(w).ok()).filter(|w| w.to_f64() > 0.0);
            let minimum = match parts.get(2) {
                None | Some(&"") => Some(0),
                Some(m) => m.parse::<i64>().ok().filter(|m| (0..=i64::from(SCALE_MAX)).contains(m)),
            };
            match (parts.first().filter(|n| !n.is_empty()), weight, minimum, parts.len() <= 3) {
                (Some(name), Some(weight), Some(minimum), true) => criteria.push(CriterionRecord {
                    position: i as i64 + 1,
                    name: (*name).to_owned(),
                    weight: weight.to_string(),
                    minimum,
                }),
                _ => {
                    bad_line.get_or_insert(format!(
                        "Line {} should be 'name | weight | minimum score', such as 'Quality and innovation | 30 | 2'",
                        i + 1
                    ));
                }
            }
        }
        if let Some(message) = bad_line {
            push("criteria", message);
        } else if criteria.is_empty() {
            push("criteria", "Enter at least one quality criterion".into());
        } else if let Some(price) = price_weight {
            let total: f64 =
                criteria.iter().map(|c| c.weight.parse::<f64>().unwrap_or(0.0)).sum::<f64>() + price.to_f64();
            if (total - 100.0).abs() > 1e-9 {
                push(
                    "criteria",
                    format!("The criteria and price weigh {total} points together; they must come to 100"),
                );
            }
        }
        match (errors.is_empty(), deadline) {
            (true, Some(deadline)) => Ok((criteria, deadline)),
            _ => Err(errors),
        }
    }
}

/// A tender as people see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenderView {
    pub id: i64,
    pub title: String,
    pub process: Process,
    pub stage: TenderStage,
    pub deadline: NaiveDateTime,
    pub price_weight: String,
    pub price_formula: PriceFormula,
    pub criteria: Vec<(String, String, i64)>,
    pub bids_received: i64,
    /// The deadline has passed and the tender has closed.
    pub unsealed: bool,
    /// The lifecycle steps open to someone who manages procurement.
    pub next_events: Vec<TenderEvent>,
    /// The specification it buys.
    pub specification: Option<i64>,
    /// For a lot: its number and the tenders of every lot, (id, title) in lot order.
    pub lot: Option<(i64, Vec<(i64, String)>)>,
}

/// A bid as people see it (its price in pence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BidView {
    pub bidder: String,
    pub price: Money,
    pub response: String,
    pub submitted_by: String,
    pub submitted_at: i64,
}

fn bid_view(bid: BidRecord) -> BidView {
    BidView {
        bidder: bid.bidder,
        price: Money::from_pence(bid.price_pence),
        response: bid.response,
        submitted_by: bid.submitted_by,
        submitted_at: bid.submitted_at,
    }
}

/// A conditional stage update that found the tender already moved on.
fn moved_on(error: store::StoreError) -> AppError {
    match error {
        store::StoreError::NotFound => {
            AppError::Invalid("Someone else has just moved this tender on; reload the page".into())
        }
        other => other.into(),
    }
}

/// An audit entry of a change to a tender.
pub(crate) fn audit(actor: &Actor, tender: i64, action: &str, after: serde_json::Value) -> AuditEntry {
    crate::audit_entry(actor, "tender", tender, action, after)
}

impl App {
    async fn tender_view(&self, record: TenderRecord, now: NaiveDateTime) -> Result<TenderView> {
        let corrupt = |what: &str| AppError::Unexpected(anyhow::anyhow!("tender {}: {what}", record.id));
        let stage = TenderStage::parse(&record.stage).ok_or_else(|| corrupt("stage"))?;
        let deadline =
            NaiveDateTime::parse_from_str(&record.deadline, DEADLINE_FORMAT).map_err(|_| corrupt("deadline"))?;
        let next_events = TenderEvent::ALL
            .into_iter()
            .filter(|e| stage.apply(*e).is_ok())
            .filter(|e| *e != TenderEvent::Close || now >= deadline)
            .filter(|e| !AWARD_EVENTS.contains(e))
            .collect();
        Ok(TenderView {
            criteria: self
                .store()
                .tender_criteria(record.id)
                .await?
                .into_iter()
                .map(|c| (c.name, c.weight, c.minimum))
                .collect(),
            bids_received: self.store().bid_count(record.id).await?,
            specification: record.specification,
            lot: match record.lot {
                None => None,
                Some((of, number)) => Some((number, self.store().lots(of).await?)),
            },
            unsealed: bids_unsealed(stage, deadline, now),
            id: record.id,
            title: record.title,
            process: Process::parse(&record.process).ok_or_else(|| corrupt("process"))?,
            stage,
            deadline,
            price_weight: record.price_weight,
            price_formula: PriceFormula::parse(&record.price_formula).ok_or_else(|| corrupt("formula"))?,
            next_events,
        })
    }

    /// Creates a tender in draft with its criteria (the commissioner's contract staff).
    pub async fn create_tender(&self, principal: &Principal, input: &NewTender, now: NaiveDateTime) -> Result<i64> {
        authorize(Some(principal), &Action::ManageProcurement)?;
        let (criteria, deadline) = input.check(now).map_err(|errors| {
            AppError::Invalid(errors.into_iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))
        })?;
        let specification = match input.specification.trim() {
            "" => None,
            text => {
                let id = text
                    .parse::<i64>()
                    .map_err(|_| AppError::Invalid("specification: Choose a specification".into()))?;
                match self.store().specification(id).await {
                    Ok(_) => Some(id),
                    Err(store::StoreError::NotFound) => {
                        return Err(AppError::Invalid(format!("specification: There is no specification {id}")));
                    }
                    Err(other) => return Err(other.into()),
                }
            }
        };
        let actor = Actor::User(principal.clone());
        let at = now_millis();
        let record = TenderRecord {
            id: 0,
            title: input.title.trim().to_owned(),
            process: input.process.trim().to_owned(),
            stage: TenderStage::Draft.code().to_owned(),
            deadline: deadline.format(DEADLINE_FORMAT).to_string(),
            price_weight: input.price_weight.trim().to_owned(),
            price_formula: input.price_formula.trim().to_owned(),
            created_by: principal.name.clone(),
            created_at: at,
            updated_at: at,
            buyer: principal.organisation.to_string(),
            published_at: None,
            awarded_on: None,
            lot: None,
            specification,
        };
        let lots = crate::tender_questions::requirement_lines(&input.lots);
        let mut tx = self.store().begin().await?;
        let requirements: Vec<(&str, String)> = crate::tender_questions::requirement_lines(&input.required_documents)
            .into_iter()
            .map(|d| (store::tender_questions::DOCUMENT, d))
            .chain(
                crate::tender_questions::requirement_lines(&input.pass_fail)
                    .into_iter()
                    .map(|q| (store::tender_questions::PASS_FAIL, q)),
            )
            .collect();
        // One tender, or one per lot sharing everything but the title; the first is returned.
        let titles: Vec<String> = if lots.is_empty() {
            vec![record.title.clone()]
        } else {
            lots.iter().enumerate().map(|(i, lot)| format!("{}: lot {} {lot}", record.title, i + 1)).collect()
        };
        let mut first = None;
        for (i, title) in titles.into_iter().enumerate() {
            let id = tx.insert_tender(&TenderRecord { title: title.clone(), ..record.clone() }, &criteria).await?;
            let first_id = *first.get_or_insert(id);
            if !lots.is_empty() {
                tx.set_tender_lot(id, first_id, i as i64 + 1).await?;
            }
            tx.insert_requirements(id, &requirements).await?;
            tx.audit(
                &audit(&actor, id, "create_tender", serde_json::json!({ "title": title, "deadline": record.deadline })),
                at,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(first.expect("at least one tender"))
    }

    /// The tenders a person may see: all for the commissioner's side; published ones for
    /// providers (drafts are the commissioner's).
    pub async fn tenders(&self, principal: &Principal, now: NaiveDateTime) -> Result<Vec<TenderView>> {
        authorize(Some(principal), &Action::ViewStage(Stage::Procure))?;
        let mut views = Vec::new();
        for record in self.store().tenders().await? {
            let view = self.tender_view(record, now).await?;
            if principal.is_commissioner_side() || view.stage != TenderStage::Draft {
                views.push(view);
            }
        }
        Ok(views)
    }

    pub async fn tender(&self, principal: &Principal, id: i64, now: NaiveDateTime) -> Result<TenderView> {
        authorize(Some(principal), &Action::ViewStage(Stage::Procure))?;
        let view = self.tender_view(self.store().tender(id).await?, now).await?;
        if !principal.is_commissioner_side() && view.stage == TenderStage::Draft {
            return Err(AppError::NotFound);
        }
        Ok(view)
    }

    /// Moves a tender along its lifecycle; it closes only once the deadline has passed.
    pub async fn tender_step(
        &self,
        principal: &Principal,
        id: i64,
        event: &str,
        now: NaiveDateTime,
    ) -> Result<TenderStage> {
        authorize(Some(principal), &Action::ManageProcurement)?;
        let view = self.tender(principal, id, now).await?;
        let event = TenderEvent::parse(event).ok_or_else(|| AppError::Invalid("Choose the step to take".into()))?;
        if AWARD_EVENTS.contains(&event) {
            return Err(AppError::Invalid(
                "The intention to award, the standstill and the award are taken with their own steps, which check the evaluation and the standstill".into(),
            ));
        }
        let to = view.stage.apply(event).map_err(AppError::Invalid)?;
        if event == TenderEvent::Close && now < view.deadline {
            return Err(AppError::Invalid(format!(
                "The tender cannot close before its deadline ({} UTC)",
                view.deadline.format(DEADLINE_FORMAT)
            )));
        }
        let actor = Actor::User(principal.clone());
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.update_tender_stage(id, view.stage.code(), to.code(), at).await.map_err(moved_on)?;
        if event == TenderEvent::Publish {
            tx.set_tender_published(id, now.and_utc().timestamp_millis()).await?;
        }
        tx.audit(
            &audit(&actor, id, event.code(), serde_json::json!({ "from": view.stage.code(), "to": to.code() })),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(to)
    }

    /// A provider submits (or replaces) its bid before the deadline, with a price and a
    /// response to every criterion; in one transaction with its audit entry (which records
    /// that a bid came, not what it says).
    pub async fn submit_bid(
        &self,
        principal: &Principal,
        id: i64,
        price: &str,
        response: &str,
        now: NaiveDateTime,
    ) -> Result<()> {
        authorize(Some(principal), &Action::BidFor(principal.organisation.clone()))?;
        let view = self.tender(principal, id, now).await?;
        if !view.stage.takes_bids() || now >= view.deadline {
            return Err(AppError::Invalid(format!(
                "Bids closed at the deadline ({} UTC)",
                view.deadline.format(DEADLINE_FORMAT)
            )));
        }
        let price = Money::parse_pounds(price.trim())
            .ok()
            .filter(|p| p.pence() > 0)
            .ok_or_else(|| AppError::Invalid("price: Enter the price in pounds, such as 1250000.00".into()))?;
        if response.trim().is_empty() {
            return Err(AppError::Invalid("response: Enter your response to the criteria".into()));
        }
        let actor = Actor::User(principal.clone());
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.upsert_bid(&BidRecord {
            tender_id: id,
            bidder: principal.organisation.to_string(),
            price_pence: price.pence(),
            response: response.trim().to_owned(),
            submitted_by: principal.name.clone(),
            submitted_at: at,
        })
        .await?;
        tx.audit(
            &audit(&actor, id, "submit_bid", serde_json::json!({ "bidder": principal.organisation.to_string() })),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The bids a person may read: a provider its own, at any time; the commissioner's side
    /// every bid once the deadline has passed and the tender has closed (those who only
    /// evaluate once they have declared their interests with any conflict managed); before
    /// that, nobody — administrators included.
    pub async fn bids(&self, principal: &Principal, id: i64, now: NaiveDateTime) -> Result<Vec<BidView>> {
        let view = self.tender(principal, id, now).await?;
        if !principal.is_commissioner_side() {
            let own = principal.organisation.to_string();
            let access = Action::ReadBid(BidAccess {
                bidder: principal.organisation.clone(),
                deadline_passed: view.unsealed,
                reader_conflict_cleared: false,
            });
            authorize(Some(principal), &access)?;
            return Ok(self.store().bids(id, Some(&own)).await?.into_iter().map(bid_view).collect());
        }
        let records = self.store().bids(id, None).await?;
        let cleared = self.conflict_cleared(principal, id).await?;
        for bid in &records {
            let bidder = commissioning::org::OdsCode::parse(&bid.bidder)
                .map_err(|_| AppError::Unexpected(anyhow::anyhow!("bidder '{}'", bid.bidder)))?;
            let access =
                Action::ReadBid(BidAccess { bidder, deadline_passed: view.unsealed, reader_conflict_cleared: cleared });
            match decide(Some(principal), &access) {
                Decision::Allow => {}
                Decision::NotFound if !view.unsealed => return Err(AppError::Sealed(view.deadline)),
                _ => return Err(AppError::Forbidden),
            }
        }
        if !view.unsealed {
            return Err(AppError::Sealed(view.deadline));
        }
        Ok(records.into_iter().map(bid_view).collect())
    }

    /// Bids for the command line, under the same seal: refused before the deadline and the
    /// close, whoever runs it.
    pub async fn bids_for_export(&self, id: i64, now: NaiveDateTime) -> Result<Vec<BidView>> {
        let record = self.store().tender(id).await?;
        let view = self.tender_view(record, now).await?;
        if !view.unsealed {
            return Err(AppError::Sealed(view.deadline));
        }
        Ok(self.store().bids(id, None).await?.into_iter().map(bid_view).collect())
    }
}

/// An evaluator's declaration as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclarationView {
    pub user_id: i64,
    pub name: String,
    pub has_conflict: bool,
    pub details: String,
    pub management: String,
    /// May see and score bids: no conflict, or a declared one with how it is managed.
    pub cleared: bool,
}

/// One criterion's score as an evaluator (or the moderation) gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreView {
    pub position: i64,
    pub by: String,
    pub user_id: i64,
    pub score: i64,
    pub comment: String,
}

/// A bid in evaluation: its individual scores (all of them from moderation on; only the
/// reader's own before) and its moderated scores with reasons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BidEvaluation {
    pub bidder: String,
    pub price: Money,
    /// Answered yes to every pass/fail question and attached every required document.
    pub passed: bool,
    pub individual: Vec<ScoreView>,
    pub moderated: Vec<ScoreView>,
}

/// A tender's evaluation as the reader may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenderEvaluation {
    pub declarations: Vec<DeclarationView>,
    /// The reader's own declaration, if made.
    pub own: Option<DeclarationView>,
    pub bids: Vec<BidEvaluation>,
    /// Who has scored every bid on every criterion.
    pub scored_by: Vec<String>,
    /// Scores, exclusions and ranks from the moderated scores, once every bid has one on
    /// every criterion.
    pub results: Option<Vec<commissioning::procure::scoring::BidResult>>,
}

/// One criterion's score as a form gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CriterionInput {
    pub position: i64,
    pub score: String,
    pub comment: String,
}

fn declaration_view(d: store::procurement::DeclarationRecord) -> DeclarationView {
    DeclarationView {
        cleared: !d.has_conflict || !d.management.trim().is_empty(),
        user_id: d.user_id,
        name: d.name,
        has_conflict: d.has_conflict,
        details: d.details,
        management: d.management,
    }
}

fn score_view(s: store::procurement::ScoreRecord) -> ScoreView {
    ScoreView { position: s.position, by: s.name, user_id: s.user_id, score: s.score, comment: s.comment }
}

impl App {
    /// Whether the person has declared their interests for the tender and may see its bids.
    async fn conflict_cleared(&self, principal: &Principal, id: i64) -> Result<bool> {
        Ok(self
            .store()
            .declarations(id)
            .await?
            .into_iter()
            .find(|d| d.user_id == principal.user_id)
            .map(declaration_view)
            .is_some_and(|d| d.cleared))
    }

    /// The commissioner's staff declare their interests in a tender before they see its bids;
    /// a declared conflict must say how it is managed (or the person takes no part).
    pub async fn declare_interests(
        &self,
        principal: &Principal,
        id: i64,
        has_conflict: bool,
        details: &str,
        management: &str,
        now: NaiveDateTime,
    ) -> Result<()> {
        authorize(Some(principal), &Action::ViewCommissionerDashboard)?;
        self.tender(principal, id, now).await?;
        if has_conflict && details.trim().is_empty() {
            return Err(AppError::Invalid("details: Describe the interest declared".into()));
        }
        let actor = Actor::User(principal.clone());
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.upsert_declaration(&store::procurement::DeclarationRecord {
            tender_id: id,
            user_id: principal.user_id,
            name: principal.name.clone(),
            has_conflict,
            details: details.trim().to_owned(),
            management: if has_conflict { management.trim().to_owned() } else { String::new() },
            declared_at: at,
        })
        .await?;
        tx.audit(
            &audit(&actor, id, "declare_interests", serde_json::json!({ "has_conflict": has_conflict, "details": details.trim(), "management": management.trim() })),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An evaluator's independent scores of one bid, 0–5 with a comment on every criterion,
    /// while the tender is in evaluation; scoring again replaces the evaluator's own.
    pub async fn score_bid(
        &self,
        principal: &Principal,
        id: i64,
        bidder: &str,
        scores: &[CriterionInput],
        now: NaiveDateTime,
    ) -> Result<()> {
        authorize(Some(principal), &Action::EvaluateBids)?;
        let view = self.tender(principal, id, now).await?;
        if view.stage != TenderStage::Evaluation {
            return Err(AppError::Invalid("Bids are scored while the tender is in evaluation".into()));
        }
        if !self.conflict_cleared(principal, id).await? {
            return Err(AppError::Forbidden);
        }
        let records = self.checked_scores(principal, &view, bidder, scores, "comment").await?;
        let actor = Actor::User(principal.clone());
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.upsert_scores(&records.into_iter().map(|r| store::procurement::ScoreRecord { at, ..r }).collect::<Vec<_>>())
            .await?;
        tx.audit(&audit(&actor, id, "score_bid", serde_json::json!({ "bidder": bidder })), at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The moderated consensus for one bid, with a reason for each criterion, while the
    /// tender is in moderation; the individual scores are kept.
    pub async fn moderate_bid(
        &self,
        principal: &Principal,
        id: i64,
        bidder: &str,
        scores: &[CriterionInput],
        now: NaiveDateTime,
    ) -> Result<()> {
        authorize(Some(principal), &Action::ManageProcurement)?;
        let view = self.tender(principal, id, now).await?;
        if view.stage != TenderStage::Moderation {
            return Err(AppError::Invalid("Consensus scores are agreed while the tender is in moderation".into()));
        }
        let records = self.checked_scores(principal, &view, bidder, scores, "reason").await?;
        let actor = Actor::User(principal.clone());
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.upsert_moderated(
            &records.into_iter().map(|r| store::procurement::ScoreRecord { at, ..r }).collect::<Vec<_>>(),
        )
        .await?;
        tx.audit(&audit(&actor, id, "moderate_bid", serde_json::json!({ "bidder": bidder })), at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn checked_scores(
        &self,
        principal: &Principal,
        view: &TenderView,
        bidder: &str,
        scores: &[CriterionInput],
        comment_field: &str,
    ) -> Result<Vec<store::procurement::ScoreRecord>> {
        if self.store().bids(view.id, Some(bidder)).await?.is_empty() {
            return Err(AppError::Invalid(format!("{bidder} has not bid for this tender")));
        }
        let mut records = Vec::new();
        for position in 1..=view.criteria.len() as i64 {
            let given = scores.iter().find(|s| s.position == position);
            let score = given
                .and_then(|s| s.score.trim().parse::<i64>().ok())
                .filter(|s| (0..=i64::from(SCALE_MAX)).contains(s))
                .ok_or_else(|| AppError::Invalid(format!("score_{position}: Choose a score from 0 to 5")))?;
            let comment = given.map(|s| s.comment.trim().to_owned()).unwrap_or_default();
            if comment.is_empty() {
                return Err(AppError::Invalid(format!(
                    "{comment_field}_{position}: Enter the {comment_field} for this score"
                )));
            }
            records.push(store::procurement::ScoreRecord {
                tender_id: view.id,
                bidder: bidder.to_owned(),
                position,
                user_id: principal.user_id,
                name: principal.name.clone(),
                score,
                comment,
                at: 0,
            });
        }
        Ok(records)
    }

    /// The evaluation as the reader may see it (the commissioner's side). Before moderation
    /// an evaluator sees only their own scores, so scoring stays independent; from moderation
    /// on, everyone's are shown beside the consensus. The results and ranks follow from the
    /// moderated scores, the published price weight and formula, once complete.
    pub async fn tender_evaluation(
        &self,
        principal: &Principal,
        id: i64,
        now: NaiveDateTime,
    ) -> Result<TenderEvaluation> {
        authorize(Some(principal), &Action::ViewCommissionerDashboard)?;
        let view = self.tender(principal, id, now).await?;
        let declarations: Vec<DeclarationView> =
            self.store().declarations(id).await?.into_iter().map(declaration_view).collect();
        let own = declarations.iter().find(|d| d.user_id == principal.user_id).cloned();
        let mut evaluation =
            TenderEvaluation { declarations, own, bids: Vec::new(), scored_by: Vec::new(), results: None };
        // Stages are ordered along the lifecycle (cancelled last, and out of it).
        if view.stage < TenderStage::Evaluation || view.stage == TenderStage::Cancelled {
            return Ok(evaluation);
        }
        let bids = match self.bids(principal, id, now).await {
            Ok(bids) => bids,
            Err(AppError::Forbidden) => return Ok(evaluation),
            Err(other) => return Err(other),
        };
        let all_visible = view.stage != TenderStage::Evaluation;
        let scores = self.store().scores(id).await?;
        let moderated = self.store().moderated(id).await?;
        let n_criteria = view.criteria.len();
        let mut by: std::collections::BTreeMap<(i64, String), usize> = std::collections::BTreeMap::new();
        for s in &scores {
            *by.entry((s.user_id, s.name.clone())).or_default() += 1;
        }
        evaluation.scored_by =
            by.into_iter().filter(|(_, n)| *n == n_criteria * bids.len()).map(|((_, name), _)| name).collect();
        for bid in &bids {
            let completeness = self.completeness_of(id, &bid.bidder).await?;
            let passed = completeness.complete() && completeness.questions.iter().all(|(_, a)| *a == Some(true));
            evaluation.bids.push(BidEvaluation {
                bidder: bid.bidder.clone(),
                price: bid.price,
                passed,
                individual: scores
                    .iter()
                    .filter(|s| s.bidder == bid.bidder && (all_visible || s.user_id == principal.user_id))
                    .cloned()
                    .map(score_view)
                    .collect(),
                moderated: moderated.iter().filter(|s| s.bidder == bid.bidder).cloned().map(score_view).collect(),
            });
        }
        let complete = !bids.is_empty() && evaluation.bids.iter().all(|b| b.moderated.len() == n_criteria);
        if complete {
            use commissioning::procure::scoring::{CriterionScore, ScoredBid, evaluate};
            let scored: Vec<ScoredBid> = evaluation
                .bids
                .iter()
                .map(|b| ScoredBid {
                    bidder: b.bidder.clone(),
                    price: b.price,
                    passed: b.passed,
                    quality: view
                        .criteria
                        .iter()
                        .enumerate()
                        .map(|(i, (_, weight, minimum))| CriterionScore {
                            weight: weight.parse().unwrap_or(0.0),
                            score: b
                                .moderated
                                .iter()
                                .find(|m| m.position == i as i64 + 1)
                                .map(|m| m.score as u8)
                                .unwrap_or(0),
                            minimum: *minimum as u8,
                        })
                        .collect(),
                })
                .collect();
            let weight: f64 = view.price_weight.parse().unwrap_or(0.0);
            evaluation.results = Some(evaluate(&scored, view.price_formula, weight).map_err(AppError::Invalid)?);
        }
        Ok(evaluation)
    }
}

/// Where a tender's award stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwardView {
    pub intended_provider: Option<String>,
    pub standstill: Option<commissioning::procure::psr::Standstill>,
    /// (provider, received on, summary).
    pub representations: Vec<(String, String, String)>,
    pub review_decision: Option<NaiveDate>,
    pub contract_id: Option<String>,
}

fn date(field: &str, text: &str) -> Result<NaiveDate> {
    commissioning::period::parse_date(text)
        .map_err(|_| AppError::Invalid(format!("{field}: Enter the date as YYYY-MM-DD, like 2026-03-02")))
}

impl App {
    /// Where the award stands: the standstill worked out from the notice, the
    /// representations and the review decision (the commissioner's side).
    pub async fn tender_award(&self, principal: &Principal, id: i64) -> Result<AwardView> {
        authorize(Some(principal), &Action::ViewCommissionerDashboard)?;
        self.award_view(id).await
    }

    /// Where the award stands, for those already authorised.
    pub(crate) async fn award_view(&self, id: i64) -> Result<AwardView> {
        let award = self.store().award(id).await?;
        let corrupt = |what: &str| AppError::Unexpected(anyhow::anyhow!("tender {id}: {what}"));
        let published = award
            .intention_published
            .as_deref()
            .map(commissioning::period::parse_date)
            .transpose()
            .map_err(|_| corrupt("published"))?;
        let review_decision = award
            .review_decision
            .as_deref()
            .map(commissioning::period::parse_date)
            .transpose()
            .map_err(|_| corrupt("review"))?;
        let received: Vec<NaiveDate> = award
            .representations
            .iter()
            .map(|(_, on, _)| commissioning::period::parse_date(on).map_err(|_| corrupt("representation")))
            .collect::<Result<_>>()?;
        Ok(AwardView {
            intended_provider: award.intended_provider,
            standstill: published
                .map(|p| commissioning::procure::psr::standstill(self.calendar(), p, &received, review_decision)),
            representations: award.representations,
            review_decision,
            contract_id: award.contract_id,
        })
    }

    /// Publishes the intention to award to the bid ranked first by moderation, which starts
    /// the standstill (the day after `published_on` is its first working day).
    pub async fn issue_intention(
        &self,
        principal: &Principal,
        id: i64,
        published_on: &str,
        now: NaiveDateTime,
    ) -> Result<String> {
        authorize(Some(principal), &Action::ManageProcurement)?;
        let view = self.tender(principal, id, now).await?;
        if view.stage != TenderStage::Moderation {
            return Err(AppError::Invalid("The intention to award follows moderation".into()));
        }
        let published = date("published_on", published_on)?;
        let evaluation = self.tender_evaluation(principal, id, now).await?;
        let Some(results) = evaluation.results else {
            return Err(AppError::Invalid("Agree a consensus score for every bid on every criterion first".into()));
        };
        let first: Vec<_> = results.iter().filter(|r| r.rank == Some(1)).collect();
        let winner = match first.as_slice() {
            [one] => one.bidder.clone(),
            [] => return Err(AppError::Invalid("No bid is eligible for award".into())),
            _ => {
                return Err(AppError::Invalid(
                    "Bids tie for first place: resolve the tie before the intention to award".into(),
                ));
            }
        };
        let to = view
            .stage
            .apply(TenderEvent::IssueIntentionToAward)
            .and_then(|s| s.apply(TenderEvent::StartStandstill))
            .map_err(AppError::Invalid)?;
        let actor = Actor::User(principal.clone());
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.record_intention(id, view.stage.code(), to.code(), &winner, &published.to_string(), at)
            .await
            .map_err(moved_on)?;
        tx.audit(
            &audit(
                &actor,
                id,
                "intention_to_award",
                serde_json::json!({ "provider": winner, "published": published.to_string() }),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(winner)
    }

    /// Records a representation received during the standstill (it holds it open until the
    /// review decision).
    pub async fn record_representation(
        &self,
        principal: &Principal,
        id: i64,
        provider: &str,
        received_on: &str,
        summary: &str,
        now: NaiveDateTime,
    ) -> Result<()> {
        authorize(Some(principal), &Action::ManageProcurement)?;
        let view = self.tender(principal, id, now).await?;
        if view.stage != TenderStage::Standstill {
            return Err(AppError::Invalid("Representations are made during the standstill".into()));
        }
        let received = date("received_on", received_on)?;
        if provider.trim().is_empty() || summary.trim().is_empty() {
            return Err(AppError::Invalid("summary: Enter who made the representation and what it says".into()));
        }
        let actor = Actor::User(principal.clone());
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.insert_representation(id, provider.trim(), &received.to_string(), summary.trim(), &principal.name, at)
            .await?;
        tx.audit(
            &audit(
                &actor,
                id,
                "representation",
                serde_json::json!({ "provider": provider.trim(), "received_on": received.to_string() }),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the day the provider was told the review decision on its representations.
    pub async fn record_review_decision(
        &self,
        principal: &Principal,
        id: i64,
        decided_on: &str,
        now: NaiveDateTime,
    ) -> Result<()> {
        authorize(Some(principal), &Action::ManageProcurement)?;
        let view = self.tender(principal, id, now).await?;
        let award = self.store().award(id).await?;
        if view.stage != TenderStage::Standstill || award.representations.is_empty() {
            return Err(AppError::Invalid(
                "A review decision answers representations made during the standstill".into(),
            ));
        }
        let decided = date("decided_on", decided_on)?;
        let actor = Actor::User(principal.clone());
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.set_review_decision(id, &decided.to_string()).await?;
        tx.audit(&audit(&actor, id, "review_decision", serde_json::json!({ "decided_on": decided.to_string() })), at)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Awards the contract once the standstill allows it — and, for a substantial service
    /// change, once the scrutiny committee and the public have been consulted, unless an
    /// override is given with its reason (recorded in the audit) — and creates it in the
    /// register from the winning bid and the specification: the annual value is the bid's
    /// price spread over the term, the payment mechanism and KPIs are the specification's (a
    /// block contract without KPIs when there is none). Returns the contract's id.
    pub async fn award_tender(
        &self,
        principal: &Principal,
        id: i64,
        input: &AwardInput,
        today: NaiveDate,
        now: NaiveDateTime,
    ) -> Result<String> {
        use commissioning::procure::contract::{Contract, Kpi, KpiKind, KpiLevel, Mechanism, Term};
        let (start, end) = (input.start.as_str(), input.end.as_str());
        authorize(Some(principal), &Action::ManageProcurement)?;
        let view = self.tender(principal, id, now).await?;
        if view.stage != TenderStage::Standstill {
            return Err(AppError::Invalid("A contract is awarded at the end of the standstill".into()));
        }
        let award = self.tender_award(principal, id).await?;
        let standstill =
            award.standstill.clone().ok_or_else(|| AppError::Invalid("No intention to award was published".into()))?;
        match standstill.award_from {
            None => {
                return Err(AppError::Invalid(
                    "Representations hold the standstill open until the review decision is recorded".into(),
                ));
            }
            Some(from) if today < from => {
                return Err(AppError::Invalid(format!(
                    "The standstill ends on {}; the contract may be awarded from {from}",
                    standstill.ends
                )));
            }
            Some(_) => {}
        }
        let specification = match view.specification {
            Some(spec) => Some(self.specification_view(spec, today).await?),
            None => None,
        };
        let outstanding = specification.as_ref().map(|s| s.gate_outstanding.clone()).unwrap_or_default();
        let overridden = !outstanding.is_empty() && self.settings().require_consultation_gate;
        if overridden && input.override_reason.trim().is_empty() {
            return Err(AppError::Invalid(format!(
                "override_reason: This is a substantial service change and the consultation is not complete: {}. \
                 Wait, or give the reason for awarding now",
                outstanding.join("; ")
            )));
        }
        let term = Term::new(date("start", start)?, date("end", end)?, 6, Vec::new())
            .map_err(|e| AppError::Invalid(format!("end: {e}")))?;
        let winner =
            award.intended_provider.clone().ok_or_else(|| AppError::Invalid("No provider was chosen".into()))?;
        let bid = self.store().bids(id, Some(&winner)).await?.into_iter().next().ok_or(AppError::NotFound)?;
        let months = i128::from(term.months(false).max(1));
        let annual = commissioning::money::round_half_away(i128::from(bid.price_pence) * 12, months) as i64;
        let contract_id = format!("{}-{winner}-T{id}", principal.organisation);
        let latest = specification.as_ref().map(|s| s.latest().clone());
        let mechanism = match latest.as_ref().map(|v| v.content.payment_mechanism.as_str()) {
            Some("activity_based") => Mechanism::ActivityBased,
            Some("low_volume_block") => Mechanism::LowVolumeBlock,
            Some("aligned_payment") => {
                Mechanism::AlignedPayment { fixed_annual: Money::from_pence(annual), elective_baseline_annual: None }
            }
            _ => Mechanism::Block,
        };
        let kpis: Vec<Kpi> = match &latest {
            None => Vec::new(),
            Some(v) => v
                .content
                .parsed_kpis()
                .map_err(AppError::Invalid)?
                .into_iter()
                .map(|k| {
                    let (numerator, denominator) = match k.measurement.split_once(" / ") {
                        Some((n, d)) => (n.trim().to_owned(), d.trim().to_owned()),
                        None => (k.measurement.clone(), String::new()),
                    };
                    Kpi {
                        contract_id: contract_id.clone(),
                        code: k.code,
                        name: k.name,
                        kind: KpiKind::Kpi,
                        threshold: k.threshold,
                        higher_is_better: k.higher_is_better,
                        consequence: "Contract performance notice and remedial action plan".into(),
                        withhold_percent: None,
                        source: format!("Specification {} version {}", view.specification.unwrap_or(0), v.version),
                        numerator,
                        denominator,
                        level: KpiLevel::Local,
                        effective_from: None,
                        effective_to: None,
                    }
                })
                .collect(),
        };
        let contract = Contract {
            id: contract_id,
            title: view.title.clone(),
            commissioner: principal.organisation.clone(),
            provider: commissioning::org::OdsCode::parse(&winner)
                .map_err(|_| AppError::Invalid(format!("bidder '{winner}'")))?,
            term,
            annual_value: Money::from_pence(annual),
            mechanism,
            owner: principal.name.clone(),
        };
        let to = view.stage.apply(TenderEvent::Award).map_err(AppError::Invalid)?;
        let actor = Actor::User(principal.clone());
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.upsert_contracts(std::slice::from_ref(&contract)).await?;
        if !kpis.is_empty() {
            tx.upsert_kpis(&kpis).await?;
        }
        if overridden {
            tx.audit(
                &audit(
                    &actor,
                    id,
                    "consultation_gate_override",
                    serde_json::json!({ "outstanding": outstanding, "reason": input.override_reason.trim() }),
                ),
                at,
            )
            .await?;
        }
        tx.record_award(id, (view.stage.code(), to.code()), &contract.id, &today.to_string(), at)
            .await
            .map_err(moved_on)?;
        tx.audit(
            &audit(
                &actor,
                id,
                "award",
                serde_json::json!({ "provider": winner, "contract": contract.id, "annual_value_pence": annual }),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(contract.id)
    }
}

/// The intention-to-award notice, with what Schedule 10 of the PSR regulations asks of it
/// (DOMAIN.md B1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentionNotice {
    pub statement: String,
    pub title: String,
    pub reference: String,
    pub provider: String,
    pub provider_address: String,
    pub description: String,
    pub approximate_lifetime_value: Money,
    pub decision_makers: Vec<String>,
    /// The winner's moderated score and reason on each key criterion, and its price points.
    pub reasons: Vec<String>,
    /// (who, the interest, how it was managed) for every declared conflict.
    pub conflicts: Vec<(String, String, String)>,
    pub framework: String,
    pub published: NaiveDate,
    pub standstill_ends: NaiveDate,
}

impl App {
    /// The intention-to-award notice as published (the commissioner's side), once the
    /// intention has been issued.
    pub async fn intention_notice(
        &self,
        principal: &Principal,
        id: i64,
        now: NaiveDateTime,
    ) -> Result<IntentionNotice> {
        let view = self.tender(principal, id, now).await?;
        let award = self.tender_award(principal, id).await?;
        let (Some(winner), Some(standstill)) = (award.intended_provider.clone(), award.standstill.clone()) else {
            return Err(AppError::NotFound);
        };
        let evaluation = self.tender_evaluation(principal, id, now).await?;
        let record = self.store().tender(id).await?;
        let organisation = match commissioning::org::OdsCode::parse(&winner) {
            Ok(code) => self.store().organisation(&code).await.ok(),
            Err(_) => None,
        };
        let bid = evaluation.bids.iter().find(|b| b.bidder == winner);
        let result = evaluation.results.as_ref().and_then(|r| r.iter().find(|r| r.bidder == winner));
        let mut reasons: Vec<String> = view
            .criteria
            .iter()
            .enumerate()
            .map(|(i, (name, weight, _))| {
                let moderated = bid.and_then(|b| b.moderated.iter().find(|m| m.position == i as i64 + 1));
                match moderated {
                    Some(m) => format!("{name} ({weight} points): scored {} of 5. {}", m.score, m.comment),
                    None => format!("{name} ({weight} points): not scored"),
                }
            })
            .collect();
        if let Some(result) = result {
            reasons.push(format!(
                "Price ({} points): {:.2} points. In total {:.2} points, ranked first",
                view.price_weight, result.price_points, result.total
            ));
        }
        let mut decision_makers: Vec<String> = evaluation.scored_by.clone();
        for m in bid.map(|b| b.moderated.as_slice()).unwrap_or_default() {
            if !decision_makers.contains(&m.by) {
                decision_makers.push(m.by.clone());
            }
        }
        let description = match view.specification {
            Some(spec) => {
                let spec = self.specification_view(spec, now.date()).await?;
                let latest = spec.latest();
                format!(
                    "{}. Outcomes: {}",
                    latest.content.title,
                    latest.content.outcomes.lines().collect::<Vec<_>>().join("; ")
                )
            }
            None => view.title.clone(),
        };
        Ok(IntentionNotice {
            statement: format!(
                "{} intends to award this contract to {} under the {} of the Provider Selection Regime.",
                record.buyer,
                organisation.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| winner.clone()),
                view.process.label().to_lowercase()
            ),
            title: view.title.clone(),
            reference: format!("{}-T{id}", record.buyer),
            provider_address: organisation.as_ref().and_then(|o| o.postcode.clone()).unwrap_or_default(),
            provider: organisation.map(|o| o.name).unwrap_or_else(|| winner.clone()),
            description,
            approximate_lifetime_value: bid.map(|b| b.price).unwrap_or_default(),
            decision_makers,
            reasons,
            conflicts: evaluation
                .declarations
                .iter()
                .filter(|d| d.has_conflict)
                .map(|d| (d.name.clone(), d.details.clone(), d.management.clone()))
                .collect(),
            framework: "No framework agreement was used".into(),
            published: standstill.published,
            standstill_ends: standstill.ends,
        })
    }
}
