//! RTT completed pathways by weeks waited, per month, pathway, provider and treatment
//! function. Loading the same key again replaces it.

use sqlx::Row;

use crate::{Result, Store, Tx, Value, insert_rows};

/// One provider's month of one treatment function and pathway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RttRow {
    /// The month's first day, `YYYY-MM-01`.
    pub period: String,
    pub pathway: String,
    pub provider_code: String,
    pub provider_name: String,
    pub region_code: String,
    pub treatment_function_code: String,
    pub treatment_function_name: String,
    /// The 105 weekly bands.
    pub bands: Vec<u64>,
    pub completed_all: i64,
}

impl Tx {
    pub async fn upsert_rtt_pathways(&mut self, rows: &[RttRow]) -> Result<u64> {
        let values = rows
            .iter()
            .map(|row| {
                vec![
                    Value::Text(row.period.clone()),
                    Value::Text(row.pathway.clone()),
                    Value::Text(row.provider_code.clone()),
                    Value::Text(row.provider_name.clone()),
                    Value::Text(row.region_code.clone()),
                    Value::Text(row.treatment_function_code.clone()),
                    Value::Text(row.treatment_function_name.clone()),
                    Value::Text(row.bands.iter().map(u64::to_string).collect::<Vec<_>>().join(",")),
                    Value::Int(row.completed_all),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "rtt_pathways",
            &[
                "period",
                "pathway",
                "provider_code",
                "provider_name",
                "region_code",
                "treatment_function_code",
                "treatment_function_name",
                "bands",
                "completed_all",
            ],
            values,
            "ON CONFLICT (period, pathway, provider_code, treatment_function_code) DO UPDATE SET \
             provider_name = excluded.provider_name, region_code = excluded.region_code, \
             treatment_function_name = excluded.treatment_function_name, bands = excluded.bands, \
             completed_all = excluded.completed_all",
        )
        .await
    }
}

impl Store {
    /// The months held, newest first.
    pub async fn rtt_periods(&self) -> Result<Vec<String>> {
        let rows =
            sqlx::query("SELECT DISTINCT period FROM rtt_pathways ORDER BY period DESC").fetch_all(self.pool()).await?;
        rows.iter().map(|row| Ok(row.try_get::<String, _>(0)?)).collect()
    }

    /// One month's rows, of one provider or all, by provider, treatment function and pathway.
    pub async fn rtt_pathways(&self, period: &str, provider: Option<&str>) -> Result<Vec<RttRow>> {
        let rows = sqlx::query(
            "SELECT period, pathway, provider_code, provider_name, region_code, treatment_function_code, \
             treatment_function_name, bands, completed_all FROM rtt_pathways \
             WHERE period = $1 AND ($2 = '' OR provider_code = $2) \
             ORDER BY provider_code, treatment_function_code, pathway",
        )
        .bind(period)
        .bind(provider.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let bands: String = row.try_get(7)?;
                Ok(RttRow {
                    period: row.try_get(0)?,
                    pathway: row.try_get(1)?,
                    provider_code: row.try_get(2)?,
                    provider_name: row.try_get(3)?,
                    region_code: row.try_get(4)?,
                    treatment_function_code: row.try_get(5)?,
                    treatment_function_name: row.try_get(6)?,
                    bands: bands.split(',').map(|b| b.parse().unwrap_or(0)).collect(),
                    completed_all: row.try_get(8)?,
                })
            })
            .collect()
    }
}
