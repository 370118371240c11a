//! `cargo xtask api-fuzz`: property-based testing of the JSON API with schemathesis
//! (from PyPI, installed into a virtual environment under the target directory) against a
//! real server loaded with the demo, with a bounded number of examples per operation.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use crate::run;

const SCHEMATHESIS: &str = "schemathesis==4.32.5";
const MAX_EXAMPLES: &str = "25";

pub(crate) fn api_fuzz(root: &Path) -> anyhow::Result<()> {
    run(root, "cargo", &["build", "--bin", "commissioner"])?;
    let target =
        std::env::var("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| root.join("target"));
    let binary = target.join("debug/commissioner");
    let venv = target.join("api-fuzz-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run(root, "python3", &["-m", "venv", venv.to_str().context("venv path")?])?;
    }
    let installed = Command::new(&python)
        .args(["-c", "import schemathesis, requests"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !installed {
        run(
            root,
            python.to_str().context("python path")?,
            &["-m", "pip", "install", "--quiet", SCHEMATHESIS, "requests"],
        )?;
    }

    let data = std::env::temp_dir().join(format!("commissioner-fuzz-{}", std::process::id()));
    let data_arg = data.to_str().context("data path")?;
    let status = Command::new(&binary)
        .args(["--data-dir", data_arg, "demo", "--rows", "2000", "--no-serve"])
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("loading the demo for the API fuzzing failed");
    }
    let output = Command::new(&binary)
        .args([
            "--data-dir",
            data_arg,
            "token",
            "create",
            "--org",
            "R9A",
            "--name",
            "schemathesis",
            "--by",
            "provider@demo.commissioner.test",
        ])
        .output()?;
    if !output.status.success() {
        bail!("creating a token failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let token = String::from_utf8(output.stdout)?.trim().to_owned();

    let mut server = Command::new(&binary)
        .args(["--data-dir", data_arg, "serve", "--bind", "127.0.0.1:0", "--insecure-cookies"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting the server")?;
    let stdout = server.stdout.take().context("server output")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .context("the server did not print its address")?
        .to_owned();
    eprintln!("$ schemathesis against {url}");
    let result = Command::new(&python).arg(root.join("tests/api/fuzz.py")).args([&url, &token, MAX_EXAMPLES]).status();
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&data);
    if !result.context("running schemathesis")?.success() {
        bail!("schemathesis found server errors");
    }
    Ok(())
}
