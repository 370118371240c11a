//! Plan: needs assessment on the real QOF prevalence and IMD files, on the generated demo,
//! and refusals of malformed register files that write nothing.

use std::path::{Path, PathBuf};

use app::demo::DemoOptions;
use app::import::{ImportKind, ImportOptions};
use app::needs::{NeedsLevel, NeedsQuery};
use app::progress::Silent;
use app::{Actor, App, AppError};
use commissioning::access::Role;
use commissioning::area::AreaCode;
use commissioning::methods::Confidence;
use commissioning::methods::rates::proportion;
use commissioning::org::OrgKind;
use commissioning::plan::needs::Significance;
use test_support::shared_data;

use crate::{app, principal};

fn actor() -> Actor {
    Actor::System("test".into())
}

fn hocl(file: &str) -> PathBuf {
    shared_data(&format!("hocl-qof-prevalence-2019-20/{file}"))
}

fn area(code: &str) -> AreaCode {
    AreaCode::parse(code).unwrap()
}

async fn import(
    app: &App,
    kind: ImportKind,
    path: &Path,
    year: Option<i32>,
) -> Result<app::import::ImportReport, AppError> {
    app.import(&actor(), kind, path, &ImportOptions { year, as_of: None }).await
}

/// Loads England's geography and the modelled QOF prevalence for England by decile, regions
/// and local authorities, as the demo does from shared/data.
async fn load_real(app: &App) {
    import(app, ImportKind::Areas, &hocl("lsoa11_geography_lookup_with_imd2019.csv"), None).await.unwrap();
    for file in
        ["modelled_prevalence_by_imd.csv", "modelled_prevalence_by_region.csv", "modelled_prevalence_by_lad.csv"]
    {
        import(app, ImportKind::Registers, &hocl(file), Some(2019)).await.unwrap();
    }
}

/// Source of the expected values: the file's own register and list (value = register/list
/// as a percentage, the SOURCE.md definition) and PHEindicatormethods' Wilson limits, which
/// `methods::rates::proportion` reproduces (tests in the methods engine).
#[tokio::test]
async fn real_local_authority_prevalence_is_compared_with_england() {
    let (app, _db, _dir) = app().await;
    load_real(&app).await;
    // Importing again changes nothing.
    let report =
        import(&app, ImportKind::Registers, &hocl("modelled_prevalence_by_lad.csv"), Some(2019)).await.unwrap();
    assert_eq!(report.n_rows, 6741);
    let query =
        NeedsQuery { area: Some(area("E12000009")), level: NeedsLevel::Locality, benchmark: None, year: Some(2019) };
    let assessment = app.needs_assessment(&actor(), &query).await.unwrap();
    assert_eq!(assessment.area.name, "South West");
    let hypertension = assessment.indicator("QOF_HYP").expect("hypertension is assessed");
    assert_eq!(hypertension.places.len(), 30, "the South West's 30 local authorities");
    assert_eq!(hypertension.benchmark.code, "E92000001");
    // England's hypertension prevalence reproduces national QOF 2019/20 (14.1%).
    let england = hypertension.benchmark_value.as_ref().unwrap().value.unwrap();
    assert!((england - 14.077354017725005).abs() < 1e-9, "{england}");
    // North Somerset: register 36,666.9 of 227,107.8 (16.1%), significantly higher.
    let north_somerset = hypertension.places.iter().find(|p| p.code == "E06000024").unwrap();
    let (register, list) = (36666.89365274073, 227107.81750830667);
    let expected = proportion(Some(register), Some(list), Some(Confidence::Both), 100.0).unwrap();
    assert!((north_somerset.value.value.unwrap() - 16.145148174566734).abs() < 1e-9);
    assert_eq!(north_somerset.value.lower95, expected.limits[0].lower);
    assert_eq!(north_somerset.value.upper998, expected.limits[1].upper);
    assert_eq!(north_somerset.significance95, Significance::Higher);
    // Bristol at 10.5% is significantly lower.
    let bristol = hypertension.places.iter().find(|p| p.code == "E06000023").unwrap();
    assert_eq!(bristol.significance998, Significance::Lower);
    // The region's figure is its own row of the region file, not a sum of its authorities.
    assert!(hypertension.overall.denominator > 5_000_000.0);
    // With no deciles of its own, the region shows England's deprivation gradient: COPD is
    // far commoner in the most deprived decile, so the SII is negative and the RII below 1.
    let copd = assessment.indicator("QOF_COPD").unwrap();
    assert_eq!(copd.gradient_of.as_ref().unwrap().code, "E92000001");
    let gradient = copd.gradient.as_ref().unwrap();
    assert_eq!(gradient.groups.len(), 10);
    assert!(gradient.groups[0].1.value.unwrap() > gradient.groups[9].1.value.unwrap());
    let quintiles = copd.gradient_quintiles.as_ref().unwrap();
    assert_eq!(quintiles.groups.len(), 5);
    let first_two: f64 = gradient.groups[..2].iter().map(|(_, v)| v.count).sum();
    assert!((quintiles.groups[0].1.count - first_two).abs() < 1e-6, "quintile 1 is deciles 1 and 2");
    assert!(quintiles.inequality.unwrap().sii < 0.0);
    let inequality = gradient.inequality.unwrap();
    assert!(inequality.sii < 0.0 && inequality.rii < 1.0, "{inequality:?}");
    assert!(inequality.sii_upper95.unwrap() < 0.0, "the gradient is significant");
    // Unmet need uses England's rates by decile and each authority's LSOA deprivation mix.
    assert!(!assessment.unmet_need_by_place.is_empty());
    let ranked: Vec<f64> = assessment.unmet_need_by_place.iter().map(|row| row.need.unmet).collect();
    assert!(ranked.windows(2).all(|pair| pair[0] >= pair[1]), "ranked largest first");
    let copd_bristol = copd.places.iter().find(|p| p.code == "E06000023").unwrap().unmet_need.unwrap();
    assert!((copd_bristol.expected - copd_bristol.recorded - copd_bristol.unmet).abs() < 1e-6);
}

