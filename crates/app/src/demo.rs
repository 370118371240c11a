//! The demo commissioner: generate a synthetic ICB, load it through the ordinary importers,
//! create one account for each role, so that a new user can explore every page, and run its
//! procurements (`demo_procurement`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context;

use commissioning::access::Role;
use commissioning::area::AreaCode;
use commissioning::org::OdsCode;
use commissioning::period::{FinancialYear, YearMonth};

use crate::accounts::NewAccount;
use crate::generate::{self, GenerateOptions, files};
use crate::import::{ImportKind, ImportOptions};
use crate::progress::Progress;
use crate::{Actor, App, AppError, Result};

/// The password of every demo account. The demo is for trying the system out, never for
/// real data; real accounts are made by an administrator with `commissioner user create`.
pub const DEMO_PASSWORD: &str = "commissioner-demo";

/// Months of the demo year loaded as submissions (April to September): the demo shows a
/// commissioner at the half-year, so forecasts have something to forecast.
pub const DEMO_MONTHS_SUBMITTED: usize = 6;

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
    /// A directory of real public data laid out as the project's `shared/data` (the ONS LSOA
    /// lookup with IMD 2019 and the modelled QOF 2019/20 prevalence): when given, the demo
    /// also loads England's geography and prevalence as the needs-assessment benchmark.
    pub reference_data: Option<PathBuf>,
}

/// The real files the demo loads from a reference data directory, if present: what they are,
/// where they are under the directory, and the year of the data.
pub const REFERENCE_FILES: &[(ImportKind, &str, Option<i32>)] = &[
    (ImportKind::Areas, "hocl-qof-prevalence-2019-20/lsoa11_geography_lookup_with_imd2019.csv", None),
    (ImportKind::Registers, "hocl-qof-prevalence-2019-20/modelled_prevalence_by_imd.csv", Some(2019)),
    (ImportKind::Registers, "hocl-qof-prevalence-2019-20/modelled_prevalence_by_region.csv", Some(2019)),
    (ImportKind::Registers, "hocl-qof-prevalence-2019-20/modelled_prevalence_by_lad.csv", Some(2019)),
    (
        ImportKind::RttCompleted,
        "nhse-rtt-completed-pathways-2025/rtt_completed_pathways_provider_2025-09_to_2025-11.csv",
        None,
    ),
    (ImportKind::AeAttendances, "nhsrdatasets/ae_attendances.csv", None),
];

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
        if let Some(dir) = &options.reference_data {
            self.load_reference_data(dir).await?;
        }
        Ok(DemoReport { generated_dir, loaded: true, n_activity_rows: options.rows })
    }

    /// Loads the real reference files found in `dir` (see [`REFERENCE_FILES`]); returns how
    /// many were loaded. Files that are absent are skipped.
    pub async fn load_reference_data(&self, dir: &Path) -> Result<usize> {
        let actor = Actor::System("demo".into());
        let mut loaded = 0;
        for (kind, file, year) in REFERENCE_FILES {
            let path = dir.join(file);
            if !path.is_file() {
                continue;
            }
            self.import(&actor, *kind, &path, &ImportOptions { year: *year, as_of: None }).await?;
            loaded += 1;
        }
        Ok(loaded)
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
            (ImportKind::Registers, files::REGISTERS),
            (ImportKind::Registers, files::PRACTICE_REGISTERS),
            (ImportKind::Registers, files::EVENTS),
            (ImportKind::Contracts, files::CONTRACTS),
            (ImportKind::Variations, files::VARIATIONS),
            (ImportKind::Cquin, files::CQUIN),
            (ImportKind::ServiceLines, files::SERVICE_LINES),
            (ImportKind::Kpis, files::KPIS),
            (ImportKind::KpiResults, files::KPI_RESULTS),
            (ImportKind::Quality, files::QUALITY),
            (ImportKind::Provision, files::PROVISION),
            (ImportKind::Access, files::ACCESS),
        ] {
            self.import(&actor, kind, &dir.join(file), &options).await?;
        }
        let commissioner = OdsCode::parse(generate::ICB_CODE).expect("valid code");
        let footprint = AreaCode::parse(generate::ICB_AREA_CODE).expect("valid code");
        self.set_footprint(&actor, &commissioner, &footprint).await?;
        let year = FinancialYear::starting(2025);
        self.import_tariff(&actor, &dir.join(files::TARIFF), year.first_day(), Some(year.last_day())).await?;
        self.import_mff(&actor, &dir.join(files::MFF), year.first_day(), Some(year.last_day())).await?;
        self.import(&actor, ImportKind::BestPractice, &dir.join(files::BEST_PRACTICE), &options).await?;
        self.load_generated_activity(dir, year).await?;
        self.load_demo_invoices(dir, year).await?;
        self.attach_demo_schedules(&actor).await?;
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
        self.load_demo_procurements().await?;
        self.load_demo_priorities().await?;
        self.load_demo_strategy().await?;
        self.load_demo_assessments().await?;
        self.load_demo_engagement().await?;
        self.load_demo_programme().await?;
        Ok(())
    }

    /// Attaches to each contract with service lines its schedule of them (the indicative
    /// activity plan), as the CSV the register holds.
    async fn attach_demo_schedules(&self, actor: &Actor) -> Result<()> {
        use std::fmt::Write as _;
        for contract in self.store().contracts(None).await? {
            let lines = self.store().service_lines(Some(&contract.id)).await?;
            if lines.is_empty() {
                continue;
            }
            let mut csv = String::from(
                "service,pod,year,annual_activity,annual_value,phasing,tolerance_lower_bp,tolerance_upper_bp\n",
            );
            for line in lines {
                let _ = writeln!(
                    csv,
                    "{},{},{},{},{},{},{},{}",
                    line.service,
                    line.pod.map(|pod| pod.code()).unwrap_or(""),
                    line.year,
                    line.annual_activity,
                    line.annual_value.to_pounds_string(),
                    line.phasing.code(),
                    line.tolerance.lower_bp,
                    line.tolerance.upper_bp
                );
            }
            self.attach_document(
                actor,
                &contract.id,
                "Schedule 2B: indicative activity plan",
                &format!("{}-schedule-2b.csv", contract.id),
                csv.into_bytes(),
            )
            .await?;
        }
        Ok(())
    }

    /// Invoices for the submitted months of every contract, each for what its payment
    /// statement says, except that R9B's June invoice is £1,234.56 too high, so the
    /// reconciliation has a difference to show.
    async fn load_demo_invoices(&self, dir: &Path, year: FinancialYear) -> Result<()> {
        use std::fmt::Write as _;
        let actor = Actor::System("demo".into());
        let mut csv = String::from("contract_id,month,invoice_number,value\n");
        for contract in self.store().contracts(None).await? {
            for month in year.months().into_iter().take(DEMO_MONTHS_SUBMITTED) {
                let statement = self.payment_statement(&actor, &contract.id, month).await?;
                let mut value = statement.total;
                if contract.provider.as_str() == "R9B" && month.financial_month() == 3 {
                    value += commissioning::money::Money::from_pence(123_456);
                }
                let _ = writeln!(
                    csv,
                    "{},{month},INV-{}-{month},{}",
                    contract.id,
                    contract.provider,
                    value.to_pounds_string()
                );
            }
        }
        let path = dir.join("invoices.csv");
        std::fs::write(&path, csv).with_context(|| format!("writing {}", path.display()))?;
        self.import(&actor, ImportKind::Invoices, &path, &ImportOptions::default()).await?;
        Ok(())
    }

    /// Splits a generated activity file into one file per provider and month (rows whose
    /// date cannot be read, or falls outside the year, go to a month chosen from their
    /// record id, as a careless provider would send them) and loads the first
    /// [`DEMO_MONTHS_SUBMITTED`] months of each provider as submissions.
    pub async fn load_generated_activity(&self, dir: &Path, year: FinancialYear) -> Result<usize> {
        let actor = Actor::System("demo".into());
        let submissions_dir = dir.join("submissions");
        let files = {
            let dir = submissions_dir.clone();
            let activity = dir.parent().expect("inside the generated directory").join(files::ACTIVITY);
            tokio::task::spawn_blocking(move || split_by_provider_month(&activity, &dir, year))
                .await
                .context("splitting the activity")??
        };
        for ((provider, month), path) in
            files.iter().filter(|((_, month), _)| month.financial_month() as usize <= DEMO_MONTHS_SUBMITTED)
        {
            let provider = OdsCode::parse(provider).map_err(|e| AppError::Invalid(e.to_string()))?;
            let file_name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            self.load_submission(&actor, &provider, *month, &file_name, path).await?;
        }
        Ok(files.keys().filter(|(_, month)| month.financial_month() as usize <= DEMO_MONTHS_SUBMITTED).count())
    }
}

