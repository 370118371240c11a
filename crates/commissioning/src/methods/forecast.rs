//! Demand forecasting: additive Holt–Winters in its state-space form ETS(A,A,A) (Hyndman,
//! Koehler, Ord and Snyder, *Forecasting with Exponential Smoothing*, 2008, class 1), with
//! prediction intervals from that model's forecast variance, rolling-origin back-testing
//! against the seasonal naive forecast, and demographic growth from population projections.
//!
//! - Start: the classical decomposition of the first two seasons — level the first season's
//!   mean, trend the difference of the two seasons' means over the period, seasonal terms the
//!   first season's deviations from that level and trend (centred to sum to zero).
//! - Recursion, with one-step error e_t = y_t − (ℓ + b + s_{t−m}): ℓ ← ℓ + b + αe,
//!   b ← b + βe, s_t = s_{t−m} + γe.
//! - Fit: α, β, γ minimise the sum of squared one-step errors, subject to 0 < α < 1,
//!   0 < β < α and 0 < γ < 1 − α, by a grid search refined by successively finer grids (a
//!   deterministic search; the surface is smooth and low-dimensional). σ² = SSE / (n − 3).
//! - Forecast h ahead: ℓ_n + h·b_n + s_{n+h−m(k+1)}, with variance
//!   σ²·[1 + Σ_{j=1}^{h−1} (α + βj + γ·[j mod m = 0])²] and normal limits.

use serde::Serialize;

use crate::methods::MethodError;
use crate::methods::dist::qnorm;

/// A fitted model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoltWinters {
    pub period: usize,
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    /// Final level, trend and the last `period` seasonal terms (oldest first).
    pub level: f64,
    pub trend: f64,
    pub season: Vec<f64>,
    pub sse: f64,
    pub sigma: f64,
    /// One-step fitted values for each observation.
    pub fitted: Vec<f64>,
}

/// One forecast point with its prediction intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastPoint {
    /// Steps ahead (1 is the period after the last observation).
    pub h: usize,
    pub mean: f64,
    pub lower80: f64,
    pub upper80: f64,
    pub lower95: f64,
    pub upper95: f64,
}

/// Errors of forecasts made from rolling origins over the last observations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    pub origins: usize,
    pub points: usize,
    /// Mean absolute percentage error of the model, and of the seasonal naive forecast
    /// (the same month last year).
    pub mape: f64,
    pub mape_seasonal_naive: f64,
    /// Mean absolute scaled error (scaled by the in-sample seasonal naive error).
    pub mase: f64,
    /// Share of held-out observations inside the 95% prediction interval.
    pub coverage95: f64,
}

fn run(y: &[f64], m: usize, alpha: f64, beta: f64, gamma: f64, keep: bool) -> (f64, f64, f64, Vec<f64>, Vec<f64>) {
    let first: f64 = y[..m].iter().sum::<f64>() / m as f64;
    let second: f64 = y[m..2 * m].iter().sum::<f64>() / m as f64;
    let mut level = first;
    let mut trend = (second - first) / m as f64;
    // Seasonal terms indexed by position in the season; the level starts one step before y_0,
    // so that the first forecast is ℓ + b + s_0 with ℓ moved back by the trend.
    let centre = (m as f64 - 1.0) / 2.0;
    let mut season: Vec<f64> =
        y[..m].iter().enumerate().map(|(i, v)| v - (first + trend * (i as f64 - centre))).collect();
    let mean_season = season.iter().sum::<f64>() / m as f64;
    season.iter_mut().for_each(|s| *s -= mean_season);
    level -= trend * (centre + 1.0);
    let mut sse = 0.0;
    let mut fitted = Vec::new();
    for (t, &value) in y.iter().enumerate() {
        let s = season[t % m];
        let forecast = level + trend + s;
        let error = value - forecast;
        sse += error * error;
        if keep {
            fitted.push(forecast);
        }
        level = level + trend + alpha * error;
        trend += beta * error;
        season[t % m] = s + gamma * error;
    }
    // Rotate so that the returned seasonal terms run from the one after the last observation.
    let n = y.len();
    let rotated: Vec<f64> = (0..m).map(|k| season[(n + k) % m]).collect();
    (sse, level, trend, rotated, fitted)
}

