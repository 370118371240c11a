//! Portable backups: every table dumped to one JSON document, restorable into an empty store
//! on either backend (so a backup is also the way to move from SQLite to PostgreSQL).

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Backend, Result, Store, StoreError};

/// Every table, parents before children, so that a restore never breaks a foreign key.
/// The contract suite checks this list against the live schema.
pub const TABLES: &[&str] = &[
    "organisations",
    "areas",
    "deprivation",
    "population",
    "practice_lists",
    "footprints",
    "services",
    "activity_summary",
    "users",
    "user_roles",
    "sessions",
    "audit_log",
    "imports",
    "api_tokens",
    "activity_submissions",
    "tariffs",
    "mffs",
    "activity_challenges",
    "activity_plans",
    "activity_tolerances",
    "activity_queries",
    "indicator_definitions",
    "needs_measures",
    "contracts",
    "invoices",
    "contract_variations",
    "contract_cquin_indicators",
    "contract_service_lines",
    "contract_kpis",
    "contract_kpi_results",
    "contract_documents",
    "contract_bpt_attainment",
    "performance_measures",
    "rtt_pathways",
    "service_provision",
    "service_access",
    "priority_workshops",
    "priority_options",
    "priority_scores",
    "priority_decisions",
    "strategy_plans",
    "strategy_plan_versions",
    "strategy_objectives",
    "strategy_plan_schedules",
    "strategy_assessments",
    "strategy_assessment_items",
    "stakeholders",
    "consultations",
    "consultation_invitees",
    "consultation_responses",
    "consultation_outcomes",
    "programmes",
    "contract_notices",
    "contract_notice_events",
    "contract_quality_returns",
    "contract_evaluations",
    "contract_notice_milestones",
    "procurement_decisions",
    "specifications",
    "specification_versions",
    "service_changes",
    "tenders",
    "tender_criteria",
    "tender_bids",
    "tender_declarations",
    "tender_scores",
    "tender_moderated_scores",
    "tender_representations",
    "tender_clarifications",
    "tender_requirements",
    "bid_answers",
    "bid_documents",
    "accreditation_schemes",
    "accreditation_applications",
    "ocds_releases",
];

/// What a backup file holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Backup {
    pub format: String,
    pub schema_version: i64,
    pub created_at: i64,
    pub tables: Vec<TableDump>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableDump {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<serde_json::Value>>,
}

pub const BACKUP_FORMAT: &str = "commissioner-backup-1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    Integer,
    Real,
    Text,
}

