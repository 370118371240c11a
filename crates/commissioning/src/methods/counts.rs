//! Confidence limits for a count (Byar's and exact Poisson) and for a proportion (Wilson).

use crate::methods::MethodError;
use crate::methods::confidence::{scale, z_for};
use crate::methods::dist::qchisq;

/// Byar's lower limit for an observed count; `None` when it would fall below zero or x = 0.
pub fn byars_lower(x: f64, confidence: f64) -> Result<Option<f64>, MethodError> {
    check_count(x)?;
    let z = z_for(scale(confidence)?);
    Ok(byars_lower_z(x, z))
}

/// Byar's upper limit for an observed count.
pub fn byars_upper(x: f64, confidence: f64) -> Result<f64, MethodError> {
    check_count(x)?;
    let z = z_for(scale(confidence)?);
    Ok(byars_upper_z(x, z))
}

pub(crate) fn byars_lower_z(x: f64, z: f64) -> Option<f64> {
    if x <= 0.0 {
        return None;
    }
    let lower = x * (1.0 - 1.0 / (9.0 * x) - z / (3.0 * x.sqrt())).powi(3);
    (lower >= 0.0).then_some(lower)
}

pub(crate) fn byars_upper_z(x: f64, z: f64) -> f64 {
    let x1 = x + 1.0;
    x1 * (1.0 - 1.0 / (9.0 * x1) + z / (3.0 * x1.sqrt())).powi(3)
}

/// Exact Poisson lower limit: half the (1 − c)/2 quantile of χ² on 2x degrees of freedom.
pub fn exact_lower(x: f64, level: f64) -> f64 {
    if x <= 0.0 { 0.0 } else { qchisq((1.0 - level) / 2.0, 2.0 * x) / 2.0 }
}

/// Exact Poisson upper limit: half the c + (1 − c)/2 quantile of χ² on 2x + 2 degrees of freedom.
pub fn exact_upper(x: f64, level: f64) -> f64 {
    qchisq(level + (1.0 - level) / 2.0, 2.0 * x + 2.0) / 2.0
}

/// How a count's limits were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountMethod {
    Exact,
    Byars,
}

impl CountMethod {
    pub fn label(self) -> &'static str {
        match self {
            Self::Exact => "Exact",
            Self::Byars => "Byars",
        }
    }
}

/// Limits for a count the way rates and ISRs take them: exact below 10, Byar's from 10.
pub fn count_limits(x: f64, level: f64) -> (Option<f64>, f64, CountMethod) {
    if x < 10.0 {
        (Some(exact_lower(x, level)), exact_upper(x, level), CountMethod::Exact)
    } else {
        let z = z_for(level);
        (byars_lower_z(x, z), byars_upper_z(x, z), CountMethod::Byars)
    }
}

/// Wilson score lower limit for x successes out of n.
pub fn wilson_lower(x: f64, n: f64, confidence: f64) -> Result<f64, MethodError> {
    check_proportion(x, n)?;
    let level = scale(confidence)?;
    Ok(wilson(x, n, level).0)
}

/// Wilson score upper limit for x successes out of n.
pub fn wilson_upper(x: f64, n: f64, confidence: f64) -> Result<f64, MethodError> {
    check_proportion(x, n)?;
    let level = scale(confidence)?;
    Ok(wilson(x, n, level).1)
}

/// Both Wilson limits at a scaled level. A level of exactly 1 gives 0 and 1.
pub(crate) fn wilson(x: f64, n: f64, level: f64) -> (f64, f64) {
    if level == 1.0 {
        return (0.0, 1.0);
    }
    let z = z_for(level);
    let z2 = z * z;
    let root = z * (z2 + 4.0 * x * (1.0 - x / n)).sqrt();
    let denominator = 2.0 * (n + z2);
    ((2.0 * x + z2 - root) / denominator, (2.0 * x + z2 + root) / denominator)
}

pub(crate) fn check_count(x: f64) -> Result<(), MethodError> {
    if x < 0.0 || x.is_nan() {
        return Err(MethodError::invalid("observed events must all be greater than or equal to zero"));
    }
    Ok(())
}

