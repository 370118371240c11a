//! Prices with effective dates: tariff rows by HRG and point of delivery, and market forces
//! factors by provider. A price applies from `effective_from` to `effective_to` inclusive
//! (open-ended when absent); ranges for the same HRG and point of delivery (or provider)
//! must not overlap, which `app` checks before writing.

use chrono::NaiveDate;
use sqlx::Row;

use commissioning::period::parse_date;

use crate::{Result, Store, Tx, Value, insert_rows, parse_column, parse_optional_column};

/// One tariff price over a date range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TariffRow {
    pub hrg: String,
    pub pod: String,
    pub unit_price_pence: i64,
    pub trim_point_days: Option<i64>,
    pub excess_bed_day_pence: Option<i64>,
    /// The best-practice tariff uplift per spell meeting the audited criteria, if any.
    pub bpt_uplift_pence: Option<i64>,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub source: String,
}

/// One provider's market forces factor over a date range (kept as its exact decimal text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MffRow {
    pub provider_code: String,
    pub mff: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub source: String,
}

impl Tx {
    pub async fn insert_tariff_rows(&mut self, rows: &[TariffRow]) -> Result<u64> {
        let values = rows
            .iter()
            .map(|row| {
                vec![
                    Value::Text(row.hrg.clone()),
                    Value::Text(row.pod.clone()),
                    Value::Int(row.unit_price_pence),
                    Value::OptInt(row.trim_point_days),
                    Value::OptInt(row.excess_bed_day_pence),
                    Value::OptInt(row.bpt_uplift_pence),
                    Value::Text(row.effective_from.to_string()),
                    Value::OptText(row.effective_to.map(|d| d.to_string())),
                    Value::Text(row.source.clone()),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "tariffs",
            &[
                "hrg",
                "pod",
                "unit_price_pence",
                "trim_point_days",
                "excess_bed_day_pence",
                "bpt_uplift_pence",
                "effective_from",
                "effective_to",
                "source",
            ],
            values,
            "",
        )
        .await
    }

    pub async fn insert_mff_rows(&mut self, rows: &[MffRow]) -> Result<u64> {
        let values = rows
            .iter()
            .map(|row| {
                vec![
                    Value::Text(row.provider_code.clone()),
                    Value::Text(row.mff.clone()),
                    Value::Text(row.effective_from.to_string()),
                    Value::OptText(row.effective_to.map(|d| d.to_string())),
                    Value::Text(row.source.clone()),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "mffs",
            &["provider_code", "mff", "effective_from", "effective_to", "source"],
            values,
            "",
        )
        .await
    }
}

impl Store {
    /// Every tariff row (all dates), for overlap checks and listings.
    pub async fn tariff_rows(&self) -> Result<Vec<TariffRow>> {
        let rows = sqlx::query(
            "SELECT hrg, pod, unit_price_pence, trim_point_days, excess_bed_day_pence, bpt_uplift_pence, effective_from, \
             effective_to, source \
             FROM tariffs ORDER BY hrg, pod, effective_from",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TariffRow {
                    hrg: row.try_get("hrg")?,
                    pod: row.try_get("pod")?,
                    unit_price_pence: row.try_get("unit_price_pence")?,
                    trim_point_days: row.try_get("trim_point_days")?,
                    excess_bed_day_pence: row.try_get("excess_bed_day_pence")?,
                    bpt_uplift_pence: row.try_get("bpt_uplift_pence")?,
                    effective_from: parse_column(row, "effective_from", parse_date)?,
                    effective_to: parse_optional_column(row, "effective_to", parse_date)?,
                    source: row.try_get("source")?,
                })
            })
            .collect()
    }

    pub async fn mff_rows(&self) -> Result<Vec<MffRow>> {
        let rows = sqlx::query("SELECT provider_code, mff, effective_from, effective_to, source FROM mffs ORDER BY provider_code, effective_from")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(MffRow {
                    provider_code: row.try_get("provider_code")?,
                    mff: row.try_get("mff")?,
                    effective_from: parse_column(row, "effective_from", parse_date)?,
                    effective_to: parse_optional_column(row, "effective_to", parse_date)?,
                    source: row.try_get("source")?,
                })
            })
            .collect()
    }
}
