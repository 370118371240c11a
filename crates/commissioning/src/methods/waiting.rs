//! Waiting-list queueing formulas, agreeing with NHSRwaitinglist's `calc_*` functions
//! (METHODS.md section C): queue load, target mean wait, target queue size (Little's law),
//! target capacity (Kingman-style variability), relief capacity (with the package's
//! demand-uncertainty adjustment) and waiting-list pressure; and from patient-level data, the
//! daily queue size, referral and removal statistics, the combined statistics and the FIFO
//! scheduling of operation slots. Demand and capacity are per week
//! and waits in weeks, as the package uses them.
//!
//! Where the package's code and documentation differ, the code is followed: target capacity
//! adds `(cv_demand² + cv_capacity²) / 2 × factor / target_wait`, not the documented
//! `(cv_demand² + cv_capacity²) / waiting_time`. Like the package, no function refuses a zero
//! or negative input; a zero divisor gives an infinite or undefined result (JSON null).

use chrono::NaiveDate;

use crate::methods::MethodError;

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

/// `wl_queue_size`: the queue on each day from `start` to `end`, cumulative referrals less
/// cumulative removals. Referrals before `start` count on `start`; removals count only from
/// `start` to `end`; `start` and `end` default to the first and last referral. (Where some
/// referrals fall after `end`, the package's table of counts no longer lines up with its days;
/// here they are simply not counted.)
pub fn queue_size(
    referrals: &[NaiveDate],
    removals: &[Option<NaiveDate>],
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> Result<Vec<(NaiveDate, i64)>, MethodError> {
    let (start, end) = window(referrals, start, end)?;
    let days = (end - start).num_days() + 1;
    let mut change = vec![0i64; days as usize];
    for referral in referrals {
        let day = (*referral).max(start);
        if day <= end {
            change[(day - start).num_days() as usize] += 1;
        }
    }
    for removal in removals.iter().flatten() {
        if start <= *removal && *removal <= end {
            change[(*removal - start).num_days() as usize] -= 1;
        }
    }
    let mut size = 0;
    Ok(change
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            size += c;
            (start + chrono::Duration::days(i as i64), size)
        })
        .collect())
}

/// The window of a patient-level calculation: the given dates, or the first and last referral.
fn window(
    referrals: &[NaiveDate],
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> Result<(NaiveDate, NaiveDate), MethodError> {
    let (Some(first), Some(last)) = (referrals.iter().min(), referrals.iter().max()) else {
        return Err(MethodError::invalid("the waiting list has no referrals"));
    };
    let (start, end) = (start.unwrap_or(*first), end.unwrap_or(*last));
    if end < start {
        return Err(MethodError::invalid(format!("end_date ({end}) is before start_date ({start})")));
    }
    Ok((start, end))
}

/// What `wl_referral_stats` reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferralStats {
    pub demand_weekly: f64,
    pub demand_daily: f64,
    /// The coefficient of variation of the gaps between referrals.
    pub demand_cov: f64,
    /// The number of gaps, which counts the window's start and end as arrivals too.
    pub demand_count: usize,
}

