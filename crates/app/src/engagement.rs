//! Engagement: the stakeholder register (patients' groups, Healthwatch, clinicians, the local
//! authority, the scrutiny committee, providers); consultations attached to a stage of the
//! cycle and to what they are about (a specification, a procurement decision, a plan, a
//! contract's evaluation), with questions, the stakeholders invited, responses from anyone
//! signed in (the public included) or recorded for a stakeholder, the analysis of those
//! responses and the "you said, we did" outcomes; and the engagement record of anything a
//! consultation was about. The public sees a consultation's questions, how many responded,
//! the analysis once it has closed and the outcomes, never who responded.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use commissioning::access::{Action, Principal, Role, Stage};
use commissioning::org::OdsCode;
use commissioning::strategy::engagement::{
    AGREEMENT, Analysis, ConsultationStage, Question, QuestionKind, StakeholderKind, Status, analyse, check_answers,
};
use store::engagement::{ConsultationRecord, ResponseRecord, StakeholderRecord};

use crate::{Actor, App, AppError, Result, audit_entry, authorize, must_be_held, now_millis};

/// A stakeholder as a form or the API gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct StakeholderInput {
    pub name: String,
    pub kind: String,
    /// Its ODS code, if it is an organisation held.
    pub organisation_code: String,
    pub contact: String,
    pub interests: String,
}

/// A consultation as a form or the API gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ConsultationInput {
    pub title: String,
    pub stage: String,
    /// What it is about: `specification:ID`, `decision:ID`, `plan:ID`, `contract:ID`,
    /// `tender:ID` or `programme:ID`; empty for none.
    pub subject: String,
    pub summary: String,
    pub opens: String,
    pub closes: String,
    /// Questions answered from strongly agree to strongly disagree, one a line.
    pub agreement_questions: String,
    /// Questions answered in the respondent's words, one a line.
    pub text_questions: String,
    /// The stakeholders invited, by id, comma-separated.
    pub invitees: String,
}

/// A stakeholder in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stakeholder {
    pub id: i64,
    pub name: String,
    pub kind: StakeholderKind,
    pub organisation_code: Option<String>,
    pub contact: String,
    pub interests: String,
    /// The consultations it was invited to, and those it responded to.
    pub invited: usize,
    pub responded: usize,
}

/// An outcome: what respondents said and what was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub you_said: String,
    pub we_did: String,
}

/// A consultation in short, as lists and the engagement record show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsultationSummary {
    pub id: i64,
    pub title: String,
    pub stage: ConsultationStage,
    pub subject: String,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub status: Status,
    pub responses: usize,
    pub outcomes: usize,
}

/// A consultation with everything about it, for the commissioner's staff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsultationView {
    pub summary: ConsultationSummary,
    pub description: String,
    pub questions: Vec<Question>,
    /// The invited stakeholders' names, and whether each responded.
    pub invitees: Vec<(String, bool)>,
    /// Each response: who, as what, when (milliseconds).
    pub respondents: Vec<(String, StakeholderKind, i64)>,
    pub analysis: Analysis,
    pub outcomes: Vec<Outcome>,
}

/// A consultation as the public sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicConsultationView {
    pub summary: ConsultationSummary,
    pub description: String,
    pub questions: Vec<Question>,
    /// The analysis, once it has closed.
    pub analysis: Option<Analysis>,
    pub outcomes: Vec<Outcome>,
}

fn corrupt(what: &str, id: i64) -> AppError {
    AppError::Unexpected(anyhow::anyhow!("consultation {id}: {what}"))
}

fn day(field: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(field, format!("Enter a date such as 2026-03-31 (not '{}')", text.trim())))
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A stored consultation's questions and dates.
fn parse_record(record: &ConsultationRecord) -> Result<(Vec<Question>, NaiveDate, NaiveDate)> {
    let id = record.id;
    let questions: Vec<Question> = serde_json::from_str(&record.questions).map_err(|_| corrupt("questions", id))?;
    let opens = NaiveDate::parse_from_str(&record.opens, "%Y-%m-%d").map_err(|_| corrupt("opens", id))?;
    let closes = NaiveDate::parse_from_str(&record.closes, "%Y-%m-%d").map_err(|_| corrupt("closes", id))?;
    Ok((questions, opens, closes))
}

