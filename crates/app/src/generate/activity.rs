//! Patient-level activity for the synthetic commissioner: one financial year of rows with
//! age-specific rates, a deprivation gradient, seasonality, realistic lengths of stay, and
//! a small share of deliberate faults (duplicates, invalid fields, wrong commissioner, out
//! of period, uncoded HRGs) for validation to find.
//!
//! Rows are made in fixed-size chunks, each from its own random stream, so the output is
//! the same whatever the number of threads.

use std::io::Write;

use chrono::{Datelike, NaiveDate, Weekday};

use commissioning::period::FinancialYear;
use commissioning::population::AgeBand;
use commissioning::service::PointOfDelivery;

use crate::generate::geography::{HRGS, ICB_CODE, SyntheticCommissioner};
use crate::generate::rng::{AliasTable, Rng, splitmix};

/// Rows per chunk: each chunk has its own random stream.
pub(crate) const CHUNK_ROWS: u64 = 50_000;

/// The header of a generated activity file.
pub(crate) const HEADER: &str =
    "record_id,provider_code,commissioner_code,patient_id,lsoa_code,age,sex,pod,tfc,hrg,activity_date,los\n";

/// How often each point of delivery occurs.
const POD_MIX: [(PointOfDelivery, f64); 7] = [
    (PointOfDelivery::AccidentAndEmergency, 0.23),
    (PointOfDelivery::NonElective, 0.10),
    (PointOfDelivery::Elective, 0.025),
    (PointOfDelivery::DayCase, 0.085),
    (PointOfDelivery::OutpatientFirst, 0.165),
    (PointOfDelivery::OutpatientFollowUp, 0.33),
    (PointOfDelivery::OutpatientProcedure, 0.065),
];

/// Relative use by age band: emergency attendances, emergency admissions, planned care.
const AGE_RATES: [[f64; AgeBand::COUNT]; 3] = [
    [1.6, 0.9, 0.8, 1.0, 1.2, 1.0, 0.9, 0.85, 0.8, 0.8, 0.8, 0.85, 0.9, 1.0, 1.1, 1.4, 1.9, 2.6, 3.4],
    [1.0, 0.25, 0.25, 0.4, 0.5, 0.55, 0.6, 0.6, 0.6, 0.7, 0.8, 1.0, 1.2, 1.5, 2.0, 2.8, 4.0, 5.5, 7.0],
    [0.4, 0.35, 0.35, 0.45, 0.55, 0.65, 0.75, 0.8, 0.85, 0.95, 1.1, 1.3, 1.6, 1.9, 2.3, 2.6, 2.8, 2.6, 2.2],
];

/// Month weights, April first: emergency attendances, emergency admissions, planned care.
const SEASONALITY: [[f64; 12]; 3] = [
    [1.00, 1.05, 1.04, 1.06, 0.98, 0.99, 1.00, 0.97, 1.00, 0.96, 0.90, 1.03],
    [0.95, 0.97, 0.95, 0.97, 0.94, 0.96, 1.00, 1.03, 1.10, 1.08, 0.97, 1.02],
    [0.97, 1.00, 1.03, 1.02, 0.88, 1.02, 1.06, 1.05, 0.87, 1.02, 1.01, 1.07],
];

/// Base frequency of each treatment function within a point of delivery.
fn tfc_weight(pod: PointOfDelivery, tfc: u16) -> f64 {
    use PointOfDelivery::*;
    match pod {
        AccidentAndEmergency => 1.0,
        NonElective => match tfc {
            300 => 0.35,
            430 => 0.15,
            320 | 340 | 420 => 0.10,
            110 => 0.08,
            100 => 0.07,
            _ => 0.05,
        },
        Elective => match tfc {
            110 => 0.30,
            100 => 0.20,
            502 => 0.17,
            101 => 0.15,
            120 => 0.10,
            _ => 0.08,
        },
        DayCase => match tfc {
            130 => 0.25,
            301 => 0.22,
            100 | 110 => 0.12,
            101 | 502 => 0.10,
            _ => 0.09,
        },
        OutpatientFirst | OutpatientFollowUp => match tfc {
            110 | 130 => 0.12,
            650 => 0.10,
            100 => 0.08,
            320 => 0.07,
            101 | 120 | 300 | 330 | 502 => 0.06,
            301 | 420 | 710 => 0.05,
            340 | 410 | 653 => 0.04,
            430 => 0.03,
            715 => 0.02,
            _ => 0.015,
        },
        OutpatientProcedure => match tfc {
            130 => 0.40,
            330 => 0.25,
            101 => 0.20,
            _ => 0.15,
        },
    }
}

/// How likely a person of this age group and sex is to need this specialty.
fn person_factor(tfc: u16, age_group: usize, sex_idx: usize) -> f64 {
    let child = age_group == 0;
    let older = age_group == 2;
    let male = sex_idx == 0;
    match tfc {
        420 | 711 => f64::from(u8::from(child)) * 20.0,
        430 | 715 => f64::from(u8::from(older)) * 3.0,
        710 | 410 => f64::from(u8::from(!child)),
        502 => f64::from(u8::from(!male && !child)),
        101 => {
            if male {
                1.6
            } else {
                0.4
            }
        }
        110 | 120 | 130 | 180 => 1.0,
        _ => {
            if child {
                0.2
            } else {
                1.0
            }
        }
    }
}

