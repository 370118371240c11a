//! `contracts`, `payment statement` and `import contracts` through the real binary, on the
//! demo's register.

use crate::support::{commissioner, text};

#[test]
fn the_register_alerts_and_statements_explain_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let demo = commissioner(data, &["demo", "--rows", "2000", "--no-serve", "--reference-data", "none"]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));

    let register = commissioner(data, &["contracts", "--date", "2025-11-15"]);
    assert!(register.status.success(), "{}", text(&register.stderr));
    let register = text(&register.stdout);
    assert!(register.contains("Q99-R9A-2024") && register.contains("aligned_payment"));
    assert!(register.contains("The notice deadline passed on 2025-09-30"), "{register}");
    assert!(register.trim_end().ends_with("9 contracts; alerts as at 2025-11-15, looking 183 days ahead"));

    let csv = data.join("register.csv");
    let written = commissioner(data, &["contracts", "--out", csv.to_str().unwrap()]);
    assert!(written.status.success(), "{}", text(&written.stderr));
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(csv.lines().count(), 10, "a header and nine contracts");
    assert!(csv.lines().any(|line| line.starts_with("Q99-R9A-2024,")));

    let statement = commissioner(data, &["payment", "statement", "--contract", "Q99-R9A-2024", "--month", "2025-06"]);
    assert!(statement.status.success(), "{}", text(&statement.stderr));
    let statement = text(&statement.stdout);
    for expected in [
        "Payment statement: Q99-R9A-2024 for 2025-06",
        "Fixed element",
        "rule: annual fixed element ÷ 12",
        "source: NHS Payment Scheme",
        "Total",
    ] {
        assert!(statement.contains(expected), "the statement lacks {expected:?}: {statement}");
    }
    let json =
        commissioner(data, &["payment", "statement", "--contract", "Q99-N9A-2024", "--month", "2025-06", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let lines: i64 = json["statement"]["lines"].as_array().unwrap().iter().map(|l| l["amount"].as_i64().unwrap()).sum();
    assert_eq!(json["total"].as_i64().unwrap(), lines, "the total is the sum of the lines, in pence");

    let matched = commissioner(data, &["payment", "reconcile", "--contract", "Q99-R9A-2024", "--month", "2025-06"]);
    assert!(matched.status.success(), "{}", text(&matched.stderr));
    assert!(text(&matched.stdout).contains("Everything matches."));
    let differs = commissioner(data, &["payment", "reconcile", "--contract", "Q99-R9B-2024", "--month", "2025-06"]);
    assert!(!differs.status.success());
    assert!(text(&differs.stdout).contains("DIFFERS (£1,234.56)"), "{}", text(&differs.stdout));
    assert!(text(&differs.stderr).contains("1 difference(s) to resolve"));

    for (args, expected) in [
        (&["payment", "statement", "--contract", "Q99-R9A-2024", "--month", "June"][..], "--month"),
        (&["payment", "statement", "--contract", "nope", "--month", "2025-06"][..], "not found"),
    ] {
        let output = commissioner(data, args);
        assert!(!output.status.success(), "{args:?}");
        assert!(text(&output.stderr).contains(expected), "{args:?}: {}", text(&output.stderr));
    }
    let uplift = [
        "prices",
        "uplift",
        "--in-force-on",
        "2025-06-01",
        "--from",
        "2026-04-01",
        "--cost-uplift",
        "0.029",
        "--efficiency",
        "0.011",
    ];
    let rolled = commissioner(data, &uplift);
    assert!(rolled.status.success(), "{}", text(&rolled.stderr));
    assert!(text(&rolled.stdout).contains("prices forward from the tariff of 2025-06-01: in force from 2026-04-01"));
    let again = commissioner(data, &uplift);
    assert!(!again.status.success() && text(&again.stderr).contains("overlaps"), "{}", text(&again.stderr));
    let mut bad_factor = uplift;
    bad_factor[7] = "2.9%";
    assert!(text(&commissioner(data, &bad_factor).stderr).contains("--cost-uplift must be a factor"));

    // A real public file attached as a contract document; an unknown
    // contract is refused.
    let real = test_support::shared_data(
        "nhse-rtt-completed-pathways-2025/rtt_completed_pathways_provider_2025-09_to_2025-11.csv",
    );
    let attach = |contract: &str| {
        commissioner(
            data,
            &[
                "contracts",
                "attach",
                "--contract",
                contract,
                "--title",
                "RTT completed pathways",
                real.to_str().unwrap(),
            ],
        )
    };
    let attached = attach("Q99-R9A-2024");
    assert!(attached.status.success(), "{}", text(&attached.stderr));
    assert!(text(&attached.stderr).contains("to Q99-R9A-2024 as document"));
    let unknown = attach("Q99-NOPE");
    assert!(!unknown.status.success() && text(&unknown.stderr).contains("Q99-NOPE is not in the register"));

    // Service lines: a malformed file names its line and field, exits non-zero and leaves
    // the plan as it was; a good one replaces the contract's lines for the year.
    let lines = data.join("lines.csv");
    std::fs::write(
        &lines,
        "contract_id,service,pod,year,annual_activity,annual_value,phasing,tolerance_lower_pct,tolerance_upper_pct\n\
         Q99-R9A-2024,Trauma and orthopaedics,EL,2025/26,1200,4200000.00,working_days,2,5\n\
         Q99-R9A-2024,Ophthalmology,DC,2025/26,-5,100.00,flat,2,5\n",
    )
    .unwrap();
    let output = commissioner(data, &["import", "service-lines", lines.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("lines.csv:3: field 'annual_activity': '-5' is not a whole number"),
        "{}",
        text(&output.stderr)
    );
    let kpis = data.join("kpis.csv");
    std::fs::write(
        &kpis,
        "contract_id,code,name,kind,threshold,better,consequence,withhold_percent\n\
         Q99-R9A-2024,CAN28,Faster diagnosis within 28 days (%),nqr,77,higher,Contract performance notice,\n\
         Q99-R9A-2024,DIAG6,Diagnostic waits over 6 weeks (%),target,1,lower,Contract performance notice,\n",
    )
    .unwrap();
    let output = commissioner(data, &["import", "kpis", kpis.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("kpis.csv:3: field 'kind': 'target' is not kpi or nqr"),
        "{}",
        text(&output.stderr)
    );
    let kpis_dated = data.join("kpis-dated.csv");
    std::fs::write(
        &kpis_dated,
        "contract_id,code,name,kind,threshold,better,consequence,effective_from,effective_to\n\
         Q99-R9A-2024,CAN28,Faster diagnosis within 28 days (%),nqr,77,higher,Contract performance notice,2025-04-01,2025-03-31\n",
    )
    .unwrap();
    let output = commissioner(data, &["import", "kpis", kpis_dated.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr)
            .contains("kpis-dated.csv:2: field 'effective_to': 2025-03-31 is before effective_from 2025-04-01"),
        "{}",
        text(&output.stderr)
    );

    // Quality returns: a good file imports (and again, without doubling); a bad row is refused
    // with its line and field.
    let quality = data.join("quality.csv");
    std::fs::write(
        &quality,
        "contract_id,kind,measure,month,numerator,denominator,score\n\
         Q99-R9A-2024,fft,Maternity,2025-10,412,440,\n\
         Q99-R9A-2024,audit,Sepsis screening,2025-10,57,60,\n",
    )
    .unwrap();
    for _ in 0..2 {
        let output = commissioner(data, &["import", "quality", quality.to_str().unwrap()]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert!(text(&output.stdout).contains("Imported 2 rows of quality"), "{}", text(&output.stdout));
    }
    std::fs::write(
        &quality,
        "contract_id,kind,measure,month,numerator,denominator,score\n\
         Q99-R9A-2024,fft,Maternity,2025-11,412,440,\n\
         Q99-R9A-2024,fft,Maternity,2025-12,450,440,\n",
    )
    .unwrap();
    let output = commissioner(data, &["import", "quality", quality.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("quality.csv:3: field 'numerator': 450 is more than the denominator 440"),
        "{}",
        text(&output.stderr)
    );

    let bad = data.join("bad-contracts.csv");
    std::fs::write(
        &bad,
        "contract_id,title,commissioner_code,provider_code,start_date,end_date,notice_months,annual_value,mechanism,owner\n\
         Q99-X-2025,New,Q99,R9A,2025-04-01,2028-03-31,6,1000.00,capitation,Owner\n",
    )
    .unwrap();
    let output = commissioner(data, &["import", "contracts", bad.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("bad-contracts.csv:2: field 'mechanism': 'capitation' is not a mechanism"),
        "{}",
        text(&output.stderr)
    );
}
