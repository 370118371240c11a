//! Funnel plots with limits inflated for overdispersion, as FunnelPlotR draws them
//! (Spiegelhalter 2005; DerSimonian and Laird's additive random effect).
//!
//! Each unit's z-score is taken on a transformed scale: the log of O/E with s = 1/√E for
//! standardised ratios by the SHMI method, √(O/E) with s = 1/(2√E) by the CQC method, and the
//! arcsine of √p with s = 1/(2√n) for proportions (target: the pooled proportion). Extreme
//! z-scores are winsorised at `trim` (10%) each end, by R's type-7 quantiles, or for the SHMI
//! method truncated (units in the lowest and highest of ten rank buckets,
//! ⌊rank·10/(n+1)⌋ of 0 or 9, are left out). φ is the mean squared z-score of what is left;
//! τ² = max(0, (nφ − (n − 1)) / (Σw − Σw²/Σw)) with w = 1/s², and 0 when nφ < n − 1. The
//! limits are the target ± z√(s² + τ²) back on the original scale, with z = 1.959964 and
//! 3.090232 as FunnelPlotR hard-codes them. A unit on a limit is not an outlier.
//!
//! Two deliberate differences, recorded in ADR 0016: a proportion's limit is
//! 0 or 1 where the transformed limit passes 0 or π/2 (FunnelPlotR's sin² wraps round and
//! draws a lower limit above zero), and the CQC limits are squared back to the ratio scale.

use serde::{Deserialize, Serialize};

use crate::methods::MethodError;

/// FunnelPlotR's hard-coded normal quantiles for 95% and 99.8%.
pub const Z95: f64 = 1.959964;
pub const Z998: f64 = 3.090232;

/// What the units report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OdMethod {
    /// Observed over expected, log scale, truncated (NHS England's SHMI method).
    RatioShmi,
    /// Observed over expected, square-root scale, winsorised (the CQC method).
    RatioCqc,
    /// Events over a denominator, arcsine-square-root scale, winsorised.
    Proportion,
}

impl OdMethod {
    fn truncates(self) -> bool {
        self == OdMethod::RatioShmi
    }
}

/// Outside which limit, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outlier {
    High,
    Low,
}

/// One unit on the funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OdPoint {
    pub numerator: f64,
    pub denominator: f64,
    /// O/E, or the proportion.
    pub value: f64,
    /// The unadjusted z-score on the transformed scale.
    pub z: f64,
    /// Whether the z-score was winsorised or the unit truncated before φ.
    pub trimmed: bool,
    /// Lower and upper at 95%, then at 99.8%, adjusted for overdispersion.
    pub limits: [f64; 4],
    pub outlier95: Option<Outlier>,
    pub outlier998: Option<Outlier>,
}

/// The funnel: the target, the dispersion and each unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OdFunnel {
    pub method: OdMethod,
    /// 1 for ratios; the pooled proportion for proportions.
    pub target: f64,
    /// The target on the transformed scale.
    pub target_transformed: f64,
    pub phi: f64,
    pub tau2: f64,
    /// Units left after truncation (all units when winsorising).
    pub n_used: usize,
    pub points: Vec<OdPoint>,
}

impl OdFunnel {
    /// The limits at a denominator (expected count or size), for drawing the funnel.
    pub fn limits_at(&self, denominator: f64) -> [f64; 4] {
        limits(self.method, self.target_transformed, self.tau2, denominator)
    }
}

fn transformed(method: OdMethod, numerator: f64, denominator: f64, target_t: f64) -> (f64, f64) {
    match method {
        OdMethod::RatioShmi => {
            let s = 1.0 / denominator.sqrt();
            ((numerator / denominator).ln(), s)
        }
        OdMethod::RatioCqc => ((numerator / denominator).sqrt(), 1.0 / (2.0 * denominator.sqrt())),
        OdMethod::Proportion => ((numerator / denominator).sqrt().asin(), 1.0 / (2.0 * denominator.sqrt())),
    }
    .map_z(target_t)
}

trait MapZ {
    fn map_z(self, target: f64) -> (f64, f64);
}

impl MapZ for (f64, f64) {
    /// (z, s) from (y, s).
    fn map_z(self, target: f64) -> (f64, f64) {
        ((self.0 - target) / self.1, self.1)
    }
}

fn limits(method: OdMethod, target_t: f64, tau2: f64, denominator: f64) -> [f64; 4] {
    let s2 = match method {
        OdMethod::RatioShmi => 1.0 / denominator,
        OdMethod::RatioCqc | OdMethod::Proportion => 1.0 / (4.0 * denominator),
    };
    let sd = (s2 + tau2).sqrt();
    let back = |t: f64| match method {
        OdMethod::RatioShmi => t.exp(),
        OdMethod::RatioCqc => t.max(0.0).powi(2),
        OdMethod::Proportion => t.clamp(0.0, std::f64::consts::FRAC_PI_2).sin().powi(2),
    };
    [back(target_t - Z95 * sd), back(target_t + Z95 * sd), back(target_t - Z998 * sd), back(target_t + Z998 * sd)]
}

