//! Importing reference data from CSV files: organisations, areas and deprivation,
//! population, GP practice list sizes and services.
//!
//! Every import reads and checks the whole file first; any problem stops it with an error
//! naming the file, line and field, and nothing is written. A good file is written in one
//! transaction with an audit entry and a row in the import register. Imports upsert, so
//! running the same file again changes nothing and never double counts.
//!
//! Formats are recognised from the header row:
//! - organisations: Commissioner's own (`org_code,name,kind,…`), the ODS `etr` extract with
//!   named columns (`org_code,name,nhs_region_code,icb_code,…`), or the raw ODS `etr.csv`
//!   with no header (27 positional fields, NHS trusts);
//! - areas: Commissioner's own (`area_code,area_name,parent_code`), the ONS LSOA lookup with
//!   IMD (`LSOA_CODE,MSOA_CODE,…,IMD_OVERALL`), or IMD 2019 by LSOA
//!   (`lsoa11_code,lsoa11_name,lad_name,imd_rank,imd_decile`);
//! - population: `area_code,year,sex,age_band,persons` (or `age` in single years, or ONS's
//!   `Code`/`count` names, where rows for the UK, Great Britain, England and Wales together,
//!   Scotland and Northern Ireland are skipped);
//! - practices: `PRACTICE_CODE,TOTAL` (QOF list sizes) with an optional `as_of`;
//! - services: `service_id,name,provider_code,pod,tfc`;
//! - indicators: local indicator definitions in the catalogue's columns
//!   (`id,name,framework,domain,numerator,denominator,method,multiplier,polarity,…`);
//! - registers (events and registers for needs assessment): Commissioner's own
//!   (`indicator_id,area_code|practice_code,year,sex,age_band,imd_decile,count,denominator`,
//!   most optional) or the House of Commons Library modelled QOF prevalence
//!   (`group_code,register,list` by `lad_code`, `region`, `imd_overall` or both of those);
//! - contracts: the register (`contract_id,title,commissioner_code,provider_code,start_date,
//!   end_date,notice_months,extension_months,annual_value,mechanism,fixed_value,…`);
//! - invoices: `contract_id,month,invoice_number,value` (value in pounds);
//! - variations: `contract_id,number,agreed_on,description,annual_value_change,
//!   lifetime_value_change,ground,materially_different`, assessed against the PSR thresholds;
//! - cquin: `contract_id,indicator,minimum,maximum,performance,better` for aligned payments.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use commissioning::area::{Area, AreaCode, AreaKind, Deprivation, ENGLAND, ImdDecile, region_code};
use commissioning::org::{OdsCode, OrgKind, Organisation, ProviderType};
use commissioning::period::parse_date;
use commissioning::population::{AgeBand, Sex};
use commissioning::service::{PointOfDelivery, Service, TreatmentFunction};
use store::area::PopulationRow;
use store::audit::AuditEntry;
use store::org::OrgFilter;

use crate::{Actor, App, AppError, Result, now_millis};

/// A problem with an input file, located as precisely as we can: file, line, field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    pub file: PathBuf,
    /// 1-based line in the file (the header is line 1).
    pub line: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(formatter, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(formatter, ": field '{field}'")?;
        }
        write!(formatter, ": {}", self.message)
    }
}

/// What a finished import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub kind: &'static str,
    pub file: PathBuf,
    pub format: &'static str,
    /// Data rows read from the file.
    pub n_rows: u64,
    /// Records written (inserted or updated); derived records such as regions count too.
    pub n_written: u64,
    pub sha256: String,
}

/// Which kind of data to import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Organisations,
    Areas,
    Population,
    Practices,
    Services,
    Indicators,
    Registers,
    Contracts,
    Invoices,
    Variations,
    Cquin,
    ServiceLines,
    Kpis,
    KpiResults,
    BestPractice,
    AeAttendances,
    RttCompleted,
    Quality,
    Provision,
    Access,
}

impl ImportKind {
    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Organisations => "organisations",
            ImportKind::Areas => "areas",
            ImportKind::Population => "population",
            ImportKind::Practices => "practices",
            ImportKind::Services => "services",
            ImportKind::Indicators => "indicators",
            ImportKind::Registers => "registers",
            ImportKind::Contracts => "contracts",
            ImportKind::Invoices => "invoices",
            ImportKind::Variations => "variations",
            ImportKind::Cquin => "cquin",
            ImportKind::ServiceLines => "service_lines",
            ImportKind::Kpis => "kpis",
            ImportKind::KpiResults => "kpi_results",
            ImportKind::BestPractice => "best_practice",
            ImportKind::AeAttendances => "ae_attendances",
            ImportKind::RttCompleted => "rtt_completed",
            ImportKind::Quality => "quality",
            ImportKind::Provision => "provision",
            ImportKind::Access => "access",
        }
    }
}

