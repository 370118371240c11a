//! Plan: the health needs assessment of an area.
//!
//! For every indicator with counts in the area, computes the value with 95% and 99.8% limits
//! for the whole area and for each place at the chosen level (LSOA, MSOA, locality or GP
//! practice), compares each with the benchmark (England unless another area is chosen),
//! builds the deprivation gradient with the SII and RII, and ranks estimated unmet need
//! (expected against recorded prevalence). The arithmetic is `commissioning::plan::needs`;
//! this module gathers the counts: a place's own counts where it has them, otherwise the
//! sum of the places below it, with denominators from the population table where a count
//! came without one.

pub mod export;
pub(crate) mod parse;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use commissioning::access::{Action, Stage};
use commissioning::area::{Area, AreaCode, AreaKind};
use commissioning::org::OrgKind;
use commissioning::plan::indicators::{IndicatorDefinition, IndicatorId, IndicatorMethod, SEED_CATALOGUE_CSV};
use commissioning::plan::needs::{
    Counts, DecileStandard, Gradient, GroupCounts, IndicatorValue, Significance, UnmetNeed, compare, evaluate,
    gradient, unmet_need,
};
use store::needs::{MeasureRow, Place, TreeArea};
use store::org::OrgFilter;

use crate::{Actor, App, AppError, Result, authorize};

/// The level at which an area's places are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedsLevel {
    Lsoa,
    Msoa,
    /// Local authorities within the area: the usual localities of an ICB.
    Locality,
    Practice,
}

impl NeedsLevel {
    pub const ALL: [NeedsLevel; 4] = [NeedsLevel::Locality, NeedsLevel::Msoa, NeedsLevel::Lsoa, NeedsLevel::Practice];

    pub fn code(self) -> &'static str {
        match self {
            NeedsLevel::Lsoa => "lsoa",
            NeedsLevel::Msoa => "msoa",
            NeedsLevel::Locality => "locality",
            NeedsLevel::Practice => "practice",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NeedsLevel::Lsoa => "LSOA",
            NeedsLevel::Msoa => "MSOA",
            NeedsLevel::Locality => "Locality (local authority)",
            NeedsLevel::Practice => "GP practice",
        }
    }

    pub fn parse(text: &str) -> Option<NeedsLevel> {
        NeedsLevel::ALL.into_iter().find(|level| level.code() == text.trim())
    }

    fn area_kind(self) -> Option<AreaKind> {
        match self {
            NeedsLevel::Lsoa => Some(AreaKind::Lsoa),
            NeedsLevel::Msoa => Some(AreaKind::Msoa),
            NeedsLevel::Locality => Some(AreaKind::LocalAuthority),
            NeedsLevel::Practice => None,
        }
    }
}

/// What to assess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsQuery {
    /// The area assessed; a signed-in person's default is their commissioner's footprint.
    pub area: Option<AreaCode>,
    pub level: NeedsLevel,
    /// Compare with this area instead of each indicator's own benchmark (England).
    pub benchmark: Option<AreaCode>,
    /// The year of the counts; each indicator's latest year when not given.
    pub year: Option<i32>,
}

impl Default for NeedsQuery {
    fn default() -> Self {
        NeedsQuery { area: None, level: NeedsLevel::Locality, benchmark: None, year: None }
    }
}

/// A place's code and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceName {
    pub code: String,
    pub name: String,
}

/// One place's value for an indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceValue {
    pub code: String,
    pub name: String,
    /// The LSOA's IMD 2019 decile, at LSOA level.
    pub imd_decile: Option<u8>,
    pub value: IndicatorValue,
    pub significance95: Significance,
    pub significance998: Significance,
    pub unmet_need: Option<UnmetNeed>,
}

/// One indicator across the area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorAssessment {
    pub definition: IndicatorDefinition,
    pub year: i32,
    pub unit: String,
    pub benchmark: PlaceName,
    pub benchmark_year: i32,
    pub benchmark_value: Option<IndicatorValue>,
    /// The whole area.
    pub overall: IndicatorValue,
    pub significance95: Significance,
    pub significance998: Significance,
    pub places: Vec<PlaceValue>,
    /// By IMD decile, with the SII and RII; absent for standardised rates.
    pub gradient: Option<Gradient>,
    /// The same by IMD quintile (deciles 1–2, 3–4, …).
    pub gradient_quintiles: Option<Gradient>,
    /// Whose deciles the gradient shows: the area's own, or the benchmark's when the area's
    /// counts are not broken down by decile.
    pub gradient_of: Option<PlaceName>,
    pub unmet_need: Option<UnmetNeed>,
}

