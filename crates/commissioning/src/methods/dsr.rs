//! Directly standardised rates with Dobson limits (`calculate_dsr`), for independent events
//! and for people who can have the event more than once.

use crate::methods::confidence::z_for;
use crate::methods::counts::{byars_lower_z, byars_upper_z};
use crate::methods::rates::format_multiplier;
use crate::methods::{Confidence, Limits, MethodError};

/// The 2013 European Standard Population in the 19 bands 0–4, 5–9, …, 85–89, 90+.
pub const ESP2013: [f64; 19] = [
    5000.0, 5500.0, 5500.0, 5500.0, 6000.0, 6000.0, 6500.0, 7000.0, 7000.0, 7000.0, 7000.0, 6500.0, 6000.0, 5500.0,
    5000.0, 4000.0, 2500.0, 1500.0, 1000.0,
];

/// One DSR result for a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Dsr {
    pub total_count: f64,
    pub total_pop: f64,
    /// `None` when fewer than 10 events were observed.
    pub value: Option<f64>,
    pub limits: Vec<Limits>,
    pub statistic: String,
    pub method: &'static str,
}

const METHOD: &str = "Dobson";
const METHOD_NON_INDEPENDENT: &str = "Dobson, with confidence adjusted for non-independent events";

/// A DSR for independent events: one row per standardisation band.
pub fn dsr(
    x: &[Option<f64>],
    n: &[Option<f64>],
    stdpop: &[Option<f64>],
    confidence: Confidence,
    multiplier: f64,
) -> Result<Dsr, MethodError> {
    let bands = check(x, n, stdpop)?;
    let total_weight: f64 = bands.iter().map(|band| band.weight).sum();
    let total_count: f64 = bands.iter().map(|band| band.x).sum();
    let weighted: f64 = bands.iter().map(|band| band.x * band.weight / band.n).sum();
    let variance: f64 =
        bands.iter().map(|band| band.x * (band.weight / band.n).powi(2)).sum::<f64>() / total_weight.powi(2);
    let total_pop = bands.iter().map(|band| band.n).sum();
    Ok(finish(total_count, total_pop, weighted / total_weight, variance, confidence, multiplier, METHOD))
}

/// One row of a non-independent DSR: the people in an age band who had the event `eventfreq` times.
#[derive(Debug, Clone, PartialEq)]
pub struct FrequencyRow {
    pub ageband: String,
    pub eventfreq: f64,
    /// Unique people with this frequency; missing counts as zero.
    pub x: Option<f64>,
    pub n: Option<f64>,
    pub stdpop: Option<f64>,
}

/// A DSR for non-independent events: events = Σ k·persons_k and variance = Σ k²·var_k, where
/// var_k is the Dobson variance from the people with frequency k.
pub fn dsr_non_independent(rows: &[FrequencyRow], confidence: Confidence, multiplier: f64) -> Result<Dsr, MethodError> {
    let x: Vec<Option<f64>> = rows.iter().map(|row| row.x).collect();
    let n: Vec<Option<f64>> = rows.iter().map(|row| row.n).collect();
    let stdpop: Vec<Option<f64>> = rows.iter().map(|row| row.stdpop).collect();
    check(&x, &n, &stdpop)?;
    if let Some(row) = rows.iter().find(|row| row.eventfreq.is_nan() || row.eventfreq < 1.0) {
        return Err(MethodError::invalid(format!("eventfreq must be 1 or more, found {}", row.eventfreq)));
    }
    // Each age band must carry one population and one standard population.
    let mut bands: Vec<(&str, f64, f64, f64)> = Vec::new();
    for row in rows {
        let (n, weight) = (row.n.unwrap_or_default(), row.stdpop.unwrap_or_default());
        let events = row.x.unwrap_or(0.0) * row.eventfreq;
        match bands.iter_mut().find(|band| band.0 == row.ageband) {
            Some(band) if band.1 != n || band.2 != weight => {
                return Err(MethodError::invalid(format!(
                    "rows for age band {} must all have the same n and stdpop",
                    row.ageband
                )));
            }
            Some(band) => band.3 += events,
            None => bands.push((&row.ageband, n, weight, events)),
        }
    }
    let total_weight: f64 = bands.iter().map(|band| band.2).sum();
    let total_count: f64 = bands.iter().map(|band| band.3).sum();
    let weighted: f64 = bands.iter().map(|band| band.3 * band.2 / band.1).sum();
    let total_pop: f64 = bands.iter().map(|band| band.1).sum();
    let variance: f64 = rows
        .iter()
        .map(|row| {
            let (n, weight) = (row.n.unwrap_or_default(), row.stdpop.unwrap_or_default());
            row.eventfreq.powi(2) * row.x.unwrap_or(0.0) * (weight / n).powi(2)
        })
        .sum::<f64>()
        / total_weight.powi(2);
    Ok(finish(
        total_count,
        total_pop,
        weighted / total_weight,
        variance,
        confidence,
        multiplier,
        METHOD_NON_INDEPENDENT,
    ))
}