/// Options some formats need.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Population (or register) year when the file has no `year` column.
    pub year: Option<i32>,
    /// List-size date when a practices file has no `as_of` column.
    pub as_of: Option<NaiveDate>,
}

impl App {
    /// Imports one file of the given kind, in one transaction.
    pub async fn import(
        &self,
        actor: &Actor,
        kind: ImportKind,
        path: &Path,
        options: &ImportOptions,
    ) -> Result<ImportReport> {
        let sha256 = file_sha256(path)?;
        let mut tx = self.store().begin().await?;
        let (format, n_rows, n_written) = match kind {
            ImportKind::Organisations => {
                let parsed = parse_organisations(path)?;
                (parsed.format, parsed.n_rows, tx.upsert_organisations(&parsed.organisations).await?)
            }
            ImportKind::Areas => {
                let parsed = parse_areas(path)?;
                let mut written = tx.upsert_areas(&parsed.areas).await?;
                written += tx.upsert_deprivation(&parsed.deprivation).await?;
                (parsed.format, parsed.n_rows, written)
            }
            ImportKind::Population => {
                let known = self.known_areas().await?;
                let parsed = parse_population(path, options.year, &known)?;
                let mut written = 0;
                for (year, rows) in &parsed.by_year {
                    written += tx.upsert_population(*year, rows).await?;
                }
                ("population", parsed.n_rows, written)
            }
            ImportKind::Practices => {
                let known: BTreeSet<OdsCode> =
                    self.store().organisations(&OrgFilter::default()).await?.into_iter().map(|org| org.code).collect();
                let parsed = parse_practices(path, options.as_of)?;
                // Practices not yet known are added with their code as name, to be named by
                // a later organisations import.
                let missing: Vec<Organisation> = parsed
                    .lists
                    .iter()
                    .filter(|(code, _, _)| !known.contains(code))
                    .map(|(code, _, _)| Organisation {
                        code: code.clone(),
                        name: code.to_string(),
                        kind: OrgKind::GpPractice,
                        provider_type: None,
                        parent: None,
                        region: None,
                        postcode: None,
                        opened: None,
                        closed: None,
                    })
                    .collect();
                let mut written = tx.upsert_organisations(&missing).await?;
                written += tx.upsert_practice_lists(&parsed.lists).await?;
                ("practices", parsed.n_rows, written)
            }
            ImportKind::Services => {
                let providers: BTreeSet<OdsCode> =
                    self.store().organisations(&OrgFilter::default()).await?.into_iter().map(|org| org.code).collect();
                let parsed = parse_services(path, &providers)?;
                ("services", parsed.n_rows, tx.upsert_services(&parsed.services).await?)
            }
            ImportKind::Indicators => {
                let (n_rows, definitions) = crate::needs::parse::parse_indicators(path)?;
                ("indicators", n_rows, tx.upsert_indicator_definitions(&definitions).await?)
            }
            ImportKind::Registers => {
                let known = crate::needs::parse::KnownPlaces {
                    areas: self.known_areas().await?,
                    practices: self
                        .store()
                        .organisations(&OrgFilter::default())
                        .await?
                        .into_iter()
                        .map(|org| org.code.to_string())
                        .collect(),
                    catalogue: self.indicator_catalogue_unchecked().await?,
                };
                let parsed = crate::needs::parse::parse_registers(path, options.year, &known)?;
                (parsed.format, parsed.n_rows, tx.upsert_measures(&parsed.rows).await?)
            }
            ImportKind::Contracts => {
                let known: BTreeSet<OdsCode> =
                    self.store().organisations(&OrgFilter::default()).await?.into_iter().map(|org| org.code).collect();
                let (n_rows, contracts) = crate::contracts::parse_contracts(path, &known)?;
                ("contracts", n_rows, tx.upsert_contracts(&contracts).await?)
            }
            ImportKind::Invoices => {
                let known: BTreeSet<String> =
                    self.store().contracts(None).await?.into_iter().map(|contract| contract.id).collect();
                let (n_rows, invoices) = crate::contracts::parse_invoices(path, &known)?;
                ("invoices", n_rows, tx.upsert_invoices(&invoices).await?)
            }
            ImportKind::Variations => {
                let contracts = self.store().contracts(None).await?;
                let (n_rows, variations) = crate::contracts::parse_variations(path, &contracts)?;
                ("variations", n_rows, tx.upsert_variations(&variations).await?)
            }
            ImportKind::Cquin => {
                let contracts = self.store().contracts(None).await?;
                let (n_rows, indicators) = crate::contracts::parse_cquin(path, &contracts)?;
                ("cquin", n_rows, tx.upsert_cquin_indicators(&indicators).await?)
            }
            ImportKind::ServiceLines => {
                let contracts = self.store().contracts(None).await?;
                let existing = self.store().service_lines(None).await?;
                let (n_rows, lines) = crate::contract_lines::parse_service_lines(path, &contracts, &existing)?;
                let mut written = tx.replace_service_lines(&lines).await?;
                written += self.replan_providers(&mut tx, &contracts, existing, &lines).await?;
                ("service_lines", n_rows, written)
            }
            ImportKind::Kpis => {
                let contracts = self.store().contracts(None).await?;
                let (n_rows, kpis) = crate::contract_lines::parse_kpis(path, &contracts)?;
                ("kpis", n_rows, tx.upsert_kpis(&kpis).await?)
            }
            ImportKind::KpiResults => {
                let contracts = self.store().contracts(None).await?;
                let mut kpis = Vec::new();
                for contract in &contracts {
                    kpis.extend(self.store().kpis(&contract.id).await?);
                }
                let (n_rows, results) = crate::contract_lines::parse_kpi_results(
                    path,
                    &contracts,
                    &kpis,
                    &actor.audit_name(),
                    now_millis(),
                )?;
                ("kpi_results", n_rows, tx.upsert_kpi_results(&results).await?)
            }
            ImportKind::BestPractice => {
                let contracts = self.store().contracts(None).await?;
                let tariffs = self.store().tariff_rows().await?;
                let (n_rows, rows) = crate::contract_lines::parse_bpt(path, &contracts, &tariffs)?;
                ("best_practice", n_rows, tx.upsert_bpt_attainment(&rows).await?)
            }
            ImportKind::AeAttendances => {
                let (n_rows, rows) = crate::performance::parse_ae_attendances(path)?;
                ("ae_attendances", n_rows, tx.upsert_performance(&rows).await?)
            }
            ImportKind::RttCompleted => {
                let parsed = crate::performance::parse_rtt_completed(path)?;
                let written = tx.upsert_performance(&parsed.performance).await?
                    + tx.upsert_rtt_pathways(&parsed.pathways).await?;
                ("rtt_completed", parsed.n_rows, written)
            }
            ImportKind::Quality => {
                let contracts = self.store().contracts(None).await?;
                let (n_rows, returns) = crate::contract_performance::parse_quality(path, &contracts)?;
                ("quality", n_rows, tx.upsert_quality_returns(&returns).await?)
            }
            ImportKind::Provision => {
                let (n_rows, by_year) = crate::provision::parse_provision(path)?;
                let mut written = 0;
                for (year, rows) in &by_year {
                    written += tx.upsert_provision(*year, rows).await?;
                }
                ("provision", n_rows, written)
            }
            ImportKind::Access => {
                let (n_rows, by_year) = crate::provision::parse_access(path)?;
                let mut written = 0;
                for (year, rows) in &by_year {
                    written += tx.upsert_access(*year, rows).await?;
                }
                ("access", n_rows, written)
            }
        };
        let at = now_millis();
        tx.audit(
            &AuditEntry {
                actor: actor.audit_name(),
                organisation: actor.organisation(),
                action: "import".into(),
                object_type: "import".into(),
                object_id: kind.code().into(),
                before: None,
                after: Some(serde_json::json!({
                    "file": path.file_name().map(|f| f.to_string_lossy().into_owned()),
                    "format": format, "rows": n_rows, "sha256": sha256,
                })),
            },
            at,
        )
        .await?;
        tx.record_import(kind.code(), &path.to_string_lossy(), &sha256, n_rows as i64, &actor.audit_name(), at).await?;
        tx.commit().await?;
        Ok(ImportReport { kind: kind.code(), file: path.to_owned(), format, n_rows, n_written, sha256 })
    }

