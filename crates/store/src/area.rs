//! Areas (LSOA up to region), LSOA deprivation and population by sex and age band.

use sqlx::Row;
use sqlx::any::AnyRow;

use commissioning::area::{Area, AreaCode, AreaKind, Deprivation, ImdDecile};
use commissioning::population::{AgeBand, Sex};

use crate::{Result, Store, StoreError, Tx, Value, insert_rows, parse_column, parse_optional_column};

/// One row of a population table: persons of one sex and age band living in an area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationRow {
    pub area: AreaCode,
    pub sex: Sex,
    pub age_band: AgeBand,
    pub persons: i64,
}

/// An area with the figures shown when listing areas.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaSummary {
    pub area: Area,
    pub population: i64,
    pub n_lsoas: i64,
    /// Population-weighted mean IMD decile of the LSOAs within, if known.
    pub mean_imd_decile: Option<f64>,
    /// The area's own decile, for an LSOA.
    pub deprivation: Option<Deprivation>,
}

/// Population and number of LSOAs in each IMD decile, within an area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecileRow {
    pub decile: ImdDecile,
    pub n_lsoas: i64,
    pub population: i64,
}

/// The LSOAs within an area (the area itself if it is an LSOA), as a recursive CTE.
const WITHIN: &str = "WITH RECURSIVE within_area (code, kind) AS ( \
        SELECT code, kind FROM areas WHERE code = $1 \
        UNION ALL SELECT a.code, a.kind FROM areas a JOIN within_area w ON a.parent_code = w.code \
    ), lsoas AS (SELECT code FROM within_area WHERE kind = 'lsoa')";

impl Tx {
    /// Inserts or updates areas. A name equal to the code means "name unknown" and never
    /// overwrites a known name; a missing parent never overwrites a known parent.
    pub async fn upsert_areas(&mut self, areas: &[Area]) -> Result<u64> {
        let rows = areas
            .iter()
            .map(|area| {
                vec![
                    Value::Text(area.code.to_string()),
                    Value::Text(area.kind().code().to_owned()),
                    Value::Text(area.name.clone()),
                    Value::OptText(area.parent.as_ref().map(ToString::to_string)),
                ]
            })
            .collect::<Vec<_>>();
        insert_rows(
            self.connection(),
            "areas",
            &["code", "kind", "name", "parent_code"],
            rows,
            "ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, \
             name = CASE WHEN excluded.name = excluded.code THEN areas.name ELSE excluded.name END, \
             parent_code = COALESCE(excluded.parent_code, areas.parent_code)",
        )
        .await
    }

    /// Inserts or updates LSOA deprivation; unknown ranks and income deciles keep known ones.
    pub async fn upsert_deprivation(&mut self, rows: &[(AreaCode, Deprivation)]) -> Result<u64> {
        let values = rows
            .iter()
            .map(|(code, deprivation)| {
                vec![
                    Value::Text(code.to_string()),
                    Value::OptInt(deprivation.imd_rank.map(i64::from)),
                    Value::Int(i64::from(deprivation.imd_decile.value())),
                    Value::OptInt(deprivation.income_decile.map(|d| i64::from(d.value()))),
                ]
            })
            .collect::<Vec<_>>();
        insert_rows(
            self.connection(),
            "deprivation",
            &["lsoa_code", "imd_rank", "imd_decile", "income_decile"],
            values,
            "ON CONFLICT (lsoa_code) DO UPDATE SET imd_decile = excluded.imd_decile, \
             imd_rank = COALESCE(excluded.imd_rank, deprivation.imd_rank), \
             income_decile = COALESCE(excluded.income_decile, deprivation.income_decile)",
        )
        .await
    }

    /// Inserts or replaces population counts for one year.
    pub async fn upsert_population(&mut self, year: i32, rows: &[PopulationRow]) -> Result<u64> {
        let values = rows
            .iter()
            .map(|row| {
                vec![
                    Value::Text(row.area.to_string()),
                    Value::Int(i64::from(year)),
                    Value::Int(i64::from(row.sex.code())),
                    Value::Int(row.age_band.index() as i64),
                    Value::Int(row.persons),
                ]
            })
            .collect::<Vec<_>>();
        insert_rows(
            self.connection(),
            "population",
            &["area_code", "year", "sex", "age_band", "persons"],
            values,
            "ON CONFLICT (area_code, year, sex, age_band) DO UPDATE SET persons = excluded.persons",
        )
        .await
    }
}

