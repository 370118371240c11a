//! The synthetic commissioner: an ICB of about a thousand LSOAs in four local authorities,
//! with deprivation that clusters the way it does in real places, populations whose age
//! structure follows deprivation, GP practices, providers, services, a tariff and MFFs.
//!
//! All codes are fictional but well formed (`E019…` LSOAs, `Q99` ICB, `R9A` trusts), chosen
//! so as not to collide with real ODS or ONS codes.

use commissioning::org::ProviderType;
use commissioning::population::AgeBand;
use commissioning::service::PointOfDelivery;

use crate::generate::rng::Rng;
pub(crate) use crate::generate::{ICB_AREA_CODE, ICB_CODE, POPULATION_YEAR};

pub(crate) const ICB_NAME: &str = "NHS Ashmere and Dunmore Integrated Care Board";
pub(crate) const ICB_AREA_NAME: &str = "Ashmere and Dunmore ICB area";
pub(crate) const REGION_CODE: &str = "E12000009";
pub(crate) const REGION_NAME: &str = "South West";
pub(crate) const NHS_REGION_CODE: &str = "Y58";
pub(crate) const SCRUTINY_CODE: &str = "SC901";

/// Share of the population in each age band: England mid-2021, rounded.
const AGE_SHARES: [f64; 19] =
    [5.4, 5.9, 6.0, 5.7, 6.0, 6.6, 6.9, 6.7, 6.3, 6.3, 6.8, 6.7, 5.8, 4.9, 5.0, 3.6, 2.5, 1.5, 0.8];

/// Female share of each age band.
const FEMALE_SHARE: [f64; 19] = [
    0.488, 0.488, 0.488, 0.490, 0.500, 0.505, 0.505, 0.505, 0.505, 0.505, 0.505, 0.505, 0.510, 0.515, 0.525, 0.540,
    0.560, 0.610, 0.680,
];

pub(crate) struct LocalAuthority {
    pub(crate) code: String,
    pub(crate) org_code: String,
    pub(crate) name: &'static str,
}

pub(crate) struct Msoa {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) la_idx: usize,
}

pub(crate) struct Lsoa {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) msoa_idx: usize,
    pub(crate) la_idx: usize,
    pub(crate) imd_decile: u8,
    pub(crate) imd_rank: u32,
    /// Persons by [male, female] × age band.
    pub(crate) population: [[u32; AgeBand::COUNT]; 2],
    pub(crate) practice_idx: usize,
}

pub(crate) struct Practice {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) registered: u64,
}

pub(crate) struct Provider {
    pub(crate) code: &'static str,
    pub(crate) name: &'static str,
    pub(crate) provider_type: ProviderType,
    /// Payment index market forces factor; `None` means not published (1.0).
    pub(crate) mff: Option<&'static str>,
    /// Share of each local authority's acute activity this provider takes.
    pub(crate) catchment: [f64; 4],
}

/// A service: a treatment function delivered by a provider at a point of delivery.
#[derive(Clone, Copy)]
pub(crate) struct ServiceSpec {
    pub(crate) provider_idx: usize,
    pub(crate) pod: PointOfDelivery,
    pub(crate) tfc: u16,
}

/// One HRG a (point of delivery, treatment function) pair may be coded to, with its tariff.
pub(crate) struct HrgSpec {
    pub(crate) pod: PointOfDelivery,
    /// 0 means any treatment function.
    pub(crate) tfc: u16,
    pub(crate) hrg: &'static str,
    pub(crate) weight: f64,
    pub(crate) unit_price_pence: i64,
    pub(crate) trim_point_days: Option<u32>,
    pub(crate) excess_bed_day_pence: Option<i64>,
}

pub(crate) struct SyntheticCommissioner {
    pub(crate) local_authorities: Vec<LocalAuthority>,
    pub(crate) msoas: Vec<Msoa>,
    pub(crate) lsoas: Vec<Lsoa>,
    pub(crate) practices: Vec<Practice>,
    pub(crate) providers: &'static [Provider],
    pub(crate) services: Vec<ServiceSpec>,
}

const LA_SPECS: [(&str, f64, usize); 4] =
    [("Ashmere", 3.2, 70), ("Brackenfield", 5.5, 55), ("Coldharbour Vale", 7.6, 45), ("Dunmore Coast", 4.3, 30)];