    async fn known_areas(&self) -> Result<BTreeSet<String>> {
        Ok(self.store().area_codes().await?.into_iter().collect())
    }
}

/// Reads a CSV file with located errors: checks the columns, then calls `visit` per row.
pub(crate) fn read_csv(
    path: &Path,
    required: &[&str],
    optional: &[&str],
    mut visit: impl FnMut(&CsvRow<'_>) -> Result<(), ImportError>,
) -> Result<u64, ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(required, optional)?;
    file.for_each_row(&columns, |row| visit(&CsvRow(row)))
}

/// A row of [`read_csv`].
pub(crate) struct CsvRow<'a>(&'a Row<'a>);

impl CsvRow<'_> {
    pub(crate) fn required(&self, name: &str) -> Result<&str, ImportError> {
        self.0.required(name)
    }

    pub(crate) fn error(&self, field: &str, message: String) -> ImportError {
        self.0.error(field, message)
    }

    pub(crate) fn parse<T>(&self, name: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Result<T, ImportError> {
        self.0.parse(name, parse)
    }

    pub(crate) fn parse_optional<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ImportError> {
        self.0.parse_optional(name, parse)
    }

    pub(crate) fn line(&self) -> u64 {
        self.0.line
    }
}

// ---------------------------------------------------------------------------------------
// Reading CSV with located errors.

