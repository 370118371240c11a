//! Funnel-plot control limits and significance (`calculate_funnel_limits`,
//! `assign_funnel_significance`) for proportions, ratios and rates.
//!
//! The limits are drawn at 100 points along the x axis; proportions use a closed-form
//! Wilson-type inversion around the baseline, ratios and rates find, for each observed count,
//! the expected count whose Poisson tail probability is 0.025 or 0.001 by the same bisection
//! the PHE Excel tool uses (so the results agree to the last digit, not just to 1e-7).

use crate::methods::MethodError;
use crate::methods::counts::{byars_lower_z, byars_upper_z, exact_lower, exact_upper};
use crate::methods::dist::{gamma_p, ppois, qnorm};

/// What is being plotted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FunnelKind {
    Proportion,
    /// A ratio of observed to expected; `isr` reports O/E × 100 instead of O/E − 1.
    Ratio {
        isr: bool,
    },
    /// A crude or directly standardised rate over `years` of data.
    Rate {
        dsr: bool,
        years: f64,
    },
}

/// The areas being compared: numerators, denominators and (for rates) the rates themselves.
#[derive(Debug, Clone, Copy)]
pub struct FunnelData<'a> {
    pub numerator: &'a [f64],
    pub denominator: &'a [Option<f64>],
    pub rate: &'a [Option<f64>],
}

/// One point of the funnel: the x-axis value and the four limits (lower and upper at 95%,
/// then at 99.8%). For ratios `aux` holds the expected events at each limit and for rates the
/// population per year; proportions and rates also carry the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelRow {
    pub axis: f64,
    pub aux: Option<[f64; 4]>,
    pub limits: [f64; 4],
    pub baseline: Option<f64>,
}

/// The significance labels, in the reference's factor order.
pub const LABELS: [&str; 6] = [
    "High (0.001)",
    "High (0.025)",
    "Low (0.001)",
    "Low (0.025)",
    "Not significant",
    "Not applicable for events less than 10 for dsrs",
];

/// Control limits at 100 points along the axis.
pub fn funnel_limits(kind: FunnelKind, data: FunnelData<'_>, multiplier: f64) -> Result<Vec<FunnelRow>, MethodError> {
    validate(kind, data)?;
    let denominators = derived_denominators(kind, data, multiplier)?;
    let present: Vec<f64> = denominators.iter().flatten().copied().collect();
    if present.is_empty() {
        return Err(MethodError::invalid("at least one area with a denominator is needed"));
    }
    let average = data.numerator.iter().sum::<f64>() / present.iter().sum::<f64>();
    let min = present.iter().copied().fold(f64::INFINITY, f64::min);
    let max = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let years = if let FunnelKind::Rate { years, .. } = kind { years } else { 1.0 };
    let mut axis_min = if max > 2.0 * min { 0.0 } else { signif_floor(min / years) * years };
    let mut axis_max = signif_ceiling(max / years) * years;
    if matches!(kind, FunnelKind::Rate { .. }) {
        axis_min = (axis_min * average).floor();
        axis_max = (axis_max * average).ceil();
    }
    let offset = if matches!(kind, FunnelKind::Ratio { .. }) { 1.0 } else { 0.0 };
    let mut axis = vec![axis_min.max(1.0)];
    for j in 2..=100 {
        let previous = axis[axis.len() - 1];
        let step = (axis_max / previous).powf(1.0 / (101.0 - (f64::from(j) - offset))) * previous;
        axis.push(step.round_ties_even().max(previous + 1.0));
    }
    let rows = axis
        .into_iter()
        .map(|point| match kind {
            FunnelKind::Proportion => {
                let limit = |p: f64, high: bool| sigma_adjustment(p, point, average, high, multiplier);
                FunnelRow {
                    axis: point,
                    aux: None,
                    limits: [
                        limit(0.975, false).max(0.0),
                        limit(0.975, true).min(100.0),
                        limit(0.999, false).max(0.0),
                        limit(0.999, true).min(100.0),
                    ],
                    baseline: Some(average * multiplier),
                }
            }
            FunnelKind::Ratio { isr } => {
                let expected = expected_at_limits(point);
                let scale = |e: f64| if isr { point / e * 100.0 } else { point / e - 1.0 };
                FunnelRow { axis: point, aux: Some(expected), limits: expected.map(scale), baseline: None }
            }
            FunnelKind::Rate { years, .. } => {
                let population = expected_at_limits(point).map(|e| e / average);
                FunnelRow {
                    axis: point,
                    aux: Some(population.map(|p| p / years)),
                    limits: population.map(|p| point / p * multiplier),
                    baseline: Some(average * multiplier),
                }
            }
        })
        .collect();
    Ok(rows)
}

