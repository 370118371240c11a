//! `cargo xtask spark-parity`: runs the Spark SQL twin of the monitoring rules with PySpark
//! in local mode (installed from PyPI into a virtual environment under the target
//! directory; Java 17 must be on the machine) on generated activity with faults, and checks
//! its summary and challenges are byte-identical to the Rust engine's.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::run;

const PYSPARK: &str = "pyspark==4.3.0";

pub(crate) fn spark_parity(root: &Path) -> anyhow::Result<()> {
    run(root, "cargo", &["build", "--release", "--bin", "commissioner"])?;
    let target =
        std::env::var("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| root.join("target"));
    let binary = target.join("release/commissioner");
    let venv = target.join("spark-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run(root, "python3", &["-m", "venv", venv.to_str().context("venv path")?])?;
    }
    if !Command::new(&python).args(["-c", "import pyspark"]).status().map(|s| s.success()).unwrap_or(false) {
        run(root, python.to_str().context("python path")?, &["-m", "pip", "install", "--quiet", PYSPARK])?;
    }
    let work = target.join("spark-parity");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let path = |name: &str| work.join(name).to_string_lossy().into_owned();
    let bin = binary.to_str().context("binary path")?;
    run(root, bin, &["generate", "--seed", "11", "--rows", "120000", "--out", &path("data")])?;
    // Two input files, so argument order matters for duplicates across files.
    let activity = std::fs::read_to_string(work.join("data/activity.csv"))?;
    let mut lines = activity.lines();
    let header = lines.next().context("header")?;
    let rows: Vec<&str> = lines.collect();
    let (first, second) = rows.split_at(rows.len() / 2);
    let mut second: Vec<&str> = second.to_vec();
    second.extend(first.iter().step_by(500).copied()); // Resends across files.
    std::fs::write(work.join("a.csv"), format!("{header}\n{}\n", first.join("\n")))?;
    std::fs::write(work.join("b.csv"), format!("{header}\n{}\n", second.join("\n")))?;
    run(root, bin, &["activity", "convert", &path("a.csv"), &path("a.parquet")])?;
    run(root, bin, &["activity", "convert", &path("b.csv"), &path("b.parquet")])?;
    for (label, period) in [("whole year", None), ("one month", Some("2025-06"))] {
        let mut rust_args: Vec<String> = ["activity", "price", "--tariff"].map(String::from).to_vec();
        rust_args.extend([
            path("data/tariff.csv"),
            "--mff".into(),
            path("data/mff.csv"),
            "--commissioner".into(),
            "Q99".into(),
        ]);
        rust_args.extend([
            "--summary-out".into(),
            path("rust-summary.csv"),
            "--challenges-out".into(),
            path("rust-challenges.csv"),
        ]);
        if let Some(period) = period {
            rust_args.extend(["--period".into(), period.into()]);
        }
        rust_args.extend([path("a.parquet"), path("b.parquet")]);
        let rust_args: Vec<&str> = rust_args.iter().map(String::as_str).collect();
        run(root, bin, &rust_args)?;
        let status = Command::new(&python)
            .arg(root.join("tests/spark/activity_price.py"))
            .args(["--master", "local[2]", "--tariff", &path("data/tariff.csv"), "--mff", &path("data/mff.csv")])
            .args(["--commissioner", "Q99", "--period", period.unwrap_or("")])
            .args(["--summary-out", &path("spark-summary.csv"), "--challenges-out", &path("spark-challenges.csv")])
            .args([path("a.parquet"), path("b.parquet")])
            .status()
            .context("running PySpark")?;
        if !status.success() {
            bail!("the Spark job failed ({label})");
        }
        for name in ["summary", "challenges"] {
            let rust = std::fs::read(work.join(format!("rust-{name}.csv")))?;
            let spark = std::fs::read(work.join(format!("spark-{name}.csv")))?;
            if rust != spark {
                bail!("Spark and the Rust engine disagree on the {name} ({label}); see {}", work.display());
            }
            eprintln!(
                "spark parity ({label}): {name} identical ({} lines)",
                rust.iter().filter(|b| **b == b'\n').count()
            );
        }
    }
    Ok(())
}
