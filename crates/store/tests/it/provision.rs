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

async fn workshops_keep_options_scores_and_decisions(db: &TestDb) {
    use store::priorities::{OptionRecord, PriorityDecisionRecord, ScoreRecord, WorkshopRecord};
    let store = &db.store;
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .insert_workshop(&WorkshopRecord {
            id: 0,
            area_code: "E54900001".into(),
            title: "Round one".into(),
            weighting: "swing".into(),
            criteria: r#"[{"id":"gain","name":"Health gain","weight":100}]"#.into(),
            budget_pence: 45_000_000,
            created_by: "Chris".into(),
            created_at: 1,
        })
        .await
        .unwrap();
    let option = |option_id: &str, cost: i64| OptionRecord {
        workshop_id: id,
        option_id: option_id.into(),
        name: format!("Option {option_id}"),
        need: "QOF_DM".into(),
        gap_kind: "unmet_need".into(),
        area_code: "E06900001".into(),
        service_code: String::new(),
        cost_pence: cost,
        benefit: 2.5,
        mandatory: option_id == "O02",
        group: "g".into(),
        requires: String::new(),
    };
    tx.upsert_workshop_options(&[option("O01", 100), option("O02", -50)]).await.unwrap();
    let score = |who: &str, s: f64, at: i64| ScoreRecord {
        workshop_id: id,
        participant: who.into(),
        option_id: "O01".into(),
        criterion_id: "gain".into(),
        score: s,
        entered_at: at,
    };
    tx.upsert_workshop_scores(&[score("Chris", 60.0, 1), score("Cleo", 70.0, 1)]).await.unwrap();
    tx.commit().await.unwrap();
    // Scoring again replaces; deciding again replaces.
    let mut tx = store.begin().await.unwrap();
    tx.upsert_workshop_scores(&[score("Chris", 65.5, 2)]).await.unwrap();
    for rationale in ["first", "second"] {
        tx.upsert_priority_decision(&PriorityDecisionRecord {
            workshop_id: id,
            option_id: "O01".into(),
            decision: "invest".into(),
            rationale: rationale.into(),
            decided_by: "Chris".into(),
            decided_at: 3,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(store.workshops().await.unwrap().len(), 1);
    assert_eq!(store.workshop(id).await.unwrap().unwrap().budget_pence, 45_000_000);
    assert!(store.workshop(id + 99).await.unwrap().is_none());
    assert_eq!(store.workshop_options(id).await.unwrap(), vec![option("O01", 100), option("O02", -50)]);
    let scores = store.workshop_scores(id).await.unwrap();
    assert_eq!(scores.iter().map(|s| s.score).collect::<Vec<_>>(), vec![65.5, 70.0]);
    let decisions = store.priority_decisions(None).await.unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].rationale, "second");
    assert_eq!(store.priority_decisions(Some(id)).await.unwrap(), decisions);
}

on_both_backends!(priorities, workshops_keep_options_scores_and_decisions);
