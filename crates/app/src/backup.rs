//! Backing up and restoring the whole store to and from one JSON file.

use std::path::Path;

use anyhow::Context;

use crate::{App, AppError, Result, now_millis};

/// What a backup or restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub n_tables: usize,
    pub n_rows: u64,
}

impl App {
    /// Writes every table to `path` (through a temporary file, so a failure never leaves a
    /// half-written backup behind).
    pub async fn backup_to(&self, path: &Path) -> Result<BackupReport> {
        let backup = self.store().backup(now_millis()).await?;
        let n_rows = backup.tables.iter().map(|t| t.rows.len() as u64).sum();
        let n_tables = backup.tables.len();
        let text = serde_json::to_vec(&backup).context("serialising the backup")?;
        let partial = path.with_extension("partial");
        std::fs::write(&partial, text).with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, path).with_context(|| format!("moving the backup to {}", path.display()))?;
        Ok(BackupReport { n_tables, n_rows })
    }

    /// Loads a backup into this (empty) store, in one transaction.
    pub async fn restore_from(&self, path: &Path) -> Result<BackupReport> {
        let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let backup: store::backup::Backup = serde_json::from_slice(&text)
            .map_err(|error| AppError::Invalid(format!("{} is not a Commissioner backup: {error}", path.display())))?;
        let n_rows = self.store().restore(&backup).await.map_err(|error| match error {
            store::StoreError::Config(message) => AppError::Invalid(message),
            other => other.into(),
        })?;
        Ok(BackupReport { n_tables: backup.tables.len(), n_rows })
    }
}