impl Store {
    /// Reads every table into memory. Consistent: it reads inside one transaction.
    pub async fn backup(&self, created_at: i64) -> Result<Backup> {
        let mut tx = self.pool().begin().await?;
        let mut tables = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let columns = self.columns(table).await?;
            let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
            let rows = sqlx::query(&format!("SELECT {} FROM {table} ORDER BY 1", names.join(", ")))
                .fetch_all(&mut *tx)
                .await?;
            let rows = rows.iter().map(|row| dump_row(row, &columns)).collect::<Result<Vec<_>>>()?;
            tables.push(TableDump {
                name: (*table).to_owned(),
                columns: names.iter().map(|n| (*n).to_owned()).collect(),
                rows,
            });
        }
        tx.commit().await?;
        Ok(Backup { format: BACKUP_FORMAT.to_owned(), schema_version: self.schema_version(), created_at, tables })
    }

    /// Loads a backup into this store, which must be empty, in one transaction.
    pub async fn restore(&self, backup: &Backup) -> Result<u64> {
        if backup.format != BACKUP_FORMAT {
            return Err(StoreError::Config(format!("not a Commissioner backup (format '{}')", backup.format)));
        }
        if backup.schema_version != self.schema_version() {
            return Err(StoreError::Config(format!(
                "the backup is of schema version {} but this build has version {}",
                backup.schema_version,
                self.schema_version()
            )));
        }
        let mut tx = self.begin().await?;
        for table in TABLES {
            let row =
                sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(&mut *tx.connection()).await?;
            let n: i64 = row.try_get("n")?;
            if n > 0 {
                return Err(StoreError::Config(format!(
                    "restore needs an empty store, but table {table} has {n} rows"
                )));
            }
        }
        let mut n_rows = 0;
        for dump in &backup.tables {
            if !TABLES.contains(&dump.name.as_str()) {
                return Err(StoreError::Config(format!("the backup has an unknown table '{}'", dump.name)));
            }
            let types = self.columns(&dump.name).await?;
            let column_types = dump
                .columns
                .iter()
                .map(|column| {
                    types
                        .iter()
                        .find(|(name, _)| name == column)
                        .map(|(_, column_type)| *column_type)
                        .ok_or_else(|| StoreError::Config(format!("table {} has no column {column}", dump.name)))
                })
                .collect::<Result<Vec<_>>>()?;
            let placeholders: Vec<String> = (1..=dump.columns.len()).map(|i| format!("${i}")).collect();
            let sql =
                format!("INSERT INTO {} ({}) VALUES ({})", dump.name, dump.columns.join(", "), placeholders.join(", "));
            for values in &dump.rows {
                let mut query = sqlx::query(&sql);
                for (value, column_type) in values.iter().zip(&column_types) {
                    query = match column_type {
                        ColumnType::Integer => query.bind(value.as_i64()),
                        ColumnType::Real => query.bind(value.as_f64()),
                        ColumnType::Text => query.bind(value.as_str().map(str::to_owned)),
                    };
                }
                query.execute(&mut *tx.connection()).await?;
                n_rows += 1;
            }
        }
        if self.backend() == Backend::Postgres {
            // Every restored table with an identity id carries on numbering after its rows.
            let identity = sqlx::query(
                "SELECT CAST(table_name AS TEXT) FROM information_schema.columns \
                 WHERE column_name = 'id' AND is_identity = 'YES' AND table_schema = current_schema()",
            )
            .fetch_all(&mut *tx.connection())
            .await?;
            let identity: Vec<String> =
                identity.iter().map(|row| row.try_get::<String, _>(0)).collect::<std::result::Result<_, _>>()?;
            for table in TABLES.iter().filter(|t| identity.iter().any(|i| i == *t)) {
                sqlx::query(&format!(
                    "SELECT CAST(setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false) AS BIGINT)"
                ))
                .execute(&mut *tx.connection())
                .await?;
            }
        }
        tx.commit().await?;
        Ok(n_rows)
    }

    /// Every table in the live schema, for checking [`TABLES`].
    pub async fn table_names(&self) -> Result<Vec<String>> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = current_schema() \
                 AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY name"
            }
        };
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter().map(|row| Ok(row.try_get("name")?)).collect()
    }

    /// Column names and storage types of a table, in declaration order.
    async fn columns(&self, table: &str) -> Result<Vec<(String, ColumnType)>> {
        let sql = match self.backend() {
            Backend::Sqlite => "SELECT name, type AS data_type FROM pragma_table_info($1) ORDER BY cid",
            Backend::Postgres => {
                "SELECT CAST(column_name AS TEXT) AS name, CAST(data_type AS TEXT) AS data_type FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
            }
        };
        let rows = sqlx::query(sql).bind(table).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let name: String = row.try_get("name")?;
                let data_type: String = row.try_get("data_type")?;
                let data_type = data_type.to_ascii_uppercase();
                let column_type = if data_type.contains("INT") {
                    ColumnType::Integer
                } else if data_type.contains("DOUBLE") || data_type.contains("REAL") {
                    ColumnType::Real
                } else {
                    ColumnType::Text
                };
                Ok((name, column_type))
            })
            .collect()
    }
}

fn dump_row(row: &AnyRow, columns: &[(String, ColumnType)]) -> Result<Vec<serde_json::Value>> {
    columns
        .iter()
        .map(|(name, column_type)| {
            Ok(match column_type {
                ColumnType::Integer => row.try_get::<Option<i64>, _>(name.as_str())?.map(serde_json::Value::from),
                ColumnType::Real => row.try_get::<Option<f64>, _>(name.as_str())?.map(serde_json::Value::from),
                ColumnType::Text => row.try_get::<Option<String>, _>(name.as_str())?.map(serde_json::Value::from),
            }
            .unwrap_or(serde_json::Value::Null))
        })
        .collect()
}