/// Labels each area `High`/`Low` at 0.001 or 0.025, or `Not significant`; strict inequalities.
pub fn funnel_significance(
    kind: FunnelKind,
    data: FunnelData<'_>,
    multiplier: f64,
) -> Result<Vec<&'static str>, MethodError> {
    validate(kind, data)?;
    let label = |high3: bool, high2: bool, low3: bool, low2: bool| {
        if high3 {
            LABELS[0]
        } else if high2 {
            LABELS[1]
        } else if low3 {
            LABELS[2]
        } else if low2 {
            LABELS[3]
        } else {
            LABELS[4]
        }
    };
    match kind {
        FunnelKind::Proportion => {
            let denominators: Vec<f64> = data.denominator.iter().map(|d| d.unwrap_or(f64::NAN)).collect();
            let average = data.numerator.iter().sum::<f64>() / denominators.iter().sum::<f64>();
            Ok(data
                .numerator
                .iter()
                .zip(&denominators)
                .map(|(&x, &n)| {
                    let p = x / n;
                    let limit = |q: f64, high: bool| sigma_adjustment(q, n, average, high, 1.0);
                    // The reference tests the low side first; the sides cannot both hold.
                    if p < limit(0.999, false) {
                        LABELS[2]
                    } else if p < limit(0.975, false) {
                        LABELS[3]
                    } else {
                        label(p > limit(0.999, true), p > limit(0.975, true), false, false)
                    }
                })
                .collect())
        }
        FunnelKind::Ratio { .. } => Ok(data
            .numerator
            .iter()
            .zip(data.denominator)
            .map(|(&observed, expected)| {
                let expected = expected.unwrap_or(f64::NAN);
                label(
                    1.0 < ratio_test(observed, expected, 0.998, false),
                    1.0 < ratio_test(observed, expected, 0.95, false),
                    1.0 > ratio_test(observed, expected, 0.998, true),
                    1.0 > ratio_test(observed, expected, 0.95, true),
                )
            })
            .collect()),
        FunnelKind::Rate { dsr, .. } => {
            let denominators = derived_denominators(kind, data, multiplier)?;
            let average = data.numerator.iter().sum::<f64>() / denominators.iter().flatten().copied().sum::<f64>();
            Ok(data
                .numerator
                .iter()
                .zip(&denominators)
                .map(|(&events, denominator)| {
                    if dsr && events < 10.0 {
                        return LABELS[5];
                    }
                    // A missing derived denominator makes every comparison NA: not significant.
                    let Some(denominator) = *denominator else { return LABELS[4] };
                    label(
                        average < ratio_test(events, denominator, 0.998, false),
                        average < ratio_test(events, denominator, 0.95, false),
                        average > ratio_test(events, denominator, 0.998, true),
                        average > ratio_test(events, denominator, 0.95, true),
                    )
                })
                .collect())
        }
    }
}

fn validate(kind: FunnelKind, data: FunnelData<'_>) -> Result<(), MethodError> {
    let rows = data.numerator.len();
    if rows == 0 {
        return Err(MethodError::invalid("at least one area is needed"));
    }
    let needs_denominator = !matches!(kind, FunnelKind::Rate { .. });
    if (needs_denominator || !data.denominator.is_empty()) && data.denominator.len() != rows {
        return Err(MethodError::invalid(format!(
            "numerator and denominator must have the same length (found {rows} and {})",
            data.denominator.len()
        )));
    }
    if let FunnelKind::Rate { years, .. } = kind {
        if data.rate.len() != rows {
            return Err(MethodError::invalid(format!(
                "numerator and rate must have the same length (found {rows} and {})",
                data.rate.len()
            )));
        }
        if years.is_nan() || years <= 0.0 {
            return Err(MethodError::invalid("years_of_data must be greater than zero"));
        }
        if data.denominator.is_empty() && data.numerator.contains(&0.0) {
            return Err(MethodError::invalid(
                "for rates, where there are 0 events for a record, the denominator field needs to be provided using the denominator argument",
            ));
        }
    }
    if data.numerator.iter().any(|&x| x < 0.0 || x.is_nan()) {
        return Err(MethodError::invalid("numerators must be greater than or equal to zero"));
    }
    if data.denominator.iter().flatten().any(|&n| n <= 0.0) {
        return Err(MethodError::invalid("denominators must be greater than zero"));
    }
    if needs_denominator && data.denominator.iter().any(Option::is_none) {
        return Err(MethodError::invalid("denominators must be greater than zero"));
    }
    if kind == FunnelKind::Proportion
        && data.numerator.iter().zip(data.denominator).any(|(&x, n)| n.is_some_and(|n| x > n))
    {
        return Err(MethodError::invalid(
            "numerators must be less than or equal to denominator for a proportion statistic",
        ));
    }
    Ok(())
}

