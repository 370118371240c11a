//! Indirectly standardised ratios and rates (`calculate_ISRatio`, `calculate_ISRate`).

use crate::methods::counts::{CountMethod, count_limits};
use crate::methods::rates::format_multiplier;
use crate::methods::{Confidence, Limits, MethodError};

/// One indirectly standardised result for a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Isr {
    pub observed: f64,
    pub expected: f64,
    /// `None` when nothing was expected (E = 0).
    pub value: Option<f64>,
    pub limits: Vec<Limits>,
    /// The reference rate, for the rate variant only.
    pub ref_rate: Option<f64>,
    pub statistic: String,
    pub method: CountMethod,
}

/// The local and reference counts and populations, band by band.
#[derive(Debug, Clone, Copy)]
pub struct IsrInput<'a> {
    pub x: &'a [Option<f64>],
    pub n: &'a [Option<f64>],
    pub x_ref: &'a [Option<f64>],
    pub n_ref: &'a [Option<f64>],
    /// The area's total observed count, when per-band counts are not known.
    pub observed_total: Option<f64>,
}

/// `calculate_ISRatio`: O/E × refvalue.
pub fn isr_ratio(input: IsrInput<'_>, confidence: Confidence, refvalue: f64) -> Result<Isr, MethodError> {
    let (observed, expected) = observed_and_expected(input)?;
    let statistic = format!("indirectly standardised ratio x {}", format_multiplier(refvalue));
    Ok(finish(observed, expected, refvalue, None, confidence, statistic))
}

/// `calculate_ISRate`: O/E × the reference rate Σx_ref/Σn_ref × multiplier.
pub fn isr_rate(input: IsrInput<'_>, confidence: Confidence, multiplier: f64) -> Result<Isr, MethodError> {
    let (observed, expected) = observed_and_expected(input)?;
    let ref_count: f64 = input.x_ref.iter().flatten().sum();
    let ref_pop: f64 = input.n_ref.iter().flatten().sum();
    let ref_rate = ref_count / ref_pop * multiplier;
    let statistic = format!("indirectly standardised rate per {}", format_multiplier(multiplier));
    Ok(finish(observed, expected, ref_rate, Some(ref_rate), confidence, statistic))
}

fn observed_and_expected(input: IsrInput<'_>) -> Result<(f64, f64), MethodError> {
    let bands = input.x_ref.len();
    if input.n_ref.len() != bands {
        return Err(MethodError::invalid("x_ref and n_ref must have the same length"));
    }
    if input.n.len() != bands {
        return Err(MethodError::invalid(format!(
            "n must have one value per reference band: x_ref has {bands}, n has {}",
            input.n.len()
        )));
    }
    if input.observed_total.is_none() && input.x.len() != bands {
        return Err(MethodError::invalid(format!(
            "x must have one value per reference band: x_ref has {bands}, x has {}",
            input.x.len()
        )));
    }
    if input.x.iter().flatten().chain(input.observed_total.iter()).any(|&x| x < 0.0) {
        return Err(MethodError::invalid("numerators must all be greater than or equal to zero"));
    }
    if input.n.iter().flatten().any(|&n| n < 0.0) {
        return Err(MethodError::invalid("denominators must all be greater than or equal to zero"));
    }
    if input.x_ref.iter().flatten().any(|&x| x < 0.0) {
        return Err(MethodError::invalid("x_ref must all be greater than or equal to zero"));
    }
    if input.n_ref.iter().any(|n| !n.is_some_and(|n| n > 0.0)) {
        return Err(MethodError::invalid("n_ref must all be greater than zero"));
    }
    let expected = (0..bands)
        .map(|band| {
            let rate = input.x_ref[band].unwrap_or(0.0) / input.n_ref[band].unwrap_or(1.0);
            rate * input.n[band].unwrap_or(0.0)
        })
        .sum();
    let observed = input.observed_total.unwrap_or_else(|| input.x.iter().flatten().sum());
    Ok((observed, expected))
}

