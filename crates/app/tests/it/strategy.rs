//! Strategy on the generated demo: the operating plan's objectives read their progress from
//! the acute contract's KPI returns, its schedule is reconciled with the contract's plan, the
//! board's approvals set the review dates, bad input names its field and writes nothing, and
//! the Provider Selection Regime's annual summary reconciles with the decision log.

use std::collections::BTreeMap;

use app::AppError;
use app::demo::DemoOptions;
use app::procurement::RouteInput;
use app::progress::Silent;
use app::strategy::{ApprovalInput, Measure, ObjectiveInput, PlanInput};
use commissioning::access::Role;
use commissioning::org::OrgKind;
use commissioning::period::FinancialYear;
use commissioning::procure::psr::Process;
use commissioning::strategy::{PlanKind, Standing};

use crate::{app, principal};

#[tokio::test]
async fn the_demo_operating_plan_shows_progress_from_monitoring_and_the_psr_summary_reconciles() {
    let (app, _db, _dir) = app().await;
    app.load_demo(&DemoOptions { seed: 5, rows: 2_000, reference_data: None }, &Silent).await.unwrap();
    let commissioner = principal("Q99", OrgKind::Commissioner, Role::Commissioner);
    let plans = app.plans(&commissioner).await.unwrap();
    assert_eq!(plans.len(), 3);
    let operating = plans.iter().find(|p| p.kind == PlanKind::Operating).unwrap();
    assert_eq!(operating.approved, Some(2));
    assert_eq!(operating.review_due.map(|d| d.to_string()).as_deref(), Some("2026-03-01"));
    // The 4-hour objective reads the acute contract's latest AE4 return: 76.5% in September
    // 2025, 63% of the way from 72.8% to 78% with half the year gone.
    let ae = operating.objectives.iter().find(|o| o.title.contains("4 hours")).unwrap();
    assert_eq!(ae.measure, Measure::Kpi { contract_id: "Q99-R9A-2024".into(), code: "AE4".into() });
    assert_eq!(ae.progress.latest, Some(76.5));
    assert_eq!(ae.progress.measured_on.map(|d| d.to_string()).as_deref(), Some("2025-09-30"));
    let achieved = ae.progress.achieved.unwrap();
    assert!((achieved - (76.5 - 72.8) / (78.0 - 72.8)).abs() < 1e-9, "{achieved}");
    assert_eq!(ae.progress.standing, Standing::OnTrack);
    // Waits over 52 weeks fell from 1.9% to 0.9%: the target of 1% is met.
    let long = operating.objectives.iter().find(|o| o.title.contains("52 weeks")).unwrap();
    assert_eq!(long.progress.standing, Standing::Met);
    // The schedule differs from the contract's plan on outpatient first attendances only.
    assert!(operating.schedule.len() >= 3, "{:?}", operating.schedule);
    let differences: Vec<_> = operating.schedule.iter().filter(|l| !l.reconciles()).collect();
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert_eq!(differences[0].pod, "OPFA");
    assert_eq!(differences[0].plan_activity, differences[0].contract_activity + differences[0].contract_activity / 50);
    let strategy = plans.iter().find(|p| p.kind == PlanKind::Strategic).unwrap();
    assert_eq!(strategy.last_year, FinancialYear::starting(2029));
    assert_eq!(strategy.review_due.map(|d| d.to_string()).as_deref(), Some("2026-03-20"));
    let development = plans.iter().find(|p| p.kind == PlanKind::Development).unwrap();
    assert_eq!(development.approved, None);

    // The annual summary of the demo year counts exactly the decision log's decisions of
    // that year, by process; it is the year shown by default.
    let decisions = app.route_decisions(&commissioner).await.unwrap();
    let summary = app.psr_annual_summary(None).await.unwrap();
    assert_eq!(summary.year, "2025/26");
    let year = FinancialYear::starting(2025);
    let in_year: Vec<_> = decisions
        .iter()
        .filter(|d| year.contains(chrono::DateTime::from_timestamp_millis(d.decided_at).unwrap().date_naive()))
        .collect();
    assert_eq!(summary.total, in_year.len());
    assert_eq!(summary.total, 3);
    let mut by_process: BTreeMap<Process, usize> = BTreeMap::new();
    for d in &in_year {
        *by_process.entry(d.chosen).or_default() += 1;
    }
    for (process, count) in &summary.by_process {
        assert_eq!(*count, by_process.get(process).copied().unwrap_or(0), "{process:?}");
    }
    assert_eq!(by_process.get(&Process::DirectAwardC), Some(&2));
    let mut ids: Vec<i64> = in_year.iter().map(|d| d.id).collect();
    ids.sort();
    let mut counted = summary.decision_ids.clone();
    counted.sort();
    assert_eq!(counted, ids);
    // Representations are those the tenders recorded in the year.
    let tenders_representations: usize = {
        let mut n = 0;
        for tender in app.tenders(&commissioner, app::tenders::now_utc()).await.unwrap() {
            n += app.tender_award(&commissioner, tender.id).await.unwrap().representations.len();
        }
        n
    };
    assert_eq!(summary.representations.len(), tenders_representations);
    // R9A held contracts before its direct awards: not new.
    assert!(!summary.new_provider_codes.contains(&"R9A".to_owned()), "{:?}", summary.new_provider_codes);

    // An urgent framework call-off recorded today is counted in this year's summary.
    let this_year = FinancialYear::containing(chrono::Utc::now().date_naive());
    let before = app.psr_annual_summary(Some(this_year)).await.unwrap();
    app.record_route_decision(
        &commissioner,
        &RouteInput {
            title: "Urgent community beds".into(),
            cpv: "85100000".into(),
            chosen: "competitive".into(),
            call_off: true,
            urgent: true,
            provider: "R9B".into(),
            rationale: "Winter pressures".into(),
            ..RouteInput::default()
        },
    )
    .await
    .unwrap();
    let after = app.psr_annual_summary(Some(this_year)).await.unwrap();
    assert_eq!(after.total, before.total + 1);
    assert_eq!(after.call_offs, before.call_offs + 1);
    assert_eq!(after.urgent_awards, before.urgent_awards + 1);
    assert_eq!(app.psr_summary_years().await.unwrap().len(), 2);
    // A framework concluded by a direct award is refused by name.
    let refused = app
        .record_route_decision(
            &commissioner,
            &RouteInput {
                title: "Framework".into(),
                cpv: "85100000".into(),
                existing_provider: true,
                only_existing_provider_capable: true,
                chosen: "direct_award_a".into(),
                framework: true,
                provider: "R9A".into(),
                rationale: "Only provider".into(),
                ..RouteInput::default()
            },
        )
        .await;
    assert!(matches!(refused, Err(AppError::Invalid(m)) if m.starts_with("framework:")));
}

