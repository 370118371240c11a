//! The synthetic commissioner's service catalogue: for each local authority, the services
//! meeting diabetes, COPD, heart failure and dementia need, with activity that follows the
//! population (one authority's pulmonary rehabilitation well short of it, one service
//! duplicated by two providers, one service of low value), and travel times from every LSOA
//! that are longer in the rural authority.

use std::io::Write;
use std::path::Path;

use crate::generate::create;
use crate::generate::geography::SyntheticCommissioner;
use crate::generate::rng::Rng;

/// The year the catalogue describes.
pub(crate) const PROVISION_YEAR: i32 = 2025;

struct Line {
    service: &'static str,
    name: &'static str,
    need: &'static str,
    provider: usize,
    /// Cases a year per resident.
    rate: f64,
    /// Pounds a case.
    price: f64,
    /// QALYs a case, where evaluated.
    qalys: Option<f64>,
}

const LINES: [Line; 6] = [
    Line {
        service: "DSN",
        name: "Diabetes specialist nursing",
        need: "QOF_DM",
        provider: 3,
        rate: 0.012,
        price: 180.0,
        qalys: Some(0.02),
    },
    Line {
        service: "PULREH",
        name: "Pulmonary rehabilitation",
        need: "QOF_COPD",
        provider: 3,
        rate: 0.004,
        price: 650.0,
        qalys: Some(0.05),
    },
    Line {
        service: "HFNURSE",
        name: "Heart failure nursing",
        need: "QOF_HF",
        provider: 0,
        rate: 0.0035,
        price: 420.0,
        qalys: None,
    },
    Line {
        service: "MEMORY",
        name: "Memory assessment",
        need: "QOF_DEM",
        provider: 4,
        rate: 0.002,
        price: 900.0,
        qalys: None,
    },
    Line {
        service: "DSNACUTE",
        name: "Hospital diabetes outreach",
        need: "QOF_DM",
        provider: 0,
        rate: 0.004,
        price: 260.0,
        qalys: None,
    },
    Line {
        service: "HOMEO",
        name: "Homeopathy clinic",
        need: "LOCAL_HOMEO",
        provider: 1,
        rate: 0.0008,
        price: 310.0,
        qalys: Some(0.002),
    },
];

pub(crate) fn write_provision(
    commissioner: &SyntheticCommissioner,
    seed: u64,
    provision: &Path,
    access: &Path,
) -> anyhow::Result<()> {
    let mut rng = Rng::new(seed, 91);
    let mut out = create(provision)?;
    writeln!(
        out,
        "year,service_code,service_name,need,provider_code,provider_name,area_code,area_name,capacity,activity,spend,waiting_weeks,quality,feedback,qalys"
    )?;
    for (la_idx, la) in commissioner.local_authorities.iter().enumerate() {
        let residents: f64 = commissioner
            .lsoas
            .iter()
            .filter(|l| l.la_idx == la_idx)
            .map(|l| l.population.iter().flatten().map(|&p| f64::from(p)).sum::<f64>())
            .sum();
        for line in &LINES {
            // The hospital outreach and the homeopathy clinic run in the first authority only.
            if matches!(line.service, "DSNACUTE" | "HOMEO") && la_idx != 0 {
                continue;
            }
            let short = if line.service == "PULREH" && la_idx == 2 { 0.45 } else { 1.0 };
            let activity = (residents * line.rate * short * (1.0 + 0.05 * rng.normal())).round().max(1.0);
            let spend = activity * line.price;
            let provider = &commissioner.providers[line.provider];
            writeln!(
                out,
                "{PROVISION_YEAR},{},{},{},{},\"{}\",{},{},{:.0},{activity:.0},{spend:.2},{:.1},{:.0},{:.2},{}",
                line.service,
                line.name,
                line.need,
                provider.code,
                provider.name,
                la.code,
                la.name,
                activity * 1.1,
                6.0 + 8.0 * rng.uniform(),
                70.0 + 25.0 * rng.uniform(),
                0.80 + 0.18 * rng.uniform(),
                line.qalys.map(|q| format!("{:.1}", q * activity)).unwrap_or_default(),
            )?;
        }
    }
    out.flush()?;
    let mut out = create(access)?;
    writeln!(out, "year,service_code,lsoa_code,minutes")?;
    let rural = commissioner.local_authorities.len() - 1;
    for lsoa in &commissioner.lsoas {
        for service in ["DSN", "PULREH", "MEMORY"] {
            let minutes = if lsoa.la_idx == rural { 12.0 + 35.0 * rng.uniform() } else { 4.0 + 20.0 * rng.uniform() };
            writeln!(out, "{PROVISION_YEAR},{service},{},{minutes:.1}", lsoa.code)?;
        }
    }
    out.flush()?;
    Ok(())
}
