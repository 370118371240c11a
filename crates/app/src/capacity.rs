//! Plan: capacity plans for a service, started from its RTT figures (throughput and the
//! waiting list that Little's law implies) or from figures entered, with scenarios side by
//! side and the weekly spread of the simulated waiting list for fan charts and CSV.

use serde::Serialize;

use commissioning::access::{Action, Principal, Stage};
use commissioning::plan::capacity::{self, Scenario, ScenarioResult, ServicePlan};
use commissioning::plan::rtt::WaitBands;

use crate::export::{DataTable, Datum};
use crate::{App, AppError, Result, authorize};

/// Price per case used when none is entered: an editable planning default, not a tariff.
pub const DEFAULT_PRICE_PENCE: i64 = 150_000;
pub const DEFAULT_COMMUNITY_PRICE_PENCE: i64 = 60_000;

/// What the page or a caller asks for; anything not given comes from the RTT figures of the
/// provider and treatment function, or a default.
#[derive(Debug, Clone, Default)]
pub struct CapacityRequest {
    pub provider: Option<String>,
    pub treatment_function: Option<String>,
    pub period: Option<String>,
    pub demand: Option<f64>,
    pub capacity: Option<f64>,
    /// Patients waiting; spread over weeks waited like the RTT waits (or evenly over the
    /// weeks that demand would take to build it).
    pub backlog: Option<f64>,
    pub standard_weeks: Option<f64>,
    pub confidence: Option<f64>,
    pub price_pence: Option<i64>,
    pub community_price_pence: Option<i64>,
    pub replications: Option<u32>,
    pub horizon_weeks: Option<u32>,
    /// Scenarios besides the baseline; the three standard ones, with `settings`, if empty.
    pub scenarios: Vec<Scenario>,
    pub settings: ScenarioSettings,
}

/// The figures of the standard scenarios, each a default if not given.
#[derive(Debug, Clone, Default)]
pub struct ScenarioSettings {
    /// Share shifted to community settings (0.2).
    pub community_shift: Option<f64>,
    /// Case-mix multipliers of demand (1.05) and price (1.03).
    pub case_mix_demand: Option<f64>,
    pub case_mix_price: Option<f64>,
    /// Extra capacity a week (a tenth of the capacity).
    pub extra_capacity: Option<f64>,
}

/// A plan with where its starting figures came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityPlan {
    pub service: ServicePlan,
    pub source: String,
    pub results: Vec<ScenarioResult>,
}

/// The scenarios compared when none are given: a share of activity to community settings
/// (a fifth), a heavier case mix (5% more demand, 3% dearer), and extra sessions (a tenth
/// more capacity), each with its figure from `settings` when given.
pub fn standard_scenarios(capacity: f64, settings: &ScenarioSettings) -> Vec<Scenario> {
    let shift = settings.community_shift.unwrap_or(0.2);
    let (more, dearer) = (settings.case_mix_demand.unwrap_or(1.05), settings.case_mix_price.unwrap_or(1.03));
    let percent = |factor: f64| format!("{:+}%", ((factor - 1.0) * 1000.0).round() / 10.0);
    let extra = match settings.extra_capacity {
        Some(extra) => (format!("{extra:+} a week"), extra),
        None => ("10% more sessions".to_owned(), (capacity * 0.1 * 10.0).round() / 10.0),
    };
    vec![
        Scenario {
            name: format!("Shift {}% to community", (shift * 1000.0).round() / 10.0),
            community_shift: shift,
            ..Scenario::baseline()
        },
        Scenario {
            name: format!("Case mix: {} demand, {} price", percent(more), percent(dearer)),
            case_mix_demand: more,
            case_mix_price: dearer,
            ..Scenario::baseline()
        },
        Scenario { name: extra.0, extra_capacity: extra.1, ..Scenario::baseline() },
    ]
}

/// `counts` scaled to sum to `total` by largest remainder.
fn spread(shape: &[f64], total: f64) -> Vec<u32> {
    let sum: f64 = shape.iter().sum();
    if sum <= 0.0 || total <= 0.0 {
        return Vec::new();
    }
    let target = total.round() as u64;
    let exact: Vec<f64> = shape.iter().map(|s| s / sum * target as f64).collect();
    let mut counts: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor())).then(a.cmp(b)));
    let short = target - counts.iter().sum::<u64>();
    for i in order.into_iter().take(short as usize) {
        counts[i] += 1;
    }
    while counts.last() == Some(&0) {
        counts.pop();
    }
    counts.into_iter().map(|c| c.min(u64::from(u32::MAX)) as u32).collect()
}