/// Writes `<provider>-<YYYY-MM>.csv` files under `out`, each with the header.
fn split_by_provider_month(
    activity: &Path,
    out: &Path,
    year: FinancialYear,
) -> anyhow::Result<BTreeMap<(String, YearMonth), PathBuf>> {
    use std::io::{BufRead, BufWriter, Write};
    std::fs::create_dir_all(out)?;
    let reader = std::io::BufReader::new(std::fs::File::open(activity)?);
    let mut lines = reader.lines();
    let header = lines.next().context("the activity file is empty")??;
    let months = year.months();
    let mut writers: BTreeMap<(String, YearMonth), BufWriter<std::fs::File>> = BTreeMap::new();
    let mut paths = BTreeMap::new();
    for line in lines {
        let line = line?;
        let fields: Vec<&str> = line.split(',').collect();
        let (Some(provider), Some(record_id), Some(date)) = (fields.get(1), fields.first(), fields.get(10)) else {
            continue;
        };
        let month = commissioning::period::parse_date(date)
            .ok()
            .filter(|d| year.contains(*d))
            .map(YearMonth::of)
            .unwrap_or_else(|| months[record_id.bytes().map(usize::from).sum::<usize>() % 12]);
        let key = ((*provider).to_owned(), month);
        if !writers.contains_key(&key) {
            let path = out.join(format!("{provider}-{month}.csv"));
            let mut writer = BufWriter::new(std::fs::File::create(&path)?);
            writeln!(writer, "{header}")?;
            writers.insert(key.clone(), writer);
            paths.insert(key.clone(), path);
        }
        writeln!(writers.get_mut(&key).expect("inserted"), "{line}")?;
    }
    for writer in writers.values_mut() {
        writer.flush()?;
    }
    Ok(paths)
}
