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
    pub const PLAN: &str = "plan.csv";
    pub const REGISTERS: &str = "registers.csv";
    pub const PRACTICE_REGISTERS: &str = "practice_registers.csv";
    pub const EVENTS: &str = "events.csv";
    pub const CONTRACTS: &str = "contracts.csv";
    pub const VARIATIONS: &str = "variations.csv";
    pub const CQUIN: &str = "cquin.csv";
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
            "contract_id,number,agreed_on,description,annual_value_change,lifetime_value_change,ground,materially_different\n\
             {ICB_CODE}-R9A-2024,1,2025-10-01,Additional endoscopy capacity for the diagnostic backlog,250000.00,375000.00,authority_driven,no\n\
             {ICB_CODE}-R9A-2024,2,2025-11-01,Extra elective lists funded by the elective recovery fund,300000.00,650000.00,external_factors,no\n"
        ),
    )?;
    write_activity(&commissioner, options, &dir.join(files::ACTIVITY), progress)?;
    write_plan(options, dir)?;
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
    writeln!(out, "hrg,pod,unit_price,trim_point_days,excess_bed_day_price")?;
    let mut written = std::collections::BTreeSet::new();
    for hrg in geography::HRGS {
        if !written.insert((hrg.hrg, hrg.pod.code())) {
            continue;
        }
        let trim = hrg.trim_point_days.map(|d| d.to_string()).unwrap_or_default();
        let excess = hrg.excess_bed_day_pence.map(|p| Money::from_pence(p).to_pounds_string()).unwrap_or_default();
        writeln!(
            out,
            "{},{},{},{trim},{excess}",
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

/// The indicative activity plan: the priced generated activity of the year, scaled per
/// provider and point of delivery by a factor between 0.90 and 1.06 (so some lines run over
/// plan and some under), with a little monthly noise.
fn write_plan(options: &GenerateOptions, dir: &Path) -> anyhow::Result<()> {
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
    let mut rng = rng::Rng::new(options.seed, 7);
    let mut factors: std::collections::BTreeMap<(String, &str), f64> = std::collections::BTreeMap::new();
    let mut out = create(&dir.join(files::PLAN))?;
    writeln!(out, "provider_code,pod,month,activity,value")?;
    for row in report.summary.iter().filter(|row| months.contains(&row.month)) {
        let factor =
            *factors.entry((row.provider_code.clone(), row.pod)).or_insert_with(|| 0.90 + 0.16 * rng.uniform());
        let scale = factor * (1.0 + 0.04 * (rng.uniform() - 0.5));
        let activity = (row.activity as f64 * scale).round() as i64;
        let value = (row.value_pence as f64 * scale).round() as i64;
        writeln!(
            out,
            "{},{},{},{activity},{}",
            row.provider_code,
            row.pod,
            row.month,
            Money::from_pence(value).to_pounds_string()
        )?;
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