impl App {
    /// Plans a service's capacity under the baseline and the scenarios.
    pub async fn capacity_plan(&self, principal: &Principal, request: &CapacityRequest) -> Result<CapacityPlan> {
        authorize(Some(principal), &Action::ViewStage(Stage::Plan))?;
        let mut name = "Service".to_owned();
        let mut source = "Figures entered".to_owned();
        let (mut demand, mut shape) = (None, Vec::new());
        if let (Some(provider), Some(function)) = (&request.provider, &request.treatment_function) {
            let rtt = self.rtt_provider(principal, provider, request.period.as_deref()).await?;
            let group =
                rtt.functions.iter().find(|f| f.code.eq_ignore_ascii_case(function)).ok_or(AppError::NotFound)?;
            let view = group.figures.capacity.as_ref().ok_or(AppError::NotFound)?;
            let rows = self.store().rtt_pathways(&rtt.period, Some(&rtt.code)).await?;
            let mut bands = WaitBands::zero();
            for row in rows.iter().filter(|r| r.treatment_function_code == group.code) {
                bands.add(&WaitBands(row.bands.clone()));
            }
            name = format!("{} — {}", group.name, rtt.name);
            source = format!(
                "RTT completed pathways, {}: {:.1} clock stops a week (admitted and non-admitted); about {:.0} waiting by Little's law on their waits",
                rtt.period, view.per_week, view.implied_queue
            );
            demand = Some((view.per_week, view.implied_queue));
            shape = bands.0.iter().map(|c| *c as f64).collect();
        }
        let (rtt_demand, implied_queue) = demand.unwrap_or((0.0, 0.0));
        let demand = match request.demand.or(demand.map(|d| d.0)) {
            Some(d) => d,
            None => {
                return Err(AppError::Invalid(
                    "Enter the referrals a week, or choose a provider and treatment function with RTT figures".into(),
                ));
            }
        };
        let capacity = request.capacity.unwrap_or(if rtt_demand > 0.0 { rtt_demand } else { demand });
        let backlog = request.backlog.unwrap_or(implied_queue);
        if shape.is_empty() && backlog > 0.0 && demand > 0.0 {
            // Evenly over the weeks demand would take to build the list.
            shape = vec![1.0; ((backlog / demand).ceil() as usize).clamp(1, 104)];
        }
        let service = ServicePlan {
            name,
            demand,
            capacity,
            waiting: spread(&shape, backlog),
            standard_weeks: request.standard_weeks.unwrap_or(18.0),
            target_share: 0.92,
            confidence: request.confidence.unwrap_or(0.85),
            price_pence: request.price_pence.unwrap_or(DEFAULT_PRICE_PENCE),
            community_price_pence: request.community_price_pence.unwrap_or(DEFAULT_COMMUNITY_PRICE_PENCE),
            clear_within_weeks: 26.0,
            horizon_weeks: request.horizon_weeks.unwrap_or(104),
            replications: request.replications.unwrap_or(1000),
            seed: 1,
            seasonality: Vec::new(),
        };
        let scenarios = if request.scenarios.is_empty() {
            standard_scenarios(capacity, &request.settings)
        } else {
            request.scenarios.clone()
        };
        let threads = std::thread::available_parallelism().map(usize::from).unwrap_or(2);
        let planned = service.clone();
        let results = tokio::task::spawn_blocking(move || capacity::plan(&planned, &scenarios, threads))
            .await
            .map_err(|error| AppError::Invalid(format!("the capacity plan stopped: {error}")))?
            .map_err(|error| AppError::Invalid(error.to_string()))?;
        Ok(CapacityPlan { service, source, results })
    }
}