struct Band {
    x: f64,
    n: f64,
    weight: f64,
}

fn check(x: &[Option<f64>], n: &[Option<f64>], stdpop: &[Option<f64>]) -> Result<Vec<Band>, MethodError> {
    if x.len() != n.len() || x.len() != stdpop.len() {
        return Err(MethodError::invalid(format!(
            "x, n and stdpop must have the same length (found {}, {} and {})",
            x.len(),
            n.len(),
            stdpop.len()
        )));
    }
    if x.is_empty() {
        return Err(MethodError::invalid("at least one standardisation band is needed"));
    }
    if x.iter().flatten().any(|&x| x < 0.0) {
        return Err(MethodError::invalid("numerators must all be greater than or equal to zero"));
    }
    if n.iter().any(|n| !n.is_some_and(|n| n > 0.0)) {
        return Err(MethodError::invalid("denominators must all be greater than zero"));
    }
    if stdpop.iter().any(|w| !w.is_some_and(|w| w >= 0.0)) {
        return Err(MethodError::invalid("stdpop must all be greater than or equal to zero"));
    }
    Ok(x.iter()
        .zip(n)
        .zip(stdpop)
        .map(|((x, n), w)| Band { x: x.unwrap_or(0.0), n: n.unwrap_or_default(), weight: w.unwrap_or_default() })
        .collect())
}

