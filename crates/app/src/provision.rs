//! Plan: review of current provision and the gap register. Reads the service catalogue
//! (provision per service, provider and area) and travel times, and sets them against the
//! needs assessment's unmet need by locality to find the gaps (`commissioning::plan::provision`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use commissioning::access::{Action, Stage};
use commissioning::area::{AreaCode, AreaKind};
use commissioning::money::Money;
use commissioning::plan::provision::{AccessRow, Gap, GapSettings, NeedRow, ProvisionRow, find_gaps};
use store::provision::AccessTime;

use crate::import::{CsvFile, ImportError, Seen};
use crate::needs::{NeedsLevel, NeedsQuery};
use crate::{Actor, App, Result, authorize};

fn number(text: &str, low: f64, high: f64) -> std::result::Result<f64, String> {
    match text.replace(',', "").parse::<f64>() {
        Ok(v) if v.is_finite() && (low..=high).contains(&v) => Ok(v),
        _ => Err(format!("'{text}' is not a number from {low} to {high}")),
    }
}

fn year(text: &str) -> std::result::Result<i32, String> {
    text.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(|| format!("'{text}' is not a year"))
}

/// Reads a provision file: one row per year, service, provider and area.
pub(crate) fn parse_provision(
    path: &Path,
) -> std::result::Result<(u64, BTreeMap<i32, Vec<ProvisionRow>>), ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(
        &[
            "year",
            "service_code",
            "service_name",
            "need",
            "provider_code",
            "provider_name",
            "area_code",
            "area_name",
            "activity",
            "spend",
        ],
        &["capacity", "waiting_weeks", "quality", "feedback", "qalys"],
    )?;
    let mut by_year: BTreeMap<i32, Vec<ProvisionRow>> = BTreeMap::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let year = row.parse("year", year)?;
        let service_code = row.required("service_code")?.to_owned();
        let provider_code = row.required("provider_code")?.to_owned();
        let area_code = row.parse("area_code", |t| AreaCode::parse(t).map(|a| a.to_string()))?;
        seen.check(row, "service_code", &format!("{year} {service_code} {provider_code} {area_code}"))?;
        let spend = row.parse("spend", Money::parse_pounds)?;
        if spend.pence() < 0 {
            return Err(row.error("spend", "must not be negative"));
        }
        by_year.entry(year).or_default().push(ProvisionRow {
            service_code,
            service_name: row.required("service_name")?.to_owned(),
            need: row.required("need")?.to_owned(),
            provider_code,
            provider_name: row.required("provider_name")?.to_owned(),
            area_code,
            area_name: row.required("area_name")?.to_owned(),
            capacity: row.parse_optional("capacity", |t| number(t, 0.0, 1e9))?,
            activity: row.parse("activity", |t| number(t, 0.0, 1e9))?,
            spend_pence: spend.pence(),
            waiting_weeks: row.parse_optional("waiting_weeks", |t| number(t, 0.0, 520.0))?,
            quality: row.parse_optional("quality", |t| number(t, 0.0, 100.0))?,
            feedback: row.parse_optional("feedback", |t| number(t, 0.0, 1.0))?,
            qalys: row.parse_optional("qalys", |t| number(t, 0.0, 1e7))?,
        });
        Ok(())
    })?;
    Ok((n_rows, by_year))
}

/// Reads a travel-time file: minutes from each LSOA to each service.
pub(crate) fn parse_access(path: &Path) -> std::result::Result<(u64, BTreeMap<i32, Vec<AccessTime>>), ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(&["year", "service_code", "lsoa_code", "minutes"], &[])?;
    let mut by_year: BTreeMap<i32, Vec<AccessTime>> = BTreeMap::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let year = row.parse("year", year)?;
        let service_code = row.required("service_code")?.to_owned();
        let lsoa = row.parse("lsoa_code", AreaCode::parse)?;
        if lsoa.kind() != AreaKind::Lsoa {
            return Err(row.error("lsoa_code", format!("{lsoa} is not an LSOA code")));
        }
        seen.check(row, "lsoa_code", &format!("{year} {service_code} {lsoa}"))?;
        by_year.entry(year).or_default().push(AccessTime {
            service_code,
            lsoa_code: lsoa.to_string(),
            minutes: row.parse("minutes", |t| number(t, 0.0, 1440.0))?,
        });
        Ok(())
    })?;
    Ok((n_rows, by_year))
}

/// The provision review and gap register of an area for a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapRegister {
    pub area_code: String,
    pub area_name: String,
    pub year: Option<i32>,
    pub settings: GapSettings,
    pub provision: Vec<ProvisionRow>,
    pub gaps: Vec<Gap>,
    pub notes: Vec<String>,
}

