//! A tender's clarifications (questions from bidders, answers to all), the requirements
//! published with it (documents to attach, pass/fail questions), and each bid's answers and
//! attachments.

use sqlx::Row;

use crate::{Result, Store, StoreError, Tx};

/// A clarification question and, once given, its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClarificationRecord {
    pub id: i64,
    pub tender_id: i64,
    pub asked_by_org: String,
    pub question: String,
    pub asked_at: i64,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
}

/// The kinds of requirement a tender publishes.
pub const DOCUMENT: &str = "document";
pub const PASS_FAIL: &str = "pass_fail";

/// A bid's attachment (its content as bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidDocument {
    pub position: i64,
    pub file_name: String,
    pub size: i64,
    pub uploaded_at: i64,
}

impl Tx {
    pub async fn insert_clarification(&mut self, tender_id: i64, org: &str, question: &str, at: i64) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO tender_clarifications (tender_id, asked_by_org, question, asked_at) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(tender_id)
        .bind(org)
        .bind(question)
        .bind(at)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Answers a question, only once.
    pub async fn answer_clarification(
        &mut self,
        tender_id: i64,
        id: i64,
        answer: &str,
        by: &str,
        at: i64,
    ) -> Result<()> {
        let result = sqlx::query(
            "UPDATE tender_clarifications SET answer = $1, answered_by = $2, answered_at = $3 \
             WHERE id = $4 AND tender_id = $5 AND answer IS NULL",
        )
        .bind(answer)
        .bind(by)
        .bind(at)
        .bind(id)
        .bind(tender_id)
        .execute(self.connection())
        .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Records the requirements of a tender: (kind, text) in order within each kind.
    pub async fn insert_requirements(&mut self, tender_id: i64, requirements: &[(&str, String)]) -> Result<()> {
        let mut positions = std::collections::BTreeMap::new();
        for (kind, text) in requirements {
            let position = positions.entry(*kind).and_modify(|p| *p += 1).or_insert(1i64);
            sqlx::query("INSERT INTO tender_requirements (tender_id, kind, position, text) VALUES ($1, $2, $3, $4)")
                .bind(tender_id)
                .bind(*kind)
                .bind(*position)
                .bind(text)
                .execute(self.connection())
                .await?;
        }
        Ok(())
    }

    /// Records a bid's answers to the pass/fail questions: (position, yes, evidence); answering
    /// again replaces them.
    pub async fn upsert_bid_answers(
        &mut self,
        tender_id: i64,
        bidder: &str,
        answers: &[(i64, bool, String)],
    ) -> Result<()> {
        for (position, yes, evidence) in answers {
            sqlx::query(
                "INSERT INTO bid_answers (tender_id, bidder, position, answer, evidence) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (tender_id, bidder, position) DO UPDATE SET answer = excluded.answer, evidence = excluded.evidence",
            )
            .bind(tender_id)
            .bind(bidder)
            .bind(position)
            .bind(i64::from(*yes))
            .bind(evidence)
            .execute(self.connection())
            .await?;
        }
        Ok(())
    }

    /// Attaches a document to a bid for a required document; attaching again replaces it.
    pub async fn upsert_bid_document(
        &mut self,
        tender_id: i64,
        bidder: &str,
        position: i64,
        file_name: &str,
        content: &[u8],
        at: i64,
    ) -> Result<()> {
        use base64::Engine as _;
        sqlx::query(
            "INSERT INTO bid_documents (tender_id, bidder, position, file_name, content, size, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tender_id, bidder, position) DO UPDATE SET \
             file_name = excluded.file_name, content = excluded.content, size = excluded.size, uploaded_at = excluded.uploaded_at",
        )
        .bind(tender_id)
        .bind(bidder)
        .bind(position)
        .bind(file_name)
        .bind(base64::engine::general_purpose::STANDARD.encode(content))
        .bind(content.len() as i64)
        .bind(at)
        .execute(self.connection())
        .await?;
        Ok(())
    }
}

impl Store {
    /// A tender's clarifications in the order asked.
    pub async fn clarifications(&self, tender_id: i64) -> Result<Vec<ClarificationRecord>> {
        let rows = sqlx::query(
            "SELECT id, tender_id, asked_by_org, question, asked_at, answer, answered_by, answered_at \
             FROM tender_clarifications WHERE tender_id = $1 ORDER BY id",
        )
        .bind(tender_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ClarificationRecord {
                    id: row.try_get("id")?,
                    tender_id: row.try_get("tender_id")?,
                    asked_by_org: row.try_get("asked_by_org")?,
                    question: row.try_get("question")?,
                    asked_at: row.try_get("asked_at")?,
                    answer: row.try_get("answer")?,
                    answered_by: row.try_get("answered_by")?,
                    answered_at: row.try_get("answered_at")?,
                })
            })
            .collect()
    }

    /// A tender's requirements of one kind, in order.
    pub async fn requirements(&self, tender_id: i64, kind: &str) -> Result<Vec<String>> {
        let rows =
            sqlx::query("SELECT text FROM tender_requirements WHERE tender_id = $1 AND kind = $2 ORDER BY position")
                .bind(tender_id)
                .bind(kind)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(|row| Ok(row.try_get("text")?)).collect()
    }

    /// A bid's answers: (position, yes, evidence). The caller has checked the bid may be read.
    pub async fn bid_answers(&self, tender_id: i64, bidder: &str) -> Result<Vec<(i64, bool, String)>> {
        let rows = sqlx::query(
            "SELECT position, answer, evidence FROM bid_answers WHERE tender_id = $1 AND bidder = $2 ORDER BY position",
        )
        .bind(tender_id)
        .bind(bidder)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let yes: i64 = row.try_get("answer")?;
                Ok((row.try_get("position")?, crate::flag(yes), row.try_get("evidence")?))
            })
            .collect()
    }

    /// A bid's attachments (without their content).
    pub async fn bid_documents(&self, tender_id: i64, bidder: &str) -> Result<Vec<BidDocument>> {
        let rows = sqlx::query(
            "SELECT position, file_name, size, uploaded_at FROM bid_documents WHERE tender_id = $1 AND bidder = $2 \
             ORDER BY position",
        )
        .bind(tender_id)
        .bind(bidder)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(BidDocument {
                    position: row.try_get("position")?,
                    file_name: row.try_get("file_name")?,
                    size: row.try_get("size")?,
                    uploaded_at: row.try_get("uploaded_at")?,
                })
            })
            .collect()
    }
}