/// One line of the unmet-need ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnmetNeedRow {
    pub indicator: IndicatorId,
    pub indicator_name: String,
    pub place: PlaceName,
    pub need: UnmetNeed,
}

/// The whole assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedsAssessment {
    pub area: Area,
    pub level: NeedsLevel,
    pub indicators: Vec<IndicatorAssessment>,
    /// The whole area's unmet need by condition, largest first.
    pub unmet_need: Vec<UnmetNeedRow>,
    /// Unmet need in each place at the level, largest first.
    pub unmet_need_by_place: Vec<UnmetNeedRow>,
    /// Things a reader should know: fallbacks taken, data left out.
    pub notes: Vec<String>,
}

impl NeedsAssessment {
    pub fn indicator(&self, id: &str) -> Option<&IndicatorAssessment> {
        self.indicators.iter().find(|indicator| indicator.definition.id.as_str() == id)
    }
}

impl App {
    /// The indicator catalogue: the seed and the local definitions (a local definition with
    /// a seed id replaces it), in seed order then local order.
    pub async fn indicator_catalogue(&self, actor: &Actor) -> Result<Vec<IndicatorDefinition>> {
        if let Actor::User(principal) = actor {
            authorize(Some(principal), &Action::ViewReferenceData)?;
        }
        let mut merged: Vec<IndicatorDefinition> = seed_catalogue();
        for local in self.store().indicator_definitions().await? {
            match merged.iter_mut().find(|seed| seed.id == local.id) {
                Some(seed) => *seed = local,
                None => merged.push(local),
            }
        }
        Ok(merged)
    }

    pub(crate) async fn indicator_catalogue_unchecked(&self) -> Result<BTreeMap<IndicatorId, IndicatorDefinition>> {
        let catalogue = self.indicator_catalogue(&Actor::System("catalogue".into())).await?;
        Ok(catalogue.into_iter().map(|definition| (definition.id.clone(), definition)).collect())
    }

    /// Assesses the needs of an area. People need the plan stage; the command line (a
    /// system actor) must name the area. Results are kept until the next import changes the
    /// data (the simulated inequality limits make an assessment worth keeping).
    pub async fn needs_assessment(&self, actor: &Actor, query: &NeedsQuery) -> Result<Arc<NeedsAssessment>> {
        let area_code = match (actor, &query.area) {
            (Actor::User(principal), area) => {
                authorize(Some(principal), &Action::ViewStage(Stage::Plan))?;
                match area {
                    Some(area) => area.clone(),
                    None => self.footprint_of(principal).await?.ok_or_else(|| {
                        AppError::Invalid("no area is recorded for your commissioner; choose an area".into())
                    })?,
                }
            }
            (Actor::System(_), Some(area)) => area.clone(),
            (Actor::System(_), None) => return Err(AppError::Invalid("name the area to assess".into())),
        };
        let generation = self.store().latest_import_id().await?;
        let key = CacheKey { area: area_code.clone(), query: query.clone(), generation };
        if let Some(hit) = self.needs_cache.get(&key) {
            return Ok(hit);
        }
        let assessment = Arc::new(self.assess(&area_code, query).await?);
        self.needs_cache.put(key, assessment.clone());
        Ok(assessment)
    }

