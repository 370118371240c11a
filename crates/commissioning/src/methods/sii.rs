//! Slope and relative index of inequality (`phe_sii`): a population-weighted regression of the
//! indicator on the midpoint of each quantile's cumulative population share, with confidence
//! limits by simulation.
//!
//! The simulation draws with R's own generator ([`RRng`]) in the reference's order (quantiles
//! within repetitions), so a run with the same seed reproduces R's `set.seed(seed)` result.

use crate::methods::confidence::scale;
use crate::methods::dist::qnorm;
use crate::methods::rng::RRng;
use crate::methods::{Limits, MethodError};

/// Ten times the reference's default: enough for stable 99.8% limits, small enough to answer
/// an API request in about a second.
pub const MAX_REPETITIONS: usize = 1_000_000;

/// Whether the indicator is a rate, a proportion or something else (the reference's 1, 2, 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    Other,
    Rate,
    Proportion,
}

impl ValueType {
    pub fn from_code(code: i64) -> Result<Self, MethodError> {
        match code {
            0 => Ok(Self::Other),
            1 => Ok(Self::Rate),
            2 => Ok(Self::Proportion),
            _ => Err(MethodError::invalid("value_type should be 0, 1 or 2")),
        }
    }
}

/// One quantile of an area, ordered from most to least disadvantaged.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Quantile {
    pub population: f64,
    /// The indicator value; for proportions it may be left out and taken as x/population.
    pub value: Option<f64>,
    pub x: Option<f64>,
    pub se: Option<f64>,
    pub lower_cl: Option<f64>,
    pub upper_cl: Option<f64>,
}

/// Options with the reference's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct SiiOptions {
    pub value_type: ValueType,
    pub transform: bool,
    pub multiplier: f64,
    pub repetitions: usize,
    /// Any number of levels, each 0.9–1 or 90–100.
    pub confidence: Vec<f64>,
    pub seed: u32,
}

impl Default for SiiOptions {
    fn default() -> Self {
        Self {
            value_type: ValueType::Other,
            transform: false,
            multiplier: 1.0,
            repetitions: 100_000,
            confidence: vec![0.95],
            seed: 1,
        }
    }
}

/// The SII and RII with their simulated limits, and the fitted intercept.
#[derive(Debug, Clone, PartialEq)]
pub struct Sii {
    pub sii: f64,
    pub sii_limits: Vec<Limits>,
    pub rii: f64,
    pub rii_limits: Vec<Limits>,
    pub intercept: f64,
}

