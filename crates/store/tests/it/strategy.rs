//! Plans: versions numbered per plan with a repeated number refused, a board approval
//! recorded on one version, objectives kept with their JSON, and a schedule replaced whole.

use store::StoreError;
use store::strategy::{ObjectiveRecord, PlanRecord, PlanVersionRecord, ScheduleRecord};
use test_support::{TestDb, on_both_backends};

fn version(plan_id: i64, version: i64) -> PlanVersionRecord {
    PlanVersionRecord {
        plan_id,
        version,
        summary: format!("Version {version}"),
        changes: "Changed".into(),
        drafted_by: "Chris".into(),
        drafted_at: version,
        board: None,
        approved_on: None,
        minute: None,
        recorded_by: None,
    }
}

async fn plans_keep_versions_approvals_objectives_and_schedules(db: &TestDb) {
    let store = &db.store;
    let mut tx = store.begin().await.unwrap();
    let plan = PlanRecord {
        id: 0,
        kind: "operating".into(),
        title: "Operating plan 2025/26".into(),
        first_year: 2025,
        created_by: "Chris".into(),
        created_at: 1,
    };
    let id = tx.insert_plan(&plan).await.unwrap();
    tx.insert_plan_version(&version(id, 1)).await.unwrap();
    tx.insert_plan_version(&version(id, 2)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(tx.insert_plan_version(&version(id, 2)).await, Err(StoreError::Conflict { .. })));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    tx.approve_plan_version(id, 2, "Integrated care board", "2025-04-24", "ICB/25/047", "Chris").await.unwrap();
    assert!(matches!(
        tx.approve_plan_version(id, 9, "Board", "2025-04-24", "M", "Chris").await,
        Err(StoreError::NotFound)
    ));
    let objective = ObjectiveRecord {
        id: 0,
        plan_id: id,
        title: "4 hours".into(),
        measure: r#"{"kind":"kpi","contract_id":"Q99-R9A-2024","code":"AE4"}"#.into(),
        baseline: "72.8".into(),
        target: "78".into(),
        higher_is_better: true,
        starts: "2025-04-01".into(),
        due: "2026-03-31".into(),
        links: "{}".into(),
        created_by: "Chris".into(),
        created_at: 2,
    };
    let objective_id = tx.insert_objective(&objective).await.unwrap();
    let line = |pod: &str, activity: i64| ScheduleRecord {
        plan_id: id,
        provider_code: "R9A".into(),
        pod: pod.into(),
        activity,
        value_pence: activity * 100,
    };
    tx.replace_plan_schedule(id, &[line("EL", 10), line("OPFA", 20)]).await.unwrap();
    tx.replace_plan_schedule(id, &[line("OPFA", 25)]).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(store.strategy_plans().await.unwrap(), vec![PlanRecord { id, ..plan.clone() }]);
    assert_eq!(store.strategy_plan(id).await.unwrap().title, plan.title);
    assert!(matches!(store.strategy_plan(id + 100).await, Err(StoreError::NotFound)));
    let versions = store.plan_versions(id).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].approved_on, None);
    assert_eq!(versions[1].approved_on.as_deref(), Some("2025-04-24"));
    assert_eq!(versions[1].minute.as_deref(), Some("ICB/25/047"));
    assert_eq!(store.objectives(Some(id)).await.unwrap(), vec![ObjectiveRecord { id: objective_id, ..objective }]);
    assert_eq!(store.objectives(None).await.unwrap().len(), 1);
    assert_eq!(store.plan_schedule(id).await.unwrap(), vec![line("OPFA", 25)]);
}

on_both_backends!(plans, plans_keep_versions_approvals_objectives_and_schedules);
