//! `commissioner generate`: writes a realistic synthetic commissioner to a directory, from a
//! seed. The same seed and row count always give byte-identical files.
//!
//! Files written (all CSV with a header row, in the formats `import` reads):
//! `organisations.csv`, `areas.csv` (with IMD 2019-style deciles and ranks),
//! `population.csv`, `practices.csv`, `services.csv`, `tariff.csv`, `mff.csv`,
//! `activity.csv` (patient-level, one financial year), the needs data (`registers.csv` and
//! `practice_registers.csv`, QOF-style disease registers; `events.csv`, deaths and emergency
//! admissions by MSOA and age band) and `manifest.json`.

mod activity;
mod geography;
mod needs;
mod provision;
mod rng;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use commissioning::money::Money;
use commissioning::org::ProviderType;
use commissioning::period::FinancialYear;
use commissioning::population::AgeBand;
use commissioning::service::TreatmentFunction;

use crate::progress::Progress;

/// ODS code of the generated commissioner (an ICB).
pub const ICB_CODE: &str = "Q99";
/// ONS code of the generated ICB area, the commissioner's footprint.
pub const ICB_AREA_CODE: &str = "E54900001";
/// Year of the generated mid-year population estimates.
pub const POPULATION_YEAR: i32 = 2024;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub seed: u64,
    /// Rows of patient-level activity.
    pub rows: u64,
    pub financial_year: FinancialYear,
    /// Worker threads; the output does not depend on it.
    pub threads: usize,
}

impl GenerateOptions {
    pub fn new(seed: u64, rows: u64) -> GenerateOptions {
        GenerateOptions {
            seed,
            rows,
            financial_year: FinancialYear::starting(2025),
            threads: std::thread::available_parallelism().map(usize::from).unwrap_or(2),
        }
    }
}

/// What was written.
#[derive(Debug, Clone)]
pub struct GenerateReport {
    pub dir: PathBuf,
    pub n_lsoas: usize,
    pub n_practices: usize,
    pub n_providers: usize,
    pub population: u64,
    pub n_activity_rows: u64,
}

/// File names inside a generated directory.
pub mod files {
    pub const ORGANISATIONS: &str = "organisations.csv";
    pub const AREAS: &str = "areas.csv";
    pub const POPULATION: &str = "population.csv";
    pub const PRACTICES: &str = "practices.csv";
    pub const SERVICES: &str = "services.csv";
    pub const TARIFF: &str = "tariff.csv";
    pub const MFF: &str = "mff.csv";
    pub const ACTIVITY: &str = "activity.csv";
    pub const SERVICE_LINES: &str = "service_lines.csv";
    pub const KPIS: &str = "kpis.csv";
    pub const KPI_RESULTS: &str = "kpi_results.csv";
    pub const QUALITY: &str = "quality.csv";
    pub const BEST_PRACTICE: &str = "best_practice.csv";
    pub const REGISTERS: &str = "registers.csv";
    pub const PRACTICE_REGISTERS: &str = "practice_registers.csv";
    pub const EVENTS: &str = "events.csv";
    pub const CONTRACTS: &str = "contracts.csv";
    pub const VARIATIONS: &str = "variations.csv";
    pub const CQUIN: &str = "cquin.csv";
    pub const PROVISION: &str = "provision.csv";
    pub const ACCESS: &str = "access.csv";
    pub const MANIFEST: &str = "manifest.json";
}