pub(crate) const PROVIDERS: &[Provider] = &[
    Provider {
        code: "R9A",
        name: "Ashmere University Hospitals NHS Foundation Trust",
        provider_type: ProviderType::Acute,
        mff: Some("1.0523"),
        catchment: [0.88, 0.10, 0.40, 0.08],
    },
    Provider {
        code: "R9B",
        name: "Brackenfield General Hospital NHS Trust",
        provider_type: ProviderType::Acute,
        mff: Some("1.0187"),
        catchment: [0.0, 0.85, 0.0, 0.0],
    },
    Provider {
        code: "R9C",
        name: "Dunmore and Coldharbour Hospitals NHS Trust",
        provider_type: ProviderType::Acute,
        mff: Some("1.0012"),
        catchment: [0.0, 0.0, 0.55, 0.92],
    },
    Provider {
        code: "R9D",
        name: "Ashmere and Dunmore Community Health NHS Trust",
        provider_type: ProviderType::Community,
        mff: Some("1.0250"),
        catchment: [1.0, 1.0, 1.0, 1.0],
    },
    Provider {
        code: "R9E",
        name: "Ashmere and Dunmore Partnership NHS Foundation Trust",
        provider_type: ProviderType::MentalHealth,
        mff: Some("1.0250"),
        catchment: [1.0, 1.0, 1.0, 1.0],
    },
    Provider {
        code: "R9F",
        name: "Westerleigh Hospitals NHS Foundation Trust",
        provider_type: ProviderType::Acute,
        mff: Some("1.0841"),
        catchment: [0.04, 0.05, 0.05, 0.0],
    },
    Provider {
        code: "N9A",
        name: "Vale Orthopaedic Treatment Centre",
        provider_type: ProviderType::IndependentSector,
        mff: None,
        catchment: [0.25, 0.25, 0.25, 0.25],
    },
    Provider {
        code: "N9B",
        name: "Clearview Eye Clinics",
        provider_type: ProviderType::IndependentSector,
        mff: Some("1.0000"),
        catchment: [0.30, 0.30, 0.30, 0.30],
    },
];

/// Treatment functions each provider runs, by point of delivery.
fn provider_services(code: &str) -> Vec<(PointOfDelivery, &'static [u16])> {
    use PointOfDelivery::*;
    const OP_ACUTE: &[u16] = &[100, 101, 110, 120, 130, 300, 301, 320, 330, 340, 410, 420, 430, 502];
    match code {
        "R9A" | "R9B" => vec![
            (AccidentAndEmergency, &[180]),
            (NonElective, &[100, 110, 300, 301, 320, 340, 420, 430]),
            (Elective, &[100, 101, 104, 110, 120, 502]),
            (DayCase, &[100, 101, 110, 130, 301, 330, 502]),
            (OutpatientFirst, OP_ACUTE),
            (OutpatientFollowUp, OP_ACUTE),
            (OutpatientProcedure, &[101, 120, 130, 330]),
        ],
        "R9C" => vec![
            (AccidentAndEmergency, &[180]),
            (NonElective, &[100, 110, 300, 301, 320, 340, 420, 430]),
            (Elective, &[100, 101, 110, 502]),
            (DayCase, &[100, 101, 110, 130, 301, 330, 502]),
            (OutpatientFirst, &[100, 101, 110, 130, 300, 301, 330, 340, 420, 430, 502]),
            (OutpatientFollowUp, &[100, 101, 110, 130, 300, 301, 330, 340, 420, 430, 502]),
            (OutpatientProcedure, &[101, 130, 330]),
        ],
        "R9D" => vec![(OutpatientFirst, &[650, 653]), (OutpatientFollowUp, &[650, 653])],
        "R9E" => vec![(OutpatientFirst, &[710, 711, 715]), (OutpatientFollowUp, &[710, 711, 715])],
        "R9F" => vec![
            (AccidentAndEmergency, &[180]),
            (NonElective, &[300, 430]),
            (Elective, &[110]),
            (DayCase, &[130]),
            (OutpatientFirst, &[110, 130, 300]),
            (OutpatientFollowUp, &[110, 130, 300]),
        ],
        "N9A" => vec![(Elective, &[110]), (DayCase, &[110]), (OutpatientFirst, &[110]), (OutpatientFollowUp, &[110])],
        "N9B" => vec![
            (DayCase, &[130]),
            (OutpatientFirst, &[130]),
            (OutpatientFollowUp, &[130]),
            (OutpatientProcedure, &[130]),
        ],
        _ => Vec::new(),
    }
}

