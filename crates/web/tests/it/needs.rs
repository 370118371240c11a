//! Plan: the needs assessment pages, downloads and API on the demo (with the real England
//! prevalence and deprivation from shared/data as the benchmark).

use axum::http::StatusCode;

use crate::helpers::TestWeb;

#[tokio::test]
async fn the_overview_shows_indicators_against_england_and_ranks_unmet_need() {
    let web = TestWeb::demo().await;
    let mut analyst = web.signed_in("analyst@demo.commissioner.test").await;
    let page = analyst.get("/plan/needs").await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "Health needs assessment: Ashmere and Dunmore ICB area",
        "Hypertension: recorded prevalence",
        "Under 75 mortality rate from cardiovascular disease",
        "England 2019",
        "Estimated unmet need",
        "app-significance--lower",
        "class=\"app-spine\"",
        "/plan/needs/assessment.xlsx",
    ] {
        assert!(page.body.contains(expected), "the overview lacks {expected:?}");
    }
    // Every chart is an image with a title and a description.
    let charts =
        page.body.matches("class=\"app-spine\"").count() + page.body.matches("class=\"app-chart__svg\"").count();
    assert!(charts >= 13);
    assert_eq!(page.body.matches("role=\"img\" aria-labelledby=").count(), charts);
    assert!(page.body.matches("<desc id=").count() >= 13);

    let csv = analyst.get("/plan/needs/indicators.csv").await;
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert!(csv.body.starts_with("indicator_id,indicator,domain,year,unit,area_code,count,denominator,value,"));
    assert!(csv.body.contains("\nQOF_HYP,Hypertension: recorded prevalence,Disease prevalence,2024,%,E54900001,"));
    let unmet = analyst.get("/plan/needs/unmet-need.csv").await;
    assert!(unmet.body.lines().nth(1).unwrap().starts_with("area,"));
    let xlsx = analyst.get("/plan/needs/assessment.xlsx").await;
    assert_eq!(xlsx.headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(xlsx.body.starts_with("PK"), "an XLSX file is a zip archive");
}

#[tokio::test]
async fn indicator_pages_have_bars_funnel_and_gradient_with_their_data() {
    let web = TestWeb::demo().await;
    let mut commissioner = web.signed_in("commissioner@demo.commissioner.test").await;
    let page = commissioner.get("/plan/needs/indicators/QOF_COPD?level=msoa").await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "by MSOA, with 95% limits",
        "Funnel plot",
        "Deprivation gradient",
        "slope index of inequality",
        "by IMD 2019 quintile",
    ] {
        assert!(page.body.contains(expected), "the indicator page lacks {expected:?}");
    }
    let places = commissioner.get("/plan/needs/indicators/QOF_COPD/places.csv?level=msoa").await;
    let rows: Vec<&str> = places.body.lines().collect();
    assert!(rows.len() > 150, "{} MSOAs", rows.len());
    assert!(rows[1].starts_with("QOF_COPD,2024,E029"));
    let funnel = commissioner.get("/plan/needs/indicators/QOF_COPD/funnel.csv?level=msoa").await;
    assert_eq!(funnel.body.lines().count(), 101, "100 points of the funnel and the header");
    let deprivation = commissioner.get("/plan/needs/indicators/QOF_COPD/deprivation.csv").await;
    assert_eq!(deprivation.body.lines().count(), 16, "ten deciles, five quintiles and the header");
    let profile = commissioner.get("/plan/needs/places/E06900001").await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(profile.body.contains("Indicators for"));
    let report = commissioner.get("/plan/needs/report").await;
    assert!(report.body.contains("Health needs assessment report"));
    assert_eq!(commissioner.get("/plan/needs/indicators/NOPE").await.status, StatusCode::NOT_FOUND);
    assert_eq!(commissioner.get("/plan/needs/places/E06999999").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_selection_is_an_error_summary_and_the_api_refuses_it() {
    let web = TestWeb::demo().await;
    let mut analyst = web.signed_in("analyst@demo.commissioner.test").await;
    let page = analyst.get("/plan/needs?area=ZZ&year=twenty").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("There is a problem"));
    assert!(page.body.contains("href=\"#area\""));
    assert!(page.body.contains("href=\"#year\""));
    assert!(page.body.starts_with("<!DOCTYPE html>") && page.body.contains("<title>Error: "));

    let api = analyst.get("/api/v1/needs?level=practice").await.json();
    assert_eq!(api["area"]["code"], "E54900001");
    let diabetes = api["indicators"].as_array().unwrap().iter().find(|i| i["definition"]["id"] == "QOF_DM").unwrap();
    assert_eq!(diabetes["places"].as_array().unwrap().len(), 40, "forty practices");
    assert!(diabetes["overall"]["lower95"].as_f64().unwrap() < diabetes["overall"]["value"].as_f64().unwrap());
    assert!(api["unmet_need"].as_array().unwrap().len() >= 10);
    assert_eq!(analyst.get("/api/v1/needs?level=county").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(analyst.get("/api/v1/needs?area=E06999999").await.status, StatusCode::NOT_FOUND);
    let catalogue = analyst.get("/api/v1/indicators").await.json();
    assert!(catalogue.as_array().unwrap().iter().any(|d| d["framework"] == "NHS Outcomes Framework"));
}
