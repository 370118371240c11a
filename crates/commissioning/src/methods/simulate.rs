//! The stochastic waiting-list simulator: Poisson referrals in priority classes, scheduled (or
//! Poisson) capacity served first to the most urgent class and first-come-first-served within
//! it, weekly withdrawals, and seasonality, run as many seeded replications on several threads,
//! summarised as percentiles of queue size, breaches of each class's standard and waits.
//!
//! The model is a cohort model: each class's queue is a run of cohorts (how many were referred
//! in each time step still waiting), oldest first, so a step costs the number of cohorts rather
//! than the number of patients. One step is a week unless `steps_per_week` says otherwise; in
//! each step, in order, waiting patients withdraw (each independently), referrals arrive, and
//! the step's slots treat patients (unused slots are lost). A patient referred in week r has,
//! at the end of week w, waited between w − r and w − r + 1 weeks and breaches a standard of S
//! weeks when w − r + 1 > S (so with S = 18, from the end of the 18th week after the referral
//! week: "more than 18 weeks"). Waits at treatment are counted in whole steps and their
//! percentiles interpolated within the step, as NHS England's RTT statistics interpolate within
//! week bands.
//!
//! Replication k of a run draws from its own generator, seeded from (seed, k), so the result
//! does not depend on the number of threads (tested).

use serde::{Deserialize, Serialize};

use crate::methods::MethodError;
use crate::methods::rng::{Exponential, PoissonTable, Xoshiro};

/// One priority class: its share of referrals, its standard and who is already waiting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityClass {
    pub name: String,
    /// Share of referrals (the shares are normalised to sum to 1).
    pub share: f64,
    /// The waiting-time standard in weeks (18 for RTT).
    #[serde(default = "default_standard")]
    pub standard_weeks: f64,
    /// Patients waiting at the start by completed weeks waited: index k holds those who have
    /// waited at least k and under k + 1 weeks.
    #[serde(default)]
    pub initial_waiting: Vec<u32>,
}

fn default_standard() -> f64 {
    18.0
}

/// A simulation: what to run and how many times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimConfig {
    /// Mean referrals per week.
    pub demand: f64,
    /// Treatment slots per week.
    pub capacity: f64,
    /// Weeks to simulate.
    #[serde(default = "default_horizon")]
    pub horizon_weeks: u32,
    #[serde(default = "default_replications")]
    pub replications: u32,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Slots as a Poisson process of the given weekly rate instead of a fixed schedule.
    #[serde(default)]
    pub capacity_random: bool,
    /// Probability that a waiting patient withdraws in a week.
    #[serde(default)]
    pub withdrawal_prob: f64,
    /// Multipliers of demand: 12 (by calendar month, January first; the first week is in
    /// `start_month`) or 52 (by week of the horizon, repeating).
    #[serde(default)]
    pub demand_seasonality: Vec<f64>,
    /// Multipliers of capacity, as for demand (e.g. fewer sessions in August and December).
    #[serde(default)]
    pub capacity_seasonality: Vec<f64>,
    /// The calendar month (1–12) of the first week; April, the financial year, unless said.
    #[serde(default = "default_start_month")]
    pub start_month: u32,
    /// Priority classes, most urgent first; one routine class with an 18-week standard if none.
    #[serde(default)]
    pub classes: Vec<PriorityClass>,
    /// Time steps per week (1 unless a finer step is wanted, as for comparison with a
    /// continuous-time queue).
    #[serde(default = "default_steps")]
    pub steps_per_week: u32,
    /// Percentiles (0–100) reported across replications.
    #[serde(default = "default_percentiles")]
    pub percentiles: Vec<f64>,
    /// The share of the list to be within the standard at the horizon (0.92, the RTT
    /// constitutional standard's form).
    #[serde(default = "default_target_share")]
    pub target_share: f64,
}

