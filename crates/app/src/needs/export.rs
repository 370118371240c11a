//! The needs assessment as tables: the same rows for the pages' CSV downloads, the command
//! line and the XLSX workbook, plus the funnel-plot limits behind each indicator's funnel.

use commissioning::methods::funnel::{FunnelData, FunnelKind, FunnelRow, funnel_limits};
use commissioning::plan::indicators::IndicatorMethod;
use commissioning::plan::needs::IndicatorValue;

use crate::export::{DataTable, Datum, workbook};
use crate::needs::{IndicatorAssessment, NeedsAssessment, UnmetNeedRow};
use crate::{AppError, Result};

const VALUE_HEADERS: [&str; 7] =
    ["count", "denominator", "value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"];

fn value_cells(value: &IndicatorValue) -> Vec<Datum> {
    vec![
        Datum::Number(Some(value.count)),
        Datum::Number(Some(value.denominator)),
        Datum::Number(value.value),
        Datum::Number(value.lower95),
        Datum::Number(value.upper95),
        Datum::Number(value.lower998),
        Datum::Number(value.upper998),
    ]
}

/// One row per indicator for the whole area.
pub fn overview(assessment: &NeedsAssessment) -> DataTable {
    let mut headers = vec!["indicator_id", "indicator", "domain", "year", "unit", "area_code"];
    headers.extend(VALUE_HEADERS);
    headers.extend(["benchmark_code", "benchmark_value", "significance_95", "significance_99_8", "sii", "rii"]);
    let rows = assessment
        .indicators
        .iter()
        .map(|indicator| {
            let mut row = vec![
                Datum::text(indicator.definition.id.as_str()),
                Datum::text(&indicator.definition.name),
                Datum::text(&indicator.definition.domain),
                Datum::Number(Some(f64::from(indicator.year))),
                Datum::text(&indicator.unit),
                Datum::text(assessment.area.code.as_str()),
            ];
            row.extend(value_cells(&indicator.overall));
            let inequality = indicator.gradient.as_ref().and_then(|g| g.inequality);
            row.extend([
                Datum::text(&indicator.benchmark.code),
                Datum::Number(indicator.benchmark_value.as_ref().and_then(|v| v.value)),
                Datum::text(indicator.significance95.label()),
                Datum::text(indicator.significance998.label()),
                Datum::Number(inequality.map(|i| i.sii)),
                Datum::Number(inequality.map(|i| i.rii)),
            ]);
            row
        })
        .collect();
    DataTable { name: "Indicators", headers, rows }
}

/// One row per indicator and place at the assessment's level; one indicator if named.
pub fn places(assessment: &NeedsAssessment, only: Option<&str>) -> DataTable {
    let mut headers = vec!["indicator_id", "year", "place_code", "place_name", "imd_decile"];
    headers.extend(VALUE_HEADERS);
    headers.extend(["benchmark_value", "significance_95", "significance_99_8"]);
    let mut rows = Vec::new();
    for indicator in selected(assessment, only) {
        let benchmark = indicator.benchmark_value.as_ref().and_then(|v| v.value);
        for place in &indicator.places {
            let mut row = vec![
                Datum::text(indicator.definition.id.as_str()),
                Datum::Number(Some(f64::from(indicator.year))),
                Datum::text(&place.code),
                Datum::text(&place.name),
                Datum::Number(place.imd_decile.map(f64::from)),
            ];
            row.extend(value_cells(&place.value));
            row.extend([
                Datum::Number(benchmark),
                Datum::text(place.significance95.label()),
                Datum::text(place.significance998.label()),
            ]);
            rows.push(row);
        }
    }
    DataTable { name: "Places", headers, rows }
}

/// The indicator by IMD decile and by quintile, with the SII and RII on every row of a
/// gradient.
pub fn deprivation(assessment: &NeedsAssessment, only: Option<&str>) -> DataTable {
    let mut headers = vec!["indicator_id", "groups_of", "grouping", "group"];
    headers.extend(VALUE_HEADERS);
    headers.extend(["sii", "sii_lower95_0cl", "sii_upper95_0cl", "rii", "rii_lower95_0cl", "rii_upper95_0cl"]);
    let mut rows = Vec::new();
    for indicator in selected(assessment, only) {
        let Some(of) = &indicator.gradient_of else { continue };
        for (grouping, gradient) in
            [("imd_decile", &indicator.gradient), ("imd_quintile", &indicator.gradient_quintiles)]
        {
            let Some(gradient) = gradient else { continue };
            let inequality = gradient.inequality;
            for (group, value) in &gradient.groups {
                let mut row = vec![
                    Datum::text(indicator.definition.id.as_str()),
                    Datum::text(&of.code),
                    Datum::text(grouping),
                    Datum::Number(Some(f64::from(*group))),
                ];
                row.extend(value_cells(value));
                row.extend([
                    Datum::Number(inequality.map(|i| i.sii)),
                    Datum::Number(inequality.and_then(|i| i.sii_lower95)),
                    Datum::Number(inequality.and_then(|i| i.sii_upper95)),
                    Datum::Number(inequality.map(|i| i.rii)),
                    Datum::Number(inequality.and_then(|i| i.rii_lower95)),
                    Datum::Number(inequality.and_then(|i| i.rii_upper95)),
                ]);
                rows.push(row);
            }
        }
    }
    DataTable { name: "Deprivation", headers, rows }
}

