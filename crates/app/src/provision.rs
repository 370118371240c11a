//! Plan: review of current provision and the gap register. Reads the service catalogue
//! (provision per service, provider and area) and travel times, and sets them against the
//! needs assessment's unmet need by locality to find the gaps (`commissioning::plan::provision`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use commissioning::access::{Action, Stage};
use commissioning::area::{AreaCode, AreaKind};
use commissioning::money::Money;
use commissioning::plan::indicators::Polarity;
use commissioning::plan::provision::{
    AccessRow, Gap, GapSettings, NeedFunnel, NeedRow, Opportunity, PlaceFeatures, ProvisionRow, find_gaps,
    nearest_peers, opportunity, provision_funnels,
};
use store::provision::AccessTime;

use crate::import::{CsvFile, ImportError, Seen};
use crate::needs::{NeedsLevel, NeedsQuery};
use crate::{Actor, App, AppError, Result, authorize};

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
    /// Activity against need across the localities, per need, with overdispersed limits.
    pub funnels: Vec<NeedFunnel>,
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
        let funnels = provision_funnels(&needs, &provision);
        Ok(GapRegister {
            area_code: assessment.area.code.to_string(),
            area_name: assessment.area.name.clone(),
            year,
            settings,
            provision,
            gaps,
            funnels,
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
        let mut locality_of = lsoa_places(&tree, AreaKind::LocalAuthority);
        locality_of.retain(|_, la| localities.contains_key(la));
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

/// Each LSOA of an area tree with the area of `kind` it lies in (itself for LSOAs).
fn lsoa_places(tree: &[store::needs::TreeArea], kind: AreaKind) -> HashMap<String, String> {
    let parent: HashMap<String, String> =
        tree.iter().filter_map(|t| t.area.parent.as_ref().map(|p| (t.area.code.to_string(), p.to_string()))).collect();
    let kinds: HashMap<String, AreaKind> = tree.iter().map(|t| (t.area.code.to_string(), t.area.kind())).collect();
    tree.iter()
        .filter(|t| t.area.kind() == AreaKind::Lsoa)
        .filter_map(|t| {
            let mut code = t.area.code.to_string();
            while kinds.get(&code) != Some(&kind) {
                code = parent.get(&code)?.clone();
            }
            Some((t.area.code.to_string(), code))
        })
        .collect()
}

/// The gap register as a table (the CSV and the workbook's first sheet).
pub fn gap_table(register: &GapRegister) -> crate::export::DataTable {
    use crate::export::{DataTable, Datum};
    DataTable {
        name: "Gaps",
        headers: vec![
            "kind",
            "need",
            "area_code",
            "area_name",
            "service_code",
            "gap",
            "evidence",
            "confidence",
            "size",
        ],
        rows: register
            .gaps
            .iter()
            .map(|g| {
                vec![
                    Datum::text(g.kind.code()),
                    Datum::text(g.need.clone()),
                    Datum::text(g.area_code.clone()),
                    Datum::text(g.area_name.clone()),
                    Datum::text(g.service_code.clone()),
                    Datum::text(g.title.clone()),
                    Datum::text(g.evidence.clone()),
                    Datum::text(g.confidence.code()),
                    Datum::Number(Some(g.size)),
                ]
            })
            .collect(),
    }
}

/// Current provision as a table, with cost per case.
pub fn provision_table(register: &GapRegister) -> crate::export::DataTable {
    use crate::export::{DataTable, Datum};
    let money = |pence: i64| Datum::text(Money::from_pence(pence).to_pounds_string());
    DataTable {
        name: "Provision",
        headers: vec![
            "service_code",
            "service_name",
            "need",
            "provider_code",
            "provider_name",
            "area_code",
            "area_name",
            "capacity",
            "activity",
            "spend",
            "cost_per_case",
            "waiting_weeks",
            "quality",
            "feedback",
            "qalys",
        ],
        rows: register
            .provision
            .iter()
            .map(|p| {
                vec![
                    Datum::text(p.service_code.clone()),
                    Datum::text(p.service_name.clone()),
                    Datum::text(p.need.clone()),
                    Datum::text(p.provider_code.clone()),
                    Datum::text(p.provider_name.clone()),
                    Datum::text(p.area_code.clone()),
                    Datum::text(p.area_name.clone()),
                    Datum::Number(p.capacity),
                    Datum::Number(Some(p.activity)),
                    money(p.spend_pence),
                    p.cost_per_case_pence().map(money).unwrap_or(Datum::Number(None)),
                    Datum::Number(p.waiting_weeks),
                    Datum::Number(p.quality),
                    Datum::Number(p.feedback),
                    Datum::Number(p.qalys),
                ]
            })
            .collect(),
    }
}

/// One place compared with the target on the peers page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerRow {
    pub code: String,
    pub name: String,
    pub distance: f64,
    pub value: Option<f64>,
    pub features: Vec<Option<f64>>,
}

/// A place against its nearest neighbours on one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerComparison {
    pub level: NeedsLevel,
    pub place_code: String,
    pub place_name: String,
    pub indicator: String,
    pub indicator_name: String,
    pub unit: String,
    pub value: Option<f64>,
    pub features: Vec<Option<f64>>,
    pub k: usize,
    pub peers: Vec<PeerRow>,
    /// Events a year the place would gain if it matched its peers (none for an indicator
    /// with no better direction).
    pub opportunity: Option<Opportunity>,
    /// The places that can be chosen, by name.
    pub places: Vec<(String, String)>,
    pub indicators: Vec<(String, String)>,
}

