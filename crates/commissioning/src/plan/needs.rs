//! Health needs assessment arithmetic: indicator values with 95% and 99.8% limits from the
//! counts of an area, comparison with a benchmark, the deprivation gradient with the slope
//! and relative index of inequality, and unmet need from expected against recorded
//! prevalence.
//!
//! Every statistic comes from [`crate::methods`], so a value here is the value
//! `commissioner methods` (and PHEindicatormethods) gives for the same counts. Nothing here
//! knows where the counts came from.
//!
//! **Expected prevalence.** Where no modelled (epidemiological) estimate is supplied, the
//! prevalence expected in an area is the benchmark's recorded prevalence in each IMD decile
//! applied to the area's population in that decile: an indirect standardisation by
//! deprivation (`calculate_ISRatio` with deciles as the bands). Recorded below expected, with
//! limits that exclude 1, suggests undiagnosed or unrecorded disease; the gap in people is
//! the estimated unmet need. See `docs/adr/0007-needs-assessment.md`.

use serde::{Deserialize, Serialize};

use crate::methods::dsr::{ESP2013, dsr};
use crate::methods::isr::{IsrInput, isr_ratio};
use crate::methods::rates::{proportion, rate};
use crate::methods::sii::{Quantile, SiiOptions, ValueType, sii};
use crate::methods::{Confidence, Limits, MethodError};
use crate::plan::indicators::{IndicatorMethod, Polarity};

/// The two levels Fingertips reports: 95% and 99.8%.
pub const LEVELS: [f64; 2] = [0.95, 0.998];

/// How an area compares with its benchmark at one confidence level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Significance {
    Better,
    Similar,
    Worse,
    /// Significantly higher, for an indicator with no better direction.
    Higher,
    /// Significantly lower, for an indicator with no better direction.
    Lower,
    /// No value, no limits or no benchmark to compare with.
    NotCompared,
}

impl Significance {
    pub fn label(self) -> &'static str {
        match self {
            Significance::Better => "Better",
            Significance::Similar => "Similar",
            Significance::Worse => "Worse",
            Significance::Higher => "Higher",
            Significance::Lower => "Lower",
            Significance::NotCompared => "Not compared",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Significance::Better => "better",
            Significance::Similar => "similar",
            Significance::Worse => "worse",
            Significance::Higher => "higher",
            Significance::Lower => "lower",
            Significance::NotCompared => "not_compared",
        }
    }
}

/// Compares an area's limits with the benchmark value, the way Fingertips does: the area
/// differs significantly when its interval excludes the benchmark (strictly).
pub fn compare(limits: &Limits, benchmark: Option<f64>, polarity: Polarity) -> Significance {
    let (Some(upper), Some(benchmark)) = (limits.upper, benchmark) else {
        return Significance::NotCompared;
    };
    // A missing lower limit is Byar's limit below zero: the interval reaches down to zero.
    if limits.lower.is_some_and(|lower| lower > benchmark) {
        oriented(true, polarity)
    } else if upper < benchmark {
        oriented(false, polarity)
    } else {
        Significance::Similar
    }
}

fn oriented(higher: bool, polarity: Polarity) -> Significance {
    match (polarity, higher) {
        (Polarity::HigherIsBetter, true) | (Polarity::LowerIsBetter, false) => Significance::Better,
        (Polarity::HigherIsBetter, false) | (Polarity::LowerIsBetter, true) => Significance::Worse,
        (Polarity::NoJudgement, true) => Significance::Higher,
        (Polarity::NoJudgement, false) => Significance::Lower,
    }
}

/// The counts behind an indicator for one area.
#[derive(Debug, Clone, PartialEq)]
pub enum Counts {
    /// A numerator and a denominator (a register and a list, events and a population).
    Total { count: f64, denominator: f64 },
    /// Events and population by ESP 2013 age band (and sex): entry `i` is `x[i]` events in a
    /// population of `n[i]` in band `band[i]` (0 for 0–4 up to 18 for 90+). Bands absent from
    /// the vectors, or with no population, are left out of the standardisation (so an
    /// under-75 indicator is standardised on the under-75 bands).
    Banded { x: Vec<f64>, n: Vec<f64>, band: Vec<usize> },
}