    async fn assess(&self, area_code: &AreaCode, query: &NeedsQuery) -> Result<NeedsAssessment> {
        let area_code = area_code.clone();
        let tree = self.store().area_tree(&area_code).await?;
        let Some(root) = tree.first() else {
            return Err(AppError::NotFound);
        };
        let area = root.area.clone();
        let catalogue = self.indicator_catalogue(&Actor::System("needs".into())).await?;
        let measures = self.store().measures_within(&area_code).await?;
        let mut notes = Notes::new();
        let geography = Geography::new(&tree);
        let mut populations: HashMap<i32, Populations> = HashMap::new();
        let practices = self.practices_of(&area_code, query.level).await?;
        let mut benchmarks: HashMap<(AreaCode, i32), BenchmarkData> = HashMap::new();
        let mut indicators = Vec::new();
        let by_indicator = group_by_indicator(measures);
        for definition in catalogue.iter().filter(|d| d.method.from_counts()) {
            let area_rows = by_indicator.get(&definition.id);
            let practice_rows = practices.rows.get(&definition.id);
            let Some(latest) = latest_year(area_rows).or_else(|| latest_year(practice_rows)) else {
                continue;
            };
            let year = query.year.unwrap_or(latest);
            if let std::collections::hash_map::Entry::Vacant(entry) = populations.entry(year) {
                let rows = self.store().population_rows_within(&area_code, year).await?;
                entry.insert(Populations::new(&rows, &geography));
            }
            let population = &populations[&year];
            let aggregates =
                geography.aggregate(area_rows.map(|rows| rows.as_slice()).unwrap_or(&[]), year, population);
            let benchmark_code = query.benchmark.clone().unwrap_or_else(|| definition.benchmark.clone());
            let key = (benchmark_code.clone(), year);
            if !benchmarks.contains_key(&key) {
                let data = self.benchmark_data(&benchmark_code, year).await?;
                benchmarks.insert(key.clone(), data);
            }
            let benchmark = &benchmarks[&key];
            let assessment = assess_indicator(
                definition,
                year,
                &area,
                query.level,
                &geography,
                &aggregates,
                &practices,
                benchmark,
                &mut notes,
            )?;
            if let Some(assessment) = assessment {
                indicators.push(assessment);
            }
        }
        let mut unmet_need: Vec<UnmetNeedRow> = indicators
            .iter()
            .filter_map(|indicator| {
                indicator.unmet_need.map(|need| UnmetNeedRow {
                    indicator: indicator.definition.id.clone(),
                    indicator_name: indicator.definition.name.clone(),
                    place: PlaceName { code: area.code.to_string(), name: area.name.clone() },
                    need,
                })
            })
            .collect();
        let mut unmet_need_by_place: Vec<UnmetNeedRow> = indicators
            .iter()
            .flat_map(|indicator| {
                indicator.places.iter().filter_map(|place| {
                    place.unmet_need.map(|need| UnmetNeedRow {
                        indicator: indicator.definition.id.clone(),
                        indicator_name: indicator.definition.name.clone(),
                        place: PlaceName { code: place.code.clone(), name: place.name.clone() },
                        need,
                    })
                })
            })
            .collect();
        let by_unmet = |a: &UnmetNeedRow, b: &UnmetNeedRow| {
            b.need.unmet.total_cmp(&a.need.unmet).then_with(|| a.indicator.cmp(&b.indicator))
        };
        unmet_need.sort_by(by_unmet);
        unmet_need_by_place.sort_by(by_unmet);
        let notes = notes
            .into_iter()
            .map(|(message, names)| format!("{message}: {}.", names.into_iter().collect::<Vec<_>>().join("; ")))
            .collect();
        Ok(NeedsAssessment { area, level: query.level, indicators, unmet_need, unmet_need_by_place, notes })
    }

    /// The GP practices of the commissioner(s) whose footprint is the area, with their counts.
    async fn practices_of(&self, area: &AreaCode, level: NeedsLevel) -> Result<PracticeData> {
        let mut data = PracticeData::default();
        if level != NeedsLevel::Practice {
            return Ok(data);
        }
        for owner in self.store().footprint_owners(area).await? {
            let filter = OrgFilter { kind: Some(OrgKind::GpPractice), parent: Some(owner.clone()), search: None };
            for practice in self.store().organisations(&filter).await? {
                data.names.insert(practice.code.to_string(), practice.name);
            }
            for row in self.store().practice_measures_of(&owner).await? {
                data.rows.entry(row.indicator.clone()).or_default().push(row);
            }
        }
        Ok(data)
    }