/// Fits the model to a series with seasonal period `m` (12 for months); needs at least two
/// full seasons.
pub fn fit(y: &[f64], m: usize) -> Result<HoltWinters, MethodError> {
    if m < 2 {
        return Err(MethodError::Invalid(format!("the seasonal period must be at least 2, not {m}")));
    }
    if y.len() < 2 * m {
        return Err(MethodError::Invalid(format!(
            "a seasonal forecast needs two full seasons of data: at least {} values, not {}",
            2 * m,
            y.len()
        )));
    }
    if let Some(bad) = y.iter().find(|v| !v.is_finite()) {
        return Err(MethodError::Invalid(format!("every value must be a number, not {bad}")));
    }
    let sse = |a: f64, b: f64, g: f64| run(y, m, a, b, g, false).0;
    // Parameterised as α, β = α·u, γ = (1 − α)·v with u, v in (0, 1), so every point of the
    // unit cube satisfies the constraints.
    let to_params = |p: [f64; 3]| (p[0], p[0] * p[1], (1.0 - p[0]) * p[2]);
    let mut best = [0.5, 0.5, 0.5];
    let mut best_sse = f64::INFINITY;
    let mut step = 0.1;
    let mut centre = [0.5, 0.5, 0.5];
    let mut span = 4i32;
    for round in 0..6 {
        for i in -span..=span {
            for j in -span..=span {
                for k in -span..=span {
                    let p = [
                        centre[0] + f64::from(i) * step,
                        centre[1] + f64::from(j) * step,
                        centre[2] + f64::from(k) * step,
                    ];
                    if p.iter().any(|v| *v <= 1e-4 || *v >= 1.0 - 1e-4) {
                        continue;
                    }
                    let (a, b, g) = to_params(p);
                    let value = sse(a, b, g);
                    if value < best_sse {
                        best_sse = value;
                        best = p;
                    }
                }
            }
        }
        centre = best;
        step /= 4.0;
        if round == 0 {
            span = 3;
        }
    }
    let (alpha, beta, gamma) = to_params(best);
    let (sse, level, trend, season, fitted) = run(y, m, alpha, beta, gamma, true);
    let sigma = (sse / (y.len() as f64 - 3.0)).sqrt();
    Ok(HoltWinters { period: m, alpha, beta, gamma, level, trend, season, sse, sigma, fitted })
}

impl HoltWinters {
    /// Forecasts `horizon` steps ahead with 80% and 95% prediction intervals.
    pub fn forecast(&self, horizon: usize) -> Vec<ForecastPoint> {
        let (z80, z95) = (qnorm(0.9), qnorm(0.975));
        let m = self.period;
        (1..=horizon)
            .map(|h| {
                let mean = self.level + h as f64 * self.trend + self.season[(h - 1) % m];
                let extra: f64 = (1..h)
                    .map(|j| {
                        let c = self.alpha + self.beta * j as f64 + if j % m == 0 { self.gamma } else { 0.0 };
                        c * c
                    })
                    .sum();
                let sd = self.sigma * (1.0 + extra).sqrt();
                ForecastPoint {
                    h,
                    mean,
                    lower80: mean - z80 * sd,
                    upper80: mean + z80 * sd,
                    lower95: mean - z95 * sd,
                    upper95: mean + z95 * sd,
                }
            })
            .collect()
    }
}

/// Back-tests by refitting at each origin among the last `holdout` observations and
/// forecasting up to `horizon` ahead (as far as the data go), against the seasonal naive.
pub fn backtest(y: &[f64], m: usize, holdout: usize, horizon: usize) -> Result<Backtest, MethodError> {
    if holdout == 0 || holdout >= y.len() {
        return Err(MethodError::Invalid(format!("the hold-out must be 1 to {}, not {holdout}", y.len() - 1)));
    }
    let first_origin = y.len() - holdout;
    let (mut ape, mut ape_naive, mut abs_err, mut inside, mut points) = (0.0, 0.0, 0.0, 0usize, 0usize);
    let mut origins = 0;
    for origin in first_origin..y.len() {
        let train = &y[..origin];
        let model = fit(train, m)?;
        let scale = train[m..].iter().zip(train).map(|(a, b)| (a - b).abs()).sum::<f64>() / (train.len() - m) as f64;
        origins += 1;
        for point in model.forecast(horizon.min(y.len() - origin)) {
            let actual = y[origin + point.h - 1];
            let naive = train[train.len() - m + (point.h - 1) % m];
            ape += ((actual - point.mean) / actual).abs();
            ape_naive += ((actual - naive) / actual).abs();
            abs_err += (actual - point.mean).abs() / scale;
            inside += usize::from(point.lower95 <= actual && actual <= point.upper95);
            points += 1;
        }
    }
    let n = points as f64;
    Ok(Backtest {
        origins,
        points,
        mape: ape / n,
        mape_seasonal_naive: ape_naive / n,
        mase: abs_err / n,
        coverage95: inside as f64 / n,
    })
}

