//! Procurement records: Provider Selection Regime route decisions, kept whole as decided;
//! tenders with their published criteria; and bids, which this module stores but never
//! judges who may read (the app checks the sealed-bid rule first).

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, Tx};

/// A route decision as stored: the answers as JSON text, the allowed processes as their
/// codes joined by commas, and the reasons one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    pub id: i64,
    pub title: String,
    pub cpv: String,
    pub answers: String,
    pub allowed: String,
    pub reasons: String,
    pub chosen: String,
    pub rationale: String,
    pub decided_by: String,
    pub decided_at: i64,
    /// The commissioner that decided (its ODS code; empty on records made before it was kept).
    pub buyer: String,
}

const COLUMNS: &str = "id, title, cpv, answers, allowed, reasons, chosen, rationale, decided_by, decided_at, COALESCE(buyer, '') AS buyer";

impl Tx {
    /// Records a decision (its `id` is ignored), returning its id.
    pub async fn insert_decision(&mut self, decision: &DecisionRecord) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO procurement_decisions (title, cpv, answers, allowed, reasons, chosen, rationale, decided_by, \
             decided_at, buyer) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&decision.title)
        .bind(&decision.cpv)
        .bind(&decision.answers)
        .bind(&decision.allowed)
        .bind(&decision.reasons)
        .bind(&decision.chosen)
        .bind(&decision.rationale)
        .bind(&decision.decided_by)
        .bind(decision.decided_at)
        .bind(&decision.buyer)
        .fetch_one(self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }
}

impl Store {
    /// Every decision, newest first.
    pub async fn decisions(&self) -> Result<Vec<DecisionRecord>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM procurement_decisions ORDER BY id DESC"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(decision_from_row).collect()
    }

    pub async fn decision(&self, id: i64) -> Result<DecisionRecord> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM procurement_decisions WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        decision_from_row(&row)
    }
}

fn decision_from_row(row: &AnyRow) -> Result<DecisionRecord> {
    Ok(DecisionRecord {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        cpv: row.try_get("cpv")?,
        answers: row.try_get("answers")?,
        allowed: row.try_get("allowed")?,
        reasons: row.try_get("reasons")?,
        chosen: row.try_get("chosen")?,
        rationale: row.try_get("rationale")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        buyer: row.try_get("buyer")?,
    })
}

/// A tender as stored (stage, formula and weight as their text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderRecord {
    pub id: i64,
    pub title: String,
    pub process: String,
    pub stage: String,
    /// UTC, `YYYY-MM-DDTHH:MM`.
    pub deadline: String,
    pub price_weight: String,
    pub price_formula: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// The commissioner running it (its ODS code; empty on records made before it was kept).
    pub buyer: String,
    /// When it was published (milliseconds), once it has been.
    pub published_at: Option<i64>,
    /// The day the contract was awarded (`YYYY-MM-DD`), once it has been.
    pub awarded_on: Option<String>,
    /// For a lot: the first lot's tender and this lot's number.
    pub lot: Option<(i64, i64)>,
    /// The specification it buys.
    pub specification: Option<i64>,
}

/// A weighted quality criterion of a tender, published with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionRecord {
    pub position: i64,
    pub name: String,
    pub weight: String,
    pub minimum: i64,
}

/// A bidder's bid (one per bidder and tender).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidRecord {
    pub tender_id: i64,
    pub bidder: String,
    pub price_pence: i64,
    pub response: String,
    pub submitted_by: String,
    pub submitted_at: i64,
}

const TENDER_COLUMNS: &str = "id, title, process, stage, deadline, price_weight, price_formula, created_by, created_at, updated_at, \
     COALESCE(buyer, '') AS buyer, published_at, awarded_on, lot_of, lot_number, specification_id";

