//! Command-line flags and environment variables, parsed once. Each flag's doc comment is
//! its help text; secrets (the database URL) never appear in `Debug` output or logs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::{ExposeSecret, SecretString};

use app::AppSettings;

#[derive(Debug, Parser)]
#[command(name = "commissioner", version, about = "Clinical commissioning: plan, procure and monitor health services")]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    /// Log more detail (or set RUST_LOG).
    #[arg(long, short, global = true)]
    pub(crate) verbose: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Where the embedded store and data files live.
    #[arg(long, env = "COMMISSIONER_DATA_DIR", global = true)]
    pub(crate) data_dir: Option<PathBuf>,
    /// PostgreSQL instead of the embedded SQLite store: postgres://user:password@host/database.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub(crate) database_url: Option<SecretString>,
    /// Let a substantial service change be awarded before its consultation is complete
    /// without a reason being given (the gate is on by default).
    #[arg(long, env = "COMMISSIONER_NO_CONSULTATION_GATE", global = true)]
    pub(crate) no_consultation_gate: bool,
}

impl Global {
    /// Settings for the app, with `default_dir` when no data directory is given.
    pub(crate) fn app_settings(&self, default_dir: &str) -> AppSettings {
        let mut settings = AppSettings::new(self.data_dir.clone().unwrap_or_else(|| PathBuf::from(default_dir)));
        settings.database_url = self.database_url.as_ref().map(|url| url.expose_secret().to_owned());
        settings.require_consultation_gate = !self.no_consultation_gate;
        settings
    }
}

/// The data directory used by `serve`, `import` and the other store commands.
pub(crate) const DEFAULT_DATA_DIR: &str = ".commissioner/data";
/// The data directory used by `demo`, kept apart from real data.
pub(crate) const DEMO_DATA_DIR: &str = ".commissioner/demo";

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate a synthetic commissioner, load it, create a demo account per role and serve.
    Demo(DemoArgs),
    /// Serve the web application and API.
    Serve(ServeArgs),
    /// Write a realistic synthetic commissioner to a directory.
    Generate(GenerateArgs),
    /// Import a CSV file of reference data (one transaction; a bad file writes nothing).
    Import(ImportArgs),
    /// Create or update the database schema.
    Migrate,
    /// Write every table of the store to one JSON file.
    Backup(BackupArgs),
    /// Load a backup into an empty store.
    Restore(RestoreArgs),
    /// Manage user accounts.
    User(UserArgs),
    /// Check the audit log.
    Audit(AuditArgs),
    /// Manage API tokens.
    Token(TokenArgs),
    /// Price, convert and load patient-level activity.
    Activity(ActivityArgs),
    /// Import prices.
    Prices(PricesArgs),
    /// Run one public-health method on a JSON object (stdin or --input); print JSON.
    Methods(MethodsArgs),
    /// Prioritisation: the portfolio optimiser and multi-criteria decision analysis.
    Priorities(PrioritiesArgs),
    /// Run a public-health method once per group of a CSV table; print CSV or JSON.
    Indicators(IndicatorsArgs),
    /// Assess the health needs of an area: indicators against a benchmark, inequality by
    /// deprivation and unmet need; print a summary or write XLSX, CSV or JSON.
    Needs(NeedsArgs),
    /// Print the indicator catalogue (seed and local definitions) as CSV.
    IndicatorCatalogue(CatalogueArgs),
    /// The contract register: every contract with its value, term and deadline alerts.
    Contracts(ContractsArgs),
    /// Payment calculations for a contract.
    Payment(PaymentArgs),
    /// Procurement: tenders and their bids.
    Procure(ProcureArgs),
    /// Strategy: the plans, self-assessments and the PSR annual summary, as JSON.
    Strategy(StrategyArgs),
}

