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

#[tokio::test]
async fn peers_on_the_demo_are_the_nearest_places_with_the_opportunity() {
    let (app, _db, _dir) = app().await;
    let options = DemoOptions { seed: 5, rows: 2_000, reference_data: Some(shared_data("")) };
    app.load_demo(&options, &Silent).await.unwrap();
    let analyst = Actor::User(principal("Q99", OrgKind::Commissioner, Role::Analyst));
    let level = app::needs::NeedsLevel::Msoa;
    let first = app.peer_comparison(&analyst, level, None, Some("QOF_DM"), 6).await.unwrap();
    assert_eq!(first.peers.len(), 6);
    assert!(first.peers.iter().all(|p| p.code != first.place_code), "a place is not its own peer");
    assert!(first.peers.windows(2).all(|w| w[0].distance <= w[1].distance));
    assert!(first.features[0].is_some() && first.features[2].is_some() && first.features[3].is_none());
    // Recorded prevalence has no better direction: no opportunity is counted.
    assert!(first.value.is_some() && first.opportunity.is_none());
    // Premature CVD mortality by locality: lower is better, so it is; the three other
    // localities are the peers.
    let cvd =
        app.peer_comparison(&analyst, app::needs::NeedsLevel::Locality, None, Some("NHSOF_1.1"), 6).await.unwrap();
    assert_eq!(cvd.peers.len(), 3);
    let o = cvd.opportunity.expect("an opportunity for a lower-is-better rate");
    assert!(o.at_best_quartile >= o.at_median);
    assert!(matches!(
        app.peer_comparison(&analyst, app::needs::NeedsLevel::Practice, None, None, 5).await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        app.peer_comparison(&analyst, level, Some("E99999999"), None, 5).await,
        Err(AppError::Invalid(_))
    ));
}

#[test]
fn real_local_authorities_find_peers_of_like_deprivation() {
    use commissioning::plan::provision::{PlaceFeatures, nearest_peers};
    use std::collections::BTreeMap;
    // Mean overall and income IMD deciles of each local authority's LSOAs, from the real
    // 2019 lookup.
    let mut reader =
        csv::Reader::from_path(shared_data("hocl-qof-prevalence-2019-20/lsoa11_geography_lookup_with_imd2019.csv"))
            .unwrap();
    let mut sums: BTreeMap<(String, String), (f64, f64, f64)> = BTreeMap::new();
    for record in reader.records() {
        let r = record.unwrap();
        let (Ok(overall), Ok(income)) = (r[9].parse::<f64>(), r[8].parse::<f64>()) else { continue };
        let entry = sums.entry((r[4].to_owned(), r[5].to_owned())).or_default();
        entry.0 += overall;
        entry.1 += income;
        entry.2 += 1.0;
    }
    let places: Vec<PlaceFeatures> = sums
        .iter()
        .map(|((code, name), (overall, income, n))| PlaceFeatures {
            code: code.clone(),
            name: name.clone(),
            features: vec![Some(overall / n), Some(income / n)],
        })
        .collect();
    assert!(places.len() > 300);
    let luton = places.iter().find(|p| p.name == "Luton").unwrap();
    let peers = nearest_peers(&luton.code, &places, 5).unwrap();
    assert_eq!(peers.len(), 5);
    let decile = |code: &str| places.iter().find(|p| p.code == code).unwrap().features[0].unwrap();
    for peer in &peers {
        assert!((decile(&peer.code) - decile(&luton.code)).abs() < 0.5, "{} vs Luton", peer.name);
    }
}