/// Everything needed to draw rows, built once per run.
pub(crate) struct ActivityModel<'a> {
    commissioner: &'a SyntheticCommissioner,
    seed: u64,
    year: FinancialYear,
    pods: AliasTable,
    /// Per age-rate class: (LSOA, sex, band) cells weighted by use.
    cells: [AliasTable; 3],
    /// Per (pod, local authority, age group, sex): services weighted by choice.
    services: Vec<Option<AliasTable>>,
    /// Per service: HRG choices (indexes into `HRGS`).
    hrgs: Vec<(Vec<usize>, AliasTable)>,
    months: [AliasTable; 3],
    service_codes: Vec<ServiceCodes>,
}

struct ServiceCodes {
    provider: &'static str,
    pod: PointOfDelivery,
    tfc: u16,
}

impl<'a> ActivityModel<'a> {
    pub(crate) fn new(commissioner: &'a SyntheticCommissioner, seed: u64, year: FinancialYear) -> ActivityModel<'a> {
        let pods = AliasTable::new(&POD_MIX.map(|(_, weight)| weight));
        let cells = std::array::from_fn(|class| {
            let mut weights = Vec::with_capacity(commissioner.lsoas.len() * 2 * AgeBand::COUNT);
            for lsoa in &commissioner.lsoas {
                let deprivation = f64::from(10 - lsoa.imd_decile);
                let multiplier = match class {
                    0 => 1.0 + 0.05 * deprivation,
                    1 => 1.0 + 0.06 * deprivation,
                    _ => 1.0 - 0.01 * deprivation,
                };
                for sex in &lsoa.population {
                    for (band, persons) in sex.iter().enumerate() {
                        weights.push(f64::from(*persons) * AGE_RATES[class][band] * multiplier);
                    }
                }
            }
            AliasTable::new(&weights)
        });
        let n_las = commissioner.local_authorities.len();
        let mut services = Vec::with_capacity(POD_MIX.len() * n_las * 3 * 2);
        for (pod, _) in POD_MIX {
            for la_idx in 0..n_las {
                for age_group in 0..3 {
                    for sex_idx in 0..2 {
                        let weights: Vec<f64> = commissioner
                            .services
                            .iter()
                            .map(|service| {
                                if service.pod != pod {
                                    return 0.0;
                                }
                                let provider = &commissioner.providers[service.provider_idx];
                                provider.catchment[la_idx]
                                    * tfc_weight(pod, service.tfc)
                                    * person_factor(service.tfc, age_group, sex_idx)
                            })
                            .collect();
                        let any = weights.iter().any(|w| *w > 0.0);
                        services.push(any.then(|| AliasTable::new(&weights)));
                    }
                }
            }
        }
        let hrgs = commissioner
            .services
            .iter()
            .map(|service| {
                let choices: Vec<usize> = HRGS
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| h.pod == service.pod && (h.tfc == 0 || h.tfc == service.tfc))
                    .map(|(idx, _)| idx)
                    .collect();
                let weights: Vec<f64> = choices.iter().map(|&idx| HRGS[idx].weight).collect();
                let table = AliasTable::new(&weights);
                (choices, table)
            })
            .collect();
        let months = std::array::from_fn(|class| AliasTable::new(&SEASONALITY[class]));
        let service_codes = commissioner
            .services
            .iter()
            .map(|service| ServiceCodes {
                provider: commissioner.providers[service.provider_idx].code,
                pod: service.pod,
                tfc: service.tfc,
            })
            .collect();
        ActivityModel { commissioner, seed, year, pods, cells, services, hrgs, months, service_codes }
    }