/// For rates the denominator comes from the rate (multiplier × events / rate); for a DSR with
/// no events it is missing, for a crude rate it falls back to the given denominator.
fn derived_denominators(
    kind: FunnelKind,
    data: FunnelData<'_>,
    multiplier: f64,
) -> Result<Vec<Option<f64>>, MethodError> {
    let FunnelKind::Rate { dsr, .. } = kind else {
        return Ok(data.denominator.to_vec());
    };
    data.numerator
        .iter()
        .enumerate()
        .map(|(row, &events)| {
            if events == 0.0 {
                return Ok(if dsr { None } else { data.denominator.get(row).copied().flatten() });
            }
            match data.rate[row] {
                Some(rate) if rate > 0.0 => Ok(Some(multiplier * events / rate)),
                _ => Err(MethodError::invalid(format!("row {}: a rate greater than zero is needed", row + 1))),
            }
        })
        .collect()
}

/// The proportion (× multiplier) at which a population of `population` sits on the `p`
/// one-sided limit around `average`.
pub fn sigma_adjustment(p: f64, population: f64, average: f64, high: bool, multiplier: f64) -> f64 {
    let z2 = qnorm(p).powi(2);
    let first = average * (population / z2 + 1.0);
    let inner = (-8.0 * average * (population / z2 + 1.0)).powi(2)
        - 64.0
            * (1.0 / z2 + 1.0 / population)
            * average
            * (population * (average * (population / z2 + 2.0) - 1.0) + z2 * (average - 1.0));
    let root = inner.sqrt();
    let last = 1.0 / z2 + 1.0 / population;
    let adjusted = if high { (first + root / 8.0) / last } else { (first - root / 8.0) / last };
    adjusted / population * multiplier
}

/// Expected events at the four limits for an observed count, in the order lower 95%, upper
/// 95%, lower 99.8%, upper 99.8%.
fn expected_at_limits(observed: f64) -> [f64; 4] {
    [
        poisson_funnel(observed, 0.025, true),
        poisson_funnel(observed, 0.025, false),
        poisson_funnel(observed, 0.001, true),
        poisson_funnel(observed, 0.001, false),
    ]
}

/// The Poisson mean μ at which P(X ≤ observed) = p (`high_side`) or P(X ≥ observed) = p (the
/// low side), found by halving a step on v ∈ (0, 1) with μ = (1 + observed)·v/(1 − v) until
/// the step is at most 1e-7.
pub fn poisson_funnel(observed: f64, p: f64, high_side: bool) -> f64 {
    let mut v = 0.5;
    let mut dv = 0.5;
    while dv > 1e-7 {
        dv /= 2.0;
        let mu = (1.0 + observed) * v / (1.0 - v);
        let go_down = if high_side {
            ppois(observed, mu) < p
        } else {
            // P(X ≥ observed) = P(observed, μ), the regularised lower incomplete gamma.
            let at_least = if observed <= 0.0 { 1.0 } else { gamma_p(observed, mu) };
            at_least > p
        };
        if go_down { v -= dv } else { v += dv }
    }
    (1.0 + observed) * v / (1.0 - v)
}

/// A count's exact (below 10) or Byar's limit at two-sided level `level`, divided by
/// `expected`; `upper` chooses the upper limit. A zero count has a lower limit of 0.
fn ratio_test(observed: f64, expected: f64, level: f64, upper: bool) -> f64 {
    let count = if !upper && observed == 0.0 {
        0.0
    } else if observed < 10.0 {
        if upper { exact_upper(observed, level) } else { exact_lower(observed, level) }
    } else {
        let z = qnorm(0.5 + level / 2.0);
        if upper { byars_upper_z(observed, z) } else { byars_lower_z(observed, z).unwrap_or(f64::NAN) }
    };
    count / expected
}