/// ONS mid-2023 estimates by country: England's and Wales's rows are kept (in age bands),
/// the UK, GB, England and Wales together, Scotland and Northern Ireland skipped.
#[tokio::test]
async fn the_ons_country_population_loads_for_england_and_wales() {
    let (app, db, _dir) = app().await;
    import(&app, ImportKind::Areas, &hocl("lsoa11_geography_lookup_with_imd2019.csv"), None).await.unwrap();
    let path = shared_data("nhsrdatasets/ons_uk_population_2023.csv");
    let report = import(&app, ImportKind::Population, &path, Some(2023)).await.unwrap();
    assert_eq!(report.n_rows, 1274);
    assert_eq!(report.n_written, 2 * 2 * 19, "two countries, two sexes, 19 bands");
    let england = db.store.population_at(&area("E92000001"), 2023).await.unwrap();
    let expected: i64 = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|line| line.contains(",E92000001,"))
        .map(|line| line.rsplit(',').next().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(england.iter().map(|row| row.persons).sum::<i64>(), expected);
    assert!(expected > 57_000_000, "{expected}");
}

#[tokio::test]
async fn malformed_register_files_name_line_and_field_and_write_nothing() {
    let (app, db, dir) = app().await;
    import(&app, ImportKind::Areas, &hocl("lsoa11_geography_lookup_with_imd2019.csv"), None).await.unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let cases = [
        (
            "unknown.csv",
            "lad_code,lad_name,group_code,register,list,prevalence\nE06000001,Hartlepool,XYZ,1,10,0.1\n",
            Some(2019),
            "unknown.csv:2: field 'group_code': 'QOF_XYZ' is not in the indicator catalogue",
        ),
        (
            "over.csv",
            "lad_code,lad_name,group_code,register,list,prevalence\nE06000001,Hartlepool,HYP,1,10,0.1\nE06000002,Middlesbrough,HYP,11,10,1.1\n",
            Some(2019),
            "over.csv:3: field 'register': 11 is more than the list 10",
        ),
        (
            "noyear.csv",
            "lad_code,lad_name,group_code,register,list,prevalence\nE06000001,Hartlepool,HYP,1,10,0.1\n",
            None,
            "noyear.csv:1: field 'year': modelled prevalence files have no year column",
        ),
        (
            "area.csv",
            "indicator_id,area_code,year,count,denominator\nQOF_HYP,E06000001,2024,5,50\nQOF_HYP,E06999998,2024,5,50\n",
            None,
            "area.csv:3: field 'area_code': 'E06999998' is not a known area",
        ),
        (
            "dsr.csv",
            "indicator_id,area_code,year,count\nNHSOF_1.1,E06000001,2024,5\n",
            None,
            "dsr.csv:2: field 'age_band': NHSOF_1.1 is a directly standardised rate",
        ),
        (
            "proportion.csv",
            "indicator_id,area_code,year,count,denominator\nQOF_HYP,E06000001,2024,60,50\n",
            None,
            "proportion.csv:2: field 'count': 60 is more than the denominator 50",
        ),
        (
            "twice.csv",
            "indicator_id,area_code,year,count,denominator\nQOF_HYP,E06000001,2024,5,50\nQOF_HYP,E06000001,2024,6,50\n",
            None,
            "twice.csv:3: field 'count': 'QOF_HYP area E06000001 2024 sex 0 band all decile 0' appears again (first on line 2)",
        ),
        (
            "life.csv",
            "indicator_id,area_code,year,count\nNHSOF_1b,E06000001,2024,5\n",
            None,
            "life.csv:2: field 'indicator_id': NHSOF_1b is a life-expectancy indicator",
        ),
    ];
    for (name, text, year, expected) in cases {
        let error = match import(&app, ImportKind::Registers, &write(name, text), year).await {
            Err(AppError::Import(error)) => error.to_string(),
            other => panic!("{name}: expected an import error, got {other:?}"),
        };
        assert!(error.contains(expected), "{name}: {error}");
    }
    assert!(db.store.measures_within(&area("E92000001")).await.unwrap().is_empty(), "nothing was written");
}

