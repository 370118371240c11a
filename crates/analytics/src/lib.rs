//! The columnar side of Commissioner: patient-level activity, which is too large for the SQL
//! store, read and aggregated as streams.
//!
//! **API boundary:** this crate depends on nothing in-house. It knows the activity file
//! layout (`activity::COLUMNS`) and computes aggregates from files; `app` decides what to do
//! with them. Pipelines here are called queries or runs, never "plans" (a plan is a
//! commissioning stage).

pub mod activity;
mod csv;
pub mod engine;
pub mod parquet_io;
pub mod pricing;
pub mod rules;

use std::path::PathBuf;

/// Errors from reading or aggregating data.
#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// The input is wrong: a missing column, a malformed header.
    #[error("{file}:{line}: {message}")]
    Data { file: PathBuf, line: u64, message: String },
    #[error("reading {file}")]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An invariant broke: a bug in this crate.
    #[error("internal error (a bug in Commissioner): {0}")]
    Internal(String),
}