impl App {
    /// Gaps in the area: unmet need by locality from the needs assessment, provision against
    /// need, access, duplication and low value. People need the plan stage.
    pub async fn gap_register(&self, actor: &Actor, area: Option<AreaCode>, year: Option<i32>) -> Result<GapRegister> {
        if let Actor::User(principal) = actor {
            authorize(Some(principal), &Action::ViewStage(Stage::Plan))?;
        }
        let query = NeedsQuery { area, level: NeedsLevel::Locality, ..NeedsQuery::default() };
        let assessment = self.needs_assessment(actor, &query).await?;
        let mut notes = Vec::new();
        let years = self.store().provision_years().await?;
        let year = year.or_else(|| years.first().copied());
        let localities: HashMap<String, String> = self
            .store()
            .children(&assessment.area.code)
            .await?
            .into_iter()
            .filter(|a| a.kind() == AreaKind::LocalAuthority)
            .map(|a| (a.code.to_string(), a.name))
            .collect();
        let needs: Vec<NeedRow> = assessment
            .unmet_need_by_place
            .iter()
            .map(|row| NeedRow {
                need: row.indicator.to_string(),
                need_name: row.indicator_name.clone(),
                area_code: row.place.code.clone(),
                area_name: row.place.name.clone(),
                expected: row.need.expected,
                recorded: row.need.recorded,
                ratio: row.need.ratio,
                ratio_upper95: row.need.ratio_upper95,
                ratio_upper998: row.need.ratio_upper998,
            })
            .collect();
        let provision: Vec<ProvisionRow> = match year {
            Some(year) => self
                .store()
                .provision(year)
                .await?
                .into_iter()
                .filter(|p| localities.contains_key(&p.area_code) || p.area_code == assessment.area.code.to_string())
                .collect(),
            None => {
                notes.push(
                    "No provision has been imported: import a service catalogue to compare need with provision.".into(),
                );
                Vec::new()
            }
        };
        let settings = GapSettings::default();
        let access = match year {
            Some(year) => {
                self.access_by_locality(&assessment.area.code, year, &localities, settings.access_minutes).await?
            }
            None => Vec::new(),
        };
        let gaps = find_gaps(&needs, &provision, &access, &settings);
        Ok(GapRegister {
            area_code: assessment.area.code.to_string(),
            area_name: assessment.area.name.clone(),
            year,
            settings,
            provision,
            gaps,
            notes,
        })
    }

    /// Residents of each locality beyond the travel-time threshold of each service.
    async fn access_by_locality(
        &self,
        area: &AreaCode,
        year: i32,
        localities: &HashMap<String, String>,
        minutes: f64,
    ) -> Result<Vec<AccessRow>> {
        let times = self.store().access_times(year).await?;
        if times.is_empty() {
            return Ok(Vec::new());
        }
        let population_year = self.store().latest_population_year().await?.unwrap_or(year);
        let mut residents: HashMap<String, f64> = HashMap::new();
        for row in self.store().population_rows_within(area, population_year).await? {
            *residents.entry(row.area.to_string()).or_default() += row.persons as f64;
        }
        let tree = self.store().area_tree(area).await?;
        let parent: HashMap<String, String> = tree
            .iter()
            .filter_map(|t| t.area.parent.as_ref().map(|p| (t.area.code.to_string(), p.to_string())))
            .collect();
        let mut locality_of: HashMap<String, String> = HashMap::new();
        for t in tree.iter().filter(|t| t.area.kind() == AreaKind::Lsoa) {
            let mut code = t.area.code.to_string();
            while !localities.contains_key(&code) {
                match parent.get(&code) {
                    Some(up) => code = up.clone(),
                    None => break,
                }
            }
            if localities.contains_key(&code) {
                locality_of.insert(t.area.code.to_string(), code);
            }
        }
        let mut totals: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
        for time in &times {
            let Some(locality) = locality_of.get(&time.lsoa_code) else { continue };
            let people = residents.get(&time.lsoa_code).copied().unwrap_or(0.0);
            let entry = totals.entry((time.service_code.clone(), locality.clone())).or_default();
            entry.0 += people;
            if time.minutes > minutes {
                entry.1 += people;
            }
        }
        Ok(totals
            .into_iter()
            .map(|((service_code, area_code), (population, beyond))| AccessRow {
                area_name: localities.get(&area_code).cloned().unwrap_or_else(|| area_code.clone()),
                service_code,
                area_code,
                population,
                beyond_threshold: beyond,
            })
            .collect())
    }
}