pub(crate) struct CsvFile {
    path: PathBuf,
    reader: csv::Reader<File>,
    headers: Vec<String>,
}

pub(crate) struct Row<'a> {
    file: &'a Path,
    pub(crate) line: u64,
    record: &'a csv::StringRecord,
    columns: &'a HashMap<String, usize>,
}

impl CsvFile {
    pub(crate) fn open(path: &Path, has_headers: bool) -> Result<CsvFile, ImportError> {
        let file =
            File::open(path).map_err(|error| located(path, None, None, format!("cannot open the file: {error}")))?;
        let mut reader = csv::ReaderBuilder::new().has_headers(has_headers).flexible(false).from_reader(file);
        let headers = if has_headers {
            let record = reader.headers().map_err(|error| csv_error(path, &error))?;
            record.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_owned()).collect()
        } else {
            Vec::new()
        };
        Ok(CsvFile { path: path.to_owned(), reader, headers })
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h == name)
    }

    /// Checks every required column is present, naming the first one missing.
    pub(crate) fn columns(&self, required: &[&str], optional: &[&str]) -> Result<HashMap<String, usize>, ImportError> {
        for name in required {
            if !self.has(name) {
                return Err(located(
                    &self.path,
                    Some(1),
                    Some(name),
                    format!("the column is missing from the header (found: {})", self.headers.join(", ")),
                ));
            }
        }
        Ok(required
            .iter()
            .chain(optional)
            .filter_map(|name| self.headers.iter().position(|h| h == name).map(|idx| ((*name).to_owned(), idx)))
            .collect())
    }

    /// Calls `visit` for every data row, stopping at the first error.
    pub(crate) fn for_each_row(
        &mut self,
        columns: &HashMap<String, usize>,
        mut visit: impl FnMut(&Row<'_>) -> Result<(), ImportError>,
    ) -> Result<u64, ImportError> {
        let mut record = csv::StringRecord::new();
        let mut n_rows = 0;
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(error) => return Err(csv_error(&self.path, &error)),
            }
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            if record.iter().all(|field| field.trim().is_empty()) {
                continue;
            }
            n_rows += 1;
            visit(&Row { file: &self.path, line, record: &record, columns })?;
        }
        Ok(n_rows)
    }
}

impl Row<'_> {
    /// The trimmed text of a column (empty when the column is optional and absent).
    pub(crate) fn text(&self, name: &str) -> &str {
        self.columns.get(name).and_then(|idx| self.record.get(*idx)).map(str::trim).unwrap_or("")
    }

    fn optional_text(&self, name: &str) -> Option<String> {
        let text = self.text(name);
        (!text.is_empty()).then(|| text.to_owned())
    }

    pub(crate) fn error(&self, field: &str, message: impl Into<String>) -> ImportError {
        located(self.file, Some(self.line), Some(field), message.into())
    }

    pub(crate) fn required(&self, name: &str) -> Result<&str, ImportError> {
        let text = self.text(name);
        if text.is_empty() { Err(self.error(name, "is empty")) } else { Ok(text) }
    }

    pub(crate) fn parse<T, E: fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, ImportError> {
        let text = self.required(name)?;
        parse(text).map_err(|error| self.error(name, error.to_string()))
    }

    pub(crate) fn parse_optional<T, E: fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ImportError> {
        let text = self.text(name);
        if text.is_empty() {
            return Ok(None);
        }
        parse(text).map(Some).map_err(|error| self.error(name, error.to_string()))
    }

    /// A whole number of zero or more.
    pub(crate) fn count(&self, name: &str) -> Result<i64, ImportError> {
        self.parse(name, |text| {
            text.parse::<i64>()
                .ok()
                .filter(|value| *value >= 0)
                .ok_or_else(|| format!("'{text}' is not a whole number of zero or more"))
        })
    }

    /// A whole number of zero or more, if the column has one.
    pub(crate) fn optional_count(&self, name: &str) -> Result<Option<i64>, ImportError> {
        if self.text(name).is_empty() { Ok(None) } else { self.count(name).map(Some) }
    }

    /// Positional access for files without a header.
    fn position(&self, idx: usize) -> &str {
        self.record.get(idx).map(str::trim).unwrap_or("")
    }
}