fn check_proportion(x: f64, n: f64) -> Result<(), MethodError> {
    if x < 0.0 {
        return Err(MethodError::invalid("numerators must be greater than or equal to zero"));
    }
    if n < 0.0 {
        return Err(MethodError::invalid("denominators must be greater than or equal to zero"));
    }
    if x > n {
        return Err(MethodError::invalid("numerators must be less than or equal to denominator"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) {
        let relative = ((actual - expected) / expected).abs();
        assert!(relative < 1e-12, "{actual} vs {expected}: relative error {relative:e}");
    }

    /// Exact limits for 1..9 events at 95% and 99.8%: R 4.2.2 `qchisq(0.025, 2x)/2`,
    /// `qchisq(0.975, 2x+2)/2`, `qchisq(0.001, 2x)/2`, `qchisq(0.999, 2x+2)/2`. The same
    /// numbers are the expected-event columns of the package's
    /// `testdata_funnel_ratio_outputs.csv` to the 7 figures its bisection reaches.
    #[test]
    fn exact_limits_agree_with_r() {
        let expected = [
            (1.0, 0.025_317_807_984_289_877, 5.571_643_390_938_899, 0.001_000_500_333_583_533_5, 9.233_413_476_451_585),
            (2.0, 0.242_209_278_543_964_87, 7.224_687_667_723_958, 0.045_402_017_769_489_56, 11.228_872_242_412_661),
            (5.0, 1.623_486_390_118_420_7, 11.668_332_079_322_667, 0.739_371_731_917_832_5, 16.454_745_203_680_105),
            (9.0, 4.115_373_097_378_332, 17.084_803_451_419_17, 2.452_424_404_363_774_6, 22.657_373_309_062_93),
        ];
        for (x, lower95, upper95, lower998, upper998) in expected {
            close(exact_lower(x, 0.95), lower95);
            close(exact_upper(x, 0.95), upper95);
            close(exact_lower(x, 0.998), lower998);
            close(exact_upper(x, 0.998), upper998);
        }
        assert_eq!(exact_lower(0.0, 0.95), 0.0);
    }

    /// Byar's limits from the formula in METHODS.md §A (the package's `byars_lower/upper`),
    /// evaluated in R 4.2.2: `x*(1-1/(9*x)-qnorm(0.975)/(3*sqrt(x)))^3` and the upper twin.
    #[test]
    fn byars_limits_follow_the_formula() {
        close(byars_lower(65.0, 0.95).unwrap().unwrap(), 50.163_187_710_459_454);
        close(byars_upper(65.0, 0.95).unwrap(), 82.849_138_545_939_837);
        close(byars_lower(1045.0, 99.8).unwrap().unwrap(), 947.940_703_561_037_4);
        close(byars_upper(1045.0, 0.998).unwrap(), 1_148.806_160_988_033);
        assert_eq!(byars_lower(0.0, 0.95).unwrap(), None);
        assert_eq!(
            byars_lower(-4.0, 0.95).unwrap_err().to_string(),
            "observed events must all be greater than or equal to zero"
        );
        assert_eq!(
            byars_upper(65.0, 0.7).unwrap_err().to_string(),
            "confidence level must be between 90 and 100 or between 0.9 and 1"
        );
    }

    /// Wilson limits: METHODS.md formula evaluated in R 4.2.2; x = 0.445, n = 1 is the
    /// non-integer case in the package's testWilson.R.
    #[test]
    fn wilson_limits_follow_the_formula() {
        close(wilson_lower(65.0, 100.0, 0.95).unwrap(), 0.552_544_432_968_879_7);
        close(wilson_upper(65.0, 100.0, 0.95).unwrap(), 0.736_357_517_569_024_7);
        close(wilson_lower(0.445, 1.0, 0.95).unwrap(), 0.043_817_447_720_588_223);
        close(wilson_upper(0.445, 1.0, 99.8).unwrap(), 0.970_225_994_701_953_5);
        assert_eq!(wilson_lower(5.0, 10.0, 1.0).unwrap(), 0.0);
        assert_eq!(wilson_upper(5.0, 10.0, 100.0).unwrap(), 1.0);
        assert!(wilson_lower(11.0, 10.0, 0.95).is_err());
        assert!(wilson_lower(-1.0, 10.0, 0.95).is_err());
    }
}