/// Unmet need: the whole area by condition, then every place, each largest first.
pub fn unmet_need(assessment: &NeedsAssessment) -> DataTable {
    let headers = vec![
        "scope",
        "indicator_id",
        "indicator",
        "place_code",
        "place_name",
        "recorded",
        "expected",
        "unmet",
        "unmet_share",
        "ratio",
        "ratio_lower95_0cl",
        "ratio_upper95_0cl",
        "ratio_lower99_8cl",
        "ratio_upper99_8cl",
    ];
    let row = |scope: &str, line: &UnmetNeedRow| {
        vec![
            Datum::text(scope),
            Datum::text(line.indicator.as_str()),
            Datum::text(&line.indicator_name),
            Datum::text(&line.place.code),
            Datum::text(&line.place.name),
            Datum::Number(Some(line.need.recorded)),
            Datum::Number(Some(line.need.expected)),
            Datum::Number(Some(line.need.unmet)),
            Datum::Number(Some(line.need.unmet_share)),
            Datum::Number(Some(line.need.ratio)),
            Datum::Number(line.need.ratio_lower95),
            Datum::Number(line.need.ratio_upper95),
            Datum::Number(line.need.ratio_lower998),
            Datum::Number(line.need.ratio_upper998),
        ]
    };
    let mut rows: Vec<Vec<Datum>> = assessment.unmet_need.iter().map(|line| row("area", line)).collect();
    rows.extend(assessment.unmet_need_by_place.iter().map(|line| row(assessment.level.code(), line)));
    DataTable { name: "Unmet need", headers, rows }
}

/// The funnel-plot limits around the benchmark for an indicator's places
/// (`calculate_funnel_limits`): proportions by Wilson inversion, rates by the Poisson
/// bisection, 100 points along the denominator axis.
pub fn funnel(indicator: &IndicatorAssessment) -> Result<Vec<FunnelRow>> {
    let places: Vec<_> =
        indicator.places.iter().filter(|p| p.value.value.is_some() && p.value.denominator > 0.0).collect();
    if places.len() < 2 {
        return Ok(Vec::new());
    }
    let numerator: Vec<f64> = places.iter().map(|p| p.value.count).collect();
    let denominator: Vec<Option<f64>> = places.iter().map(|p| Some(p.value.denominator)).collect();
    let rate: Vec<Option<f64>> = places.iter().map(|p| p.value.value).collect();
    let kind = match indicator.definition.method {
        IndicatorMethod::Proportion => FunnelKind::Proportion,
        IndicatorMethod::Dsr => FunnelKind::Rate { dsr: true, years: 1.0 },
        _ => FunnelKind::Rate { dsr: false, years: 1.0 },
    };
    funnel_limits(
        kind,
        FunnelData { numerator: &numerator, denominator: &denominator, rate: &rate },
        indicator.definition.multiplier,
    )
    .map_err(|error| AppError::Invalid(format!("funnel limits for {}: {error}", indicator.definition.id)))
}

/// The funnel limits as a table.
pub fn funnel_table(indicator: &IndicatorAssessment) -> Result<DataTable> {
    let rows = funnel(indicator)?
        .into_iter()
        .map(|row| {
            let mut cells = vec![Datum::Number(Some(row.axis)), Datum::Number(row.baseline)];
            cells.extend(row.limits.iter().map(|limit| Datum::Number(Some(*limit))));
            cells
        })
        .collect();
    Ok(DataTable {
        name: "Funnel",
        headers: vec!["denominator", "baseline", "lower_95", "upper_95", "lower_99_8", "upper_99_8"],
        rows,
    })
}

/// The whole assessment as an XLSX workbook: indicators, places, deprivation, unmet need
/// and the definitions used, one sheet each.
pub fn to_xlsx(assessment: &NeedsAssessment) -> Result<Vec<u8>> {
    let definitions = DataTable {
        name: "Definitions",
        headers: commissioning::plan::indicators::COLUMNS.to_vec(),
        rows: assessment
            .indicators
            .iter()
            .map(|indicator| indicator.definition.to_fields().into_iter().map(Datum::Text).collect())
            .collect(),
    };
    let about = DataTable {
        name: "About",
        headers: vec!["item", "value"],
        rows: [
            ("Area", format!("{} ({})", assessment.area.name, assessment.area.code)),
            ("Level", assessment.level.label().to_owned()),
            ("Confidence", "95% and 99.8% (Fingertips convention)".to_owned()),
            ("Methods", "PHEindicatormethods 2.x: Wilson, exact/Byar's, Dobson, phe_sii".to_owned()),
        ]
        .into_iter()
        .map(|(item, value)| vec![Datum::text(item), Datum::Text(value)])
        .chain(assessment.notes.iter().map(|note| vec![Datum::text("Note"), Datum::text(note)]))
        .collect(),
    };
    workbook(&[
        about,
        overview(assessment),
        places(assessment, None),
        deprivation(assessment, None),
        unmet_need(assessment),
        definitions,
    ])
}

fn selected<'a>(
    assessment: &'a NeedsAssessment,
    only: Option<&'a str>,
) -> impl Iterator<Item = &'a IndicatorAssessment> {
    assessment.indicators.iter().filter(move |indicator| only.is_none_or(|id| indicator.definition.id.as_str() == id))
}
