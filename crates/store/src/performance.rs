//! Performance against national standards: numerator and denominator per organisation,
//! metric and month, as the source reports them. Loading the same key again replaces it.

use sqlx::Row;

use crate::{Result, Store, Tx, Value, insert_rows};

/// One organisation's month of a metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerformanceRow {
    pub org_code: String,
    pub metric: String,
    /// The month's first day, `YYYY-MM-01`.
    pub period: String,
    pub numerator: i64,
    pub denominator: i64,
    pub source: String,
    /// The organisation's name as the source gives it (empty when it gives none).
    pub org_name: String,
}

impl Tx {
    pub async fn upsert_performance(&mut self, rows: &[PerformanceRow]) -> Result<u64> {
        let values = rows
            .iter()
            .map(|row| {
                vec![
                    Value::Text(row.org_code.clone()),
                    Value::Text(row.metric.clone()),
                    Value::Text(row.period.clone()),
                    Value::Int(row.numerator),
                    Value::Int(row.denominator),
                    Value::Text(row.source.clone()),
                    Value::Text(row.org_name.clone()),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "performance_measures",
            &["org_code", "metric", "period", "numerator", "denominator", "source", "org_name"],
            values,
            "ON CONFLICT (org_code, metric, period) DO UPDATE SET numerator = excluded.numerator, \
             denominator = excluded.denominator, source = excluded.source, org_name = excluded.org_name",
        )
        .await
    }
}

impl Store {
    /// A metric's rows, of one organisation or all, by organisation and period.
    pub async fn performance(&self, metric: &str, org_code: Option<&str>) -> Result<Vec<PerformanceRow>> {
        let rows = sqlx::query(
            "SELECT org_code, metric, period, numerator, denominator, source, org_name FROM performance_measures \
             WHERE metric = $1 AND ($2 = '' OR org_code = $2) ORDER BY org_code, period",
        )
        .bind(metric)
        .bind(org_code.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PerformanceRow {
                    org_code: row.try_get("org_code")?,
                    metric: row.try_get("metric")?,
                    period: row.try_get("period")?,
                    numerator: row.try_get("numerator")?,
                    denominator: row.try_get("denominator")?,
                    source: row.try_get("source")?,
                    org_name: row.try_get("org_name")?,
                })
            })
            .collect()
    }

    /// The metrics held, with how many organisations report each.
    pub async fn performance_metrics(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT metric, COUNT(DISTINCT org_code) AS n FROM performance_measures GROUP BY metric ORDER BY metric",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|row| Ok((row.try_get("metric")?, row.try_get("n")?))).collect()
    }
}
