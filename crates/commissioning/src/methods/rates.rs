//! Crude rates, proportions and means with their confidence limits (`phe_rate`,
//! `phe_proportion`, `phe_mean`).

use crate::methods::counts::{CountMethod, count_limits, wilson};
use crate::methods::dist::qt;
use crate::methods::{Confidence, Limits, MethodError};

/// A crude rate: x/n × multiplier, with exact (x < 10) or Byar's limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Rate {
    pub value: Option<f64>,
    pub limits: Vec<Limits>,
    /// `None` when x is missing, as the reference leaves `method` NA.
    pub method: Option<CountMethod>,
    pub statistic: String,
}

/// `phe_rate` for one row. A missing x or n gives missing results, not an error.
pub fn rate(x: Option<f64>, n: Option<f64>, confidence: Confidence, multiplier: f64) -> Result<Rate, MethodError> {
    if x.is_some_and(|x| x < 0.0) {
        return Err(MethodError::invalid("numerators must all be greater than or equal to zero"));
    }
    if n.is_some_and(|n| n <= 0.0) {
        return Err(MethodError::invalid("denominators must all be greater than zero"));
    }
    let statistic = format!("rate per {}", format_multiplier(multiplier));
    let (Some(x), Some(n)) = (x, n) else {
        let limits = confidence.levels().into_iter().map(|level| Limits { level, lower: None, upper: None }).collect();
        return Ok(Rate { value: None, limits, method: x.map(|x| count_limits(x, 0.95).2), statistic });
    };
    let mut method = CountMethod::Byars;
    let limits = confidence
        .levels()
        .into_iter()
        .map(|level| {
            let (lower, upper, used) = count_limits(x, level);
            method = used;
            Limits { level, lower: lower.map(|lower| lower / n * multiplier), upper: Some(upper / n * multiplier) }
        })
        .collect();
    Ok(Rate { value: Some(x / n * multiplier), limits, method: Some(method), statistic })
}

/// A proportion x/n × multiplier with Wilson score limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Proportion {
    pub value: Option<f64>,
    /// Empty when no confidence level was requested.
    pub limits: Vec<Limits>,
    pub statistic: String,
}

/// `phe_proportion` for one row. `confidence: None` means "not requested".
pub fn proportion(
    x: Option<f64>,
    n: Option<f64>,
    confidence: Option<Confidence>,
    multiplier: f64,
) -> Result<Proportion, MethodError> {
    if x.is_some_and(|x| x < 0.0) {
        return Err(MethodError::invalid("numerators must be greater than or equal to zero"));
    }
    if n.is_some_and(|n| n <= 0.0) {
        return Err(MethodError::invalid("denominators must be greater than zero"));
    }
    if let (Some(x), Some(n)) = (x, n)
        && x > n
    {
        return Err(MethodError::invalid(
            "numerators must be less than or equal to denominator for a proportion statistic",
        ));
    }
    let statistic = if multiplier == 100.0 {
        "percentage".to_owned()
    } else {
        format!("proportion of {}", format_multiplier(multiplier))
    };
    let levels = confidence.map(Confidence::levels).unwrap_or_default();
    let (Some(x), Some(n)) = (x, n) else {
        let limits = levels.into_iter().map(|level| Limits { level, lower: None, upper: None }).collect();
        return Ok(Proportion { value: None, limits, statistic });
    };
    let limits = levels
        .into_iter()
        .map(|level| {
            let (lower, upper) = wilson(x, n, level);
            Limits { level, lower: Some(lower * multiplier), upper: Some(upper * multiplier) }
        })
        .collect();
    Ok(Proportion { value: Some(x / n * multiplier), limits, statistic })
}

/// A mean with Student's t limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Mean {
    pub value_sum: f64,
    pub value_count: usize,
    /// Sample standard deviation (n − 1); `None` for a single value.
    pub stdev: Option<f64>,
    pub value: Option<f64>,
    pub limits: Vec<Limits>,
}

