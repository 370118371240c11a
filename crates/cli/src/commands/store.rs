//! `migrate`, `backup` and `restore`.

use app::App;

use crate::config::{BackupArgs, DEFAULT_DATA_DIR, Global, RestoreArgs};

pub(crate) async fn migrate(global: &Global) -> anyhow::Result<()> {
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    println!("The {} store is up to date.", app.backend_name());
    Ok(())
}

pub(crate) async fn backup(global: &Global, args: BackupArgs) -> anyhow::Result<()> {
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    let report = app.backup_to(&args.out).await?;
    println!("Backed up {} rows from {} tables to {}", report.n_rows, report.n_tables, args.out.display());
    Ok(())
}

pub(crate) async fn restore(global: &Global, args: RestoreArgs) -> anyhow::Result<()> {
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    let report = app.restore_from(&args.file).await?;
    println!("Restored {} rows into {} tables from {}", report.n_rows, report.n_tables, args.file.display());
    Ok(())
}