/// The HRGs each point of delivery and specialty are coded to, with a tariff in the style of
/// the NHS Payment Scheme (illustrative prices, not the published ones).
pub(crate) const HRGS: &[HrgSpec] = &{
    use PointOfDelivery::*;
    const fn hrg(
        pod: PointOfDelivery,
        tfc: u16,
        hrg: &'static str,
        weight: f64,
        pounds: i64,
        trim: Option<u32>,
    ) -> HrgSpec {
        let excess = match pod {
            NonElective => Some(31_200),
            Elective => Some(29_000),
            _ => None,
        };
        HrgSpec {
            pod,
            tfc,
            hrg,
            weight,
            unit_price_pence: pounds * 100,
            trim_point_days: trim,
            excess_bed_day_pence: if trim.is_some() { excess } else { None },
        }
    }
    [
        hrg(AccidentAndEmergency, 0, "VB01Z", 0.03, 453, None),
        hrg(AccidentAndEmergency, 0, "VB02Z", 0.04, 398, None),
        hrg(AccidentAndEmergency, 0, "VB03Z", 0.10, 361, None),
        hrg(AccidentAndEmergency, 0, "VB04Z", 0.06, 306, None),
        hrg(AccidentAndEmergency, 0, "VB05Z", 0.08, 282, None),
        hrg(AccidentAndEmergency, 0, "VB06Z", 0.10, 256, None),
        hrg(AccidentAndEmergency, 0, "VB07Z", 0.17, 227, None),
        hrg(AccidentAndEmergency, 0, "VB08Z", 0.20, 187, None),
        hrg(AccidentAndEmergency, 0, "VB09Z", 0.17, 144, None),
        hrg(AccidentAndEmergency, 0, "VB11Z", 0.05, 83, None),
        hrg(NonElective, 300, "DZ22K", 0.30, 3245, Some(12)),
        hrg(NonElective, 300, "WJ06J", 0.20, 3110, Some(11)),
        hrg(NonElective, 300, "FD10M", 0.25, 1835, Some(7)),
        hrg(NonElective, 300, "EB03E", 0.25, 3820, Some(14)),
        hrg(NonElective, 430, "WD11Z", 0.50, 2480, Some(15)),
        hrg(NonElective, 430, "DZ22K", 0.50, 3245, Some(12)),
        hrg(NonElective, 320, "EB10E", 0.60, 2930, Some(9)),
        hrg(NonElective, 320, "EB03E", 0.40, 3820, Some(14)),
        hrg(NonElective, 340, "DZ65K", 0.70, 2710, Some(10)),
        hrg(NonElective, 340, "DZ22K", 0.30, 3245, Some(12)),
        hrg(NonElective, 420, "PW16G", 0.60, 845, Some(5)),
        hrg(NonElective, 420, "PW19C", 0.40, 612, Some(4)),
        hrg(NonElective, 110, "HT12E", 0.60, 7480, Some(25)),
        hrg(NonElective, 110, "HT22C", 0.40, 3950, Some(12)),
        hrg(NonElective, 100, "FD05B", 0.60, 1640, Some(6)),
        hrg(NonElective, 100, "GA10J", 0.40, 2100, Some(7)),
        hrg(NonElective, 301, "FD10M", 0.60, 1835, Some(7)),
        hrg(NonElective, 301, "FD01J", 0.40, 2320, Some(8)),
        hrg(Elective, 100, "FF10B", 0.60, 2860, Some(3)),
        hrg(Elective, 100, "GB05C", 0.40, 3400, Some(4)),
        hrg(Elective, 101, "LB14E", 0.60, 3050, Some(4)),
        hrg(Elective, 101, "LB25F", 0.40, 2480, Some(3)),
        hrg(Elective, 110, "HN12F", 0.45, 6540, Some(6)),
        hrg(Elective, 110, "HN22D", 0.45, 6180, Some(5)),
        hrg(Elective, 110, "HN33D", 0.10, 4400, Some(4)),
        hrg(Elective, 120, "CA60A", 0.70, 1930, Some(2)),
        hrg(Elective, 120, "CA25B", 0.30, 2210, Some(2)),
        hrg(Elective, 104, "FF31A", 1.00, 9820, Some(12)),
        hrg(Elective, 502, "MA07F", 0.70, 2720, Some(3)),
        hrg(Elective, 502, "MA08B", 0.30, 3300, Some(4)),
        hrg(DayCase, 100, "FF10B", 1.00, 1420, None),
        hrg(DayCase, 101, "LB72A", 1.00, 610, None),
        hrg(DayCase, 110, "HN53B", 1.00, 1460, None),
        hrg(DayCase, 130, "BZ34C", 0.80, 905, None),
        hrg(DayCase, 130, "BZ32B", 0.20, 1120, None),
        hrg(DayCase, 301, "FE22Z", 0.70, 655, None),
        hrg(DayCase, 301, "FE21Z", 0.30, 520, None),
        hrg(DayCase, 330, "JC42B", 1.00, 710, None),
        hrg(DayCase, 502, "MA33Z", 1.00, 820, None),
        hrg(OutpatientFirst, 0, "WF01B", 1.00, 164, None),
        hrg(OutpatientFollowUp, 0, "WF01A", 1.00, 93, None),
        hrg(OutpatientProcedure, 130, "BZ87A", 1.00, 142, None),
        hrg(OutpatientProcedure, 330, "JC43C", 1.00, 183, None),
        hrg(OutpatientProcedure, 101, "LB72A", 1.00, 236, None),
        hrg(OutpatientProcedure, 120, "CA37A", 1.00, 129, None),
    ]
};

