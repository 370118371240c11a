//! Plan: indicator definitions and the counts behind needs assessment, on both backends.

use commissioning::area::{AreaCode, ImdDecile};
use commissioning::org::OdsCode;
use commissioning::plan::indicators::{IndicatorDefinition, IndicatorId};
use commissioning::population::{AgeBand, Sex};
use store::needs::{MeasureRow, Place};
use test_support::{TestDb, on_both_backends};

use crate::reference::seed;

fn area(text: &str) -> AreaCode {
    AreaCode::parse(text).unwrap()
}

fn measure(indicator: &str, place: Place, decile: Option<u8>, count: f64, denominator: Option<f64>) -> MeasureRow {
    MeasureRow {
        indicator: IndicatorId::parse(indicator).unwrap(),
        place,
        year: 2024,
        sex: None,
        age_band: None,
        imd_decile: decile.map(|d| ImdDecile::new(d).unwrap()),
        count,
        denominator,
    }
}

fn local_definition() -> IndicatorDefinition {
    IndicatorDefinition::from_fields(&[
        "LOCAL_FALLS",
        "Emergency admissions for falls, 65 and over",
        "Local",
        "3 Helping people to recover from episodes of ill health or following injury",
        "Emergency admissions for a fall",
        "Residents aged 65 and over",
        "dsr",
        "100000",
        "lower_is_better",
        "",
        "no",
        "Local definition",
        "2026-04-01",
    ])
    .unwrap()
}

async fn definitions_round_trip_and_replace(db: &TestDb) {
    let store = &db.store;
    let mut definition = local_definition();
    let mut tx = store.begin().await.unwrap();
    tx.upsert_indicator_definitions(std::slice::from_ref(&definition)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.indicator_definitions().await.unwrap(), [definition.clone()]);
    definition.multiplier = 1000.0;
    let mut tx = store.begin().await.unwrap();
    tx.upsert_indicator_definitions(std::slice::from_ref(&definition)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.indicator_definitions().await.unwrap(), [definition]);
}

async fn measures_are_read_within_an_area_and_never_double_counted(db: &TestDb) {
    seed(db).await;
    let store = &db.store;
    let lsoa_a = Place::Area(area("E01999991"));
    let lsoa_b = Place::Area(area("E01999992"));
    let practice = Place::Practice(OdsCode::parse("Y99001").unwrap());
    let mut banded = measure("NHSOF_1.1", lsoa_a.clone(), None, 3.0, None);
    banded.sex = Some(Sex::Female);
    banded.age_band = Some(AgeBand::parse("70-74").unwrap());
    let rows = vec![
        measure("QOF_HYP", lsoa_a.clone(), None, 12.5, Some(100.0)),
        measure("QOF_HYP", lsoa_b.clone(), None, 40.0, Some(300.0)),
        measure("QOF_HYP", practice.clone(), Some(1), 12.0, Some(100.0)),
        measure("QOF_HYP", practice.clone(), None, 52.0, Some(400.0)),
        banded.clone(),
    ];
    for _ in 0..2 {
        let mut tx = store.begin().await.unwrap();
        tx.upsert_measures(&rows).await.unwrap();
        tx.commit().await.unwrap();
    }
    let within = store.measures_within(&area("E54999999")).await.unwrap();
    assert_eq!(within.len(), 3, "area counts only, each once: {within:?}");
    assert!(within.contains(&rows[0]) && within.contains(&rows[1]) && within.contains(&banded));
    assert_eq!(store.measures_at(&lsoa_b).await.unwrap(), [rows[1].clone()]);
    let practices = store.practice_measures_of(&OdsCode::parse("Q99").unwrap()).await.unwrap();
    assert_eq!(practices.len(), 2);
    assert_eq!(practices.iter().find(|r| r.imd_decile.is_some()).unwrap().count, 12.0);

    // A second load of the same key replaces the count.
    let mut tx = store.begin().await.unwrap();
    tx.upsert_measures(&[measure("QOF_HYP", lsoa_a.clone(), None, 13.0, Some(100.0))]).await.unwrap();
    tx.commit().await.unwrap();
    let hypertension: f64 = store
        .measures_within(&area("E54999999"))
        .await
        .unwrap()
        .iter()
        .filter(|r| r.indicator.as_str() == "QOF_HYP")
        .map(|r| r.count)
        .sum();
    assert_eq!(hypertension, 53.0);
}

async fn the_area_tree_carries_deciles_and_owners(db: &TestDb) {
    seed(db).await;
    let store = &db.store;
    let tree = store.area_tree(&area("E54999999")).await.unwrap();
    let codes: Vec<&str> = tree.iter().map(|node| node.area.code.as_str()).collect();
    assert_eq!(codes, ["E54999999", "E06999999", "E02999999", "E01999991", "E01999992"]);
    assert_eq!(tree[3].imd_decile.map(ImdDecile::value), Some(1));
    assert_eq!(tree[1].imd_decile, None);
    let children = store.children(&area("E02999999")).await.unwrap();
    assert_eq!(children.len(), 2);
    assert_eq!(store.footprint_owners(&area("E54999999")).await.unwrap(), [OdsCode::parse("Q99").unwrap()]);
    let population = store.population_rows_within(&area("E06999999"), 2024).await.unwrap();
    assert_eq!(population.len(), 76);
}

on_both_backends!(definitions, definitions_round_trip_and_replace);
on_both_backends!(measures, measures_are_read_within_an_area_and_never_double_counted);
on_both_backends!(tree, the_area_tree_carries_deciles_and_owners);
