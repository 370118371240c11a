//! Plan: the gap register page and its CSV on the demo, driven by its needs assessment.

use axum::http::StatusCode;

use crate::helpers::TestWeb;

#[tokio::test]
async fn an_analyst_reads_the_gap_register_with_its_evidence_and_downloads_it() {
    let web = TestWeb::demo().await;
    let mut analyst = web.signed_in("analyst@demo.commissioner.test").await;
    let page = analyst.get("/plan/gaps").await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "Provision and gaps",
        "Gap register",
        "Unmet need",
        "Duplication",
        "Low value",
        "Homeopathy clinic costs",
        "Access",
        "Pulmonary rehabilitation",
        "£30,000 a QALY",
    ] {
        assert!(page.body.contains(expected), "the gap register lacks {expected:?}");
    }
    let csv = analyst.get("/plan/gaps.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("kind,need,area_code,area_name,service_code,gap,evidence,confidence,size"));
    assert!(csv.body.lines().any(|l| l.starts_with("low_value,LOCAL_HOMEO,")), "{}", csv.body);
    assert_eq!(analyst.get("/plan/gaps?year=nineteen").await.status, StatusCode::BAD_REQUEST);
    let (status, headers, bytes) = analyst.get_bytes("/plan/gaps.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    assert_eq!(&bytes[..2], b"PK", "an XLSX is a zip");
    assert!(page.body.contains("Activity against need"), "the provision funnels are drawn");
    let plan = analyst.get("/plan").await;
    assert!(plan.body.contains("/plan/gaps"));

    let peers = analyst.get("/plan/peers?level=msoa&indicator=QOF_DM&k=4").await;
    assert_eq!(peers.status, StatusCode::OK);
    assert!(peers.body.contains("The 4 nearest places") && peers.body.contains("Mean IMD decile"), "{}", peers.body);
    assert_eq!(analyst.get("/plan/peers?level=practice").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(analyst.get("/plan/peers?k=0").await.status, StatusCode::BAD_REQUEST);
}
