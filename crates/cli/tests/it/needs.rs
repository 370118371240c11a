//! `import registers`, `needs` and `indicator-catalogue` through the real binary, on the real
//! modelled QOF prevalence and IMD files, and on malformed files.

use crate::support::{commissioner, text};
use test_support::shared_data;

fn hocl(file: &str) -> String {
    shared_data(&format!("hocl-qof-prevalence-2019-20/{file}")).to_str().unwrap().to_owned()
}

#[test]
fn real_prevalence_is_assessed_and_written_as_xlsx_csv_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let run = |args: &[&str]| {
        let output = commissioner(data, args);
        assert!(output.status.success(), "{args:?}: {}", text(&output.stderr));
        output
    };
    run(&["import", "areas", &hocl("lsoa11_geography_lookup_with_imd2019.csv")]);
    let imported = run(&["import", "registers", &hocl("modelled_prevalence_by_imd.csv"), "--year", "2019"]);
    assert!(text(&imported.stdout).contains("Imported 231 rows of registers (modelled-prevalence-imd format)"));
    run(&["import", "registers", &hocl("modelled_prevalence_by_lad.csv"), "--year", "2019"]);

    let summary = run(&["needs", "--area", "E12000009"]);
    let summary = text(&summary.stdout);
    assert!(
        summary.starts_with("Needs assessment: South West (E12000009), by Locality (local authority)"),
        "{summary}"
    );
    let hypertension = summary.lines().find(|line| line.starts_with("QOF_HYP")).expect("a hypertension line");
    assert!(hypertension.contains("14.08"), "England's 14.08% is the benchmark: {hypertension}");
    assert!(summary.contains("Estimated unmet need"));

    let xlsx = data.join("south-west.xlsx");
    run(&["needs", "--area", "E12000009", "--out", xlsx.to_str().unwrap()]);
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");
    let csv = data.join("south-west.csv");
    run(&["needs", "--area", "E12000009", "--level", "locality", "--out", csv.to_str().unwrap()]);
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert!(csv.lines().any(|line| line.starts_with("QOF_COPD,")));
    let json = data.join("south-west.json");
    run(&["needs", "--area", "E12000009", "--out", json.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(json["area"]["name"], "South West");

    let catalogue = run(&["indicator-catalogue"]);
    let catalogue = text(&catalogue.stdout);
    assert!(catalogue.starts_with("id,name,framework,domain,numerator,denominator,method,multiplier,polarity,"));
    assert!(
        catalogue.contains("\nNHSOF_1.1,Under 75 mortality rate from cardiovascular disease,NHS Outcomes Framework,")
    );
}

#[test]
fn bad_input_exits_non_zero_with_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let ok = commissioner(data, &["import", "areas", &hocl("lsoa11_geography_lookup_with_imd2019.csv")]);
    assert!(ok.status.success());
    let bad = data.join("bad.csv");
    std::fs::write(
        &bad,
        "indicator_id,area_code,year,count,denominator\nQOF_HYP,E06000001,2024,5,50\nQOF_HYP,E06000001,2024,-1,50\n",
    )
    .unwrap();
    let output = commissioner(data, &["import", "registers", bad.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("bad.csv:3: field 'count': '-1' is not a count of zero or more"),
        "{}",
        text(&output.stderr)
    );
    // Nothing of the file was written, so there is nothing to assess.
    let output = commissioner(data, &["needs", "--area", "E06000001"]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("has no counts for any indicator"), "{}", text(&output.stderr));

    let cases: [(&[&str], &str); 4] = [
        (&["needs", "--area", "E12000009", "--level", "county"], "--level must be locality, msoa, lsoa or practice"),
        (&["needs", "--area", "nowhere"], "--area"),
        (&["needs", "--area", "E12000009", "--out", "report.txt"], "--out must end in .xlsx, .csv or .json"),
        (&["needs", "--area", "E01999999"], "not found"),
    ];
    for (args, expected) in cases {
        let output = commissioner(data, args);
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(text(&output.stderr).contains(expected), "{args:?}: {}", text(&output.stderr));
    }
}
