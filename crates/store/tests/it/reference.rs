//! Reference data: organisations, areas with deprivation, population, practices, services.

use std::collections::BTreeSet;

use commissioning::area::{Area, AreaCode, AreaKind, Deprivation, ImdDecile};
use commissioning::org::{OdsCode, OrgKind, Organisation, ProviderType};
use commissioning::population::{AgeBand, Sex};
use commissioning::service::{PointOfDelivery, Service, TreatmentFunction};
use store::StoreError;
use store::area::PopulationRow;
use store::org::{ActivitySummaryRow, OrgFilter};
use test_support::{TestDb, on_both_backends};

pub(crate) fn code(text: &str) -> OdsCode {
    OdsCode::parse(text).unwrap()
}

fn area(text: &str) -> AreaCode {
    AreaCode::parse(text).unwrap()
}

pub(crate) fn org(code_text: &str, name: &str, kind: OrgKind, parent: Option<&str>) -> Organisation {
    Organisation {
        code: code(code_text),
        name: name.to_owned(),
        kind,
        provider_type: (kind == OrgKind::Provider).then_some(ProviderType::Acute),
        parent: parent.map(code),
        region: Some("Y56".into()),
        postcode: None,
        opened: None,
        closed: None,
    }
}

/// Seeds a small commissioner: one ICB area with two LSOAs in one MSOA and one LA.
pub(crate) async fn seed(db: &TestDb) {
    let mut tx = db.store.begin().await.unwrap();
    tx.upsert_organisations(&[
        org("Q99", "NHS Demo ICB", OrgKind::Commissioner, None),
        org("R9A", "Demo Hospitals NHS Trust", OrgKind::Provider, Some("Q99")),
        org("R9B", "Other Hospitals NHS Trust", OrgKind::Provider, Some("Q99")),
        org("Y99001", "Demo Surgery", OrgKind::GpPractice, Some("Q99")),
    ])
    .await
    .unwrap();
    let areas = [
        Area { code: area("E54999999"), name: "Demo ICB area".into(), parent: None },
        Area { code: area("E06999999"), name: "Demoshire".into(), parent: Some(area("E54999999")) },
        Area { code: area("E02999999"), name: "Demoshire 001".into(), parent: Some(area("E06999999")) },
        Area { code: area("E01999991"), name: "Demoshire 001A".into(), parent: Some(area("E02999999")) },
        Area { code: area("E01999992"), name: "Demoshire 001B".into(), parent: Some(area("E02999999")) },
    ];
    tx.upsert_areas(&areas).await.unwrap();
    tx.upsert_deprivation(&[
        (
            area("E01999991"),
            Deprivation { imd_rank: Some(100), imd_decile: ImdDecile::new(1).unwrap(), income_decile: None },
        ),
        (
            area("E01999992"),
            Deprivation { imd_rank: None, imd_decile: ImdDecile::new(6).unwrap(), income_decile: None },
        ),
    ])
    .await
    .unwrap();
    let mut population = Vec::new();
    for (lsoa, persons) in [("E01999991", 10), ("E01999992", 30)] {
        for sex in [Sex::Male, Sex::Female] {
            for band in AgeBand::all() {
                population.push(PopulationRow { area: area(lsoa), sex, age_band: band, persons });
            }
        }
    }
    tx.upsert_population(2024, &population).await.unwrap();
    tx.set_footprint(&code("Q99"), &area("E54999999")).await.unwrap();
    tx.commit().await.unwrap();
}

async fn organisations_round_trip(db: &TestDb) {
    seed(db).await;
    let store = &db.store;
    let trust = store.organisation(&code("R9A")).await.unwrap();
    assert_eq!(trust, org("R9A", "Demo Hospitals NHS Trust", OrgKind::Provider, Some("Q99")));
    assert!(matches!(store.organisation(&code("ZZZ")).await, Err(StoreError::NotFound)));

    let providers =
        store.organisations(&OrgFilter { kind: Some(OrgKind::Provider), ..Default::default() }).await.unwrap();
    assert_eq!(providers.iter().map(|o| o.code.as_str()).collect::<Vec<_>>(), ["R9A", "R9B"]);
    let found = store.organisations(&OrgFilter { search: Some("other".into()), ..Default::default() }).await.unwrap();
    assert_eq!(found.len(), 1);
    let counts = store.organisation_counts().await.unwrap();
    assert!(counts.contains(&(OrgKind::Provider, 2)));

    // Upserting again updates rather than duplicates.
    let mut tx = store.begin().await.unwrap();
    tx.upsert_organisations(&[org("R9A", "Renamed Trust", OrgKind::Provider, Some("Q99"))]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.organisation(&code("R9A")).await.unwrap().name, "Renamed Trust");
    assert_eq!(store.organisations(&OrgFilter::default()).await.unwrap().len(), 4);
}