fn default_target_share() -> f64 {
    0.92
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
fn default_start_month() -> u32 {
    4
}
fn default_steps() -> u32 {
    1
}
fn default_percentiles() -> Vec<f64> {
    vec![5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0]
}

impl SimConfig {
    /// A one-class run with the defaults.
    pub fn new(demand: f64, capacity: f64) -> Self {
        Self {
            demand,
            capacity,
            horizon_weeks: default_horizon(),
            replications: default_replications(),
            seed: default_seed(),
            capacity_random: false,
            withdrawal_prob: 0.0,
            demand_seasonality: Vec::new(),
            capacity_seasonality: Vec::new(),
            start_month: default_start_month(),
            classes: Vec::new(),
            steps_per_week: default_steps(),
            percentiles: default_percentiles(),
            target_share: default_target_share(),
        }
    }

    fn validate(&self) -> Result<(), MethodError> {
        let invalid = |text: String| Err(MethodError::Invalid(text));
        if !(self.demand.is_finite() && self.demand >= 0.0 && self.demand <= 1e6) {
            return invalid(format!("demand must be between 0 and 1,000,000 a week, not {}", self.demand));
        }
        if !(self.capacity.is_finite() && self.capacity >= 0.0 && self.capacity <= 1e6) {
            return invalid(format!("capacity must be between 0 and 1,000,000 a week, not {}", self.capacity));
        }
        if self.horizon_weeks == 0 || self.horizon_weeks > 1040 {
            return invalid(format!("horizon_weeks must be 1 to 1040, not {}", self.horizon_weeks));
        }
        if self.replications == 0 || self.replications > 1_000_000 {
            return invalid(format!("replications must be 1 to 1,000,000, not {}", self.replications));
        }
        if !(0.0..1.0).contains(&self.withdrawal_prob) {
            return invalid(format!("withdrawal_prob must be at least 0 and under 1, not {}", self.withdrawal_prob));
        }
        if !(1..=12).contains(&self.start_month) {
            return invalid(format!("start_month must be 1 to 12, not {}", self.start_month));
        }
        if self.steps_per_week == 0 || self.steps_per_week > 1000 {
            return invalid(format!("steps_per_week must be 1 to 1000, not {}", self.steps_per_week));
        }
        for (key, values) in
            [("demand_seasonality", &self.demand_seasonality), ("capacity_seasonality", &self.capacity_seasonality)]
        {
            if !matches!(values.len(), 0 | 12 | 52) {
                return invalid(format!("{key} must have 12 (monthly) or 52 (weekly) values, not {}", values.len()));
            }
            if let Some(bad) = values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                return invalid(format!("{key} values must be 0 or more, not {bad}"));
            }
        }
        if !(self.target_share > 0.0 && self.target_share <= 1.0) {
            return invalid(format!("target_share must be more than 0 and at most 1, not {}", self.target_share));
        }
        if let Some(bad) = self.percentiles.iter().find(|p| !(0.0..=100.0).contains(*p)) {
            return invalid(format!("percentiles must be between 0 and 100, not {bad}"));
        }
        for (i, class) in self.classes.iter().enumerate() {
            if !(class.share.is_finite() && class.share >= 0.0) {
                return invalid(format!("classes[{i}].share must be 0 or more, not {}", class.share));
            }
            if !(class.standard_weeks.is_finite() && class.standard_weeks > 0.0) {
                return invalid(format!(
                    "classes[{i}].standard_weeks must be more than 0, not {}",
                    class.standard_weeks
                ));
            }
        }
        if !self.classes.is_empty() && self.classes.iter().map(|c| c.share).sum::<f64>() <= 0.0 {
            return invalid("the classes' shares must not all be 0".into());
        }
        Ok(())
    }

    fn classes(&self) -> Vec<PriorityClass> {
        if self.classes.is_empty() {
            vec![PriorityClass {
                name: "routine".into(),
                share: 1.0,
                standard_weeks: 18.0,
                initial_waiting: Vec::new(),
            }]
        } else {
            let total: f64 = self.classes.iter().map(|c| c.share).sum();
            self.classes.iter().map(|c| PriorityClass { share: c.share / total, ..c.clone() }).collect()
        }
    }

    /// The multiplier for week `week` from a 12- or 52-value profile.
    fn season(&self, profile: &[f64], week: u32) -> f64 {
        match profile.len() {
            12 => profile[((self.start_month - 1 + week * 12 / 52) % 12) as usize],
            52 => profile[(week % 52) as usize],
            _ => 1.0,
        }
    }
}

/// Percentiles of one quantity across replications, with its mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub mean: f64,
    /// One value per requested percentile, in the order requested.
    pub percentiles: Vec<f64>,
}

/// One week's queue across replications (at the end of the week).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekSummary {
    pub week: u32,
    pub queue_size: Spread,
    /// Patients waiting longer than their class's standard.
    pub breaches: Spread,
}