impl Counts {
    pub fn count(&self) -> f64 {
        match self {
            Counts::Total { count, .. } => *count,
            Counts::Banded { x, .. } => x.iter().sum(),
        }
    }

    pub fn denominator(&self) -> f64 {
        match self {
            Counts::Total { denominator, .. } => *denominator,
            Counts::Banded { n, .. } => n.iter().sum(),
        }
    }
}

/// An indicator's value for one area with limits at 95% and 99.8%.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorValue {
    pub count: f64,
    pub denominator: f64,
    /// `None` when the method suppresses it (a DSR on fewer than 10 events) or the
    /// denominator is zero.
    pub value: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
    pub lower998: Option<f64>,
    pub upper998: Option<f64>,
}

impl IndicatorValue {
    pub fn limits(&self, level: f64) -> Limits {
        if level == 0.95 {
            Limits { level, lower: self.lower95, upper: self.upper95 }
        } else {
            Limits { level, lower: self.lower998, upper: self.upper998 }
        }
    }

    fn from_limits(count: f64, denominator: f64, value: Option<f64>, limits: &[Limits]) -> IndicatorValue {
        IndicatorValue {
            count,
            denominator,
            value,
            lower95: limits[0].lower,
            upper95: limits[0].upper,
            lower998: limits[1].lower,
            upper998: limits[1].upper,
        }
    }

    fn missing(count: f64, denominator: f64) -> IndicatorValue {
        IndicatorValue { count, denominator, value: None, lower95: None, upper95: None, lower998: None, upper998: None }
    }
}

/// Computes an indicator from an area's counts. A DSR needs banded counts; totals for a DSR
/// indicator are refused, since a crude rate is not the same statistic.
pub fn evaluate(method: IndicatorMethod, multiplier: f64, counts: &Counts) -> Result<IndicatorValue, MethodError> {
    let (count, denominator) = (counts.count(), counts.denominator());
    if denominator <= 0.0 {
        return Ok(IndicatorValue::missing(count, denominator));
    }
    match (method, counts) {
        (IndicatorMethod::Proportion, _) => {
            let result = proportion(Some(count), Some(denominator), Some(Confidence::Both), multiplier)?;
            Ok(IndicatorValue::from_limits(count, denominator, result.value, &result.limits))
        }
        (IndicatorMethod::Rate, _) => {
            let result = rate(Some(count), Some(denominator), Confidence::Both, multiplier)?;
            Ok(IndicatorValue::from_limits(count, denominator, result.value, &result.limits))
        }
        (IndicatorMethod::Dsr, Counts::Banded { x, n, band }) => {
            if x.len() != n.len() || x.len() != band.len() || band.iter().any(|b| *b >= ESP2013.len()) {
                return Err(MethodError::invalid(format!(
                    "a directly standardised rate needs counts and populations in the {} ESP 2013 age bands",
                    ESP2013.len()
                )));
            }
            let (mut xs, mut ns, mut ws) = (Vec::new(), Vec::new(), Vec::new());
            for idx in 0..x.len() {
                if n[idx] > 0.0 {
                    xs.push(Some(x[idx]));
                    ns.push(Some(n[idx]));
                    ws.push(Some(ESP2013[band[idx]]));
                }
            }
            if xs.is_empty() {
                return Ok(IndicatorValue::missing(count, denominator));
            }
            let result = dsr(&xs, &ns, &ws, Confidence::Both, multiplier)?;
            Ok(IndicatorValue::from_limits(count, denominator, result.value, &result.limits))
        }
        (IndicatorMethod::Dsr, Counts::Total { .. }) => Err(MethodError::invalid(
            "a directly standardised rate needs counts and populations by age band and sex, not totals",
        )),
        (other, _) => {
            Err(MethodError::invalid(format!("{} indicators cannot be computed from counts by area", other.code())))
        }
    }
}