#[derive(Debug, Args)]
pub(crate) struct StrategyArgs {
    #[command(subcommand)]
    pub(crate) command: StrategyCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum StrategyCommand {
    /// Every plan with its versions, approvals, review date, objectives with live progress,
    /// the operating plan's schedule against the contracts and the development plan's gaps.
    Plans,
    /// A self-assessment with its gaps and the trend over the years assessed.
    Assessment {
        /// competencies, commissioning or procurement.
        #[arg(long, default_value = "competencies")]
        framework: String,
        /// The financial year, such as 2025/26 (the latest assessed when absent).
        #[arg(long)]
        year: Option<String>,
    },
    /// The Provider Selection Regime's annual summary from the decision log.
    PsrSummary {
        /// The financial year, such as 2025/26 (the latest with a decision when absent).
        #[arg(long)]
        year: Option<String>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ProcureArgs {
    #[command(subcommand)]
    pub(crate) command: ProcureCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ProcureCommand {
    /// Print a tender's bids as CSV: refused while they are sealed (before the deadline has
    /// passed and the tender has closed), whoever asks.
    Bids {
        /// The tender's number.
        #[arg(long)]
        tender: i64,
    },
    /// Publish every procurement as an OCDS 1.1 release package (JSON): route decisions,
    /// tenders once published, awards with their standstill, and contracts.
    ExportOcds {
        /// Write the package here rather than to standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// The address the package is published at, for its `uri`.
        #[arg(long, default_value = "http://localhost:8080")]
        base_uri: String,
    },
    /// Read an OCDS release package (or a JSON array of releases), such as Contracts
    /// Finder's, for the red flags: malformed releases are reported with their JSON path and
    /// skipped, the rest imported; importing a file again adds nothing.
    ImportOcds { file: std::path::PathBuf },
    /// The red flags over imported and own procurements, as CSV.
    RedFlags {
        /// Write the CSV here rather than to standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ContractsArgs {
    #[command(subcommand)]
    pub(crate) command: Option<ContractsCommand>,
    /// The day the alerts are for (YYYY-MM-DD; today when left out).
    #[arg(long)]
    pub(crate) date: Option<String>,
    /// Write the register here instead: .xlsx or .csv.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ContractsCommand {
    /// Attach a document (signed particulars, a schedule, a variation agreement) to a contract.
    Attach {
        /// The contract's id in the register.
        #[arg(long)]
        contract: String,
        /// The document's title, as the contract page lists it.
        #[arg(long)]
        title: String,
        /// The file (up to 20 MB).
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub(crate) struct PaymentArgs {
    #[command(subcommand)]
    pub(crate) command: PaymentCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PaymentCommand {
    /// The month's payment statement for a contract, line by line (inputs, rule, source, amount).
    Statement {
        /// The contract's id in the register.
        #[arg(long)]
        contract: String,
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The month's invoice against the payment statement and the activity data; exits
    /// non-zero when anything differs.
    Reconcile {
        /// The contract's id in the register.
        #[arg(long)]
        contract: String,
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct NeedsArgs {
    /// The area to assess (an ONS code: an ICB area, local authority, region or England).
    #[arg(long)]
    pub(crate) area: String,
    /// Places compared within it: locality, msoa, lsoa or practice.
    #[arg(long, default_value = "locality")]
    pub(crate) level: String,
    /// Compare with this area instead of each indicator's benchmark (England).
    #[arg(long)]
    pub(crate) benchmark: Option<String>,
    /// Year of the counts (each indicator's latest when left out).
    #[arg(long)]
    pub(crate) year: Option<i32>,
    /// Write the assessment here: .xlsx (every table), .csv (the indicators) or .json (all).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct CatalogueArgs {
    /// Write the CSV here instead of standard output.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct MethodsArgs {
    /// byars, wilson, rate, proportion, mean, dsr, isr-ratio, isr-rate, life-expectancy, sii,
    /// funnel-limits, funnel-significance, funnel-overdispersed (FunnelPlotR), spc
    /// (NHSRplotthedots ptd_spc: x dates, y values), the waiting-list methods, simulate,
    /// forecast, capacity-plan, mcda or portfolio.
    pub(crate) name: String,
    /// A file holding one JSON object; standard input when left out.
    #[arg(long)]
    pub(crate) input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct PrioritiesArgs {
    #[command(subcommand)]
    pub(crate) command: PrioritiesCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PrioritiesCommand {
    /// Choose the portfolio of investments and disinvestments that maximises benefit within
    /// the budget, exactly: FILE.json holds {"budget_pence", "candidates": [{"id", "cost_pence",
    /// "benefit", "mandatory", "group", "requires"}]}. Prints the portfolio as JSON.
    Solve { file: PathBuf },
    /// Rank options by weighted criteria, with the weight sensitivity and rank stability:
    /// FILE.json holds {"weighting": "direct"|"swing", "criteria", "options", "top_k"}.
    Mcda { file: PathBuf },
}

#[derive(Debug, Args)]
pub(crate) struct IndicatorsArgs {
    /// The method to run per group (as for `methods`).
    pub(crate) method: String,
    /// CSV with a header row; argument columns are named after the method's arguments.
    #[arg(long)]
    pub(crate) input: PathBuf,
    /// Columns that define a group, comma-separated (none: the whole table is one group).
    #[arg(long, value_delimiter = ',')]
    pub(crate) group_by: Vec<String>,
    /// A scalar argument, e.g. `--option confidence=[0.95,0.998] --option multiplier=1000`.
    #[arg(long = "option", value_name = "KEY=VALUE")]
    pub(crate) options: Vec<String>,
    /// Read an argument from a differently named column, e.g. `--column x=deaths`.
    #[arg(long = "column", value_name = "ARGUMENT=COLUMN")]
    pub(crate) columns: Vec<String>,
    /// csv or json.
    #[arg(long, default_value = "csv")]
    pub(crate) format: String,
    /// Write here instead of standard output.
    #[arg(long)]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ActivityArgs {
    #[command(subcommand)]
    pub(crate) command: ActivityCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ActivityCommand {
    /// Validate, de-duplicate, price and summarise activity files (CSV or .parquet).
    Price {
        /// Tariff CSV: hrg,pod,unit_price[,trim_point_days,excess_bed_day_price,bpt_uplift].
        #[arg(long)]
        tariff: PathBuf,
        /// Market forces factors CSV: provider_code,mff (1 when a provider is absent).
        #[arg(long)]
        mff: Option<PathBuf>,
        /// Only this commissioner's activity is valid.
        #[arg(long)]
        commissioner: Option<String>,
        /// Only activity in this month (YYYY-MM) is valid.
        #[arg(long)]
        period: Option<String>,
        /// Summary CSV: provider_code,pod,month,activity,value,los_days.
        #[arg(long)]
        summary_out: PathBuf,
        /// Challenges CSV: record_id,provider_code,reason,line.
        #[arg(long)]
        challenges_out: Option<PathBuf>,
        /// Valid rows with their prices, as Parquet.
        #[arg(long)]
        priced_out: Option<PathBuf>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Activity files, read in this order.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
    /// Convert an activity CSV to Parquet.
    Convert { input: PathBuf, output: PathBuf },
    /// Load a provider's month of activity into the store (replacing any earlier load of
    /// that month; an identical file changes nothing).
    Load {
        /// ODS code of the provider.
        #[arg(long)]
        provider: String,
        /// The month the activity is for (YYYY-MM).
        #[arg(long)]
        month: String,
        file: PathBuf,
    },
    /// Import an activity plan: provider_code,pod,month,activity,value
    /// [,tolerance_lower_pct,tolerance_upper_pct].
    Plan { file: PathBuf },
}

#[derive(Debug, Args)]
pub(crate) struct PricesArgs {
    #[command(subcommand)]
    pub(crate) command: PricesCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PricesCommand {
    /// Import a tariff (hrg,pod,unit_price[,trim_point_days,excess_bed_day_price,bpt_uplift]) or market
    /// forces factors (provider_code,mff) in force over a date range.
    Import {
        what: PriceWhat,
        file: PathBuf,
        /// First day the prices apply (YYYY-MM-DD).
        #[arg(long)]
        from: String,
        /// Last day the prices apply; open-ended when absent.
        #[arg(long)]
        to: Option<String>,
    },
    /// Roll the tariff in force on a day forward to new dates with the price uplift rule:
    /// price × (1 + cost uplift) × (1 − efficiency), e.g. 0.029 and 0.011 for 2023/24.
    Uplift {
        /// A day the tariff to roll forward is in force (YYYY-MM-DD).
        #[arg(long)]
        in_force_on: String,
        /// First day of the new prices.
        #[arg(long)]
        from: String,
        /// Last day of the new prices; open-ended when absent.
        #[arg(long)]
        to: Option<String>,
        /// The cost uplift factor, such as 0.029.
        #[arg(long)]
        cost_uplift: String,
        /// The efficiency factor, such as 0.011.
        #[arg(long)]
        efficiency: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum PriceWhat {
    Tariff,
    Mff,
}

#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    #[command(subcommand)]
    pub(crate) command: TokenCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Create a token and print its secret (shown once).
    Create {
        /// ODS code of the organisation the token acts for.
        #[arg(long)]
        org: String,
        /// The one role the token acts in (normally provider).
        #[arg(long, default_value = "provider")]
        role: String,
        /// A name saying what uses the token.
        #[arg(long)]
        name: String,
        /// Email of the account on whose authority the token is made (a provider user of
        /// the organisation, or an administrator).
        #[arg(long)]
        by: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[command(subcommand)]
    pub(crate) command: AuditCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Walk the hash chain and report the first altered or missing entry (exit 1 if any).
    Verify,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "COMMISSIONER_BIND", default_value = "127.0.0.1:8080")]
    pub(crate) bind: String,
    /// Send cookies without the Secure flag (only for plain HTTP to hosts other than localhost).
    #[arg(long)]
    pub(crate) insecure_cookies: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    #[command(flatten)]
    pub(crate) serve: ServeArgs,
    /// Seed of the generated commissioner.
    #[arg(long, default_value_t = 7)]
    pub(crate) seed: u64,
    /// Rows of patient-level activity to generate.
    #[arg(long, default_value_t = 200_000)]
    pub(crate) rows: u64,
    /// Load and print the logins, but do not serve.
    #[arg(long)]
    pub(crate) no_serve: bool,
    /// Real public data to load as well, in the layout of the project's shared/data (the ONS
    /// LSOA lookup with IMD 2019 and modelled QOF prevalence, the needs-assessment benchmark).
    /// Defaults to ../shared/data when that directory exists; `none` loads none.
    #[arg(long)]
    pub(crate) reference_data: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// Seed: the same seed and rows always give the same bytes.
    #[arg(long, default_value_t = 7)]
    pub(crate) seed: u64,
    /// Directory to write into (created if missing).
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Rows of patient-level activity.
    #[arg(long, default_value_t = 1_000_000)]
    pub(crate) rows: u64,
    /// Financial year of the activity, such as 2025/26.
    #[arg(long, default_value = "2025/26")]
    pub(crate) year: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ImportWhat {
    Organisations,
    Areas,
    Population,
    Practices,
    Services,
    /// Local indicator definitions, in the catalogue's columns.
    Indicators,
    /// Registers and events for needs assessment (Commissioner's layout or modelled QOF prevalence).
    Registers,
    /// The contract register.
    Contracts,
    /// Invoices received (contract_id,month,invoice_number,value).
    Invoices,
    /// Contract variations, assessed against the Provider Selection Regime's thresholds.
    Variations,
    /// CQUIN indicators of aligned-payment contracts (thresholds and performance).
    Cquin,
    /// Contract service lines: contract_id,service,year,annual_activity,annual_value
    /// [,pod,phasing,tolerance_lower_pct,tolerance_upper_pct]; they become the providers'
    /// indicative activity plans and tolerances.
    ServiceLines,
    /// KPIs and national quality requirements: contract_id,code,name,kind,threshold,better,
    /// consequence[,withhold_percent,source,numerator,denominator,level,effective_from,
    /// effective_to].
    Kpis,
    /// Monthly KPI results: contract_id,code,month with value or numerator,denominator.
    KpiResults,
    /// Spells meeting best-practice tariff criteria: contract_id,month,hrg,pod,spells_met.
    BestPractice,
    /// NHS England A&E attendances and 4-hour breaches (period,org_code,type,attendances,
    /// breaches), as in NHSRdatasets: 4-hour performance by organisation and month.
    AeAttendances,
    /// NHS England RTT completed pathways by provider and treatment function: the share
    /// completed within 18 weeks.
    RttCompleted,
    /// Quality and experience returns by contract: contract_id,kind,measure,month
    /// [,numerator,denominator,score], kind fft, complaints, audit or proms.
    Quality,
    /// The service catalogue with provision: year,service_code,service_name,need,
    /// provider_code,provider_name,area_code,area_name,activity,spend[,capacity,waiting_weeks,
    /// quality,feedback,qalys]; spend in pounds, quality 0–100, feedback a share positive.
    Provision,
    /// Travel times: year,service_code,lsoa_code,minutes (from the LSOA's population-weighted
    /// centroid).
    Access,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// What the file holds.
    pub(crate) what: ImportWhat,
    /// The CSV file.
    pub(crate) file: PathBuf,
    /// Year of the data (population or registers), when the file has no year column.
    #[arg(long)]
    pub(crate) year: Option<i32>,
    /// Date of practice list sizes (YYYY-MM-DD), when the file has no as_of column.
    #[arg(long)]
    pub(crate) as_of: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct BackupArgs {
    /// File to write.
    #[arg(long)]
    pub(crate) out: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct RestoreArgs {
    /// Backup file written by `commissioner backup`.
    pub(crate) file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct UserArgs {
    #[command(subcommand)]
    pub(crate) command: UserCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Create an account. The password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// ODS code of the user's organisation.
        #[arg(long)]
        org: String,
        /// Role (repeat for several): administrator, commissioner, analyst, finance,
        /// evaluator, clinical_lead, provider, scrutiny, public.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
}
