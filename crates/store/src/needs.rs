//! Needs assessment data: local indicator definitions and the counts behind indicators
//! (registers, events and their denominators) by place, year, sex, age band and decile.

use sqlx::Row;
use sqlx::any::AnyRow;

use commissioning::area::{Area, AreaCode, ImdDecile};
use commissioning::org::OdsCode;
use commissioning::plan::indicators::{IndicatorDefinition, IndicatorId, IndicatorMethod, Polarity};
use commissioning::population::{AgeBand, Sex};

use crate::{Result, Store, StoreError, Tx, Value, insert_rows, parse_column};

/// Where a count belongs: an area (LSOA up to country) or a GP practice's registered list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    Area(AreaCode),
    Practice(OdsCode),
}

impl Place {
    pub fn kind_code(&self) -> &'static str {
        match self {
            Place::Area(_) => "area",
            Place::Practice(_) => "practice",
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Place::Area(code) => code.as_str(),
            Place::Practice(code) => code.as_str(),
        }
    }
}

/// One count: the numerator of an indicator for a place, with its denominator if the file
/// gave one (otherwise the population table's persons are the denominator).
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureRow {
    pub indicator: IndicatorId,
    pub place: Place,
    pub year: i32,
    /// `None` for persons.
    pub sex: Option<Sex>,
    /// `None` for all ages.
    pub age_band: Option<AgeBand>,
    /// `None` for all deciles.
    pub imd_decile: Option<ImdDecile>,
    pub count: f64,
    pub denominator: Option<f64>,
}

/// An area within another, with its LSOA deprivation decile when it is an LSOA.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeArea {
    pub area: Area,
    pub imd_decile: Option<ImdDecile>,
}

const MEASURE_COLUMNS: &str = "m.indicator_id, m.place_kind, m.place_code, m.year, m.sex, m.age_band, m.imd_decile, \
     m.count, m.denominator";

/// The area and everything below it.
const WITHIN: &str = "WITH RECURSIVE within_area (code) AS ( \
        SELECT code FROM areas WHERE code = $1 \
        UNION ALL SELECT a.code FROM areas a JOIN within_area w ON a.parent_code = w.code)";

