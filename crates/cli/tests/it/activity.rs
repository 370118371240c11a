//! Activity through the real binary: pricing files, loading months into the store (never
//! double counting, surviving a kill part-way), and refusing malformed prices.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use sqlx::{Connection, Row, SqliteConnection};

fn commissioner(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_commissioner"))
        .args(args)
        .env("COMMISSIONER_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run commissioner")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Writes `rows` rows of R9A day-case activity in May 2025; `salt` varies the content.
fn write_activity(path: &Path, rows: usize, salt: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        out,
        "record_id,provider_code,commissioner_code,patient_id,lsoa_code,age,sex,pod,tfc,hrg,activity_date,los"
    )
    .unwrap();
    for idx in 0..rows {
        // Every 50th row repeats the record before it: a duplicate.
        let record = if idx % 50 == 49 { idx - 1 } else { idx };
        writeln!(
            out,
            "{record},R9A,Q99,P{},E01900001,{},1,DC,130,BZ34C,2025-05-{:02},0",
            (idx + salt) % 997,
            20 + idx % 60,
            1 + idx % 28
        )
        .unwrap();
    }
}

/// The current submission's totals and the month's summary, which must agree.
async fn month_state(data_dir: &Path) -> (Option<(i64, i64, i64)>, i64, i64) {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", data_dir.join("commissioner.db").display());
    let mut db = SqliteConnection::connect(&url).await.unwrap();
    let current = sqlx::query("SELECT id, n_valid, value_pence FROM activity_submissions WHERE provider_code = 'R9A' AND month = '2025-05' AND superseded_at IS NULL")
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert!(current.len() <= 1, "at most one current submission per provider and month");
    let current =
        current.first().map(|r| (r.get::<i64, _>("id"), r.get::<i64, _>("n_valid"), r.get::<i64, _>("value_pence")));
    let summary = sqlx::query("SELECT COALESCE(SUM(activity), 0) AS activity, COALESCE(SUM(value_pence), 0) AS value FROM activity_summary WHERE provider_code = 'R9A' AND month = '2025-05'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    (current, summary.get("activity"), summary.get("value"))
}

#[tokio::test]
async fn reloading_never_double_counts_and_a_killed_load_leaves_the_store_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let loaded = commissioner(&data, &["demo", "--rows", "2000", "--no-serve"]);
    assert!(loaded.status.success(), "{}", stderr(&loaded));

    let small = dir.path().join("small.csv");
    write_activity(&small, 1_000, 1);
    let first =
        commissioner(&data, &["activity", "load", "--provider", "R9A", "--month", "2025-05", small.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    let (current, activity, value) = month_state(&data).await;
    let (_, n_valid, value_pence) = current.unwrap();
    // 1,000 rows, every 50th a duplicate: 980 valid, £952.33 each (£905.00 × 1.0523).
    assert_eq!((n_valid, activity), (980, 980));
    assert_eq!((value_pence, value), (980 * 95_233, 980 * 95_233));

    // The same file again: nothing changes.
    let again =
        commissioner(&data, &["activity", "load", "--provider", "R9A", "--month", "2025-05", small.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already the current submission"));
    assert_eq!(month_state(&data).await.1, 980);

    // A big resubmission, killed part-way at several moments: each time the store holds
    // exactly one current submission and the summary agrees with it.
    let big = dir.path().join("big.csv");
    write_activity(&big, 600_000, 2);
    for delay_ms in [50, 400, 1_200] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_commissioner"))
            .args(["activity", "load", "--provider", "R9A", "--month", "2025-05", big.to_str().unwrap()])
            .env("COMMISSIONER_DATA_DIR", &data)
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let (current, activity, value) = month_state(&data).await;
        let (_, n_valid, value_pence) = current.expect("a current submission");
        assert_eq!((activity, value), (n_valid, value_pence), "after a kill at {delay_ms} ms");
        assert!(n_valid == 980 || n_valid == 588_000, "either the old month or the new one, never a mix: {n_valid}");
        let verify = commissioner(&data, &["audit", "verify"]);
        assert!(verify.status.success(), "{}", stderr(&verify));
    }

    // Completed, the big file replaces the month once.
    let done =
        commissioner(&data, &["activity", "load", "--provider", "R9A", "--month", "2025-05", big.to_str().unwrap()]);
    assert!(done.status.success(), "{}", stderr(&done));
    let (current, activity, value) = month_state(&data).await;
    let (_, n_valid, value_pence) = current.unwrap();
    assert_eq!((n_valid, activity), (588_000, 588_000));
    assert_eq!(value, value_pence);
}

#[test]
fn price_files_and_their_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let generated = dir.path().join("gen");
    assert!(
        commissioner(&data, &["generate", "--rows", "20000", "--out", generated.to_str().unwrap()]).status.success()
    );
    let summary = dir.path().join("summary.csv");
    let challenges = dir.path().join("challenges.csv");
    let path = |p: &Path| p.to_str().unwrap().to_owned();
    let output = commissioner(
        &data,
        &[
            "activity",
            "price",
            "--tariff",
            &path(&generated.join("tariff.csv")),
            "--mff",
            &path(&generated.join("mff.csv")),
            "--commissioner",
            "Q99",
            "--summary-out",
            &path(&summary),
            "--challenges-out",
            &path(&challenges),
            &path(&generated.join("activity.csv")),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("provider_code,pod,month,activity,value,los_days\n"));
    assert!(std::fs::read_to_string(&challenges).unwrap().lines().count() > 100);

    // A missing column: file and line named, non-zero exit, no summary written.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "record_id,provider_code\n1,R9A\n").unwrap();
    let other_summary = dir.path().join("other.csv");
    let output = commissioner(
        &data,
        &[
            "activity",
            "price",
            "--tariff",
            &path(&generated.join("tariff.csv")),
            "--summary-out",
            &path(&other_summary),
            &path(&bad),
        ],
    );
    assert!(!output.status.success());
    assert!(stderr(&output).contains("bad.csv:1: missing column 'commissioner_code'"), "{}", stderr(&output));
    assert!(!other_summary.exists());

    // A tariff with a bad price names its line and field.
    let bad_tariff = dir.path().join("tariff.csv");
    std::fs::write(&bad_tariff, "hrg,pod,unit_price\nHN12F,EL,6540.00\nHN22D,EL,six\n").unwrap();
    let output = commissioner(
        &data,
        &[
            "activity",
            "price",
            "--tariff",
            &path(&bad_tariff),
            "--summary-out",
            &path(&other_summary),
            &path(&generated.join("activity.csv")),
        ],
    );
    assert!(
        stderr(&output).contains("tariff.csv:3: field 'unit_price': 'six' is not an amount in pounds"),
        "{}",
        stderr(&output)
    );

    // Overlapping price ranges for the same HRG and point of delivery are refused.
    assert!(
        commissioner(
            &data,
            &[
                "prices",
                "import",
                "tariff",
                &path(&generated.join("tariff.csv")),
                "--from",
                "2025-04-01",
                "--to",
                "2026-03-31"
            ]
        )
        .status
        .success()
    );
    let overlap = commissioner(
        &data,
        &["prices", "import", "tariff", &path(&generated.join("tariff.csv")), "--from", "2026-01-01"],
    );
    assert!(!overlap.status.success());
    let message = stderr(&overlap);
    assert!(
        message.contains("tariff.csv:2: field 'hrg'") && message.contains("overlaps 2026-01-01 onwards"),
        "{message}"
    );
    let next_year = commissioner(
        &data,
        &["prices", "import", "tariff", &path(&generated.join("tariff.csv")), "--from", "2026-04-01"],
    );
    assert!(next_year.status.success(), "{}", stderr(&next_year));
}