    /// The benchmark's counts: its own, or else the sum of its children's (England from its
    /// regions, say), for each indicator in the year asked for or, failing that, the nearest
    /// year it has (the latest before, else the earliest after).
    async fn benchmark_data(&self, code: &AreaCode, year: i32) -> Result<BenchmarkData> {
        let area = match self.store().area(code).await {
            Ok(area) => area,
            Err(store::StoreError::NotFound) => {
                return Err(AppError::Invalid(format!("the benchmark {code} is not a known area")));
            }
            Err(error) => return Err(error.into()),
        };
        let mut by_indicator = group_by_indicator(self.store().measures_at(&Place::Area(code.clone())).await?);
        if by_indicator.is_empty() {
            for child in self.store().children(code).await? {
                let child_rows = self.store().measures_at(&Place::Area(child.code.clone())).await?;
                for (indicator, rows) in group_by_indicator(child_rows) {
                    by_indicator.entry(indicator).or_default().extend(rows.into_iter().map(|mut row| {
                        row.place = Place::Area(code.clone());
                        row
                    }));
                }
            }
        }
        let mut populations: HashMap<i32, BTreeMap<(u8, i8), f64>> = HashMap::new();
        let mut aggregates = HashMap::new();
        for (indicator, rows) in by_indicator {
            let years: BTreeSet<i32> = rows.iter().map(|row| row.year).collect();
            let chosen = if years.contains(&year) {
                year
            } else {
                match years.range(..year).next_back() {
                    Some(before) => *before,
                    None => *years.iter().next().expect("rows are not empty"),
                }
            };
            if let std::collections::hash_map::Entry::Vacant(entry) = populations.entry(chosen) {
                let mut cells = BTreeMap::new();
                let mut population = self.store().population_at(code, chosen).await?;
                if population.is_empty() {
                    population = self.store().population_within(code, chosen).await?;
                }
                for row in population {
                    *cells.entry((row.sex.code(), row.age_band.index() as i8)).or_default() += row.persons as f64;
                }
                entry.insert(cells);
            }
            let cells = &populations[&chosen];
            let rows: Vec<MeasureRow> = rows.into_iter().filter(|row| row.year == chosen).collect();
            aggregates.insert(indicator, (chosen, direct(&rows, |sex, band| population_cell(cells, sex, band), None)));
        }
        Ok(BenchmarkData { place: PlaceName { code: area.code.to_string(), name: area.name }, aggregates })
    }
}

/// Recent assessments, keyed by what was asked and the data generation (the latest import).
#[derive(Debug, Clone, Default)]
pub(crate) struct NeedsCache(Arc<Mutex<Vec<CacheEntry>>>);

