//! Organisations, GP practice list sizes, services and the activity summary shown before
//! full activity monitoring is loaded.

use chrono::NaiveDate;
use sqlx::Row;
use sqlx::any::AnyRow;

use commissioning::org::{OdsCode, OrgKind, Organisation, ProviderType};
use commissioning::period::parse_date;
use commissioning::service::{PointOfDelivery, Service, TreatmentFunction};

use crate::{Result, Store, StoreError, Tx, Value, insert_rows, parse_column, parse_optional_column};

/// Which organisations to list.
#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    pub kind: Option<OrgKind>,
    pub parent: Option<OdsCode>,
    /// Case-insensitive match on the name or code.
    pub search: Option<String>,
}

/// A GP practice with its registered list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeList {
    pub code: OdsCode,
    pub name: String,
    pub registered: i64,
    pub as_of: NaiveDate,
}

/// Activity by provider, point of delivery and month: counts and bed days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivitySummaryRow {
    pub provider: OdsCode,
    pub pod: PointOfDelivery,
    pub month: String,
    pub activity: i64,
    pub los_days: i64,
    pub value_pence: i64,
}

const ORG_COLUMNS: &str = "code, name, kind, provider_type, parent_code, region_code, postcode, opened, closed";

impl Tx {
    /// Inserts organisations or updates those already known (matched by code).
    pub async fn upsert_organisations(&mut self, organisations: &[Organisation]) -> Result<u64> {
        let rows = organisations
            .iter()
            .map(|org| {
                vec![
                    Value::Text(org.code.to_string()),
                    Value::Text(org.name.clone()),
                    Value::Text(org.kind.code().to_owned()),
                    Value::OptText(org.provider_type.map(|t| t.code().to_owned())),
                    Value::OptText(org.parent.as_ref().map(ToString::to_string)),
                    Value::OptText(org.region.clone()),
                    Value::OptText(org.postcode.clone()),
                    Value::OptText(org.opened.map(|d| d.to_string())),
                    Value::OptText(org.closed.map(|d| d.to_string())),
                ]
            })
            .collect::<Vec<_>>();
        insert_rows(
            self.connection(),
            "organisations",
            &ORG_COLUMNS.split(", ").collect::<Vec<_>>(),
            rows,
            "ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
             provider_type = excluded.provider_type, parent_code = excluded.parent_code, \
             region_code = excluded.region_code, postcode = excluded.postcode, \
             opened = excluded.opened, closed = excluded.closed",
        )
        .await
    }

    pub async fn upsert_practice_lists(&mut self, lists: &[(OdsCode, i64, NaiveDate)]) -> Result<u64> {
        let rows = lists
            .iter()
            .map(|(code, registered, as_of)| {
                vec![Value::Text(code.to_string()), Value::Int(*registered), Value::Text(as_of.to_string())]
            })
            .collect::<Vec<_>>();
        insert_rows(
            self.connection(),
            "practice_lists",
            &["practice_code", "registered", "as_of"],
            rows,
            "ON CONFLICT (practice_code) DO UPDATE SET registered = excluded.registered, as_of = excluded.as_of",
        )
        .await
    }

    pub async fn upsert_services(&mut self, services: &[Service]) -> Result<u64> {
        let rows = services
            .iter()
            .map(|service| {
                vec![
                    Value::Text(service.id.clone()),
                    Value::Text(service.name.clone()),
                    Value::Text(service.provider.to_string()),
                    Value::Text(service.pod.code().to_owned()),
                    Value::Int(i64::from(service.tfc.code())),
                ]
            })
            .collect::<Vec<_>>();
        insert_rows(
            self.connection(),
            "services",
            &["id", "name", "provider_code", "pod", "tfc"],
            rows,
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, provider_code = excluded.provider_code, \
             pod = excluded.pod, tfc = excluded.tfc",
        )
        .await
    }

    /// Replaces the whole activity summary of the given providers.
    pub async fn replace_activity_summary(&mut self, rows: &[ActivitySummaryRow]) -> Result<u64> {
        let mut providers: Vec<&OdsCode> = rows.iter().map(|row| &row.provider).collect();
        providers.sort();
        providers.dedup();
        for provider in providers {
            sqlx::query("DELETE FROM activity_summary WHERE provider_code = $1")
                .bind(provider.as_str())
                .execute(&mut *self.connection())
                .await?;
        }
        let values = rows
            .iter()
            .map(|row| {
                vec![
                    Value::Text(row.provider.to_string()),
                    Value::Text(row.pod.code().to_owned()),
                    Value::Text(row.month.clone()),
                    Value::Int(row.activity),
                    Value::Int(row.los_days),
                    Value::Int(row.value_pence),
                ]
            })
            .collect::<Vec<_>>();
        insert_rows(
            self.connection(),
            "activity_summary",
            &["provider_code", "pod", "month", "activity", "los_days", "value_pence"],
            values,
            "",
        )
        .await
    }

    /// Replaces one provider's summary for one month (a resubmitted month).
    pub async fn replace_activity_month(
        &mut self,
        provider: &OdsCode,
        month: &str,
        rows: &[ActivitySummaryRow],
    ) -> Result<u64> {
        sqlx::query("DELETE FROM activity_summary WHERE provider_code = $1 AND month = $2")
            .bind(provider.as_str())
            .bind(month)
            .execute(&mut *self.connection())
            .await?;
        let values = rows
            .iter()
            .filter(|row| row.provider == *provider && row.month == month)
            .map(|row| {
                vec![
                    Value::Text(row.provider.to_string()),
                    Value::Text(row.pod.code().to_owned()),
                    Value::Text(row.month.clone()),
                    Value::Int(row.activity),
                    Value::Int(row.los_days),
                    Value::Int(row.value_pence),
                ]
            })
            .collect::<Vec<_>>();
        insert_rows(
            self.connection(),
            "activity_summary",
            &["provider_code", "pod", "month", "activity", "los_days", "value_pence"],
            values,
            "",
        )
        .await
    }

