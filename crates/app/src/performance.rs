//! Monitor: providers' performance against national standards, read the "Making Data Count"
//! way — each organisation's monthly series as an SPC chart (NHSRplotthedots rules), its RAG
//! against the constitutional standard, and its variation and assurance icons; and the
//! importers of the public returns.
//!
//! Files:
//! - A&E attendances, the NHSRdatasets / NHS England layout
//!   `period,org_code,type,attendances,breaches[,admissions]` (type `1`, `2` or `other`):
//!   two metrics, 4-hour performance at type 1 departments and across all types;
//! - RTT completed pathways, `period,pathway,…,provider_code,…,treatment_function_code,
//!   wk_000_001…wk_104_plus,completed_known_clock_start,completed_all,…`: the share of
//!   admitted and non-admitted pathways together that stopped within 18 weeks, from the
//!   all-specialty total (`C_999`); and the weekly bands of every other treatment function
//!   for the capacity-planning view (`crate::rtt`).
//!
//! A provider sees only its own organisation's charts; the commissioner's staff see all.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use commissioning::access::{Action, Principal, Stage};
use commissioning::methods::spc::{Assurance, PointType, Spc, SpcOptions, spc};
use commissioning::monitor::standards::{self, Standard, in_force};
use commissioning::plan::rtt::WaitBands;
use store::performance::PerformanceRow;
use store::rtt::RttRow;

use crate::import::{CsvFile, ImportError, Seen};
use crate::{App, AppError, Result, authorize};

/// Metrics the importers write, with the file each comes from.
pub const AE_ALL: &str = "ae_4hr_all";
pub const AE_TYPE1: &str = "ae_4hr_type1";
pub const RTT_COMPLETED: &str = "rtt_completed_18wk";

/// One organisation's chart of a metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerformanceChart {
    pub org_code: String,
    pub org_name: String,
    pub metric: String,
    pub name: String,
    /// Period (month's first day), numerator, denominator.
    pub counts: Vec<(NaiveDate, i64, i64)>,
    /// The SPC chart of the percentages, with the planning target (or the standard) as
    /// target.
    pub spc: Spc,
    pub standard: Option<Standard>,
    pub planning: Option<Standard>,
    /// Whether the latest month met the standard.
    pub latest_meets_standard: Option<bool>,
}

impl PerformanceChart {
    pub fn latest(&self) -> f64 {
        *self.spc.y.last().expect("a chart has points")
    }

    /// The target the chart assures against: the planning target, else the standard.
    pub fn spc_target(&self) -> Option<f64> {
        self.planning.as_ref().or(self.standard.as_ref()).map(|s| s.threshold)
    }
}

/// A metric across organisations: each one's latest value and icons, and the "Making Data
/// Count" matrix of variation against assurance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerformanceOverview {
    pub metric: String,
    pub name: String,
    pub standard: Option<Standard>,
    pub planning: Option<Standard>,
    pub charts: Vec<PerformanceChart>,
    pub matrix: Vec<MatrixCell>,
}

/// One cell of a "Making Data Count" summary matrix: the variation of the latest point
/// against the assurance about the target, with what falls in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixCell {
    pub variation: PointType,
    /// `None` without a target (or with a neutral direction).
    pub assurance: Option<Assurance>,
    pub members: Vec<String>,
}

/// The summary matrix of named charts, cells in a fixed order (by variation, then assurance),
/// members in the order given.
pub fn mdc_matrix<'a>(charts: impl IntoIterator<Item = (String, &'a Spc)>) -> Vec<MatrixCell> {
    let mut cells: BTreeMap<(&'static str, &'static str), MatrixCell> = BTreeMap::new();
    for (name, spc) in charts {
        let key = (spc.variation_type.code(), spc.assurance_type.map(|a| a.code()).unwrap_or("none"));
        cells
            .entry(key)
            .or_insert_with(|| MatrixCell {
                variation: spc.variation_type,
                assurance: spc.assurance_type,
                members: Vec::new(),
            })
            .members
            .push(name);
    }
    cells.into_values().collect()
}

impl App {
    /// The metrics held, with their names and how many organisations report each.
    pub async fn performance_metrics(&self, principal: &Principal) -> Result<Vec<(String, String, i64)>> {
        authorize(Some(principal), &Action::ViewStage(Stage::Monitor))?;
        Ok(self
            .store()
            .performance_metrics()
            .await?
            .into_iter()
            .map(|(metric, n)| {
                let name = standards::name(&metric);
                (metric, name, n)
            })
            .collect())
    }

