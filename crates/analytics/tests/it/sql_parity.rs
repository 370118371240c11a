//! Generates activity with injected faults, runs the engine, computes the same rules in SQL,
//! and compares the summaries and the challenges exactly.

use std::io::Write;
use std::path::{Path, PathBuf};

use sqlx::{Connection, Row, SqliteConnection};

use analytics::engine::{Challenge, RunOptions, Sink, run};
use analytics::pricing::{Factor, MffTable, Tariff, TariffEntry};
use analytics::rules::Checks;

const COLUMNS: [&str; 12] = [
    "record_id",
    "provider_code",
    "commissioner_code",
    "patient_id",
    "lsoa_code",
    "age",
    "sex",
    "pod",
    "tfc",
    "hrg",
    "activity_date",
    "los",
];

/// A tiny deterministic generator (an LCG is enough for test data).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// (file index, line, record id, provider, reason).
type ChallengeRow = (usize, u64, String, String, String);

/// (HRG, point of delivery, unit pence, trim point days, excess bed-day pence).
type HrgPrice = (&'static str, &'static str, i64, Option<u32>, Option<i64>);

const HRGS: [HrgPrice; 8] = [
    ("HN12F", "EL", 654_000, Some(6), Some(29_000)),
    ("DZ22K", "NEL", 324_500, Some(12), Some(31_200)),
    ("FD10M", "NEL", 183_500, Some(7), Some(31_200)),
    ("BZ34C", "DC", 90_500, None, None),
    ("WF01B", "OPFA", 16_400, None, None),
    ("WF01A", "OPFU", 9_300, None, None),
    ("BZ87A", "OPPROC", 14_200, None, None),
    ("VB09Z", "AE", 14_400, None, None),
];

fn tariff() -> Tariff {
    Tariff::new(HRGS.iter().map(|(hrg, pod, unit, trim, excess)| {
        (
            (*hrg).to_owned(),
            (*pod).to_owned(),
            TariffEntry { unit_pence: *unit, trim_point_days: *trim, excess_bed_day_pence: *excess },
        )
    }))
    .unwrap()
}

const MFFS: [(&str, &str); 2] = [("R9A", "1.0523"), ("R9B", "0.987654321")];

fn mff() -> MffTable {
    MffTable::new(MFFS.iter().map(|(code, factor)| ((*code).to_owned(), Factor::parse(factor).unwrap())))
}

/// One generated row, with how it is written to the file.
struct Generated {
    fields: [String; 12],
    quoted: bool,
}

fn generate(rng: &mut Lcg, n_rows: usize, earlier: &[[String; 12]]) -> Vec<Generated> {
    let mut rows: Vec<Generated> = Vec::new();
    for idx in 0..n_rows {
        let (hrg, pod, ..) = HRGS[rng.below(HRGS.len() as u64) as usize];
        let month = ["2025-04", "2025-04", "2025-04", "2025-05"][rng.below(4) as usize];
        let mut fields: [String; 12] = [
            format!("{}", rng.below(5_000)),
            rng.pick(&["R9A", "R9A", "R9B", "R9C"]).into(),
            "Q99".into(),
            format!("P{}", rng.below(1000)),
            format!("E01{:06}", rng.below(999_999)),
            format!("{}", rng.below(100)),
            rng.pick(&["1", "2", "9"]).into(),
            pod.into(),
            rng.pick(&["110", "130", "300"]).into(),
            hrg.into(),
            format!("{month}-{:02}", 1 + rng.below(28)),
            format!("{}", if matches!(pod, "EL" | "NEL") { rng.below(30) } else { 0 }),
        ];
        let fault = rng.below(100);
        match fault {
            0 => fields[0] = String::new(),
            1 => fields[5] = "126".into(),
            2 => fields[5] = "4O".into(),
            3 => fields[6] = "3".into(),
            4 => fields[10] = "2025-02-29".into(),
            5 => fields[10] = "2025-4-01".into(),
            6 => fields[4] = "E0100001".into(),
            7 => fields[4] = "W01000077".into(),
            8 => fields[11] = "-1".into(),
            9 => fields[7] = "XX".into(),
            10 => fields[8] = "11".into(),
            11 => fields[2] = "QOP".into(),
            12 => fields[9] = "UZ01Z".into(),
            13 if !rows.is_empty() => {
                // Resend an earlier row of this file, possibly corrected.
                let earlier_row = &rows[rng.below(rows.len() as u64) as usize];
                fields = earlier_row.fields.clone();
                if rng.below(2) == 0 {
                    fields[11] = "1".into();
                }
            }
            14 if !earlier.is_empty() => fields = earlier[rng.below(earlier.len() as u64) as usize].clone(),
            15 => fields[10] = "2024-02-29".into(),
            _ => {}
        }
        if idx % 97 == 0 {
            fields[0] = format!("{idx}");
        }
        rows.push(Generated { fields, quoted: fault == 16 });
    }
    rows
}