/// Waits at treatment for one class, pooled over all replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitSummary {
    pub class: String,
    pub standard_weeks: f64,
    pub treated: u64,
    pub mean_weeks: f64,
    pub median_weeks: f64,
    pub p92_weeks: f64,
    pub p95_weeks: f64,
    /// Share of the treated who waited within the standard.
    pub within_standard: f64,
}

/// What a run found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimResult {
    pub replications: u32,
    pub percentiles: Vec<f64>,
    pub weeks: Vec<WeekSummary>,
    pub waits: Vec<WaitSummary>,
    /// Per replication totals over the horizon, as means across replications.
    pub referred_mean: f64,
    pub treated_mean: f64,
    pub withdrawn_mean: f64,
    /// Share of replications whose waiting list at the horizon has at least `target_share` of
    /// its patients within their standard.
    pub meets_target_at_end: f64,
    /// The mean queue size over each replication's weeks, averaged (for comparison with
    /// queueing theory), and its Monte-Carlo standard error.
    pub time_mean_queue: f64,
    pub time_mean_queue_se: f64,
}

/// What the replications of one thread record: per-week queue sizes and breaches, week-major
/// (`queue[week * reps + i]` for its `i`th replication), and totals.
struct Totals {
    reps: usize,
    queue: Vec<u32>,
    breaches: Vec<u32>,
    referred: u64,
    treated: u64,
    withdrawn: u64,
    meets_target: u64,
    time_mean: Vec<f64>,
    /// Per class, treated counts by steps waited.
    waits: Vec<Vec<u64>>,
    /// Per class, the queue, reused by each replication.
    queues: Vec<Queue>,
}

/// Everything a replication reads, worked out once per run.
struct Model {
    steps: i32,
    classes: Vec<PriorityClass>,
    /// The distinct Poisson tables (seasonality repeats a few rates, and one small set of
    /// tables stays in cache across a replication's weeks).
    tables: Vec<PoissonTable>,
    /// Per week, per class: the table of referrals per step.
    arrivals: Vec<Vec<usize>>,
    /// Per week, the table of slots per step when capacity is random.
    slot_tables: Vec<usize>,
    /// Per step, the slots of a fixed schedule: the whole slots reached by the cumulative
    /// weekly capacity.
    fixed_slots: Vec<u64>,
    breach_after: Vec<i32>,
    /// −ln(probability of staying a step), 0 without withdrawals.
    withdrawal_rate: f64,
    exponential: Exponential,
    wait_buckets: usize,
}

/// Poisson tables built once per distinct rate.
#[derive(Default)]
struct Tables {
    tables: Vec<PoissonTable>,
    rates: Vec<u64>,
}

impl Tables {
    fn index(&mut self, rate: f64) -> usize {
        let bits = rate.to_bits();
        if let Some(i) = self.rates.iter().position(|r| *r == bits) {
            return i;
        }
        self.rates.push(bits);
        self.tables.push(PoissonTable::new(rate));
        self.tables.len() - 1
    }
}

/// One class's queue: cohorts (referral step, still waiting), oldest first, from `head` of a
/// vector that only grows within a replication (a replication makes at most one cohort a
/// step) and is reused by the next, with the number of leading cohorts known to breach the
/// standard and how many patients they hold, so that neither treating nor counting breaches
/// walks the whole queue.
struct Queue {
    cohorts: Vec<(i32, u32)>,
    head: usize,
    size: u64,
    breached_cohorts: usize,
    breached: u64,
}

impl Queue {
    fn withdraw(&mut self, rng: &mut Xoshiro, exponential: &Exponential, rate: f64) -> u64 {
        // Waiting patients withdraw independently: the gaps between withdrawals along the
        // queue are geometric, so only the withdrawals and the cohorts are visited.
        let mut withdrawn = 0u64;
        let mut emptied_breaching = 0usize;
        let mut skip = exponential.geometric(rng, rate);
        for (index, cohort) in self.cohorts[self.head..].iter_mut().enumerate() {
            let size = u64::from(cohort.1);
            if skip >= size {
                skip -= size;
                continue;
            }
            let mut position = 0u64;
            while skip < size - position {
                position += skip + 1;
                cohort.1 -= 1;
                withdrawn += 1;
                if index < self.breached_cohorts {
                    self.breached -= 1;
                }
                skip = exponential.geometric(rng, rate);
            }
            skip -= size - position;
            if cohort.1 == 0 && index < self.breached_cohorts {
                emptied_breaching += 1;
            }
        }
        if withdrawn > 0 {
            let mut kept = self.head;
            for read in self.head..self.cohorts.len() {
                if self.cohorts[read].1 > 0 {
                    self.cohorts[kept] = self.cohorts[read];
                    kept += 1;
                }
            }
            self.cohorts.truncate(kept);
            self.size -= withdrawn;
            self.breached_cohorts -= emptied_breaching;
        }
        withdrawn
    }