pub fn sii(quantiles: &[Quantile], options: &SiiOptions) -> Result<Sii, MethodError> {
    let count = quantiles.len();
    if !(5..=100).contains(&count) {
        return Err(MethodError::invalid(format!("Number of quantiles must be between 5 and 100 (found {count})")));
    }
    if options.repetitions < 1000 {
        return Err(MethodError::invalid("number of repetitions must be 1000 or greater. Default is 100,000"));
    }
    if options.repetitions > MAX_REPETITIONS {
        return Err(MethodError::invalid("number of repetitions must be at most 1,000,000"));
    }
    if options.confidence.is_empty() {
        return Err(MethodError::invalid("at least one confidence level is needed"));
    }
    let levels: Vec<f64> = options.confidence.iter().map(|&level| scale(level)).collect::<Result<_, _>>()?;
    if quantiles.iter().any(|q| q.population.is_nan() || q.population <= 0.0) {
        return Err(MethodError::invalid("some groups have a zero, negative or missing population"));
    }
    let proportion = options.value_type == ValueType::Proportion;
    let transform = options.transform && options.value_type != ValueType::Other;
    let mut values = Vec::with_capacity(count);
    let mut errors = Vec::with_capacity(count);
    let z95 = qnorm(0.975);
    for (index, q) in quantiles.iter().enumerate() {
        let value = match (q.value, q.x) {
            (Some(value), _) => value,
            (None, Some(x)) if proportion => x / q.population,
            _ => {
                return Err(MethodError::invalid(format!(
                    "quantile {}: a value is needed (or x, for a proportion)",
                    index + 1
                )));
            }
        };
        if proportion && !(0.0..=1.0).contains(&value) {
            return Err(MethodError::invalid("value proportions are not all between 0 and 1"));
        }
        let se = match (q.se, q.lower_cl, q.upper_cl) {
            (Some(se), _, _) if se >= 0.0 => se,
            (Some(_), _, _) => {
                return Err(MethodError::invalid("negative or missing standard errors in input dataset"));
            }
            (None, Some(lower), Some(upper)) => {
                let (lower, upper) = if transform {
                    (forward(options.value_type, lower), forward(options.value_type, upper))
                } else {
                    (lower, upper)
                };
                (upper - lower) / z95 / 2.0
            }
            _ => {
                return Err(MethodError::invalid(
                    "function phe_sii requires either lower_cl and upper_cl fields, or se field",
                ));
            }
        };
        values.push(value);
        errors.push(se);
    }
    // Regressors: √a and b√a, a the population share, b the midpoint of the cumulative share.
    let total: f64 = quantiles.iter().map(|q| q.population).sum();
    let mut sqrt_a = Vec::with_capacity(count);
    let mut b_sqrt_a = Vec::with_capacity(count);
    let mut cumulative = 0.0;
    for q in quantiles {
        let share = q.population / total;
        let midpoint = cumulative + share / 2.0;
        cumulative += share;
        sqrt_a.push(share.sqrt());
        b_sqrt_a.push(midpoint * share.sqrt());
    }
    let solver = LeastSquares::new(&sqrt_a, &b_sqrt_a);
    let weighted: Vec<f64> = values.iter().zip(&sqrt_a).map(|(v, s)| v * s).collect();
    let (intercept, slope) = solver.fit(&weighted);
    let invert = options.multiplier < 0.0;
    let rii_of = |intercept: f64, slope: f64| {
        let rii = (intercept + slope) / intercept;
        if invert { 1.0 / rii } else { rii }
    };
    // Simulate on the transformed scale, back-transform, and refit each repetition.
    let means: Vec<f64> =
        if transform { values.iter().map(|&v| forward(options.value_type, v)).collect() } else { values.clone() };
    let mut rng = RRng::set_seed(options.seed);
    let mut sii_draws = Vec::with_capacity(options.repetitions);
    let mut rii_draws = Vec::with_capacity(options.repetitions);
    let mut y = vec![0.0; count];
    for _ in 0..options.repetitions {
        for i in 0..count {
            let draw = means[i] + errors[i] * rng.normal();
            let natural = if transform { backward(options.value_type, draw) } else { draw };
            y[i] = natural * sqrt_a[i];
        }
        let (b0, b1) = solver.fit(&y);
        sii_draws.push(options.multiplier * b1);
        rii_draws.push(rii_of(b0, b1));
    }
    sii_draws.sort_by(f64::total_cmp);
    rii_draws.sort_by(f64::total_cmp);
    let reps = options.repetitions as f64;
    let limits_of = |draws: &[f64]| -> Vec<Limits> {
        levels
            .iter()
            .map(|&level| {
                let upper_quantile = level + (1.0 - level) / 2.0;
                let lower_position = (reps * (1.0 - upper_quantile)).round_ties_even() as usize;
                let upper_position = (reps * upper_quantile).round_ties_even() as usize;
                let pick = |position: usize| position.checked_sub(1).and_then(|i| draws.get(i)).copied();
                Limits { level, lower: pick(lower_position), upper: pick(upper_position) }
            })
            .collect()
    };
    Ok(Sii {
        sii: options.multiplier * slope,
        sii_limits: limits_of(&sii_draws),
        rii: rii_of(intercept, slope),
        rii_limits: limits_of(&rii_draws),
        intercept,
    })
}

fn forward(value_type: ValueType, value: f64) -> f64 {
    match value_type {
        ValueType::Rate => value.ln(),
        ValueType::Proportion => (value / (1.0 - value)).ln(),
        ValueType::Other => value,
    }
}

fn backward(value_type: ValueType, value: f64) -> f64 {
    match value_type {
        ValueType::Rate => value.exp(),
        ValueType::Proportion => value.exp() / (1.0 + value.exp()),
        ValueType::Other => value,
    }
}

/// Least squares on two regressors with no separate intercept term: (XᵀX)⁻¹Xᵀy.
struct LeastSquares {
    first: Vec<f64>,
    second: Vec<f64>,
    inverse: [[f64; 2]; 2],
}

impl LeastSquares {
    fn new(first: &[f64], second: &[f64]) -> Self {
        let s11: f64 = first.iter().map(|v| v * v).sum();
        let s12: f64 = first.iter().zip(second).map(|(a, b)| a * b).sum();
        let s22: f64 = second.iter().map(|v| v * v).sum();
        let determinant = s11 * s22 - s12 * s12;
        Self {
            first: first.to_vec(),
            second: second.to_vec(),
            inverse: [[s22 / determinant, -s12 / determinant], [-s12 / determinant, s11 / determinant]],
        }
    }

