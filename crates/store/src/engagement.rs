//! Self-assessments and engagement: each framework's assessment per period with one row per
//! item (level, evidence, action plan), replaced when scored again; the stakeholder register;
//! consultations with their questions (as JSON the app reads), invitees, responses (one per
//! signed-in person, replaced if they respond again) and "you said, we did" outcomes; and
//! commissioning programmes with the artefacts they gather (as JSON).

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentRecord {
    pub id: i64,
    /// `competencies`, `commissioning` or `procurement`.
    pub framework: String,
    /// The start year of the financial year assessed.
    pub period: i64,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentItemRecord {
    pub assessment_id: i64,
    pub item: i64,
    pub level: i64,
    /// One link or reference a line.
    pub evidence: String,
    pub action: String,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: Option<String>,
    pub recorded_by: String,
    pub recorded_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StakeholderRecord {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub organisation_code: Option<String>,
    pub contact: String,
    pub interests: String,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationRecord {
    pub id: i64,
    pub title: String,
    pub stage: String,
    /// What it is about, as `kind:id` (`specification:3`, `decision:5`, `plan:1`, ...).
    pub subject: String,
    pub summary: String,
    pub opens: String,
    pub closes: String,
    /// The questions as JSON.
    pub questions: String,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRecord {
    pub id: i64,
    pub consultation_id: i64,
    pub respondent: String,
    pub respondent_kind: String,
    pub user_id: Option<i64>,
    pub stakeholder_id: Option<i64>,
    /// The answers as a JSON array of strings.
    pub answers: String,
    pub submitted_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRecord {
    pub consultation_id: i64,
    pub seq: i64,
    pub you_said: String,
    pub we_did: String,
    pub recorded_by: String,
    pub recorded_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeRecord {
    pub id: i64,
    pub name: String,
    pub summary: String,
    /// What it gathers, as JSON.
    pub links: String,
    pub created_by: String,
    pub created_at: i64,
}

const ITEM_COLUMNS: &str = "assessment_id, item, level, evidence, action, owner, due, recorded_by, recorded_at";
const STAKEHOLDER_COLUMNS: &str = "id, name, kind, organisation_code, contact, interests, created_by, created_at";
const CONSULTATION_COLUMNS: &str =
    "id, title, stage, subject, summary, opens, closes, questions, created_by, created_at";
const RESPONSE_COLUMNS: &str =
    "id, consultation_id, respondent, respondent_kind, user_id, stakeholder_id, answers, submitted_at";
const PROGRAMME_COLUMNS: &str = "id, name, summary, links, created_by, created_at";

fn assessment_from_row(row: &AnyRow) -> Result<AssessmentRecord> {
    Ok(AssessmentRecord {
        id: row.try_get(0)?,
        framework: row.try_get(1)?,
        period: row.try_get(2)?,
        created_by: row.try_get(3)?,
        created_at: row.try_get(4)?,
    })
}

fn item_from_row(row: &AnyRow) -> Result<AssessmentItemRecord> {
    Ok(AssessmentItemRecord {
        assessment_id: row.try_get(0)?,
        item: row.try_get(1)?,
        level: row.try_get(2)?,
        evidence: row.try_get(3)?,
        action: row.try_get(4)?,
        owner: row.try_get(5)?,
        due: row.try_get(6)?,
        recorded_by: row.try_get(7)?,
        recorded_at: row.try_get(8)?,
    })
}

fn stakeholder_from_row(row: &AnyRow) -> Result<StakeholderRecord> {
    Ok(StakeholderRecord {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        kind: row.try_get(2)?,
        organisation_code: row.try_get(3)?,
        contact: row.try_get(4)?,
        interests: row.try_get(5)?,
        created_by: row.try_get(6)?,
        created_at: row.try_get(7)?,
    })
}

fn consultation_from_row(row: &AnyRow) -> Result<ConsultationRecord> {
    Ok(ConsultationRecord {
        id: row.try_get(0)?,
        title: row.try_get(1)?,
        stage: row.try_get(2)?,
        subject: row.try_get(3)?,
        summary: row.try_get(4)?,
        opens: row.try_get(5)?,
        closes: row.try_get(6)?,
        questions: row.try_get(7)?,
        created_by: row.try_get(8)?,
        created_at: row.try_get(9)?,
    })
}

fn response_from_row(row: &AnyRow) -> Result<ResponseRecord> {
    Ok(ResponseRecord {
        id: row.try_get(0)?,
        consultation_id: row.try_get(1)?,
        respondent: row.try_get(2)?,
        respondent_kind: row.try_get(3)?,
        user_id: row.try_get(4)?,
        stakeholder_id: row.try_get(5)?,
        answers: row.try_get(6)?,
        submitted_at: row.try_get(7)?,
    })
}

fn programme_from_row(row: &AnyRow) -> Result<ProgrammeRecord> {
    Ok(ProgrammeRecord {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        summary: row.try_get(2)?,
        links: row.try_get(3)?,
        created_by: row.try_get(4)?,
        created_at: row.try_get(5)?,
    })
}

impl Tx {
    /// The id of the framework's assessment of `period`, started now if there is none.
    pub async fn assessment_for(&mut self, framework: &str, period: i64, by: &str, at: i64) -> Result<i64> {
        let found = sqlx::query("SELECT id FROM strategy_assessments WHERE framework = $1 AND period = $2")
            .bind(framework)
            .bind(period)
            .fetch_optional(self.connection())
            .await?;
        if let Some(row) = found {
            return Ok(row.try_get(0)?);
        }
        let row = sqlx::query(
            "INSERT INTO strategy_assessments (framework, period, created_by, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(framework)
        .bind(period)
        .bind(by)
        .bind(at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Records an item's score, replacing any it had.
    pub async fn put_assessment_item(&mut self, item: &AssessmentItemRecord) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO strategy_assessment_items ({ITEM_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (assessment_id, item) DO UPDATE SET level = excluded.level, evidence = excluded.evidence, \
             action = excluded.action, owner = excluded.owner, due = excluded.due, \
             recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at"
        ))
        .bind(item.assessment_id)
        .bind(item.item)
        .bind(item.level)
        .bind(&item.evidence)
        .bind(&item.action)
        .bind(&item.owner)
        .bind(&item.due)
        .bind(&item.recorded_by)
        .bind(item.recorded_at)
        .execute(self.connection())
        .await?;
        Ok(())
    }

    /// Adds a stakeholder (its `id` is ignored), returning its id.
    pub async fn insert_stakeholder(&mut self, s: &StakeholderRecord) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO stakeholders (name, kind, organisation_code, contact, interests, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&s.name)
        .bind(&s.kind)
        .bind(&s.organisation_code)
        .bind(&s.contact)
        .bind(&s.interests)
        .bind(&s.created_by)
        .bind(s.created_at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Adds a consultation (its `id` is ignored) with the stakeholders invited, returning
    /// its id.
    pub async fn insert_consultation(&mut self, c: &ConsultationRecord, invitees: &[i64]) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO consultations (title, stage, subject, summary, opens, closes, questions, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&c.title)
        .bind(&c.stage)
        .bind(&c.subject)
        .bind(&c.summary)
        .bind(&c.opens)
        .bind(&c.closes)
        .bind(&c.questions)
        .bind(&c.created_by)
        .bind(c.created_at)
        .fetch_one(self.connection())
        .await?;
        let id: i64 = row.try_get(0)?;
        for stakeholder in invitees {
            sqlx::query("INSERT INTO consultation_invitees (consultation_id, stakeholder_id) VALUES ($1, $2)")
                .bind(id)
                .bind(stakeholder)
                .execute(self.connection())
                .await?;
        }
        Ok(id)
    }

    /// Records a response (its `id` is ignored); a person's earlier response to the same
    /// consultation is replaced, so nobody is counted twice. Returns the new id.
    pub async fn put_response(&mut self, r: &ResponseRecord) -> Result<i64> {
        if let Some(user) = r.user_id {
            sqlx::query("DELETE FROM consultation_responses WHERE consultation_id = $1 AND user_id = $2")
                .bind(r.consultation_id)
                .bind(user)
                .execute(self.connection())
                .await?;
        }
        let row = sqlx::query(
            "INSERT INTO consultation_responses (consultation_id, respondent, respondent_kind, user_id, \
             stakeholder_id, answers, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(r.consultation_id)
        .bind(&r.respondent)
        .bind(&r.respondent_kind)
        .bind(r.user_id)
        .bind(r.stakeholder_id)
        .bind(&r.answers)
        .bind(r.submitted_at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Adds a "you said, we did" outcome after those held, returning its number.
    pub async fn add_outcome(
        &mut self,
        consultation_id: i64,
        you_said: &str,
        we_did: &str,
        by: &str,
        at: i64,
    ) -> Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM consultation_outcomes WHERE consultation_id = $1")
            .bind(consultation_id)
            .fetch_one(self.connection())
            .await?;
        let seq: i64 = row.try_get::<i64, _>(0)? + 1;
        sqlx::query(
            "INSERT INTO consultation_outcomes (consultation_id, seq, you_said, we_did, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(consultation_id)
        .bind(seq)
        .bind(you_said)
        .bind(we_did)
        .bind(by)
        .bind(at)
        .execute(self.connection())
        .await?;
        Ok(seq)
    }

    /// Closes a consultation early: it closed on `closes`.
    pub async fn close_consultation(&mut self, id: i64, closes: &str) -> Result<()> {
        let done = sqlx::query("UPDATE consultations SET closes = $1 WHERE id = $2")
            .bind(closes)
            .bind(id)
            .execute(self.connection())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Adds a programme (its `id` is ignored), returning its id.
    pub async fn insert_programme(&mut self, p: &ProgrammeRecord) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO programmes (name, summary, links, created_by, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id",
        )
        .bind(&p.name)
        .bind(&p.summary)
        .bind(&p.links)
        .bind(&p.created_by)
        .bind(p.created_at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get(0)?)
    }
}

impl Store {
    /// Every assessment, by framework and period.
    pub async fn assessments(&self) -> Result<Vec<AssessmentRecord>> {
        let rows = sqlx::query(
            "SELECT id, framework, period, created_by, created_at FROM strategy_assessments ORDER BY framework, period",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(assessment_from_row).collect()
    }

    /// An assessment's items, in item order.
    pub async fn assessment_items(&self, assessment_id: i64) -> Result<Vec<AssessmentItemRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM strategy_assessment_items WHERE assessment_id = $1 ORDER BY item"
        ))
        .bind(assessment_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(item_from_row).collect()
    }

    pub async fn stakeholders(&self) -> Result<Vec<StakeholderRecord>> {
        let rows = sqlx::query(&format!("SELECT {STAKEHOLDER_COLUMNS} FROM stakeholders ORDER BY name, id"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(stakeholder_from_row).collect()
    }

    pub async fn stakeholder(&self, id: i64) -> Result<StakeholderRecord> {
        let row = sqlx::query(&format!("SELECT {STAKEHOLDER_COLUMNS} FROM stakeholders WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        stakeholder_from_row(&row)
    }

    /// For each stakeholder engaged: how many consultations it was invited to, and how many
    /// it responded to.
    pub async fn stakeholder_engagement(&self) -> Result<std::collections::BTreeMap<i64, (usize, usize)>> {
        let mut counts = std::collections::BTreeMap::new();
        let invited = sqlx::query("SELECT stakeholder_id, COUNT(*) FROM consultation_invitees GROUP BY stakeholder_id")
            .fetch_all(self.pool())
            .await?;
        for row in &invited {
            let n: i64 = row.try_get(1)?;
            counts.entry(row.try_get::<i64, _>(0)?).or_insert((0, 0)).0 = n as usize;
        }
        let responded = sqlx::query(
            "SELECT stakeholder_id, COUNT(DISTINCT consultation_id) FROM consultation_responses \
             WHERE stakeholder_id IS NOT NULL GROUP BY stakeholder_id",
        )
        .fetch_all(self.pool())
        .await?;
        for row in &responded {
            let n: i64 = row.try_get(1)?;
            counts.entry(row.try_get::<i64, _>(0)?).or_insert((0, 0)).1 = n as usize;
        }
        Ok(counts)
    }

    pub async fn consultations(&self) -> Result<Vec<ConsultationRecord>> {
        let rows = sqlx::query(&format!("SELECT {CONSULTATION_COLUMNS} FROM consultations ORDER BY opens DESC, id"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(consultation_from_row).collect()
    }

    pub async fn consultation(&self, id: i64) -> Result<ConsultationRecord> {
        let row = sqlx::query(&format!("SELECT {CONSULTATION_COLUMNS} FROM consultations WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        consultation_from_row(&row)
    }

    /// The stakeholders invited to a consultation.
    pub async fn consultation_invitees(&self, id: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT stakeholder_id FROM consultation_invitees WHERE consultation_id = $1 ORDER BY stakeholder_id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|row| Ok(row.try_get(0)?)).collect()
    }

    /// A consultation's responses, oldest first.
    pub async fn consultation_responses(&self, id: i64) -> Result<Vec<ResponseRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {RESPONSE_COLUMNS} FROM consultation_responses WHERE consultation_id = $1 ORDER BY id"
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(response_from_row).collect()
    }

    pub async fn consultation_outcomes(&self, id: i64) -> Result<Vec<OutcomeRecord>> {
        let rows = sqlx::query(
            "SELECT consultation_id, seq, you_said, we_did, recorded_by, recorded_at FROM consultation_outcomes \
             WHERE consultation_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(OutcomeRecord {
                    consultation_id: row.try_get(0)?,
                    seq: row.try_get(1)?,
                    you_said: row.try_get(2)?,
                    we_did: row.try_get(3)?,
                    recorded_by: row.try_get(4)?,
                    recorded_at: row.try_get(5)?,
                })
            })
            .collect()
    }

    pub async fn programmes(&self) -> Result<Vec<ProgrammeRecord>> {
        let rows = sqlx::query(&format!("SELECT {PROGRAMME_COLUMNS} FROM programmes ORDER BY name, id"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(programme_from_row).collect()
    }

    pub async fn programme(&self, id: i64) -> Result<ProgrammeRecord> {
        let row = sqlx::query(&format!("SELECT {PROGRAMME_COLUMNS} FROM programmes WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        programme_from_row(&row)
    }
}