const PRACTICE_PLACES: [&str; 20] = [
    "Riverside",
    "Market Street",
    "Oakwood",
    "Castle View",
    "Harbour",
    "Station Road",
    "Meadowbank",
    "Church Lane",
    "Hillcrest",
    "Abbey",
    "Northgate",
    "Willow Tree",
    "Parkside",
    "Greenfield",
    "Old Mill",
    "Kingsway",
    "Elm Grove",
    "Bridge Street",
    "Valley",
    "Westfield",
];
const PRACTICE_KINDS: [&str; 4] = ["Surgery", "Medical Centre", "Health Centre", "Medical Practice"];

/// Builds the commissioner for a seed. Deterministic: the same seed gives the same places.
pub(crate) fn build(seed: u64) -> SyntheticCommissioner {
    let mut rng = Rng::new(seed, 1);
    let mut local_authorities = Vec::new();
    let mut msoas = Vec::new();
    let mut lsoas = Vec::new();
    for (la_idx, (name, deprivation_base, n_msoas)) in LA_SPECS.iter().enumerate() {
        local_authorities.push(LocalAuthority {
            code: format!("E0690000{}", la_idx + 1),
            org_code: format!("LA90{}", la_idx + 1),
            name,
        });
        for msoa_number in 1..=*n_msoas {
            let msoa_idx = msoas.len();
            msoas.push(Msoa {
                code: format!("E029{:05}", msoa_idx + 1),
                name: format!("{name} {msoa_number:03}"),
                la_idx,
            });
            let msoa_base = deprivation_base + 1.8 * rng.normal();
            let n_lsoas = 4 + rng.below(3) as usize;
            for letter in 0..n_lsoas {
                let decile = (msoa_base + rng.normal()).round().clamp(1.0, 10.0) as u8;
                let imd_rank = (u32::from(decile) - 1) * 3284 + 1 + rng.below(3284) as u32;
                let population = lsoa_population(&mut rng, decile);
                lsoas.push(Lsoa {
                    code: format!("E019{:05}", lsoas.len() + 1),
                    name: format!("{name} {msoa_number:03}{}", (b'A' + letter as u8) as char),
                    msoa_idx,
                    la_idx,
                    imd_decile: decile,
                    imd_rank,
                    population,
                    practice_idx: 0,
                });
            }
        }
    }
    let practices = assign_practices(&mut rng, &msoas, &mut lsoas);
    let services = PROVIDERS
        .iter()
        .enumerate()
        .flat_map(|(provider_idx, provider)| {
            provider_services(provider.code)
                .into_iter()
                .flat_map(move |(pod, tfcs)| tfcs.iter().map(move |&tfc| ServiceSpec { provider_idx, pod, tfc }))
        })
        .collect();
    SyntheticCommissioner { local_authorities, msoas, lsoas, practices, providers: PROVIDERS, services }
}

/// Persons by sex and age band for one LSOA: deprived areas are younger, affluent ones older.
fn lsoa_population(rng: &mut Rng, decile: u8) -> [[u32; AgeBand::COUNT]; 2] {
    let total = (1650.0 + 320.0 * rng.normal()).clamp(1000.0, 3000.0);
    let skew = (5.5 - f64::from(decile)) / 4.5;
    let mut shares = AGE_SHARES;
    for (band, share) in shares.iter_mut().enumerate() {
        let tilt = match band {
            0..=6 => 1.0 + 0.18 * skew,
            12.. => 1.0 - 0.25 * skew,
            _ => 1.0,
        };
        *share *= tilt * (1.0 + 0.08 * rng.normal()).max(0.5);
    }
    let sum: f64 = shares.iter().sum();
    let mut population = [[0u32; AgeBand::COUNT]; 2];
    for band in 0..AgeBand::COUNT {
        let persons = total * shares[band] / sum;
        let female = (persons * FEMALE_SHARE[band]).round();
        population[1][band] = female as u32;
        population[0][band] = (persons - female).round().max(0.0) as u32;
    }
    population
}