type CacheEntry = (CacheKey, Arc<NeedsAssessment>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct CacheKey {
    area: AreaCode,
    query: NeedsQuery,
    generation: i64,
}

impl NeedsCache {
    const CAPACITY: usize = 16;

    fn get(&self, key: &CacheKey) -> Option<Arc<NeedsAssessment>> {
        let entries = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    fn put(&self, key: CacheKey, value: Arc<NeedsAssessment>) {
        let mut entries = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.retain(|(k, _)| k.generation == key.generation && *k != key);
        if entries.len() >= Self::CAPACITY {
            entries.remove(0);
        }
        entries.push((key, value));
    }
}

/// The seed catalogue, parsed once per call (it is small).
pub fn seed_catalogue() -> Vec<IndicatorDefinition> {
    let mut reader = csv::Reader::from_reader(SEED_CATALOGUE_CSV.as_bytes());
    reader
        .records()
        .map(|record| {
            let record = record.expect("the seed catalogue is valid CSV");
            let fields: [&str; 13] = std::array::from_fn(|idx| record.get(idx).unwrap_or(""));
            IndicatorDefinition::from_fields(&fields).expect("the seed catalogue is valid")
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Gathering counts.

#[derive(Debug, Default)]
struct PracticeData {
    names: BTreeMap<String, String>,
    rows: HashMap<IndicatorId, Vec<MeasureRow>>,
}

#[derive(Debug)]
struct BenchmarkData {
    place: PlaceName,
    /// Per indicator, the year used and the counts.
    aggregates: HashMap<IndicatorId, (i32, Aggregate)>,
}

/// A numerator and denominator.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Cell {
    count: f64,
    denominator: f64,
}

impl std::ops::AddAssign for Cell {
    fn add_assign(&mut self, other: Cell) {
        self.count += other.count;
        self.denominator += other.denominator;
    }
}

/// The counts of one indicator for one place: by (sex, age band) where 0 is persons and -1
/// all ages, and totals by IMD decile.
#[derive(Debug, Clone, Default, PartialEq)]
struct Aggregate {
    cells: BTreeMap<(u8, i8), Cell>,
    deciles: BTreeMap<u8, Cell>,
}

impl Aggregate {
    fn is_empty(&self) -> bool {
        self.cells.is_empty() && self.deciles.is_empty()
    }

    fn merge(&mut self, other: &Aggregate) {
        for (key, cell) in &other.cells {
            *self.cells.entry(*key).or_default() += *cell;
        }
        for (key, cell) in &other.deciles {
            *self.deciles.entry(*key).or_default() += *cell;
        }
    }

    /// The all-ages, both-sexes total at the finest grain present.
    fn total(&self) -> Cell {
        if let Some(cell) = self.cells.get(&(0, -1)) {
            return *cell;
        }
        let sum = |filter: &dyn Fn(&(u8, i8)) -> bool| {
            let mut total = Cell::default();
            for (_, cell) in self.cells.iter().filter(|(key, _)| filter(key)) {
                total += *cell;
            }
            total
        };
        if self.cells.keys().any(|(sex, band)| *sex > 0 && *band < 0) {
            sum(&|(sex, band)| *sex > 0 && *band < 0)
        } else if self.cells.keys().any(|(sex, band)| *sex == 0 && *band >= 0) {
            sum(&|(sex, band)| *sex == 0 && *band >= 0)
        } else {
            sum(&|(sex, band)| *sex > 0 && *band >= 0)
        }
    }

    /// Counts by ESP 2013 band for males and females (or persons), the bands present only.
    fn banded(&self) -> Option<Counts> {
        let by_sex = self.cells.keys().any(|(sex, band)| *sex > 0 && *band >= 0);
        let wanted = |sex: u8, band: i8| band >= 0 && if by_sex { sex > 0 } else { sex == 0 };
        let (mut x, mut n, mut bands) = (Vec::new(), Vec::new(), Vec::new());
        for ((sex, band), cell) in &self.cells {
            if wanted(*sex, *band) {
                x.push(cell.count);
                n.push(cell.denominator);
                bands.push(*band as usize);
            }
        }
        (!x.is_empty()).then_some(Counts::Banded { x, n, band: bands })
    }

    fn counts(&self, method: IndicatorMethod) -> Option<Counts> {
        if method == IndicatorMethod::Dsr {
            return self.banded();
        }
        let total = self.total();
        Some(Counts::Total { count: total.count, denominator: total.denominator })
    }
}

/// Builds a place's aggregate from its own rows; a missing denominator is the population.
fn direct(rows: &[MeasureRow], population: impl Fn(u8, i8) -> Option<f64>, lsoa_decile: Option<u8>) -> Aggregate {
    let mut aggregate = Aggregate::default();
    for row in rows {
        let sex = row.sex.map_or(0, |sex| sex.code());
        let band = row.age_band.map_or(-1, |band| band.index() as i8);
        let denominator = row.denominator.or_else(|| population(sex, band)).unwrap_or(0.0);
        let cell = Cell { count: row.count, denominator };
        match row.imd_decile {
            Some(decile) => *aggregate.deciles.entry(decile.value()).or_default() += cell,
            None => *aggregate.cells.entry((sex, band)).or_default() += cell,
        }
    }
    if aggregate.cells.is_empty() && !aggregate.deciles.is_empty() {
        let mut total = Cell::default();
        for cell in aggregate.deciles.values() {
            total += *cell;
        }
        aggregate.cells.insert((0, -1), total);
    }
    if aggregate.deciles.is_empty()
        && let Some(decile) = lsoa_decile
    {
        aggregate.deciles.insert(decile, aggregate.total());
    }
    aggregate
}

fn population_cell(cells: &BTreeMap<(u8, i8), f64>, sex: u8, band: i8) -> Option<f64> {
    let total: f64 = cells
        .iter()
        .filter(|((s, b), _)| (sex == 0 || *s == sex) && (band < 0 || *b == band))
        .map(|(_, persons)| persons)
        .sum();
    (total > 0.0).then_some(total)
}

/// Persons by (sex, band) for every area in the tree, summed up from the areas that hold them.
struct Populations {
    by_area: HashMap<String, BTreeMap<(u8, i8), f64>>,
}

impl Populations {
    fn new(rows: &[store::area::PopulationRow], geography: &Geography) -> Populations {
        let mut by_area: HashMap<String, BTreeMap<(u8, i8), f64>> = HashMap::new();
        for row in rows {
            *by_area
                .entry(row.area.to_string())
                .or_default()
                .entry((row.sex.code(), row.age_band.index() as i8))
                .or_default() += row.persons as f64;
        }
        // Children before parents: add each area's persons into its parent, unless the parent
        // holds its own figures.
        let own: BTreeSet<String> = by_area.keys().cloned().collect();
        for node in geography.nodes.iter().rev() {
            let Some(parent) = &node.area.parent else { continue };
            if own.contains(parent.as_str()) || !geography.index.contains_key(parent.as_str()) {
                continue;
            }
            if let Some(cells) = by_area.get(node.area.code.as_str()).cloned() {
                let target = by_area.entry(parent.to_string()).or_default();
                for (key, persons) in cells {
                    *target.entry(key).or_default() += persons;
                }
            }
        }
        Populations { by_area }
    }

    fn get(&self, area: &str, sex: u8, band: i8) -> Option<f64> {
        self.by_area.get(area).and_then(|cells| population_cell(cells, sex, band))
    }
}

/// The area tree: parents, children and each area's LSOAs by decile.
struct Geography {
    nodes: Vec<TreeArea>,
    index: HashMap<String, usize>,
    children: Vec<Vec<usize>>,
    /// Number of LSOAs in each decile within each area.
    lsoa_deciles: Vec<BTreeMap<u8, f64>>,
}

impl Geography {
    fn new(tree: &[TreeArea]) -> Geography {
        let nodes = tree.to_vec();
        let index: HashMap<String, usize> =
            nodes.iter().enumerate().map(|(idx, node)| (node.area.code.to_string(), idx)).collect();
        let mut children = vec![Vec::new(); nodes.len()];
        for (idx, node) in nodes.iter().enumerate().skip(1) {
            if let Some(parent) = node.area.parent.as_ref().and_then(|p| index.get(p.as_str())) {
                children[*parent].push(idx);
            }
        }
        let mut lsoa_deciles = vec![BTreeMap::new(); nodes.len()];
        for idx in (0..nodes.len()).rev() {
            if let Some(decile) = nodes[idx].imd_decile {
                *lsoa_deciles[idx].entry(decile.value()).or_insert(0.0) += 1.0;
            }
            let own = lsoa_deciles[idx].clone();
            if let Some(parent) = nodes[idx].area.parent.as_ref().and_then(|p| index.get(p.as_str())) {
                for (decile, n) in own {
                    *lsoa_deciles[*parent].entry(decile).or_insert(0.0) += n;
                }
            }
        }
        Geography { nodes, index, children, lsoa_deciles }
    }

    /// Aggregates of one indicator-year for every area that has counts, its own or below it.
    fn aggregate(&self, rows: &[MeasureRow], year: i32, population: &Populations) -> Vec<Option<Aggregate>> {
        // Each place's own counts of the year.
        let mut own: HashMap<&str, Vec<MeasureRow>> = HashMap::new();
        for row in rows.iter().filter(|row| row.year == year) {
            own.entry(row.place.code()).or_default().push(row.clone());
        }
        let mut aggregates: Vec<Option<Aggregate>> = vec![None; self.nodes.len()];
        for idx in (0..self.nodes.len()).rev() {
            let node = &self.nodes[idx];
            let code = node.area.code.as_str();
            aggregates[idx] = if let Some(rows) = own.get(code) {
                let decile = node.imd_decile.map(|d| d.value());
                Some(direct(rows, |sex, band| population.get(code, sex, band), decile))
            } else {
                let mut merged = Aggregate::default();
                for child in &self.children[idx] {
                    if let Some(aggregate) = &aggregates[*child] {
                        merged.merge(aggregate);
                    }
                }
                (!merged.is_empty()).then_some(merged)
            };
        }
        aggregates
    }

    /// An area's denominator split by decile: its own decile breakdown, or else its total in
    /// proportion to its LSOAs in each decile (LSOAs have similar populations by design).
    fn list_by_decile(&self, idx: usize, aggregate: &Aggregate) -> Vec<(u8, f64)> {
        if !aggregate.deciles.is_empty() {
            return aggregate.deciles.iter().map(|(decile, cell)| (*decile, cell.denominator)).collect();
        }
        let lsoas = &self.lsoa_deciles[idx];
        let n_lsoas: f64 = lsoas.values().sum();
        if n_lsoas == 0.0 {
            return Vec::new();
        }
        let total = aggregate.total().denominator;
        lsoas.iter().map(|(decile, n)| (*decile, total * n / n_lsoas)).collect()
    }
}

fn group_by_indicator(rows: Vec<MeasureRow>) -> HashMap<IndicatorId, Vec<MeasureRow>> {
    let mut grouped: HashMap<IndicatorId, Vec<MeasureRow>> = HashMap::new();
    for row in rows {
        grouped.entry(row.indicator.clone()).or_default().push(row);
    }
    grouped
}

fn latest_year(rows: Option<&Vec<MeasureRow>>) -> Option<i32> {
    rows.and_then(|rows| rows.iter().map(|row| row.year).max())
}

// ---------------------------------------------------------------------------------------
// One indicator.

/// Notes for the reader: each message with the indicators it applies to.
type Notes = BTreeMap<String, BTreeSet<String>>;

fn note(notes: &mut Notes, message: String, definition: &IndicatorDefinition) {
    notes.entry(message).or_default().insert(definition.name.clone());
}

#[allow(clippy::too_many_arguments)]
fn assess_indicator(
    definition: &IndicatorDefinition,
    year: i32,
    area: &Area,
    level: NeedsLevel,
    geography: &Geography,
    aggregates: &[Option<Aggregate>],
    practices: &PracticeData,
    benchmark: &BenchmarkData,
    notes: &mut Notes,
) -> Result<Option<IndicatorAssessment>> {
    let method = definition.method;
    let multiplier = definition.multiplier;
    let value_of = |aggregate: &Aggregate| -> Result<Option<IndicatorValue>> {
        match aggregate.counts(method) {
            Some(counts) => evaluate(method, multiplier, &counts)
                .map(Some)
                .map_err(|e| AppError::Invalid(format!("{}: {e}", definition.id))),
            None => Ok(None),
        }
    };
    // The whole area: its own aggregate, or the sum of its practices.
    let practice_rows = practices.rows.get(&definition.id);
    let practice_aggregates: Vec<(String, Aggregate)> = practice_rows
        .map(|rows| {
            let mut own: BTreeMap<String, Vec<MeasureRow>> = BTreeMap::new();
            for row in rows.iter().filter(|row| row.year == year) {
                own.entry(row.place.code().to_owned()).or_default().push(row.clone());
            }
            own.into_iter().map(|(code, rows)| (code, direct(&rows, |_, _| None, None))).collect()
        })
        .unwrap_or_default();
    let overall_aggregate = match &aggregates[0] {
        Some(aggregate) => aggregate.clone(),
        None => {
            let mut merged = Aggregate::default();
            for (_, aggregate) in &practice_aggregates {
                merged.merge(aggregate);
            }
            merged
        }
    };
    if overall_aggregate.is_empty() {
        return Ok(None);
    }
    let Some(overall) = value_of(&overall_aggregate)? else {
        note(notes, "Left out because standardising needs counts by age band".to_owned(), definition);
        return Ok(None);
    };
    // The benchmark, falling back to the area itself.
    let (benchmark_place, benchmark_year, benchmark_aggregate) = match benchmark.aggregates.get(&definition.id) {
        Some((benchmark_year, aggregate)) if !aggregate.is_empty() => {
            if *benchmark_year != year {
                note(
                    notes,
                    format!(
                        "Compared with {} in {benchmark_year}, the nearest year with figures there",
                        benchmark.place.name
                    ),
                    definition,
                );
            }
            (benchmark.place.clone(), *benchmark_year, aggregate.clone())
        }
        _ => {
            note(
                notes,
                format!("{} has no figures, so these are compared with {} as a whole", benchmark.place.name, area.name),
                definition,
            );
            (PlaceName { code: area.code.to_string(), name: area.name.clone() }, year, overall_aggregate.clone())
        }
    };
    let benchmark_value = value_of(&benchmark_aggregate)?;
    let reference = benchmark_value.as_ref().and_then(|value| value.value);
    let significance =
        |value: &IndicatorValue, level: f64| compare(&value.limits(level), reference, definition.polarity);
    // Expected prevalence standard: the benchmark's deciles, or the area's own.
    let standard: Option<Vec<DecileStandard>> = definition.unmet_need.then(|| {
        let source = if benchmark_aggregate.deciles.len() >= 5 { &benchmark_aggregate } else { &overall_aggregate };
        if source.deciles.len() < 5 {
            return Vec::new();
        }
        if std::ptr::eq(source, &overall_aggregate) {
            note(
                notes,
                format!(
                    "Expected prevalence uses {}'s own rates by deprivation decile, because {} has none",
                    area.name, benchmark_place.name
                ),
                definition,
            );
        }
        source
            .deciles
            .iter()
            .map(|(decile, cell)| DecileStandard { decile: *decile, register: cell.count, list: cell.denominator })
            .collect()
    });
    let need_of = |list_by_decile: &[(u8, f64)], recorded: f64| -> Result<Option<UnmetNeed>> {
        match &standard {
            Some(standard) if !standard.is_empty() && !list_by_decile.is_empty() => {
                unmet_need(recorded, list_by_decile, standard)
                    .map_err(|e| AppError::Invalid(format!("{}: {e}", definition.id)))
            }
            _ => Ok(None),
        }
    };
    let overall_need = match &aggregates[0] {
        Some(aggregate) => need_of(&geography.list_by_decile(0, aggregate), aggregate.total().count)?,
        None => need_of(
            &overall_aggregate.deciles.iter().map(|(d, c)| (*d, c.denominator)).collect::<Vec<_>>(),
            overall_aggregate.total().count,
        )?,
    };
    // The places at the level.
    let mut places = Vec::new();
    match level.area_kind() {
        Some(kind) => {
            for (idx, node) in geography.nodes.iter().enumerate() {
                if node.area.kind() != kind {
                    continue;
                }
                let Some(aggregate) = &aggregates[idx] else { continue };
                let Some(value) = value_of(aggregate)? else { continue };
                let need = need_of(&geography.list_by_decile(idx, aggregate), aggregate.total().count)?;
                places.push(PlaceValue {
                    code: node.area.code.to_string(),
                    name: node.area.name.clone(),
                    imd_decile: node.imd_decile.map(|d| d.value()),
                    significance95: significance(&value, 0.95),
                    significance998: significance(&value, 0.998),
                    value,
                    unmet_need: need,
                });
            }
        }
        None => {
            for (code, aggregate) in &practice_aggregates {
                let Some(value) = value_of(aggregate)? else { continue };
                let list: Vec<(u8, f64)> = aggregate.deciles.iter().map(|(d, c)| (*d, c.denominator)).collect();
                let need = need_of(&list, aggregate.total().count)?;
                places.push(PlaceValue {
                    code: code.clone(),
                    name: practices.names.get(code).cloned().unwrap_or_else(|| code.clone()),
                    imd_decile: None,
                    significance95: significance(&value, 0.95),
                    significance998: significance(&value, 0.998),
                    value,
                    unmet_need: need,
                });
            }
        }
    }
    places.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)));
    // The deprivation gradient, by decile and by quintile.
    let (gradient_value, gradient_quintiles, gradient_of) = if method == IndicatorMethod::Dsr {
        (None, None, None)
    } else {
        let (source, place) = if overall_aggregate.deciles.len() >= 5 {
            (&overall_aggregate, PlaceName { code: area.code.to_string(), name: area.name.clone() })
        } else {
            (&benchmark_aggregate, benchmark_place.clone())
        };
        if source.deciles.len() >= 5 {
            let deciles: Vec<GroupCounts> = source
                .deciles
                .iter()
                .map(|(decile, cell)| GroupCounts {
                    group: *decile,
                    counts: Counts::Total { count: cell.count, denominator: cell.denominator },
                })
                .collect();
            let mut quintiles: BTreeMap<u8, Cell> = BTreeMap::new();
            for (decile, cell) in &source.deciles {
                *quintiles.entry(decile.div_ceil(2)).or_default() += *cell;
            }
            let quintiles: Vec<GroupCounts> = quintiles
                .into_iter()
                .map(|(quintile, cell)| GroupCounts {
                    group: quintile,
                    counts: Counts::Total { count: cell.count, denominator: cell.denominator },
                })
                .collect();
            let invalid = |e: commissioning::methods::MethodError| AppError::Invalid(format!("{}: {e}", definition.id));
            let by_decile = gradient(method, multiplier, &deciles).map_err(invalid)?;
            let by_quintile = gradient(method, multiplier, &quintiles).map_err(invalid)?;
            (Some(by_decile), Some(by_quintile), Some(place))
        } else {
            (None, None, None)
        }
    };
    Ok(Some(IndicatorAssessment {
        definition: definition.clone(),
        year,
        unit: definition.unit(),
        benchmark: benchmark_place,
        benchmark_year,
        significance95: significance(&overall, 0.95),
        significance998: significance(&overall, 0.998),
        benchmark_value,
        overall,
        places,
        gradient: gradient_value,
        gradient_quintiles,
        gradient_of,
        unmet_need: overall_need,
    }))
}

/// Parses an area code typed by a person, as a use-case error.
pub fn parse_area(text: &str) -> Result<AreaCode> {
    AreaCode::parse(text).map_err(|error| AppError::Invalid(error.to_string()))
}
