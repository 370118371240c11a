//! Capacity plans: for a service, the weekly capacity that meets a waiting-time standard at a
//! chosen confidence, its headroom over demand, the time to clear the backlog and the cost at
//! tariff, under scenarios compared side by side (activity shifted to community settings, a
//! change of case mix, extra sessions).
//!
//! Two readings of "capacity needed" are given, and the page shows both:
//! - **formula**: NHSRwaitinglist's — demand at the confidence percentile of weekly referrals
//!   (Poisson), plus `calc_target_capacity`'s allowance for variability, or
//!   `calc_relief_capacity` when the backlog is above the target queue (cleared over
//!   `clear_within_weeks`);
//! - **simulated**: the least capacity (to 0.1 a week) with which, in at least `confidence` of
//!   the simulator's replications, the waiting list at the horizon has `target_share` of its
//!   patients within the standard — found by bisection with the same seed at every step (common
//!   random numbers), so the answer is reproducible and monotone in practice.
//!
//! Costs: the activity a year the simulation treats (the mean across replications) at the
//! price per case, plus the shifted activity at the community price; whole cases times exact
//! pence.

use serde::{Deserialize, Serialize};

use crate::methods::MethodError;
use crate::methods::simulate::{PriorityClass, SimConfig, SimResult, simulate};
use crate::methods::waiting;
use crate::money::Money;

/// A service to plan for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePlan {
    pub name: String,
    /// Referrals a week expected (after any forecast growth).
    pub demand: f64,
    /// Treatment slots a week today.
    pub capacity: f64,
    /// Patients waiting today by completed weeks waited (index k: k to k + 1 weeks).
    #[serde(default)]
    pub waiting: Vec<u32>,
    #[serde(default = "default_standard")]
    pub standard_weeks: f64,
    /// Share of the waiting list to be within the standard (0.92 for RTT).
    #[serde(default = "default_share")]
    pub target_share: f64,
    /// Confidence, 0–1 (0.85: the 85th percentile).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
    /// Price per case at tariff, in pence.
    pub price_pence: i64,
    /// Price per case in the community setting, in pence.
    #[serde(default)]
    pub community_price_pence: i64,
    #[serde(default = "default_clear")]
    pub clear_within_weeks: f64,
    #[serde(default = "default_horizon")]
    pub horizon_weeks: u32,
    #[serde(default = "default_replications")]
    pub replications: u32,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Demand by calendar month, January first (12 multipliers), if seasonal.
    #[serde(default)]
    pub seasonality: Vec<f64>,
}

fn default_standard() -> f64 {
    18.0
}
fn default_share() -> f64 {
    0.92
}
fn default_confidence() -> f64 {
    0.85
}
fn default_clear() -> f64 {
    26.0
}
fn default_horizon() -> u32 {
    104
}
fn default_replications() -> u32 {
    1000
}
fn default_seed() -> u64 {
    1
}

/// A change to the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// Share of demand moved to community settings, 0–1.
    #[serde(default)]
    pub community_shift: f64,
    /// Demand multiplier from a change of case mix (1.05: 5% more).
    #[serde(default = "one")]
    pub case_mix_demand: f64,
    /// Price multiplier from a change of case mix.
    #[serde(default = "one")]
    pub case_mix_price: f64,
    /// Extra slots a week (sessions × cases per session).
    #[serde(default)]
    pub extra_capacity: f64,
}

fn one() -> f64 {
    1.0
}

impl Scenario {
    pub fn baseline() -> Self {
        Self {
            name: "Baseline".into(),
            community_shift: 0.0,
            case_mix_demand: 1.0,
            case_mix_price: 1.0,
            extra_capacity: 0.0,
        }
    }
}

/// What a scenario gives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioResult {
    pub scenario: Scenario,
    /// Referrals a week to the service after the scenario, and moved to the community.
    pub demand: f64,
    pub community_demand: f64,
    pub capacity: f64,
    pub formula_capacity: f64,
    /// `None` when even twice the demand plus the backlog over the horizon would not do.
    pub simulated_capacity: Option<f64>,
    /// Capacity needed (simulated, else formula) less demand.
    pub headroom: f64,
    /// Weeks to bring the backlog down to the target queue at this capacity (0 if it is
    /// there; `None` if capacity does not exceed demand).
    pub clearance_weeks: Option<f64>,
    pub cases_per_year: i64,
    pub cost_per_year: Money,
    pub community_cases_per_year: i64,
    pub community_cost_per_year: Money,
    pub total_cost_per_year: Money,
    /// The simulation at the scenario's capacity.
    pub simulation: SimResult,
}

