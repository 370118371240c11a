//! Waiting-list queueing formulas, agreeing with NHSRwaitinglist's `calc_*` functions
//! (METHODS.md section C): queue load, target mean wait, target queue size (Little's law),
//! target capacity (Kingman-style variability), relief capacity (with the package's
//! demand-uncertainty adjustment) and waiting-list pressure. Demand and capacity are per week
//! and waits in weeks, as the package uses them.
//!
//! Where the package's code and documentation differ, the code is followed: target capacity
//! adds `(cv_demand² + cv_capacity²) / 2 × factor / target_wait`, not the documented
//! `(cv_demand² + cv_capacity²) / waiting_time`. Like the package, no function refuses a zero
//! or negative input; a zero divisor gives an infinite or undefined result (JSON null).

/// The factor by which the target wait exceeds the mean wait: with exponentially distributed
/// waits, a mean of a quarter of the target keeps about 98% within it.
pub const DEFAULT_FACTOR: f64 = 4.0;

/// `calc_queue_load`: demand ÷ capacity; above 1 the queue grows without end.
pub fn queue_load(demand: f64, capacity: f64) -> f64 {
    demand / capacity
}

/// `calc_target_mean_wait`: the mean wait that meets the target, target ÷ factor.
pub fn target_mean_wait(target_wait: f64, factor: f64) -> f64 {
    target_wait / factor
}

/// `calc_target_queue_size`: by Little's law, demand × target wait ÷ factor.
pub fn target_queue_size(demand: f64, target_wait: f64, factor: f64) -> f64 {
    demand * target_wait / factor
}

/// `calc_target_capacity`: the capacity that keeps a stable queue at its target mean wait,
/// demand + ((cv_demand² + cv_capacity²) / 2) × (factor / target_wait).
pub fn target_capacity(demand: f64, target_wait: f64, factor: f64, cv_demand: f64, cv_capacity: f64) -> f64 {
    demand + ((cv_demand.powi(2) + cv_capacity.powi(2)) / 2.0) * (factor / target_wait)
}

/// `calc_relief_capacity`: the capacity that brings the queue from `queue_size` to
/// `target_queue_size` in `time_to_target` weeks, demand + (Q − Q*) ÷ T. When the number of
/// referrals behind the demand estimate is given (above 0) with its coefficient of variation,
/// and `2·demand·cv/√n < 1`, demand is first raised to `demand / (1 − 2·demand·cv/√n)`, as the
/// package does, to allow for the estimate being low.
pub fn relief_capacity(
    demand: f64,
    queue_size: f64,
    target_queue_size: f64,
    time_to_target: f64,
    num_referrals: f64,
    cv_demand: f64,
) -> f64 {
    let mut demand = demand;
    if num_referrals > 0.0 {
        let uncertainty = 2.0 * demand * cv_demand / num_referrals.sqrt();
        if uncertainty < 1.0 {
            demand /= 1.0 - uncertainty;
        }
    }
    demand + (queue_size - target_queue_size) / time_to_target
}

/// `calc_waiting_list_pressure`: 2 × mean wait ÷ target wait; above 1 the target is at risk.
pub fn waiting_list_pressure(mean_wait: f64, target_wait: f64) -> f64 {
    2.0 * mean_wait / target_wait
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `expect_equal`'s default tolerance, relative 1.5e-8.
    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1.5e-8 * b.abs().max(1.0)
    }

    // The expected values are those of the package's own tests (tests/testthat/test-calc_*.R).
    #[test]
    fn the_formulas_agree_with_the_packages_tests() {
        assert!(close(
            target_capacity(30.0, 52.0, 3.0, 1.1, 1.2),
            30.0 + ((1.1f64.powi(2) + 1.2f64.powi(2)) / 2.0) * (3.0 / 52.0)
        ));
        assert!((target_capacity(30.0, 52.0, 3.0, 1.1, 1.2) - 30.076442).abs() < 1e-6);
        for ((d, q, qt, t), expected) in [
            ((30.0, 1200.0, 390.0, 26.0), 61.153846),
            ((33.0, 800.0, 200.0, 30.0), 53.0),
            ((35.0, 250.0, 100.0, 15.0), 45.0),
        ] {
            assert!((relief_capacity(d, q, qt, t, 0.0, 0.0) - expected).abs() < 1e-6, "{d} {q} {qt} {t}");
        }
        for ((d, w, f), expected) in
            [((30.0, 52.0, 4.0), 390.0), ((30.0, 50.0, 4.0), 375.0), ((30.0, 50.0, 6.0), 250.0)]
        {
            assert!(close(target_queue_size(d, w, f), expected));
        }
        for ((w, f), expected) in
            [((52.0, 4.0), 13.0), ((35.0, 4.0), 8.75), ((30.0, 4.0), 7.5), ((52.0, 6.0), 8.6666667)]
        {
            assert!((target_mean_wait(w, f) - expected).abs() < 1e-6);
        }
        for ((m, t), expected) in [((63.0, 52.0), 2.42307692), ((42.0, 24.0), 3.5), ((55.0, 50.0), 2.2)] {
            assert!((waiting_list_pressure(m, t) - expected).abs() < 1e-7);
        }
        assert!(close(queue_load(30.0, 27.0), 30.0 / 27.0));
    }

    #[test]
    fn relief_capacity_raises_an_uncertain_demand_only_when_the_adjustment_is_below_one() {
        // 2 × 10 × 0.5 / √100 = 1: not applied.
        assert_eq!(relief_capacity(10.0, 130.0, 30.0, 10.0, 100.0, 0.5), 20.0);
        // 2 × 10 × 0.25 / √100 = 0.5: demand becomes 20.
        assert_eq!(relief_capacity(10.0, 130.0, 30.0, 10.0, 100.0, 0.25), 30.0);
        assert!(queue_load(1.0, 0.0).is_infinite(), "no input is refused, as in the package");
    }
}