    /// Records which area a commissioner is responsible for.
    pub async fn set_footprint(&mut self, org: &OdsCode, area: &commissioning::area::AreaCode) -> Result<()> {
        sqlx::query(
            "INSERT INTO footprints (org_code, area_code) VALUES ($1, $2) \
             ON CONFLICT (org_code) DO UPDATE SET area_code = excluded.area_code",
        )
        .bind(org.as_str())
        .bind(area.as_str())
        .execute(&mut *self.connection())
        .await?;
        Ok(())
    }
}

impl Store {
    pub async fn organisation(&self, code: &OdsCode) -> Result<Organisation> {
        let row = sqlx::query(&format!("SELECT {ORG_COLUMNS} FROM organisations WHERE code = $1"))
            .bind(code.as_str())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        organisation_from_row(&row)
    }

    pub async fn organisations(&self, filter: &OrgFilter) -> Result<Vec<Organisation>> {
        let rows = sqlx::query(&format!(
            "SELECT {ORG_COLUMNS} FROM organisations \
             WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR parent_code = $2) \
             AND ($3 = '' OR LOWER(name) LIKE $3 OR LOWER(code) LIKE $3) \
             ORDER BY name, code"
        ))
        .bind(filter.kind.map(OrgKind::code).unwrap_or(""))
        .bind(filter.parent.as_ref().map(OdsCode::as_str).unwrap_or(""))
        .bind(filter.search.as_ref().map(|s| format!("%{}%", s.trim().to_lowercase())).unwrap_or_default())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(organisation_from_row).collect()
    }

    /// How many organisations of each kind are known.
    pub async fn organisation_counts(&self) -> Result<Vec<(OrgKind, i64)>> {
        let rows = sqlx::query("SELECT kind, COUNT(*) AS n FROM organisations GROUP BY kind ORDER BY kind")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| Ok((parse_column(row, "kind", OrgKind::parse)?, row.try_get("n")?))).collect()
    }

    /// GP practices (optionally those under one commissioner) with their list sizes.
    pub async fn practice_lists(&self, parent: Option<&OdsCode>) -> Result<Vec<PracticeList>> {
        let rows = sqlx::query(
            "SELECT o.code, o.name, p.registered, p.as_of FROM practice_lists p \
             JOIN organisations o ON o.code = p.practice_code \
             WHERE ($1 = '' OR o.parent_code = $1) ORDER BY o.name, o.code",
        )
        .bind(parent.map(OdsCode::as_str).unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PracticeList {
                    code: parse_column(row, "code", OdsCode::parse)?,
                    name: row.try_get("name")?,
                    registered: row.try_get("registered")?,
                    as_of: parse_column(row, "as_of", parse_date)?,
                })
            })
            .collect()
    }

    pub async fn services(&self, provider: Option<&OdsCode>) -> Result<Vec<Service>> {
        let rows = sqlx::query(
            "SELECT id, name, provider_code, pod, tfc FROM services WHERE ($1 = '' OR provider_code = $1) \
             ORDER BY provider_code, pod, tfc, id",
        )
        .bind(provider.map(OdsCode::as_str).unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let tfc: i64 = row.try_get("tfc")?;
                Ok(Service {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    provider: parse_column(row, "provider_code", OdsCode::parse)?,
                    pod: parse_column(row, "pod", PointOfDelivery::parse)?,
                    tfc: TreatmentFunction::parse(&format!("{tfc:03}"))
                        .map_err(|error| StoreError::Corrupt(error.to_string()))?,
                })
            })
            .collect()
    }

    pub async fn activity_summary(&self, provider: Option<&OdsCode>) -> Result<Vec<ActivitySummaryRow>> {
        let rows = sqlx::query(
            "SELECT provider_code, pod, month, activity, los_days, value_pence FROM activity_summary \
             WHERE ($1 = '' OR provider_code = $1) ORDER BY provider_code, pod, month",
        )
        .bind(provider.map(OdsCode::as_str).unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ActivitySummaryRow {
                    provider: parse_column(row, "provider_code", OdsCode::parse)?,
                    pod: parse_column(row, "pod", PointOfDelivery::parse)?,
                    month: row.try_get("month")?,
                    activity: row.try_get("activity")?,
                    los_days: row.try_get("los_days")?,
                    value_pence: row.try_get("value_pence")?,
                })
            })
            .collect()
    }

    /// The area a commissioner is responsible for, if recorded.
    pub async fn footprint(&self, org: &OdsCode) -> Result<Option<commissioning::area::AreaCode>> {
        let row = sqlx::query("SELECT area_code FROM footprints WHERE org_code = $1")
            .bind(org.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| parse_column(&row, "area_code", commissioning::area::AreaCode::parse)).transpose()
    }
}

fn organisation_from_row(row: &AnyRow) -> Result<Organisation> {
    Ok(Organisation {
        code: parse_column(row, "code", OdsCode::parse)?,
        name: row.try_get("name")?,
        kind: parse_column(row, "kind", OrgKind::parse)?,
        provider_type: parse_optional_column(row, "provider_type", ProviderType::parse)?,
        parent: parse_optional_column(row, "parent_code", OdsCode::parse)?,
        region: row.try_get("region_code")?,
        postcode: row.try_get("postcode")?,
        opened: parse_optional_column(row, "opened", parse_date)?,
        closed: parse_optional_column(row, "closed", parse_date)?,
    })
}
