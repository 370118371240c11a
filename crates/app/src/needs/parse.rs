//! Reading needs data files: local indicator definitions, and registers and events in
//! Commissioner's own layout or the House of Commons Library modelled QOF prevalence layout.
//! Like every import, the whole file is checked first and any problem names its line and
//! field.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use commissioning::area::{AreaCode, ENGLAND, ImdDecile, region_code};
use commissioning::org::OdsCode;
use commissioning::plan::indicators::{COLUMNS, IndicatorDefinition, IndicatorId, IndicatorMethod};
use commissioning::population::{AgeBand, Sex};
use store::needs::{MeasureRow, Place};

use crate::import::{CsvFile, ImportError, Row, Seen, located};

/// What the register importer checks codes against.
pub(crate) struct KnownPlaces {
    pub(crate) areas: BTreeSet<String>,
    pub(crate) practices: BTreeSet<String>,
    pub(crate) catalogue: BTreeMap<IndicatorId, IndicatorDefinition>,
}

pub(crate) struct ParsedRegisters {
    pub(crate) format: &'static str,
    pub(crate) n_rows: u64,
    pub(crate) rows: Vec<MeasureRow>,
}

/// Local indicator definitions; `benchmark` and `unmet_need` may be left out.
pub(crate) fn parse_indicators(path: &Path) -> Result<(u64, Vec<IndicatorDefinition>), ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let optional = ["benchmark", "unmet_need"];
    let required: Vec<&str> = COLUMNS.iter().copied().filter(|c| !optional.contains(c)).collect();
    let columns = file.columns(&required, &optional)?;
    let mut definitions = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let fields: [&str; 13] = std::array::from_fn(|idx| row.text(COLUMNS[idx]));
        let definition = IndicatorDefinition::from_fields(&fields)
            .map_err(|(column, error)| row.error(column, error.to_string()))?;
        seen.check(row, "id", definition.id.as_str())?;
        definitions.push(definition);
        Ok(())
    })?;
    Ok((n_rows, definitions))
}

/// Registers and events, in either layout.
pub(crate) fn parse_registers(
    path: &Path,
    default_year: Option<i32>,
    known: &KnownPlaces,
) -> Result<ParsedRegisters, ImportError> {
    let file = CsvFile::open(path, true)?;
    if file.has("indicator_id") {
        parse_commissioner(file, path, default_year, known)
    } else if file.has("group_code") && file.has("register") && file.has("list") {
        parse_modelled_prevalence(file, path, default_year, known)
    } else {
        Err(located(
            path,
            Some(1),
            None,
            "the header is not a known registers format: expected indicator_id,area_code,… or the modelled QOF \
             prevalence layout (group_code,register,list with lad_code, region or imd_overall)"
                .into(),
        ))
    }
}