/// Generates the commissioner into `dir` (created if missing).
pub fn generate(options: &GenerateOptions, dir: &Path, progress: &dyn Progress) -> anyhow::Result<GenerateReport> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let commissioner = geography::build(options.seed);
    write_organisations(&commissioner, &dir.join(files::ORGANISATIONS))?;
    write_areas(&commissioner, &dir.join(files::AREAS))?;
    let population = write_population(&commissioner, &dir.join(files::POPULATION))?;
    write_practices(&commissioner, options.financial_year, &dir.join(files::PRACTICES))?;
    write_services(&commissioner, &dir.join(files::SERVICES))?;
    write_tariff(&dir.join(files::TARIFF))?;
    write_mff(&commissioner, &dir.join(files::MFF))?;
    needs::write_needs(
        &commissioner,
        options.seed,
        &dir.join(files::REGISTERS),
        &dir.join(files::PRACTICE_REGISTERS),
        &dir.join(files::EVENTS),
    )?;
    write_contracts(&commissioner, &dir.join(files::CONTRACTS))?;
    provision::write_provision(&commissioner, options.seed, &dir.join(files::PROVISION), &dir.join(files::ACCESS))?;
    std::fs::write(
        dir.join(files::CQUIN),
        format!(
            "contract_id,indicator,minimum,maximum,performance,better\n\
             {ICB_CODE}-R9A-2024,Flu vaccination of frontline staff (%),75,90,84.5,higher\n\
             {ICB_CODE}-R9A-2024,Timely recognition of sepsis (%),60,85,88,higher\n\
             {ICB_CODE}-R9A-2024,Antibiotic use per 1000 admissions,4000,3500,3900,lower\n"
        ),
    )?;
    std::fs::write(
        dir.join(files::VARIATIONS),
        format!(
            "contract_id,number,agreed_on,description,annual_value_change,lifetime_value_change,ground,materially_different,notice_published\n\
             {ICB_CODE}-R9A-2024,1,2025-10-01,Additional endoscopy capacity for the diagnostic backlog,250000.00,375000.00,authority_driven,no,\n\
             {ICB_CODE}-R9A-2024,2,2025-11-01,Extra elective lists funded by the elective recovery fund,300000.00,650000.00,external_factors,no,\n"
        ),
    )?;
    write_kpis(dir)?;
    write_quality(&commissioner, &dir.join(files::QUALITY))?;
    write_activity(&commissioner, options, &dir.join(files::ACTIVITY), progress)?;
    write_service_lines(&commissioner, options, dir)?;
    let manifest = serde_json::json!({
        "generator": "commissioner generate",
        "seed": options.seed,
        "rows": options.rows,
        "financial_year": options.financial_year.to_string(),
        "population_year": geography::POPULATION_YEAR,
        "commissioner": geography::ICB_CODE,
        "footprint": geography::ICB_AREA_CODE,
    });
    std::fs::write(dir.join(files::MANIFEST), serde_json::to_string_pretty(&manifest)? + "\n")?;
    Ok(GenerateReport {
        dir: dir.to_owned(),
        n_lsoas: commissioner.lsoas.len(),
        n_practices: commissioner.practices.len(),
        n_providers: commissioner.providers.len(),
        population,
        n_activity_rows: options.rows,
    })
}

fn create(path: &Path) -> anyhow::Result<BufWriter<File>> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    Ok(BufWriter::with_capacity(1 << 20, file))
}

fn write_organisations(commissioner: &geography::SyntheticCommissioner, path: &Path) -> anyhow::Result<()> {
    let mut out = create(path)?;
    writeln!(out, "org_code,name,kind,provider_type,parent_code,region_code,postcode,open_date,close_date")?;
    let region = geography::NHS_REGION_CODE;
    writeln!(out, "{},{},commissioner,,,{region},AM1 1AA,2022-07-01,", geography::ICB_CODE, geography::ICB_NAME)?;
    for provider in commissioner.providers {
        let opened =
            if provider.provider_type == ProviderType::IndependentSector { "2015-04-01" } else { "2001-04-01" };
        writeln!(
            out,
            "{},{},provider,{},{},{region},AM{} 2BB,{opened},",
            provider.code,
            provider.name,
            provider.provider_type.code(),
            geography::ICB_CODE,
            provider.code.as_bytes()[2] - b'A' + 2,
        )?;
    }
    for (idx, practice) in commissioner.practices.iter().enumerate() {
        writeln!(
            out,
            "{},{},gp_practice,,{},{region},AM{} {}CD,1990-04-01,",
            practice.code,
            practice.name,
            geography::ICB_CODE,
            idx % 9 + 1,
            idx % 10
        )?;
    }
    for la in &commissioner.local_authorities {
        writeln!(out, "{},{} Council,local_authority,,,{region},,,", la.org_code, la.name)?;
    }
    writeln!(
        out,
        "{},Ashmere and Dunmore Joint Health Overview and Scrutiny Committee,scrutiny_committee,,{},{region},,,",
        geography::SCRUTINY_CODE,
        geography::ICB_CODE
    )?;
    // Accounts of members of the public belong to this pseudo-organisation.
    writeln!(out, "{},Members of the public,public,,,,,,", crate::demo::PUBLIC_ORG_CODE)?;
    out.flush()?;
    Ok(())
}

