//! Procure: what passes between bidders and the commissioner while a tender is open —
//! clarification questions, answered once and published to every bidder without saying who
//! asked; and the requirements published with the tender (documents to attach, pass/fail
//! questions), which each bidder completes before the deadline, checked as a task list.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use commissioning::access::{Action, Principal};
use store::tender_questions::{DOCUMENT, PASS_FAIL};

use crate::tenders::{TenderView, audit};
use crate::{Actor, App, AppError, Result, authorize, now_millis};

/// The largest attachment a bid may carry.
pub const MAX_BID_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// A clarification as the reader may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClarificationView {
    pub id: i64,
    pub question: String,
    pub answer: Option<String>,
    /// Who asked: shown to the commissioner's side only.
    pub asked_by: Option<String>,
    /// The reader's organisation asked it.
    pub own: bool,
}

/// An answer to a pass/fail question as its form gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PassFailInput {
    pub position: i64,
    /// "yes" or "no".
    pub answer: String,
    pub evidence: String,
}

/// What a bid still lacks before the deadline, as a task list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completeness {
    pub has_bid: bool,
    /// Each required document with the file attached, if any.
    pub documents: Vec<(String, Option<String>)>,
    /// Each pass/fail question with the bidder's answer, if given.
    pub questions: Vec<(String, Option<bool>)>,
}

impl Completeness {
    pub fn complete(&self) -> bool {
        self.has_bid
            && self.documents.iter().all(|(_, file)| file.is_some())
            && self.questions.iter().all(|(_, answer)| answer.is_some())
    }
}

/// One requirement per non-empty line.
pub(crate) fn requirement_lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

impl App {
    /// The tender, if it is open for the bidder to act on it now.
    async fn open_for_bidder(&self, principal: &Principal, id: i64, now: NaiveDateTime) -> Result<TenderView> {
        authorize(Some(principal), &Action::BidFor(principal.organisation.clone()))?;
        let view = self.tender(principal, id, now).await?;
        if !view.stage.takes_bids() || now >= view.deadline {
            return Err(AppError::Invalid(format!(
                "The tender closed to bidders at its deadline ({} UTC)",
                view.deadline.format(crate::tenders::DEADLINE_FORMAT)
            )));
        }
        Ok(view)
    }