fn parse_commissioner(
    mut file: CsvFile,
    path: &Path,
    default_year: Option<i32>,
    known: &KnownPlaces,
) -> Result<ParsedRegisters, ImportError> {
    let place_column = match (file.has("area_code"), file.has("practice_code")) {
        (true, false) => "area_code",
        (false, true) => "practice_code",
        (true, true) => {
            return Err(located(
                path,
                Some(1),
                Some("practice_code"),
                "give area_code or practice_code, not both".into(),
            ));
        }
        (false, false) => {
            return Err(located(
                path,
                Some(1),
                Some("area_code"),
                "the column is missing: give area_code (an ONS area) or practice_code (a GP practice)".into(),
            ));
        }
    };
    require_year(&file, path, default_year)?;
    let columns = file
        .columns(&["indicator_id", place_column, "count"], &["year", "sex", "age_band", "imd_decile", "denominator"])?;
    let mut rows = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let definition = indicator(row, "indicator_id", row.required("indicator_id")?, known)?;
        let place = if place_column == "area_code" {
            let area = row.parse("area_code", AreaCode::parse)?;
            if !known.areas.contains(area.as_str()) {
                return Err(row.error("area_code", format!("'{area}' is not a known area; import the areas first")));
            }
            Place::Area(area)
        } else {
            let practice = row.parse("practice_code", OdsCode::parse)?;
            if !known.practices.contains(practice.as_str()) {
                return Err(row.error(
                    "practice_code",
                    format!("'{practice}' is not a known organisation; import the practices first"),
                ));
            }
            Place::Practice(practice)
        };
        let year = year(row, default_year)?;
        let sex = row.parse_optional("sex", parse_sex)?.flatten();
        let age_band = row.parse_optional("age_band", parse_band)?.flatten();
        let imd_decile = row.parse_optional("imd_decile", |t| {
            if t.eq_ignore_ascii_case("all") { Ok(None) } else { ImdDecile::parse(t).map(Some) }
        })?;
        let count = row.parse("count", parse_count)?;
        let denominator = row.parse_optional("denominator", parse_denominator)?;
        if definition.method == IndicatorMethod::Proportion
            && let Some(denominator) = denominator
            && count > denominator
        {
            return Err(row.error(
                "count",
                format!("{count} is more than the denominator {denominator}, which a proportion cannot be"),
            ));
        }
        if definition.method == IndicatorMethod::Dsr && age_band.is_none() && imd_decile.flatten().is_none() {
            return Err(row.error(
                "age_band",
                format!("{} is a directly standardised rate, so its counts must be given by age band", definition.id),
            ));
        }
        let key = format!(
            "{} {} {} {year} sex {} band {} decile {}",
            definition.id,
            place.kind_code(),
            place.code(),
            sex.map_or(0, Sex::code),
            age_band.map_or("all".to_owned(), |b| b.to_string()),
            imd_decile.flatten().map_or(0, ImdDecile::value)
        );
        seen.check(row, "count", &key)?;
        rows.push(MeasureRow {
            indicator: definition.id.clone(),
            place,
            year,
            sex,
            age_band,
            imd_decile: imd_decile.flatten(),
            count,
            denominator,
        });
        Ok(())
    })?;
    Ok(ParsedRegisters { format: "commissioner", n_rows, rows })
}

/// The House of Commons Library's modelled QOF 2019/20 prevalence: a register and a list per
/// condition (`group_code`) for local authorities, regions, IMD deciles (England) or regions
/// by decile. Welsh residents' rows by decile ("Wales") are skipped, as the source advises.
fn parse_modelled_prevalence(
    mut file: CsvFile,
    path: &Path,
    default_year: Option<i32>,
    known: &KnownPlaces,
) -> Result<ParsedRegisters, ImportError> {
    let Some(year) = default_year else {
        return Err(located(
            path,
            Some(1),
            Some("year"),
            "modelled prevalence files have no year column; give the year of the data (--year, 2019 for QOF 2019/20)"
                .into(),
        ));
    };
    let (format, key_columns): (&'static str, Vec<&str>) = if file.has("lad_code") {
        ("modelled-prevalence-lad", vec!["lad_code"])
    } else if file.has("region") && file.has("imd_overall") {
        ("modelled-prevalence-region-imd", vec!["region", "imd_overall"])
    } else if file.has("region") {
        ("modelled-prevalence-region", vec!["region"])
    } else if file.has("imd_overall") {
        ("modelled-prevalence-imd", vec!["imd_overall"])
    } else {
        let found = ["pcon_code", "county_conurbation", "imd_income"].into_iter().find(|c| file.has(c));
        return Err(located(
            path,
            Some(1),
            found,
            "only the local authority, region, IMD and region-by-IMD files can be imported: constituencies, \
             counties and income deciles are not areas Commissioner holds"
                .into(),
        ));
    };
    let mut required = key_columns.clone();
    required.extend(["group_code", "register", "list"]);
    let columns = file.columns(&required, &[])?;
    let england = AreaCode::parse(ENGLAND).expect("valid code");
    let mut rows = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let group = row.required("group_code")?;
        let id = format!("QOF_{group}");
        let definition = indicator(row, "group_code", &id, known)?;
        let decile = if key_columns.contains(&"imd_overall") {
            let text = row.required("imd_overall")?;
            if text.eq_ignore_ascii_case("wales") {
                return Ok(());
            }
            Some(row.parse("imd_overall", ImdDecile::parse)?)
        } else {
            None
        };
        let area = if key_columns.contains(&"lad_code") {
            row.parse("lad_code", AreaCode::parse)?
        } else if key_columns.contains(&"region") {
            let name = row.required("region")?;
            let code = region_code(name)
                .ok_or_else(|| row.error("region", format!("'{name}' is not an English region or Wales")))?;
            AreaCode::parse(code).expect("region codes are valid")
        } else {
            england.clone()
        };
        let column = key_columns[0];
        if !known.areas.contains(area.as_str()) {
            return Err(row.error(
                column,
                format!("'{area}' is not a known area; import the areas first (the ONS LSOA lookup has them all)"),
            ));
        }
        let register = row.parse("register", parse_count)?;
        let list = row.parse("list", parse_denominator)?;
        if register > list {
            return Err(row.error("register", format!("{register} is more than the list {list}")));
        }
        seen.check(row, "group_code", &format!("{} {area} {:?}", definition.id, decile.map(ImdDecile::value)))?;
        rows.push(MeasureRow {
            indicator: definition.id.clone(),
            place: Place::Area(area),
            year,
            sex: None,
            age_band: None,
            imd_decile: decile,
            count: register,
            denominator: Some(list),
        });
        Ok(())
    })?;
    Ok(ParsedRegisters { format, n_rows, rows })
}