/// Writes rows as CSV (header in a shuffled column order for the second file), with CRLF
/// endings and blank lines when asked. Returns each row's 1-based data line.
fn write_csv(path: &Path, rows: &[Generated], shuffled: bool, crlf: bool) -> Vec<u64> {
    let order: Vec<usize> = if shuffled { vec![11, 0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9] } else { (0..12).collect() };
    let ending = if crlf { "\r\n" } else { "\n" };
    let mut out = std::fs::File::create(path).unwrap();
    let header: Vec<&str> = order.iter().map(|&i| COLUMNS[i]).collect();
    write!(out, "{}{ending}", header.join(",")).unwrap();
    let mut lines = Vec::new();
    let mut line = 0u64;
    for (idx, row) in rows.iter().enumerate() {
        if idx % 250 == 249 {
            write!(out, "{ending}").unwrap();
            line += 1;
        }
        let cells: Vec<String> = order
            .iter()
            .map(|&i| if row.quoted { format!("\"{}\"", row.fields[i]) } else { row.fields[i].clone() })
            .collect();
        write!(out, "{}{ending}", cells.join(",")).unwrap();
        line += 1;
        lines.push(line);
    }
    lines
}

/// Collects challenges as (file, line, record_id, provider, reason).
#[derive(Default)]
struct Collect(Vec<ChallengeRow>);

impl Sink for Collect {
    fn challenge(&mut self, c: &Challenge<'_>) -> Result<(), analytics::AnalyticsError> {
        self.0.push((
            c.file_idx,
            c.line,
            String::from_utf8_lossy(c.record_id).into_owned(),
            String::from_utf8_lossy(c.provider_code).into_owned(),
            c.reason.code().to_owned(),
        ));
        Ok(())
    }
}

/// The rules in SQL, over a table holding the generated values as written.
const RULES_SQL: &str = "
WITH checked AS (
  SELECT a.*,
    CASE WHEN record_id = ''
      OR NOT (age GLOB '[0-9]' OR age GLOB '[0-9][0-9]' OR age GLOB '[0-9][0-9][0-9]') OR CAST(age AS INTEGER) > 125
      OR sex NOT IN ('1', '2', '9')
      OR activity_date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' OR date(activity_date) IS NULL OR date(activity_date) <> activity_date
      OR NOT (lsoa_code GLOB 'E01[0-9][0-9][0-9][0-9][0-9][0-9]' OR lsoa_code GLOB 'W01[0-9][0-9][0-9][0-9][0-9][0-9]')
      OR los = '' OR los GLOB '*[^0-9]*' OR length(los) > 9
      OR pod NOT IN ('EL', 'DC', 'NEL', 'OPFA', 'OPFU', 'OPPROC', 'AE')
      OR tfc NOT GLOB '[0-9][0-9][0-9]'
    THEN 1 ELSE 0 END AS invalid,
    ROW_NUMBER() OVER (PARTITION BY provider_code, record_id ORDER BY ord) AS occurrence
  FROM activity a
), outcome AS (
  SELECT c.*, t.unit_pence, t.trim_days, t.excess_pence,
    CASE WHEN c.invalid = 1 THEN 'invalid_field'
         WHEN c.occurrence > 1 THEN 'duplicate_record'
         WHEN c.commissioner_code <> $1 THEN 'wrong_commissioner'
         WHEN substr(c.activity_date, 1, 7) <> $2 THEN 'out_of_period'
         WHEN t.hrg IS NULL THEN 'no_tariff'
         ELSE NULL END AS reason
  FROM checked c LEFT JOIN tariff t ON t.hrg = c.hrg AND t.pod = c.pod
), priced AS (
  SELECT o.*, COALESCE(m.mantissa, 1) AS mantissa, COALESCE(m.divisor, 1) AS divisor,
    o.unit_pence + CASE WHEN o.pod IN ('EL', 'NEL') AND o.trim_days IS NOT NULL AND o.excess_pence IS NOT NULL
                        THEN max(0, CAST(o.los AS INTEGER) - o.trim_days) * o.excess_pence ELSE 0 END AS base
  FROM outcome o LEFT JOIN mff m ON m.provider_code = o.provider_code WHERE o.reason IS NULL
)
";

