//! The demo commissioner: generate a synthetic ICB, load it through the ordinary importers,
//! and create one account for each role, so that a new user can explore every page.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context;

use commissioning::access::Role;
use commissioning::area::AreaCode;
use commissioning::org::{OdsCode, OrgKind};
use commissioning::service::PointOfDelivery;
use store::org::ActivitySummaryRow;

use crate::accounts::NewAccount;
use crate::generate::{self, GenerateOptions, files};
use crate::import::{ImportKind, ImportOptions};
use crate::progress::Progress;
use crate::{Actor, App, Result};

/// The password of every demo account. The demo is for trying the system out, never for
/// real data; real accounts are made by an administrator with `commissioner user create`.
pub const DEMO_PASSWORD: &str = "commissioner-demo";

/// ODS-style code of the pseudo-organisation that holds members of the public.
pub const PUBLIC_ORG_CODE: &str = "PUBLIC";

/// A demo account: who to sign in as to see the system through a role's eyes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub email: &'static str,
    pub name: &'static str,
    pub organisation: &'static str,
    pub role: Role,
}

/// One account per role, plus a second provider to show that providers are kept apart.
pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "admin@demo.commissioner.test",
        name: "Alex Admin",
        organisation: "Q99",
        role: Role::Administrator,
    },
    DemoAccount {
        email: "commissioner@demo.commissioner.test",
        name: "Chris Commissioner",
        organisation: "Q99",
        role: Role::Commissioner,
    },
    DemoAccount { email: "analyst@demo.commissioner.test", name: "Ana Lyst", organisation: "Q99", role: Role::Analyst },
    DemoAccount {
        email: "finance@demo.commissioner.test",
        name: "Fran Finance",
        organisation: "Q99",
        role: Role::Finance,
    },
    DemoAccount {
        email: "evaluator@demo.commissioner.test",
        name: "Eve Evaluator",
        organisation: "Q99",
        role: Role::Evaluator,
    },
    DemoAccount {
        email: "clinical.lead@demo.commissioner.test",
        name: "Dr Cleo Lead",
        organisation: "Q99",
        role: Role::ClinicalLead,
    },
    DemoAccount {
        email: "provider@demo.commissioner.test",
        name: "Pat Provider",
        organisation: "R9A",
        role: Role::Provider,
    },
    DemoAccount {
        email: "provider.b@demo.commissioner.test",
        name: "Bo Provider",
        organisation: "R9B",
        role: Role::Provider,
    },
    DemoAccount {
        email: "scrutiny@demo.commissioner.test",
        name: "Sam Scrutiny",
        organisation: "SC901",
        role: Role::Scrutiny,
    },
    DemoAccount {
        email: "public@demo.commissioner.test",
        name: "Pip Public",
        organisation: PUBLIC_ORG_CODE,
        role: Role::Public,
    },
];

/// How to build the demo.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    pub rows: u64,
}

/// What loading the demo did.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub generated_dir: PathBuf,
    /// False when the store already held the demo and nothing was loaded.
    pub loaded: bool,
    pub n_activity_rows: u64,
}

impl App {
    /// Generates (into `<data dir>/generated`) and loads the demo commissioner, unless the
    /// store already has accounts, in which case it is left as it is.
    pub async fn load_demo(&self, options: &DemoOptions, progress: &dyn Progress) -> Result<DemoReport> {
        let generated_dir = self.settings().data_dir.join("generated");
        if self.has_accounts().await? {
            return Ok(DemoReport { generated_dir, loaded: false, n_activity_rows: 0 });
        }
        let generate_options = GenerateOptions::new(options.seed, options.rows);
        generate::generate(&generate_options, &generated_dir, progress).context("generating the demo commissioner")?;
        self.load_generated(&generated_dir).await?;
        Ok(DemoReport { generated_dir, loaded: true, n_activity_rows: options.rows })
    }

    /// Loads a directory written by `commissioner generate`: reference data through the
    /// importers, the commissioner's footprint, an activity summary and the demo accounts.
    pub async fn load_generated(&self, dir: &Path) -> Result<()> {
        let actor = Actor::System("demo".into());
        let options = ImportOptions::default();
        for (kind, file) in [
            (ImportKind::Organisations, files::ORGANISATIONS),
            (ImportKind::Areas, files::AREAS),
            (ImportKind::Population, files::POPULATION),
            (ImportKind::Practices, files::PRACTICES),
            (ImportKind::Services, files::SERVICES),
        ] {
            self.import(&actor, kind, &dir.join(file), &options).await?;
        }
        let commissioner = OdsCode::parse(generate::ICB_CODE).expect("valid code");
        let footprint = AreaCode::parse(generate::ICB_AREA_CODE).expect("valid code");
        self.set_footprint(&actor, &commissioner, &footprint).await?;
        self.load_activity_summary(&dir.join(files::ACTIVITY)).await?;
        for account in DEMO_ACCOUNTS {
            self.create_account(
                &actor,
                NewAccount {
                    email: account.email.into(),
                    name: account.name.into(),
                    organisation: OdsCode::parse(account.organisation).expect("valid code"),
                    roles: BTreeSet::from([account.role]),
                    password: DEMO_PASSWORD.into(),
                    must_change_password: false,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// Summarises an activity file by provider, point of delivery and month for the
    /// overview pages, replacing any earlier summary of the same providers.
    pub async fn load_activity_summary(&self, path: &Path) -> Result<u64> {
        let path = path.to_owned();
        let (summary, _unreadable) = tokio::task::spawn_blocking(move || analytics::activity::summarise_csv(&path))
            .await
            .context("activity summary task")?
            .context("summarising activity")?;
        let known: BTreeSet<OdsCode> = self
            .store()
            .organisations(&store::org::OrgFilter { kind: Some(OrgKind::Provider), ..Default::default() })
            .await?
            .into_iter()
            .map(|org| org.code)
            .collect();
        let rows: Vec<ActivitySummaryRow> = summary
            .into_iter()
            .filter_map(|row| {
                let provider = OdsCode::parse(&row.provider_code).ok().filter(|code| known.contains(code))?;
                let pod = PointOfDelivery::parse(&row.pod).ok()?;
                Some(ActivitySummaryRow {
                    provider,
                    pod,
                    month: row.month,
                    activity: row.activity,
                    los_days: row.los_days,
                })
            })
            .collect();
        let mut tx = self.store().begin().await?;
        let n = tx.replace_activity_summary(&rows).await?;
        tx.commit().await?;
        Ok(n)
    }
}