impl Tx {
    /// Records a tender with its criteria, returning its id.
    pub async fn insert_tender(&mut self, tender: &TenderRecord, criteria: &[CriterionRecord]) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO tenders (title, process, stage, deadline, price_weight, price_formula, created_by, created_at, \
             updated_at, buyer, specification_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(&tender.title)
        .bind(&tender.process)
        .bind(&tender.stage)
        .bind(&tender.deadline)
        .bind(&tender.price_weight)
        .bind(&tender.price_formula)
        .bind(&tender.created_by)
        .bind(tender.created_at)
        .bind(tender.updated_at)
        .bind(&tender.buyer)
        .bind(tender.specification)
        .fetch_one(self.connection())
        .await?;
        let id: i64 = row.try_get("id")?;
        for criterion in criteria {
            sqlx::query(
                "INSERT INTO tender_criteria (tender_id, position, name, weight, minimum) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(criterion.position)
            .bind(&criterion.name)
            .bind(&criterion.weight)
            .bind(criterion.minimum)
            .execute(self.connection())
            .await?;
        }
        Ok(id)
    }

    /// Moves a tender to `to`, only if it is still at `from`.
    pub async fn update_tender_stage(&mut self, id: i64, from: &str, to: &str, at: i64) -> Result<()> {
        let result = sqlx::query("UPDATE tenders SET stage = $1, updated_at = $2 WHERE id = $3 AND stage = $4")
            .bind(to)
            .bind(at)
            .bind(id)
            .bind(from)
            .execute(self.connection())
            .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Marks a tender as lot `number` of the tender `of` (the first lot's).
    pub async fn set_tender_lot(&mut self, id: i64, of: i64, number: i64) -> Result<()> {
        sqlx::query("UPDATE tenders SET lot_of = $1, lot_number = $2 WHERE id = $3")
            .bind(of)
            .bind(number)
            .bind(id)
            .execute(self.connection())
            .await?;
        Ok(())
    }

    /// Records when a tender was first published.
    pub async fn set_tender_published(&mut self, id: i64, at: i64) -> Result<()> {
        sqlx::query("UPDATE tenders SET published_at = $1 WHERE id = $2 AND published_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(self.connection())
            .await?;
        Ok(())
    }

    /// Records a bid; the bidder's earlier bid for the tender is replaced.
    pub async fn upsert_bid(&mut self, bid: &BidRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO tender_bids (tender_id, bidder, price_pence, response, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tender_id, bidder) DO UPDATE SET \
             price_pence = excluded.price_pence, response = excluded.response, submitted_by = excluded.submitted_by, \
             submitted_at = excluded.submitted_at",
        )
        .bind(bid.tender_id)
        .bind(&bid.bidder)
        .bind(bid.price_pence)
        .bind(&bid.response)
        .bind(&bid.submitted_by)
        .bind(bid.submitted_at)
        .execute(self.connection())
        .await?;
        Ok(())
    }
}

impl Store {
    /// The (id, title) of every lot of the tender whose first lot is `of`, in lot order.
    pub async fn lots(&self, of: i64) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query("SELECT id, title FROM tenders WHERE lot_of = $1 ORDER BY lot_number")
            .bind(of)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| Ok((row.try_get("id")?, row.try_get("title")?))).collect()
    }

    /// Every tender, newest first.
    pub async fn tenders(&self) -> Result<Vec<TenderRecord>> {
        let rows = sqlx::query(&format!("SELECT {TENDER_COLUMNS} FROM tenders ORDER BY id DESC"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(tender_from_row).collect()
    }

    pub async fn tender(&self, id: i64) -> Result<TenderRecord> {
        let row = sqlx::query(&format!("SELECT {TENDER_COLUMNS} FROM tenders WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        tender_from_row(&row)
    }

    pub async fn tender_criteria(&self, id: i64) -> Result<Vec<CriterionRecord>> {
        let rows = sqlx::query(
            "SELECT position, name, weight, minimum FROM tender_criteria WHERE tender_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CriterionRecord {
                    position: row.try_get("position")?,
                    name: row.try_get("name")?,
                    weight: row.try_get("weight")?,
                    minimum: row.try_get("minimum")?,
                })
            })
            .collect()
    }

    /// A tender's bids by bidder: of every bidder, or of one. The caller has checked that
    /// they may be read.
    pub async fn bids(&self, tender_id: i64, bidder: Option<&str>) -> Result<Vec<BidRecord>> {
        let select = "SELECT tender_id, bidder, price_pence, response, submitted_by, submitted_at FROM tender_bids \
                      WHERE tender_id = $1";
        let rows = match bidder {
            Some(bidder) => {
                sqlx::query(&format!("{select} AND bidder = $2 ORDER BY bidder"))
                    .bind(tender_id)
                    .bind(bidder)
                    .fetch_all(self.pool())
                    .await?
            }
            None => sqlx::query(&format!("{select} ORDER BY bidder")).bind(tender_id).fetch_all(self.pool()).await?,
        };
        rows.iter()
            .map(|row| {
                Ok(BidRecord {
                    tender_id: row.try_get("tender_id")?,
                    bidder: row.try_get("bidder")?,
                    price_pence: row.try_get("price_pence")?,
                    response: row.try_get("response")?,
                    submitted_by: row.try_get("submitted_by")?,
                    submitted_at: row.try_get("submitted_at")?,
                })
            })
            .collect()
    }

    /// How many bids a tender has (which may be known while they are sealed).
    pub async fn bid_count(&self, tender_id: i64) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM tender_bids WHERE tender_id = $1")
            .bind(tender_id)
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }
}

fn tender_from_row(row: &AnyRow) -> Result<TenderRecord> {
    Ok(TenderRecord {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        process: row.try_get("process")?,
        stage: row.try_get("stage")?,
        deadline: row.try_get("deadline")?,
        price_weight: row.try_get("price_weight")?,
        price_formula: row.try_get("price_formula")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        buyer: row.try_get("buyer")?,
        published_at: row.try_get("published_at")?,
        awarded_on: row.try_get("awarded_on")?,
        lot: match (row.try_get::<Option<i64>, _>("lot_of")?, row.try_get::<Option<i64>, _>("lot_number")?) {
            (Some(of), Some(number)) => Some((of, number)),
            _ => None,
        },
        specification: row.try_get("specification_id")?,
    })
}

/// An evaluator's declaration of interests for a tender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationRecord {
    pub tender_id: i64,
    pub user_id: i64,
    pub name: String,
    pub has_conflict: bool,
    pub details: String,
    /// How a declared conflict is managed (empty when none is declared).
    pub management: String,
    pub declared_at: i64,
}