    /// A bidder asks a clarification question while the tender is open.
    pub async fn ask_clarification(
        &self,
        principal: &Principal,
        id: i64,
        question: &str,
        now: NaiveDateTime,
    ) -> Result<i64> {
        self.open_for_bidder(principal, id, now).await?;
        let question = question.trim();
        if question.is_empty() || question.chars().count() > 2_000 {
            return Err(AppError::Invalid("question: Enter your question, in up to 2,000 characters".into()));
        }
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        let q = tx.insert_clarification(id, principal.organisation.as_str(), question, at).await?;
        tx.audit(
            &audit(&Actor::User(principal.clone()), id, "clarification_asked", serde_json::json!({ "question": q })),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(q)
    }

    /// The commissioner answers a question once; the answer is published to every bidder.
    pub async fn answer_clarification(
        &self,
        principal: &Principal,
        id: i64,
        question: i64,
        answer: &str,
        now: NaiveDateTime,
    ) -> Result<()> {
        authorize(Some(principal), &Action::ManageProcurement)?;
        self.tender(principal, id, now).await?;
        if answer.trim().is_empty() {
            return Err(AppError::Invalid(format!("answer_{question}: Enter the answer")));
        }
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.answer_clarification(id, question, answer.trim(), &principal.name, at).await.map_err(|e| match e {
            store::StoreError::NotFound => {
                AppError::Invalid(format!("answer_{question}: This question has already been answered"))
            }
            other => other.into(),
        })?;
        tx.audit(
            &audit(
                &Actor::User(principal.clone()),
                id,
                "clarification_answered",
                serde_json::json!({ "question": question }),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The clarifications the reader may see: every answered one, without who asked, and a
    /// bidder's own unanswered ones; the commissioner's side sees all, with who asked.
    pub async fn clarifications(
        &self,
        principal: &Principal,
        id: i64,
        now: NaiveDateTime,
    ) -> Result<Vec<ClarificationView>> {
        self.tender(principal, id, now).await?;
        let commissioner = principal.is_commissioner_side();
        let own = principal.organisation.as_str();
        Ok(self
            .store()
            .clarifications(id)
            .await?
            .into_iter()
            .filter(|c| commissioner || c.answer.is_some() || c.asked_by_org == own)
            .map(|c| ClarificationView {
                id: c.id,
                own: c.asked_by_org == own,
                asked_by: commissioner.then(|| c.asked_by_org.clone()),
                question: c.question,
                answer: c.answer,
            })
            .collect())
    }

    /// The documents and pass/fail questions published with a tender.
    pub async fn tender_requirements(
        &self,
        principal: &Principal,
        id: i64,
        now: NaiveDateTime,
    ) -> Result<(Vec<String>, Vec<String>)> {
        self.tender(principal, id, now).await?;
        Ok((self.store().requirements(id, DOCUMENT).await?, self.store().requirements(id, PASS_FAIL).await?))
    }

    /// A bidder answers the pass/fail questions (every one, yes or no, with evidence for a
    /// yes) before the deadline; answering again replaces the answers.
    pub async fn answer_pass_fail(
        &self,
        principal: &Principal,
        id: i64,
        answers: &[PassFailInput],
        now: NaiveDateTime,
    ) -> Result<()> {
        self.open_for_bidder(principal, id, now).await?;
        let questions = self.store().requirements(id, PASS_FAIL).await?;
        let mut rows = Vec::new();
        for position in 1..=questions.len() as i64 {
            let given = answers.iter().find(|a| a.position == position);
            let yes = match given.map(|a| a.answer.as_str()) {
                Some("yes") => true,
                Some("no") => false,
                _ => return Err(AppError::Invalid(format!("answer_{position}: Answer yes or no"))),
            };
            let evidence = given.map(|a| a.evidence.trim().to_owned()).unwrap_or_default();
            if yes && evidence.is_empty() {
                return Err(AppError::Invalid(format!("evidence_{position}: Say how you meet the requirement")));
            }
            rows.push((position, yes, evidence));
        }
        let at = now_millis();
        let bidder = principal.organisation.to_string();
        let mut tx = self.store().begin().await?;
        tx.upsert_bid_answers(id, &bidder, &rows).await?;
        tx.audit(
            &audit(&Actor::User(principal.clone()), id, "bid_answers", serde_json::json!({ "bidder": bidder })),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A bidder attaches the document for required document `position` before the deadline.
    pub async fn attach_bid_document(
        &self,
        principal: &Principal,
        id: i64,
        position: i64,
        file_name: &str,
        content: &[u8],
        now: NaiveDateTime,
    ) -> Result<()> {
        self.open_for_bidder(principal, id, now).await?;
        let documents = self.store().requirements(id, DOCUMENT).await?;
        if position < 1 || position as usize > documents.len() {
            return Err(AppError::Invalid("document: Choose which required document this is".into()));
        }
        if content.is_empty() || file_name.trim().is_empty() {
            return Err(AppError::Invalid("file: Choose a file to attach".into()));
        }
        if content.len() > MAX_BID_DOCUMENT_BYTES {
            return Err(AppError::Invalid("file: The file must be smaller than 5 MB".into()));
        }
        let at = now_millis();
        let bidder = principal.organisation.to_string();
        let mut tx = self.store().begin().await?;
        tx.upsert_bid_document(id, &bidder, position, file_name.trim(), content, at).await?;
        tx.audit(
            &audit(
                &Actor::User(principal.clone()),
                id,
                "bid_document",
                serde_json::json!({ "bidder": bidder, "position": position }),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What the bidder's own bid still lacks.
    pub async fn bid_completeness(&self, principal: &Principal, id: i64, now: NaiveDateTime) -> Result<Completeness> {
        authorize(Some(principal), &Action::BidFor(principal.organisation.clone()))?;
        self.tender(principal, id, now).await?;
        self.completeness_of(id, principal.organisation.as_str()).await
    }

    /// What a bid lacks, for those already authorised to know.
    pub(crate) async fn completeness_of(&self, id: i64, bidder: &str) -> Result<Completeness> {
        let has_bid = !self.store().bids(id, Some(bidder)).await?.is_empty();
        let attached = self.store().bid_documents(id, bidder).await?;
        let answers = self.store().bid_answers(id, bidder).await?;
        Ok(Completeness {
            has_bid,
            documents: self
                .store()
                .requirements(id, DOCUMENT)
                .await?
                .into_iter()
                .enumerate()
                .map(|(i, name)| {
                    (name, attached.iter().find(|d| d.position == i as i64 + 1).map(|d| d.file_name.clone()))
                })
                .collect(),
            questions: self
                .store()
                .requirements(id, PASS_FAIL)
                .await?
                .into_iter()
                .enumerate()
                .map(|(i, q)| (q, answers.iter().find(|a| a.0 == i as i64 + 1).map(|a| a.1)))
                .collect(),
        })
    }
}
