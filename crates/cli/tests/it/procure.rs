//! `procure bids` through the real binary: refused while the bids are sealed, the bids as CSV
//! once the deadline has passed and the tender has closed.

use chrono::{Duration, Utc};

use app::tenders::NewTender;
use app::{App, AppSettings};
use commissioning::access::{Principal, Role};
use commissioning::org::{OdsCode, OrgKind};

use crate::support::{commissioner, text};

fn principal(org: &str, kind: OrgKind, role: Role) -> Principal {
    Principal {
        user_id: 1,
        name: "Test".into(),
        organisation: OdsCode::parse(org).unwrap(),
        organisation_kind: kind,
        roles: [role].into(),
        api_token: None,
    }
}

#[tokio::test]
async fn the_command_line_opens_no_bid_before_the_deadline_and_the_close() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let demo = commissioner(data, &["demo", "--rows", "1000", "--no-serve", "--reference-data", "none"]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));

    let app = App::open(AppSettings::new(data.to_owned())).await.unwrap();
    let buyer = principal("Q99", OrgKind::Commissioner, Role::Commissioner);
    let bidder = principal("R9A", OrgKind::Provider, Role::Provider);
    let now = Utc::now().naive_utc();
    let tender = |deadline: chrono::NaiveDateTime| NewTender {
        title: "Community diagnostic centre".into(),
        process: "competitive".into(),
        deadline: deadline.format("%Y-%m-%dT%H:%M").to_string(),
        price_weight: "40".into(),
        price_formula: "relative_to_lowest".into(),
        criteria: "Quality | 60 | 2".into(),
        specification: String::new(),
        required_documents: String::new(),
        pass_fail: String::new(),
        lots: String::new(),
    };
    // One tender still open; one whose deadline passed an hour ago (created and bid on before).
    let open = app.create_tender(&buyer, &tender(now + Duration::days(30)), now).await.unwrap();
    let earlier = now - Duration::hours(3);
    let past = app.create_tender(&buyer, &tender(now - Duration::hours(1)), earlier).await.unwrap();
    for id in [open, past] {
        app.tender_step(&buyer, id, "publish", earlier).await.unwrap();
        app.submit_bid(&bidder, id, "1250000.00", "Our response, with a comma", earlier).await.unwrap();
    }
    app.close().await;

    for id in [open, past] {
        let output = commissioner(data, &["procure", "bids", "--tender", &id.to_string()]);
        assert!(!output.status.success(), "tender {id}'s bids are sealed");
        assert!(text(&output.stderr).contains("bids are sealed until the deadline"), "{}", text(&output.stderr));
        assert!(text(&output.stdout).is_empty());
    }
    // Closed after its deadline: the bids come out as CSV.
    let app = App::open(AppSettings::new(data.to_owned())).await.unwrap();
    app.tender_step(&buyer, past, "close", Utc::now().naive_utc()).await.unwrap();
    app.close().await;
    let output = commissioner(data, &["procure", "bids", "--tender", &past.to_string()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "bidder,price,submitted_by,response\nR9A,1250000.00,Test,\"Our response, with a comma\"\n"
    );
    let missing = commissioner(data, &["procure", "bids", "--tender", "999"]);
    assert!(!missing.status.success() && text(&missing.stderr).contains("there is no tender 999"));
}

#[test]
fn ocds_goes_out_as_a_package_and_comes_in_from_contracts_finder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let demo = commissioner(data, &["demo", "--rows", "1000", "--no-serve", "--reference-data", "none"]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));

    let out = data.join("package.json");
    let export = commissioner(data, &["procure", "export-ocds", "--out", out.to_str().unwrap()]);
    assert!(export.status.success(), "{}", text(&export.stderr));
    assert!(text(&export.stderr).contains("Wrote 6 releases"), "{}", text(&export.stderr));
    let package: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(package["version"], "1.1");
    assert!(package["uri"].as_str().unwrap().ends_with("/api/v1/ocds/release-package"));

    let real = test_support::shared_data("contracts-finder-ocds/contracts_finder_release_package_2025-01-23.json");
    for _ in 0..2 {
        let import = commissioner(data, &["procure", "import-ocds", real.to_str().unwrap()]);
        assert!(import.status.success(), "{}", text(&import.stderr));
        assert!(text(&import.stderr).contains("Imported 100 releases"), "{}", text(&import.stderr));
    }
    // One release without its ocid: reported by path and skipped, the rest imported.
    let mut damaged: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    damaged["releases"][2].as_object_mut().unwrap().remove("ocid");
    let damaged_path = data.join("damaged.json");
    std::fs::write(&damaged_path, damaged.to_string()).unwrap();
    let import = commissioner(data, &["procure", "import-ocds", damaged_path.to_str().unwrap()]);
    assert!(import.status.success(), "{}", text(&import.stderr));
    assert!(
        text(&import.stderr).contains("damaged.json: $.releases[2].ocid: is required")
            && text(&import.stderr).contains("Imported 99 releases"),
        "{}",
        text(&import.stderr)
    );
    std::fs::write(&damaged_path, "not json").unwrap();
    let refused = commissioner(data, &["procure", "import-ocds", damaged_path.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("damaged.json: line 1, column 2: not valid JSON"),
        "{}",
        text(&refused.stderr)
    );

    let flags = commissioner(data, &["procure", "red-flags"]);
    assert!(flags.status.success(), "{}", text(&flags.stderr));
    let csv = text(&flags.stdout);
    assert!(csv.starts_with("indicator,name,id,title,buyer,detail\n"), "{csv}");
    assert!(csv.contains("\nC001,Repeated direct award C,D2,"), "{csv}");
    assert!(csv.contains("\nC003,"), "{csv}");
}