/// The growth in demand from a population change: use rates by age band applied to the
/// projected population over the same rates applied to today's (Σ rᵢ·Pᵢ' / Σ rᵢ·Pᵢ).
pub fn demographic_growth(rates: &[f64], population_now: &[f64], population_then: &[f64]) -> Result<f64, MethodError> {
    if rates.len() != population_now.len() || rates.len() != population_then.len() || rates.is_empty() {
        return Err(MethodError::Invalid(format!(
            "rates, population now and population then must have the same number of age bands ({}, {}, {})",
            rates.len(),
            population_now.len(),
            population_then.len()
        )));
    }
    let now: f64 = rates.iter().zip(population_now).map(|(r, p)| r * p).sum();
    let then: f64 = rates.iter().zip(population_then).map(|(r, p)| r * p).sum();
    if now <= 0.0 {
        return Err(MethodError::Invalid("today's expected demand must be more than 0".into()));
    }
    Ok(then / now)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trend plus a fixed seasonal pattern is reproduced exactly: the fit finds (near) zero
    /// error and forecasts continue the pattern.
    #[test]
    fn an_exact_seasonal_trend_is_forecast_exactly() {
        let pattern = [5.0, -3.0, 2.0, -4.0];
        let y: Vec<f64> = (0..20).map(|t| 100.0 + 2.0 * t as f64 + pattern[t % 4]).collect();
        let model = fit(&y, 4).unwrap();
        assert!(model.sse < 1e-6, "sse {}", model.sse);
        let forecast = model.forecast(6);
        for point in &forecast {
            let t = 19 + point.h;
            let expected = 100.0 + 2.0 * t as f64 + pattern[t % 4];
            assert!((point.mean - expected).abs() < 1e-3, "h {} {} vs {expected}", point.h, point.mean);
        }
    }

    #[test]
    fn intervals_widen_with_the_horizon_by_the_ets_variance() {
        let y: Vec<f64> =
            (0..36).map(|t| 50.0 + (t as f64 * 0.52).sin() * 5.0 + ((t * 7919) % 13) as f64 * 0.3).collect();
        let model = fit(&y, 12).unwrap();
        let f = model.forecast(13);
        let width = |p: &ForecastPoint| p.upper95 - p.lower95;
        assert!(width(&f[0]) < width(&f[5]) && width(&f[5]) < width(&f[12]));
        // h = 1: the interval is mean ± 1.96σ exactly.
        assert!((width(&f[0]) - 2.0 * qnorm(0.975) * model.sigma).abs() < 1e-9);
        // h = 2: σ²(1 + (α + β)²).
        let sd2 = model.sigma * (1.0 + (model.alpha + model.beta).powi(2)).sqrt();
        assert!((width(&f[1]) - 2.0 * qnorm(0.975) * sd2).abs() < 1e-9);
        assert!(model.beta < model.alpha && model.gamma < 1.0 - model.alpha);
    }

    #[test]
    fn demographic_growth_weights_bands_by_their_use() {
        // Two bands: the old use services four times as much; the old grow by 10%.
        let growth = demographic_growth(&[1.0, 4.0], &[1000.0, 500.0], &[1000.0, 550.0]).unwrap();
        assert!((growth - 3200.0 / 3000.0).abs() < 1e-12);
        assert!(demographic_growth(&[1.0], &[1.0, 2.0], &[1.0]).is_err());
    }

    #[test]
    fn too_short_a_series_is_refused() {
        assert!(fit(&[1.0; 23], 12).unwrap_err().to_string().contains("at least 24 values"));
        assert!(backtest(&[1.0; 30], 12, 30, 12).is_err());
    }
}