    /// Treats up to `slots` patients oldest first, counting their waits; returns slots left.
    fn treat(&mut self, mut slots: u64, step: i32, waits: &mut [u64]) -> u64 {
        while slots > 0 {
            let Some(front) = self.cohorts.get_mut(self.head) else { break };
            let taken = u64::from(front.1).min(slots);
            let waited = (step - front.0) as usize;
            waits[waited] += taken;
            slots -= taken;
            self.size -= taken;
            if self.breached_cohorts > 0 {
                self.breached -= taken;
            }
            if taken == u64::from(front.1) {
                self.head += 1;
                self.breached_cohorts = self.breached_cohorts.saturating_sub(1);
            } else {
                front.1 -= taken as u32;
            }
        }
        slots
    }

    /// Patients whose wait at the end of `step` exceeds the standard, given as `breach_after`
    /// = ⌊standard in steps⌋ (a wait of up to x + 1 steps exceeds S exactly when x ≥ ⌊S⌋):
    /// cohorts only ever cross into breach, so the boundary moves forward.
    fn breaches(&mut self, step: i32, breach_after: i32) -> u64 {
        while let Some(&(referred, waiting)) = self.cohorts.get(self.head + self.breached_cohorts) {
            if step - referred < breach_after {
                break;
            }
            self.breached += u64::from(waiting);
            self.breached_cohorts += 1;
        }
        self.breached
    }
}

