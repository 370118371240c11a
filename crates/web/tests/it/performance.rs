//! Performance against national standards: real A&E 4-hour performance for every trust as
//! SPC small multiples with icons, one trust's chart and its data, and who may see which.

use axum::http::StatusCode;

use crate::helpers::TestWeb;

#[tokio::test]
async fn every_trust_has_an_spc_chart_with_icons_and_providers_see_only_their_own() {
    let web = TestWeb::demo().await;
    let mut analyst = web.signed_in("analyst@demo.commissioner.test").await;
    let list = analyst.get("/monitor/performance").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("A&amp;E: seen within 4 hours (all types)"), "{}", list.body);
    assert!(list.body.contains("RTT: completed pathways within 18 weeks"));

    let overview = analyst.get("/monitor/performance/ae_4hr_all").await;
    assert_eq!(overview.status, StatusCode::OK);
    for expected in ["Constitutional standard", "95%", "Variation and assurance", "Showing 60 of", "role=\"img\""] {
        assert!(overview.body.contains(expected), "the overview lacks {expected:?}");
    }
    assert!(overview.body.contains("Special cause variation") && overview.body.contains("consistently be missed"));
    let search = analyst.get("/monitor/performance/ae_4hr_all?q=RL4").await;
    assert!(search.body.contains("Showing 1 of 1 organisations matching"));

    // RL4's chart: 36 months, April 2016 to March 2019, with the months as a table and CSV
    // whose columns are named as NHSRplotthedots names them.
    let chart = analyst.get("/monitor/performance/ae_4hr_all/RL4").await;
    assert_eq!(chart.status, StatusCode::OK);
    assert!(chart.body.contains("Apr 2016") && chart.body.contains("Mar 2019"));
    assert!(chart.body.contains("36 points from 2016-04-01 to 2019-03-01"));
    let csv = analyst.get("/monitor/performance/ae_4hr_all/RL4/spc.csv").await;
    assert!(csv.body.starts_with("org_code,x,numerator,denominator,y,rebase_group,mean,lpl,upl,outside_limits"));
    assert_eq!(csv.body.lines().count(), 37);
    // The national RTT data has three months: trial limits, with the warning.
    let rtt = analyst.get("/monitor/performance/rtt_completed_18wk/R1H").await;
    assert_eq!(rtt.status, StatusCode::OK, "{}", rtt.body);
    assert!(rtt.body.contains("Barts Health NHS Trust") && rtt.body.contains("trial limits"));
    assert_eq!(analyst.get("/monitor/performance/nothing").await.status, StatusCode::NOT_FOUND);
    assert_eq!(analyst.get("/monitor/performance/ae_4hr_all/NOPE").await.status, StatusCode::NOT_FOUND);

    // A provider sees the measure's page with only its own organisation, and not RL4.
    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    let own = provider.get("/monitor/performance/ae_4hr_all").await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(!own.body.contains("RL4"));
    assert_eq!(provider.get("/monitor/performance/ae_4hr_all/RL4").await.status, StatusCode::NOT_FOUND);

    // The methods API runs the same engine.
    let csrf = analyst.get("/profile").await.csrf_token();
    let reply = analyst
        .post_api_as(
            "/api/v1/methods/spc",
            &csrf,
            "application/json",
            r#"{"x": ["2024-01-01","2024-02-01","2024-03-01","2024-04-01"], "y": [1, 2, 1, 2], "target": 5}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["assurance_type"], "consistent_fail");
}