/// Gives each local authority practices in proportion to its MSOAs, each practice a run of
/// neighbouring MSOAs, and registers every LSOA's residents with its MSOA's practice.
fn assign_practices(rng: &mut Rng, msoas: &[Msoa], lsoas: &mut [Lsoa]) -> Vec<Practice> {
    const N_PRACTICES: usize = 40;
    let n_msoas = msoas.len();
    let mut practices = Vec::with_capacity(N_PRACTICES);
    let mut msoa_practice = vec![0usize; n_msoas];
    let mut start = 0;
    for la_idx in 0..LA_SPECS.len() {
        let la_msoas: Vec<usize> = (0..n_msoas).filter(|&idx| msoas[idx].la_idx == la_idx).collect();
        let n_here = if la_idx == LA_SPECS.len() - 1 {
            N_PRACTICES - practices.len()
        } else {
            (N_PRACTICES * la_msoas.len()).div_ceil(n_msoas)
        };
        for _ in 0..n_here {
            let idx = practices.len();
            let place = PRACTICE_PLACES[(idx * 7 + 3) % PRACTICE_PLACES.len()];
            let kind = PRACTICE_KINDS[(idx / PRACTICE_PLACES.len()) % PRACTICE_KINDS.len()];
            practices.push(Practice {
                code: format!("Z9{:04}", idx + 1),
                name: format!("{place} {kind}"),
                registered: 0,
            });
        }
        for (position, msoa_idx) in la_msoas.iter().enumerate() {
            msoa_practice[*msoa_idx] = start + position * n_here / la_msoas.len();
        }
        start += n_here;
    }
    for lsoa in lsoas.iter_mut() {
        lsoa.practice_idx = msoa_practice[lsoa.msoa_idx];
        let residents: u32 = lsoa.population.iter().flatten().sum();
        // Lists run a little above residents (list inflation), varying by practice.
        let inflation = 1.0 + 0.02 * rng.uniform();
        practices[lsoa.practice_idx].registered += (f64::from(residents) * inflation).round() as u64;
    }
    practices
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commissioner_has_the_expected_shape() {
        let commissioner = build(7);
        assert_eq!(commissioner.local_authorities.len(), 4);
        assert_eq!(commissioner.msoas.len(), 200);
        assert!((800..=1200).contains(&commissioner.lsoas.len()), "{}", commissioner.lsoas.len());
        assert_eq!(commissioner.practices.len(), 40);
        assert_eq!(commissioner.providers.len(), 8);
        assert!(commissioner.practices.iter().all(|p| p.registered > 0));
        let names: std::collections::BTreeSet<&str> = commissioner.practices.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names.len(), 40, "practice names are unique");
        let population: u64 =
            commissioner.lsoas.iter().map(|l| l.population.iter().flatten().map(|&p| u64::from(p)).sum::<u64>()).sum();
        assert!((1_200_000..=2_200_000).contains(&population), "{population}");
        // Every decile occurs, and Ashmere is more deprived than Coldharbour Vale.
        for decile in 1..=10 {
            assert!(commissioner.lsoas.iter().any(|l| l.imd_decile == decile), "decile {decile}");
        }
        let mean_decile = |la: usize| {
            let deciles: Vec<f64> =
                commissioner.lsoas.iter().filter(|l| l.la_idx == la).map(|l| f64::from(l.imd_decile)).collect();
            deciles.iter().sum::<f64>() / deciles.len() as f64
        };
        assert!(mean_decile(0) + 2.0 < mean_decile(2));
    }

    #[test]
    fn every_service_has_an_hrg() {
        let commissioner = build(1);
        for service in &commissioner.services {
            let coded = HRGS.iter().any(|h| h.pod == service.pod && (h.tfc == 0 || h.tfc == service.tfc));
            assert!(coded, "{:?} {}", service.pod, service.tfc);
        }
        // One price per HRG and point of delivery.
        for (idx, a) in HRGS.iter().enumerate() {
            for b in &HRGS[idx + 1..] {
                if a.hrg == b.hrg && a.pod == b.pod {
                    assert_eq!(a.unit_price_pence, b.unit_price_pence, "{}", a.hrg);
                }
            }
        }
    }
}