    fn fit(&self, y: &[f64]) -> (f64, f64) {
        let t1: f64 = self.first.iter().zip(y).map(|(a, y)| a * y).sum();
        let t2: f64 = self.second.iter().zip(y).map(|(b, y)| b * y).sum();
        (self.inverse[0][0] * t1 + self.inverse[0][1] * t2, self.inverse[1][0] * t1 + self.inverse[1][1] * t2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first area and sex of the package's LE_testdata.csv (life expectancy and its SE
    /// by IMD decile, E06000001 males) — the data its testSII.R uses.
    const POP: [f64; 10] = [13837.0, 14519.0, 14940.0, 14599.0, 12311.0, 13196.0, 13335.0, 13388.0, 13685.0, 11779.0];
    const LE: [f64; 10] = [
        70.56313911,
        72.61347473,
        75.06710359,
        75.20662276,
        76.23469045,
        75.21801932,
        77.09240397,
        79.84156222,
        80.81329918,
        82.73763832,
    ];
    const SE: [f64; 10] = [
        1.133868862,
        1.020288759,
        1.108685178,
        1.485618539,
        1.311653285,
        1.169033147,
        1.306645801,
        1.090905616,
        0.979426096,
        1.319452272,
    ];

    fn quantiles() -> Vec<Quantile> {
        (0..10)
            .map(|i| Quantile { population: POP[i], value: Some(LE[i]), se: Some(SE[i]), ..Quantile::default() })
            .collect()
    }

    /// Point estimates: R 4.2.2 `lm(yvals ~ sqrt_a + b_sqrt_a - 1)`; limits: the same
    /// simulation in base R after `set.seed(5)` with 10,000 repetitions
    /// (tests/methods/reference.R).
    #[test]
    fn agrees_with_r_given_the_same_seed() {
        let options =
            SiiOptions { repetitions: 10_000, seed: 5, confidence: vec![0.95, 0.998], ..SiiOptions::default() };
        let result = sii(&quantiles(), &options).unwrap();
        let close = |got: f64, want: f64| assert!(((got - want) / want).abs() < 1e-10, "{got} vs {want}");
        close(result.sii, SII);
        close(result.rii, RII);
        close(result.intercept, INTERCEPT);
        close(result.sii_limits[0].lower.unwrap(), SII_LOWER95);
        close(result.sii_limits[0].upper.unwrap(), SII_UPPER95);
        close(result.sii_limits[1].lower.unwrap(), SII_LOWER998);
        close(result.rii_limits[0].upper.unwrap(), RII_UPPER95);
    }

    const SII: f64 = 11.688_861_391_012_418;
    const RII: f64 = 1.165_674_990_437_403_5;
    const INTERCEPT: f64 = 70.552_962_521_092_07;
    const SII_LOWER95: f64 = 9.192_254_140_344_261;
    const SII_UPPER95: f64 = 14.180_891_178_355_964;
    const SII_LOWER998: f64 = 7.649_390_502_229_004;
    const RII_UPPER95: f64 = 1.204_728_659_854_150_2;

    #[test]
    fn limits_from_cls_match_limits_from_se() {
        let from_cls: Vec<Quantile> = quantiles()
            .into_iter()
            .map(|q| Quantile {
                se: None,
                lower_cl: Some(q.value.unwrap() - qnorm(0.975) * q.se.unwrap()),
                upper_cl: Some(q.value.unwrap() + qnorm(0.975) * q.se.unwrap()),
                ..q
            })
            .collect();
        let options = SiiOptions { repetitions: 2000, ..SiiOptions::default() };
        let a = sii(&quantiles(), &options).unwrap();
        let b = sii(&from_cls, &options).unwrap();
        assert!((a.sii_limits[0].lower.unwrap() - b.sii_limits[0].lower.unwrap()).abs() < 1e-9);
    }

    #[test]
    fn a_negative_multiplier_flips_the_sii_and_inverts_the_rii() {
        let options = SiiOptions { repetitions: 1000, ..SiiOptions::default() };
        let plain = sii(&quantiles(), &options).unwrap();
        let flipped = sii(&quantiles(), &SiiOptions { multiplier: -1.0, ..options }).unwrap();
        assert!((plain.sii + flipped.sii).abs() < 1e-12);
        assert!((plain.rii * flipped.rii - 1.0).abs() < 1e-12);
    }

    #[test]
    fn bad_input_is_refused() {
        let options = SiiOptions::default();
        assert!(sii(&quantiles()[..4], &options).is_err());
        let mut zero = quantiles();
        zero[2].population = 0.0;
        assert!(sii(&zero, &options).is_err());
        assert!(sii(&quantiles(), &SiiOptions { repetitions: 10, ..SiiOptions::default() }).is_err());
        assert!(sii(&quantiles(), &SiiOptions { confidence: vec![0.5], ..SiiOptions::default() }).is_err());
    }
}
