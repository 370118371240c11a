//! Backups restore into an empty store on the same backend, and tampering is detected there.

use store::backup::TABLES;
use store::org::OrgFilter;
use store::priorities::WorkshopRecord;
use test_support::{TestDb, on_both_backends};

use crate::audit::entry;
use crate::reference::seed;

async fn backup_lists_every_table(db: &TestDb) {
    let mut live = db.store.table_names().await.unwrap();
    live.sort();
    let mut listed: Vec<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
    listed.sort();
    assert_eq!(live, listed, "store::backup::TABLES must list every table");
}

async fn backup_and_restore(db: &TestDb) {
    seed(db).await;
    let mut tx = db.store.begin().await.unwrap();
    tx.audit(&entry("ann", "C1"), 1_000).await.unwrap();
    let workshop = WorkshopRecord {
        id: 0,
        area_code: "E54900001".into(),
        title: "Round one".into(),
        weighting: "swing".into(),
        criteria: "[]".into(),
        budget_pence: 100,
        created_by: "Ann".into(),
        created_at: 1_000,
    };
    let first = tx.insert_workshop(&workshop).await.unwrap();
    tx.commit().await.unwrap();
    let backup = db.store.backup(42).await.unwrap();
    let text = serde_json::to_string(&backup).unwrap();

    let target = db.sibling().await;
    let restored: store::backup::Backup = serde_json::from_str(&text).unwrap();
    let n_rows = target.store.restore(&restored).await.unwrap();
    assert!(n_rows > 80, "{n_rows}");
    assert_eq!(target.store.organisations(&OrgFilter::default()).await.unwrap().len(), 4);
    assert_eq!(target.store.verify_audit().await.unwrap().first_broken, None);
    // The restored copy is a faithful copy.
    assert_eq!(target.store.backup(42).await.unwrap(), backup);
    // Restoring twice is refused: the store is no longer empty.
    assert!(target.store.restore(&restored).await.is_err());
    // Every table with an identity id carries on numbering after the restored rows.
    let mut tx = target.store.begin().await.unwrap();
    let next = tx.insert_workshop(&workshop).await.unwrap();
    tx.commit().await.unwrap();
    assert!(next > first, "{next} after {first}");
}

on_both_backends!(tables, backup_lists_every_table);
on_both_backends!(round_trip, backup_and_restore);