/// Counts in one deprivation group: an IMD decile (1–10) or quintile (1–5), 1 the most
/// deprived.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCounts {
    pub group: u8,
    pub counts: Counts,
}

/// The indicator in each deprivation group, and the slope and relative index of inequality
/// across them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gradient {
    /// (group, value), most deprived first.
    pub groups: Vec<(u8, IndicatorValue)>,
    /// Absent when fewer than five groups have a value.
    pub inequality: Option<Inequality>,
}

/// The SII (the modelled difference between the most and least deprived ends, in the
/// indicator's units) and RII, with simulated 95% limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Inequality {
    pub sii: f64,
    pub sii_lower95: Option<f64>,
    pub sii_upper95: Option<f64>,
    pub rii: f64,
    pub rii_lower95: Option<f64>,
    pub rii_upper95: Option<f64>,
}

/// Repetitions of the SII simulation: the reference's default.
pub const SII_REPETITIONS: usize = 100_000;

/// The indicator by group and its SII and RII (`phe_sii` with the values' 95% limits and the
/// groups' denominators as populations, most deprived first, seed 1).
pub fn gradient(method: IndicatorMethod, multiplier: f64, groups: &[GroupCounts]) -> Result<Gradient, MethodError> {
    let mut values = Vec::new();
    for group in groups {
        values.push((group.group, evaluate(method, multiplier, &group.counts)?));
    }
    values.sort_by_key(|(decile, _)| *decile);
    let usable: Vec<&(u8, IndicatorValue)> = values
        .iter()
        .filter(|(_, v)| v.value.is_some() && v.lower95.is_some() && v.upper95.is_some() && v.denominator > 0.0)
        .collect();
    let inequality = if usable.len() >= 5 {
        let quantiles: Vec<Quantile> = usable
            .iter()
            .map(|(_, v)| Quantile {
                population: v.denominator,
                value: v.value,
                x: None,
                se: None,
                lower_cl: v.lower95,
                upper_cl: v.upper95,
            })
            .collect();
        let value_type = match method {
            IndicatorMethod::Proportion => ValueType::Proportion,
            _ => ValueType::Rate,
        };
        let options = SiiOptions {
            value_type,
            // Proportions are given to phe_sii in their own units; the multiplier rescales them.
            multiplier: 1.0,
            repetitions: SII_REPETITIONS,
            confidence: vec![0.95],
            ..SiiOptions::default()
        };
        let scaled: Vec<Quantile> = if value_type == ValueType::Proportion {
            quantiles
                .iter()
                .map(|q| Quantile {
                    value: q.value.map(|v| v / multiplier),
                    lower_cl: q.lower_cl.map(|v| v / multiplier),
                    upper_cl: q.upper_cl.map(|v| v / multiplier),
                    ..*q
                })
                .collect()
        } else {
            quantiles
        };
        let result = sii(&scaled, &options)?;
        let rescale = if value_type == ValueType::Proportion { multiplier } else { 1.0 };
        Some(Inequality {
            sii: result.sii * rescale,
            sii_lower95: result.sii_limits[0].lower.map(|v| v * rescale),
            sii_upper95: result.sii_limits[0].upper.map(|v| v * rescale),
            rii: result.rii,
            rii_lower95: result.rii_limits[0].lower,
            rii_upper95: result.rii_limits[0].upper,
        })
    } else {
        None
    };
    Ok(Gradient { groups: values, inequality })
}

/// The benchmark's register and list in one decile, the standard for expected prevalence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecileStandard {
    pub decile: u8,
    pub register: f64,
    pub list: f64,
}

/// Recorded against expected prevalence for one area.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UnmetNeed {
    pub recorded: f64,
    pub expected: f64,
    /// Expected minus recorded: people estimated to have the condition but not on a register.
    /// Negative when more are recorded than expected.
    pub unmet: f64,
    /// `unmet` as a share of `expected` (0–1).
    pub unmet_share: f64,
    /// Recorded ÷ expected with exact (fewer than 10 recorded) or Byar's limits.
    pub ratio: f64,
    pub ratio_lower95: Option<f64>,
    pub ratio_upper95: Option<f64>,
    pub ratio_lower998: Option<f64>,
    pub ratio_upper998: Option<f64>,
}