async fn areas_roll_up_population_and_deprivation(db: &TestDb) {
    seed(db).await;
    let store = &db.store;
    let icb = area("E54999999");
    let rows = store.population_within(&icb, 2024).await.unwrap();
    assert_eq!(rows.len(), 38);
    assert_eq!(rows.iter().map(|r| r.persons).sum::<i64>(), 40 * 38);

    let deciles = store.deciles_within(&icb, 2024).await.unwrap();
    assert_eq!(deciles.len(), 2);
    assert_eq!((deciles[0].decile.value(), deciles[0].n_lsoas, deciles[0].population), (1, 1, 380));
    assert_eq!((deciles[1].decile.value(), deciles[1].population), (6, 1140));

    let ancestors = store.ancestors(&area("E01999991")).await.unwrap();
    let codes: Vec<&str> = ancestors.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, ["E02999999", "E06999999", "E54999999"]);

    let children = store.area_summaries(Some(&area("E02999999")), None, 2024).await.unwrap();
    assert_eq!(children.len(), 2);
    assert_eq!(children[0].population, 380);
    assert_eq!(children[0].deprivation.unwrap().imd_decile.value(), 1);
    let las = store.area_summaries(None, Some(AreaKind::LocalAuthority), 2024).await.unwrap();
    assert_eq!(las.len(), 1);
    assert_eq!((las[0].population, las[0].n_lsoas), (1520, 2));
    // Population-weighted mean decile: (1 × 380 + 6 × 1140) / 1520 = 4.75.
    assert!((las[0].mean_imd_decile.unwrap() - 4.75).abs() < 1e-12);

    assert_eq!(store.latest_population_year().await.unwrap(), Some(2024));
    assert_eq!(store.footprint(&code("Q99")).await.unwrap(), Some(icb));

    // A name equal to the code means "unknown" and keeps the known name; a missing parent
    // keeps the known parent; a missing rank keeps the known rank.
    let mut tx = store.begin().await.unwrap();
    tx.upsert_areas(&[Area { code: area("E01999991"), name: "E01999991".into(), parent: None }]).await.unwrap();
    tx.upsert_deprivation(&[(
        area("E01999991"),
        Deprivation { imd_rank: None, imd_decile: ImdDecile::new(2).unwrap(), income_decile: None },
    )])
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let lsoa = store.area(&area("E01999991")).await.unwrap();
    assert_eq!((lsoa.name.as_str(), lsoa.parent.unwrap().as_str()), ("Demoshire 001A", "E02999999"));
    let deprivation = store.deprivation(&area("E01999991")).await.unwrap().unwrap();
    assert_eq!((deprivation.imd_rank, deprivation.imd_decile.value()), (Some(100), 2));
}

async fn practices_services_and_activity(db: &TestDb) {
    seed(db).await;
    let store = &db.store;
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
    let service = Service {
        id: "R9A-EL-110".into(),
        name: "Trauma and Orthopaedics".into(),
        provider: code("R9A"),
        pod: PointOfDelivery::Elective,
        tfc: TreatmentFunction::parse("110").unwrap(),
    };
    let summary = |provider: &str, month: &str, activity| ActivitySummaryRow {
        provider: code(provider),
        pod: PointOfDelivery::Elective,
        month: month.into(),
        activity,
        los_days: activity * 2,
        value_pence: activity * 100,
    };
    let mut tx = store.begin().await.unwrap();
    tx.upsert_practice_lists(&[(code("Y99001"), 12_345, as_of)]).await.unwrap();
    tx.upsert_services(std::slice::from_ref(&service)).await.unwrap();
    tx.replace_activity_summary(&[summary("R9A", "2025-04", 10), summary("R9B", "2025-04", 5)]).await.unwrap();
    tx.commit().await.unwrap();

    let lists = store.practice_lists(Some(&code("Q99"))).await.unwrap();
    assert_eq!((lists[0].registered, lists[0].as_of), (12_345, as_of));
    assert_eq!(store.services(Some(&code("R9A"))).await.unwrap(), vec![service]);
    assert!(store.services(Some(&code("R9B"))).await.unwrap().is_empty());

    // Replacing one provider's summary leaves the other's alone and never double counts.
    let mut tx = store.begin().await.unwrap();
    tx.replace_activity_summary(&[summary("R9A", "2025-04", 12)]).await.unwrap();
    tx.commit().await.unwrap();
    let rows = store.activity_summary(None).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.activity).collect::<Vec<_>>(), [12, 5]);
}

async fn a_failed_transaction_writes_nothing(db: &TestDb) {
    let store = &db.store;
    let mut tx = store.begin().await.unwrap();
    tx.upsert_organisations(&[org("Q99", "NHS Demo ICB", OrgKind::Commissioner, None)]).await.unwrap();
    // A practice list for an unknown practice breaks a foreign key.
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
    let error = tx.upsert_practice_lists(&[(code("NOPE1"), 1, as_of)]).await.unwrap_err();
    assert!(matches!(error, StoreError::Conflict { .. }), "{error:?}");
    drop(tx);
    assert!(store.organisations(&OrgFilter::default()).await.unwrap().is_empty());
    let _ = BTreeSet::<u8>::new();
}

on_both_backends!(organisations, organisations_round_trip);
on_both_backends!(areas, areas_roll_up_population_and_deprivation);
on_both_backends!(practices, practices_services_and_activity);
on_both_backends!(rollback, a_failed_transaction_writes_nothing);
