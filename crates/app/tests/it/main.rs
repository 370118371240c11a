//! Use-case tests for `app`, on a real store: imports of real and malformed files, the
//! generated demo, accounts and sessions, backups.

mod accounts;
mod contracts;
mod demo;
mod import;
mod needs;

use app::{App, AppSettings};
use test_support::TestDb;

/// An app over a fresh SQLite test store, with its data directory in a temporary folder.
pub(crate) async fn app() -> (App, TestDb, tempfile::TempDir) {
    let db = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let app = App::with_store(db.store.clone(), AppSettings::new(dir.path().to_owned()));
    (app, db, dir)
}
