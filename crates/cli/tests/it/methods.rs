//! `methods` and `indicators` through the real binary, on the documented example, on the real
//! QOF prevalence file and on malformed input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use test_support::shared_data;

fn commissioner(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_commissioner"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run commissioner");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/methods/dsr-esp2013.json")
}

#[test]
fn dsr_on_the_esp2013_example_prints_value_and_limits() {
    let output = commissioner(&["methods", "dsr", "--input", example().to_str().unwrap()], None);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // tests/methods/reference.R.
    assert!((result["value"].as_f64().unwrap() - 1_541.417_948_790_685_4).abs() < 1e-9);
    assert!((result["lower95_0cl"].as_f64().unwrap() - 1_470.233_060_324_696).abs() < 1e-9);
    assert!((result["upper99_8cl"].as_f64().unwrap() - 1_658.361_424_901_286).abs() < 1e-9);
    assert_eq!(result["total_count"], 1773);
    // The same object on standard input gives the same answer.
    let text = std::fs::read_to_string(example()).unwrap();
    let piped = commissioner(&["methods", "dsr"], Some(&text));
    assert_eq!(piped.stdout, output.stdout);
}

#[test]
fn bad_input_is_a_clear_error_and_a_non_zero_exit() {
    for (name, input, message) in [
        ("dsr", r#"{"x": [1, 2], "n": [10], "stdpop": [1, 1]}"#, "x, n and stdpop must have the same length"),
        ("rate", r#"{"x": -1, "n": 10}"#, "numerators must all be greater than or equal to zero"),
        ("proportion", r#"{"x": 11, "n": 10}"#, "numerators must be less than or equal to denominator"),
        ("rate", r#"{"x": 1, "n": 10, "confidence": 0.8}"#, "confidence level must be between 90 and 100"),
        ("wilson", r#"{"x": 1, "n": 10, "confidence": [0.95, 0.99]}"#, "0.95 and 0.998"),
        ("dsr", "not json", "is not valid JSON"),
        ("median", "{}", "there is no method called \"median\""),
    ] {
        let output = commissioner(&["methods", name], Some(input));
        assert!(!output.status.success(), "{name} {input} should fail");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{name} {input}: {stderr}");
        assert!(output.stdout.is_empty());
    }
}

/// Every local authority's modelled QOF prevalence with Wilson limits, from the real file.
#[test]
fn indicators_run_per_group_on_real_prevalence() {
    let input = shared_data("hocl-qof-prevalence-2019-20/modelled_prevalence_by_lad.csv");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("prevalence.csv");
    let output = commissioner(
        &[
            "indicators",
            "proportion",
            "--input",
            input.to_str().unwrap(),
            "--group-by",
            "lad_code,group_code",
            "--column",
            "x=register",
            "--column",
            "n=list",
            "--option",
            "multiplier=100",
            "--option",
            "confidence=[0.95,0.998]",
            "--output",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "lad_code");
    assert!(headers.iter().any(|h| h == "lower99_8cl"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6741, "one result per (local authority, condition) row of the file");
    let hartlepool_af = rows.iter().find(|r| &r[0] == "E06000001" && &r[1] == "AF").unwrap();
    let value_column = headers.iter().position(|h| h == "value").unwrap();
    let value: f64 = hartlepool_af[value_column].parse().unwrap();
    // register / list × 100 from the file's first row.
    assert!((value - 2.238_766_856_711_44).abs() < 1e-9);
}

#[test]
fn a_malformed_table_names_the_file_line_and_column_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("deaths.csv");
    std::fs::write(&input, "area,x,n\nA,5,100\nA,6,100\nB,seven,100\n").unwrap();
    let out = dir.path().join("out.csv");
    let output = commissioner(
        &[
            "indicators",
            "rate",
            "--input",
            input.to_str().unwrap(),
            "--group-by",
            "area",
            "--output",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("deaths.csv:4: column x: \"seven\" is not a number"), "{stderr}");
    assert!(!out.exists() && !dir.path().join("out.partial").exists(), "nothing half-written");

    std::fs::write(&input, "area,x,n\nA,5,100\nB,-1,100\n").unwrap();
    let output = commissioner(&["indicators", "rate", "--input", input.to_str().unwrap(), "--group-by", "area"], None);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("deaths.csv:3: group area=B: numerators must all be greater than or equal to zero"),
        "{stderr}"
    );

    let output =
        commissioner(&["indicators", "rate", "--input", input.to_str().unwrap(), "--group-by", "region"], None);
    assert!(String::from_utf8_lossy(&output.stderr).contains("there is no column \"region\" to group by"));
}

#[test]
fn life_expectancy_by_group_writes_a_row_per_age_band() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("le.csv");
    // PHEindicatormethods testLifeExpectancy.R df1, twice, as two areas.
    let pops = [
        7060, 35059, 46974, 48489, 43219, 38561, 46009, 57208, 61435, 55601, 50209, 56416, 46411, 39820, 37978, 37039,
        33288, 23306, 11936, 11936,
    ];
    let deaths = [17, 9, 4, 8, 20, 15, 24, 33, 50, 71, 100, 163, 263, 304, 536, 872, 1390, 1605, 1936, 1937];
    let ages = [0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90];
    let mut csv = String::from("area,startage,deaths,population\n");
    for area in ["A", "B"] {
        for i in 0..20 {
            csv.push_str(&format!("{area},{},{},{}\n", ages[i], deaths[i], pops[i]));
        }
    }
    std::fs::write(&input, csv).unwrap();
    let output = commissioner(
        &[
            "indicators",
            "life-expectancy",
            "--input",
            input.to_str().unwrap(),
            "--group-by",
            "area",
            "--format",
            "json",
        ],
        None,
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 40);
    assert_eq!(rows[20]["area"], "B");
    // answer1 of the reference test, at birth.
    assert!((rows[0]["value"].as_f64().unwrap() - 80.169_608_13).abs() < 1e-7);
}

/// `methods spc` on the national A&E attendances (all organisations and types by month), as
/// NHSRplotthedots's integration test charts them: the same mean and limits.
#[test]
fn spc_on_the_national_ae_attendances_matches_the_reference() {
    let mut by_period: std::collections::BTreeMap<String, f64> = std::collections::BTreeMap::new();
    let text = std::fs::read_to_string(shared_data("nhsrdatasets/ae_attendances.csv")).unwrap();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        *by_period.entry(fields[0].to_owned()).or_default() += fields[3].parse::<f64>().unwrap();
    }
    let (x, y): (Vec<String>, Vec<f64>) = by_period.into_iter().unzip();
    let input = serde_json::json!({"x": x, "y": y, "improvement_direction": "increase"}).to_string();
    let output = commissioner(&["methods", "spc"], Some(&input));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let chart: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(chart["x"].as_array().unwrap().len(), 36);
    for (column, expected) in [("mean", 2000538.9444444445), ("lpl", 1731844.3644444444), ("upl", 2269233.5244444446)] {
        let value = chart[column][0].as_f64().unwrap();
        assert!(((value - expected) / expected).abs() < 1e-12, "{column}: {value}");
    }
    let bad = commissioner(&["methods", "spc"], Some(r#"{"x": ["2024-01-01"], "y": [1]}"#));
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("at least two points"));
}

#[test]
fn the_waiting_list_formulas_run_from_the_command_line() {
    // NHSRwaitinglist's own example: 30 a week, 1,200 waiting, a target queue of 390, 26 weeks.
    let input = r#"{"demand": 30, "queue_size": 1200, "target_queue_size": 390, "time_to_target": 26}"#;
    let output = commissioner(&["methods", "relief-capacity"], Some(input));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!((result["relief_capacity"].as_f64().unwrap() - 61.153846).abs() < 1e-6);
    let bad = commissioner(&["methods", "target-capacity"], Some(r#"{"demand": 30}"#));
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("target_wait is required"));
}

#[test]
fn the_simulator_and_capacity_plan_run_from_the_documented_examples() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/methods");
    let simulate =
        commissioner(&["methods", "simulate", "--input", examples.join("simulate.json").to_str().unwrap()], None);
    assert!(simulate.status.success(), "{}", String::from_utf8_lossy(&simulate.stderr));
    let result: serde_json::Value = serde_json::from_slice(&simulate.stdout).unwrap();
    assert_eq!(result["replications"], 10_000);
    assert_eq!(result["weeks"].as_array().unwrap().len(), 104);
    assert_eq!(result["waits"][0]["class"], "urgent");
    let again =
        commissioner(&["methods", "simulate", "--input", examples.join("simulate.json").to_str().unwrap()], None);
    assert_eq!(again.stdout, simulate.stdout, "the same seed prints the same result");

    let plan = commissioner(
        &["methods", "capacity-plan", "--input", examples.join("capacity-plan.json").to_str().unwrap()],
        None,
    );
    assert!(plan.status.success(), "{}", String::from_utf8_lossy(&plan.stderr));
    let scenarios: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let names: Vec<&str> =
        scenarios.as_array().unwrap().iter().map(|s| s["scenario"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Baseline", "Shift 20% to community", "Case mix: 5% more, 3% dearer", "Five more a week"]);
    // 1,200 waiting and capacity equal to demand: the baseline never clears; shifting a fifth
    // clears it to the 180 target queue in (1,200 − 180) / 10 = 102 weeks.
    assert!(scenarios[0]["clearance_weeks"].is_null());
    assert!((scenarios[1]["clearance_weeks"].as_f64().unwrap() - 102.0).abs() < 1e-9);

    for (name, input, message) in [
        ("simulate", r#"{"demand": 10, "capacity": 10, "replicatons": 5}"#, "unknown field `replicatons`"),
        (
            "simulate",
            r#"{"demand": 10, "capacity": 10, "withdrawal_prob": 2}"#,
            "withdrawal_prob must be at least 0 and under 1",
        ),
        ("capacity-plan", r#"{"service": {"name": "x", "demand": 1, "capacity": 1}}"#, "missing field `price_pence`"),
        ("forecast", r#"{"y": [1, 2, 3, 4]}"#, "two full seasons"),
    ] {
        let output = commissioner(&["methods", name], Some(input));
        assert!(!output.status.success(), "{name} {input} should fail");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{name} {input}: {stderr}");
    }
}

#[test]
fn priorities_solve_finds_the_optimum_greedy_misses_and_refuses_bad_files() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/methods");
    let output = commissioner(&["priorities", "solve", examples.join("portfolio.json").to_str().unwrap()], None);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let portfolio: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // Diabetes education has the best ratio but crowds out both rehabilitation services,
    // which cost £10m against a £9.8m budget: stopping homeopathy frees the £200,000, for
    // 5 + 50 + 50 − 0.5 against the greedy 5 + 70 + 20 (education and the small virtual ward).
    let chosen: Vec<&str> = portfolio["chosen"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(chosen, ["HF-REHAB", "COPD-PR", "GP-ACCESS", "STOP-HOMEO"]);
    assert!((portfolio["benefit"].as_f64().unwrap() - 104.5).abs() < 1e-9);
    assert_eq!(portfolio["greedy_benefit"].as_f64().unwrap(), 95.0);
    assert_eq!(portfolio["headroom_pence"], 0);

    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo.json");
    std::fs::write(
        &typo,
        "{\n  \"budget_pence\": 10,\n  \"candidates\": [{\"id\": \"A\", \"cost\": 5, \"benefit\": 1}]\n}\n",
    )
    .unwrap();
    let output = commissioner(&["priorities", "solve", typo.to_str().unwrap()], None);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("typo.json") && stderr.contains("unknown field `cost`") && stderr.contains("line 3"),
        "{stderr}"
    );
    let clash = dir.path().join("clash.json");
    std::fs::write(
        &clash,
        r#"{"budget_pence": 10, "candidates": [{"id": "A", "cost_pence": 50, "benefit": 1, "mandatory": true}]}"#,
    )
    .unwrap();
    let output = commissioner(&["priorities", "solve", clash.to_str().unwrap()], None);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no portfolio meets the constraints"));

    let mcda = commissioner(&["priorities", "mcda", examples.join("mcda.json").to_str().unwrap()], None);
    assert!(mcda.status.success(), "{}", String::from_utf8_lossy(&mcda.stderr));
    let result: serde_json::Value = serde_json::from_slice(&mcda.stdout).unwrap();
    assert_eq!(result["ranking"][0]["id"], "DIAB-EDU");
    assert_eq!(result["stability"].as_array().unwrap().len(), 4);
    assert!(result["most_sensitive"].is_array());
}

#[test]
fn the_overdispersed_funnel_runs_on_the_real_ae_return() {
    // Type 1 departments in March 2019: 4-hour performance is far more varied between trusts
    // than binomial noise, so the limits widen (τ² well above zero).
    let text = std::fs::read_to_string(shared_data("nhsrdatasets/ae_attendances.csv")).unwrap();
    let mut numerator = Vec::new();
    let mut denominator = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[0] == "2019-03-01" && f[2] == "1" {
            let attendances: f64 = f[3].parse().unwrap();
            let breaches: f64 = f[4].parse().unwrap();
            numerator.push(attendances - breaches);
            denominator.push(attendances);
        }
    }
    assert!(numerator.len() > 100);
    let input = serde_json::json!({"method": "proportion", "numerator": numerator, "denominator": denominator});
    let output = commissioner(&["methods", "funnel-overdispersed"], Some(&input.to_string()));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let funnel: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(funnel["phi"].as_f64().unwrap() > 10.0, "phi {}", funnel["phi"]);
    assert!(funnel["tau2"].as_f64().unwrap() > 0.001);
    let outliers = funnel["points"].as_array().unwrap().iter().filter(|p| !p["outlier998"].is_null()).count();
    // Unadjusted, nearly every trust would be outside 99.8%; adjusted, a few are.
    assert!(outliers < numerator.len() / 5, "{outliers} of {}", numerator.len());
}