/// One evaluator's score (0–5) of one bid on one criterion, or (with `user_id` 0) the
/// moderated consensus with its reason in `comment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRecord {
    pub tender_id: i64,
    pub bidder: String,
    pub position: i64,
    pub user_id: i64,
    pub name: String,
    pub score: i64,
    pub comment: String,
    pub at: i64,
}

impl Tx {
    /// Records a declaration; declaring again replaces it.
    pub async fn upsert_declaration(&mut self, d: &DeclarationRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO tender_declarations (tender_id, user_id, name, has_conflict, details, management, declared_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tender_id, user_id) DO UPDATE SET name = excluded.name, \
             has_conflict = excluded.has_conflict, details = excluded.details, management = excluded.management, \
             declared_at = excluded.declared_at",
        )
        .bind(d.tender_id)
        .bind(d.user_id)
        .bind(&d.name)
        .bind(i64::from(d.has_conflict))
        .bind(&d.details)
        .bind(&d.management)
        .bind(d.declared_at)
        .execute(self.connection())
        .await?;
        Ok(())
    }

    /// Records an evaluator's scores; scoring again replaces them.
    pub async fn upsert_scores(&mut self, scores: &[ScoreRecord]) -> Result<()> {
        for s in scores {
            sqlx::query(
                "INSERT INTO tender_scores (tender_id, bidder, position, user_id, name, score, comment, scored_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tender_id, bidder, position, user_id) DO UPDATE \
                 SET name = excluded.name, score = excluded.score, comment = excluded.comment, scored_at = excluded.scored_at",
            )
            .bind(s.tender_id)
            .bind(&s.bidder)
            .bind(s.position)
            .bind(s.user_id)
            .bind(&s.name)
            .bind(s.score)
            .bind(&s.comment)
            .bind(s.at)
            .execute(self.connection())
            .await?;
        }
        Ok(())
    }

    /// Records moderated consensus scores (`user_id` ignored, `comment` the reason).
    pub async fn upsert_moderated(&mut self, scores: &[ScoreRecord]) -> Result<()> {
        for s in scores {
            sqlx::query(
                "INSERT INTO tender_moderated_scores (tender_id, bidder, position, score, reason, moderated_by, \
                 moderated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tender_id, bidder, position) DO UPDATE \
                 SET score = excluded.score, reason = excluded.reason, moderated_by = excluded.moderated_by, \
                 moderated_at = excluded.moderated_at",
            )
            .bind(s.tender_id)
            .bind(&s.bidder)
            .bind(s.position)
            .bind(s.score)
            .bind(&s.comment)
            .bind(&s.name)
            .bind(s.at)
            .execute(self.connection())
            .await?;
        }
        Ok(())
    }
}

