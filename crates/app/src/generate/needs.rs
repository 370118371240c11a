//! Synthetic needs data for the generated commissioner: QOF-style disease registers by LSOA
//! and by GP practice, and deaths and emergency admissions by MSOA, sex and age band.
//!
//! Recorded prevalence follows each LSOA's age structure and deprivation, scaled by how
//! thoroughly its practice records disease (some practices under-record, which is what the
//! unmet-need estimate should find). Base prevalences are close to England's QOF 2019/20
//! figures; the gradients are plausible, not measured.

use std::io::Write;
use std::path::Path;

use commissioning::population::AgeBand;

use crate::generate::geography::{Lsoa, SyntheticCommissioner};
use crate::generate::rng::Rng;
use crate::generate::{POPULATION_YEAR, create};

/// Year of the generated registers and events (the population's year).
pub(crate) const NEEDS_YEAR: i32 = POPULATION_YEAR;

/// A disease register: id, national prevalence, youngest age counted, ratio of prevalence in
/// the most to the least deprived decile, and how strongly it follows the share aged 65+.
struct Register {
    id: &'static str,
    prevalence: f64,
    min_age: u32,
    deprivation_ratio: f64,
    age_elasticity: f64,
}

const REGISTERS: [Register; 13] = [
    Register { id: "QOF_AF", prevalence: 0.020, min_age: 0, deprivation_ratio: 0.85, age_elasticity: 1.0 },
    Register { id: "QOF_AST", prevalence: 0.064, min_age: 0, deprivation_ratio: 1.15, age_elasticity: 0.0 },
    Register { id: "QOF_CAN", prevalence: 0.032, min_age: 0, deprivation_ratio: 0.80, age_elasticity: 0.7 },
    Register { id: "QOF_CHD", prevalence: 0.031, min_age: 0, deprivation_ratio: 1.40, age_elasticity: 0.8 },
    Register { id: "QOF_CKD", prevalence: 0.040, min_age: 18, deprivation_ratio: 1.10, age_elasticity: 0.8 },
    Register { id: "QOF_COPD", prevalence: 0.019, min_age: 0, deprivation_ratio: 2.20, age_elasticity: 0.6 },
    Register { id: "QOF_DEM", prevalence: 0.0076, min_age: 0, deprivation_ratio: 1.00, age_elasticity: 1.2 },
    Register { id: "QOF_DEP", prevalence: 0.116, min_age: 18, deprivation_ratio: 1.30, age_elasticity: 0.0 },
    Register { id: "QOF_DM", prevalence: 0.071, min_age: 17, deprivation_ratio: 1.50, age_elasticity: 0.4 },
    Register { id: "QOF_HF", prevalence: 0.009, min_age: 0, deprivation_ratio: 1.30, age_elasticity: 1.0 },
    Register { id: "QOF_HYP", prevalence: 0.141, min_age: 0, deprivation_ratio: 1.05, age_elasticity: 0.7 },
    Register { id: "QOF_MH", prevalence: 0.0095, min_age: 0, deprivation_ratio: 2.00, age_elasticity: 0.0 },
    Register { id: "QOF_STIA", prevalence: 0.018, min_age: 0, deprivation_ratio: 1.20, age_elasticity: 0.8 },
];

/// Events standardised by age: id, oldest age counted (exclusive), annual rate per person in
/// each ESP band, and the ratio of rates in the most to the least deprived decile.
struct Events {
    id: &'static str,
    below_age: u32,
    rates: [f64; AgeBand::COUNT],
    deprivation_ratio: f64,
}

