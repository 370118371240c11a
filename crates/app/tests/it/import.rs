//! Imports: real NHS files load; malformed files name file, line and field and write nothing.

use std::path::Path;

use app::import::{ImportKind, ImportOptions};
use app::{Actor, App, AppError};
use commissioning::access::{Principal, Role};
use commissioning::area::{AreaCode, AreaKind};
use commissioning::org::{OdsCode, OrgKind};
use test_support::shared_data;

use crate::app;

fn actor() -> Actor {
    Actor::System("test".into())
}

fn analyst() -> Principal {
    Principal {
        user_id: 1,
        name: "Analyst".into(),
        organisation: OdsCode::parse("Q99").unwrap(),
        organisation_kind: OrgKind::Commissioner,
        roles: [Role::Analyst].into(),
        api_token: None,
    }
}

async fn import(app: &App, kind: ImportKind, path: &Path) -> Result<app::import::ImportReport, AppError> {
    app.import(&actor(), kind, path, &ImportOptions::default()).await
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn import_error(result: Result<app::import::ImportReport, AppError>) -> String {
    match result {
        Err(AppError::Import(error)) => error.to_string(),
        other => panic!("expected an import error, got {other:?}"),
    }
}

#[tokio::test]
async fn real_ods_trusts_import_and_reimport_without_duplicates() {
    let (app, _db, _dir) = app().await;
    let path = shared_data("ods-nhs-trusts/ods_etr_nhs_trusts.csv");
    let report = import(&app, ImportKind::Organisations, &path).await.unwrap();
    assert_eq!((report.format, report.n_rows), ("ods-etr", 273));
    let again = import(&app, ImportKind::Organisations, &path).await.unwrap();
    assert_eq!(again.sha256, report.sha256);
    let principal = analyst();
    let all = app.organisations(&principal, None, None, None).await.unwrap();
    assert_eq!(all.len(), 273, "re-importing must not duplicate");
    let manchester = app.organisation(&principal, &OdsCode::parse("R0A").unwrap()).await.unwrap().organisation;
    assert_eq!(manchester.name, "MANCHESTER UNIVERSITY NHS FOUNDATION TRUST");
    assert_eq!(manchester.parent.unwrap().as_str(), "QOP");
    assert_eq!(manchester.region.as_deref(), Some("Y62"));
    let nightingale = app.organisation(&principal, &OdsCode::parse("R0C").unwrap()).await.unwrap().organisation;
    assert_eq!(nightingale.closed.unwrap().to_string(), "2020-03-26");
}

#[tokio::test]
async fn real_lsoa_lookup_and_imd_build_the_geography() {
    let (app, _db, _dir) = app().await;
    let lookup = import(
        &app,
        ImportKind::Areas,
        &shared_data("hocl-qof-prevalence-2019-20/lsoa11_geography_lookup_with_imd2019.csv"),
    )
    .await
    .unwrap();
    assert_eq!((lookup.format, lookup.n_rows), ("ons-lsoa-lookup", 34_753));
    let imd = import(&app, ImportKind::Areas, &shared_data("imd2019-lsoa/imd2019_lsoa11_england.csv")).await.unwrap();
    assert_eq!((imd.format, imd.n_rows), ("imd2019", 32_844));
    let principal = analyst();
    let lsoa = app.area(&principal, &AreaCode::parse("E01000001").unwrap()).await.unwrap();
    assert_eq!(lsoa.area.name, "City of London 001A");
    let deprivation = lsoa.deprivation.unwrap();
    assert_eq!((deprivation.imd_rank, deprivation.imd_decile.value()), (Some(29199), 9));
    let chain: Vec<AreaKind> = lsoa.ancestors.iter().map(|a| a.kind()).collect();
    assert_eq!(chain, [AreaKind::Msoa, AreaKind::LocalAuthority, AreaKind::Region, AreaKind::Country]);
    // Luton: the lookup's first row is decile 1.
    let luton = app.area(&principal, &AreaCode::parse("E01015736").unwrap()).await.unwrap();
    assert_eq!(luton.deprivation.unwrap().imd_decile.value(), 1);
    let regions = app.areas(&principal, None, Some(AreaKind::Region)).await.unwrap();
    assert_eq!(regions.len(), 10, "9 English regions and Wales");
    let las = app.areas(&principal, None, Some(AreaKind::LocalAuthority)).await.unwrap();
    assert!(las.len() > 300, "{}", las.len());
    // Welsh LSOAs have no English IMD decile.
    let wales = app.area(&principal, &AreaCode::parse("W01000001").unwrap()).await;
    if let Ok(wales) = wales {
        assert!(wales.deprivation.is_none());
    }
}

#[tokio::test]
async fn real_practice_list_sizes_import() {
    let (app, _db, _dir) = app().await;
    let options =
        ImportOptions { as_of: Some(chrono::NaiveDate::from_ymd_opt(2020, 4, 1).unwrap()), ..Default::default() };
    let path = shared_data("hocl-qof-prevalence-2019-20/gp_practice_patients_by_qof_age_group_2019-20.csv");
    let report = app.import(&actor(), ImportKind::Practices, &path, &options).await.unwrap();
    assert_eq!(report.n_rows, 6730);
    let principal = analyst();
    let practice = app.organisation(&principal, &OdsCode::parse("A81001").unwrap()).await.unwrap();
    assert_eq!(practice.practice_list.unwrap().registered, 4111);
    // Without a date the file is refused, naming the missing column.
    let error = import_error(import(&app, ImportKind::Practices, &path).await);
    assert!(error.contains(":1: field 'as_of'"), "{error}");
}

/// The acceptance case: bad ODS code, missing column, non-numeric population. Each names
/// file:line:field, and the store is unchanged afterwards.
#[tokio::test]
async fn malformed_files_name_file_line_and_field_and_write_nothing() {
    let (app, db, dir) = app().await;
    let good = write(dir.path(), "orgs.csv", "org_code,name,kind\nQ99,NHS Demo ICB,commissioner\n");
    import(&app, ImportKind::Organisations, &good).await.unwrap();
    write(
        dir.path(),
        "areas.csv",
        "area_code,area_name,parent_code\nE54900001,Demo area,\nE01900001,Demo 001A,E54900001\n",
    );
    import(&app, ImportKind::Areas, &dir.path().join("areas.csv")).await.unwrap();
    let before = db.store.backup(0).await.unwrap();

    let bad_ods =
        write(dir.path(), "bad_ods.csv", "org_code,name,kind\nR9A,Good Trust,provider\nR9B!,Bad Trust,provider\n");
    let error = import_error(import(&app, ImportKind::Organisations, &bad_ods).await);
    assert!(error.ends_with("bad_ods.csv:3: field 'org_code': 'R9B!' is not an ODS code (3 to 6 capital letters and digits, such as R0A or A81001)"), "{error}");

    let missing_column = write(dir.path(), "missing.csv", "org_code,kind\nR9A,provider\n");
    let error = import_error(import(&app, ImportKind::Organisations, &missing_column).await);
    assert!(error.contains("missing.csv:1: field 'name': the column is missing"), "{error}");

    let bad_population = write(
        dir.path(),
        "population.csv",
        "area_code,year,sex,age_band,persons\nE01900001,2024,1,0-4,120\nE01900001,2024,2,0-4,lots\n",
    );
    let error = import_error(import(&app, ImportKind::Population, &bad_population).await);
    assert!(
        error.ends_with("population.csv:3: field 'persons': 'lots' is not a whole number of zero or more"),
        "{error}"
    );

    let unknown_area =
        write(dir.path(), "unknown.csv", "area_code,year,sex,age_band,persons\nE01999999,2024,1,0-4,5\n");
    let error = import_error(import(&app, ImportKind::Population, &unknown_area).await);
    assert!(error.contains("unknown.csv:2: field 'area_code': 'E01999999' is not a known area"), "{error}");

    let ragged = write(dir.path(), "ragged.csv", "org_code,name,kind\nR9A,Trust,provider,extra\n");
    let error = import_error(import(&app, ImportKind::Organisations, &ragged).await);
    assert!(error.contains("ragged.csv:2: the row has 4 fields but the header has 3"), "{error}");

    let repeated =
        write(dir.path(), "repeated.csv", "org_code,name,kind\nR9A,Trust,provider\nR9A,Trust again,provider\n");
    let error = import_error(import(&app, ImportKind::Organisations, &repeated).await);
    assert!(error.contains("repeated.csv:3: field 'org_code': 'R9A' appears again (first on line 2)"), "{error}");

    let mut after = db.store.backup(0).await.unwrap();
    after.created_at = before.created_at;
    assert_eq!(after, before, "a failed import must leave the store unchanged");
}

#[tokio::test]
async fn unknown_formats_are_refused_with_the_header_line() {
    let (app, _db, dir) = app().await;
    let path = write(dir.path(), "what.csv", "colour,shape\nred,round\n");
    let error = import_error(import(&app, ImportKind::Areas, &path).await);
    assert!(error.contains("what.csv:1: the header is not a known areas format"), "{error}");
    let error = import_error(import(&app, ImportKind::Organisations, &dir.path().join("nope.csv")).await);
    assert!(error.contains("nope.csv: cannot open the file"), "{error}");
}
