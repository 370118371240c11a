//! `commissioner audit verify` finds an altered or deleted audit row, on SQLite and on
//! PostgreSQL.

use std::path::Path;
use std::process::{Command, Output};

use sqlx::Connection;
use test_support::TestDb;

fn commissioner(data_dir: &Path, database_url: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_commissioner"));
    command.args(args).env("COMMISSIONER_DATA_DIR", data_dir);
    match database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    command.output().expect("run commissioner")
}

/// Loads a small demo, checks the chain, alters one entry, then deletes another.
async fn tamper_and_verify(data_dir: &Path, database_url: Option<&str>, store_url: &str) {
    let loaded = commissioner(data_dir, database_url, &["demo", "--rows", "500", "--no-serve"]);
    assert!(loaded.status.success(), "{}", String::from_utf8_lossy(&loaded.stderr));
    let intact = commissioner(data_dir, database_url, &["audit", "verify"]);
    assert!(intact.status.success(), "{}", String::from_utf8_lossy(&intact.stderr));
    assert!(String::from_utf8_lossy(&intact.stdout).contains("The audit log is intact"));

    let mut connection = sqlx::AnyConnection::connect(store_url).await.unwrap();
    sqlx::query("UPDATE audit_log SET after_json = '{\"email\":\"someone.else@example.org\"}' WHERE seq = 8")
        .execute(&mut connection)
        .await
        .unwrap();
    let altered = commissioner(data_dir, database_url, &["audit", "verify"]);
    assert!(!altered.status.success());
    let message = String::from_utf8_lossy(&altered.stderr);
    assert!(message.contains("broken at entry 8: content does not match its hash (altered)"), "{message}");

    // Put the content back but delete an earlier entry: the gap is found.
    sqlx::query("DELETE FROM audit_log WHERE seq = 3").execute(&mut connection).await.unwrap();
    let deleted = commissioner(data_dir, database_url, &["audit", "verify"]);
    assert!(!deleted.status.success());
    assert!(
        String::from_utf8_lossy(&deleted.stderr).contains("broken at entry 3: entry 3 is missing"),
        "{}",
        String::from_utf8_lossy(&deleted.stderr)
    );
}

#[tokio::test]
async fn a_tampered_row_is_detected_on_sqlite() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("commissioner.db").display());
    tamper_and_verify(dir.path(), None, &url).await;
}

#[tokio::test]
async fn a_tampered_row_is_detected_on_postgresql() {
    sqlx::any::install_default_drivers();
    let Some(db) = TestDb::postgres().await else {
        eprintln!("TEST_DATABASE_URL is not set: PostgreSQL case skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    tamper_and_verify(dir.path(), Some(&db.url), &db.url).await;
}