#[tokio::test]
async fn plans_refuse_bad_input_by_field_and_only_managers_keep_them() {
    let (app, _db, _dir) = app().await;
    app.load_demo(&DemoOptions { seed: 5, rows: 2_000, reference_data: None }, &Silent).await.unwrap();
    let commissioner = principal("Q99", OrgKind::Commissioner, Role::Commissioner);
    let analyst = principal("Q99", OrgKind::Commissioner, Role::Analyst);
    let input = PlanInput {
        kind: "operating".into(),
        title: "Operating plan 2026/27".into(),
        first_year: "2026/27".into(),
        summary: "The second year".into(),
    };
    assert!(matches!(app.create_plan(&analyst, &input).await, Err(AppError::Forbidden)));
    let bad_year = PlanInput { first_year: "next year".into(), ..input.clone() };
    assert!(
        matches!(app.create_plan(&commissioner, &bad_year).await, Err(AppError::Invalid(m)) if m.starts_with("first_year:"))
    );
    assert_eq!(app.plans(&commissioner).await.unwrap().len(), 3, "nothing written");
    let id = app.create_plan(&commissioner, &input).await.unwrap();
    let objective = ObjectiveInput {
        title: "Discharge summaries within 24 hours".into(),
        measure: "kpi:Q99-R9A-2024:NOPE".into(),
        baseline: "94".into(),
        target: "95".into(),
        better: "higher".into(),
        starts: "2026-04-01".into(),
        due: "2027-03-31".into(),
        ..ObjectiveInput::default()
    };
    for (changed, field) in [
        (ObjectiveInput { measure: "kpi:Q99-R9A-2024:NOPE".into(), ..objective.clone() }, "measure:"),
        (ObjectiveInput { measure: "ae".into(), ..objective.clone() }, "measure:"),
        (
            ObjectiveInput { target: "ninety".into(), measure: "kpi:Q99-R9A-2024:DS24".into(), ..objective.clone() },
            "target:",
        ),
        (
            ObjectiveInput { due: "2026-03-31".into(), measure: "kpi:Q99-R9A-2024:DS24".into(), ..objective.clone() },
            "due:",
        ),
    ] {
        let result = app.add_objective(&commissioner, id, &changed).await;
        assert!(matches!(&result, Err(AppError::Invalid(m)) if m.starts_with(field)), "{field} {result:?}");
    }
    let ok = ObjectiveInput { measure: "kpi:Q99-R9A-2024:DS24".into(), ..objective };
    app.add_objective(&commissioner, id, &ok).await.unwrap();
    let plan = app.plan(&commissioner, id).await.unwrap();
    assert_eq!(plan.objectives.len(), 1);
    // The discharge KPI is returned as counts; its latest month is read all the same.
    assert!(plan.objectives[0].progress.latest.is_some());
    // A board approval of a version that does not exist names the version.
    let approval = ApprovalInput {
        version: "7".into(),
        board: "ICB".into(),
        approved_on: "2026-03-26".into(),
        minute: "M1".into(),
    };
    assert!(
        matches!(app.approve_plan(&commissioner, id, &approval).await, Err(AppError::Invalid(m)) if m.starts_with("version:"))
    );
    app.approve_plan(&commissioner, id, &ApprovalInput { version: "1".into(), ..approval }).await.unwrap();
    let plan = app.plan(&commissioner, id).await.unwrap();
    assert_eq!(plan.approved, Some(1));
    assert_eq!(plan.review_due.map(|d| d.to_string()).as_deref(), Some("2027-03-01"));
}
