//! `audit verify`: checks the audit log's hash chain and reports the first broken link.

use anyhow::bail;

use app::App;

use crate::config::{DEFAULT_DATA_DIR, Global};

pub(crate) async fn verify(global: &Global) -> anyhow::Result<()> {
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    let verification = app.verify_audit().await?;
    match verification.first_broken {
        None => {
            println!(
                "The audit log is intact: {} entries checked. Head hash {}",
                verification.n_checked, verification.head_hash
            );
            Ok(())
        }
        Some(broken) => {
            bail!(
                "the audit log is broken at entry {}: {} ({} entries before it are intact)",
                broken.seq,
                broken.reason,
                verification.n_checked
            )
        }
    }
}