    /// Every organisation's chart of a metric (a provider's own only), by name.
    pub async fn performance_overview(&self, principal: &Principal, metric: &str) -> Result<PerformanceOverview> {
        authorize(Some(principal), &Action::ViewStage(Stage::Monitor))?;
        let own = (!principal.is_commissioner_side()).then(|| principal.organisation.to_string());
        let rows = self.store().performance(metric, own.as_deref()).await?;
        if rows.is_empty() && own.is_none() {
            return Err(AppError::NotFound);
        }
        let mut by_org: BTreeMap<String, Vec<PerformanceRow>> = BTreeMap::new();
        for row in rows {
            by_org.entry(row.org_code.clone()).or_default().push(row);
        }
        let names = self.organisation_names().await?;
        let mut charts = Vec::new();
        for (org, rows) in by_org {
            if rows.len() >= 2 {
                charts.push(chart(metric, &org, names.get(&org).cloned().or_else(|| source_name(&rows)), &rows)?);
            }
        }
        charts.sort_by(|a, b| a.org_name.cmp(&b.org_name).then_with(|| a.org_code.cmp(&b.org_code)));
        let matrix = mdc_matrix(charts.iter().map(|c| (format!("{} ({})", c.org_name, c.org_code), &c.spc)));
        let today = charts.iter().filter_map(|c| c.spc.x.last().copied()).max().unwrap_or_default();
        let (standard, planning) = in_force(metric, today);
        let name = standards::name(metric);
        Ok(PerformanceOverview { metric: metric.to_owned(), name, standard, planning, charts, matrix })
    }

    /// One organisation's chart of a metric.
    pub async fn performance_chart(&self, principal: &Principal, metric: &str, org: &str) -> Result<PerformanceChart> {
        authorize(Some(principal), &Action::ViewStage(Stage::Monitor))?;
        if !principal.is_commissioner_side() && principal.organisation.as_str() != org {
            return Err(AppError::NotFound);
        }
        let rows = self.store().performance(metric, Some(org)).await?;
        if rows.len() < 2 {
            return Err(AppError::NotFound);
        }
        let names = self.organisation_names().await?;
        let mut source_names = BTreeMap::new();
        for other in [AE_ALL, AE_TYPE1, RTT_COMPLETED] {
            if let Some(name) = source_name(&self.store().performance(other, Some(org)).await?) {
                source_names.insert(org.to_owned(), name);
            }
        }
        let name = names.get(org).or_else(|| source_names.get(org)).cloned();
        chart(metric, org, name, &rows)
    }

    pub(crate) async fn organisation_names(&self) -> Result<BTreeMap<String, String>> {
        Ok(self
            .store()
            .organisations(&store::org::OrgFilter::default())
            .await?
            .into_iter()
            .map(|org| (org.code.to_string(), org.name))
            .collect())
    }
}

/// The name a source gave an organisation, if any.
fn source_name(rows: &[PerformanceRow]) -> Option<String> {
    rows.iter().rev().map(|row| row.org_name.clone()).find(|name| !name.is_empty())
}

fn chart(metric: &str, org: &str, name: Option<String>, rows: &[PerformanceRow]) -> Result<PerformanceChart> {
    let mut counts = Vec::with_capacity(rows.len());
    for row in rows {
        let period = NaiveDate::parse_from_str(&row.period, "%Y-%m-%d")
            .map_err(|_| AppError::Invalid(format!("{org} {metric}: period '{}' is not a date", row.period)))?;
        counts.push((period, row.numerator, row.denominator));
    }
    counts.retain(|(_, _, denominator)| *denominator > 0);
    if counts.len() < 2 {
        return Err(AppError::NotFound);
    }
    let latest = counts.last().expect("two or more").0;
    let (standard, planning) = in_force(metric, latest);
    let target = planning.as_ref().or(standard.as_ref());
    let options = SpcOptions {
        improvement_direction: target.map_or(commissioning::methods::spc::Direction::Increase, |t| t.direction),
        target: target.map(|t| t.threshold),
        ..SpcOptions::default()
    };
    let x: Vec<NaiveDate> = counts.iter().map(|(period, _, _)| *period).collect();
    let y: Vec<f64> = counts.iter().map(|(_, n, d)| 100.0 * *n as f64 / *d as f64).collect();
    let spc = spc(&x, &y, &options).map_err(|error| AppError::Invalid(format!("{org} {metric}: {error}")))?;
    let latest_value = *y.last().expect("two or more");
    Ok(PerformanceChart {
        org_code: org.to_owned(),
        org_name: name.unwrap_or_else(|| org.to_owned()),
        metric: metric.to_owned(),
        name: standards::name(metric),
        counts,
        latest_meets_standard: standard.as_ref().map(|s| s.met(latest_value)),
        spc,
        standard,
        planning,
    })
}