/// A stored response's kind of respondent and answers.
fn parse_response(response: &ResponseRecord) -> Result<(StakeholderKind, Vec<String>)> {
    let kind =
        StakeholderKind::parse(&response.respondent_kind).ok_or_else(|| corrupt("respondent kind", response.id))?;
    let answers: Vec<String> = serde_json::from_str(&response.answers).map_err(|_| corrupt("answers", response.id))?;
    Ok((kind, answers))
}

impl App {
    /// Adds a stakeholder to the register.
    pub async fn add_stakeholder(&self, principal: &Principal, input: &StakeholderInput) -> Result<i64> {
        authorize(Some(principal), &Action::ManageStrategy)?;
        let name = input.name.trim();
        if name.is_empty() {
            return Err(AppError::field("name", "Enter the stakeholder's name"));
        }
        let kind = StakeholderKind::parse(&input.kind)
            .ok_or_else(|| AppError::field("kind", "Choose the kind of stakeholder"))?;
        let organisation_code = match input.organisation_code.trim() {
            "" => None,
            code => {
                let parsed = OdsCode::parse(code)
                    .map_err(|_| AppError::field("organisation_code", format!("'{code}' is not an ODS code")))?;
                let what = format!("organisation {parsed}");
                must_be_held("organisation_code", &what, self.store().organisation(&parsed).await)?;
                Some(parsed.to_string())
            }
        };
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        let id = tx
            .insert_stakeholder(&StakeholderRecord {
                id: 0,
                name: name.to_owned(),
                kind: kind.code().into(),
                organisation_code,
                contact: input.contact.trim().to_owned(),
                interests: input.interests.trim().to_owned(),
                created_by: principal.name.clone(),
                created_at: at,
            })
            .await?;
        tx.audit(
            &audit_entry(
                &Actor::User(principal.clone()),
                "stakeholder",
                id,
                "add_stakeholder",
                serde_json::json!({"name": name, "kind": kind.code()}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The stakeholder register, with how often each was invited and responded.
    pub async fn stakeholders(&self, principal: &Principal) -> Result<Vec<Stakeholder>> {
        authorize(Some(principal), &Action::ViewStage(Stage::Strategy))?;
        let counts = self.store().stakeholder_engagement().await?;
        self.store()
            .stakeholders()
            .await?
            .into_iter()
            .map(|r| {
                Ok(Stakeholder {
                    kind: StakeholderKind::parse(&r.kind).ok_or_else(|| corrupt("stakeholder kind", r.id))?,
                    invited: counts.get(&r.id).map_or(0, |c| c.0),
                    responded: counts.get(&r.id).map_or(0, |c| c.1),
                    id: r.id,
                    name: r.name,
                    organisation_code: r.organisation_code,
                    contact: r.contact,
                    interests: r.interests,
                })
            })
            .collect()
    }

    /// Checks that a subject names something held.
    async fn check_subject(&self, subject: &str) -> Result<String> {
        let subject = subject.trim();
        if subject.is_empty() {
            return Ok(String::new());
        }
        let message = "Enter what it is about as specification:ID, decision:ID, plan:ID, contract:ID, tender:ID or \
                       programme:ID, or leave it blank";
        let (kind, id) = subject.split_once(':').ok_or_else(|| AppError::field("subject", message))?;
        let (kind, id) = (kind.trim(), id.trim());
        let number = || id.parse::<i64>().map_err(|_| AppError::field("subject", format!("'{id}' is not a number")));
        let found = match kind {
            "specification" => self.store().specification(number()?).await.map(|_| ()),
            "decision" => self.store().decision(number()?).await.map(|_| ()),
            "plan" => self.store().strategy_plan(number()?).await.map(|_| ()),
            "tender" => self.store().tender(number()?).await.map(|_| ()),
            "programme" => self.store().programme(number()?).await.map(|_| ()),
            "contract" => self.store().contract(id).await.map(|_| ()),
            _ => return Err(AppError::field("subject", message)),
        };
        must_be_held("subject", &format!("{kind} {id}"), found)?;
        Ok(format!("{kind}:{id}"))
    }

    /// Opens a consultation (on its dates) with its questions and invited stakeholders.
    pub async fn create_consultation(&self, principal: &Principal, input: &ConsultationInput) -> Result<i64> {
        authorize(Some(principal), &Action::ManageStrategy)?;
        let title = input.title.trim();
        if title.is_empty() {
            return Err(AppError::field("title", "Enter the consultation's title"));
        }
        let stage = ConsultationStage::parse(&input.stage)
            .ok_or_else(|| AppError::field("stage", "Choose the stage of the cycle it informs"))?;
        let subject = self.check_subject(&input.subject).await?;
        let summary = input.summary.trim();
        if summary.is_empty() {
            return Err(AppError::field("summary", "Say what is proposed and why views are sought"));
        }
        let opens = day("opens", &input.opens)?;
        let closes = day("closes", &input.closes)?;
        if closes < opens {
            return Err(AppError::field("closes", "The closing date must be on or after the opening date"));
        }
        let lines = |text: &str, kind: QuestionKind| -> Vec<Question> {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| Question { text: l.to_owned(), kind })
                .collect()
        };
        let mut questions = lines(&input.agreement_questions, QuestionKind::Agreement);
        questions.extend(lines(&input.text_questions, QuestionKind::Text));
        if questions.is_empty() {
            return Err(AppError::field("agreement_questions", "Ask at least one question"));
        }
        let held: Vec<i64> = self.store().stakeholders().await?.iter().map(|s| s.id).collect();
        let mut invitees = Vec::new();
        for text in input.invitees.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let id =
                text.parse::<i64>().ok().filter(|id| held.contains(id)).ok_or_else(|| {
                    AppError::field("invitees", format!("'{text}' is not a stakeholder in the register"))
                })?;
            if !invitees.contains(&id) {
                invitees.push(id);
            }
        }
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        let id = tx
            .insert_consultation(
                &ConsultationRecord {
                    id: 0,
                    title: title.to_owned(),
                    stage: stage.code().into(),
                    subject: subject.clone(),
                    summary: summary.to_owned(),
                    opens: opens.to_string(),
                    closes: closes.to_string(),
                    questions: serde_json::to_string(&questions).map_err(anyhow::Error::new)?,
                    created_by: principal.name.clone(),
                    created_at: at,
                },
                &invitees,
            )
            .await?;
        tx.audit(
            &audit_entry(
                &Actor::User(principal.clone()),
                "consultation",
                id,
                "create_consultation",
                serde_json::json!({"title": title, "stage": stage.code(), "subject": subject, "opens": opens, "closes": closes}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn open_consultation(&self, id: i64) -> Result<(ConsultationRecord, Vec<Question>)> {
        let record = self.store().consultation(id).await?;
        let (questions, opens, closes) = parse_record(&record)?;
        if Status::on(opens, closes, today()) != Status::Open {
            return Err(AppError::Invalid(format!(
                "answers: This consultation is not open (it runs from {opens} to {closes})"
            )));
        }
        Ok((record, questions))
    }

    async fn put_response(
        &self,
        principal: &Principal,
        consultation: &ConsultationRecord,
        questions: &[Question],
        answers: &[String],
        respondent: (String, StakeholderKind, Option<i64>, Option<i64>),
    ) -> Result<i64> {
        check_answers(questions, answers)
            .map_err(|(question, message)| AppError::field(&format!("answer_{question}"), message))?;
        let (name, kind, user_id, stakeholder_id) = respondent;
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        let id = tx
            .put_response(&ResponseRecord {
                id: 0,
                consultation_id: consultation.id,
                respondent: name,
                respondent_kind: kind.code().into(),
                user_id,
                stakeholder_id,
                answers: serde_json::to_string(answers).map_err(anyhow::Error::new)?,
                submitted_at: at,
            })
            .await?;
        tx.audit(
            &audit_entry(
                &Actor::User(principal.clone()),
                "consultation",
                consultation.id,
                "respond",
                serde_json::json!({"response": id, "kind": kind.code(), "stakeholder": stakeholder_id}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Responds to an open consultation in one's own name (a member of the public, a
    /// scrutiny member, a provider or staff); responding again replaces the earlier response.
    pub async fn respond_to_consultation(&self, principal: &Principal, id: i64, answers: &[String]) -> Result<i64> {
        authorize(Some(principal), &Action::RespondToConsultation)?;
        let (record, questions) = self.open_consultation(id).await?;
        let kind = if principal.has(Role::Scrutiny) {
            StakeholderKind::Scrutiny
        } else if principal.has(Role::Provider) {
            StakeholderKind::Provider
        } else if principal.has(Role::ClinicalLead) {
            StakeholderKind::Clinicians
        } else {
            StakeholderKind::Public
        };
        let respondent = (principal.name.clone(), kind, Some(principal.user_id), None);
        self.put_response(principal, &record, &questions, answers, respondent).await
    }

    /// Records a stakeholder's response received another way (a letter, a meeting).
    pub async fn record_stakeholder_response(
        &self,
        principal: &Principal,
        id: i64,
        stakeholder_id: i64,
        answers: &[String],
    ) -> Result<i64> {
        authorize(Some(principal), &Action::ManageStrategy)?;
        let (record, questions) = self.open_consultation(id).await?;
        let stakeholder = match self.store().stakeholder(stakeholder_id).await {
            Err(store::StoreError::NotFound) => {
                return Err(AppError::field("stakeholder", "Choose a stakeholder in the register"));
            }
            found => found?,
        };
        let kind =
            StakeholderKind::parse(&stakeholder.kind).ok_or_else(|| corrupt("stakeholder kind", stakeholder.id))?;
        let respondent = (stakeholder.name, kind, None, Some(stakeholder.id));
        self.put_response(principal, &record, &questions, answers, respondent).await
    }

    /// Closes an open consultation early: it closed yesterday, so its analysis is published.
    pub async fn close_consultation(&self, principal: &Principal, id: i64) -> Result<()> {
        authorize(Some(principal), &Action::ManageStrategy)?;
        let (record, _) = self.open_consultation(id).await?;
        let closed_on = today() - chrono::Duration::days(1);
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        tx.close_consultation(record.id, &closed_on.to_string()).await?;
        tx.audit(
            &audit_entry(
                &Actor::User(principal.clone()),
                "consultation",
                id,
                "close_consultation",
                serde_json::json!({"closes": closed_on, "was": record.closes}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records "you said, we did".
    pub async fn add_consultation_outcome(
        &self,
        principal: &Principal,
        id: i64,
        you_said: &str,
        we_did: &str,
    ) -> Result<i64> {
        authorize(Some(principal), &Action::ManageStrategy)?;
        self.store().consultation(id).await?;
        let (you_said, we_did) = (you_said.trim(), we_did.trim());
        if you_said.is_empty() {
            return Err(AppError::field("you_said", "Say what respondents told you"));
        }
        if we_did.is_empty() {
            return Err(AppError::field("we_did", "Say what was done about it"));
        }
        let at = now_millis();
        let mut tx = self.store().begin().await?;
        let seq = tx.add_outcome(id, you_said, we_did, &principal.name, at).await?;
        tx.audit(
            &audit_entry(
                &Actor::User(principal.clone()),
                "consultation",
                id,
                "add_outcome",
                serde_json::json!({"outcome": seq}),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(seq)
    }

    async fn consultation_parts(
        &self,
        record: &ConsultationRecord,
    ) -> Result<(ConsultationSummary, Vec<Question>, Vec<ResponseRecord>, Vec<Outcome>)> {
        let id = record.id;
        let (questions, opens, closes) = parse_record(record)?;
        let responses = self.store().consultation_responses(id).await?;
        let outcomes: Vec<Outcome> = self
            .store()
            .consultation_outcomes(id)
            .await?
            .into_iter()
            .map(|o| Outcome { you_said: o.you_said, we_did: o.we_did })
            .collect();
        let summary = ConsultationSummary {
            id,
            title: record.title.clone(),
            stage: ConsultationStage::parse(&record.stage).ok_or_else(|| corrupt("stage", id))?,
            subject: record.subject.clone(),
            opens,
            closes,
            status: Status::on(opens, closes, today()),
            responses: responses.len(),
            outcomes: outcomes.len(),
        };
        Ok((summary, questions, responses, outcomes))
    }

    fn analysis_of(questions: &[Question], responses: &[ResponseRecord]) -> Result<Analysis> {
        let parsed = responses.iter().map(parse_response).collect::<Result<Vec<_>>>()?;
        Ok(analyse(questions, &parsed))
    }

    /// The summaries of the consultations that `keep` keeps, newest first.
    async fn summaries(&self, keep: impl Fn(&ConsultationRecord) -> bool) -> Result<Vec<ConsultationSummary>> {
        let mut found = Vec::new();
        for record in self.store().consultations().await?.iter().filter(|c| keep(c)) {
            found.push(self.consultation_parts(record).await?.0);
        }
        Ok(found)
    }

    /// Every consultation, newest first.
    pub async fn consultations(&self, principal: &Principal) -> Result<Vec<ConsultationSummary>> {
        authorize(Some(principal), &Action::ViewStage(Stage::Strategy))?;
        self.summaries(|_| true).await
    }

    /// A consultation with its invitees, respondents, analysis and outcomes.
    pub async fn consultation(&self, principal: &Principal, id: i64) -> Result<ConsultationView> {
        authorize(Some(principal), &Action::ViewStage(Stage::Strategy))?;
        let record = self.store().consultation(id).await?;
        let (summary, questions, responses, outcomes) = self.consultation_parts(&record).await?;
        let stakeholders = self.store().stakeholders().await?;
        let invitees = self
            .store()
            .consultation_invitees(id)
            .await?
            .into_iter()
            .filter_map(|sid| {
                let name = stakeholders.iter().find(|s| s.id == sid)?.name.clone();
                Some((name, responses.iter().any(|r| r.stakeholder_id == Some(sid))))
            })
            .collect();
        let respondents = responses
            .iter()
            .map(|r| Ok((r.respondent.clone(), parse_response(r)?.0, r.submitted_at)))
            .collect::<Result<_>>()?;
        let analysis = Self::analysis_of(&questions, &responses)?;
        Ok(ConsultationView {
            summary,
            description: record.summary,
            questions,
            invitees,
            respondents,
            analysis,
            outcomes,
        })
    }

    /// A consultation's responses for analysis outside, without names: the day received,
    /// the kind of respondent, and each answer (an agreement as its words); with the questions.
    pub async fn consultation_responses(
        &self,
        principal: &Principal,
        id: i64,
    ) -> Result<(Vec<Question>, Vec<(NaiveDate, StakeholderKind, Vec<String>)>)> {
        authorize(Some(principal), &Action::ViewStage(Stage::Strategy))?;
        let record = self.store().consultation(id).await?;
        let (_, questions, responses, _) = self.consultation_parts(&record).await?;
        let mut rows = Vec::new();
        for r in responses {
            let (kind, answers) = parse_response(&r)?;
            let words = questions
                .iter()
                .zip(answers)
                .map(|(q, a)| match q.kind {
                    QuestionKind::Agreement => a
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| AGREEMENT.get(i))
                        .map_or(String::new(), |w| (*w).to_owned()),
                    QuestionKind::Text => a,
                })
                .collect();
            let received = chrono::DateTime::from_timestamp_millis(r.submitted_at)
                .ok_or_else(|| corrupt("submitted_at", r.id))?
                .date_naive();
            rows.push((received, kind, words));
        }
        Ok((questions, rows))
    }

    /// The consultations about `subject` (such as `decision:5`): the engagement record shown
    /// on it.
    pub async fn engagement_record(&self, principal: &Principal, subject: &str) -> Result<Vec<ConsultationSummary>> {
        authorize(Some(principal), &Action::ViewStage(Stage::Strategy))?;
        self.summaries(|c| c.subject == subject).await
    }

    /// Consultations as the public sees them: no names, the analysis only once closed.
    pub async fn public_consultation_list(&self) -> Result<Vec<ConsultationSummary>> {
        authorize(None, &Action::ViewPublic)?;
        self.summaries(|_| true).await
    }

    pub async fn public_consultation(&self, id: i64) -> Result<PublicConsultationView> {
        authorize(None, &Action::ViewPublic)?;
        let record = self.store().consultation(id).await?;
        let (summary, questions, responses, outcomes) = self.consultation_parts(&record).await?;
        let analysis =
            if summary.status == Status::Closed { Some(Self::analysis_of(&questions, &responses)?) } else { None };
        Ok(PublicConsultationView { summary, description: record.summary, questions, analysis, outcomes })
    }

    /// The demo's engagement: a register of seven stakeholders; a consultation on the
    /// community diagnostics specification, open now, with responses from the public and
    /// Healthwatch; and a closed consultation on the operating plan with its analysis and
    /// "you said, we did".
    pub(crate) async fn load_demo_engagement(&self) -> Result<()> {
        let chris = self.demo_principal("commissioner@demo.commissioner.test").await?;
        let mut ids = Vec::new();
        for (name, kind, code, interests) in [
            ("Healthwatch Demoshire", "healthwatch", "", "Access, waiting times and patient experience"),
            ("Demoshire Patients' Forum", "patients_group", "", "Urgent care and community services"),
            ("Local medical committee", "clinicians", "", "Primary care workload and referrals"),
            ("Demoshire County Council", "local_authority", "", "Public health, social care and discharge"),
            ("Health overview and scrutiny committee", "scrutiny", "", "Substantial service changes"),
            ("Demo Acute Hospitals NHS Trust", "provider", "R9A", "Acute services and elective recovery"),
            ("Carers' network", "voluntary", "", "Carers' support and respite"),
        ] {
            let input = StakeholderInput {
                name: name.into(),
                kind: kind.into(),
                organisation_code: code.into(),
                contact: "engagement@demo.commissioner.test".into(),
                interests: interests.into(),
            };
            ids.push(self.add_stakeholder(&chris, &input).await?);
        }
        let today = today();
        let plans = self.store().strategy_plans().await?;
        let operating = plans.iter().find(|p| p.kind == "operating").map(|p| p.id);
        let decision = self.store().decisions().await?.first().map(|d| d.id);
        let join = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let closed = self
            .create_consultation(
                &chris,
                &ConsultationInput {
                    title: "Our operating plan priorities".into(),
                    stage: "strategy".into(),
                    subject: operating.map(|id| format!("plan:{id}")).unwrap_or_default(),
                    summary: "Which of our priorities matter most to you for the coming year.".into(),
                    opens: (today - chrono::Duration::days(60)).to_string(),
                    closes: today.to_string(),
                    agreement_questions: "Shorter waits for planned care should be our first priority".into(),
                    text_questions: "What one change would make the most difference to you?".into(),
                    invitees: join(&ids),
                },
            )
            .await?;
        let open = self
            .create_consultation(
                &chris,
                &ConsultationInput {
                    title: "Where community services should be provided".into(),
                    stage: "procurement".into(),
                    subject: decision.map(|id| format!("decision:{id}")).unwrap_or_default(),
                    summary: "We plan to buy community services closer to home. Tell us where and when you need them."
                        .into(),
                    opens: (today - chrono::Duration::days(7)).to_string(),
                    closes: (today + chrono::Duration::days(49)).to_string(),
                    agreement_questions: "Services should be offered in the evenings and at weekends".into(),
                    text_questions: "Where would you find it easiest to attend?".into(),
                    invitees: join(&ids[..3]),
                },
            )
            .await?;
        let public = self.demo_principal("public@demo.commissioner.test").await?;
        for (id, answers) in [
            (closed, ["0", "Evening appointments near the bus station"]),
            (open, ["1", "The health centre by the bus station"]),
        ] {
            let answers: Vec<String> = answers.iter().map(|a| (*a).to_owned()).collect();
            self.respond_to_consultation(&public, id, &answers).await?;
        }
        for (id, stakeholder, answers) in [
            (closed, ids[0], ["1", "Evening appointments and better parking"]),
            (closed, ids[1], ["3", "Faster urgent care matters more than planned care"]),
            (closed, ids[2], ["1", "Parking and evening clinics"]),
            (open, ids[0], ["0", "Evening clinics in the town centre"]),
        ] {
            let answers: Vec<String> = answers.iter().map(|a| (*a).to_owned()).collect();
            self.record_stakeholder_response(&chris, id, stakeholder, &answers).await?;
        }
        self.close_consultation(&chris, closed).await?;
        self.add_consultation_outcome(
            &chris,
            closed,
            "You asked for appointments in the evening, near public transport, with parking.",
            "We have asked the community diagnostics provider for evening sessions at the town-centre health centre.",
        )
        .await?;
        Ok(())
    }
}