fn finish(
    total_count: f64,
    total_pop: f64,
    rate: f64,
    variance: f64,
    confidence: Confidence,
    multiplier: f64,
    method: &'static str,
) -> Dsr {
    let levels = confidence.levels();
    if total_count < 10.0 {
        return Dsr {
            total_count,
            total_pop,
            value: None,
            limits: levels.into_iter().map(|level| Limits { level, lower: None, upper: None }).collect(),
            statistic: "dsr NA for total count < 10".to_owned(),
            method,
        };
    }
    let value = rate * multiplier;
    let spread = (variance / total_count).sqrt();
    let limits = levels
        .into_iter()
        .map(|level| {
            let z = z_for(level);
            Limits {
                level,
                lower: byars_lower_z(total_count, z).map(|lower| value + spread * (lower - total_count) * multiplier),
                upper: Some(value + spread * (byars_upper_z(total_count, z) - total_count) * multiplier),
            }
        })
        .collect();
    Dsr {
        total_count,
        total_pop,
        value: Some(value),
        limits,
        statistic: format!("dsr per {}", format_multiplier(multiplier)),
        method,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn close(actual: Option<f64>, expected: f64) {
        let actual = actual.expect("a value");
        let relative = ((actual - expected) / expected).abs();
        assert!(relative < 1e-12, "{actual} vs {expected}: relative error {relative:e}");
    }

    /// The ESP 2013 example used in METHODS.md and the README: deaths and populations by
    /// 19 bands; expected values from the METHODS.md formulas in R 4.2.2 (see
    /// `tests/methods/reference.R`).
    pub(crate) const EXAMPLE_X: [f64; 19] = [
        2.0, 1.0, 0.0, 3.0, 5.0, 6.0, 8.0, 12.0, 18.0, 27.0, 40.0, 61.0, 90.0, 130.0, 180.0, 240.0, 300.0, 340.0, 310.0,
    ];
    pub(crate) const EXAMPLE_N: [f64; 19] = [
        5200.0, 5600.0, 5700.0, 5900.0, 6400.0, 6600.0, 6900.0, 7100.0, 7000.0, 6800.0, 7300.0, 7200.0, 6500.0, 5900.0,
        5600.0, 4300.0, 3100.0, 2000.0, 1100.0,
    ];

    #[test]
    fn esp2013_sums_to_100000() {
        assert_eq!(ESP2013.iter().sum::<f64>(), 100_000.0);
    }

    #[test]
    fn dsr_matches_the_reference_formulas() {
        let x = EXAMPLE_X.map(Some);
        let n = EXAMPLE_N.map(Some);
        let w = ESP2013.map(Some);
        let result = dsr(&x, &n, &w, Confidence::Both, 100_000.0).unwrap();
        assert_eq!(result.total_count, 1773.0);
        close(result.value, DSR_VALUE);
        close(result.limits[0].lower, DSR_LOWER95);
        close(result.limits[0].upper, DSR_UPPER95);
        close(result.limits[1].lower, DSR_LOWER998);
        close(result.limits[1].upper, DSR_UPPER998);
        assert_eq!(result.statistic, "dsr per 100000");
    }

    const DSR_VALUE: f64 = 1_541.417_948_790_685_4;
    const DSR_LOWER95: f64 = 1_470.233_060_324_696;
    const DSR_UPPER95: f64 = 1_615.148_627_620_095_3;
    const DSR_LOWER998: f64 = 1_430.352_361_111_669_8;
    const DSR_UPPER998: f64 = 1_658.361_424_901_286;

    #[test]
    fn small_counts_are_suppressed() {
        let x = [Some(3.0), None, Some(6.0)];
        let n = [Some(100.0), Some(100.0), Some(100.0)];
        let w = [Some(1.0), Some(1.0), Some(1.0)];
        let result = dsr(&x, &n, &w, Confidence::One(0.95), 100.0).unwrap();
        assert_eq!(result.value, None);
        assert_eq!(result.statistic, "dsr NA for total count < 10");
    }

    #[test]
    fn bad_input_is_refused() {
        let ok = [Some(1.0)];
        assert!(dsr(&[Some(-1.0)], &ok, &ok, Confidence::One(0.95), 1.0).is_err());
        assert!(dsr(&ok, &[Some(0.0)], &ok, Confidence::One(0.95), 1.0).is_err());
        assert!(dsr(&ok, &[None], &ok, Confidence::One(0.95), 1.0).is_err());
        assert!(dsr(&ok, &ok, &[None], Confidence::One(0.95), 1.0).is_err());
        assert!(dsr(&ok, &[Some(1.0), Some(2.0)], &ok, Confidence::One(0.95), 1.0).is_err());
    }

    /// The package's calculate_dsr example 4: splitting the events into people with 1, 2 and
    /// 3 events keeps the value and widens the limits.
    #[test]
    fn non_independent_events_widen_the_limits_only() {
        let mut rows = Vec::new();
        for band in 0..19 {
            let obs = EXAMPLE_X[band];
            let f3 = (obs * 0.1 / 3.0).floor();
            let f2 = (obs * 0.2 / 2.0).floor();
            let f1 = obs - 3.0 * f3 - 2.0 * f2;
            for (freq, people) in [(1.0, f1), (2.0, f2), (3.0, f3)] {
                rows.push(FrequencyRow {
                    ageband: band.to_string(),
                    eventfreq: freq,
                    x: Some(people),
                    n: Some(EXAMPLE_N[band]),
                    stdpop: Some(ESP2013[band]),
                });
            }
        }
        let independent =
            dsr(&EXAMPLE_X.map(Some), &EXAMPLE_N.map(Some), &ESP2013.map(Some), Confidence::One(0.95), 100_000.0)
                .unwrap();
        let adjusted = dsr_non_independent(&rows, Confidence::One(0.95), 100_000.0).unwrap();
        close(adjusted.value, independent.value.unwrap());
        assert!(adjusted.limits[0].lower < independent.limits[0].lower);
        assert!(adjusted.limits[0].upper > independent.limits[0].upper);
        assert_eq!(adjusted.method, "Dobson, with confidence adjusted for non-independent events");
        rows[1].n = Some(1.0);
        assert!(dsr_non_independent(&rows, Confidence::One(0.95), 100_000.0).is_err());
    }
}

/// Many DSRs at once, as columns: for whole-country small-area work where building one
/// [`Dsr`] per group would cost more than the arithmetic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DsrColumns {
    pub total_count: Vec<f64>,
    /// NaN where the group had fewer than 10 events.
    pub value: Vec<f64>,
    pub lower95: Vec<f64>,
    pub upper95: Vec<f64>,
    pub lower998: Vec<f64>,
    pub upper998: Vec<f64>,
}