fn write_areas(commissioner: &geography::SyntheticCommissioner, path: &Path) -> anyhow::Result<()> {
    let mut out = create(path)?;
    writeln!(out, "area_code,area_name,parent_code,imd_rank,imd_decile")?;
    writeln!(out, "{},England,,,", commissioning::area::ENGLAND)?;
    writeln!(out, "{},{},{},,", geography::REGION_CODE, geography::REGION_NAME, commissioning::area::ENGLAND)?;
    writeln!(out, "{},{},{},,", geography::ICB_AREA_CODE, geography::ICB_AREA_NAME, geography::REGION_CODE)?;
    for la in &commissioner.local_authorities {
        writeln!(out, "{},{},{},,", la.code, la.name, geography::ICB_AREA_CODE)?;
    }
    for msoa in &commissioner.msoas {
        writeln!(out, "{},{},{},,", msoa.code, msoa.name, commissioner.local_authorities[msoa.la_idx].code)?;
    }
    for lsoa in &commissioner.lsoas {
        let msoa = &commissioner.msoas[lsoa.msoa_idx];
        writeln!(out, "{},{},{},{},{}", lsoa.code, lsoa.name, msoa.code, lsoa.imd_rank, lsoa.imd_decile)?;
    }
    out.flush()?;
    Ok(())
}

fn write_population(commissioner: &geography::SyntheticCommissioner, path: &Path) -> anyhow::Result<u64> {
    let mut out = create(path)?;
    writeln!(out, "area_code,year,sex,age_band,persons")?;
    let mut total = 0;
    for lsoa in &commissioner.lsoas {
        for (sex_idx, bands) in lsoa.population.iter().enumerate() {
            for (band, persons) in AgeBand::all().zip(bands) {
                writeln!(out, "{},{},{},{band},{persons}", lsoa.code, geography::POPULATION_YEAR, sex_idx + 1)?;
                total += u64::from(*persons);
            }
        }
    }
    out.flush()?;
    Ok(total)
}

fn write_practices(
    commissioner: &geography::SyntheticCommissioner,
    year: FinancialYear,
    path: &Path,
) -> anyhow::Result<()> {
    let mut out = create(path)?;
    writeln!(out, "PRACTICE_CODE,TOTAL,as_of")?;
    for practice in &commissioner.practices {
        writeln!(out, "{},{},{}", practice.code, practice.registered, year.first_day())?;
    }
    out.flush()?;
    Ok(())
}

fn write_services(commissioner: &geography::SyntheticCommissioner, path: &Path) -> anyhow::Result<()> {
    let mut out = create(path)?;
    writeln!(out, "service_id,name,provider_code,pod,tfc")?;
    for service in &commissioner.services {
        let provider = commissioner.providers[service.provider_idx].code;
        let tfc = TreatmentFunction::parse(&service.tfc.to_string()).expect("generated codes are valid");
        let name = tfc.name().unwrap_or("Other");
        writeln!(
            out,
            "{provider}-{}-{},{name} ({}),{provider},{},{}",
            service.pod.code(),
            service.tfc,
            service.pod.label(),
            service.pod.code(),
            service.tfc
        )?;
    }
    out.flush()?;
    Ok(())
}