fn validate(plan: &ServicePlan, scenarios: &[Scenario]) -> Result<(), MethodError> {
    let invalid = |text: String| Err(MethodError::Invalid(text));
    if !(0.0..1.0).contains(&plan.confidence) || plan.confidence <= 0.0 {
        return invalid(format!("confidence must be between 0 and 1, not {}", plan.confidence));
    }
    if !(plan.target_share > 0.0 && plan.target_share <= 1.0) {
        return invalid(format!("target_share must be more than 0 and at most 1, not {}", plan.target_share));
    }
    if plan.price_pence < 0 || plan.community_price_pence < 0 {
        return invalid("prices must not be negative".into());
    }
    if plan.clear_within_weeks.is_nan() || plan.clear_within_weeks <= 0.0 {
        return invalid(format!("clear_within_weeks must be more than 0, not {}", plan.clear_within_weeks));
    }
    for (i, s) in scenarios.iter().enumerate() {
        if !(0.0..=1.0).contains(&s.community_shift) {
            return invalid(format!("scenarios[{i}].community_shift must be 0 to 1, not {}", s.community_shift));
        }
        if !(s.case_mix_demand > 0.0 && s.case_mix_price > 0.0) {
            return invalid(format!("scenarios[{i}] case-mix multipliers must be more than 0"));
        }
        if !s.extra_capacity.is_finite() {
            return invalid(format!("scenarios[{i}].extra_capacity must be a number"));
        }
    }
    Ok(())
}

/// The smallest k with P(Poisson(λ) ≤ k) ≥ p (R's `qpois`), summing the probabilities
/// outward from the mode so that large λ does not underflow.
fn poisson_quantile(lambda: f64, p: f64) -> f64 {
    if lambda <= 0.0 {
        return 0.0;
    }
    let last = (lambda + 12.0 * lambda.sqrt() + 12.0).ceil() as usize;
    let mode = lambda.floor() as usize;
    let mut pmf = vec![0.0f64; last + 1];
    pmf[mode] = (-lambda + mode as f64 * lambda.ln() - crate::methods::dist::ln_gamma(mode as f64 + 1.0)).exp();
    for k in mode + 1..=last {
        pmf[k] = pmf[k - 1] * lambda / k as f64;
    }
    for k in (0..mode).rev() {
        pmf[k] = pmf[k + 1] * (k + 1) as f64 / lambda;
    }
    let mut cumulative = 0.0;
    for (k, probability) in pmf.iter().enumerate() {
        cumulative += probability;
        // A relative allowance for rounding, as R's qpois has (a fuzz of 64 ε).
        if cumulative >= p * (1.0 - 64.0 * f64::EPSILON) {
            return k as f64;
        }
    }
    last as f64
}

/// Plans the service under each scenario (the baseline first if not given), using `threads`.
pub fn plan(service: &ServicePlan, scenarios: &[Scenario], threads: usize) -> Result<Vec<ScenarioResult>, MethodError> {
    validate(service, scenarios)?;
    let mut all = vec![Scenario::baseline()];
    all.extend(scenarios.iter().filter(|s| **s != Scenario::baseline()).cloned());
    all.iter().map(|scenario| plan_one(service, scenario, threads)).collect()
}

fn config(service: &ServicePlan, demand: f64, capacity: f64, replications: u32) -> SimConfig {
    SimConfig {
        horizon_weeks: service.horizon_weeks,
        replications,
        seed: service.seed,
        demand_seasonality: service.seasonality.clone(),
        classes: vec![PriorityClass {
            name: "routine".into(),
            share: 1.0,
            standard_weeks: service.standard_weeks,
            initial_waiting: service.waiting.clone(),
        }],
        target_share: service.target_share,
        ..SimConfig::new(demand, capacity.max(0.0))
    }
}

/// Whether, in at least `confidence` of the replications, the list at the horizon has
/// `target_share` of its patients within the standard.
fn meets(
    service: &ServicePlan,
    demand: f64,
    capacity: f64,
    replications: u32,
    threads: usize,
) -> Result<bool, MethodError> {
    let result = simulate(&config(service, demand, capacity, replications), threads)?;
    Ok(result.meets_target_at_end >= service.confidence)
}

