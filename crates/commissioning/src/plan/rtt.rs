//! Referral-to-treatment waits from NHS England's weekly bands: the 105 bands of completed
//! pathways (more than k and up to k + 1 weeks, for k = 0…103, then over 104 weeks), their
//! median and 95th percentile as NHS England computes them (linear interpolation within the
//! band; a percentile in the open band is "over 104 weeks"), the share within 18 weeks, and
//! a capacity-and-demand reading through the NHSRwaitinglist formulas.

use serde::Serialize;

use crate::methods::simulate::band_percentile;
use crate::methods::waiting;

/// Bands in a return: 104 closed weekly bands and the open band over 104 weeks.
pub const BANDS: usize = 105;

/// Completed pathways by weeks waited.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WaitBands(pub Vec<u64>);

/// A percentile wait: weeks, or beyond the last closed band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Weeks {
    Weeks(f64),
    Over104,
}

impl std::fmt::Display for Weeks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Weeks::Weeks(w) => write!(f, "{w:.1}"),
            Weeks::Over104 => write!(f, "104+"),
        }
    }
}

impl WaitBands {
    pub fn zero() -> Self {
        Self(vec![0; BANDS])
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    pub fn add(&mut self, other: &WaitBands) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a += b;
        }
    }

    /// The `p` percentile wait; `None` without pathways.
    pub fn percentile(&self, p: f64) -> Option<Weeks> {
        let weeks = band_percentile(&self.0, 1.0, p);
        if weeks.is_nan() {
            None
        } else if weeks > 104.0 {
            Some(Weeks::Over104)
        } else {
            Some(Weeks::Weeks(weeks))
        }
    }

    /// Pathways that stopped within `weeks` whole weeks.
    pub fn within(&self, weeks: usize) -> u64 {
        self.0.iter().take(weeks).sum()
    }

    /// Pathways that waited more than `weeks` whole weeks.
    pub fn over(&self, weeks: usize) -> u64 {
        self.0.iter().skip(weeks).sum()
    }

    /// Mean wait in weeks, each band at its midpoint and the open band at 104.5 (a lower
    /// bound when anyone waited beyond it).
    pub fn mean_weeks(&self) -> Option<f64> {
        let total = self.total();
        (total > 0)
            .then(|| self.0.iter().enumerate().map(|(k, c)| (k as f64 + 0.5) * *c as f64).sum::<f64>() / total as f64)
    }
}

/// The figures of one group of pathways.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RttFigures {
    pub completed: u64,
    pub median: Option<Weeks>,
    pub p95: Option<Weeks>,
    pub within_18: u64,
    /// Share within 18 weeks, 0–1.
    pub within_18_share: Option<f64>,
    pub over_52: u64,
    pub mean_weeks: Option<f64>,
}

impl RttFigures {
    pub fn of(bands: &WaitBands) -> Self {
        let completed = bands.total();
        let within_18 = bands.within(18);
        Self {
            completed,
            median: bands.percentile(0.5),
            p95: bands.percentile(0.95),
            within_18,
            within_18_share: (completed > 0).then(|| within_18 as f64 / completed as f64),
            over_52: bands.over(52),
            mean_weeks: bands.mean_weeks(),
        }
    }
}

/// Capacity and demand for a service from a month of completed pathways, read the
/// NHSRwaitinglist way. Throughput (clock stops a week) stands for capacity; in a steady
/// state demand equals it. The implied waiting list is Little's law on the waits of those
/// treated (L = λW): an estimate, not the published incomplete-pathway count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityView {
    pub per_week: f64,
    pub implied_queue: f64,
    /// The queue that keeps waits within the target (`calc_target_queue_size`, factor 4).
    pub target_queue: f64,
    /// Capacity a week to bring the implied queue to the target in 26 weeks
    /// (`calc_relief_capacity`), or to hold it there (`calc_target_capacity`) when it is.
    pub capacity_needed: f64,
    pub extra_per_week: f64,
}

/// The view for `completed` clock stops in a month of `days` days with mean wait `mean_weeks`.
pub fn capacity_view(completed: u64, days: u32, mean_weeks: f64, target_weeks: f64) -> CapacityView {
    let per_week = completed as f64 * 7.0 / f64::from(days);
    let implied_queue = per_week * mean_weeks;
    let target_queue = waiting::target_queue_size(per_week, target_weeks, 4.0);
    let capacity_needed = if implied_queue > target_queue {
        waiting::relief_capacity(per_week, implied_queue, target_queue, 26.0, 0.0, 0.0)
    } else {
        waiting::target_capacity(per_week, target_weeks, 4.0, 1.0, 1.0)
    };
    CapacityView { per_week, implied_queue, target_queue, capacity_needed, extra_per_week: capacity_needed - per_week }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_within_weekly_bands_and_cap_at_104() {
        let mut bands = WaitBands::zero();
        bands.0[0] = 10;
        bands.0[1] = 10;
        let figures = RttFigures::of(&bands);
        assert_eq!(figures.median, Some(Weeks::Weeks(1.0)));
        assert_eq!(figures.p95, Some(Weeks::Weeks(1.9)));
        assert_eq!(figures.within_18_share, Some(1.0));
        let mut long = WaitBands::zero();
        long.0[104] = 5;
        assert_eq!(long.percentile(0.5), Some(Weeks::Over104));
        assert_eq!(WaitBands::zero().percentile(0.5), None);
        assert_eq!(long.over(52), 5);
    }

    #[test]
    fn the_capacity_view_applies_littles_law_and_the_queue_formulas() {
        // 300 stops in a 30-day month = 70 a week; a 10-week mean wait implies 700 waiting.
        let view = capacity_view(300, 30, 10.0, 18.0);
        assert!((view.per_week - 70.0).abs() < 1e-12);
        assert!((view.implied_queue - 700.0).abs() < 1e-9);
        // Target queue 70 × 18 / 4 = 315; relief capacity 70 + (700 − 315)/26.
        assert!((view.target_queue - 315.0).abs() < 1e-9);
        assert!((view.capacity_needed - (70.0 + 385.0 / 26.0)).abs() < 1e-9);
    }
}
