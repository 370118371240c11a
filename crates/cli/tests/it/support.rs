//! Running the real binary: a command in a data directory, and its output as text.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `commissioner` with the data directory set and no database URL from the environment.
pub(crate) fn commissioner(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_commissioner"))
        .args(args)
        .env("COMMISSIONER_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run commissioner")
}

/// Bytes of output as text.
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