fn finish(
    observed: f64,
    expected: f64,
    scale: f64,
    ref_rate: Option<f64>,
    confidence: Confidence,
    statistic: String,
) -> Isr {
    let mut method = CountMethod::Byars;
    let limits = confidence
        .levels()
        .into_iter()
        .map(|level| {
            let (lower, upper, used) = count_limits(observed, level);
            method = used;
            if expected > 0.0 {
                Limits { level, lower: lower.map(|l| l / expected * scale), upper: Some(upper / expected * scale) }
            } else {
                Limits { level, lower: None, upper: None }
            }
        })
        .collect();
    let value = (expected > 0.0).then(|| observed / expected * scale);
    Isr { observed, expected, value, limits, ref_rate, statistic, method }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: Option<f64>, expected: f64) {
        let actual = actual.expect("a value");
        let relative = ((actual - expected) / expected).abs();
        assert!(relative < 1e-12, "{actual} vs {expected}: relative error {relative:e}");
    }

    const X: [f64; 5] = [1.0, 4.0, 12.0, 30.0, 61.0];
    const N: [f64; 5] = [5200.0, 4800.0, 4100.0, 3000.0, 1500.0];
    const X_REF: [f64; 5] = [300.0, 1200.0, 4100.0, 11_000.0, 21_000.0];
    const N_REF: [f64; 5] = [2_500_000.0, 2_300_000.0, 2_000_000.0, 1_500_000.0, 700_000.0];

    fn input(observed_total: Option<f64>) -> IsrInput<'static> {
        static XS: [Option<f64>; 5] = [Some(1.0), Some(4.0), Some(12.0), Some(30.0), Some(61.0)];
        static NS: [Option<f64>; 5] = [Some(5200.0), Some(4800.0), Some(4100.0), Some(3000.0), Some(1500.0)];
        static XR: [Option<f64>; 5] = [Some(300.0), Some(1200.0), Some(4100.0), Some(11_000.0), Some(21_000.0)];
        static NR: [Option<f64>; 5] =
            [Some(2_500_000.0), Some(2_300_000.0), Some(2_000_000.0), Some(1_500_000.0), Some(700_000.0)];
        IsrInput { x: &XS, n: &NS, x_ref: &XR, n_ref: &NR, observed_total }
    }

    /// Expected: tests/methods/reference.R (METHODS.md formulas in R 4.2.2).
    #[test]
    fn ratio_and_rate_agree_with_the_formulas() {
        assert_eq!((X.len(), N.len(), X_REF.len(), N_REF.len()), (5, 5, 5, 5));
        let ratio = isr_ratio(input(None), Confidence::Both, 1.0).unwrap();
        assert_eq!(ratio.observed, 108.0);
        close(Some(ratio.expected), ISR_EXPECTED);
        close(ratio.value, ISR_RATIO);
        close(ratio.limits[0].lower, ISR_RATIO_LOWER95);
        close(ratio.limits[1].upper, ISR_RATIO_UPPER998);
        assert_eq!(ratio.method, CountMethod::Byars);
        let rate = isr_rate(input(None), Confidence::One(0.95), 100_000.0).unwrap();
        close(rate.ref_rate, ISR_REF_RATE);
        close(rate.value, ISR_RATE);
        assert_eq!(rate.statistic, "indirectly standardised rate per 100000");
        let totals = isr_ratio(input(Some(8.0)), Confidence::One(0.95), 100.0).unwrap();
        assert_eq!(totals.method, CountMethod::Exact);
        close(totals.limits[0].upper, ISR_TOTAL8_UPPER95);
    }

    const ISR_EXPECTED: f64 = 78.533_347_826_086_95;
    const ISR_RATIO: f64 = 1.375_211_970_323_324_3;
    const ISR_RATIO_LOWER95: f64 = 1.128_090_087_654_298_3;
    const ISR_RATIO_UPPER998: f64 = 1.835_511_438_684_912_5;
    const ISR_REF_RATE: f64 = 417.777_777_777_777_8;
    const ISR_RATE: f64 = 574.533_000_935_077_7;
    const ISR_TOTAL8_UPPER95: f64 = 20.071_968_987_112_442;

    #[test]
    fn a_zero_local_population_adds_nothing_expected_but_keeps_its_deaths() {
        let n = [Some(0.0), Some(4800.0)];
        let x = [Some(2.0), Some(3.0)];
        let reference = [Some(10.0), Some(10.0)];
        let populations = [Some(1000.0), Some(1000.0)];
        let input = IsrInput { x: &x, n: &n, x_ref: &reference, n_ref: &populations, observed_total: None };
        let result = isr_ratio(input, Confidence::One(0.95), 1.0).unwrap();
        assert_eq!(result.observed, 5.0);
        close(Some(result.expected), 48.0);
        let short = IsrInput { x: &x[..1], n: &n, x_ref: &reference, n_ref: &populations, observed_total: None };
        assert!(isr_ratio(short, Confidence::One(0.95), 1.0).is_err());
    }
}