const EVENTS: [Events; 4] = [
    // Under-75 deaths from cardiovascular disease: about 70 per 100,000 standardised.
    Events {
        id: "NHSOF_1.1",
        below_age: 75,
        rates: [
            0.000002, 0.000001, 0.000002, 0.000006, 0.000012, 0.00002, 0.00003, 0.00005, 0.00008, 0.00013, 0.0002,
            0.00033, 0.0005, 0.0008, 0.0012, 0.0, 0.0, 0.0, 0.0,
        ],
        deprivation_ratio: 2.3,
    },
    // Under-75 deaths from cancer: about 130 per 100,000 standardised.
    Events {
        id: "NHSOF_1.4",
        below_age: 75,
        rates: [
            0.00002, 0.00002, 0.00002, 0.00003, 0.00005, 0.00007, 0.0001, 0.00016, 0.00027, 0.00045, 0.0007, 0.0011,
            0.0017, 0.0026, 0.0037, 0.0, 0.0, 0.0, 0.0,
        ],
        deprivation_ratio: 1.6,
    },
    // Emergency admissions for chronic ambulatory care sensitive conditions.
    Events {
        id: "NHSOF_2.3.i",
        below_age: 200,
        rates: [
            0.0025, 0.0015, 0.001, 0.0009, 0.0009, 0.001, 0.0011, 0.0013, 0.0016, 0.002, 0.0027, 0.0037, 0.005, 0.0068,
            0.009, 0.013, 0.019, 0.026, 0.033,
        ],
        deprivation_ratio: 2.0,
    },
    // Emergency admissions for acute conditions that should not usually need admission.
    Events {
        id: "NHSOF_3a",
        below_age: 200,
        rates: [
            0.012, 0.004, 0.003, 0.004, 0.005, 0.005, 0.005, 0.005, 0.005, 0.006, 0.006, 0.007, 0.008, 0.01, 0.013,
            0.019, 0.03, 0.045, 0.065,
        ],
        deprivation_ratio: 1.6,
    },
];

/// England's share of people aged 65 and over, roughly.
const NATIONAL_SHARE_65_PLUS: f64 = 0.185;