/// Every scenario's simulated waiting list by week: mean and percentiles of queue size and
/// of patients over the standard.
pub fn weekly_table(plan: &CapacityPlan) -> DataTable {
    let mut rows = Vec::new();
    for result in &plan.results {
        for week in &result.simulation.weeks {
            let mut row = vec![
                Datum::text(result.scenario.name.clone()),
                Datum::Number(Some(f64::from(week.week))),
                Datum::Number(Some(week.queue_size.mean)),
            ];
            row.extend(week.queue_size.percentiles.iter().map(|p| Datum::Number(Some(*p))));
            row.push(Datum::Number(Some(week.breaches.mean)));
            row.extend(week.breaches.percentiles.iter().map(|p| Datum::Number(Some(*p))));
            rows.push(row);
        }
    }
    DataTable {
        name: "capacity-plan-weeks",
        headers: vec![
            "scenario",
            "week",
            "queue_mean",
            "queue_p5",
            "queue_p10",
            "queue_p25",
            "queue_p50",
            "queue_p75",
            "queue_p90",
            "queue_p95",
            "over_standard_mean",
            "over_standard_p5",
            "over_standard_p10",
            "over_standard_p25",
            "over_standard_p50",
            "over_standard_p75",
            "over_standard_p90",
            "over_standard_p95",
        ],
        rows,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_backlog_is_spread_by_largest_remainder_to_its_exact_total() {
        assert_eq!(super::spread(&[1.0, 1.0, 1.0], 10.0), [4, 3, 3]);
        assert_eq!(super::spread(&[0.0, 2.0, 0.0], 5.0), [0, 5]);
        assert!(super::spread(&[], 5.0).is_empty());
    }
}

/// A demand forecast from a stored monthly series, with its back-test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandForecast {
    pub series_name: String,
    /// (month's first day, value).
    pub history: Vec<(String, f64)>,
    pub model: commissioning::methods::forecast::HoltWinters,
    /// Forecast months with demographic growth applied.
    pub months: Vec<String>,
    pub forecast: Vec<commissioning::methods::forecast::ForecastPoint>,
    pub backtest: commissioning::methods::forecast::Backtest,
    /// Growth a year applied on top of the model (0.01 is 1%).
    pub growth: f64,
}

impl App {
    /// Forecasts monthly A&E attendances (all types) for England, or for one organisation,
    /// from the imported A&E return, `horizon` months ahead, with demographic growth a year.
    pub async fn demand_forecast(
        &self,
        principal: &Principal,
        org: Option<&str>,
        horizon: usize,
        growth: f64,
    ) -> Result<DemandForecast> {
        use commissioning::methods::forecast;
        authorize(Some(principal), &Action::ViewStage(Stage::Plan))?;
        let rows = self.store().performance(crate::performance::AE_ALL, org).await?;
        let mut by_month: std::collections::BTreeMap<String, f64> = std::collections::BTreeMap::new();
        for row in &rows {
            *by_month.entry(row.period.clone()).or_default() += row.denominator as f64;
        }
        if by_month.is_empty() {
            return Err(AppError::NotFound);
        }
        let history: Vec<(String, f64)> = by_month.into_iter().collect();
        let y: Vec<f64> = history.iter().map(|(_, v)| *v).collect();
        let invalid = |error: commissioning::methods::MethodError| AppError::Invalid(error.to_string());
        let model = forecast::fit(&y, 12).map_err(invalid)?;
        let backtest = forecast::backtest(&y, 12, 12.min(y.len().saturating_sub(24)).max(1), 12).map_err(invalid)?;
        let last = chrono::NaiveDate::parse_from_str(&history[history.len() - 1].0, "%Y-%m-%d")
            .map_err(|_| AppError::Invalid("a stored month is not a date".into()))?;
        let months = (1..=horizon as u32)
            .map(|h| {
                last.checked_add_months(chrono::Months::new(h))
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            })
            .collect();
        let forecast = model
            .forecast(horizon)
            .into_iter()
            .map(|p| {
                let factor = (1.0 + growth).powf(p.h as f64 / 12.0);
                forecast::ForecastPoint {
                    mean: p.mean * factor,
                    lower80: p.lower80 * factor,
                    upper80: p.upper80 * factor,
                    lower95: p.lower95 * factor,
                    upper95: p.upper95 * factor,
                    ..p
                }
            })
            .collect();
        let series_name = match org {
            Some(org) => format!("A&E attendances (all types), {org}"),
            None => "A&E attendances (all types), England".to_owned(),
        };
        Ok(DemandForecast { series_name, history, model, months, forecast, backtest, growth })
    }
}