    /// Writes the rows of one chunk (CSV, no header) into `out`.
    pub(crate) fn write_chunk(&self, chunk_idx: u64, n_rows: u64, out: &mut Vec<u8>) {
        let mut rng = Rng::new(self.seed, 1_000_000 + chunk_idx);
        let first_row = chunk_idx * CHUNK_ROWS;
        let mut line_starts: Vec<usize> = Vec::with_capacity(n_rows as usize);
        let n_las = self.commissioner.local_authorities.len();
        for row_in_chunk in 0..n_rows {
            let start = out.len();
            let fault = rng.uniform();
            if fault < 0.004 && !line_starts.is_empty() {
                // A duplicate: the same provider and record id as an earlier row, resent.
                let earlier = line_starts[rng.below(line_starts.len() as u64) as usize];
                let end =
                    out[earlier..].iter().position(|&b| b == b'\n').map(|p| earlier + p + 1).expect("complete line");
                out.extend_from_within(earlier..end);
                line_starts.push(start);
                continue;
            }
            // Every (point of delivery, area, age group, sex) has some service in practice;
            // should one ever have none, draw again rather than skip the row.
            let (pod, class, cell, service_idx) = loop {
                let pod_idx = self.pods.sample(&mut rng);
                let pod = POD_MIX[pod_idx].0;
                let class = match pod {
                    PointOfDelivery::AccidentAndEmergency => 0,
                    PointOfDelivery::NonElective => 1,
                    _ => 2,
                };
                let cell = self.cells[class].sample(&mut rng);
                let lsoa = &self.commissioner.lsoas[cell / (2 * AgeBand::COUNT)];
                let band = cell % AgeBand::COUNT;
                let age_group = match band {
                    0..=2 => 0,
                    3..=12 => 1,
                    _ => 2,
                };
                let sex_idx = (cell / AgeBand::COUNT) % 2;
                let table_idx = ((pod_idx * n_las + lsoa.la_idx) * 3 + age_group) * 2 + sex_idx;
                if let Some(services) = &self.services[table_idx] {
                    break (pod, class, cell, services.sample(&mut rng));
                }
            };
            let lsoa_idx = cell / (2 * AgeBand::COUNT);
            let sex_idx = (cell / AgeBand::COUNT) % 2;
            let band = cell % AgeBand::COUNT;
            let lsoa = &self.commissioner.lsoas[lsoa_idx];
            let age = if band == AgeBand::COUNT - 1 { 90 + rng.below(12) } else { band as u64 * 5 + rng.below(5) };
            let service = &self.service_codes[service_idx];
            let (choices, table) = &self.hrgs[service_idx];
            let hrg_spec = &HRGS[choices[table.sample(&mut rng)]];
            let date = self.draw_date(&mut rng, class, pod);
            let los = draw_los(&mut rng, pod, age);
            let persons = lsoa.population[sex_idx][band].max(1);
            let person = rng.below(u64::from(persons));
            let patient =
                splitmix(self.seed ^ splitmix(((lsoa_idx as u64) << 24) ^ ((cell as u64 % 38) << 16) ^ person));

            let mut record_id = format!("{:010}", first_row + row_in_chunk + 1);
            let mut commissioner = ICB_CODE;
            let mut lsoa_code = lsoa.code.as_str();
            let mut age_text = age.to_string();
            let mut sex_text = if sex_idx == 0 { "1" } else { "2" };
            let mut date_text = date.format("%Y-%m-%d").to_string();
            let mut los_text = los.to_string();
            let mut hrg = hrg_spec.hrg;
            if fault < 0.0075 {
                match rng.below(6) {
                    0 => age_text = "131".into(),
                    1 => sex_text = "3",
                    2 => date_text = format!("{}-02-30", date.year()),
                    3 => lsoa_code = "E0100001",
                    4 => los_text = "-1".into(),
                    _ => record_id.clear(),
                }
            } else if fault < 0.0100 {
                commissioner = ["QOP", "QHM", "QE1"][rng.below(3) as usize];
            } else if fault < 0.0120 {
                let earlier = date.with_year(date.year() - 1).unwrap_or(date - chrono::Days::new(365));
                date_text = earlier.format("%Y-%m-%d").to_string();
            } else if fault < 0.0130 {
                hrg = "UZ01Z";
            }
            line_starts.push(start);
            let _ = writeln!(
                out,
                "{record_id},{},{commissioner},P{:012X},{lsoa_code},{age_text},{sex_text},{},{},{hrg},{date_text},{los_text}",
                service.provider,
                patient >> 16,
                service.pod.code(),
                service.tfc,
            );
        }
    }

    fn draw_date(&self, rng: &mut Rng, class: usize, pod: PointOfDelivery) -> NaiveDate {
        let month = self.year.months()[self.months[class].sample(rng)];
        let day = 1 + rng.below(u64::from(month.days())) as u32;
        let date = NaiveDate::from_ymd_opt(month.year(), month.month(), day).expect("day within month");
        let planned = !matches!(pod, PointOfDelivery::AccidentAndEmergency | PointOfDelivery::NonElective);
        if !planned {
            return date;
        }
        // Planned care happens on weekdays: move weekends within the same month.
        match date.weekday() {
            Weekday::Sat if day > 1 => date.pred_opt().expect("a day before"),
            Weekday::Sun if day > 2 => date - chrono::Days::new(2),
            Weekday::Sat => date + chrono::Days::new(2),
            Weekday::Sun => date + chrono::Days::new(1),
            _ => date,
        }
    }
}

fn draw_los(rng: &mut Rng, pod: PointOfDelivery, age: u64) -> u64 {
    match pod {
        PointOfDelivery::NonElective => {
            if rng.chance(0.32) {
                0
            } else {
                let mean = 2.5 + age as f64 / 12.0;
                1 + (-mean * (1.0 - rng.uniform()).ln()).floor() as u64
            }
        }
        PointOfDelivery::Elective => 1 + rng.below(4) + u64::from(rng.chance(0.1)) * rng.below(8),
        _ => 0,
    }
}