/// `wl_referral_stats`: the gaps (in days) between the window's start, each referral within
/// the window in the order given, and the window's end; demand is one over their mean. As
/// in the package, the start and end count as arrivals, so there is one more gap than
/// referrals, and the standard deviation is the sample one (n − 1).
pub fn referral_stats(
    referrals: &[NaiveDate],
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> Result<ReferralStats, MethodError> {
    let (start, end) = window(referrals, start, end)?;
    let mut arrivals = vec![start];
    arrivals.extend(referrals.iter().copied().filter(|r| start <= *r && *r <= end));
    arrivals.push(end);
    let gaps: Vec<f64> = arrivals.windows(2).map(|w| (w[1] - w[0]).num_days() as f64).collect();
    let n = gaps.len() as f64;
    let mean = gaps.iter().sum::<f64>() / n;
    let sd = if gaps.len() > 1 {
        (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        f64::NAN
    };
    let demand_daily = 1.0 / mean;
    Ok(ReferralStats {
        demand_weekly: 7.0 * demand_daily,
        demand_daily,
        demand_cov: sd / mean,
        demand_count: gaps.len(),
    })
}

/// What `wl_removal_stats` reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RemovalStats {
    pub capacity_weekly: f64,
    pub capacity_daily: f64,
    pub capacity_cov: f64,
    pub removal_count: usize,
}

/// `wl_removal_stats`: the gaps (in days) before each removal, measured from the previous
/// removal or from a day the queue was empty, whichever came later (the first from `start`).
/// As in the package, every removal counts whatever the window, the empty days come from the
/// queue over the referrals' own span, a single removal has a standard deviation of 0, and
/// with none the figures are undefined (JSON null).
pub fn removal_stats(
    referrals: &[NaiveDate],
    removals: &[Option<NaiveDate>],
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> Result<RemovalStats, MethodError> {
    let (start, _) = window(referrals, start, end)?;
    let mut events: Vec<(NaiveDate, bool)> = queue_size(referrals, removals, None, None)?
        .into_iter()
        .filter(|(_, q)| *q == 0)
        .map(|(d, _)| (d, false))
        .collect();
    events.extend(removals.iter().flatten().map(|d| (*d, true)));
    // By date, an empty day before a removal on the same day.
    events.sort();
    let mut gaps = Vec::new();
    let mut previous = start;
    for (day, is_removal) in events {
        if is_removal {
            gaps.push((day - previous).num_days() as f64);
        }
        previous = day;
    }
    let n = gaps.len() as f64;
    let mean = gaps.iter().sum::<f64>() / n;
    let sd =
        if gaps.len() <= 1 { 0.0 } else { (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() };
    Ok(RemovalStats {
        capacity_weekly: 7.0 / mean,
        capacity_daily: 1.0 / mean,
        capacity_cov: sd / mean,
        removal_count: gaps.len(),
    })
}

/// What `wl_stats` reports (rates per week, the mean wait in days as in the package).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitingListStats {
    pub mean_demand: f64,
    pub mean_capacity: f64,
    pub load: f64,
    pub load_too_big: bool,
    pub count_demand: usize,
    pub queue_size: i64,
    pub target_queue_size: f64,
    pub queue_too_big: bool,
    pub mean_wait: f64,
    pub cv_arrival: f64,
    pub cv_removal: f64,
    /// Given only when the queue is not too big.
    pub target_capacity: Option<f64>,
    /// Given only when the queue is too big (more than twice its target).
    pub relief_capacity: Option<f64>,
    pub pressure: f64,
}

/// `wl_stats`: the referral and removal statistics, the final queue against its target, and
/// from them the load, the target or relief capacity and the pressure. As in the package the
/// mean wait is of patients still waiting at `end` (removed after it, or not removed and
/// referred by it), in days, while `target_wait` is in weeks; and the pressure divides one by
/// the other.
pub fn waiting_list_stats(
    referrals: &[NaiveDate],
    removals: &[Option<NaiveDate>],
    target_wait: f64,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> Result<WaitingListStats, MethodError> {
    let (start, end) = window(referrals, start, end)?;
    let referral = referral_stats(referrals, Some(start), Some(end))?;
    let queue = queue_size(referrals, removals, Some(start), Some(end))?;
    let removal = removal_stats(referrals, removals, Some(start), Some(end))?;
    let load = queue_load(referral.demand_weekly, removal.capacity_weekly);
    let q_size = queue.last().map_or(0, |(_, q)| *q);
    let q_target = target_queue_size(referral.demand_weekly, target_wait, DEFAULT_FACTOR);
    let queue_too_big = q_size as f64 > 2.0 * q_target;
    let waits: Vec<f64> = referrals
        .iter()
        .zip(removals)
        .filter(|(r, removed)| match removed {
            Some(day) => *day > end,
            None => **r <= end,
        })
        .map(|(r, _)| (end - *r).num_days() as f64)
        .collect();
    let mean_wait = waits.iter().sum::<f64>() / waits.len() as f64;
    Ok(WaitingListStats {
        mean_demand: referral.demand_weekly,
        mean_capacity: removal.capacity_weekly,
        load,
        load_too_big: load >= 1.0,
        count_demand: referral.demand_count,
        queue_size: q_size,
        target_queue_size: q_target,
        queue_too_big,
        mean_wait,
        cv_arrival: referral.demand_cov,
        cv_removal: removal.capacity_cov,
        target_capacity: (!queue_too_big).then(|| {
            target_capacity(
                referral.demand_weekly,
                target_wait,
                DEFAULT_FACTOR,
                referral.demand_cov,
                removal.capacity_cov,
            )
        }),
        relief_capacity: queue_too_big
            .then(|| relief_capacity(referral.demand_weekly, q_size as f64, q_target, 26.0, 0.0, 0.0)),
        pressure: waiting_list_pressure(mean_wait, target_wait),
    })
}

/// A scheduled list, (referral, removal) by referral, and whether each slot was used.
pub type Scheduled = (Vec<(NaiveDate, Option<NaiveDate>)>, Vec<bool>);

/// `wl_schedule`: each operation slot, in the order given, goes to the next patient still
/// waiting (in the list's order, which first-in-first-out assumes is referral order) if the
/// slot is after that patient's referral (strictly); a slot that is not is left unused and
/// the patient waits for the next one. Returns the list ordered by referral (those already
/// removed before those newly scheduled on the same day, as R's stable order gives) and,
/// for each slot, whether it was used.
pub fn schedule(
    referrals: &[NaiveDate],
    removals: &[Option<NaiveDate>],
    slots: &[NaiveDate],
) -> Result<Scheduled, MethodError> {
    if referrals.is_empty() {
        return Err(MethodError::invalid("the waiting list has no referrals"));
    }
    let removed: Vec<(NaiveDate, Option<NaiveDate>)> =
        referrals.iter().zip(removals).filter(|(_, r)| r.is_some()).map(|(a, r)| (*a, *r)).collect();
    let mut waiting: Vec<(NaiveDate, Option<NaiveDate>)> =
        referrals.iter().zip(removals).filter(|(_, r)| r.is_none()).map(|(a, _)| (*a, None)).collect();
    let mut next = 0;
    let used = slots
        .iter()
        .map(|slot| {
            let fits = next < waiting.len() && *slot > waiting[next].0;
            if fits {
                waiting[next].1 = Some(*slot);
                next += 1;
            }
            fits
        })
        .collect();
    let mut list: Vec<(NaiveDate, Option<NaiveDate>)> = removed.into_iter().chain(waiting).collect();
    list.sort_by_key(|(referral, _)| *referral);
    Ok((list, used))
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

    fn d(text: &str) -> NaiveDate {
        crate::period::parse_date(text).unwrap()
    }

    // The package's tests/testthat/test-wl_queue_size.R cases.
    #[test]
    fn the_daily_queue_agrees_with_the_packages_tests() {
        let referrals = [d("2024-01-01"), d("2024-01-04"), d("2024-01-10"), d("2024-01-16")];
        let queue = queue_size(
            &referrals,
            &[Some(d("2024-01-08")), None, None, None],
            Some(d("2024-01-01")),
            Some(d("2024-01-31")),
        )
        .unwrap();
        assert_eq!((queue[0], queue[3].1, queue.len()), ((d("2024-01-01"), 1), 2, 31));
        let two = queue_size(&referrals[..2], &[Some(d("2024-01-08")), None], None, Some(d("2024-01-31"))).unwrap();
        assert_eq!(two[0].0, d("2024-01-01"), "start defaults to the first referral");
        let two = queue_size(&referrals[..2], &[Some(d("2024-01-08")), None], Some(d("2024-01-01")), None).unwrap();
        assert_eq!(two.last().unwrap().0, d("2024-01-04"), "end defaults to the last referral");
        let none =
            queue_size(&referrals[..3], &[None, None, None], Some(d("2024-01-01")), Some(d("2024-01-10"))).unwrap();
        assert_eq!(none.iter().map(|q| q.1).collect::<Vec<_>>(), [1, 1, 1, 2, 2, 2, 2, 2, 2, 3]);
        let both = queue_size(
            &referrals,
            &[Some(d("2024-01-08")), Some(d("2024-01-15")), None, None],
            Some(d("2024-01-01")),
            Some(d("2024-01-31")),
        )
        .unwrap();
        assert_eq!((both[6].1, both[14].1), (2, 1));
        assert!(
            queue_size(&[], &[], Some(d("2024-01-01")), Some(d("2024-01-31"))).is_err(),
            "an empty list is an error"
        );
        // Referrals before the start count on the start.
        let early =
            queue_size(&[d("2023-12-01"), d("2024-01-03")], &[None, None], Some(d("2024-01-02")), None).unwrap();
        assert_eq!(early.iter().map(|q| q.1).collect::<Vec<_>>(), [1, 2]);
    }

    /// The package's example list (referrals 1, 4, 10 and 16 January): the gaps from the
    /// start, through each referral, to the end are 0, 3, 6, 6 and 0 days — mean 3, sample
    /// standard deviation 3 — worked by hand from the package's code.
    #[test]
    fn referral_statistics_count_the_window_ends_as_arrivals() {
        let referrals = [d("2024-01-01"), d("2024-01-04"), d("2024-01-10"), d("2024-01-16")];
        let stats = referral_stats(&referrals, None, None).unwrap();
        assert_eq!(stats.demand_count, 5);
        assert!((stats.demand_daily - 1.0 / 3.0).abs() < 1e-12 && (stats.demand_weekly - 7.0 / 3.0).abs() < 1e-12);
        assert!((stats.demand_cov - 1.0).abs() < 1e-12);
        let window = referral_stats(&referrals, Some(d("2024-01-02")), Some(d("2024-01-12"))).unwrap();
        // 2 → 4 → 10 → 12: gaps 2, 6, 2.
        assert_eq!(window.demand_count, 3);
        assert!((window.demand_daily - 3.0 / 10.0).abs() < 1e-12);
    }

    // The package's tests/testthat/test-wl_removal_stats.R and test_wl_stats.R cases.
    #[test]
    fn removal_and_waiting_list_statistics_agree_with_the_packages_tests() {
        let referrals = [d("2024-01-01"), d("2024-01-04"), d("2024-01-10"), d("2024-01-16")];
        let removals = [Some(d("2024-01-08")), None, None, None];
        let stats = removal_stats(&referrals, &removals, None, None).unwrap();
        assert_eq!(stats.removal_count, 1);
        assert!(stats.capacity_weekly > 0.0 && stats.capacity_cov >= 0.0);
        let two = removal_stats(&referrals[..2], &removals[..2], None, None).unwrap();
        assert_eq!((two.capacity_daily, two.capacity_weekly), (1.0 / 7.0, 1.0));
        let none = removal_stats(&referrals[..3], &[None, None, None], None, None).unwrap();
        assert_eq!(none.removal_count, 0);
        assert!(none.capacity_weekly.is_nan());
        let windowed =
            removal_stats(&referrals[..2], &removals[..2], Some(d("2024-01-02")), Some(d("2024-01-10"))).unwrap();
        assert_eq!(windowed.removal_count, 1);
        assert!(removal_stats(&[], &[], None, None).is_err());

        let wl = waiting_list_stats(
            &[d("2024-01-01"), d("2024-01-04"), d("2024-01-10")],
            &[Some(d("2024-01-08")), Some(d("2024-01-11")), None],
            4.0,
            Some(d("2024-01-01")),
            Some(d("2024-01-10")),
        )
        .unwrap();
        assert_eq!(wl.mean_wait, 3.0);
        assert!(waiting_list_stats(&[], &[], 4.0, None, None).is_err());
        // The example list: 4 referrals, 1 removal, the queue at 3 on 16 January.
        let wl = waiting_list_stats(&referrals, &removals, 4.0, Some(d("2024-01-01")), Some(d("2024-01-16"))).unwrap();
        assert_eq!((wl.queue_size, wl.count_demand), (3, 5));
        assert!((wl.target_queue_size - 7.0 / 3.0).abs() < 1e-12, "demand 7/3 a week × 4 ÷ 4");
        assert!(!wl.queue_too_big && wl.target_capacity.is_some() && wl.relief_capacity.is_none());
        // Still waiting on the 16th: referred on the 4th, 10th and 16th, so 12, 6 and 0 days.
        assert_eq!(wl.mean_wait, 6.0);
        assert_eq!(wl.pressure, 3.0);
    }

    // The package's tests/testthat/test-wl_schedule.R cases.
    #[test]
    fn operations_are_scheduled_first_in_first_out_after_each_referral() {
        let referrals = [d("2024-01-01"), d("2024-01-04"), d("2024-01-10")];
        let (list, used) = schedule(&referrals, &[None, None, None], &[d("2024-01-03"), d("2024-01-05")]).unwrap();
        assert_eq!(list.iter().filter(|(_, r)| r.is_some()).count(), 2);
        assert_eq!((list.len(), used), (3, vec![true, true]));
        let (later, _) = schedule(&referrals[..2], &[None, None], &[d("2024-02-01"), d("2024-03-01")]).unwrap();
        assert_eq!(later.iter().filter(|(_, r)| r.is_some()).count(), 2);
        assert!(schedule(&[], &[], &[d("2024-01-03")]).is_err());
        // The package's example: one already removed; a slot on the day of a referral is not
        // after it, so it stays unused.
        let (list, used) = schedule(
            &[d("2024-01-01"), d("2024-01-04"), d("2024-01-10"), d("2024-01-16")],
            &[Some(d("2024-01-08")), None, None, None],
            &[d("2024-01-03"), d("2024-01-05"), d("2024-01-10"), d("2024-01-18")],
        )
        .unwrap();
        assert_eq!(used, [false, true, false, true]);
        assert_eq!(list[1], (d("2024-01-04"), Some(d("2024-01-05"))));
        assert_eq!(list[2], (d("2024-01-10"), Some(d("2024-01-18"))));
        assert_eq!(list[3], (d("2024-01-16"), None));
    }
}