/// Runs the simulation on `threads` threads.
pub fn simulate(config: &SimConfig, threads: usize) -> Result<SimResult, MethodError> {
    config.validate()?;
    let classes = config.classes();
    let steps = config.steps_per_week as usize;
    let weeks = config.horizon_weeks as usize;
    let reps = config.replications as usize;
    let longest_initial = classes.iter().map(|c| c.initial_waiting.len()).max().unwrap_or(0);
    let weekly_capacity: Vec<f64> =
        (0..weeks as u32).map(|w| config.capacity * config.season(&config.capacity_seasonality, w)).collect();
    let stay_per_step = (1.0 - config.withdrawal_prob).powf(1.0 / steps as f64);
    let mut tables = Tables::default();
    let arrivals = (0..weeks as u32)
        .map(|w| {
            let weekly = config.demand * config.season(&config.demand_seasonality, w);
            classes.iter().map(|c| tables.index(weekly * c.share / steps as f64)).collect()
        })
        .collect();
    let slot_tables = if config.capacity_random {
        weekly_capacity.iter().map(|c| tables.index(c / steps as f64)).collect()
    } else {
        Vec::new()
    };
    let mut cumulative = 0.0f64;
    let fixed_slots = weekly_capacity
        .iter()
        .flat_map(|c| std::iter::repeat_n(c / steps as f64, steps))
        .map(|per_step| {
            let before = cumulative.floor();
            cumulative += per_step;
            (cumulative.floor() - before) as u64
        })
        .collect();
    let model = Model {
        steps: steps as i32,
        tables: tables.tables,
        arrivals,
        slot_tables,
        fixed_slots,
        breach_after: classes.iter().map(|c| (c.standard_weeks * steps as f64).floor() as i32).collect(),
        withdrawal_rate: -stay_per_step.ln(),
        exponential: Exponential::new(),
        wait_buckets: weeks * steps + (longest_initial + 1) * steps + 1,
        classes,
    };

    let threads = threads.clamp(1, reps);
    let per_thread = reps.div_ceil(threads);
    let parts: Vec<Totals> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..reps)
            .step_by(per_thread)
            .map(|first| {
                let model = &model;
                scope.spawn(move || {
                    let count = per_thread.min(reps - first);
                    let mut totals = Totals {
                        reps: count,
                        queue: vec![0; count * weeks],
                        breaches: vec![0; count * weeks],
                        referred: 0,
                        treated: 0,
                        withdrawn: 0,
                        meets_target: 0,
                        time_mean: Vec::with_capacity(count),
                        waits: vec![vec![0u64; model.wait_buckets]; model.classes.len()],
                        queues: (0..model.classes.len())
                            .map(|_| Queue {
                                cohorts: Vec::with_capacity(model.wait_buckets),
                                head: 0,
                                size: 0,
                                breached_cohorts: 0,
                                breached: 0,
                            })
                            .collect(),
                    };
                    for i in 0..count {
                        let mut rng = Xoshiro::for_stream(config.seed, (first + i) as u64);
                        replicate(config, model, &mut rng, i, &mut totals);
                    }
                    totals
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a simulation worker panicked")).collect()
    });

    let classes = &model.classes;
    let mut referred = 0u64;
    let mut treated = 0u64;
    let mut withdrawn = 0u64;
    let mut meets = 0u64;
    let mut time_means = Vec::with_capacity(reps);
    let mut waits = vec![vec![0u64; model.wait_buckets]; classes.len()];
    for part in &parts {
        referred += part.referred;
        treated += part.treated;
        withdrawn += part.withdrawn;
        meets += part.meets_target;
        time_means.extend(&part.time_mean);
        for (all, some) in waits.iter_mut().zip(&part.waits) {
            for (a, s) in all.iter_mut().zip(some) {
                *a += s;
            }
        }
    }
    let probabilities: Vec<f64> = config.percentiles.iter().map(|p| p / 100.0).collect();
    let week_summaries = summarise_weeks(&parts, reps, weeks, &probabilities, threads);
    let n = reps as f64;
    let time_mean = time_means.iter().sum::<f64>() / n;
    let time_var =
        if reps > 1 { time_means.iter().map(|m| (m - time_mean).powi(2)).sum::<f64>() / (n - 1.0) } else { f64::NAN };
    let wait_summaries = classes
        .iter()
        .zip(&waits)
        .map(|(class, counts)| {
            let width = 1.0 / steps as f64;
            let total: u64 = counts.iter().sum();
            let mean = counts.iter().enumerate().map(|(k, c)| (k as f64 + 0.5) * width * *c as f64).sum::<f64>()
                / total as f64;
            let within: u64 = counts
                .iter()
                .enumerate()
                .filter(|(k, _)| ((*k + 1) as f64) <= class.standard_weeks * steps as f64)
                .map(|(_, c)| c)
                .sum();
            WaitSummary {
                class: class.name.clone(),
                standard_weeks: class.standard_weeks,
                treated: total,
                mean_weeks: mean,
                median_weeks: band_percentile(counts, width, 0.5),
                p92_weeks: band_percentile(counts, width, 0.92),
                p95_weeks: band_percentile(counts, width, 0.95),
                within_standard: within as f64 / total as f64,
            }
        })
        .collect();
    Ok(SimResult {
        replications: config.replications,
        percentiles: config.percentiles.clone(),
        weeks: week_summaries,
        waits: wait_summaries,
        referred_mean: referred as f64 / n,
        treated_mean: treated as f64 / n,
        withdrawn_mean: withdrawn as f64 / n,
        meets_target_at_end: meets as f64 / n,
        time_mean_queue: time_mean,
        time_mean_queue_se: (time_var / n).sqrt(),
    })
}

fn replicate(config: &SimConfig, model: &Model, rng: &mut Xoshiro, index: usize, totals: &mut Totals) {
    let steps = model.steps;
    let mut queues = std::mem::take(&mut totals.queues);
    for (queue, class) in queues.iter_mut().zip(&model.classes) {
        queue.cohorts.clear();
        queue.head = 0;
        queue.breached_cohorts = 0;
        queue.breached = 0;
        // Those who have waited k whole weeks were referred k + 1 weeks before week 0.
        for (k, &count) in class.initial_waiting.iter().enumerate().rev() {
            if count > 0 {
                queue.cohorts.push((-(k as i32 + 1) * steps, count));
            }
        }
        queue.size = queue.cohorts.iter().map(|c| u64::from(c.1)).sum();
    }
    let mut queue_sum = 0u64;
    let weeks = model.arrivals.len();
    let (mut size, mut breached) = (0u64, 0u64);
    for (week, tables) in model.arrivals.iter().enumerate() {
        for sub in 0..steps {
            let step = week as i32 * steps + sub;
            if model.withdrawal_rate > 0.0 {
                for queue in &mut queues {
                    if queue.size > 0 {
                        totals.withdrawn += queue.withdraw(rng, &model.exponential, model.withdrawal_rate);
                    }
                }
            }
            for (queue, &table) in queues.iter_mut().zip(tables) {
                let referred = model.tables[table].sample(rng);
                if referred > 0 {
                    queue.cohorts.push((step, referred));
                    queue.size += u64::from(referred);
                    totals.referred += u64::from(referred);
                }
            }
            let mut slots = if config.capacity_random {
                u64::from(model.tables[model.slot_tables[week]].sample(rng))
            } else {
                model.fixed_slots[step as usize]
            };
            let offered = slots;
            for (queue, waits) in queues.iter_mut().zip(&mut totals.waits) {
                if slots == 0 {
                    break;
                }
                slots = queue.treat(slots, step, waits);
            }
            totals.treated += offered - slots;
        }
        let end = week as i32 * steps + steps - 1;
        size = queues.iter().map(|q| q.size).sum();
        breached = queues.iter_mut().zip(&model.breach_after).map(|(q, s)| q.breaches(end, *s)).sum();
        totals.queue[week * totals.reps + index] = size.min(u64::from(u32::MAX)) as u32;
        totals.breaches[week * totals.reps + index] = breached.min(u64::from(u32::MAX)) as u32;
        queue_sum += size;
    }
    totals.queues = queues;
    if size == 0 || (size - breached) as f64 >= config.target_share * size as f64 {
        totals.meets_target += 1;
    }
    totals.time_mean.push(queue_sum as f64 / weeks as f64);
}

/// Each week's spread across replications, weeks split across threads; a week's column is
/// the threads' week-major runs joined.
fn summarise_weeks(
    parts: &[Totals],
    reps: usize,
    weeks: usize,
    probabilities: &[f64],
    threads: usize,
) -> Vec<WeekSummary> {
    let per_thread = weeks.div_ceil(threads.max(1));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..weeks)
            .step_by(per_thread)
            .map(|first| {
                scope.spawn(move || {
                    let mut column = Vec::with_capacity(reps);
                    let mut scratch = Vec::new();
                    (first..(first + per_thread).min(weeks))
                        .map(|week| {
                            let mut spread = |pick: fn(&Totals) -> &[u32]| {
                                column.clear();
                                for part in parts {
                                    column.extend_from_slice(&pick(part)[week * part.reps..(week + 1) * part.reps]);
                                }
                                spread_of(&column, probabilities, &mut scratch)
                            };
                            WeekSummary {
                                week: week as u32 + 1,
                                queue_size: spread(|t| &t.queue),
                                breaches: spread(|t| &t.breaches),
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a summary worker panicked")).collect()
    })
}

/// Mean and type-7 percentiles (R's default `quantile`) of whole numbers. Counts them when
/// their range is small (the usual case: one pass and a walk of the range), else sorts a copy.
pub fn spread_of(values: &[u32], probabilities: &[f64], scratch: &mut Vec<u32>) -> Spread {
    let n = values.len();
    let (mut low, mut high, mut sum) = (u32::MAX, 0u32, 0u64);
    for &v in values {
        low = low.min(v);
        high = high.max(v);
        sum += u64::from(v);
    }
    let mean = sum as f64 / n as f64;
    let range = (high - low) as usize + 1;
    // The value of rank r (0-based) in sorted order.
    let percentiles = if range <= 4 * n + 64 {
        scratch.clear();
        scratch.resize(range, 0);
        for &v in values {
            scratch[(v - low) as usize] += 1;
        }
        // Cumulative counts: scratch[k] = how many are ≤ low + k.
        let mut running = 0u32;
        for count in scratch.iter_mut() {
            running += *count;
            *count = running;
        }
        let cumulative = &scratch[..];
        let ranked = |r: usize| low + cumulative.partition_point(|&c| (c as usize) <= r) as u32;
        type7(n, probabilities, ranked)
    } else {
        scratch.clear();
        scratch.extend_from_slice(values);
        scratch.sort_unstable();
        let sorted = &scratch[..];
        type7(n, probabilities, |r| sorted[r])
    };
    Spread { mean, percentiles }
}

fn type7(n: usize, probabilities: &[f64], ranked: impl Fn(usize) -> u32) -> Vec<f64> {
    probabilities
        .iter()
        .map(|p| {
            let h = (n - 1) as f64 * p;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let (a, b) = (f64::from(ranked(lo)), f64::from(ranked(hi)));
            a + (h - lo as f64) * (b - a)
        })
        .collect()
}

/// The `p` quantile of a distribution given as counts in bands of `width` (band k covers
/// [k·width, (k+1)·width)), interpolating linearly within the band, as NHS England computes
/// RTT median and 95th-percentile waits from weekly bands. NaN when there are no counts.
pub fn band_percentile(counts: &[u64], width: f64, p: f64) -> f64 {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return f64::NAN;
    }
    let target = p * total as f64;
    let mut below = 0.0;
    for (k, &count) in counts.iter().enumerate() {
        let c = count as f64;
        if count > 0 && below + c >= target {
            return (k as f64 + (target - below) / c) * width;
        }
        below += c;
    }
    counts.len() as f64 * width
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(demand: f64, capacity: f64) -> SimConfig {
        SimConfig { replications: 200, horizon_weeks: 52, ..SimConfig::new(demand, capacity) }
    }

    #[test]
    fn a_backlog_with_no_referrals_clears_at_the_capacity_exactly() {
        // 100 patients who have waited 10 weeks, 10 slots a week, no new referrals: the list
        // falls by 10 a week and is empty after 10 weeks, in every replication.
        let config = SimConfig {
            horizon_weeks: 12,
            replications: 3,
            classes: vec![PriorityClass {
                name: "routine".into(),
                share: 1.0,
                standard_weeks: 18.0,
                initial_waiting: [vec![0; 10], vec![100]].concat(),
            }],
            ..SimConfig::new(0.0, 10.0)
        };
        let result = simulate(&config, 2).unwrap();
        let sizes: Vec<f64> = result.weeks.iter().map(|w| w.queue_size.mean).collect();
        assert_eq!(sizes, [90.0, 80.0, 70.0, 60.0, 50.0, 40.0, 30.0, 20.0, 10.0, 0.0, 0.0, 0.0]);
        // At the end of week w (1-based) they have waited 10 + w to 11 + w weeks: more than 18
        // from week 8, when 20 remain.
        let breaches: Vec<f64> = result.weeks.iter().map(|w| w.breaches.mean).collect();
        assert_eq!(breaches, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 20.0, 10.0, 0.0, 0.0, 0.0]);
        let waits = &result.waits[0];
        assert_eq!(waits.treated, 300);
        // Treated in week w (0-based) after 11 + w whole weeks since the referral week.
        assert_eq!(waits.within_standard, 70.0 / 100.0);
        assert_eq!(result.treated_mean, 100.0);
    }

    #[test]
    fn the_same_seed_gives_the_same_result_whatever_the_threads() {
        let config = SimConfig { withdrawal_prob: 0.01, capacity_random: true, ..one(50.0, 52.0) };
        let a = simulate(&config, 1).unwrap();
        let b = simulate(&config, 2).unwrap();
        let c = simulate(&config, 7).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        let other = simulate(&SimConfig { seed: 2, ..config }, 2).unwrap();
        assert_ne!(a, other);
    }

    #[test]
    fn mean_queue_matches_the_m_m_1_queue_within_monte_carlo_error() {
        // Poisson referrals at 5 a week and Poisson slots at 10 a week (a slot treats one
        // patient if anyone is waiting) is an M/M/1 queue in the limit of short steps:
        // mean number in the system ρ/(1 − ρ) = 1 with ρ = 0.5, and by Little's law a mean
        // wait of 1/(μ − λ) = 0.2 weeks. Steps of 1/200 of a week make the discretisation
        // error far smaller than the Monte-Carlo error. The first weeks (from empty) are
        // included in the time mean, so start from the stationary mean's neighbourhood by
        // running long: 400 weeks, whose start-up bias is under 0.01.
        let config = SimConfig {
            horizon_weeks: 400,
            replications: 400,
            capacity_random: true,
            steps_per_week: 200,
            seed: 20261202,
            ..SimConfig::new(5.0, 10.0)
        };
        let result = simulate(&config, 2).unwrap();
        let z = (result.time_mean_queue - 1.0) / result.time_mean_queue_se;
        assert!(z.abs() < 3.0, "mean {} se {} z {z}", result.time_mean_queue, result.time_mean_queue_se);
        assert!(result.time_mean_queue_se < 0.02, "the test should be sharp: se {}", result.time_mean_queue_se);
        let wait = result.waits[0].mean_weeks;
        assert!((wait - 0.2).abs() < 0.01, "mean wait {wait}");
        // Throughput equals demand in a stable queue.
        assert!((result.treated_mean / 400.0 - 5.0).abs() < 0.05);
    }

    #[test]
    fn referrals_are_poisson_with_the_seasonal_mean() {
        let mut season = vec![1.0; 12];
        season[3] = 2.0; // April (the profile runs January to December) doubles
        let config =
            SimConfig { demand_seasonality: season, horizon_weeks: 4, replications: 4000, ..one(30.0, 1000.0) };
        let result = simulate(&config, 2).unwrap();
        // Four weeks of April at 60 a week.
        assert!((result.referred_mean - 240.0).abs() < 4.0 * (240.0f64 / 4000.0).sqrt());
        // With ample capacity nobody waits beyond the week of referral.
        assert_eq!(result.weeks[3].queue_size.mean, 0.0);
    }

    #[test]
    fn urgent_patients_are_treated_first_and_withdrawals_thin_the_list() {
        let config = SimConfig {
            classes: vec![
                PriorityClass { name: "urgent".into(), share: 0.2, standard_weeks: 2.0, initial_waiting: vec![] },
                PriorityClass { name: "routine".into(), share: 0.8, standard_weeks: 18.0, initial_waiting: vec![] },
            ],
            ..one(50.0, 48.0)
        };
        let result = simulate(&config, 2).unwrap();
        assert!(result.waits[0].p95_weeks <= 1.0, "{:?}", result.waits[0]);
        assert!(
            result.waits[1].mean_weeks > 1.5 && result.waits[1].mean_weeks > 3.0 * result.waits[0].mean_weeks,
            "{:?}",
            result.waits
        );
        let thinned = simulate(&SimConfig { withdrawal_prob: 0.05, ..config.clone() }, 2).unwrap();
        assert!(thinned.withdrawn_mean > 0.0);
        assert!(thinned.weeks[51].queue_size.mean < result.weeks[51].queue_size.mean);
        // Conservation: referred = treated + withdrawn + still waiting, on average.
        let left = thinned.weeks[51].queue_size.mean;
        assert!((thinned.referred_mean - thinned.treated_mean - thinned.withdrawn_mean - left).abs() < 1e-9);
    }

    #[test]
    fn percentiles_are_r_type_7_and_bands_interpolate() {
        let values = [5, 1, 4, 2, 3, 10, 7, 6, 9, 8];
        let mut scratch = Vec::new();
        let spread = spread_of(&values, &[0.0, 0.25, 0.5, 0.9, 1.0], &mut scratch);
        // R: quantile(1:10, c(0, .25, .5, .9, 1)) = 1, 3.25, 5.5, 9.1, 10
        assert_eq!(spread.percentiles, [1.0, 3.25, 5.5, 9.1, 10.0]);
        assert_eq!(spread.mean, 5.5);
        // The sorting path (a wide range) agrees.
        let wide = [5, 1, 4, 2, 3, 10_000_000, 7, 6, 9, 8];
        let sorted = spread_of(&wide, &[0.0, 0.25, 0.5], &mut scratch);
        assert_eq!(sorted.percentiles, [1.0, 3.25, 5.5]);
        // 10 in [0,1), 10 in [1,2): the median is the end of the first band, p75 mid-second.
        assert_eq!(band_percentile(&[10, 10], 1.0, 0.5), 1.0);
        assert_eq!(band_percentile(&[10, 10], 1.0, 0.75), 1.5);
        assert!(band_percentile(&[0, 0], 1.0, 0.5).is_nan());
    }

    #[test]
    fn bad_configurations_are_refused_with_the_field() {
        for (config, field) in [
            (SimConfig { horizon_weeks: 0, ..one(1.0, 1.0) }, "horizon_weeks"),
            (SimConfig { withdrawal_prob: 1.0, ..one(1.0, 1.0) }, "withdrawal_prob"),
            (SimConfig { demand_seasonality: vec![1.0; 5], ..one(1.0, 1.0) }, "demand_seasonality"),
            (SimConfig { percentiles: vec![101.0], ..one(1.0, 1.0) }, "percentiles"),
            (one(-1.0, 1.0), "demand"),
        ] {
            let error = simulate(&config, 1).unwrap_err().to_string();
            assert!(error.starts_with(field), "{error}");
        }
    }
}