impl Store {
    pub async fn declarations(&self, tender_id: i64) -> Result<Vec<DeclarationRecord>> {
        let rows = sqlx::query(
            "SELECT tender_id, user_id, name, has_conflict, details, management, declared_at FROM tender_declarations \
             WHERE tender_id = $1 ORDER BY user_id",
        )
        .bind(tender_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let conflict: i64 = row.try_get("has_conflict")?;
                Ok(DeclarationRecord {
                    tender_id: row.try_get("tender_id")?,
                    user_id: row.try_get("user_id")?,
                    name: row.try_get("name")?,
                    has_conflict: crate::flag(conflict),
                    details: row.try_get("details")?,
                    management: row.try_get("management")?,
                    declared_at: row.try_get("declared_at")?,
                })
            })
            .collect()
    }

    /// Every evaluator's scores of a tender, by bidder, criterion and evaluator.
    pub async fn scores(&self, tender_id: i64) -> Result<Vec<ScoreRecord>> {
        let rows = sqlx::query(
            "SELECT tender_id, bidder, position, user_id, name, score, comment, scored_at AS at FROM tender_scores \
             WHERE tender_id = $1 ORDER BY bidder, position, user_id",
        )
        .bind(tender_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(score_from_row).collect()
    }

    /// The moderated scores of a tender, by bidder and criterion.
    pub async fn moderated(&self, tender_id: i64) -> Result<Vec<ScoreRecord>> {
        let rows = sqlx::query(
            "SELECT tender_id, bidder, position, CAST(0 AS BIGINT) AS user_id, moderated_by AS name, score, reason AS comment, \
             moderated_at AS at FROM tender_moderated_scores WHERE tender_id = $1 ORDER BY bidder, position",
        )
        .bind(tender_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(score_from_row).collect()
    }
}

fn score_from_row(row: &AnyRow) -> Result<ScoreRecord> {
    Ok(ScoreRecord {
        tender_id: row.try_get("tender_id")?,
        bidder: row.try_get("bidder")?,
        position: row.try_get("position")?,
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        score: row.try_get("score")?,
        comment: row.try_get("comment")?,
        at: row.try_get("at")?,
    })
}

/// Where a tender's award stands: the intended provider and the notice's publication, the
/// review decision on any representations, and the contract created (dates `YYYY-MM-DD`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwardRecord {
    pub intended_provider: Option<String>,
    pub intention_published: Option<String>,
    pub review_decision: Option<String>,
    pub contract_id: Option<String>,
    /// (provider, received on, summary) of each representation, in the order received.
    pub representations: Vec<(String, String, String)>,
}