impl Store {
    pub async fn area(&self, code: &AreaCode) -> Result<Area> {
        let row = sqlx::query("SELECT code, name, parent_code FROM areas WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        area_from_row(&row)
    }

    /// The chain of areas above this one, nearest first.
    pub async fn ancestors(&self, code: &AreaCode) -> Result<Vec<Area>> {
        let rows = sqlx::query(
            "WITH RECURSIVE up (code, name, parent_code, depth) AS ( \
                SELECT a.code, a.name, a.parent_code, 0 FROM areas a \
                  WHERE a.code = (SELECT parent_code FROM areas WHERE code = $1) \
                UNION ALL SELECT a.code, a.name, a.parent_code, up.depth + 1 FROM areas a \
                  JOIN up ON a.code = up.parent_code WHERE up.depth < 10 \
             ) SELECT code, name, parent_code FROM up ORDER BY depth",
        )
        .bind(code.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(area_from_row).collect()
    }

    /// Areas directly below `parent` (or of `kind` everywhere when no parent is given), with
    /// population (of `year`), number of LSOAs and deprivation.
    pub async fn area_summaries(
        &self,
        parent: Option<&AreaCode>,
        kind: Option<AreaKind>,
        year: i32,
    ) -> Result<Vec<AreaSummary>> {
        let rows = sqlx::query(
            "WITH RECURSIVE tree (root, code, kind) AS ( \
                SELECT code, code, kind FROM areas \
                  WHERE ($1 = '' OR parent_code = $1) AND ($2 = '' OR kind = $2) \
                UNION ALL SELECT t.root, a.code, a.kind FROM areas a JOIN tree t ON a.parent_code = t.code \
             ), lsoa_pop AS ( \
                SELECT t.root, t.code, CAST(COALESCE(SUM(p.persons), 0) AS BIGINT) AS persons \
                FROM tree t LEFT JOIN population p ON p.area_code = t.code AND p.year = $3 \
                WHERE t.kind = 'lsoa' GROUP BY t.root, t.code \
             ), per_root AS ( \
                SELECT lp.root, CAST(SUM(lp.persons) AS BIGINT) AS persons, COUNT(*) AS n_lsoas, \
                  CAST(SUM(CASE WHEN d.imd_decile IS NOT NULL THEN d.imd_decile * lp.persons ELSE 0 END) AS DOUBLE PRECISION) AS weighted, \
                  CAST(SUM(CASE WHEN d.imd_decile IS NOT NULL THEN lp.persons ELSE 0 END) AS BIGINT) AS weight \
                FROM lsoa_pop lp LEFT JOIN deprivation d ON d.lsoa_code = lp.code GROUP BY lp.root \
             ) \
             SELECT a.code, a.name, a.parent_code, \
               CAST(COALESCE(r.persons, 0) AS BIGINT) AS persons, CAST(COALESCE(r.n_lsoas, 0) AS BIGINT) AS n_lsoas, \
               r.weighted, CAST(COALESCE(r.weight, 0) AS BIGINT) AS weight, \
               d.imd_rank, d.imd_decile, d.income_decile \
             FROM areas a LEFT JOIN per_root r ON r.root = a.code LEFT JOIN deprivation d ON d.lsoa_code = a.code \
             WHERE ($1 = '' OR a.parent_code = $1) AND ($2 = '' OR a.kind = $2) \
             ORDER BY a.name, a.code",
        )
        .bind(parent.map(AreaCode::as_str).unwrap_or(""))
        .bind(kind.map(AreaKind::code).unwrap_or(""))
        .bind(i64::from(year))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let weighted: Option<f64> = row.try_get("weighted")?;
                let weight: i64 = row.try_get("weight")?;
                Ok(AreaSummary {
                    area: area_from_row(row)?,
                    population: row.try_get("persons")?,
                    n_lsoas: row.try_get("n_lsoas")?,
                    mean_imd_decile: weighted.filter(|_| weight > 0).map(|w| w / weight as f64),
                    deprivation: deprivation_from_row(row)?,
                })
            })
            .collect()
    }