fn month_start(text: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|date| date.day() == 1)
        .ok_or_else(|| format!("'{text}' is not a month's first day such as 2017-03-01"))
}

/// Reads A&E attendances into the two 4-hour metrics.
pub(crate) fn parse_ae_attendances(path: &Path) -> std::result::Result<(u64, Vec<PerformanceRow>), ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(&["period", "org_code", "type", "attendances", "breaches"], &["admissions"])?;
    let source = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let mut totals: BTreeMap<(String, String, String), (i64, i64)> = BTreeMap::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let period = row.parse("period", month_start)?;
        let org = row.required("org_code")?.to_ascii_uppercase();
        let kind = row.required("type")?.to_owned();
        if !matches!(kind.as_str(), "1" | "2" | "other") {
            return Err(row.error("type", format!("'{kind}' is not an A&E type: use 1, 2 or other")));
        }
        seen.check(row, "type", &format!("{period} {org} type {kind}"))?;
        let attendances = row.count("attendances")?;
        let breaches = row.count("breaches")?;
        if breaches > attendances {
            return Err(row.error("breaches", format!("{breaches} breaches is more than {attendances} attendances")));
        }
        let seen_in_time = attendances - breaches;
        let mut add = |metric: &str| {
            let entry = totals.entry((org.clone(), metric.to_owned(), period.to_string())).or_insert((0, 0));
            entry.0 += seen_in_time;
            entry.1 += attendances;
        };
        add(AE_ALL);
        if kind == "1" {
            add(AE_TYPE1);
        }
        Ok(())
    })?;
    let rows = totals
        .into_iter()
        .map(|((org_code, metric, period), (numerator, denominator))| PerformanceRow {
            org_code,
            metric,
            period,
            numerator,
            denominator,
            source: source.clone(),
            org_name: String::new(),
        })
        .collect();
    Ok((n_rows, rows))
}

/// What an RTT completed-pathways file holds: the 18-week metric per provider and month
/// (from the all-specialty rows, `C_999`) and the weekly bands per treatment function.
pub(crate) struct RttFile {
    pub n_rows: u64,
    pub performance: Vec<PerformanceRow>,
    pub pathways: Vec<RttRow>,
}

/// A provider's month of one pathway: its `C_999` total with the line it was on, and the sum
/// of its treatment functions.
type TotalCheck = (Option<(u64, WaitBands)>, WaitBands);