/// Rounds down to a neat axis value: 95% of x, to one fewer digit than it has.
fn signif_floor(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let scaled = (x * 0.95).floor();
    let n = digits(scaled) - 1;
    (x * 0.95 / 10f64.powi(n)).floor() * 10f64.powi(n)
}

/// Rounds up to a neat axis value: 105% of x, to two significant figures.
fn signif_ceiling(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let scaled = (x * 1.05).ceil();
    let n = digits(scaled) - 2;
    (x * 1.05 / 10f64.powi(n)).ceil() * 10f64.powi(n)
}

fn digits(x: f64) -> i32 {
    format!("{}", x.abs() as u64).len() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relative(actual: f64, expected: f64) -> f64 {
        ((actual - expected) / expected).abs()
    }

    /// Agreement with a value printed to 10 significant figures (or 9 decimals when smaller).
    fn agrees(actual: f64, printed: f64) -> bool {
        relative(actual, printed) < 1e-9 || (actual - printed).abs() < 6e-10
    }

    /// Rows of PHEindicatormethods tests/testthat/testdata_funnel_ratio_outputs.csv:
    /// observed events, then expected events at the lower 95%, upper 95%, lower 99.8% and
    /// upper 99.8% limits (10 significant figures).
    const RATIO_ROWS: [(f64, [f64; 4]); 5] = [
        (1.0, [5.571644585, 0.025317898, 9.233410143, 0.001000547]),
        (2.0, [7.224687515, 0.242209467, 11.22886836, 0.04540199]),
        (10.0, [18.39035799, 4.795387629, 24.13397235, 2.960519925]),
        (100.0, [121.6268111, 81.36400699, 134.9243187, 71.92139974]),
        (716.0, [770.4222128, 664.5083011, 802.60414, 636.1521174]),
    ];

    #[test]
    fn poisson_bisection_reproduces_the_reference_table() {
        for (observed, expected) in RATIO_ROWS {
            let got = expected_at_limits(observed);
            for (g, e) in got.iter().zip(expected) {
                assert!(agrees(*g, e), "O = {observed}: {g} vs {e}");
            }
        }
    }

    /// The ratio axis and limits from the package's ratio test data: its expected counts run
    /// from 4.29 to 706.77, so the axis starts at 1 and the last of its 100 points is 716.
    #[test]
    fn ratio_limits_follow_the_reference_axis() {
        let numerator = [8.0, 893.0, 0.0, 16.0];
        let denominator = [Some(4.293_052_052), Some(706.766_917_3), Some(240.627_349_9), Some(36.388_446_67)];
        let data = FunnelData { numerator: &numerator, denominator: &denominator, rate: &[] };
        let rows = funnel_limits(FunnelKind::Ratio { isr: false }, data, 1.0).unwrap();
        assert_eq!(rows.len(), 100);
        let axis: Vec<f64> = rows.iter().map(|row| row.axis).collect();
        assert_eq!(&axis[..5], &[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(&axis[32..36], &[33.0, 35.0, 37.0, 39.0]);
        assert_eq!(axis[99], 716.0);
        // lower_2s_count and upper_3s_isr at O = 1 in the reference table.
        assert!(relative(rows[0].limits[0], -0.820_519_779) < 1e-9);
        let isr = funnel_limits(FunnelKind::Ratio { isr: true }, data, 1.0).unwrap();
        assert!(relative(isr[0].limits[3], 99_945.327_21) < 1e-9);
    }

    /// testdata_funnel_prop_outputs.csv: baseline 80.642448%, axis 1 … 110,000 (the largest
    /// denominator in the inputs is 102,950). The baseline is given to 8 figures, so limits
    /// agree to the CSV's 6 decimals within the rounding of both.
    #[test]
    fn proportion_limits_follow_the_reference_table() {
        let average = 0.806_424_48;
        let denominator = [Some(102_950.0), Some(20_000.0)];
        let numerator = [average * 102_950.0, average * 20_000.0];
        let data = FunnelData { numerator: &numerator, denominator: &denominator, rate: &[] };
        let rows = funnel_limits(FunnelKind::Proportion, data, 100.0).unwrap();
        let axis: Vec<f64> = rows.iter().map(|row| row.axis).collect();
        assert_eq!(
            &axis[..16],
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 16.0, 18.0]
        );
        assert_eq!(&axis[97..], &[89_294.0, 99_108.0, 110_000.0]);
        let expected = [
            (0, [3.204264, 100.0, 0.0, 100.0]),
            (15, [62.390093, 98.894803, 51.864359, 100.0]),
            (24, [69.098645, 92.186251, 62.441586, 98.843309]),
            (99, [80.408963, 80.875933, 80.274317, 81.010578]),
        ];
        for (index, limits) in expected {
            for (got, want) in rows[index].limits.iter().zip(limits) {
                assert!((got - want).abs() < 2e-6, "row {index}: {got} vs {want}");
            }
        }
        assert!((rows[0].baseline.unwrap() - 80.642448).abs() < 1e-9);
    }

    /// The package's testdata_funnel_rate_input_funnels.csv (events and DSRs per 100,000 for
    /// 50 areas over 3 years) and testdata_funnel_rate_outputs.csv.
    const RATE_EVENTS: [f64; 50] = [
        414.0, 462.0, 178.0, 525.0, 194.0, 937.0, 817.0, 117.0, 298.0, 228.0, 243.0, 13.0, 373.0, 664.0, 601.0, 602.0,
        767.0, 708.0, 90.0, 952.0, 347.0, 648.0, 988.0, 354.0, 839.0, 25.0, 518.0, 425.0, 648.0, 765.0, 210.0, 931.0,
        589.0, 592.0, 554.0, 870.0, 372.0, 843.0, 142.0, 543.0, 489.0, 620.0, 774.0, 904.0, 936.0, 841.0, 22.0, 922.0,
        955.0, 308.0,
    ];
    const RATE_VALUES: [f64; 50] = [
        184.0, 102.0, 83.0, 118.0, 121.0, 125.0, 112.0, 190.0, 146.0, 140.0, 87.0, 70.0, 90.0, 139.0, 109.0, 65.0,
        165.0, 143.0, 55.0, 135.0, 135.0, 88.0, 167.0, 99.0, 83.0, 53.0, 62.0, 118.0, 176.0, 101.0, 71.0, 138.0, 74.0,
        84.0, 161.0, 79.0, 189.0, 170.0, 159.0, 113.0, 191.0, 116.0, 200.0, 171.0, 128.0, 134.0, 185.0, 100.0, 123.0,
        155.0,
    ];

    #[test]
    fn rate_limits_follow_the_reference_table() {
        let rates = RATE_VALUES.map(Some);
        let data = FunnelData { numerator: &RATE_EVENTS, denominator: &[], rate: &rates };
        let kind = FunnelKind::Rate { dsr: true, years: 3.0 };
        let rows = funnel_limits(kind, data, 100_000.0).unwrap();
        assert!(relative(rows[0].baseline.unwrap(), 116.172_083_5) < 1e-9);
        assert_eq!(rows[99].axis, 1360.0);
        assert_eq!(rows[28].axis, 30.0);
        let first = &rows[0];
        assert!(relative(first.aux.unwrap()[0], 1_598.675_694) < 1e-9);
        assert!(relative(first.limits[0], 20.850_591_19) < 1e-9);
        assert!(relative(first.limits[3], 116_108.569) < 1e-9);
        let last = &rows[99];
        assert!(relative(last.aux.unwrap()[3], 358_342.327_5) < 1e-9);
        assert!(relative(last.limits[1], 122.602_193_4) < 1e-9);
    }

    /// Ratios are judged against 1 with exact limits below 10 events; DSRs with fewer than 10
    /// events are not judged at all.
    #[test]
    fn significance_uses_strict_limits() {
        let numerator = [8.0, 30.0, 0.0, 16.0, 150.0];
        let denominator = [Some(2.0), Some(20.0), Some(10.0), Some(16.0), Some(150.0)];
        let data = FunnelData { numerator: &numerator, denominator: &denominator, rate: &[] };
        let labels = funnel_significance(FunnelKind::Ratio { isr: false }, data, 1.0).unwrap();
        assert_eq!(labels, ["High (0.025)", "High (0.025)", "Low (0.001)", "Not significant", "Not significant"]);
        // O = 0: exact upper limit 3.6889/10 < 1, lower limit is 0.
        let rates = [Some(50.0), Some(500.0)];
        let events = [5.0, 50.0];
        let data = FunnelData { numerator: &events, denominator: &[], rate: &rates };
        let labels = funnel_significance(FunnelKind::Rate { dsr: true, years: 1.0 }, data, 100_000.0).unwrap();
        assert_eq!(labels[0], "Not applicable for events less than 10 for dsrs");
        let bad = FunnelData { numerator: &[5.0], denominator: &[Some(4.0)], rate: &[] };
        assert!(funnel_significance(FunnelKind::Proportion, bad, 100.0).is_err());
    }
}