    /// Persons by sex and age band living within an area in a year.
    pub async fn population_within(&self, area: &AreaCode, year: i32) -> Result<Vec<PopulationRow>> {
        let rows = sqlx::query(&format!(
            "{WITHIN} SELECT p.sex, p.age_band, CAST(SUM(p.persons) AS BIGINT) AS persons \
             FROM population p JOIN lsoas l ON l.code = p.area_code WHERE p.year = $2 \
             GROUP BY p.sex, p.age_band ORDER BY p.sex, p.age_band"
        ))
        .bind(area.as_str())
        .bind(i64::from(year))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let sex: i64 = row.try_get("sex")?;
                let band: i64 = row.try_get("age_band")?;
                Ok(PopulationRow {
                    area: area.clone(),
                    sex: Sex::from_code(sex as u8).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    age_band: AgeBand::from_index(band as usize)
                        .ok_or_else(|| StoreError::Corrupt(format!("age band {band}")))?,
                    persons: row.try_get("persons")?,
                })
            })
            .collect()
    }

    /// LSOAs and population in each IMD decile, within an area.
    pub async fn deciles_within(&self, area: &AreaCode, year: i32) -> Result<Vec<DecileRow>> {
        let rows = sqlx::query(&format!(
            "{WITHIN}, lsoa_pop AS ( \
                SELECT l.code, CAST(COALESCE(SUM(p.persons), 0) AS BIGINT) AS persons FROM lsoas l \
                LEFT JOIN population p ON p.area_code = l.code AND p.year = $2 GROUP BY l.code) \
             SELECT d.imd_decile, COUNT(*) AS n_lsoas, CAST(SUM(lp.persons) AS BIGINT) AS persons \
             FROM lsoa_pop lp JOIN deprivation d ON d.lsoa_code = lp.code \
             GROUP BY d.imd_decile ORDER BY d.imd_decile"
        ))
        .bind(area.as_str())
        .bind(i64::from(year))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let decile: i64 = row.try_get("imd_decile")?;
                Ok(DecileRow {
                    decile: ImdDecile::new(decile as u8).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    n_lsoas: row.try_get("n_lsoas")?,
                    population: row.try_get("persons")?,
                })
            })
            .collect()
    }

    /// The most recent year with population figures, if any.
    pub async fn latest_population_year(&self) -> Result<Option<i32>> {
        let row =
            sqlx::query("SELECT CAST(MAX(year) AS BIGINT) AS year FROM population").fetch_one(self.pool()).await?;
        let year: Option<i64> = row.try_get("year")?;
        Ok(year.map(|y| y as i32))
    }

    /// Number of areas of each kind.
    pub async fn area_counts(&self) -> Result<Vec<(AreaKind, i64)>> {
        let rows = sqlx::query("SELECT kind, COUNT(*) AS n FROM areas GROUP BY kind ORDER BY kind")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let kind =
                    parse_column(row, "kind", |text| AreaKind::parse(text).ok_or(format!("area kind '{text}'")))?;
                Ok((kind, row.try_get("n")?))
            })
            .collect()
    }

    /// Every area code known.
    pub async fn area_codes(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT code FROM areas ORDER BY code").fetch_all(self.pool()).await?;
        rows.iter().map(|row| Ok(row.try_get("code")?)).collect()
    }

    /// Deprivation of one LSOA, if known.
    pub async fn deprivation(&self, lsoa: &AreaCode) -> Result<Option<Deprivation>> {
        let row = sqlx::query("SELECT imd_rank, imd_decile, income_decile FROM deprivation WHERE lsoa_code = $1")
            .bind(lsoa.as_str())
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => deprivation_from_row(&row),
            None => Ok(None),
        }
    }
}

fn area_from_row(row: &AnyRow) -> Result<Area> {
    Ok(Area {
        code: parse_column(row, "code", AreaCode::parse)?,
        name: row.try_get("name")?,
        parent: parse_optional_column(row, "parent_code", AreaCode::parse)?,
    })
}

fn deprivation_from_row(row: &AnyRow) -> Result<Option<Deprivation>> {
    let decile: Option<i64> = row.try_get("imd_decile")?;
    let Some(decile) = decile else {
        return Ok(None);
    };
    let corrupt = |e: commissioning::area::ImdDecileError| StoreError::Corrupt(e.to_string());
    let rank: Option<i64> = row.try_get("imd_rank")?;
    let income: Option<i64> = row.try_get("income_decile")?;
    Ok(Some(Deprivation {
        imd_rank: rank.map(|r| r as u32),
        imd_decile: ImdDecile::new(decile as u8).map_err(corrupt)?,
        income_decile: income.map(|d| ImdDecile::new(d as u8)).transpose().map_err(corrupt)?,
    }))
}