fn indicator<'a>(
    row: &Row<'_>,
    field: &str,
    id: &str,
    known: &'a KnownPlaces,
) -> Result<&'a IndicatorDefinition, ImportError> {
    let parsed = IndicatorId::parse(id).map_err(|error| row.error(field, error.to_string()))?;
    let definition = known.catalogue.get(&parsed).ok_or_else(|| {
        row.error(field, format!("'{parsed}' is not in the indicator catalogue; add it with `import indicators`"))
    })?;
    if !definition.method.from_counts() {
        return Err(row.error(
            field,
            format!("{parsed} is a {} indicator, which is not computed from counts by area", definition.method.code()),
        ));
    }
    Ok(definition)
}

fn require_year(file: &CsvFile, path: &Path, default_year: Option<i32>) -> Result<(), ImportError> {
    if !file.has("year") && default_year.is_none() {
        return Err(located(
            path,
            Some(1),
            Some("year"),
            "the column is missing; add it or give the year (--year)".into(),
        ));
    }
    Ok(())
}

fn year(row: &Row<'_>, default_year: Option<i32>) -> Result<i32, ImportError> {
    let parsed = row.parse_optional("year", |t| {
        t.parse::<i32>().ok().filter(|y| (1900..=2200).contains(y)).ok_or_else(|| format!("'{t}' is not a year"))
    })?;
    Ok(parsed.or(default_year).expect("checked by require_year"))
}

/// `persons` (or empty, `0`, `all`) is both sexes together.
fn parse_sex(text: &str) -> Result<Option<Sex>, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "0" | "persons" | "all" | "p" => Ok(None),
        _ => Sex::parse(text).map(Some).map_err(|error| format!("{error}, or persons")),
    }
}

fn parse_band(text: &str) -> Result<Option<AgeBand>, String> {
    if text.trim().eq_ignore_ascii_case("all") {
        Ok(None)
    } else {
        AgeBand::parse(text).map(Some).map_err(|error| format!("{error}, or all"))
    }
}

fn parse_count(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("'{text}' is not a count of zero or more"))
}

fn parse_denominator(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0)
        .ok_or_else(|| format!("'{text}' is not a denominator (a number greater than zero)"))
}
