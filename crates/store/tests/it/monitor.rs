//! Activity submissions: a resubmitted month supersedes the earlier one.

use store::monitor::{NewChallenge, NewSubmission, PlanRow, QueryRecord};
use store::org::ActivitySummaryRow;
use store::prices::{MffRow, TariffRow};
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
        n_valid: 9,
        n_challenged: 1,
        value_pence: 12_345,
        priced_path: Some(format!("activity/R9A/2025-04/{sha}.parquet")),
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
        value_pence: activity * 1_000,
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

async fn challenges_plans_and_queries(db: &TestDb) {
    seed(db).await;
    let store = &db.store;
    let mut tx = store.begin().await.unwrap();
    let first = tx.record_submission(&submission("aaa"), 1_000).await.unwrap();
    let challenge = |line, reason: &str| NewChallenge { line, record_id: format!("r{line}"), reason: reason.into() };
    tx.insert_challenges(first, &code("R9A"), "2025-04", &[challenge(3, "invalid_field"), challenge(7, "no_tariff")])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let challenges = store.challenges(&code("R9A"), None, 100).await.unwrap();
    assert_eq!(challenges.iter().map(|c| c.line).collect::<Vec<_>>(), [3, 7]);
    let mut tx = store.begin().await.unwrap();
    tx.respond_to_challenge(challenges[0].id, "disputed", "The age was corrected", "user:7", 2_000).await.unwrap();
    tx.commit().await.unwrap();
    let disputed = store.challenge(challenges[0].id).await.unwrap();
    assert_eq!((disputed.status.as_str(), disputed.responded_at), ("disputed", Some(2_000)));
    let counts = store.challenge_counts(&code("R9A")).await.unwrap();
    assert_eq!(counts, [("invalid_field".into(), "disputed".into(), 1), ("no_tariff".into(), "open".into(), 1)]);

    // A resubmission's challenges replace the current ones in the views.
    let mut tx = store.begin().await.unwrap();
    let second = tx.record_submission(&submission("bbb"), 3_000).await.unwrap();
    tx.insert_challenges(second, &code("R9A"), "2025-04", &[challenge(2, "duplicate_record")]).await.unwrap();
    tx.commit().await.unwrap();
    let current = store.challenges(&code("R9A"), None, 100).await.unwrap();
    assert_eq!(current.iter().map(|c| c.reason.as_str()).collect::<Vec<_>>(), ["duplicate_record"]);
    assert_eq!(store.challenges(&code("R9A"), Some(first), 100).await.unwrap().len(), 2);

    let plan = |month: &str, activity| PlanRow {
        provider: code("R9A"),
        pod: "EL".into(),
        month: month.into(),
        activity,
        value_pence: activity * 500,
    };
    let mut tx = store.begin().await.unwrap();
    tx.upsert_plan(&[plan("2025-04", 10), plan("2025-05", 12)]).await.unwrap();
    tx.upsert_plan(&[plan("2025-05", 14)]).await.unwrap();
    tx.set_tolerance(&code("R9A"), "EL", 200, 500).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.plan(&code("R9A")).await.unwrap().iter().map(|p| p.activity).collect::<Vec<_>>(), [10, 14]);
    assert_eq!(store.tolerances(&code("R9A")).await.unwrap(), [("EL".into(), 200, 500)]);

    let query = QueryRecord {
        id: 0,
        provider: code("R9A"),
        pod: "EL".into(),
        month: "2025-05".into(),
        variance_bp: Some(1_250),
        status: "notice_served".into(),
        owner: "Fran Finance".into(),
        notice_date: "2025-06-02".into(),
        meeting_due: "2025-06-16".into(),
        meeting_date: None,
        notes: String::new(),
        raised_by: "user:4".into(),
        raised_at: 5_000,
        updated_at: 5_000,
    };
    let mut tx = store.begin().await.unwrap();
    let id = tx.insert_query(&query).await.unwrap();
    tx.update_query(id, "meeting_held", Some("2025-06-12"), "Agreed to review coding", 6_000).await.unwrap();
    tx.commit().await.unwrap();
    let stored = store.query(id).await.unwrap();
    assert_eq!(
        (stored.status.as_str(), stored.meeting_date.as_deref(), stored.variance_bp),
        ("meeting_held", Some("2025-06-12"), Some(1_250))
    );
    assert_eq!(store.queries(&code("R9A")).await.unwrap().len(), 1);
}

async fn prices_with_dates(db: &TestDb) {
    let store = &db.store;
    let date = |t: &str| commissioning::period::parse_date(t).unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.insert_tariff_rows(&[TariffRow {
        hrg: "HN12F".into(),
        pod: "EL".into(),
        unit_price_pence: 654_000,
        trim_point_days: Some(6),
        excess_bed_day_pence: Some(29_000),
        bpt_uplift_pence: Some(45_000),
        effective_from: date("2025-04-01"),
        effective_to: Some(date("2026-03-31")),
        source: "test".into(),
    }])
    .await
    .unwrap();
    tx.insert_mff_rows(&[MffRow {
        provider_code: "R9A".into(),
        mff: "1.0523".into(),
        effective_from: date("2025-04-01"),
        effective_to: None,
        source: "test".into(),
    }])
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let tariffs = store.tariff_rows().await.unwrap();
    assert_eq!((tariffs[0].unit_price_pence, tariffs[0].effective_to), (654_000, Some(date("2026-03-31"))));
    assert_eq!(tariffs[0].bpt_uplift_pence, Some(45_000));
    assert_eq!(store.mff_rows().await.unwrap()[0].mff, "1.0523");
}

on_both_backends!(submissions, resubmission_supersedes);
on_both_backends!(monitoring, challenges_plans_and_queries);
on_both_backends!(prices, prices_with_dates);