/// Reads RTT completed pathways. Every row's 105 week bands must add up to its
/// `completed_known_clock_start` (and those from 52 weeks to `total_52_plus_weeks` when
/// given): a file whose columns have slipped fails here, at the line and field. The
/// treatment functions of a provider's month must add up to its `C_999` total, which is then
/// used only for the 18-week metric, so nothing is counted twice.
pub(crate) fn parse_rtt_completed(path: &Path) -> std::result::Result<RttFile, ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let bands: Vec<String> = (0..104)
        .map(|week| format!("wk_{week:03}_{:03}", week + 1))
        .chain(std::iter::once("wk_104_plus".to_owned()))
        .collect();
    let mut required: Vec<&str> = vec![
        "period",
        "pathway",
        "provider_code",
        "treatment_function_code",
        "completed_known_clock_start",
        "completed_all",
    ];
    required.extend(bands.iter().map(String::as_str));
    let columns =
        file.columns(&required, &["provider_name", "region_code", "treatment_function_name", "total_52_plus_weeks"])?;
    let source = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let mut totals: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    // Per (period, pathway, provider): the C_999 bands with its line, and the specialties' sum.
    let mut check: BTreeMap<(String, String, String), TotalCheck> = BTreeMap::new();
    let mut pathways = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let period = row.parse("period", month_start)?;
        let pathway = row.required("pathway")?.to_owned();
        if !matches!(pathway.as_str(), "admitted" | "non_admitted") {
            return Err(row.error("pathway", format!("'{pathway}' is not admitted or non_admitted")));
        }
        let org = row.required("provider_code")?.to_ascii_uppercase();
        let function = row.required("treatment_function_code")?.to_owned();
        seen.check(row, "treatment_function_code", &format!("{period} {org} {pathway} {function}"))?;
        let mut counts = Vec::with_capacity(bands.len());
        for band in &bands {
            counts.push(row.count(band)? as u64);
        }
        let counts = WaitBands(counts);
        let known = row.count("completed_known_clock_start")?;
        if counts.total() as i64 != known {
            return Err(row.error(
                "completed_known_clock_start",
                format!(
                    "{known} does not equal the sum of the 105 week bands ({}); the columns look misaligned",
                    counts.total()
                ),
            ));
        }
        if let Some(over_52) = row.optional_count("total_52_plus_weeks")?
            && over_52 as u64 != counts.over(52)
        {
            return Err(row.error(
                "total_52_plus_weeks",
                format!(
                    "{over_52} does not equal the bands from 52 weeks ({}); the columns look misaligned",
                    counts.over(52)
                ),
            ));
        }
        let completed_all = row.count("completed_all")?;
        if completed_all < known {
            return Err(row.error(
                "completed_all",
                format!("{completed_all} is fewer than the {known} pathways with a known clock start"),
            ));
        }
        let name = row.text("provider_name");
        if !name.is_empty() {
            names.insert(org.clone(), title_case(name));
        }
        let entry = check
            .entry((period.to_string(), pathway.clone(), org.clone()))
            .or_insert_with(|| (None, WaitBands::zero()));
        if function == "C_999" {
            entry.0 = Some((row.line, counts.clone()));
            let total = totals.entry((org, period.to_string())).or_insert((0, 0));
            total.0 += counts.within(18) as i64;
            total.1 += known;
            return Ok(());
        }
        entry.1.add(&counts);
        pathways.push(RttRow {
            period: period.to_string(),
            pathway,
            provider_code: org,
            provider_name: row.text("provider_name").to_owned(),
            region_code: row.text("region_code").to_owned(),
            treatment_function_code: function,
            treatment_function_name: row.text("treatment_function_name").to_owned(),
            bands: counts.0,
            completed_all,
        });
        Ok(())
    })?;
    for ((period, pathway, org), (total, sum)) in &check {
        if let Some((line, total)) = total
            && total != sum
        {
            return Err(crate::import::located(
                path,
                Some(*line),
                Some("treatment_function_code"),
                format!(
                    "the C_999 total of {org} {pathway} {period} ({} pathways) is not the sum of its treatment functions ({})",
                    total.total(),
                    sum.total()
                ),
            ));
        }
    }
    let performance = totals
        .into_iter()
        .map(|((org_code, period), (numerator, denominator))| PerformanceRow {
            metric: RTT_COMPLETED.to_owned(),
            org_name: names.get(&org_code).cloned().unwrap_or_default(),
            org_code,
            period,
            numerator,
            denominator,
            source: source.clone(),
        })
        .collect();
    Ok(RttFile { n_rows, performance, pathways })
}

/// `BARTS HEALTH NHS TRUST` → `Barts Health NHS Trust`.
fn title_case(name: &str) -> String {
    name.split_whitespace()
        .enumerate()
        .map(|(i, word)| match word {
            "NHS" | "UK" => word.to_owned(),
            "AND" | "OF" | "THE" | "FOR" if i > 0 => word.to_ascii_lowercase(),
            _ => {
                let lower = word.to_ascii_lowercase();
                let mut chars = lower.chars();
                chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn source_names_read_as_names() {
        assert_eq!(super::title_case("THE ROYAL WOLVERHAMPTON NHS TRUST"), "The Royal Wolverhampton NHS Trust");
        assert_eq!(super::title_case("BARTS HEALTH NHS TRUST"), "Barts Health NHS Trust");
        assert_eq!(
            super::title_case("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST"),
            "Guy's and St Thomas' NHS Foundation Trust"
        );
    }
}
