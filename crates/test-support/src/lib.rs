//! Test harness shared by the integration tests: a fresh, migrated store per test on SQLite
//! (a temporary file) or PostgreSQL (a new database on the server named by
//! `TEST_DATABASE_URL`, dropped when the test ends), and paths to the shared real data.
//!
//! This crate is only ever a dev-dependency.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Connection;
use store::{Store, StoreSettings};

/// A store for one test. Dropping it deletes the database.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<PostgresDatabase>,
}

struct PostgresDatabase {
    admin_url: String,
    name: String,
}

impl TestDb {
    /// A migrated SQLite store in a temporary directory.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let settings = StoreSettings::sqlite_file(&dir.path().join("test.db"));
        let store = Store::open(&settings).await.expect("open SQLite test store");
        TestDb { store, url: settings.url, _dir: Some(dir), postgres: None }
    }

    /// A migrated PostgreSQL store in a new database, or `None` when `TEST_DATABASE_URL` is
    /// not set (the test then passes without running; CI always sets it).
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = postgres_url()?;
        let name = unique_name();
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("connect to TEST_DATABASE_URL");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create test database");
        admin.close().await.ok();
        let url = database_url(&admin_url, &name);
        let store = Store::open(&StoreSettings::from_url(&url)).await.expect("open PostgreSQL test store");
        Some(TestDb { store, url, _dir: None, postgres: Some(PostgresDatabase { admin_url, name }) })
    }

    /// A URL for an extra, empty, unmigrated database on the same backend (for restores).
    pub async fn sibling(&self) -> TestDb {
        match &self.postgres {
            None => TestDb::sqlite().await,
            Some(_) => TestDb::postgres().await.expect("PostgreSQL configured"),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(database) = self.postgres.take() else {
            return;
        };
        let store = self.store.clone();
        // Drop runs inside the test's runtime, so use a thread with its own runtime.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                store.close().await;
                if let Ok(mut admin) = sqlx::PgConnection::connect(&database.admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", database.name))
                        .execute(&mut admin)
                        .await;
                }
            });
        })
        .join()
        .ok();
    }
}

/// `TEST_DATABASE_URL`, if set and not empty.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|url| !url.trim().is_empty())
}

/// The shared real NHS data beside the repository (`../shared/data`).
pub fn shared_data(relative: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let path = root.join(relative);
    assert!(
        path.exists(),
        "shared data file {} is missing; the repository expects ../shared/data beside it",
        path.display()
    );
    path
}

/// Runs a store story on SQLite and, when configured, on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $story:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::TestDb::sqlite().await;
                super::$story(&db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::TestDb::postgres().await else {
                    eprintln!("TEST_DATABASE_URL is not set: PostgreSQL story skipped");
                    return;
                };
                super::$story(&db).await;
            }
        }
    };
}

fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("commissioner_test_{}_{}_{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url.split_once('?').map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}
