//! Activity submissions: a resubmitted month supersedes the earlier one.

use store::monitor::NewSubmission;
use store::org::ActivitySummaryRow;
use test_support::{TestDb, on_both_backends};

use commissioning::service::PointOfDelivery;

use crate::reference::{code, seed};

fn submission(sha: &str) -> NewSubmission {
    NewSubmission {
        provider: code("R9A"),
        month: "2025-04".into(),
        file_name: "april.csv".into(),
        file_sha256: sha.into(),
        stored_path: format!("submissions/R9A/2025-04/{sha}.csv"),
        n_rows: 10,
        n_unreadable: 0,
        submitted_by: "token:1".into(),
    }
}

async fn resubmission_supersedes(db: &TestDb) {
    seed(db).await;
    let store = &db.store;
    let mut tx = store.begin().await.unwrap();
    let first = tx.record_submission(&submission("aaa"), 1_000).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let second = tx.record_submission(&submission("bbb"), 2_000).await.unwrap();
    tx.commit().await.unwrap();
    let current = store.current_submission(&code("R9A"), "2025-04").await.unwrap().unwrap();
    assert_eq!((current.id, current.file_sha256.as_str()), (second, "bbb"));
    let all = store.submissions(&code("R9A")).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!((all[1].id, all[1].superseded_at), (first, Some(2_000)));
    assert!(store.submissions(&code("R9B")).await.unwrap().is_empty());

    // Replacing a month's summary leaves the other months alone.
    let row = |month: &str, activity| ActivitySummaryRow {
        provider: code("R9A"),
        pod: PointOfDelivery::DayCase,
        month: month.into(),
        activity,
        los_days: 0,
    };
    let mut tx = store.begin().await.unwrap();
    tx.replace_activity_summary(&[row("2025-04", 5), row("2025-05", 7)]).await.unwrap();
    tx.replace_activity_month(&code("R9A"), "2025-04", &[row("2025-04", 9)]).await.unwrap();
    tx.commit().await.unwrap();
    let rows = store.activity_summary(Some(&code("R9A"))).await.unwrap();
    assert_eq!(
        rows.iter().map(|r| (r.month.as_str(), r.activity)).collect::<Vec<_>>(),
        [("2025-04", 9), ("2025-05", 7)]
    );
}

on_both_backends!(submissions, resubmission_supersedes);
