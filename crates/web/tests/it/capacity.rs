//! Capacity planning through the router: RTT waits for England and a provider from the
//! real return the demo loads, a capacity plan started from one of its services with the
//! scenario table and fan charts, the weekly CSV, and bad figures in the error summary.

use axum::http::StatusCode;

use crate::helpers::TestWeb;

#[tokio::test]
async fn a_commissioner_goes_from_rtt_waits_to_a_capacity_plan_with_scenarios() {
    let web = TestWeb::demo().await;
    let mut analyst = web.signed_in("analyst@demo.commissioner.test").await;
    let england = analyst.get("/plan/capacity/rtt?period=2025-09").await;
    assert_eq!(england.status, StatusCode::OK);
    for expected in [
        "Referral to treatment waits, 2025-09",
        "1,449,831",
        "64.3%",
        "Trauma and Orthopaedic Service (C_110)",
        "/plan/capacity/rtt/R1H?period=2025-09",
    ] {
        assert!(england.body.contains(expected), "the RTT page lacks {expected:?}");
    }
    let barts = analyst.get("/plan/capacity/rtt/R1H?period=2025-09").await;
    assert_eq!(barts.status, StatusCode::OK);
    assert!(barts.body.contains("/plan/capacity?provider=R1H&amp;tfc=C_110&amp;period=2025-09"), "{}", barts.body);

    let plan = analyst.get("/plan/capacity?provider=R1H&tfc=C_110&period=2025-09").await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    for expected in [
        "Trauma and Orthopaedic Service",
        "RTT completed pathways, 2025-09-01",
        "Capacity required, by scenario",
        "Shift 20% to community",
        "10% more sessions",
        "Capacity needed a week (simulated)",
        "Weeks to clear the backlog",
        "Simulated waiting list, Baseline",
        "<svg",
        "/plan/capacity/weeks.csv?provider=R1H",
    ] {
        assert!(plan.body.contains(expected), "the plan lacks {expected:?}");
    }
    let csv = analyst.get("/plan/capacity/weeks.csv?demand=40&capacity=42&backlog=300").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("scenario,week,queue_mean,queue_p5"), "{}", &csv.body[..80]);
    // Four scenarios × 104 weeks and the header.
    assert_eq!(csv.body.lines().count(), 1 + 4 * 104);
    let rtt_csv = analyst.get("/plan/capacity/rtt.csv?period=2025-09").await;
    assert!(rtt_csv.body.lines().any(|l| l.starts_with("2025-09-01,R1H,")), "the RTT CSV lacks Barts");

    let bad = analyst.get("/plan/capacity?demand=lots&price=free").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("There is a problem"));
    assert!(bad.body.contains("href=\"#demand\""), "{}", bad.body);
    assert!(bad.body.contains("Enter an amount in pounds"));

    let forecast = analyst.get("/plan/capacity/forecast?growth=1.5").await;
    assert_eq!(forecast.status, StatusCode::OK, "{}", forecast.body);
    for expected in [
        "Demand forecast: A&amp;E attendances (all types), England",
        "2016-04 to 2019-03",
        "Back-test",
        "2019-04",
        "2020-03",
        "+1.5%",
        "<svg",
    ] {
        assert!(forecast.body.contains(expected), "the forecast lacks {expected:?}");
    }
    let bad = analyst.get("/plan/capacity/forecast?growth=lots").await;
    assert!(bad.body.contains("href=\"#growth\""), "{}", bad.body);
    let unknown = analyst.get("/plan/capacity/forecast?org=ZZZ").await;
    assert!(unknown.body.contains("There is no A&amp;E series"), "{}", unknown.body);

    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    assert_eq!(provider.get("/plan/capacity/rtt").await.status, StatusCode::FORBIDDEN);
}