/// `phe_mean` over the present values of x (missing values are dropped).
pub fn mean(x: &[Option<f64>], confidence: Confidence) -> Result<Mean, MethodError> {
    let values: Vec<f64> = x.iter().flatten().copied().collect();
    let count = values.len();
    let sum: f64 = values.iter().sum();
    if count == 0 {
        let limits = confidence.levels().into_iter().map(|level| Limits { level, lower: None, upper: None }).collect();
        return Ok(Mean { value_sum: 0.0, value_count: 0, stdev: None, value: None, limits });
    }
    let average = sum / count as f64;
    let stdev = (count > 1).then(|| {
        let squares: f64 = values.iter().map(|value| (value - average).powi(2)).sum();
        (squares / (count as f64 - 1.0)).sqrt()
    });
    let limits = confidence
        .levels()
        .into_iter()
        .map(|level| {
            let half_width =
                stdev.map(|sd| qt((1.0 - level) / 2.0, count as f64 - 1.0).abs() * sd / (count as f64).sqrt());
            Limits { level, lower: half_width.map(|h| average - h), upper: half_width.map(|h| average + h) }
        })
        .collect();
    Ok(Mean { value_sum: sum, value_count: count, stdev, value: Some(average), limits })
}

/// Writes a multiplier the way R's `format(m, scientific = FALSE)` does for whole numbers.
pub fn format_multiplier(multiplier: f64) -> String {
    if multiplier.fract() == 0.0 && multiplier.abs() < 1e15 {
        format!("{}", multiplier as i64)
    } else {
        format!("{multiplier}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: Option<f64>, expected: f64) {
        let actual = actual.expect("a value");
        let relative = ((actual - expected) / expected).abs();
        assert!(relative < 1e-12, "{actual} vs {expected}: relative error {relative:e}");
    }

    /// Expected values: METHODS.md formulas evaluated in R 4.2.2 (qchisq/qnorm), e.g.
    /// `qchisq(0.025, 10)/2/1000*1e5` for 5 events in 1,000 people.
    #[test]
    fn crude_rates_switch_from_exact_to_byars_at_ten() {
        let small = rate(Some(5.0), Some(1000.0), Confidence::One(0.95), 100_000.0).unwrap();
        close(small.value, 500.0);
        close(small.limits[0].lower, 162.348_639_011_842_07);
        close(small.limits[0].upper, 1_166.833_207_932_266_7);
        assert_eq!(small.method, Some(CountMethod::Exact));
        assert_eq!(small.statistic, "rate per 100000");
        let large = rate(Some(65.0), Some(100_000.0), Confidence::Both, 100_000.0).unwrap();
        close(large.limits[0].lower, 50.163_187_710_459_454);
        close(large.limits[1].upper, 94.000_290_844_318);
        assert_eq!(large.method, Some(CountMethod::Byars));
        let missing = rate(None, Some(10.0), Confidence::One(0.95), 100.0).unwrap();
        assert_eq!((missing.value, missing.method), (None, None));
        assert!(rate(Some(-1.0), Some(10.0), Confidence::One(0.95), 100.0).is_err());
        assert!(rate(Some(1.0), Some(0.0), Confidence::One(0.95), 100.0).is_err());
        // x > n is allowed for a rate.
        assert!(rate(Some(20.0), Some(10.0), Confidence::One(0.95), 100.0).is_ok());
    }

    #[test]
    fn proportions_use_wilson_and_name_the_statistic() {
        let result = proportion(Some(65.0), Some(100.0), Some(Confidence::One(0.95)), 100.0).unwrap();
        close(result.value, 65.0);
        close(result.limits[0].lower, 55.254_443_296_887_97);
        assert_eq!(result.statistic, "percentage");
        let plain = proportion(Some(1.0), Some(4.0), None, 1.0).unwrap();
        assert!(plain.limits.is_empty());
        assert_eq!(plain.statistic, "proportion of 1");
        assert_eq!(
            proportion(Some(100.0), Some(65.0), None, 1.0).unwrap_err().to_string(),
            "numerators must be less than or equal to denominator for a proportion statistic"
        );
    }

    /// R 4.2.2: `x <- c(20,30,40,45,52,61); mean(x) + c(-1,1)*qt(0.975,5)*sd(x)/sqrt(6)`.
    #[test]
    fn means_use_student_t() {
        let x = [20.0, 30.0, 40.0, 45.0, 52.0, 61.0].map(Some);
        let result = mean(&x, Confidence::One(0.95)).unwrap();
        assert_eq!(result.value_count, 6);
        close(result.value, 41.333_333_333_333_336);
        close(result.stdev, 14.827_901_627_225_165);
        close(result.limits[0].lower, 25.772_404_900_851_59);
        close(result.limits[0].upper, 56.894_261_765_815_08);
    }
}
