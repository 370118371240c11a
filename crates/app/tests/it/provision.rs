//! Plan: the gap register on the generated demo, driven by its needs assessment, and
//! malformed provision files refused at their line and field with nothing written.

use app::demo::DemoOptions;
use app::import::{ImportKind, ImportOptions};
use app::progress::Silent;
use app::{Actor, AppError};
use commissioning::access::Role;
use commissioning::org::OrgKind;
use commissioning::plan::provision::GapKind;
use test_support::shared_data;

use crate::{app, principal};

#[tokio::test]
async fn the_demo_gap_register_follows_its_needs_assessment() {
    let (app, _db, _dir) = app().await;
    let options = DemoOptions { seed: 5, rows: 2_000, reference_data: Some(shared_data("")) };
    app.load_demo(&options, &Silent).await.unwrap();
    let analyst = Actor::User(principal("Q99", OrgKind::Commissioner, Role::Analyst));
    let register = app.gap_register(&analyst, None, None).await.unwrap();
    assert_eq!(register.area_code, "E54900001");
    assert_eq!(register.year, Some(2025));
    assert!(register.provision.len() >= 4 * 4, "{} provision rows", register.provision.len());
    let kinds: Vec<GapKind> = register.gaps.iter().map(|g| g.kind).collect();
    for kind in [GapKind::UnmetNeed, GapKind::Duplication, GapKind::LowValue, GapKind::Access] {
        assert!(kinds.contains(&kind), "{kind:?} in {kinds:?}");
    }
    // Unmet need comes from the assessment's places: the same localities and figures.
    let assessment = app.needs_assessment(&analyst, &app::needs::NeedsQuery::default()).await.unwrap();
    let unmet = register.gaps.iter().find(|g| g.kind == GapKind::UnmetNeed).unwrap();
    let source = assessment
        .unmet_need_by_place
        .iter()
        .find(|r| r.place.code == unmet.area_code && r.indicator.as_str() == unmet.need)
        .expect("the gap's need is in the assessment");
    assert!((unmet.size - (source.need.expected - source.need.recorded)).abs() < 1e-6);
    // The homeopathy clinic costs far more than £30,000 a QALY.
    let low = register.gaps.iter().find(|g| g.kind == GapKind::LowValue).unwrap();
    assert_eq!(low.service_code, "HOMEO");
    // Every gap carries its evidence.
    assert!(register.gaps.iter().all(|g| !g.evidence.is_empty()));

    // A provider cannot see the register.
    let provider = Actor::User(principal("R9A", OrgKind::Provider, Role::Provider));
    assert!(matches!(app.gap_register(&provider, None, None).await, Err(AppError::Forbidden)));
}

#[tokio::test]
async fn malformed_provision_names_line_and_field_and_writes_nothing() {
    let (app, db, dir) = app().await;
    let header = "year,service_code,service_name,need,provider_code,provider_name,area_code,area_name,activity,spend\n";
    let good = "2025,DSN,Diabetes nursing,QOF_DM,R9A,Trust,E06900001,Ashmere,100,1000.00\n";
    for (name, body, expected) in [
        (
            "spend.csv",
            format!("{header}{good}2025,PR,Rehab,QOF_COPD,R9A,Trust,E06900001,Ashmere,10,ten pounds\n"),
            "spend.csv:3: field 'spend'",
        ),
        ("twice.csv", format!("{header}{good}{good}"), "twice.csv:3: field 'service_code'"),
        ("area.csv", format!("{header}2025,DSN,D,QOF_DM,R9A,T,Nowhere,A,1,1\n"), "area.csv:2: field 'area_code'"),
        ("columns.csv", "year,service_code\n2025,DSN\n".to_owned(), "the column is missing from the header"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let error = app
            .import(&Actor::System("test".into()), ImportKind::Provision, &path, &ImportOptions::default())
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected) && error.contains(name), "{name}: {error}");
    }
    let access = dir.path().join("access.csv");
    std::fs::write(&access, "year,service_code,lsoa_code,minutes\n2025,DSN,E06900001,12\n").unwrap();
    let error = app
        .import(&Actor::System("test".into()), ImportKind::Access, &access, &ImportOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("access.csv:2: field 'lsoa_code'") && error.contains("not an LSOA"), "{error}");
    assert!(db.store.provision_years().await.unwrap().is_empty(), "nothing was written");
}
