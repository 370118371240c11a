//! Runs the real-browser journeys in `tests/browser` (Node's test runner driving Debian's
//! headless Chromium through playwright-core, with axe-core checks) against the freshly
//! built `commissioner` binary.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::run;

pub(crate) fn run_journeys(root: &Path) -> anyhow::Result<()> {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|path| Path::new(path).exists())
        .map(str::to_owned)
        .or_else(|| std::env::var("CHROMIUM").ok());
    let Some(chromium) = chromium else {
        bail!(
            "the browser journeys need Chromium: install Debian's packages with `apt-get install chromium chromium-driver` (bash .ci/run does this)"
        );
    };
    run(root, "cargo", &["build", "--bin", "commissioner"])?;
    let target_dir = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    let binary = target_dir.join("debug/commissioner");
    let browser_dir = root.join("tests/browser");
    if !browser_dir.join("node_modules").exists() {
        run(&browser_dir, "npm", &["ci", "--no-audit", "--no-fund"])?;
    }
    eprintln!("$ node --test (browser journeys)");
    let status = Command::new("node")
        .args(["--test", "--test-concurrency=1"])
        .current_dir(&browser_dir)
        .env("COMMISSIONER_BIN", &binary)
        .env("CHROMIUM", &chromium)
        .env("SCREENSHOT_DIR", root.join("target/browser"))
        .status()
        .context("starting node")?;
    if !status.success() {
        bail!("browser journeys failed ({status})");
    }
    Ok(())
}
