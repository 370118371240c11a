//! The service catalogue with provision per year, service, provider and area, and travel
//! times from each LSOA to each service. Loading the same key again replaces it.

use sqlx::Row;

use commissioning::plan::provision::ProvisionRow;

use crate::{Result, Store, Tx, Value, insert_rows};

/// One LSOA's travel time to a service.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessTime {
    pub service_code: String,
    pub lsoa_code: String,
    pub minutes: f64,
}

impl Tx {
    pub async fn upsert_provision(&mut self, year: i32, rows: &[ProvisionRow]) -> Result<u64> {
        let values = rows
            .iter()
            .map(|row| {
                vec![
                    Value::Int(i64::from(year)),
                    Value::Text(row.service_code.clone()),
                    Value::Text(row.service_name.clone()),
                    Value::Text(row.need.clone()),
                    Value::Text(row.provider_code.clone()),
                    Value::Text(row.provider_name.clone()),
                    Value::Text(row.area_code.clone()),
                    Value::Text(row.area_name.clone()),
                    Value::OptFloat(row.capacity),
                    Value::Float(row.activity),
                    Value::Int(row.spend_pence),
                    Value::OptFloat(row.waiting_weeks),
                    Value::OptFloat(row.quality),
                    Value::OptFloat(row.feedback),
                    Value::OptFloat(row.qalys),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "service_provision",
            &[
                "year",
                "service_code",
                "service_name",
                "need",
                "provider_code",
                "provider_name",
                "area_code",
                "area_name",
                "capacity",
                "activity",
                "spend_pence",
                "waiting_weeks",
                "quality",
                "feedback",
                "qalys",
            ],
            values,
            "ON CONFLICT (year, service_code, provider_code, area_code) DO UPDATE SET \
             service_name = excluded.service_name, need = excluded.need, provider_name = excluded.provider_name, \
             area_name = excluded.area_name, capacity = excluded.capacity, activity = excluded.activity, \
             spend_pence = excluded.spend_pence, waiting_weeks = excluded.waiting_weeks, \
             quality = excluded.quality, feedback = excluded.feedback, qalys = excluded.qalys",
        )
        .await
    }

    pub async fn upsert_access(&mut self, year: i32, rows: &[AccessTime]) -> Result<u64> {
        let values = rows
            .iter()
            .map(|row| {
                vec![
                    Value::Int(i64::from(year)),
                    Value::Text(row.service_code.clone()),
                    Value::Text(row.lsoa_code.clone()),
                    Value::Float(row.minutes),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "service_access",
            &["year", "service_code", "lsoa_code", "minutes"],
            values,
            "ON CONFLICT (year, service_code, lsoa_code) DO UPDATE SET minutes = excluded.minutes",
        )
        .await
    }
}

impl Store {
    /// The years with provision, newest first.
    pub async fn provision_years(&self) -> Result<Vec<i32>> {
        let rows = sqlx::query("SELECT DISTINCT year FROM service_provision ORDER BY year DESC")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| Ok(i32::try_from(row.try_get::<i64, _>(0)?).unwrap_or_default())).collect()
    }

    /// A year's provision, by service, provider and area.
    pub async fn provision(&self, year: i32) -> Result<Vec<ProvisionRow>> {
        let rows = sqlx::query(
            "SELECT service_code, service_name, need, provider_code, provider_name, area_code, area_name, \
             capacity, activity, spend_pence, waiting_weeks, quality, feedback, qalys FROM service_provision \
             WHERE year = $1 ORDER BY service_code, provider_code, area_code",
        )
        .bind(i64::from(year))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ProvisionRow {
                    service_code: row.try_get(0)?,
                    service_name: row.try_get(1)?,
                    need: row.try_get(2)?,
                    provider_code: row.try_get(3)?,
                    provider_name: row.try_get(4)?,
                    area_code: row.try_get(5)?,
                    area_name: row.try_get(6)?,
                    capacity: row.try_get(7)?,
                    activity: row.try_get(8)?,
                    spend_pence: row.try_get(9)?,
                    waiting_weeks: row.try_get(10)?,
                    quality: row.try_get(11)?,
                    feedback: row.try_get(12)?,
                    qalys: row.try_get(13)?,
                })
            })
            .collect()
    }

    /// A year's travel times.
    pub async fn access_times(&self, year: i32) -> Result<Vec<AccessTime>> {
        let rows = sqlx::query(
            "SELECT service_code, lsoa_code, minutes FROM service_access WHERE year = $1 \
             ORDER BY service_code, lsoa_code",
        )
        .bind(i64::from(year))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AccessTime { service_code: row.try_get(0)?, lsoa_code: row.try_get(1)?, minutes: row.try_get(2)? })
            })
            .collect()
    }
}
