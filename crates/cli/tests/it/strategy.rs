//! `strategy` through the real binary on the demo: the plans with the operating plan's live
//! progress, the competencies' gaps and trend, the PSR annual summary, and bad arguments
//! refused by name with a non-zero exit.

use crate::support::{commissioner, text};

#[test]
fn the_strategy_commands_print_the_plans_assessments_and_psr_summary() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let demo = commissioner(data, &["demo", "--rows", "1000", "--no-serve", "--reference-data", "none"]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));

    let plans = commissioner(data, &["strategy", "plans"]);
    assert!(plans.status.success(), "{}", text(&plans.stderr));
    let plans: serde_json::Value = serde_json::from_slice(&plans.stdout).unwrap();
    let operating = plans.as_array().unwrap().iter().find(|p| p["kind"] == "operating").unwrap();
    assert_eq!(operating["objectives"].as_array().unwrap().len(), 3);
    assert!(operating["objectives"].as_array().unwrap().iter().any(|o| o["progress"]["standing"] == "met"));
    let development = plans.as_array().unwrap().iter().find(|p| p["kind"] == "development").unwrap();
    assert_eq!(development["development_gaps"].as_array().unwrap().len(), 2);

    let competencies = commissioner(data, &["strategy", "assessment", "--framework", "competencies"]);
    assert!(competencies.status.success(), "{}", text(&competencies.stderr));
    let competencies: serde_json::Value = serde_json::from_slice(&competencies.stdout).unwrap();
    assert_eq!(competencies["period"], "2025/26");
    assert_eq!(competencies["gaps"][0]["name"], "Stimulate the market");
    assert_eq!(competencies["trend"][2]["movement"], "improved");

    let summary = commissioner(data, &["strategy", "psr-summary", "--year", "2025/26"]);
    assert!(summary.status.success(), "{}", text(&summary.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&summary.stdout).unwrap();
    assert_eq!(summary["year"], "2025/26");
    assert_eq!(summary["total"], 3);

    let bad_year = commissioner(data, &["strategy", "psr-summary", "--year", "2025"]);
    assert!(!bad_year.status.success());
    assert!(text(&bad_year.stderr).contains("--year: '2025' is not a financial year"), "{}", text(&bad_year.stderr));
    let bad_framework = commissioner(data, &["strategy", "assessment", "--framework", "wcc"]);
    assert!(!bad_framework.status.success());
    assert!(text(&bad_framework.stderr).contains("--framework: 'wcc'"), "{}", text(&bad_framework.stderr));
}
