//! The service catalogue: loading the same provision twice replaces it, and travel times
//! round-trip with their floats intact.

use commissioning::plan::provision::ProvisionRow;
use store::provision::AccessTime;
use test_support::{TestDb, on_both_backends};

fn row(area: &str, activity: f64) -> ProvisionRow {
    ProvisionRow {
        service_code: "DSN".into(),
        service_name: "Diabetes specialist nursing".into(),
        need: "QOF_DM".into(),
        provider_code: "R9A".into(),
        provider_name: "Ashmere Hospitals".into(),
        area_code: area.into(),
        area_name: area.into(),
        capacity: Some(1200.5),
        activity,
        spend_pence: 12_345_678,
        waiting_weeks: None,
        quality: Some(81.0),
        feedback: Some(0.93),
        qalys: None,
    }
}

async fn provision_replaces_on_reload(db: &TestDb) {
    let store = &db.store;
    for activity in [900.0, 950.25] {
        let mut tx = store.begin().await.unwrap();
        let written = tx.upsert_provision(2025, &[row("E06900001", activity), row("E06900002", 10.0)]).await.unwrap();
        assert_eq!(written, 2);
        tx.upsert_access(
            2025,
            &[AccessTime { service_code: "DSN".into(), lsoa_code: "E01900001".into(), minutes: 31.5 }],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let rows = store.provision(2025).await.unwrap();
    assert_eq!(rows, vec![row("E06900001", 950.25), row("E06900002", 10.0)]);
    assert_eq!(store.provision_years().await.unwrap(), vec![2025]);
    assert!(store.provision(2024).await.unwrap().is_empty());
    let access = store.access_times(2025).await.unwrap();
    assert_eq!(access.len(), 1);
    assert_eq!(access[0].minutes, 31.5);
}

on_both_backends!(provision, provision_replaces_on_reload);