impl Tx {
    /// Records the intention to award and moves the tender on, only from `from`.
    pub async fn record_intention(
        &mut self,
        id: i64,
        from: &str,
        to: &str,
        provider: &str,
        published: &str,
        at: i64,
    ) -> Result<()> {
        let result = sqlx::query(
            "UPDATE tenders SET stage = $1, intended_provider = $2, intention_published = $3, updated_at = $4 \
             WHERE id = $5 AND stage = $6",
        )
        .bind(to)
        .bind(provider)
        .bind(published)
        .bind(at)
        .bind(id)
        .bind(from)
        .execute(self.connection())
        .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub async fn insert_representation(
        &mut self,
        id: i64,
        provider: &str,
        received_on: &str,
        summary: &str,
        by: &str,
        at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO tender_representations (tender_id, provider, received_on, summary, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(provider)
        .bind(received_on)
        .bind(summary)
        .bind(by)
        .bind(at)
        .execute(self.connection())
        .await?;
        Ok(())
    }

    pub async fn set_review_decision(&mut self, id: i64, decided_on: &str) -> Result<()> {
        sqlx::query("UPDATE tenders SET review_decision = $1 WHERE id = $2")
            .bind(decided_on)
            .bind(id)
            .execute(self.connection())
            .await?;
        Ok(())
    }

    /// Marks the tender awarded on `awarded_on` with the contract it created, only from `from`.
    pub async fn record_award(
        &mut self,
        id: i64,
        (from, to): (&str, &str),
        contract_id: &str,
        awarded_on: &str,
        at: i64,
    ) -> Result<()> {
        let result = sqlx::query(
            "UPDATE tenders SET stage = $1, contract_id = $2, awarded_on = $3, updated_at = $4 WHERE id = $5 \
             AND stage = $6",
        )
        .bind(to)
        .bind(contract_id)
        .bind(awarded_on)
        .bind(at)
        .bind(id)
        .bind(from)
        .execute(self.connection())
        .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}

impl Store {
    pub async fn award(&self, id: i64) -> Result<AwardRecord> {
        let row = sqlx::query(
            "SELECT intended_provider, intention_published, review_decision, contract_id FROM tenders WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        let representations = sqlx::query(
            "SELECT provider, received_on, summary FROM tender_representations WHERE tender_id = $1 ORDER BY received_on, id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("provider")?, r.try_get("received_on")?, r.try_get("summary")?)))
        .collect::<Result<Vec<_>>>()?;
        Ok(AwardRecord {
            intended_provider: row.try_get("intended_provider")?,
            intention_published: row.try_get("intention_published")?,
            review_decision: row.try_get("review_decision")?,
            contract_id: row.try_get("contract_id")?,
            representations,
        })
    }
}

/// An OCDS release imported from another publisher: the facts read from it (dates
/// `YYYY-MM-DD`, values in pence) and the release itself as JSON text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OcdsReleaseRecord {
    pub ocid: String,
    pub release_id: String,
    pub release_date: String,
    /// The release's tags joined by commas.
    pub tags: String,
    pub buyer: String,
    pub title: String,
    pub cpv: String,
    pub method: Option<String>,
    pub method_details: Option<String>,
    pub tender_start: Option<String>,
    pub tender_end: Option<String>,
    pub number_of_tenderers: Option<i64>,
    pub value_pence: Option<i64>,
    pub award_date: Option<String>,
    pub award_value_pence: Option<i64>,
    /// The suppliers of the release's awards joined by "; ".
    pub suppliers: String,
    pub standstill_end: Option<String>,
    /// The file it came from.
    pub source: String,
    pub body: String,
    pub imported_at: i64,
}

const OCDS_COLUMNS: [&str; 20] = [
    "ocid",
    "release_id",
    "release_date",
    "tags",
    "buyer",
    "title",
    "cpv",
    "method",
    "method_details",
    "tender_start",
    "tender_end",
    "number_of_tenderers",
    "value_pence",
    "award_date",
    "award_value_pence",
    "suppliers",
    "standstill_end",
    "source",
    "body",
    "imported_at",
];

impl Tx {
    /// Records imported releases; a release already held (same ocid and id) is replaced.
    pub async fn upsert_ocds_releases(&mut self, releases: &[OcdsReleaseRecord]) -> Result<u64> {
        use crate::Value;
        let rows = releases
            .iter()
            .map(|r| {
                vec![
                    Value::Text(r.ocid.clone()),
                    Value::Text(r.release_id.clone()),
                    Value::Text(r.release_date.clone()),
                    Value::Text(r.tags.clone()),
                    Value::Text(r.buyer.clone()),
                    Value::Text(r.title.clone()),
                    Value::Text(r.cpv.clone()),
                    Value::OptText(r.method.clone()),
                    Value::OptText(r.method_details.clone()),
                    Value::OptText(r.tender_start.clone()),
                    Value::OptText(r.tender_end.clone()),
                    Value::OptInt(r.number_of_tenderers),
                    Value::OptInt(r.value_pence),
                    Value::OptText(r.award_date.clone()),
                    Value::OptInt(r.award_value_pence),
                    Value::Text(r.suppliers.clone()),
                    Value::OptText(r.standstill_end.clone()),
                    Value::Text(r.source.clone()),
                    Value::Text(r.body.clone()),
                    Value::Int(r.imported_at),
                ]
            })
            .collect();
        let updates: Vec<String> = OCDS_COLUMNS[2..].iter().map(|c| format!("{c} = excluded.{c}")).collect();
        crate::insert_rows(
            self.connection(),
            "ocds_releases",
            &OCDS_COLUMNS,
            rows,
            &format!("ON CONFLICT (ocid, release_id) DO UPDATE SET {}", updates.join(", ")),
        )
        .await
    }
}

impl Store {
    /// Every imported release, by ocid and release date.
    pub async fn ocds_releases(&self) -> Result<Vec<OcdsReleaseRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM ocds_releases ORDER BY ocid, release_date, release_id",
            OCDS_COLUMNS.join(", ")
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(OcdsReleaseRecord {
                    ocid: row.try_get("ocid")?,
                    release_id: row.try_get("release_id")?,
                    release_date: row.try_get("release_date")?,
                    tags: row.try_get("tags")?,
                    buyer: row.try_get("buyer")?,
                    title: row.try_get("title")?,
                    cpv: row.try_get("cpv")?,
                    method: row.try_get("method")?,
                    method_details: row.try_get("method_details")?,
                    tender_start: row.try_get("tender_start")?,
                    tender_end: row.try_get("tender_end")?,
                    number_of_tenderers: row.try_get("number_of_tenderers")?,
                    value_pence: row.try_get("value_pence")?,
                    award_date: row.try_get("award_date")?,
                    award_value_pence: row.try_get("award_value_pence")?,
                    suppliers: row.try_get("suppliers")?,
                    standstill_end: row.try_get("standstill_end")?,
                    source: row.try_get("source")?,
                    body: row.try_get("body")?,
                    imported_at: row.try_get("imported_at")?,
                })
            })
            .collect()
    }
}
