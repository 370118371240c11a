//! The SQL store: the only crate that speaks SQL.
//!
//! One [`Store`] serves both backends through sqlx's `Any` driver: SQLite (the embedded
//! default, a file in the data directory) and PostgreSQL (production). Queries are written
//! once in the SQL both dialects share (`$1` placeholders, `BIGINT` integers, `TEXT` dates,
//! `ON CONFLICT`, `RETURNING`); each backend has its own migrations in `migrations/<backend>/`.
//! The few places where the dialects differ branch on [`Backend`]. The contract suite in
//! `tests/it` runs every story on both backends, which is what keeps the shared SQL honest
//! (see `docs/adr/0002-one-store-over-sqlx-any.md`).
//!
//! Writes go through a [`Tx`]: a use case opens one, makes its changes and the matching audit
//! entries, and commits. Nothing is written unless the whole transaction commits.
//!
//! **Architecture invariant:** no other crate depends on sqlx. Storage failures are
//! translated here into [`StoreError`]: a missing row is `NotFound`, a broken unique or
//! foreign key constraint is `Conflict` with the constraint's name.

pub mod account;
pub mod accreditation;
pub mod area;
pub mod audit;
pub mod backup;
pub mod contract_lines;
pub mod contracts;
pub mod engagement;
pub mod imports;
pub mod monitor;
pub mod needs;
pub mod notices;
pub mod org;
pub mod performance;
pub mod prices;
pub mod priorities;
pub mod procurement;
pub mod provision;
pub mod rtt;
pub mod specifications;
pub mod strategy;
pub mod tender_questions;

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Transaction};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Chooses the backend from a database URL's scheme.
    pub fn of_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Config(format!(
                "database URL must start with sqlite: or postgres:// (got '{}')",
                redact_url(url)
            )))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// Errors from the store, already translated out of sqlx.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflicts with existing data ({constraint})")]
    Conflict { constraint: String },
    #[error("store configuration: {0}")]
    Config(String),
    #[error("the store holds data this version cannot read: {0}")]
    Corrupt(String),
    #[error("database error")]
    Backend(#[source] sqlx::Error),
    #[error("migrating the database")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        match &error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(database_error) => match database_error.kind() {
                sqlx::error::ErrorKind::UniqueViolation | sqlx::error::ErrorKind::ForeignKeyViolation => {
                    StoreError::Conflict { constraint: constraint_name(database_error.as_ref()) }
                }
                _ => StoreError::Backend(error),
            },
            _ => StoreError::Backend(error),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How to reach the database. `Debug` never prints credentials.
#[derive(Clone)]
pub struct StoreSettings {
    pub url: String,
    pub max_connections: u32,
}

impl fmt::Debug for StoreSettings {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("StoreSettings")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

impl StoreSettings {
    /// The embedded store: a SQLite file, created if missing.
    pub fn sqlite_file(path: &Path) -> StoreSettings {
        StoreSettings { url: format!("sqlite://{}?mode=rwc", path.display()), max_connections: 8 }
    }

    pub fn from_url(url: &str) -> StoreSettings {
        StoreSettings { url: url.to_owned(), max_connections: 8 }
    }
}

/// The store. Cheap to clone: it holds a connection pool.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl fmt::Debug for Store {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("Store").field("backend", &self.backend).finish()
    }
}

