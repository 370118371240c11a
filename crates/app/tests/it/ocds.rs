//! Transparency on the demo: its procurements published as an OCDS release package that
//! validates against the OCDS 1.1.5 schema in ../shared/data with no errors; real Contracts
//! Finder packages imported, re-imported without doubling, and a malformed release named by
//! its path; and the red flags over both.

use app::Actor;
use app::demo::DemoOptions;
use app::progress::Silent;
use commissioning::procure::redflags::Indicator;
use test_support::shared_data;

use crate::app;

/// The release package schema with its releases checked against the dereferenced release
/// schema, so that validation needs nothing from the network.
fn package_validator() -> jsonschema::Validator {
    let read = |name: &str| -> serde_json::Value {
        let path = shared_data(&format!("ocds-1.1.5-schema/{name}"));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    };
    let mut package = read("release-package-schema.json");
    let mut release = read("dereferenced-release-schema.json");
    // The release schema's own `id` would otherwise be resolved as a separate resource.
    release.as_object_mut().unwrap().remove("id");
    release.as_object_mut().unwrap().remove("$schema");
    package["properties"]["releases"]["items"] = release;
    jsonschema::draft4::options().should_validate_formats(true).build(&package).unwrap()
}

fn errors(validator: &jsonschema::Validator, value: &serde_json::Value) -> Vec<String> {
    validator.iter_errors(value).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

#[tokio::test]
async fn the_demo_procurements_validate_as_an_ocds_release_package() {
    let (app, _db, _dir) = app().await;
    app.load_demo(&DemoOptions { seed: 3, rows: 2_000, reference_data: None }, &Silent).await.unwrap();
    let now = app::tenders::now_utc();
    let package = app.ocds_release_package("https://commissioner.example", now).await.unwrap();
    let validator = package_validator();
    assert_eq!(errors(&validator, &package), Vec::<String>::new());

    let releases = package["releases"].as_array().unwrap();
    // Three route decisions, the awarded tender and the open one's two lots.
    assert_eq!(releases.len(), 6, "{package:#}");
    let direct = &releases[0];
    assert_eq!(direct["tag"], serde_json::json!(["planning"]));
    assert_eq!(direct["tender"]["procurementMethod"], "direct");
    assert_eq!(direct["tender"]["procurementMethodDetails"], "Provider Selection Regime: Direct award process C");
    let awarded = releases
        .iter()
        .find(|r| r["tender"]["title"] == "Community diagnostic centre" && r["awards"].is_array())
        .unwrap();
    assert_eq!(awarded["tag"], serde_json::json!(["tender", "award", "contract"]));
    assert_eq!(awarded["tender"]["numberOfTenderers"], 2);
    assert_eq!(awarded["awards"][0]["suppliers"][0]["id"], "GB-NHS-R9A");
    // Published 2 June 2025: eight working days from 3 June end on 12 June.
    assert_eq!(
        awarded["awards"][0]["standstillPeriod"],
        serde_json::json!({ "startDate": "2025-06-03T00:00:00Z", "endDate": "2025-06-12T00:00:00Z" })
    );
    assert_eq!(awarded["contracts"][0]["awardID"], awarded["awards"][0]["id"]);
    // The open tender says nothing of its bids, not even who has bid.
    let open = releases.last().unwrap();
    assert_eq!(open["tender"]["status"], "active");
    assert!(open["tender"].get("tenderers").is_none() && open["awards"].is_null());
    // The award's value is the winner's price; no other bid's price is published.
    assert_eq!(awarded["awards"][0]["value"]["amount"], 4_800_000.0);
    assert!(!package.to_string().contains("4500000"), "R9B's price stays private");

    // The validator is not a rubber stamp: a release without its tag fails.
    let mut broken = package.clone();
    broken["releases"][0].as_object_mut().unwrap().remove("tag");
    broken["releases"][1]["tender"]["status"] = "open".into();
    let found = errors(&validator, &broken);
    assert!(found.iter().any(|e| e.starts_with("/releases/0")), "{found:?}");
    assert!(found.iter().any(|e| e.starts_with("/releases/1/tender/status")), "{found:?}");
}

#[tokio::test]
async fn contracts_finder_releases_import_once_and_raise_red_flags() {
    let (app, _db, dir) = app().await;
    app.load_demo(&DemoOptions { seed: 3, rows: 2_000, reference_data: None }, &Silent).await.unwrap();
    let actor = Actor::System("test".into());
    let files = [
        "contracts_finder_release_package_2022-10-20.json",
        "contracts_finder_release_package_2022-10-22.json",
        "contracts_finder_release_package_2025-01-23.json",
        "contracts_finder_releases_2025-03-11_text_damaged.json",
    ];
    let mut imported = 0;
    for file in files {
        let report = app.import_ocds(&actor, &shared_data(&format!("contracts-finder-ocds/{file}"))).await.unwrap();
        assert_eq!(report.releases, 100, "{file}");
        assert!(report.skipped.is_empty(), "{file}: {:?}", report.skipped);
        imported += report.imported;
    }
    let flags = app.red_flags(&actor, app::tenders::now_utc()).await.unwrap();
    assert!(flags.imported_processes > 300, "{}", flags.imported_processes);
    // Again: nothing is added.
    let again = app.import_ocds(&actor, &shared_data(&format!("contracts-finder-ocds/{}", files[2]))).await.unwrap();
    assert_eq!(again.imported, 100);
    let after = app.red_flags(&actor, app::tenders::now_utc()).await.unwrap();
    assert_eq!(after.imported_processes, flags.imported_processes);
    assert_eq!(after.flags, flags.flags);
    assert!(imported >= 390);

    let count = |indicator: Indicator| flags.flags.iter().filter(|f| f.indicator == indicator).count();
    assert!(count(Indicator::ShortSubmissionPeriod) > 0, "real notices with short tender periods");
    // The demo's own: a direct award C renewed, a £650,000 variation with no notice, and
    // contracts with no KPIs.
    assert_eq!(count(Indicator::RepeatedDirectAwardC), 1);
    assert_eq!(count(Indicator::ModificationWithoutNotice), 1);
    // The contract awarded by tender took its KPIs from the specification.
    assert!(flags.flags.iter().any(|f| f.indicator == Indicator::ContractWithoutKpis));
    assert!(!flags.flags.iter().any(|f| f.indicator == Indicator::ContractWithoutKpis && f.id.ends_with("-T1")));
    let csv = flags.to_csv();
    assert!(csv.starts_with("indicator,name,id,title,buyer,detail\n"));
    assert_eq!(csv.lines().count(), flags.flags.len() + 1);

    // A malformed release is named by its path and skipped; the rest are imported.
    let text = std::fs::read_to_string(shared_data(&format!("contracts-finder-ocds/{}", files[2]))).unwrap();
    let mut package: serde_json::Value = serde_json::from_str(&text).unwrap();
    package["releases"][4]["date"] = "yesterday".into();
    let awarded = (5..100).find(|i| package["releases"][i]["awards"][0]["value"].is_object()).unwrap();
    package["releases"][awarded]["awards"][0]["value"]["amount"] = "lots".into();
    let path = dir.path().join("damaged.json");
    std::fs::write(&path, package.to_string()).unwrap();
    let report = app.import_ocds(&actor, &path).await.unwrap();
    let paths: Vec<&str> = report.skipped.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["$.releases[4].date".to_owned(), format!("$.releases[{awarded}].awards[0].value.amount")]);
    assert_eq!(report.imported, 98);
    // A file that is not JSON is refused whole.
    std::fs::write(&path, "{ \"releases\": [ {").unwrap();
    let error = app.import_ocds(&actor, &path).await.unwrap_err();
    assert!(error.to_string().starts_with("damaged.json: line 1"), "{error}");
}