fn plan_one(service: &ServicePlan, scenario: &Scenario, threads: usize) -> Result<ScenarioResult, MethodError> {
    let demand = service.demand * scenario.case_mix_demand * (1.0 - scenario.community_shift);
    let community_demand = service.demand * scenario.case_mix_demand * scenario.community_shift;
    let capacity = service.capacity + scenario.extra_capacity;
    let backlog: f64 = service.waiting.iter().map(|c| f64::from(*c)).sum();
    let target_queue = waiting::target_queue_size(demand, service.standard_weeks, 4.0);
    let high_demand = poisson_quantile(demand, service.confidence);
    let formula_capacity = if backlog > target_queue {
        waiting::relief_capacity(high_demand, backlog, target_queue, service.clear_within_weeks, 0.0, 0.0)
    } else {
        waiting::target_capacity(high_demand, service.standard_weeks, 4.0, 1.0, 1.0)
    };
    // Bisection with fewer replications (the answer to 0.1 a week needs no more).
    let search_reps = service.replications.clamp(1, 400);
    let upper_bound = 2.0 * demand + backlog / f64::from(service.horizon_weeks) + 10.0;
    let simulated_capacity = if meets(service, demand, upper_bound, search_reps, threads)? {
        let (mut low, mut high) = (0.0f64, upper_bound);
        while high - low > 0.1 {
            let mid = (low + high) / 2.0;
            if meets(service, demand, mid, search_reps, threads)? {
                high = mid;
            } else {
                low = mid;
            }
        }
        Some((high * 10.0).ceil() / 10.0)
    } else {
        None
    };
    let needed = simulated_capacity.unwrap_or(formula_capacity);
    let clearance_weeks = if backlog <= target_queue {
        Some(0.0)
    } else if capacity > demand {
        Some((backlog - target_queue) / (capacity - demand))
    } else {
        None
    };
    let simulation = simulate(&config(service, demand, capacity, service.replications), threads)?;
    let years = f64::from(service.horizon_weeks) / 52.0;
    let cases_per_year = (simulation.treated_mean / years).round() as i64;
    let community_cases_per_year = (community_demand * 52.0).round() as i64;
    let price = (service.price_pence as f64 * scenario.case_mix_price).round() as i64;
    let community_price = (service.community_price_pence as f64 * scenario.case_mix_price).round() as i64;
    let cost_per_year = Money::from_pence(price).times(cases_per_year);
    let community_cost_per_year = Money::from_pence(community_price).times(community_cases_per_year);
    Ok(ScenarioResult {
        scenario: scenario.clone(),
        demand,
        community_demand,
        capacity,
        formula_capacity,
        simulated_capacity,
        headroom: needed - demand,
        clearance_weeks,
        cases_per_year,
        cost_per_year,
        community_cases_per_year,
        community_cost_per_year,
        total_cost_per_year: Money::from_pence(cost_per_year.pence() + community_cost_per_year.pence()),
        simulation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> ServicePlan {
        ServicePlan {
            name: "Trauma and orthopaedics".into(),
            demand: 50.0,
            capacity: 50.0,
            waiting: vec![40; 30],
            standard_weeks: 18.0,
            target_share: 0.92,
            confidence: 0.85,
            price_pence: 150_000,
            community_price_pence: 60_000,
            clear_within_weeks: 26.0,
            horizon_weeks: 52,
            replications: 300,
            seed: 3,
            seasonality: Vec::new(),
        }
    }

    #[test]
    fn poisson_quantiles_are_the_smallest_count_reaching_the_probability() {
        // R: qpois(0.85, 50) = 57; qpois(0.5, 3) = 3; qpois(0.85, 1000) = 1033.
        assert_eq!(poisson_quantile(50.0, 0.85), 57.0);
        assert_eq!(poisson_quantile(3.0, 0.5), 3.0);
        assert_eq!(poisson_quantile(1000.0, 0.85), 1033.0);
    }

    #[test]
    fn a_backlog_needs_more_than_demand_and_scenarios_move_cost_and_queue() {
        let shift = Scenario { name: "Community".into(), community_shift: 0.2, ..Scenario::baseline() };
        let sessions = Scenario { name: "Extra sessions".into(), extra_capacity: 8.0, ..Scenario::baseline() };
        let results = plan(&service(), &[shift, sessions], 2).unwrap();
        assert_eq!(results.len(), 3);
        let (base, community, extra) = (&results[0], &results[1], &results[2]);
        // 1,200 waiting against a target queue of 50 × 18 / 4 = 225: relief capacity from the
        // 85th-percentile demand (57), 57 + 975 / 26.
        assert!((base.formula_capacity - (57.0 + 975.0 / 26.0)).abs() < 1e-9);
        let needed = base.simulated_capacity.unwrap();
        assert!(needed > 50.0 && needed < 100.0, "{needed}");
        assert_eq!(base.clearance_weeks, None, "capacity equal to demand never clears the backlog");
        // Moving a fifth of demand out: 40 a week left; the backlog clears at 975/10 weeks.
        assert!((community.demand - 40.0).abs() < 1e-12 && (community.community_demand - 10.0).abs() < 1e-12);
        assert!((community.clearance_weeks.unwrap() - (1200.0 - 180.0) / 10.0).abs() < 1e-9);
        assert_eq!(community.community_cost_per_year, Money::from_pence(60_000 * 520));
        let end = |r: &ScenarioResult| r.simulation.weeks.last().unwrap().queue_size.mean;
        assert!(end(extra) < end(base) && end(community) < end(base));
        // Cost is whole cases at the exact price.
        assert_eq!(base.cost_per_year.pence(), base.cases_per_year * 150_000);
        // The same inputs give the same plan.
        assert_eq!(plan(&service(), &[], 2).unwrap()[0], results[0]);
    }

    #[test]
    fn bad_plans_are_refused_with_the_field() {
        let error = plan(&ServicePlan { confidence: 1.5, ..service() }, &[], 1).unwrap_err().to_string();
        assert!(error.starts_with("confidence"), "{error}");
        let bad = Scenario { community_shift: 2.0, ..Scenario::baseline() };
        let error = plan(&service(), &[bad], 1).unwrap_err().to_string();
        assert!(error.starts_with("scenarios[0].community_shift"), "{error}");
    }
}