impl DsrColumns {
    pub fn with_len(groups: usize) -> Self {
        let column = || vec![f64::NAN; groups];
        Self {
            total_count: column(),
            value: column(),
            lower95: column(),
            upper95: column(),
            lower998: column(),
            upper998: column(),
        }
    }
}

/// DSRs with 95% and 99.8% Dobson limits for consecutive groups of `stdpop.len()` bands:
/// `x` and `n` hold group 0's bands, then group 1's, and so on. Every `n` must be positive
/// (the caller checks once for the whole table); results go into the columns from `offset`.
pub fn dsr_columns(x: &[f64], n: &[f64], stdpop: &[f64], multiplier: f64, out: &mut DsrColumns, offset: usize) {
    let bands = stdpop.len();
    let total_weight: f64 = stdpop.iter().sum();
    let (z95, z998) = (z_for(0.95), z_for(0.998));
    for (group, (xs, ns)) in x.chunks_exact(bands).zip(n.chunks_exact(bands)).enumerate() {
        let (mut weighted, mut squares, mut observed) = (0.0, 0.0, 0.0);
        for band in 0..bands {
            let ratio = stdpop[band] / ns[band];
            weighted += xs[band] * ratio;
            squares += xs[band] * ratio * ratio;
            observed += xs[band];
        }
        let row = offset + group;
        out.total_count[row] = observed;
        if observed < 10.0 {
            continue;
        }
        let value = weighted / total_weight * multiplier;
        let spread = (squares / (total_weight * total_weight) / observed).sqrt() * multiplier;
        out.value[row] = value;
        out.lower95[row] = byars_lower_z(observed, z95).map_or(f64::NAN, |l| value + spread * (l - observed));
        out.upper95[row] = value + spread * (byars_upper_z(observed, z95) - observed);
        out.lower998[row] = byars_lower_z(observed, z998).map_or(f64::NAN, |l| value + spread * (l - observed));
        out.upper998[row] = value + spread * (byars_upper_z(observed, z998) - observed);
    }
}

#[cfg(test)]
mod column_tests {
    use super::*;

    /// The columnar kernel gives the same numbers as the one-group function.
    #[test]
    fn columns_agree_with_single_groups() {
        let mut x = tests::EXAMPLE_X.to_vec();
        x.extend(tests::EXAMPLE_X.iter().map(|v| (v / 3.0f64).floor()));
        x.extend([0.0; 19]);
        let n: Vec<f64> = tests::EXAMPLE_N.iter().cycle().take(57).copied().collect();
        let mut out = DsrColumns::with_len(3);
        dsr_columns(&x, &n, &ESP2013, 100_000.0, &mut out, 0);
        for group in 0..3 {
            let xs: Vec<Option<f64>> = x[group * 19..(group + 1) * 19].iter().map(|&v| Some(v)).collect();
            let ns: Vec<Option<f64>> = n[group * 19..(group + 1) * 19].iter().map(|&v| Some(v)).collect();
            let one = dsr(&xs, &ns, &ESP2013.map(Some), Confidence::Both, 100_000.0).unwrap();
            let same = |a: Option<f64>, b: f64| match a {
                Some(a) => ((a - b) / a).abs() < 1e-14,
                None => b.is_nan(),
            };
            assert!(same(one.value, out.value[group]));
            assert!(same(one.limits[0].lower, out.lower95[group]));
            assert!(same(one.limits[1].upper, out.upper998[group]));
        }
        assert!(out.value[2].is_nan());
    }
}