impl App {
    /// A place's nearest neighbours (on age structure, deprivation and rurality where
    /// known) and what it would gain on an indicator if it matched their median or best
    /// quartile. Areas only: LSOAs, MSOAs or localities.
    pub async fn peer_comparison(
        &self,
        actor: &Actor,
        level: NeedsLevel,
        place: Option<&str>,
        indicator: Option<&str>,
        k: usize,
    ) -> Result<PeerComparison> {
        if level == NeedsLevel::Practice {
            return Err(AppError::Invalid("level: Peers compare areas: choose LSOA, MSOA or locality".into()));
        }
        let assessment = self.needs_assessment(actor, &NeedsQuery { level, ..NeedsQuery::default() }).await?;
        let indicators: Vec<(String, String)> = assessment
            .indicators
            .iter()
            .filter(|i| i.places.len() > 1)
            .map(|i| (i.definition.id.to_string(), i.definition.name.clone()))
            .collect();
        let chosen = match indicator {
            Some(id) => assessment
                .indicator(id)
                .ok_or_else(|| AppError::Invalid(format!("indicator: {id} is not assessed at this level")))?,
            None => assessment
                .indicators
                .iter()
                .find(|i| i.places.len() > 1)
                .ok_or_else(|| AppError::Invalid("indicator: No indicator has places at this level".into()))?,
        };
        let mut places: Vec<(String, String)> =
            chosen.places.iter().map(|p| (p.code.clone(), p.name.clone())).collect();
        places.sort_by(|a, b| a.1.cmp(&b.1));
        let target = match place {
            Some(code) => chosen
                .places
                .iter()
                .find(|p| p.code == code)
                .ok_or_else(|| AppError::Invalid(format!("place: {code} is not a place at this level")))?,
            None => chosen
                .places
                .iter()
                .find(|p| p.value.value.is_some())
                .or(chosen.places.first())
                .ok_or(AppError::NotFound)?,
        };
        let features = self.place_features(&assessment.area.code, level).await?;
        let known: Vec<PlaceFeatures> = chosen
            .places
            .iter()
            .filter_map(|p| {
                features.get(&p.code).map(|f| PlaceFeatures {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    features: f.clone(),
                })
            })
            .collect();
        let k = k.clamp(1, 50);
        let nearest = nearest_peers(&target.code, &known, k).unwrap_or_default();
        let value_of = |code: &str| chosen.places.iter().find(|p| p.code == code).and_then(|p| p.value.value);
        let peers: Vec<PeerRow> = nearest
            .iter()
            .map(|p| PeerRow {
                code: p.code.clone(),
                name: p.name.clone(),
                distance: p.distance,
                value: value_of(&p.code),
                features: features.get(&p.code).cloned().unwrap_or_default(),
            })
            .collect();
        let lower_is_better = match chosen.definition.polarity {
            Polarity::LowerIsBetter => Some(true),
            Polarity::HigherIsBetter => Some(false),
            Polarity::NoJudgement => None,
        };
        let peer_values: Vec<f64> = peers.iter().filter_map(|p| p.value).collect();
        let opportunity = match (target.value.value, lower_is_better) {
            (Some(value), Some(lower)) => {
                opportunity(value, target.value.denominator / chosen.definition.multiplier, &peer_values, lower)
            }
            _ => None,
        };
        Ok(PeerComparison {
            level,
            place_code: target.code.clone(),
            place_name: target.name.clone(),
            indicator: chosen.definition.id.to_string(),
            indicator_name: chosen.definition.name.clone(),
            unit: chosen.unit.clone(),
            value: target.value.value,
            features: features.get(&target.code).cloned().unwrap_or_default(),
            k,
            peers,
            opportunity,
            places,
            indicators,
        })
    }

    /// Each place's features at a level: share aged 65 and over, share under 15, the
    /// population-weighted mean IMD decile of its LSOAs, and rurality (unknown: no rural
    /// classification is held, so it drops out of every distance).
    async fn place_features(&self, area: &AreaCode, level: NeedsLevel) -> Result<HashMap<String, Vec<Option<f64>>>> {
        let wanted = match level {
            NeedsLevel::Lsoa => AreaKind::Lsoa,
            NeedsLevel::Msoa => AreaKind::Msoa,
            NeedsLevel::Locality | NeedsLevel::Practice => AreaKind::LocalAuthority,
        };
        let tree = self.store().area_tree(area).await?;
        let place_of = lsoa_places(&tree, wanted);
        let decile: HashMap<String, f64> =
            tree.iter().filter_map(|t| t.imd_decile.map(|d| (t.area.code.to_string(), f64::from(d.value())))).collect();
        let Some(year) = self.store().latest_population_year().await? else { return Ok(HashMap::new()) };
        // [persons, 65+, under 15, decile × persons, persons with a decile]
        let mut sums: HashMap<String, [f64; 5]> = HashMap::new();
        for row in self.store().population_rows_within(area, year).await? {
            let lsoa = row.area.to_string();
            let Some(place) = place_of.get(&lsoa).cloned() else { continue };
            let persons = row.persons as f64;
            let entry = sums.entry(place).or_default();
            entry[0] += persons;
            if row.age_band.lower_age() >= 65 {
                entry[1] += persons;
            }
            if row.age_band.lower_age() < 15 {
                entry[2] += persons;
            }
            if let Some(d) = decile.get(&lsoa) {
                entry[3] += d * persons;
                entry[4] += persons;
            }
        }
        Ok(sums
            .into_iter()
            .filter(|(_, s)| s[0] > 0.0)
            .map(|(code, s)| {
                let mean_decile = (s[4] > 0.0).then(|| s[3] / s[4]);
                (code, vec![Some(s[1] / s[0]), Some(s[2] / s[0]), mean_decile, None])
            })
            .collect())
    }
}