#[tokio::test]
async fn the_demo_assessment_ranks_unmet_need_at_every_level() {
    let (app, _db, _dir) = app().await;
    let options = DemoOptions { seed: 5, rows: 2_000, reference_data: Some(shared_data("")) };
    app.load_demo(&options, &Silent).await.unwrap();
    let commissioner = principal("Q99", OrgKind::Commissioner, Role::Analyst);
    let user = Actor::User(commissioner.clone());
    let overview = app.needs_assessment(&user, &NeedsQuery::default()).await.unwrap();
    assert_eq!(overview.area.code.as_str(), "E54900001", "the commissioner's footprint by default");
    // The generated registers: the whole area's count is the sum of its LSOAs' counts.
    let registers = std::fs::read_to_string(app.settings().data_dir.join("generated/registers.csv")).unwrap();
    let recorded: f64 = registers
        .lines()
        .filter(|line| line.starts_with("QOF_HYP,"))
        .map(|line| line.split(',').nth(5).unwrap().parse::<f64>().unwrap())
        .sum();
    let hypertension = overview.indicator("QOF_HYP").unwrap();
    assert_eq!(hypertension.overall.count, recorded);
    assert_eq!(hypertension.places.len(), 4, "four localities");
    assert_eq!(hypertension.benchmark.name, "England", "real England figures are the benchmark");
    assert_eq!(hypertension.benchmark_year, 2019);
    // Under-recording practices leave unmet need, ranked largest first.
    assert!(!overview.unmet_need.is_empty());
    assert!(overview.unmet_need[0].need.unmet >= overview.unmet_need.last().unwrap().need.unmet);
    assert!(hypertension.unmet_need.unwrap().unmet > 0.0);
    // Standardised rates from the events by age band, at every level.
    let cvd = overview.indicator("NHSOF_1.1").unwrap();
    assert!(cvd.overall.value.unwrap() > 10.0 && cvd.overall.value.unwrap() < 200.0, "{:?}", cvd.overall);
    for (level, expected_places) in
        [(NeedsLevel::Msoa, 150..260), (NeedsLevel::Lsoa, 900..1300), (NeedsLevel::Practice, 40..41)]
    {
        let query = NeedsQuery { level, ..NeedsQuery::default() };
        let assessment = app.needs_assessment(&user, &query).await.unwrap();
        let n_places = assessment.indicator("QOF_DM").unwrap().places.len();
        assert!(expected_places.contains(&n_places), "{level:?}: {n_places}");
    }
    let practices = app
        .needs_assessment(&user, &NeedsQuery { level: NeedsLevel::Practice, ..NeedsQuery::default() })
        .await
        .unwrap();
    let by_practice = practices.indicator("QOF_DM").unwrap();
    assert!(by_practice.places.iter().all(|p| p.unmet_need.is_some()), "practices have lists by decile");
    assert!(by_practice.places.iter().any(|p| p.significance95 == Significance::Lower));
    // A provider may not see the plan stage.
    let provider = Actor::User(principal("R9A", OrgKind::Provider, Role::Provider));
    assert!(matches!(app.needs_assessment(&provider, &NeedsQuery::default()).await, Err(AppError::Forbidden)));
}