impl Tx {
    /// Inserts or replaces local indicator definitions.
    pub async fn upsert_indicator_definitions(&mut self, definitions: &[IndicatorDefinition]) -> Result<u64> {
        let rows = definitions
            .iter()
            .map(|definition| {
                vec![
                    Value::Text(definition.id.to_string()),
                    Value::Text(definition.name.clone()),
                    Value::Text(definition.framework.clone()),
                    Value::Text(definition.domain.clone()),
                    Value::Text(definition.numerator.clone()),
                    Value::Text(definition.denominator.clone()),
                    Value::Text(definition.method.code().to_owned()),
                    Value::Float(definition.multiplier),
                    Value::Text(definition.polarity.code().to_owned()),
                    Value::Text(definition.benchmark.to_string()),
                    Value::Int(i64::from(definition.unmet_need)),
                    Value::Text(definition.source.clone()),
                    Value::Text(definition.source_date.clone()),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "indicator_definitions",
            &[
                "id",
                "name",
                "framework",
                "domain",
                "numerator",
                "denominator",
                "method",
                "multiplier",
                "polarity",
                "benchmark_code",
                "unmet_need",
                "source",
                "source_date",
            ],
            rows,
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, framework = excluded.framework, \
             domain = excluded.domain, numerator = excluded.numerator, denominator = excluded.denominator, \
             method = excluded.method, multiplier = excluded.multiplier, polarity = excluded.polarity, \
             benchmark_code = excluded.benchmark_code, unmet_need = excluded.unmet_need, \
             source = excluded.source, source_date = excluded.source_date",
        )
        .await
    }

    /// Inserts or replaces counts; the same place, year, sex, band and decile again replaces
    /// the count, so loading a file twice never double counts.
    pub async fn upsert_measures(&mut self, rows: &[MeasureRow]) -> Result<u64> {
        let values = rows
            .iter()
            .map(|row| {
                vec![
                    Value::Text(row.indicator.to_string()),
                    Value::Text(row.place.kind_code().to_owned()),
                    Value::Text(row.place.code().to_owned()),
                    Value::Int(i64::from(row.year)),
                    Value::Int(row.sex.map_or(0, |sex| i64::from(sex.code()))),
                    Value::Int(row.age_band.map_or(-1, |band| band.index() as i64)),
                    Value::Int(row.imd_decile.map_or(0, |decile| i64::from(decile.value()))),
                    Value::Float(row.count),
                    Value::OptFloat(row.denominator),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "needs_measures",
            &[
                "indicator_id",
                "place_kind",
                "place_code",
                "year",
                "sex",
                "age_band",
                "imd_decile",
                "count",
                "denominator",
            ],
            values,
            "ON CONFLICT (indicator_id, place_kind, place_code, year, sex, age_band, imd_decile) \
             DO UPDATE SET count = excluded.count, denominator = excluded.denominator",
        )
        .await
    }
}

impl Store {
    /// Local indicator definitions (the seed catalogue is not stored).
    pub async fn indicator_definitions(&self) -> Result<Vec<IndicatorDefinition>> {
        let rows = sqlx::query(
            "SELECT id, name, framework, domain, numerator, denominator, method, multiplier, polarity, \
             benchmark_code, unmet_need, source, source_date FROM indicator_definitions ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(definition_from_row).collect()
    }

    /// Counts for the area and every area below it.
    pub async fn measures_within(&self, area: &AreaCode) -> Result<Vec<MeasureRow>> {
        let rows = sqlx::query(&format!(
            "{WITHIN} SELECT {MEASURE_COLUMNS} FROM needs_measures m JOIN within_area w ON w.code = m.place_code \
             WHERE m.place_kind = 'area' ORDER BY m.indicator_id, m.place_code, m.year, m.sex, m.age_band, m.imd_decile"
        ))
        .bind(area.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(measure_from_row).collect()
    }

    /// Counts held for exactly this place.
    pub async fn measures_at(&self, place: &Place) -> Result<Vec<MeasureRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {MEASURE_COLUMNS} FROM needs_measures m WHERE m.place_kind = $1 AND m.place_code = $2 \
             ORDER BY m.indicator_id, m.year, m.sex, m.age_band, m.imd_decile"
        ))
        .bind(place.kind_code())
        .bind(place.code())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(measure_from_row).collect()
    }

    /// Counts for the GP practices whose parent is this commissioner.
    pub async fn practice_measures_of(&self, commissioner: &OdsCode) -> Result<Vec<MeasureRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {MEASURE_COLUMNS} FROM needs_measures m JOIN organisations o ON o.code = m.place_code \
             WHERE m.place_kind = 'practice' AND o.parent_code = $1 \
             ORDER BY m.indicator_id, m.place_code, m.year, m.sex, m.age_band, m.imd_decile"
        ))
        .bind(commissioner.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(measure_from_row).collect()
    }

    /// The areas directly below this one.
    pub async fn children(&self, area: &AreaCode) -> Result<Vec<Area>> {
        let rows = sqlx::query("SELECT code, name, parent_code FROM areas WHERE parent_code = $1 ORDER BY code")
            .bind(area.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Area {
                    code: parse_column(row, "code", AreaCode::parse)?,
                    name: row.try_get("name")?,
                    parent: crate::parse_optional_column(row, "parent_code", AreaCode::parse)?,
                })
            })
            .collect()
    }

    /// The organisations (commissioners) whose footprint is this area.
    pub async fn footprint_owners(&self, area: &AreaCode) -> Result<Vec<OdsCode>> {
        let rows = sqlx::query("SELECT org_code FROM footprints WHERE area_code = $1 ORDER BY org_code")
            .bind(area.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| parse_column(row, "org_code", OdsCode::parse)).collect()
    }

    /// The area and every area below it, with LSOA deciles, parents before children.
    pub async fn area_tree(&self, area: &AreaCode) -> Result<Vec<TreeArea>> {
        let rows = sqlx::query(
            "WITH RECURSIVE tree (code, depth) AS ( \
                SELECT code, 0 FROM areas WHERE code = $1 \
                UNION ALL SELECT a.code, t.depth + 1 FROM areas a JOIN tree t ON a.parent_code = t.code WHERE t.depth < 10) \
             SELECT a.code, a.name, a.parent_code, d.imd_decile FROM tree t JOIN areas a ON a.code = t.code \
             LEFT JOIN deprivation d ON d.lsoa_code = a.code ORDER BY t.depth, a.code",
        )
        .bind(area.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let decile: Option<i64> = row.try_get("imd_decile")?;
                Ok(TreeArea {
                    area: Area {
                        code: parse_column(row, "code", AreaCode::parse)?,
                        name: row.try_get("name")?,
                        parent: crate::parse_optional_column(row, "parent_code", AreaCode::parse)?,
                    },
                    imd_decile: decile
                        .map(|d| ImdDecile::new(d as u8))
                        .transpose()
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                })
            })
            .collect()
    }

    /// Population rows held for exactly this area in a year (a country's own estimates, say).
    pub async fn population_at(&self, area: &AreaCode, year: i32) -> Result<Vec<crate::area::PopulationRow>> {
        let rows = sqlx::query(
            "SELECT area_code, sex, age_band, persons FROM population WHERE area_code = $1 AND year = $2 \
             ORDER BY sex, age_band",
        )
        .bind(area.as_str())
        .bind(i64::from(year))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(population_from_row).collect()
    }

    /// Population rows of the area and every area below it in a year, as stored.
    pub async fn population_rows_within(&self, area: &AreaCode, year: i32) -> Result<Vec<crate::area::PopulationRow>> {
        let rows = sqlx::query(&format!(
            "{WITHIN} SELECT p.area_code, p.sex, p.age_band, p.persons FROM population p \
             JOIN within_area w ON w.code = p.area_code WHERE p.year = $2 ORDER BY p.area_code, p.sex, p.age_band"
        ))
        .bind(area.as_str())
        .bind(i64::from(year))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(population_from_row).collect()
    }
}

