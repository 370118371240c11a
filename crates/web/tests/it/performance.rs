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

#[tokio::test]
async fn the_contract_performance_tab_takes_returns_and_evaluations_feed_the_plan_and_board() {
    let web = TestWeb::demo().await;
    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    let tab = provider.get("/procure/contracts/Q99-R9A-2024/performance").await;
    assert_eq!(tab.status, StatusCode::OK);
    for expected in [
        "Variation and assurance",
        "DS24: Discharge summaries sent within 24 hours (%)",
        "Send a KPI return",
        "Friends and Family Test",
        "95% confidence interval",
        "Oxford Hip Score",
        "role=\"img\"",
    ] {
        assert!(tab.body.contains(expected), "the performance tab lacks {expected:?}");
    }
    assert!(!tab.body.contains("/evaluations\""), "a provider has no evaluation tab");

    // The provider uploads a return: a bad file gives the error summary naming its line and
    // field; a good one is recorded and shown.
    let csrf = tab.csrf_token();
    let path = "/procure/contracts/Q99-R9A-2024/kpi-returns";
    let bad = provider
        .post_multipart(
            path,
            &[("csrf_token", &csrf)],
            &[("kpi_return", "october.csv", b"code,month,value\nAE4,2025-10,abc\n")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("There is a problem") && bad.body.contains("href=\"#kpi_return\""), "{}", bad.body);
    assert!(
        bad.body.contains("october.csv:2: field &#39;value&#39;") || bad.body.contains("october.csv:2: field 'value'"),
        "{}",
        bad.body
    );
    let missing = provider.post_multipart(path, &[("csrf_token", &csrf)], &[]).await;
    assert!(missing.body.contains("Choose a KPI return file"));
    let good = provider
        .post_multipart(
            path,
            &[("csrf_token", &csrf)],
            &[("kpi_return", "october.csv", b"code,month,numerator,denominator\nDS24,2025-10,2401,2490\n")],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    let tab = provider.get("/procure/contracts/Q99-R9A-2024/performance").await;
    assert!(tab.body.contains("96.4") && tab.body.contains("2025-10"));

    // The same through the API, as JSON; a bad line is named by position.
    let sent = provider
        .post_api_as(
            "/api/v1/contracts/Q99-R9A-2024/kpi-returns",
            &csrf,
            "application/json",
            r#"{"results": [{"code": "AE4", "month": "2025-10", "value": "77.4"}]}"#,
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert_eq!(sent.json()["results"], 1);
    let refused = provider
        .post_api_as(
            "/api/v1/contracts/Q99-R9A-2024/kpi-returns",
            &csrf,
            "application/json",
            r#"{"results": [{"code": "AE4", "month": "2025-10", "value": "77.4"}, {"code": "AE4", "month": "2025-11", "numerator": 5}]}"#,
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("results[1].denominator"), "{}", refused.body);
    let performance = provider.get("/api/v1/contracts/Q99-R9A-2024/performance").await.json();
    assert_eq!(performance["kpis"].as_array().unwrap().len(), 4);
    let mut rival = web.signed_in("provider.b@demo.commissioner.test").await;
    assert_eq!(rival.get("/procure/contracts/Q99-R9A-2024/performance").await.status, StatusCode::NOT_FOUND);

    // The commissioner's evaluation: the report, the form's error summary, then the record,
    // whose findings appear in the plan and the board report.
    let mut commissioner = web.signed_in("commissioner@demo.commissioner.test").await;
    let page = commissioner.get("/procure/contracts/Q99-R9A-2024/evaluations").await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in ["Evaluation report at", "Outcomes and KPIs", "Activity against plan", "Money", "Record evaluation"]
    {
        assert!(page.body.contains(expected), "the evaluation page lacks {expected:?}");
    }
    let csrf = page.csrf_token();
    let path = "/procure/contracts/Q99-R9A-2024/evaluations";
    let empty = commissioner.post_form(path, &[("csrf_token", &csrf), ("review_date", "31/03/2026")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["review_date", "recommendation", "rationale", "findings"] {
        assert!(empty.body.contains(&format!("href=\"#{field}\"")), "the error summary lacks {field}");
    }
    let recorded = commissioner
        .post_form(
            path,
            &[
                ("csrf_token", &csrf),
                ("review_date", "2025-09-30"),
                ("recommendation", "redesign"),
                ("rationale", "Four-hour performance below the planning target all year"),
                ("findings", "Winter same-day emergency care capacity is short"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let record = commissioner.get(recorded.location()).await;
    assert!(record.body.contains("Findings for the 2026/27 plan") && record.body.contains("Redesign"));
    let plan = commissioner.get("/plan").await;
    assert!(plan.body.contains("Winter same-day emergency care capacity is short") && plan.body.contains("2026/27"));
    let findings = commissioner.get("/api/v1/plan/findings").await.json();
    assert!(
        findings.as_array().unwrap().iter().any(|f| f["finding"] == "Winter same-day emergency care capacity is short")
    );
    let board = commissioner.get("/monitor/board-report").await;
    assert_eq!(board.status, StatusCode::OK);
    for expected in [
        "Performance report to the board",
        "National standards",
        "Contract KPIs by rating",
        "Winter same-day emergency care",
        "AE4: A&amp;E attendances seen within 4 hours",
    ] {
        assert!(board.body.contains(expected), "the board report lacks {expected:?}");
    }
    assert_eq!(provider.get("/monitor/board-report").await.status, StatusCode::FORBIDDEN);
    let own = provider.get("/monitor/providers/R9A/performance").await;
    assert!(own.body.contains("Contract KPIs") && own.body.contains("Variation and assurance"));
}