fn write_tariff(path: &Path) -> anyhow::Result<()> {
    let mut out = create(path)?;
    writeln!(out, "hrg,pod,unit_price,trim_point_days,excess_bed_day_price,bpt_uplift")?;
    let mut written = std::collections::BTreeSet::new();
    for hrg in geography::HRGS {
        if !written.insert((hrg.hrg, hrg.pod.code())) {
            continue;
        }
        let trim = hrg.trim_point_days.map(|d| d.to_string()).unwrap_or_default();
        let excess = hrg.excess_bed_day_pence.map(|p| Money::from_pence(p).to_pounds_string()).unwrap_or_default();
        // The demo's best-practice tariff: an uplift per spell meeting its criteria.
        let bpt = if hrg.hrg == BPT_HRG && hrg.pod.code() == "DC" { "120.00" } else { "" };
        writeln!(
            out,
            "{},{},{},{trim},{excess},{bpt}",
            hrg.hrg,
            hrg.pod.code(),
            Money::from_pence(hrg.unit_price_pence).to_pounds_string()
        )?;
    }
    out.flush()?;
    Ok(())
}

fn write_mff(commissioner: &geography::SyntheticCommissioner, path: &Path) -> anyhow::Result<()> {
    let mut out = create(path)?;
    writeln!(out, "provider_code,mff")?;
    for provider in commissioner.providers {
        if let Some(mff) = provider.mff {
            writeln!(out, "{},{mff}", provider.code)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The contract register: one contract per provider, starting in April 2024 and ending at
/// staggered year ends so that deadlines fall across the years; NHS acute trusts on aligned
/// payment and incentive, community and mental health on blocks, independent providers
/// activity-based, and one small block under the low-volume threshold.
fn write_contracts(commissioner: &geography::SyntheticCommissioner, path: &Path) -> anyhow::Result<()> {
    let mut out = create(path)?;
    writeln!(
        out,
        "contract_id,title,commissioner_code,provider_code,start_date,end_date,notice_months,extension_months,annual_value,mechanism,fixed_value,elective_baseline,owner"
    )?;
    const ENDS: [&str; 8] = [
        "2027-03-31",
        "2026-03-31",
        "2027-06-30",
        "2028-03-31",
        "2027-09-30",
        "2029-03-31",
        "2027-12-31",
        "2026-06-30",
    ];
    const OWNERS: [&str; 3] = ["Chris Commissioner", "Fran Finance", "Dr Cleo Lead"];
    for (idx, provider) in commissioner.providers.iter().enumerate() {
        let end = ENDS[idx % ENDS.len()];
        let owner = OWNERS[idx % OWNERS.len()];
        let (title, annual_pence, mechanism): (String, i64, &str) = match provider.provider_type {
            ProviderType::Acute => (
                format!("Acute services from {}", provider.name),
                (180_000_000 + idx as i64 * 7_500_000) * 100,
                "aligned_payment",
            ),
            ProviderType::Community => {
                (format!("Community services from {}", provider.name), 62_000_000 * 100, "block")
            }
            ProviderType::MentalHealth => {
                (format!("Mental health services from {}", provider.name), 75_000_000 * 100, "block")
            }
            _ if idx == commissioner.providers.len() - 1 => {
                (format!("Elective care from {}", provider.name), 450_000 * 100, "low_volume_block")
            }
            _ => (format!("Elective care from {}", provider.name), 14_000_000 * 100, "activity_based"),
        };
        let annual = Money::from_pence(annual_pence);
        let (fixed, baseline) = if mechanism == "aligned_payment" {
            (
                Money::from_pence(annual_pence / 100 * 82).to_pounds_string(),
                Money::from_pence(annual_pence / 100 * 15).to_pounds_string(),
            )
        } else {
            (String::new(), String::new())
        };
        writeln!(
            out,
            "{ICB_CODE}-{}-2024,{title},{ICB_CODE},{},2024-04-01,{end},6,12;12,{},{mechanism},{fixed},{baseline},{owner}",
            provider.code,
            provider.code,
            annual.to_pounds_string()
        )?;
    }
    out.flush()?;
    Ok(())
}

/// The HRG with a best-practice tariff in the demo: a day-case procedure (phacoemulsification
/// cataract extraction), paid more when done as a day case to the audited standard.
const BPT_HRG: &str = "BZ34C";

/// The service each point of delivery's line is named for in the demo register.
fn service_name(pod: &str) -> &'static str {
    match pod {
        "EL" => "Elective inpatient care",
        "DC" => "Day case procedures",
        "NEL" => "Non-elective admissions",
        "OPFA" => "Outpatient first attendances",
        "OPFU" => "Outpatient follow-ups",
        "OPPROC" => "Outpatient procedures",
        _ => "Urgent and emergency care",
    }
}

/// Contract service lines: for each provider and point of delivery, the year's priced
/// generated activity scaled by a factor between 0.90 and 1.06 (so some lines run over plan
/// and some under), phased by working days (A&E by last year's seasonal profile), with
/// tolerances agreed per line; a block line with no point of delivery for community and
/// mental health contracts. Also the best-practice attainment: some of each provider's day
/// cases each month are cataract extractions meeting the criteria.
fn write_service_lines(
    commissioner: &geography::SyntheticCommissioner,
    options: &GenerateOptions,
    dir: &Path,
) -> anyhow::Result<()> {
    let tariff = analytics::pricing::Tariff::from_csv(&dir.join(files::TARIFF))?;
    let mff = analytics::pricing::MffTable::from_csv(&dir.join(files::MFF))?;
    let run_options = analytics::engine::RunOptions {
        checks: analytics::rules::Checks { commissioner: Some(ICB_CODE.into()), period: None },
        threads: options.threads,
        ..Default::default()
    };
    struct Ignore;
    impl analytics::engine::Sink for Ignore {
        fn challenge(&mut self, _: &analytics::engine::Challenge<'_>) -> Result<(), analytics::AnalyticsError> {
            Ok(())
        }
    }
    let report =
        analytics::engine::run(&[dir.join(files::ACTIVITY)], &tariff, &mff, &run_options, &mut Ignore, &|_, _| {})?;
    let months: Vec<String> = options.financial_year.months().iter().map(ToString::to_string).collect();
    let mut totals: std::collections::BTreeMap<(String, &str), (i64, i64)> = std::collections::BTreeMap::new();
    for row in report.summary.iter().filter(|row| months.contains(&row.month)) {
        let entry = totals.entry((row.provider_code.clone(), row.pod)).or_insert((0, 0));
        entry.0 += row.activity as i64;
        entry.1 += row.value_pence;
    }
    let mut rng = rng::Rng::new(options.seed, 7);
    let year = options.financial_year;
    let mut out = create(&dir.join(files::SERVICE_LINES))?;
    writeln!(
        out,
        "contract_id,service,pod,year,annual_activity,annual_value,phasing,tolerance_lower_pct,tolerance_upper_pct"
    )?;
    for ((provider, pod), (activity, value)) in &totals {
        let factor = 0.90 + 0.16 * rng.uniform();
        let phasing = if *pod == "AE" { "9;9;8;9;8;8;8;8;9;9;8;7" } else { "working_days" };
        let (lower, upper) = if *pod == "EL" || *pod == "DC" { ("2", "5") } else { ("3", "3") };
        writeln!(
            out,
            "{ICB_CODE}-{provider}-2024,{},{pod},{year},{},{},{phasing},{lower},{upper}",
            service_name(pod),
            (*activity as f64 * factor).round() as i64,
            Money::from_pence((*value as f64 * factor).round() as i64).to_pounds_string()
        )?;
    }
    for provider in commissioner.providers {
        let service = match provider.provider_type {
            ProviderType::Community => "Community nursing and therapies",
            ProviderType::MentalHealth => "Adult mental health services",
            _ => continue,
        };
        let annual = if provider.provider_type == ProviderType::Community { "62000000.00" } else { "75000000.00" };
        writeln!(out, "{ICB_CODE}-{}-2024,{service},,{year},0,{annual},flat,,", provider.code)?;
    }
    out.flush()?;
    let mut bpt = create(&dir.join(files::BEST_PRACTICE))?;
    writeln!(bpt, "contract_id,month,hrg,pod,spells_met")?;
    for row in report.summary.iter().filter(|row| months.contains(&row.month) && row.pod == "DC") {
        let spells = ((row.activity as f64 * 0.05 * (0.8 + 0.4 * rng.uniform())).round() as i64).max(1);
        writeln!(bpt, "{ICB_CODE}-{}-2024,{},{BPT_HRG},DC,{spells}", row.provider_code, row.month)?;
    }
    bpt.flush()?;
    Ok(())
}

/// The eighteen months of KPI and quality returns in the demo, April 2024 first.
fn return_months() -> Vec<String> {
    let first = commissioning::period::YearMonth::new(2024, 4).expect("valid month");
    (0..18).map(|i| first.plus(i).to_string()).collect()
}

/// KPIs and national quality requirements of the acute contract, with eighteen months of
/// results from April 2024: the 4-hour standard below its planning threshold most months,
/// and discharge summaries (returned as counts) breaching in June and July 2025, so July's
/// payment withholds and August's repays.
fn write_kpis(dir: &Path) -> anyhow::Result<()> {
    let contract = format!("{ICB_CODE}-R9A-2024");
    std::fs::write(
        dir.join(files::KPIS),
        format!(
            "contract_id,code,name,kind,threshold,better,consequence,withhold_percent,source,numerator,denominator,level,effective_from\n\
             {contract},AE4,A&E attendances seen within 4 hours (%),nqr,78,higher,Contract performance notice and remedial action plan (GC9),,NHS planning guidance 2024/25,attendances within 4 hours,all A&E attendances,planning,\n\
             {contract},RTT18,Incomplete pathways within 18 weeks (%),nqr,65,higher,Contract performance notice (GC9),,NHS planning guidance 2025/26,pathways waiting under 18 weeks,all incomplete pathways,planning,\n\
             {contract},RTT52,Patients waiting over 52 weeks (% of waiting list),nqr,1,lower,Contract performance notice (GC9),,NHS planning guidance 2025/26,pathways waiting over 52 weeks,all incomplete pathways,planning,\n\
             {contract},DS24,Discharge summaries sent within 24 hours (%),kpi,95,higher,Withhold 2% of the monthly value until met (GC9),2,,discharge summaries sent to the GP within 24 hours,inpatient discharges,local,2024-04-01\n"
        ),
    )?;
    let mut results = String::from("contract_id,code,month,value,numerator,denominator\n");
    let series: [(&str, [&str; 18]); 3] = [
        (
            "AE4",
            [
                "72.4", "73.0", "71.8", "72.9", "73.6", "72.2", "73.1", "72.5", "70.9", "71.6", "72.8", "74.0", "74.1",
                "75.3", "76.8", "77.9", "78.2", "76.5",
            ],
        ),
        (
            "RTT18",
            [
                "55.1", "55.6", "55.2", "55.9", "56.3", "56.0", "56.8", "57.1", "56.9", "57.4", "57.8", "57.9", "58.2",
                "58.9", "59.4", "60.1", "60.8", "61.2",
            ],
        ),
        (
            "RTT52",
            [
                "2.6", "2.5", "2.5", "2.4", "2.3", "2.3", "2.2", "2.1", "2.1", "2.0", "1.9", "1.9", "1.8", "1.6",
                "1.5", "1.3", "1.1", "0.9",
            ],
        ),
    ];
    let months = return_months();
    for (code, values) in series {
        for (month, value) in months.iter().zip(values) {
            results.push_str(&format!("{contract},{code},{month},{value},,\n"));
        }
    }
    // Discharge summaries as counts: sent within 24 hours of all discharges.
    let sent: [(i64, i64); 18] = [
        (2310, 2398),
        (2402, 2490),
        (2355, 2447),
        (2440, 2531),
        (2291, 2384),
        (2377, 2470),
        (2449, 2547),
        (2388, 2486),
        (2296, 2398),
        (2430, 2529),
        (2372, 2463),
        (2419, 2508),
        (2309, 2400),
        (2376, 2491),
        (2279, 2448),
        (2342, 2524),
        (2406, 2517),
        (2395, 2495),
    ];
    for (month, (numerator, denominator)) in months.iter().zip(sent) {
        results.push_str(&format!("{contract},DS24,{month},,{numerator},{denominator}\n"));
    }
    std::fs::write(dir.join(files::KPI_RESULTS), results)?;
    Ok(())
}

/// Quality and experience returns for every contract over the eighteen months: the Friends
/// and Family Test (positive of all responses), complaints received, a clinical audit each
/// quarter, and for the acute contract hip replacement PROMs each quarter. The figures vary
/// by provider and month deterministically; one provider's FFT falls away in 2025.
fn write_quality(commissioner: &geography::SyntheticCommissioner, path: &Path) -> anyhow::Result<()> {
    let mut out = create(path)?;
    writeln!(out, "contract_id,kind,measure,month,numerator,denominator,score")?;
    let months = return_months();
    for (p, provider) in commissioner.providers.iter().enumerate() {
        let contract = format!("{ICB_CODE}-{}-2024", provider.code);
        let p = p as i64;
        for (m, month) in months.iter().enumerate() {
            let m = m as i64;
            let responses = 600 + 137 * p + (m * 53 + p * 29) % 180;
            // Per mille positive: 930 or so, less for the second provider from April 2025.
            let mut rate = 915 + (p * 7 + m * 11) % 45;
            if p == 1 && m >= 12 {
                rate -= 40 + 6 * (m - 12);
            }
            let positive = responses * rate / 1000;
            writeln!(out, "{contract},fft,All services,{month},{positive},{responses},")?;
            let complaints = 4 + (p * 3 + m * 5) % 9;
            writeln!(out, "{contract},complaints,Complaints received,{month},{complaints},,")?;
            if m % 3 == 2 {
                let audited = 40 + (p * 11 + m) % 25;
                let met = audited - (1 + (p + m) % 6);
                writeln!(out, "{contract},audit,Falls risk assessment within 24 hours,{month},{met},{audited},")?;
                if provider.code == "R9A" {
                    let respondents = 110 + (m * 7) % 40;
                    let gain = 20.8 + ((m * 13) % 17) as f64 / 10.0;
                    writeln!(
                        out,
                        "{contract},proms,Hip replacement: Oxford Hip Score gain,{month},,{respondents},{gain:.1}"
                    )?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// Generates activity in waves of chunks on worker threads, writing chunks in order.
fn write_activity(
    commissioner: &geography::SyntheticCommissioner,
    options: &GenerateOptions,
    path: &Path,
    progress: &dyn Progress,
) -> anyhow::Result<()> {
    let model = activity::ActivityModel::new(commissioner, options.seed, options.financial_year);
    let mut out = create(path)?;
    out.write_all(activity::HEADER.as_bytes())?;
    let n_chunks = options.rows.div_ceil(activity::CHUNK_ROWS);
    let threads = options.threads.max(1);
    let wave = (threads * 2) as u64;
    progress.start("Generating activity", options.rows);
    let mut chunk_idx = 0;
    while chunk_idx < n_chunks {
        let wave_end = (chunk_idx + wave).min(n_chunks);
        let mut buffers: Vec<Vec<u8>> = (chunk_idx..wave_end).map(|_| Vec::new()).collect();
        std::thread::scope(|scope| {
            let model = &model;
            let per_thread = buffers.len().div_ceil(threads);
            for (slot, group) in buffers.chunks_mut(per_thread).enumerate() {
                let first = chunk_idx + (slot * per_thread) as u64;
                scope.spawn(move || {
                    for (offset, buffer) in group.iter_mut().enumerate() {
                        let idx = first + offset as u64;
                        let n_rows = (options.rows - idx * activity::CHUNK_ROWS).min(activity::CHUNK_ROWS);
                        buffer.reserve(n_rows as usize * 96);
                        model.write_chunk(idx, n_rows, buffer);
                    }
                });
            }
        });
        for buffer in &buffers {
            out.write_all(buffer)?;
        }
        chunk_idx = wave_end;
        progress.advance((chunk_idx * activity::CHUNK_ROWS).min(options.rows));
    }
    out.flush()?;
    progress.finish();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    fn generate_into(dir: &Path, seed: u64, rows: u64, threads: usize) -> GenerateReport {
        let mut options = GenerateOptions::new(seed, rows);
        options.threads = threads;
        generate(&options, dir, &Silent).unwrap()
    }

    #[test]
    fn same_seed_gives_the_same_bytes_whatever_the_threads() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        generate_into(a.path(), 7, 120_000, 1);
        generate_into(b.path(), 7, 120_000, 3);
        for name in [
            files::ORGANISATIONS,
            files::AREAS,
            files::POPULATION,
            files::PRACTICES,
            files::ACTIVITY,
            files::TARIFF,
            files::REGISTERS,
            files::PRACTICE_REGISTERS,
            files::EVENTS,
        ] {
            let left = std::fs::read(a.path().join(name)).unwrap();
            let right = std::fs::read(b.path().join(name)).unwrap();
            assert!(left == right, "{name} differs between runs");
        }
        let c = tempfile::tempdir().unwrap();
        generate_into(c.path(), 8, 1_000, 1);
        assert_ne!(
            std::fs::read(a.path().join(files::AREAS)).unwrap(),
            std::fs::read(c.path().join(files::AREAS)).unwrap()
        );
    }

    #[test]
    fn activity_has_the_requested_rows_and_plausible_content() {
        let dir = tempfile::tempdir().unwrap();
        let report = generate_into(dir.path(), 3, 60_000, 2);
        let text = std::fs::read_to_string(dir.path().join(files::ACTIVITY)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], activity::HEADER.trim_end());
        assert_eq!(lines.len() as u64, report.n_activity_rows + 1);
        let rows: Vec<Vec<&str>> = lines[1..].iter().map(|l| l.split(',').collect()).collect();
        assert!(rows.iter().all(|r| r.len() == 12));
        let share = |predicate: &dyn Fn(&Vec<&str>) -> bool| {
            rows.iter().filter(|r| predicate(r)).count() as f64 / rows.len() as f64
        };
        // Faults are present but rare.
        let wrong_commissioner = share(&|r| r[2] != "Q99");
        assert!((0.001..0.01).contains(&wrong_commissioner), "{wrong_commissioner}");
        let bad_sex = share(&|r| r[6] == "3");
        assert!(bad_sex > 0.0 && bad_sex < 0.002, "{bad_sex}");
        // Points of delivery in roughly the intended mix.
        let ae = share(&|r| r[7] == "AE");
        assert!((0.20..0.26).contains(&ae), "{ae}");
        // Emergency admissions are older than A&E attendances on average.
        let mean_age = |pod: &str| {
            let ages: Vec<f64> = rows
                .iter()
                .filter(|r| r[7] == pod)
                .filter_map(|r| r[5].parse::<f64>().ok())
                .filter(|a| *a < 126.0)
                .collect();
            ages.iter().sum::<f64>() / ages.len() as f64
        };
        assert!(mean_age("NEL") > mean_age("AE") + 5.0);
        // Planned care falls on weekdays (out-of-period faults aside).
        let year = FinancialYear::starting(2025);
        for row in rows.iter().filter(|r| r[7] == "EL") {
            if let Ok(date) = commissioning::period::parse_date(row[10])
                .map_err(|_| ())
                .and_then(|d| if year.contains(d) { Ok(d) } else { Err(()) })
            {
                use chrono::Datelike;
                assert!(date.weekday().number_from_monday() <= 5, "{}", row[10]);
            }
        }
    }
}