async fn sql_outcomes(rows: &[(usize, u64, u64, [String; 12])], period: &str) -> (String, Vec<ChallengeRow>) {
    let mut db = SqliteConnection::connect("sqlite::memory:").await.unwrap();
    sqlx::query(&format!(
        "CREATE TABLE activity (ord INTEGER, file_idx INTEGER, line INTEGER, row_number INTEGER, {})",
        COLUMNS.map(|c| format!("{c} TEXT")).join(", ")
    ))
    .execute(&mut db)
    .await
    .unwrap();
    sqlx::query(
        "CREATE TABLE tariff (hrg TEXT, pod TEXT, unit_pence INTEGER, trim_days INTEGER, excess_pence INTEGER)",
    )
    .execute(&mut db)
    .await
    .unwrap();
    sqlx::query("CREATE TABLE mff (provider_code TEXT, mantissa INTEGER, divisor INTEGER)")
        .execute(&mut db)
        .await
        .unwrap();
    for (hrg, pod, unit, trim, excess) in HRGS {
        sqlx::query("INSERT INTO tariff VALUES ($1, $2, $3, $4, $5)")
            .bind(hrg)
            .bind(pod)
            .bind(unit)
            .bind(trim.map(i64::from))
            .bind(excess)
            .execute(&mut db)
            .await
            .unwrap();
    }
    for (code, factor) in MFFS {
        let factor = Factor::parse(factor).unwrap();
        sqlx::query("INSERT INTO mff VALUES ($1, $2, $3)")
            .bind(code)
            .bind(factor.mantissa)
            .bind(10_i64.pow(factor.scale))
            .execute(&mut db)
            .await
            .unwrap();
    }
    let mut tx = db.begin().await.unwrap();
    for (ord, (file_idx, line, row_number, fields)) in rows.iter().enumerate() {
        let mut query = sqlx::query(
            "INSERT INTO activity VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(ord as i64)
        .bind(*file_idx as i64)
        .bind(*line as i64)
        .bind(*row_number as i64);
        for field in fields {
            query = query.bind(field.as_str());
        }
        query.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    // Round half away from zero on positive integers: (2n + d) / 2d.
    let summary_rows = sqlx::query(&format!(
        "{RULES_SQL} SELECT provider_code, pod, substr(activity_date, 1, 7) AS month, COUNT(*) AS activity,
           SUM((2 * base * mantissa + divisor) / (2 * divisor)) AS pence, SUM(CAST(los AS INTEGER)) AS los_days
         FROM priced GROUP BY provider_code, pod, month ORDER BY provider_code, pod, month"
    ))
    .bind("Q99")
    .bind(period)
    .fetch_all(&mut db)
    .await
    .unwrap();
    let mut summary = String::from("provider_code,pod,month,activity,value,los_days\n");
    for row in &summary_rows {
        let pence: i64 = row.get("pence");
        summary.push_str(&format!(
            "{},{},{},{},{}.{:02},{}\n",
            row.get::<String, _>("provider_code"),
            row.get::<String, _>("pod"),
            row.get::<String, _>("month"),
            row.get::<i64, _>("activity"),
            pence / 100,
            pence % 100,
            row.get::<i64, _>("los_days")
        ));
    }
    let challenge_rows = sqlx::query(&format!("{RULES_SQL} SELECT file_idx, line, row_number, record_id, provider_code, reason FROM outcome WHERE reason IS NOT NULL ORDER BY ord"))
        .bind("Q99")
        .bind(period)
        .fetch_all(&mut db)
        .await
        .unwrap();
    let challenges = challenge_rows
        .iter()
        .map(|row| {
            (
                row.get::<i64, _>("file_idx") as usize,
                row.get::<i64, _>("line") as u64,
                row.get::<String, _>("record_id"),
                row.get::<String, _>("provider_code"),
                row.get::<String, _>("reason"),
            )
        })
        .collect();
    (summary, challenges)
}

fn checks() -> Checks {
    Checks { commissioner: Some("Q99".into()), period: Some((2025, 4)) }
}

fn run_engine(inputs: &[PathBuf], threads: usize) -> (String, Vec<ChallengeRow>, analytics::engine::RunReport) {
    let mut sink = Collect::default();
    let options = RunOptions { checks: checks(), threads, block_bytes: 64 * 1024, want_priced: false };
    let report = run(inputs, &tariff(), &mff(), &options, &mut sink, &|_, _| {}).unwrap();
    (report.summary_csv(), sink.0, report)
}

#[tokio::test]
async fn the_engine_agrees_with_sql_on_csv_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Lcg(20_251_123);
    let first = generate(&mut rng, 6_000, &[]);
    let earlier: Vec<[String; 12]> = first.iter().map(|g| g.fields.clone()).collect();
    let second = generate(&mut rng, 4_000, &earlier);
    let csv_a = dir.path().join("a.csv");
    let csv_b = dir.path().join("b.csv");
    let lines_a = write_csv(&csv_a, &first, false, false);
    let lines_b = write_csv(&csv_b, &second, true, true);

    let mut table = Vec::new();
    for (file_idx, (rows, lines)) in [(&first, &lines_a), (&second, &lines_b)].into_iter().enumerate() {
        for (idx, (row, line)) in rows.iter().zip(lines.iter()).enumerate() {
            table.push((file_idx, *line, idx as u64 + 1, row.fields.clone()));
        }
    }
    let (sql_summary, sql_challenges) = sql_outcomes(&table, "2025-04").await;
    assert!(sql_challenges.len() > 1000, "the data has plenty of faults: {}", sql_challenges.len());
    for reason in ["invalid_field", "duplicate_record", "wrong_commissioner", "out_of_period", "no_tariff"] {
        assert!(sql_challenges.iter().any(|c| c.4 == reason), "no {reason} in the test data");
    }

    // CSV, with one thread and with several: identical to SQL.
    for threads in [1, 3] {
        let (summary, challenges, report) = run_engine(&[csv_a.clone(), csv_b.clone()], threads);
        assert_eq!(summary, sql_summary, "summary, CSV, {threads} threads");
        assert_same(&challenges, &sql_challenges, &format!("challenges, CSV, {threads} threads"));
        assert_eq!(report.n_rows, 10_000);
        assert_eq!(report.n_valid + report.n_challenged.iter().sum::<u64>(), 10_000);
    }

    // Parquet: the same rows; challenge lines are row numbers (no blank lines).
    let parquet_a = dir.path().join("a.parquet");
    let parquet_b = dir.path().join("b.parquet");
    analytics::parquet_io::csv_to_parquet(&csv_a, &parquet_a, &|_| {}).unwrap();
    analytics::parquet_io::csv_to_parquet(&csv_b, &parquet_b, &|_| {}).unwrap();
    let (summary, challenges, _) = run_engine(&[parquet_a, parquet_b], 2);
    assert_eq!(summary, sql_summary, "summary, Parquet");
    let by_row: Vec<_> = table
        .iter()
        .zip(sql_challenges_in_order(&table, &sql_challenges))
        .filter_map(|(row, challenge)| challenge.map(|c| (row.0, row.2, c.2.clone(), c.3.clone(), c.4.clone())))
        .collect();
    assert_same(&challenges, &by_row, "challenges, Parquet");
}

/// Compares two challenge lists, reporting only the first difference.
fn assert_same(ours: &[ChallengeRow], sql: &[ChallengeRow], label: &str) {
    if let Some(idx) = (0..ours.len().max(sql.len())).find(|&i| ours.get(i) != sql.get(i)) {
        panic!(
            "{label}: {} challenges against {} in SQL; first difference at {idx}: ours {:?}, SQL {:?}",
            ours.len(),
            sql.len(),
            ours.get(idx),
            sql.get(idx)
        );
    }
}

/// Each table row's challenge (if any), matched by file and line.
fn sql_challenges_in_order<'a>(
    table: &[(usize, u64, u64, [String; 12])],
    challenges: &'a [ChallengeRow],
) -> Vec<Option<&'a ChallengeRow>> {
    let mut iter = challenges.iter().peekable();
    table
        .iter()
        .map(|(file_idx, line, _, _)| match iter.peek() {
            Some(c) if c.0 == *file_idx && c.1 == *line => iter.next(),
            _ => None,
        })
        .collect()
}

#[test]
fn a_missing_column_names_file_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, "record_id,provider_code\n1,R9A\n").unwrap();
    let error = run(&[path], &tariff(), &mff(), &RunOptions::default(), &mut Collect::default(), &|_, _| {})
        .unwrap_err()
        .to_string();
    assert!(error.contains("bad.csv:1: missing column 'commissioner_code'"), "{error}");
}