/// Expected prevalence by deprivation: `list_by_decile` is the area's denominator in each
/// decile, `standard` the benchmark's register and list in each decile. Deciles the standard
/// lacks add nothing to the expected count (as `calculate_ISRatio` treats a missing
/// reference). `None` when nothing is expected.
pub fn unmet_need(
    recorded: f64,
    list_by_decile: &[(u8, f64)],
    standard: &[DecileStandard],
) -> Result<Option<UnmetNeed>, MethodError> {
    let mut n = Vec::with_capacity(standard.len());
    let mut x_ref = Vec::with_capacity(standard.len());
    let mut n_ref = Vec::with_capacity(standard.len());
    for band in standard {
        let local: f64 = list_by_decile.iter().filter(|(d, _)| *d == band.decile).map(|(_, list)| list).sum();
        n.push(Some(local));
        x_ref.push(Some(band.register));
        n_ref.push(Some(band.list));
    }
    let input = IsrInput { x: &[], n: &n, x_ref: &x_ref, n_ref: &n_ref, observed_total: Some(recorded) };
    let result = isr_ratio(input, Confidence::Both, 1.0)?;
    let Some(ratio) = result.value else {
        return Ok(None);
    };
    let unmet = result.expected - recorded;
    Ok(Some(UnmetNeed {
        recorded,
        expected: result.expected,
        unmet,
        unmet_share: unmet / result.expected,
        ratio,
        ratio_lower95: result.limits[0].lower,
        ratio_upper95: result.limits[0].upper,
        ratio_lower998: result.limits[1].lower,
        ratio_upper998: result.limits[1].upper,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(lower: Option<f64>, upper: Option<f64>) -> Limits {
        Limits { level: 0.95, lower, upper }
    }

    /// Fingertips' rule: significantly different when the interval excludes the benchmark.
    #[test]
    fn comparison_with_the_benchmark_follows_polarity() {
        let cases = [
            (Some(11.0), Some(12.0), Polarity::HigherIsBetter, Significance::Better),
            (Some(11.0), Some(12.0), Polarity::LowerIsBetter, Significance::Worse),
            (Some(11.0), Some(12.0), Polarity::NoJudgement, Significance::Higher),
            (Some(8.0), Some(9.0), Polarity::HigherIsBetter, Significance::Worse),
            (Some(8.0), Some(9.0), Polarity::NoJudgement, Significance::Lower),
            (Some(9.0), Some(11.0), Polarity::LowerIsBetter, Significance::Similar),
            // An interval touching the benchmark is not significant.
            (Some(10.0), Some(11.0), Polarity::HigherIsBetter, Significance::Similar),
            (None, Some(9.0), Polarity::LowerIsBetter, Significance::Better),
            (None, Some(12.0), Polarity::LowerIsBetter, Significance::Similar),
            (Some(1.0), None, Polarity::LowerIsBetter, Significance::NotCompared),
        ];
        for (lower, upper, polarity, expected) in cases {
            assert_eq!(compare(&limits(lower, upper), Some(10.0), polarity), expected, "{lower:?} {upper:?}");
        }
        assert_eq!(compare(&limits(Some(1.0), Some(2.0)), None, Polarity::NoJudgement), Significance::NotCompared);
    }

    /// The values are the methods' own: checked against `commissioner methods proportion`
    /// and `dsr` (whose expectations come from PHEindicatormethods).
    #[test]
    fn evaluation_uses_the_reference_methods() {
        let value =
            evaluate(IndicatorMethod::Proportion, 100.0, &Counts::Total { count: 65.0, denominator: 100.0 }).unwrap();
        let direct = proportion(Some(65.0), Some(100.0), Some(Confidence::Both), 100.0).unwrap();
        assert_eq!(value.value, direct.value);
        assert_eq!(value.lower998, direct.limits[1].lower);
        let x: Vec<f64> = (0..38).map(|i| (i % 19) as f64 * 3.0).collect();
        let n: Vec<f64> = (0..38).map(|i| 1000.0 + (i * 37 % 500) as f64).collect();
        let band: Vec<usize> = (0..38).map(|i| i % 19).collect();
        let banded =
            evaluate(IndicatorMethod::Dsr, 100_000.0, &Counts::Banded { x: x.clone(), n: n.clone(), band }).unwrap();
        let weights: Vec<Option<f64>> = ESP2013.iter().chain(ESP2013.iter()).map(|w| Some(*w)).collect();
        let some = |v: &[f64]| v.iter().map(|v| Some(*v)).collect::<Vec<_>>();
        let direct = dsr(&some(&x), &some(&n), &weights, Confidence::Both, 100_000.0).unwrap();
        assert_eq!(banded.value, direct.value);
        assert_eq!(banded.upper95, direct.limits[0].upper);
        assert!(evaluate(IndicatorMethod::Dsr, 1e5, &Counts::Total { count: 1.0, denominator: 2.0 }).is_err());
        let empty = evaluate(IndicatorMethod::Rate, 1e5, &Counts::Total { count: 0.0, denominator: 0.0 }).unwrap();
        assert_eq!(empty.value, None);
    }

    /// With the area's deciles at the standard's rates, expected equals what the standard
    /// predicts: 1,000 people in decile 1 at 10% and 1,000 in decile 10 at 5% expect 150.
    #[test]
    fn unmet_need_is_expected_minus_recorded() {
        let standard = [
            DecileStandard { decile: 1, register: 100.0, list: 1000.0 },
            DecileStandard { decile: 10, register: 50.0, list: 1000.0 },
        ];
        let need = unmet_need(120.0, &[(1, 1000.0), (10, 1000.0)], &standard).unwrap().unwrap();
        assert!((need.expected - 150.0).abs() < 1e-9);
        assert!((need.unmet - 30.0).abs() < 1e-9);
        assert!((need.unmet_share - 0.2).abs() < 1e-12);
        assert!((need.ratio - 0.8).abs() < 1e-12);
        // Byar's limits for 120 observed, divided by the 150 expected.
        let lower = crate::methods::counts::byars_lower(120.0, 0.95).unwrap().unwrap() / 150.0;
        assert!((need.ratio_lower95.unwrap() - lower).abs() < 1e-12);
        assert!(need.ratio_upper95.unwrap() < 1.0, "120 recorded against 150 expected is significantly low");
        assert_eq!(unmet_need(5.0, &[(3, 100.0)], &standard).unwrap(), None);
    }

    #[test]
    fn the_gradient_measures_inequality_across_deciles() {
        // Prevalence falling from 20% in decile 1 to 11% in decile 10.
        let deciles: Vec<GroupCounts> = (1..=10u8)
            .map(|d| GroupCounts {
                group: d,
                counts: Counts::Total { count: 2000.0 - 100.0 * f64::from(d - 1), denominator: 10_000.0 },
            })
            .collect();
        let gradient = gradient(IndicatorMethod::Proportion, 100.0, &deciles).unwrap();
        assert_eq!(gradient.groups.len(), 10);
        let inequality = gradient.inequality.unwrap();
        // A straight line through equal-sized deciles: the slope across the whole range is
        // 10 deciles × −1 percentage point = −10.
        assert!((inequality.sii + 10.0).abs() < 1e-6, "{}", inequality.sii);
        assert!(inequality.sii_lower95.unwrap() < inequality.sii && inequality.sii < inequality.sii_upper95.unwrap());
        assert!(inequality.rii < 1.0);
        let few = gradient_of(&deciles[..4]);
        assert!(few.inequality.is_none());
    }

    fn gradient_of(deciles: &[GroupCounts]) -> Gradient {
        gradient(IndicatorMethod::Proportion, 100.0, deciles).unwrap()
    }
}