/// R's default (type 7) quantile of sorted values.
fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Average ranks (1-based) with ties sharing the mean rank, as R's `rank`.
fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && values[idx[j + 1]] == values[idx[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// The funnel of `units` as (numerator, denominator): (observed, expected) for ratios,
/// (events, size) for proportions. `trim` is FunnelPlotR's `trim_by` (0.1).
pub fn od_funnel(method: OdMethod, units: &[(f64, f64)], trim: f64) -> Result<OdFunnel, MethodError> {
    if units.len() < 2 {
        return Err(MethodError::invalid("a funnel needs at least two units"));
    }
    if !(0.0..0.5).contains(&trim) {
        return Err(MethodError::invalid("trim must be at least 0 and below 0.5"));
    }
    for (i, &(numerator, denominator)) in units.iter().enumerate() {
        let valid = numerator.is_finite() && denominator.is_finite() && numerator >= 0.0 && denominator > 0.0;
        if !valid || (method == OdMethod::Proportion && numerator > denominator) {
            return Err(MethodError::invalid(format!(
                "unit {}: the numerator must be 0 or more and the denominator above 0{}",
                i + 1,
                if method == OdMethod::Proportion { ", with the numerator no more than the denominator" } else { "" }
            )));
        }
    }
    let (target, target_t) = match method {
        OdMethod::RatioShmi => (1.0, 0.0),
        OdMethod::RatioCqc => (1.0, 1.0),
        OdMethod::Proportion => {
            let p = units.iter().map(|u| u.0).sum::<f64>() / units.iter().map(|u| u.1).sum::<f64>();
            (p, p.sqrt().asin())
        }
    };
    let zs: Vec<(f64, f64)> = units.iter().map(|&(o, e)| transformed(method, o, e, target_t)).collect();
    let n = units.len();
    let (kept, trimmed): (Vec<(f64, f64)>, Vec<bool>) = if method.truncates() {
        let k = (1.0 / trim).round();
        let z: Vec<f64> = zs.iter().map(|p| p.0).collect();
        let ranks = average_ranks(&z);
        let out: Vec<bool> = ranks
            .iter()
            .map(|r| {
                let bucket = (r * k / (n as f64 + 1.0)).floor();
                bucket <= 0.0 || bucket >= k - 1.0
            })
            .collect();
        let kept = zs.iter().zip(&out).filter(|(_, o)| !**o).map(|(p, _)| *p).collect();
        (kept, out)
    } else {
        let mut sorted: Vec<f64> = zs.iter().map(|p| p.0).collect();
        sorted.sort_by(f64::total_cmp);
        let (low, high) = (quantile7(&sorted, trim), quantile7(&sorted, 1.0 - trim));
        let kept = zs.iter().map(|&(z, s)| (z.clamp(low, high), s)).collect();
        (kept, zs.iter().map(|p| !(p.0 > low && p.0 < high)).collect())
    };
    let used = kept.len();
    let finite: Vec<&(f64, f64)> = kept.iter().filter(|p| p.0.is_finite()).collect();
    let phi = if used == 0 { 0.0 } else { finite.iter().map(|p| p.0 * p.0).sum::<f64>() / used as f64 };
    let tau2 = if used == 0 || (used as f64) * phi < (used as f64) - 1.0 {
        0.0
    } else {
        let w: Vec<f64> = kept.iter().map(|p| 1.0 / (p.1 * p.1)).collect();
        let sw: f64 = w.iter().sum();
        let sw2: f64 = w.iter().map(|x| x * x).sum();
        ((used as f64 * phi - (used as f64 - 1.0)) / (sw - sw2 / sw)).max(0.0)
    };
    let points = units
        .iter()
        .zip(&zs)
        .zip(&trimmed)
        .map(|((&(numerator, denominator), &(z, _)), &trimmed)| {
            let limits = limits(method, target_t, tau2, denominator);
            let value = numerator / denominator;
            let outlier = |lower: f64, upper: f64| {
                if value > upper {
                    Some(Outlier::High)
                } else if value < lower {
                    Some(Outlier::Low)
                } else {
                    None
                }
            };
            OdPoint {
                numerator,
                denominator,
                value,
                z,
                trimmed,
                limits,
                outlier95: outlier(limits[0], limits[1]),
                outlier998: outlier(limits[2], limits[3]),
            }
        })
        .collect();
    Ok(OdFunnel { method, target, target_transformed: target_t, phi, tau2, n_used: used, points })
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNITS: [(f64, f64); 10] = [
        (10.0, 100.0),
        (25.0, 200.0),
        (40.0, 250.0),
        (5.0, 80.0),
        (60.0, 300.0),
        (30.0, 150.0),
        (12.0, 90.0),
        (50.0, 400.0),
        (22.0, 120.0),
        (35.0, 210.0),
    ];

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * b.abs().max(1e-12)
    }

    /// Expected values worked through the steps of FunnelPlotR's `transformed_zscore`,
    /// `winsorisation`, `phi_func`, `tau_func` and `OD_limits` in numpy (quantile method
    /// "linear", R's type 7), kept to 12 significant figures.
    #[test]
    fn proportions_winsorise_and_inflate_as_funnelplotr_does() {
        let funnel = od_funnel(OdMethod::Proportion, &UNITS, 0.1).unwrap();
        assert!(close(funnel.target, 289.0 / 1900.0, 1e-12));
        assert!(close(funnel.phi, EXPECTED_PR.0, 1e-9), "phi {}", funnel.phi);
        assert!(close(funnel.tau2, EXPECTED_PR.1, 1e-9), "tau2 {}", funnel.tau2);
        let first = &funnel.points[0];
        for (got, want) in first.limits.iter().zip(EXPECTED_PR.2) {
            assert!(close(*got, want, 1e-9), "limit {got} vs {want}");
        }
        assert_eq!(funnel.n_used, 10);
        assert_eq!(funnel.points.iter().filter(|p| p.trimmed).count(), 2);
    }

    #[test]
    fn shmi_ratios_truncate_the_extreme_buckets() {
        let units: Vec<(f64, f64)> = UNITS.iter().map(|&(o, n)| (o, n * 0.152)).collect();
        let funnel = od_funnel(OdMethod::RatioShmi, &units, 0.1).unwrap();
        // Ten units: ranks 1 and 10 fall in buckets 0 and 9 and are left out.
        assert_eq!(funnel.n_used, 8);
        assert!(close(funnel.phi, EXPECTED_SHMI.0, 1e-9), "phi {}", funnel.phi);
        assert!(close(funnel.tau2, EXPECTED_SHMI.1, 1e-9), "tau2 {}", funnel.tau2);
        let limits = funnel.limits_at(20.0);
        assert!(close(limits[1], EXPECTED_SHMI.2, 1e-9), "upper {}", limits[1]);
        // The limits are symmetric on the log scale.
        assert!(close(limits[0] * limits[1], 1.0, 1e-12));
    }

    #[test]
    fn no_overdispersion_leaves_the_poisson_width() {
        // Every unit exactly on target: φ = 0, so τ² = 0 and the limits are ±z/√E.
        let units = [(10.0, 10.0), (20.0, 20.0), (30.0, 30.0), (40.0, 40.0)];
        let funnel = od_funnel(OdMethod::RatioShmi, &units, 0.1).unwrap();
        assert_eq!(funnel.tau2, 0.0);
        assert!(close(funnel.limits_at(25.0)[1], (Z95 / 5.0).exp(), 1e-12));
        assert!(funnel.points.iter().all(|p| p.outlier95.is_none()));
    }

    #[test]
    fn a_unit_on_a_limit_is_not_an_outlier_and_bad_units_are_refused() {
        let funnel = od_funnel(OdMethod::Proportion, &UNITS, 0.1).unwrap();
        assert!(funnel.points.iter().all(|p| p.outlier95.is_none() || p.value < p.limits[0] || p.value > p.limits[1]));
        assert!(od_funnel(OdMethod::Proportion, &[(5.0, 4.0), (1.0, 2.0)], 0.1).is_err());
        assert!(od_funnel(OdMethod::RatioShmi, &[(5.0, 0.0), (1.0, 2.0)], 0.1).is_err());
        assert!(od_funnel(OdMethod::RatioShmi, &[(5.0, 1.0)], 0.1).is_err());
        assert!(od_funnel(OdMethod::RatioShmi, &UNITS, 0.5).is_err());
    }

    #[test]
    fn proportion_limits_stop_at_zero() {
        let funnel = od_funnel(OdMethod::Proportion, &[(1.0, 100.0), (2.0, 100.0), (0.0, 5.0)], 0.0).unwrap();
        let tiny = funnel.limits_at(2.0);
        assert_eq!(tiny[2], 0.0);
    }

    const EXPECTED_PR: (f64, f64, [f64; 4]) = (
        1.5544731294294976,
        0.0009862777172557468,
        [0.07900279500411052, 0.24376125509304283, 0.04685071878826873, 0.30317685330628913],
    );
    const EXPECTED_SHMI: (f64, f64, f64) = (1.1395666710645795, 0.010860700782618206, 1.6217768467499194);
}
