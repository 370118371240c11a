//! The hash-chained audit log: appends, filters and tamper detection.

use store::audit::{AuditEntry, AuditFilter};
use test_support::{TestDb, on_both_backends};

pub(crate) fn entry(actor: &str, object_id: &str) -> AuditEntry {
    AuditEntry {
        actor: actor.into(),
        organisation: Some("Q99".into()),
        action: "update".into(),
        object_type: "contract".into(),
        object_id: object_id.into(),
        before: Some(serde_json::json!({"value": 1})),
        after: Some(serde_json::json!({"value": 2})),
    }
}

async fn append_and_verify(db: &TestDb) {
    let store = &db.store;
    for idx in 0..5 {
        let mut tx = store.begin().await.unwrap();
        let seq =
            tx.audit(&entry(if idx % 2 == 0 { "ann" } else { "bob" }, &format!("C{idx}")), 1_000 + idx).await.unwrap();
        assert_eq!(seq, idx + 1);
        tx.commit().await.unwrap();
    }
    // A rolled-back change leaves no audit entry either.
    let mut tx = store.begin().await.unwrap();
    tx.audit(&entry("ann", "rolled-back"), 2_000).await.unwrap();
    tx.rollback().await.unwrap();

    let verification = store.verify_audit().await.unwrap();
    assert_eq!((verification.n_checked, verification.first_broken), (5, None));

    let by_ann = store.audit_entries(&AuditFilter { actor: Some("ann".into()), ..Default::default() }).await.unwrap();
    assert_eq!(by_ann.iter().map(|r| r.seq).collect::<Vec<_>>(), [5, 3, 1]);
    assert_eq!(by_ann[0].entry.after, Some(serde_json::json!({"value": 2})));
    let window =
        store.audit_entries(&AuditFilter { from: Some(1_001), to: Some(1_003), ..Default::default() }).await.unwrap();
    assert_eq!(window.iter().map(|r| r.seq).collect::<Vec<_>>(), [3, 2]);
}

on_both_backends!(chain, append_and_verify);
