//! Project automation in Rust rather than shell: `cargo xtask <command>`.
//!
//! - `test`: the whole test suite — every crate's tests (on SQLite, and on PostgreSQL when
//!   `TEST_DATABASE_URL` is set), then the real-browser journeys in headless Chromium.
//! - `ci`: what `.ci/run` runs after installing system packages: format check, clippy with
//!   warnings as errors, `test`, then `api-fuzz`.
//! - `api-fuzz`: schemathesis (PyPI) against the OpenAPI document of a running demo server,
//!   as an administrator and with a provider's API token; fails on any server error.
//! - `spark-parity`: the Spark SQL twin of the activity rules, run with PySpark in local
//!   mode, must give exactly the Rust engine's summary and challenges.
//! - `vendor-nhsuk`: refreshes `crates/nhsuk/vendor` from the pinned `nhsuk-frontend` npm
//!   package (needs npm; running the app never does).
//!
//! The tidy checks (module docs on every file, no unfinished-work markers) are ordinary tests in
//! `xtask/src/tidy.rs`, so `cargo test` runs them.

mod browser;
mod fuzz;
mod spark;
mod tidy;
mod vendor;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    match args.first().map(String::as_str) {
        Some("test") => test(&root),
        Some("ci") => {
            run(&root, "cargo", &["fmt", "--all", "--", "--check"])?;
            run(&root, "cargo", &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
            test(&root)?;
            fuzz::api_fuzz(&root)?;
            spark::spark_parity(&root)
        }
        Some("spark-parity") => spark::spark_parity(&root),
        Some("api-fuzz") => fuzz::api_fuzz(&root),
        Some("vendor-nhsuk") => vendor::vendor_nhsuk(&root),
        Some("browser") => browser::run_journeys(&root),
        _ => {
            eprintln!("usage: cargo xtask <test | ci | api-fuzz | spark-parity | vendor-nhsuk | browser>");
            bail!("unknown or missing command")
        }
    }
}

/// Every crate's tests, then the browser journeys.
fn test(root: &Path) -> anyhow::Result<()> {
    run(root, "cargo", &["test", "--workspace", "--all-targets"])?;
    browser::run_journeys(root)
}

/// Runs a command in `dir`, failing if it fails.
pub(crate) fn run(dir: &Path, program: &str, args: &[&str]) -> anyhow::Result<()> {
    eprintln!("$ {program} {}", args.join(" "));
    let status =
        Command::new(program).args(args).current_dir(dir).status().with_context(|| format!("starting {program}"))?;
    if !status.success() {
        bail!("{program} {} failed ({status})", args.join(" "));
    }
    Ok(())
}

pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the project root").to_owned()
}