pub(crate) fn located(path: &Path, line: Option<u64>, field: Option<&str>, message: String) -> ImportError {
    ImportError { file: path.to_owned(), line, field: field.map(str::to_owned), message }
}

fn csv_error(path: &Path, error: &csv::Error) -> ImportError {
    let line = error.position().map(|p| p.line());
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("the row has {len} fields but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8 text".to_owned(),
        _ => error.to_string(),
    };
    located(path, line, None, message)
}

/// Tracks primary keys seen in a file, so that a repeated key names both lines.
pub(crate) struct Seen(HashMap<String, u64>);

impl Seen {
    pub(crate) fn new() -> Seen {
        Seen(HashMap::new())
    }

    pub(crate) fn check(&mut self, row: &Row<'_>, field: &str, key: &str) -> Result<(), ImportError> {
        if let Some(first) = self.0.insert(key.to_owned(), row.line) {
            return Err(row.error(field, format!("'{key}' appears again (first on line {first})")));
        }
        Ok(())
    }
}

/// A date as `YYYY-MM-DD` or the ODS `YYYYMMDD`.
fn parse_flexible_date(text: &str) -> Result<NaiveDate, String> {
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(text, "%Y%m%d").map_err(|_| format!("'{text}' is not a date"));
    }
    parse_date(text).map_err(|error| error.to_string())
}

fn file_sha256(path: &Path) -> Result<String, ImportError> {
    let mut file =
        File::open(path).map_err(|error| located(path, None, None, format!("cannot open the file: {error}")))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|error| located(path, None, None, format!("cannot read the file: {error}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

// ---------------------------------------------------------------------------------------
// Organisations.

struct ParsedOrganisations {
    format: &'static str,
    n_rows: u64,
    organisations: Vec<Organisation>,
}

fn parse_organisations(path: &Path) -> Result<ParsedOrganisations, ImportError> {
    let probe = CsvFile::open(path, true)?;
    if probe.has("kind") {
        return parse_commissioner_organisations(probe);
    }
    if probe.has("org_code") && probe.has("nhs_region_code") {
        return parse_ods_trusts(probe, true);
    }
    // The raw ODS download has no header: its first row is already a trust.
    let first = probe.headers.first().cloned().unwrap_or_default();
    if probe.headers.len() >= 12 && OdsCode::parse(&first).is_ok() {
        return parse_ods_trusts(CsvFile::open(path, false)?, false);
    }
    Err(located(
        path,
        Some(1),
        None,
        "the header is not a known organisations format: expected org_code,name,kind,… or the ODS etr layout".into(),
    ))
}

fn parse_commissioner_organisations(mut file: CsvFile) -> Result<ParsedOrganisations, ImportError> {
    let columns = file.columns(
        &["org_code", "name", "kind"],
        &["provider_type", "parent_code", "region_code", "postcode", "open_date", "close_date"],
    )?;
    let mut organisations = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let code = row.parse("org_code", OdsCode::parse)?;
        seen.check(row, "org_code", code.as_str())?;
        let kind = row.parse("kind", OrgKind::parse)?;
        let provider_type = row.parse_optional("provider_type", ProviderType::parse)?;
        if provider_type.is_some() && kind != OrgKind::Provider {
            return Err(row.error("provider_type", "is only for organisations of kind provider"));
        }
        organisations.push(Organisation {
            code,
            name: row.required("name")?.to_owned(),
            kind,
            provider_type,
            parent: row.parse_optional("parent_code", OdsCode::parse)?,
            region: row.optional_text("region_code"),
            postcode: row.optional_text("postcode"),
            opened: row.parse_optional("open_date", parse_flexible_date)?,
            closed: row.parse_optional("close_date", parse_flexible_date)?,
        });
        Ok(())
    })?;
    Ok(ParsedOrganisations { format: "commissioner", n_rows, organisations })
}

/// The ODS `etr` extract of NHS trusts, with our column names or positional.
fn parse_ods_trusts(mut file: CsvFile, named: bool) -> Result<ParsedOrganisations, ImportError> {
    let columns = if named {
        file.columns(&["org_code", "name"], &["nhs_region_code", "icb_code", "postcode", "open_date", "close_date"])?
    } else {
        HashMap::new()
    };
    let mut organisations = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        // Positions in the ODS standard layout: 0 code, 1 name, 2 national grouping (region),
        // 3 high level health geography (ICB), 9 postcode, 10 open date, 11 close date.
        let text = |name: &str, idx: usize| {
            if named { row.text(name).to_owned() } else { row.position(idx).to_owned() }
        };
        let field_error = |name: &str, message: String| row.error(name, message);
        let code_text = text("org_code", 0);
        let code = OdsCode::parse(&code_text).map_err(|error| field_error("org_code", error.to_string()))?;
        seen.check(row, "org_code", code.as_str())?;
        let name = text("name", 1);
        if name.is_empty() {
            return Err(field_error("name", "is empty".into()));
        }
        let optional = |value: String| (!value.is_empty()).then_some(value);
        let date = |field: &str, idx: usize| -> Result<Option<NaiveDate>, ImportError> {
            optional(text(field, idx))
                .map(|value| parse_flexible_date(&value).map_err(|m| field_error(field, m)))
                .transpose()
        };
        let parent = optional(text("icb_code", 3))
            .map(|value| OdsCode::parse(&value).map_err(|error| field_error("icb_code", error.to_string())))
            .transpose()?;
        organisations.push(Organisation {
            code,
            name,
            kind: OrgKind::Provider,
            provider_type: None,
            parent,
            region: optional(text("nhs_region_code", 2)),
            postcode: optional(text("postcode", 9)),
            opened: date("open_date", 10)?,
            closed: date("close_date", 11)?,
        });
        Ok(())
    })?;
    Ok(ParsedOrganisations { format: if named { "ods-etr" } else { "ods-etr-raw" }, n_rows, organisations })
}