fn population_from_row(row: &AnyRow) -> Result<crate::area::PopulationRow> {
    let sex: i64 = row.try_get("sex")?;
    let band: i64 = row.try_get("age_band")?;
    Ok(crate::area::PopulationRow {
        area: parse_column(row, "area_code", AreaCode::parse)?,
        sex: Sex::from_code(sex as u8).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        age_band: AgeBand::from_index(band as usize).ok_or_else(|| StoreError::Corrupt(format!("age band {band}")))?,
        persons: row.try_get("persons")?,
    })
}

fn definition_from_row(row: &AnyRow) -> Result<IndicatorDefinition> {
    let unmet_need: i64 = row.try_get("unmet_need")?;
    Ok(IndicatorDefinition {
        id: parse_column(row, "id", IndicatorId::parse)?,
        name: row.try_get("name")?,
        framework: row.try_get("framework")?,
        domain: row.try_get("domain")?,
        numerator: row.try_get("numerator")?,
        denominator: row.try_get("denominator")?,
        method: parse_column(row, "method", IndicatorMethod::parse)?,
        multiplier: row.try_get("multiplier")?,
        polarity: parse_column(row, "polarity", Polarity::parse)?,
        benchmark: parse_column(row, "benchmark_code", AreaCode::parse)?,
        unmet_need: crate::flag(unmet_need),
        source: row.try_get("source")?,
        source_date: row.try_get("source_date")?,
    })
}

fn measure_from_row(row: &AnyRow) -> Result<MeasureRow> {
    let corrupt = |message: String| StoreError::Corrupt(message);
    let kind: String = row.try_get("place_kind")?;
    let place = match kind.as_str() {
        "area" => Place::Area(parse_column(row, "place_code", AreaCode::parse)?),
        "practice" => Place::Practice(parse_column(row, "place_code", OdsCode::parse)?),
        other => return Err(corrupt(format!("place kind '{other}'"))),
    };
    let year: i64 = row.try_get("year")?;
    let sex: i64 = row.try_get("sex")?;
    let band: i64 = row.try_get("age_band")?;
    let decile: i64 = row.try_get("imd_decile")?;
    Ok(MeasureRow {
        indicator: parse_column(row, "indicator_id", IndicatorId::parse)?,
        place,
        year: year as i32,
        sex: if sex == 0 { None } else { Some(Sex::from_code(sex as u8).map_err(|e| corrupt(e.to_string()))?) },
        age_band: if band < 0 {
            None
        } else {
            Some(AgeBand::from_index(band as usize).ok_or_else(|| corrupt(format!("age band {band}")))?)
        },
        imd_decile: if decile == 0 {
            None
        } else {
            Some(ImdDecile::new(decile as u8).map_err(|e| corrupt(e.to_string()))?)
        },
        count: row.try_get("count")?,
        denominator: row.try_get("denominator")?,
    })
}
