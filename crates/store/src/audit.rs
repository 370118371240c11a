//! The append-only, hash-chained audit log.
//!
//! Every state change appends an entry in the same transaction as the change. Each entry
//! stores the hash of the one before it, and its own hash covers its content and that link,
//! so altering or deleting any row breaks the chain at that row; [`Store::verify_audit`]
//! reports the first broken link. Entries are numbered 1, 2, 3… without gaps.

use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Backend, Result, Store, StoreError, Tx};

/// The hash the first entry links to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A change to record: who did what to which object, with the state before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// The user's email, or `system` / `cli:<user>` for batch work.
    pub actor: String,
    pub organisation: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: i64,
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Milliseconds since the epoch, inclusive.
    pub from: Option<i64>,
    /// Milliseconds since the epoch, exclusive.
    pub to: Option<i64>,
    pub limit: i64,
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerification {
    pub n_checked: i64,
    pub head_hash: String,
    pub first_broken: Option<BrokenLink>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

impl Tx {
    /// Appends an entry, chained to the last one. Serialised across connections: SQLite
    /// allows one writer at a time, and on PostgreSQL an advisory lock held to the end of
    /// the transaction keeps two writers from linking to the same predecessor.
    pub async fn audit(&mut self, entry: &AuditEntry, at: i64) -> Result<i64> {
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT CAST(pg_advisory_xact_lock(7304951) AS TEXT)").execute(&mut *self.connection()).await?;
        }
        let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *self.connection())
            .await?;
        let (prev_seq, prev_hash) = match last {
            Some(row) => (row.try_get::<i64, _>("seq")?, row.try_get::<String, _>("hash")?),
            None => (0, GENESIS_HASH.to_owned()),
        };
        let seq = prev_seq + 1;
        let before = entry.before.as_ref().map(serde_json::Value::to_string);
        let after = entry.after.as_ref().map(serde_json::Value::to_string);
        let hash = entry_hash(&prev_hash, seq, at, entry, before.as_deref(), after.as_deref());
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, org_code, action, object_type, object_id, before_json, after_json, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(seq)
        .bind(at)
        .bind(&entry.actor)
        .bind(entry.organisation.as_deref())
        .bind(&entry.action)
        .bind(&entry.object_type)
        .bind(&entry.object_id)
        .bind(before)
        .bind(after)
        .bind(prev_hash)
        .bind(hash)
        .execute(&mut *self.connection())
        .await?;
        Ok(seq)
    }
}

impl Store {
    /// Newest first.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, org_code, action, object_type, object_id, before_json, after_json, prev_hash, hash \
             FROM audit_log WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR object_type = $2) AND ($3 = '' OR object_id = $3) \
             AND at >= $4 AND at < $5 ORDER BY seq DESC LIMIT $6",
        )
        .bind(filter.actor.clone().unwrap_or_default())
        .bind(filter.object_type.clone().unwrap_or_default())
        .bind(filter.object_id.clone().unwrap_or_default())
        .bind(filter.from.unwrap_or(i64::MIN))
        .bind(filter.to.unwrap_or(i64::MAX))
        .bind(if filter.limit > 0 { filter.limit } else { 1000 })
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(record_from_row).collect()
    }

    /// Walks the whole chain in order and reports the first entry whose number, link or hash
    /// is wrong.
    pub async fn verify_audit(&self) -> Result<AuditVerification> {
        let mut expected_seq = 1;
        let mut prev_hash = GENESIS_HASH.to_owned();
        let mut n_checked = 0;
        let batch = 5_000;
        loop {
            let rows = sqlx::query(
                "SELECT seq, at, actor, org_code, action, object_type, object_id, before_json, after_json, prev_hash, hash \
                 FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2",
            )
            .bind(expected_seq)
            .bind(batch)
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                // Read the raw columns: the hash covers the stored text, and a tampered row
                // may no longer even be valid JSON.
                let seq: i64 = row.try_get("seq")?;
                let stored_prev: String = row.try_get("prev_hash")?;
                let stored_hash: String = row.try_get("hash")?;
                let before: Option<String> = row.try_get("before_json")?;
                let after: Option<String> = row.try_get("after_json")?;
                let entry = AuditEntry {
                    actor: row.try_get("actor")?,
                    organisation: row.try_get("org_code")?,
                    action: row.try_get("action")?,
                    object_type: row.try_get("object_type")?,
                    object_id: row.try_get("object_id")?,
                    before: None,
                    after: None,
                };
                let at: i64 = row.try_get("at")?;
                let reason = if seq != expected_seq {
                    Some((expected_seq, format!("entry {expected_seq} is missing (the next entry is {seq})")))
                } else if stored_prev != prev_hash {
                    Some((seq, "does not link to the entry before it".to_owned()))
                } else if entry_hash(&prev_hash, seq, at, &entry, before.as_deref(), after.as_deref()) != stored_hash {
                    Some((seq, "content does not match its hash (altered)".to_owned()))
                } else {
                    None
                };
                if let Some((seq, reason)) = reason {
                    return Ok(AuditVerification {
                        n_checked,
                        head_hash: prev_hash,
                        first_broken: Some(BrokenLink { seq, reason }),
                    });
                }
                prev_hash = stored_hash;
                expected_seq += 1;
                n_checked += 1;
            }
        }
        Ok(AuditVerification { n_checked, head_hash: prev_hash, first_broken: None })
    }
}

fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: i64,
    entry: &AuditEntry,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    for part in [
        prev_hash,
        &seq.to_string(),
        &at.to_string(),
        &entry.actor,
        entry.organisation.as_deref().unwrap_or(""),
        &entry.action,
        &entry.object_type,
        &entry.object_id,
        before.unwrap_or(""),
        after.unwrap_or(""),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    hex::encode(hasher.finalize())
}

fn record_from_row(row: &AnyRow) -> Result<AuditRecord> {
    let parse_json = |column: &str| -> Result<Option<serde_json::Value>> {
        let text: Option<String> = row.try_get(column)?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))).transpose()
    };
    Ok(AuditRecord {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        entry: AuditEntry {
            actor: row.try_get("actor")?,
            organisation: row.try_get("org_code")?,
            action: row.try_get("action")?,
            object_type: row.try_get("object_type")?,
            object_id: row.try_get("object_id")?,
            before: parse_json("before_json")?,
            after: parse_json("after_json")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}