// ---------------------------------------------------------------------------------------
// Areas and deprivation.

struct ParsedAreas {
    format: &'static str,
    n_rows: u64,
    areas: Vec<Area>,
    deprivation: Vec<(AreaCode, Deprivation)>,
}

fn parse_areas(path: &Path) -> Result<ParsedAreas, ImportError> {
    let file = CsvFile::open(path, true)?;
    if file.has("area_code") {
        parse_commissioner_areas(file)
    } else if file.has("LSOA_CODE") {
        parse_lsoa_lookup(file)
    } else if file.has("lsoa11_code") {
        parse_imd2019(file)
    } else {
        Err(located(
            path,
            Some(1),
            None,
            "the header is not a known areas format: expected area_code,…, the ONS LSOA lookup (LSOA_CODE,…) or IMD 2019 (lsoa11_code,…)".into(),
        ))
    }
}

fn parse_commissioner_areas(mut file: CsvFile) -> Result<ParsedAreas, ImportError> {
    let columns = file.columns(&["area_code", "area_name"], &["parent_code", "imd_rank", "imd_decile"])?;
    let mut areas = Vec::new();
    let mut deprivation = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let code = row.parse("area_code", AreaCode::parse)?;
        seen.check(row, "area_code", code.as_str())?;
        let parent = row.parse_optional("parent_code", AreaCode::parse)?;
        if let Some(decile) = row.parse_optional("imd_decile", ImdDecile::parse)? {
            if code.kind() != AreaKind::Lsoa {
                return Err(row.error("imd_decile", "deprivation is given only for LSOAs"));
            }
            let rank = row.parse_optional("imd_rank", parse_rank)?;
            deprivation.push((code.clone(), Deprivation { imd_rank: rank, imd_decile: decile, income_decile: None }));
        }
        areas.push(Area { code, name: row.required("area_name")?.to_owned(), parent });
        Ok(())
    })?;
    Ok(ParsedAreas { format: "commissioner", n_rows, areas, deprivation })
}