/// Writes the LSOA registers, the practice registers (with each practice's list split by
/// its patients' IMD decile) and the banded events.
pub(crate) fn write_needs(
    commissioner: &SyntheticCommissioner,
    seed: u64,
    lsoa_path: &Path,
    practice_path: &Path,
    events_path: &Path,
) -> anyhow::Result<()> {
    let mut rng = Rng::new(seed, 11);
    // How thoroughly each practice records disease: most record nearly all, some far less.
    let recording: Vec<f64> = commissioner
        .practices
        .iter()
        .map(|_| if rng.chance(0.2) { 0.70 + 0.12 * rng.uniform() } else { 0.93 + 0.08 * rng.uniform() })
        .collect();
    // (practice, register, decile) → (register, list).
    let n_registers = REGISTERS.len();
    let mut by_practice = vec![[[0.0f64; 2]; 10]; commissioner.practices.len() * n_registers];
    let mut out = create(lsoa_path)?;
    writeln!(out, "indicator_id,area_code,year,sex,age_band,count,denominator")?;
    for lsoa in &commissioner.lsoas {
        let share_65 = share_aged(lsoa, 65);
        let decile_position = (10.0 - f64::from(lsoa.imd_decile)) / 9.0;
        for (register_idx, register) in REGISTERS.iter().enumerate() {
            let list = persons_aged(lsoa, register.min_age);
            let age_factor = (share_65 / NATIONAL_SHARE_65_PLUS).max(0.2).powf(register.age_elasticity);
            let deprivation_factor = register.deprivation_ratio.powf(decile_position - 0.5);
            let noise = (1.0 + 0.06 * rng.normal()).max(0.5);
            let prevalence =
                (register.prevalence * age_factor * deprivation_factor * recording[lsoa.practice_idx] * noise).min(0.9);
            let count = (list * prevalence).round();
            writeln!(out, "{},{},{NEEDS_YEAR},persons,all,{count},{list}", register.id, lsoa.code)?;
            let cell =
                &mut by_practice[lsoa.practice_idx * n_registers + register_idx][usize::from(lsoa.imd_decile) - 1];
            cell[0] += count;
            cell[1] += list;
        }
    }
    out.flush()?;
    let mut out = create(practice_path)?;
    writeln!(out, "indicator_id,practice_code,year,imd_decile,count,denominator")?;
    for (practice_idx, practice) in commissioner.practices.iter().enumerate() {
        for (register_idx, register) in REGISTERS.iter().enumerate() {
            let cells = &by_practice[practice_idx * n_registers + register_idx];
            let (mut count, mut list) = (0.0, 0.0);
            for (decile_idx, cell) in cells.iter().enumerate() {
                if cell[1] > 0.0 {
                    writeln!(
                        out,
                        "{},{},{NEEDS_YEAR},{},{},{}",
                        register.id,
                        practice.code,
                        decile_idx + 1,
                        cell[0],
                        cell[1]
                    )?;
                    count += cell[0];
                    list += cell[1];
                }
            }
            if list > 0.0 {
                writeln!(out, "{},{},{NEEDS_YEAR},all,{count},{list}", register.id, practice.code)?;
            }
        }
    }
    out.flush()?;
    // Deaths and admissions are published for MSOAs and above (LSOA counts are too small to
    // standardise), so events are drawn per MSOA from the sum of its LSOAs' expected counts.
    let mut out = create(events_path)?;
    writeln!(out, "indicator_id,area_code,year,sex,age_band,count")?;
    let mut expected = vec![[[0.0f64; AgeBand::COUNT]; 2]; commissioner.msoas.len() * EVENTS.len()];
    for lsoa in &commissioner.lsoas {
        let decile_position = (10.0 - f64::from(lsoa.imd_decile)) / 9.0;
        for (events_idx, events) in EVENTS.iter().enumerate() {
            let deprivation_factor = events.deprivation_ratio.powf(decile_position - 0.5);
            let cells = &mut expected[lsoa.msoa_idx * EVENTS.len() + events_idx];
            for (sex_idx, bands) in lsoa.population.iter().enumerate() {
                // Men's rates are higher for all four.
                let sex_factor = if sex_idx == 0 { 1.25 } else { 0.8 };
                for (band, persons) in AgeBand::all().zip(bands) {
                    cells[sex_idx][band.index()] +=
                        f64::from(*persons) * events.rates[band.index()] * deprivation_factor * sex_factor;
                }
            }
        }
    }
    for (msoa_idx, msoa) in commissioner.msoas.iter().enumerate() {
        for (events_idx, events) in EVENTS.iter().enumerate() {
            let cells = &expected[msoa_idx * EVENTS.len() + events_idx];
            for (sex_idx, means) in cells.iter().enumerate() {
                for band in AgeBand::all().filter(|band| band.lower_age() < events.below_age) {
                    let count = poisson(&mut rng, means[band.index()]);
                    writeln!(out, "{},{},{NEEDS_YEAR},{},{band},{count}", events.id, msoa.code, sex_idx + 1)?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// Residents aged `min_age` and over; the band containing `min_age` counts in part.
fn persons_aged(lsoa: &Lsoa, min_age: u32) -> f64 {
    let mut total = 0.0;
    for bands in &lsoa.population {
        for (band, persons) in AgeBand::all().zip(bands) {
            let lower = band.lower_age();
            let share = if lower >= min_age {
                1.0
            } else if lower + 5 > min_age {
                f64::from(lower + 5 - min_age) / 5.0
            } else {
                0.0
            };
            total += f64::from(*persons) * share;
        }
    }
    total.round()
}

fn share_aged(lsoa: &Lsoa, min_age: u32) -> f64 {
    let all = persons_aged(lsoa, 0);
    if all == 0.0 { 0.0 } else { persons_aged(lsoa, min_age) / all }
}

/// A Poisson draw: by inversion for small means, a rounded normal for large ones.
fn poisson(rng: &mut Rng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 30.0 {
        return (mean + mean.sqrt() * rng.normal()).round().max(0.0) as u64;
    }
    let limit = (-mean).exp();
    let mut product = rng.uniform();
    let mut count = 0;
    while product > limit {
        product *= rng.uniform();
        count += 1;
    }
    count
}
