//! Runs the real-browser journeys in `tests/browser` (Node's test runner driving Debian's
//! headless Chromium through playwright-core, with axe-core checks) against the freshly
//! built `commissioner` binary.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::run;

pub(crate) fn run_journeys(root: &Path) -> anyhow::Result<()> {
    let chromium = match find_chromium() {
        Some(path) => path,
        None => {
            install_chromium()?;
            find_chromium().context("Chromium is still missing after installing it")?
        }
    };
    run(root, "cargo", &["build", "--bin", "commissioner"])?;
    let target_dir =
        std::env::var("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| root.join("target"));
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

fn find_chromium() -> Option<String> {
    std::env::var("CHROMIUM").ok().filter(|path| Path::new(path).exists()).or_else(|| {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .find(|path| Path::new(path).exists())
            .map(str::to_owned)
    })
}

/// Installs Debian's Chromium (as root, or through sudo when available).
fn install_chromium() -> anyhow::Result<()> {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let has_sudo = Command::new("sudo").arg("-n").arg("true").status().map(|s| s.success()).unwrap_or(false);
    if !is_root && !has_sudo {
        bail!(
            "the browser journeys need Chromium: install Debian's packages with `sudo apt-get install chromium chromium-driver`"
        );
    }
    eprintln!("Chromium is missing: installing Debian's chromium and chromium-driver");
    let apt = |args: &[&str]| -> anyhow::Result<()> {
        let mut command = if is_root { Command::new("apt-get") } else { Command::new("sudo") };
        if !is_root {
            command.arg("apt-get");
        }
        let status = command.args(args).env("DEBIAN_FRONTEND", "noninteractive").status().context("running apt-get")?;
        if !status.success() {
            bail!("apt-get {} failed", args.join(" "));
        }
        Ok(())
    };
    apt(&["update", "-qq"])?;
    apt(&["install", "-y", "-qq", "chromium", "chromium-driver"])
}