/// The ONS LSOA lookup with IMD 2019 deciles (House of Commons Library copy): builds the
/// LSOA → MSOA → local authority → region chain. Welsh LSOAs have no English IMD decile.
fn parse_lsoa_lookup(mut file: CsvFile) -> Result<ParsedAreas, ImportError> {
    let columns =
        file.columns(&["LSOA_CODE", "MSOA_CODE", "LAD_CODE", "LAD_NAME", "REGION", "IMD_OVERALL"], &["IMD_INCOME"])?;
    let mut lsoas = Vec::new();
    let mut higher: BTreeMap<String, Area> = BTreeMap::new();
    let mut deprivation = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let lsoa = row.parse("LSOA_CODE", |t| AreaCode::parse_kind(t, AreaKind::Lsoa))?;
        seen.check(row, "LSOA_CODE", lsoa.as_str())?;
        let msoa = row.parse("MSOA_CODE", |t| AreaCode::parse_kind(t, AreaKind::Msoa))?;
        let lad = row.parse("LAD_CODE", |t| AreaCode::parse_kind(t, AreaKind::LocalAuthority))?;
        let region_name = row.required("REGION")?;
        let region = region_code(region_name)
            .map(|code| AreaCode::parse(code).expect("region codes are valid"))
            .ok_or_else(|| row.error("REGION", format!("'{region_name}' is not an English region or Wales")))?;
        let england = AreaCode::parse(ENGLAND).expect("valid code");
        let parent = region.as_str().starts_with('E').then(|| england.clone());
        if parent.is_some() {
            higher.entry(ENGLAND.to_owned()).or_insert_with(|| Area {
                code: england.clone(),
                name: "England".to_owned(),
                parent: None,
            });
        }
        higher.entry(region.to_string()).or_insert_with(|| Area {
            code: region.clone(),
            name: region_name.to_owned(),
            parent,
        });
        higher.entry(lad.to_string()).or_insert_with(|| Area {
            code: lad.clone(),
            name: row.text("LAD_NAME").to_owned(),
            parent: Some(region.clone()),
        });
        higher.entry(msoa.to_string()).or_insert_with(|| Area {
            code: msoa.clone(),
            name: msoa.to_string(),
            parent: Some(lad.clone()),
        });
        let is_wales = |text: &str| text.eq_ignore_ascii_case("wales");
        let overall = row.required("IMD_OVERALL")?;
        if !is_wales(overall) {
            let decile = row.parse("IMD_OVERALL", ImdDecile::parse)?;
            let income = if is_wales(row.text("IMD_INCOME")) {
                None
            } else {
                row.parse_optional("IMD_INCOME", ImdDecile::parse)?
            };
            deprivation.push((lsoa.clone(), Deprivation { imd_rank: None, imd_decile: decile, income_decile: income }));
        }
        lsoas.push(Area { code: lsoa.clone(), name: lsoa.to_string(), parent: Some(msoa) });
        Ok(())
    })?;
    // Parents first, so the hierarchy is whole at every step.
    let mut areas: Vec<Area> = higher.into_values().collect();
    areas.sort_by_key(|area| std::cmp::Reverse(area.kind()));
    areas.extend(lsoas);
    Ok(ParsedAreas { format: "ons-lsoa-lookup", n_rows, areas, deprivation })
}

/// IMD 2019 rank and decile by LSOA, with LSOA names.
fn parse_imd2019(mut file: CsvFile) -> Result<ParsedAreas, ImportError> {
    let columns = file.columns(&["lsoa11_code", "lsoa11_name", "imd_rank", "imd_decile"], &["lad_name"])?;
    let mut areas = Vec::new();
    let mut deprivation = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let lsoa = row.parse("lsoa11_code", |t| AreaCode::parse_kind(t, AreaKind::Lsoa))?;
        seen.check(row, "lsoa11_code", lsoa.as_str())?;
        let rank = row.parse("imd_rank", parse_rank)?;
        let decile = row.parse("imd_decile", ImdDecile::parse)?;
        deprivation.push((lsoa.clone(), Deprivation { imd_rank: Some(rank), imd_decile: decile, income_decile: None }));
        areas.push(Area { code: lsoa, name: row.required("lsoa11_name")?.to_owned(), parent: None });
        Ok(())
    })?;
    Ok(ParsedAreas { format: "imd2019", n_rows, areas, deprivation })
}

fn parse_rank(text: &str) -> Result<u32, String> {
    text.parse::<u32>()
        .ok()
        .filter(|rank| *rank >= 1)
        .ok_or_else(|| format!("'{text}' is not a rank (a whole number from 1)"))
}

// ---------------------------------------------------------------------------------------
// Population.

struct ParsedPopulation {
    n_rows: u64,
    by_year: BTreeMap<i32, Vec<PopulationRow>>,
}

