//! Use-case tests for `app`, on a real store: imports of real and malformed files, the
//! generated demo, accounts and sessions, backups.

mod accounts;
mod capacity;
mod contract_performance;
mod contracts;
mod demo;
mod engagement;
mod import;
mod needs;
mod ocds;
mod performance;
mod provision;
mod strategy;
mod tenders;

use app::{App, AppSettings};
use commissioning::access::{Principal, Role};
use commissioning::org::{OdsCode, OrgKind};
use test_support::TestDb;

/// An app over a fresh SQLite test store, with its data directory in a temporary folder.
pub(crate) async fn app() -> (App, TestDb, tempfile::TempDir) {
    let db = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let app = App::with_store(db.store.clone(), AppSettings::new(dir.path().to_owned()));
    (app, db, dir)
}

/// A signed-in person of an organisation with one role.
pub(crate) fn principal(org: &str, kind: OrgKind, role: Role) -> Principal {
    Principal {
        user_id: 1,
        name: "Test".into(),
        organisation: OdsCode::parse(org).unwrap(),
        organisation_kind: kind,
        roles: [role].into(),
        api_token: None,
    }
}