impl Store {
    /// Connects (creating an SQLite file if needed) and brings the schema up to date.
    pub async fn open(settings: &StoreSettings) -> Result<Store> {
        let store = Store::connect(settings).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(settings: &StoreSettings) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(&settings.url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |connection, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        connection
                            .execute("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&settings.url)
            .await?;
        Ok(Store { pool, backend })
    }

    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await.map_err(StoreError::Migrate)
    }

    /// The newest migration this build knows, which backups record.
    pub fn schema_version(&self) -> i64 {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.iter().map(|migration| migration.version).max().unwrap_or(0)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks the database answers (for `/health`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Starts a transaction. Dropping it without [`Tx::commit`] rolls everything back.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(Tx { inner: self.pool.begin().await?, backend: self.backend })
    }

    /// Closes the connections. On SQLite it first folds the whole write-ahead log into the
    /// database file, so that the file alone holds every committed change (a file copied
    /// after closing is complete, whatever the size of the last transactions).
    pub async fn close(&self) {
        if self.backend == Backend::Sqlite
            && let Err(error) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await
        {
            tracing::warn!(error = %error, "could not checkpoint the SQLite write-ahead log");
        }
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// A transaction: every write of one use case, committed together or not at all.
pub struct Tx {
    inner: Transaction<'static, Any>,
    backend: Backend,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        self.inner.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        self.inner.rollback().await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn connection(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

/// One value to bind in a bulk insert.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
    Float(f64),
    OptFloat(Option<f64>),
}

/// Inserts rows in chunks with one multi-row `INSERT` per chunk (`$n` placeholders, which both
/// backends accept). `suffix` may add an `ON CONFLICT` clause.
pub(crate) async fn insert_rows(
    connection: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    suffix: &str,
) -> Result<u64> {
    const MAX_PARAMETERS: usize = 8_000;
    let rows_per_chunk = (MAX_PARAMETERS / columns.len()).max(1);
    let mut inserted = 0;
    let mut chunk: Vec<Vec<Value>> = Vec::with_capacity(rows_per_chunk);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        chunk.clear();
        chunk.extend(rows.by_ref().take(rows_per_chunk));
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut parameter = 0;
        for (row_idx, row) in chunk.iter().enumerate() {
            debug_assert_eq!(row.len(), columns.len(), "row width for {table}");
            if row_idx > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for column_idx in 0..row.len() {
                if column_idx > 0 {
                    sql.push_str(", ");
                }
                parameter += 1;
                sql.push('$');
                sql.push_str(&parameter.to_string());
            }
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(suffix);
        let mut query = sqlx::query(&sql);
        for row in chunk.drain(..) {
            for value in row {
                query = match value {
                    Value::Text(text) => query.bind(text),
                    Value::OptText(text) => query.bind(text),
                    Value::Int(int) => query.bind(int),
                    Value::OptInt(int) => query.bind(int),
                    Value::Float(float) => query.bind(float),
                    Value::OptFloat(float) => query.bind(float),
                };
            }
        }
        inserted += query.execute(&mut *connection).await?.rows_affected();
    }
    Ok(inserted)
}

/// Reads an optional text column into a parsed domain value, reporting bad stored data.
pub(crate) fn parse_column<T, E: fmt::Display>(
    row: &AnyRow,
    column: &str,
    parse: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> Result<T> {
    use sqlx::Row;
    let text: String = row.try_get(column)?;
    parse(&text).map_err(|error| StoreError::Corrupt(format!("{column}: {error}")))
}

pub(crate) fn parse_optional_column<T, E: fmt::Display>(
    row: &AnyRow,
    column: &str,
    parse: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> Result<Option<T>> {
    use sqlx::Row;
    let text: Option<String> = row.try_get(column)?;
    text.map(|text| parse(&text).map_err(|error| StoreError::Corrupt(format!("{column}: {error}")))).transpose()
}

/// A database URL with any password replaced, safe to log.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or("");
            let masked = if credentials.contains(':') { format!("{user}:***") } else { user.to_owned() };
            format!("{scheme}://{masked}@{host}")
        }
        None => url.to_owned(),
    }
}

/// The name of the violated constraint. PostgreSQL reports it; SQLite only reports the
/// columns ("UNIQUE constraint failed: users.email"), which we turn into PostgreSQL's
/// default name (`users_email_key`) so callers can match one name on both backends.
fn constraint_name(error: &dyn sqlx::error::DatabaseError) -> String {
    if let Some(name) = error.constraint() {
        return name.to_owned();
    }
    let message = error.message();
    if let Some(columns) = message.strip_prefix("UNIQUE constraint failed: ") {
        let mut table = "";
        let mut names = Vec::new();
        for qualified in columns.split(", ") {
            let (t, column) = qualified.split_once('.').unwrap_or(("", qualified));
            table = t;
            names.push(column);
        }
        return format!("{table}_{}_key", names.join("_"));
    }
    if message.contains("FOREIGN KEY") {
        return "foreign_key".to_owned();
    }
    message.to_owned()
}

/// Parses a stored flag (BIGINT 0/1).
pub(crate) fn flag(value: i64) -> bool {
    value != 0
}

/// Makes a SQLite URL for a file path; used by tests and the CLI.
pub fn sqlite_url(path: &Path) -> String {
    StoreSettings::sqlite_file(path).url
}

impl FromStr for Backend {
    type Err = StoreError;
    fn from_str(url: &str) -> Result<Backend> {
        Backend::of_url(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/x"), "postgres://app:***@db:5432/x");
        assert_eq!(redact_url("postgres://postgres@127.0.0.1/x"), "postgres://postgres@127.0.0.1/x");
        assert_eq!(redact_url("sqlite://data/c.db"), "sqlite://data/c.db");
        let settings = StoreSettings::from_url("postgres://a:b@h/d");
        assert!(!format!("{settings:?}").contains(":b@"));
    }

    #[test]
    fn backend_from_scheme() {
        assert_eq!(Backend::of_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of_url("postgresql://h/d").unwrap(), Backend::Postgres);
        assert!(Backend::of_url("mysql://h/d").is_err());
    }
}