fn parse_population(
    path: &Path,
    default_year: Option<i32>,
    known: &BTreeSet<String>,
) -> Result<ParsedPopulation, ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let area_column = if file.has("Code") && !file.has("area_code") { "Code" } else { "area_code" };
    let persons_column = if file.has("count") && !file.has("persons") { "count" } else { "persons" };
    let age_column = if file.has("age") && !file.has("age_band") { "age" } else { "age_band" };
    let mut optional = vec![];
    if file.has("year") {
        optional.push("year");
    } else if default_year.is_none() {
        return Err(located(
            path,
            Some(1),
            Some("year"),
            "the column is missing; add it or give the year (--year)".into(),
        ));
    }
    let columns = file.columns(&[area_column, "sex", age_column, persons_column], &optional)?;
    let mut totals: BTreeMap<(i32, String, Sex, AgeBand), (i64, u64)> = BTreeMap::new();
    let single_years = age_column == "age";
    let ons_countries = area_column == "Code";
    let n_rows = file.for_each_row(&columns, |row| {
        // ONS country tables also carry the UK, Great Britain, England and Wales together,
        // Scotland and Northern Ireland, none of which Commissioner holds as areas.
        if ons_countries && row.text(area_column).starts_with(['K', 'S', 'N']) {
            return Ok(());
        }
        let area = row.parse(area_column, AreaCode::parse)?;
        if !known.contains(area.as_str()) {
            return Err(row.error(area_column, format!("'{area}' is not a known area; import the areas first")));
        }
        let year = match row.parse_optional("year", |t| t.parse::<i32>().map_err(|_| format!("'{t}' is not a year")))? {
            Some(year) => year,
            None => default_year.expect("checked above"),
        };
        let sex = row.parse("sex", Sex::parse)?;
        let band = if single_years {
            row.parse(age_column, |t| {
                t.trim_end_matches('+')
                    .parse::<u32>()
                    .map(AgeBand::of_age)
                    .map_err(|_| format!("'{t}' is not an age in years"))
            })?
        } else {
            row.parse(age_column, AgeBand::parse)?
        };
        let persons = row.count(persons_column)?;
        let entry = totals.entry((year, area.to_string(), sex, band)).or_insert((0, row.line));
        if !single_years && entry.0 > 0 {
            return Err(row.error(
                age_column,
                format!("{area} {} {band} {year} appears again (first on line {})", sex.label(), entry.1),
            ));
        }
        entry.0 += persons;
        Ok(())
    })?;
    let mut by_year: BTreeMap<i32, Vec<PopulationRow>> = BTreeMap::new();
    for ((year, area, sex, age_band), (persons, _)) in totals {
        let area = AreaCode::parse(&area).expect("parsed above");
        by_year.entry(year).or_default().push(PopulationRow { area, sex, age_band, persons });
    }
    Ok(ParsedPopulation { n_rows, by_year })
}

// ---------------------------------------------------------------------------------------
// GP practice list sizes.

struct ParsedPractices {
    n_rows: u64,
    lists: Vec<(OdsCode, i64, NaiveDate)>,
}

fn parse_practices(path: &Path, default_as_of: Option<NaiveDate>) -> Result<ParsedPractices, ImportError> {
    let mut file = CsvFile::open(path, true)?;
    if !file.has("as_of") && default_as_of.is_none() {
        return Err(located(
            path,
            Some(1),
            Some("as_of"),
            "the column is missing; add it or give the list date (--as-of)".into(),
        ));
    }
    let columns = file.columns(&["PRACTICE_CODE", "TOTAL"], &["as_of"])?;
    let mut lists = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let code = row.parse("PRACTICE_CODE", OdsCode::parse)?;
        seen.check(row, "PRACTICE_CODE", code.as_str())?;
        let total = row.count("TOTAL")?;
        let as_of = match row.parse_optional("as_of", parse_flexible_date)? {
            Some(date) => date,
            None => default_as_of.expect("checked above"),
        };
        lists.push((code, total, as_of));
        Ok(())
    })?;
    Ok(ParsedPractices { n_rows, lists })
}

// ---------------------------------------------------------------------------------------
// Services.

struct ParsedServices {
    n_rows: u64,
    services: Vec<Service>,
}

fn parse_services(path: &Path, known: &BTreeSet<OdsCode>) -> Result<ParsedServices, ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(&["service_id", "name", "provider_code", "pod", "tfc"], &[])?;
    let mut services = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let id = row.required("service_id")?.to_owned();
        seen.check(row, "service_id", &id)?;
        let provider = row.parse("provider_code", OdsCode::parse)?;
        if !known.contains(&provider) {
            return Err(row.error(
                "provider_code",
                format!("'{provider}' is not a known organisation; import organisations first"),
            ));
        }
        services.push(Service {
            id,
            name: row.required("name")?.to_owned(),
            provider,
            pod: row.parse("pod", PointOfDelivery::parse)?,
            tfc: row.parse("tfc", TreatmentFunction::parse)?,
        });
        Ok(())
    })?;
    Ok(ParsedServices { n_rows, services })
}

impl AppError {
    /// The located import error inside, if this is one.
    pub fn as_import(&self) -> Option<&ImportError> {
        match self {
            AppError::Import(error) => Some(error),
            _ => None,
        }
    }
}
