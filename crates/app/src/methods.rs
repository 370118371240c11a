//! The methods interface: one JSON object in, one JSON object (or array) out, for each
//! public-health method. The CLI (`commissioner methods NAME`) and the API
//! (`POST /api/v1/methods/NAME`) both call [`run`], so they cannot drift apart.
//!
//! Input keys are the reference package's argument names (`x`, `n`, `stdpop`, `confidence`,
//! ...); output keys are its column names (`value`, `lowercl`, `lower95_0cl`, ...). R's `NA`
//! is JSON `null` both ways. `spc` follows NHSRplotthedots `ptd_spc`: dates in `x`, values
//! in `y`, and the output as column arrays named as its output. The waiting-list formulas
//! (`queue-load`, `target-capacity`, `relief-capacity`, …) follow NHSRwaitinglist's `calc_*`
//! functions: arguments by their names there, each a number or an array, and the result under
//! the function's name. `simulate` takes the simulator's configuration and `capacity-plan` a
//! `service` with `scenarios` (records with defaults, read whole); `forecast` is Holt–Winters
//! with intervals and back-testing. Unknown keys are refused so that a typo is not silently
//! ignored.

use std::collections::BTreeSet;

use commissioning::methods::counts;
use commissioning::methods::dsr::{self, ESP2013, FrequencyRow};
use commissioning::methods::forecast as ets;
use commissioning::methods::funnel::{self, FunnelData, FunnelKind};
use commissioning::methods::isr::{self, IsrInput};
use commissioning::methods::life_expectancy::{self, AGE_CONTENTS};
use commissioning::methods::rates;
use commissioning::methods::sii::{self, Quantile, SiiOptions, ValueType};
use commissioning::methods::simulate::{self, SimConfig};
use commissioning::methods::waiting;
use commissioning::methods::{Confidence, Limits, MethodError};
use commissioning::plan::capacity::{self, Scenario, ServicePlan};
use serde_json::{Map, Value, json};

use crate::AppError;

pub mod table;

/// Every method name, in the order the help lists them.
pub const NAMES: [&str; 30] = [
    "byars",
    "wilson",
    "rate",
    "proportion",
    "mean",
    "dsr",
    "isr-ratio",
    "isr-rate",
    "life-expectancy",
    "sii",
    "funnel-limits",
    "funnel-significance",
    "spc",
    "queue-load",
    "target-mean-wait",
    "target-queue-size",
    "target-capacity",
    "relief-capacity",
    "waiting-list-pressure",
    "queue-size",
    "referral-stats",
    "removal-stats",
    "waiting-list-stats",
    "schedule",
    "simulate",
    "forecast",
    "capacity-plan",
    "funnel-overdispersed",
    "mcda",
    "portfolio",
];

/// The largest portfolio problem the methods interface takes, and its node limit.
const MAX_API_CANDIDATES: usize = 10_000;
const MAX_API_NODES: u64 = 1_000_000;

/// Reads a record-style input whole, refusing unknown keys by name.
fn record<T: serde::de::DeserializeOwned>(name: &str, input: &Value) -> Result<T, AppError> {
    serde_json::from_value(input.clone()).map_err(|error| AppError::Invalid(format!("{name}: {error}")))
}

fn to_json(value: impl serde::Serialize) -> Result<Value, AppError> {
    serde_json::to_value(value).map_err(|error| AppError::Invalid(error.to_string()))
}

/// The plan methods that take a whole record: the overdispersed funnel, MCDA and the
/// portfolio optimiser. `None` for any other name.
fn record_method(name: &str, input: &Value) -> Result<Option<Value>, AppError> {
    use commissioning::methods::overdispersion::{OdMethod, od_funnel};
    use commissioning::plan::{mcda, portfolio};
    match name {
        "funnel-overdispersed" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Input {
                method: OdMethod,
                numerator: Vec<f64>,
                denominator: Vec<f64>,
                #[serde(default = "default_trim")]
                trim: f64,
            }
            fn default_trim() -> f64 {
                0.1
            }
            let input: Input = record(name, input)?;
            if input.numerator.len() != input.denominator.len() {
                return Err(AppError::Invalid(format!(
                    "{name}: numerator has {} values and denominator {}",
                    input.numerator.len(),
                    input.denominator.len()
                )));
            }
            let units: Vec<(f64, f64)> = input.numerator.into_iter().zip(input.denominator).collect();
            Ok(Some(to_json(od_funnel(input.method, &units, input.trim).map_err(method_error)?)?))
        }
        "mcda" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Input {
                weighting: mcda::Weighting,
                criteria: Vec<mcda::Criterion>,
                options: Vec<mcda::OptionScores>,
                #[serde(default)]
                top_k: Option<usize>,
                #[serde(default)]
                draws: Option<usize>,
                #[serde(default)]
                perturbation: Option<f64>,
                #[serde(default)]
                seed: Option<u64>,
            }
            let input: Input = record(name, input)?;
            let model = mcda::Mcda { weighting: input.weighting, criteria: input.criteria, options: input.options };
            let result = mcda::analyse(
                &model,
                input.top_k.unwrap_or(3),
                input.draws.unwrap_or(1_000),
                input.perturbation.unwrap_or(0.2),
                input.seed.unwrap_or(1),
            )
            .map_err(|error| AppError::Invalid(format!("{name}: {error}")))?;
            Ok(Some(to_json(result)?))
        }
        "portfolio" => {
            let mut problem: portfolio::Problem = record(name, input)?;
            // Bounded work for a shared service: the command line's `priorities solve` has
            // no such cap.
            if problem.candidates.len() > MAX_API_CANDIDATES {
                return Err(AppError::Invalid(format!(
                    "{name}: at most {MAX_API_CANDIDATES} candidates here; use `commissioner priorities solve` for more"
                )));
            }
            problem.node_limit = Some(problem.node_limit.unwrap_or(MAX_API_NODES).min(MAX_API_NODES));
            let result = portfolio::solve(&problem).map_err(|error| AppError::Invalid(format!("{name}: {error}")))?;
            Ok(Some(to_json(result)?))
        }
        _ => Ok(None),
    }
}

/// Runs a method on its JSON input.
pub fn run(name: &str, input: &Value) -> Result<Value, AppError> {
    let Value::Object(map) = input else {
        return Err(AppError::Invalid(format!("the input to {name} must be one JSON object")));
    };
    if name == "simulate" {
        // The simulator's configuration is a record with defaults: read whole, refusing
        // unknown keys by name.
        let config: SimConfig =
            serde_json::from_value(input.clone()).map_err(|error| AppError::Invalid(format!("simulate: {error}")))?;
        let threads = std::thread::available_parallelism().map(usize::from).unwrap_or(2);
        let result = simulate::simulate(&config, threads).map_err(method_error)?;
        return serde_json::to_value(result).map_err(|error| AppError::Invalid(error.to_string()));
    }
    if name == "capacity-plan" {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Input {
            service: ServicePlan,
            #[serde(default)]
            scenarios: Vec<Scenario>,
        }
        let input: Input = serde_json::from_value(input.clone())
            .map_err(|error| AppError::Invalid(format!("capacity-plan: {error}")))?;
        let threads = std::thread::available_parallelism().map(usize::from).unwrap_or(2);
        let results = capacity::plan(&input.service, &input.scenarios, threads).map_err(method_error)?;
        return serde_json::to_value(results).map_err(|error| AppError::Invalid(error.to_string()));
    }
    if let Some(output) = record_method(name, input)? {
        return Ok(output);
    }
    let mut args = Args { name, map, used: BTreeSet::new() };
    let output = match name {
        "forecast" => forecast(&mut args),
        "byars" => byars(&mut args),
        "wilson" => wilson(&mut args),
        "rate" => rate(&mut args),
        "proportion" => proportion(&mut args),
        "mean" => mean(&mut args),
        "dsr" => dsr(&mut args),
        "isr-ratio" => isr(&mut args, false),
        "isr-rate" => isr(&mut args, true),
        "life-expectancy" => life_expectancy(&mut args),
        "sii" => sii(&mut args),
        "funnel-limits" => funnel_limits(&mut args),
        "funnel-significance" => funnel_significance(&mut args),
        "spc" => spc(&mut args),
        "queue-load" => queue_formula(&mut args, "queue_load", &[("demand", None), ("capacity", None)], |v| {
            waiting::queue_load(v[0], v[1])
        }),
        "target-mean-wait" => queue_formula(
            &mut args,
            "target_mean_wait",
            &[("target_wait", None), ("factor", Some(waiting::DEFAULT_FACTOR))],
            |v| waiting::target_mean_wait(v[0], v[1]),
        ),
        "target-queue-size" => queue_formula(
            &mut args,
            "target_queue_size",
            &[("demand", None), ("target_wait", None), ("factor", Some(waiting::DEFAULT_FACTOR))],
            |v| waiting::target_queue_size(v[0], v[1], v[2]),
        ),
        "target-capacity" => queue_formula(
            &mut args,
            "target_capacity",
            &[
                ("demand", None),
                ("target_wait", None),
                ("factor", Some(waiting::DEFAULT_FACTOR)),
                ("cv_demand", Some(1.0)),
                ("cv_capacity", Some(1.0)),
            ],
            |v| waiting::target_capacity(v[0], v[1], v[2], v[3], v[4]),
        ),
        "relief-capacity" => queue_formula(
            &mut args,
            "relief_capacity",
            &[
                ("demand", None),
                ("queue_size", None),
                ("target_queue_size", None),
                ("time_to_target", Some(26.0)),
                ("num_referrals", Some(0.0)),
                ("cv_demand", Some(0.0)),
            ],
            |v| waiting::relief_capacity(v[0], v[1], v[2], v[3], v[4], v[5]),
        ),
        "waiting-list-pressure" => {
            queue_formula(&mut args, "waiting_list_pressure", &[("mean_wait", None), ("target_wait", None)], |v| {
                waiting::waiting_list_pressure(v[0], v[1])
            })
        }
        "queue-size" => {
            let (referrals, removals, start, end) = waiting_list(&mut args, true)?;
            let queue = waiting::queue_size(&referrals, &removals, start, end).map_err(method_error)?;
            Ok(json!({
                "dates": queue.iter().map(|(d, _)| d.to_string()).collect::<Vec<_>>(),
                "queue_size": queue.iter().map(|(_, q)| *q).collect::<Vec<_>>(),
            }))
        }
        "referral-stats" => {
            let (referrals, _, start, end) = waiting_list(&mut args, false)?;
            let stats = waiting::referral_stats(&referrals, start, end).map_err(method_error)?;
            Ok(json!({
                "demand.weekly": number(stats.demand_weekly),
                "demand.daily": number(stats.demand_daily),
                "demand.cov": number(stats.demand_cov),
                "demand.count": stats.demand_count,
            }))
        }
        "schedule" => {
            let (referrals, removals, _, _) = waiting_list(&mut args, true)?;
            let slots = args
                .required_labels("schedule")?
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
                        AppError::Invalid(format!("schedule[{i}] must be a date like 2024-01-03, not {t:?}"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let (list, used) = waiting::schedule(&referrals, &removals, &slots).map_err(method_error)?;
            Ok(json!({
                "referral": list.iter().map(|(r, _)| r.to_string()).collect::<Vec<_>>(),
                "removal": list.iter().map(|(_, r)| r.map(|d| d.to_string())).collect::<Vec<_>>(),
                "schedule": slots.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "scheduled": used.iter().map(|u| i64::from(*u)).collect::<Vec<_>>(),
            }))
        }
        "removal-stats" => {
            let (referrals, removals, start, end) = waiting_list(&mut args, true)?;
            let stats = waiting::removal_stats(&referrals, &removals, start, end).map_err(method_error)?;
            Ok(json!({
                "capacity.weekly": number(stats.capacity_weekly),
                "capacity.daily": number(stats.capacity_daily),
                "capacity.cov": number(stats.capacity_cov),
                "removal.count": stats.removal_count,
            }))
        }
        "waiting-list-stats" => {
            let target_wait = args.number_or("target_wait", 4.0)?;
            let (referrals, removals, start, end) = waiting_list(&mut args, true)?;
            let s =
                waiting::waiting_list_stats(&referrals, &removals, target_wait, start, end).map_err(method_error)?;
            Ok(json!({
                "mean_demand": number(s.mean_demand),
                "mean_capacity": number(s.mean_capacity),
                "load": number(s.load),
                "load_too_big": s.load_too_big,
                "count_demand": s.count_demand,
                "queue_size": s.queue_size,
                "target_queue_size": number(s.target_queue_size),
                "queue_too_big": s.queue_too_big,
                "mean_wait": number(s.mean_wait),
                "cv_arrival": number(s.cv_arrival),
                "cv_removal": number(s.cv_removal),
                "target_capacity": optional(s.target_capacity),
                "relief_capacity": optional(s.relief_capacity),
                "pressure": number(s.pressure),
            }))
        }
        _ => {
            return Err(AppError::Invalid(format!(
                "there is no method called {name:?}; choose one of {}",
                NAMES.join(", ")
            )));
        }
    }?;
    args.finish()?;
    Ok(output)
}

type Outcome = Result<Value, AppError>;

/// Holt–Winters (ETS(A,A,A)) on `y` with `frequency` (12), `h` steps ahead (12) and, when
/// `backtest` is given, rolling-origin errors over that many final observations.
fn forecast(args: &mut Args<'_>) -> Outcome {
    let y: Vec<f64> = present(args.required_numbers("y")?, "y")?;
    let frequency = whole(args.number_or("frequency", 12.0)?, "frequency")?;
    let h = whole(args.number_or("h", 12.0)?, "h")?;
    let holdout = args.number("backtest")?.map(|v| whole(v, "backtest")).transpose()?;
    let model = ets::fit(&y, frequency).map_err(method_error)?;
    let points = model.forecast(h);
    let column = |pick: fn(&ets::ForecastPoint) -> f64| Value::Array(points.iter().map(|p| number(pick(p))).collect());
    let backtest = match holdout {
        Some(holdout) => serde_json::to_value(ets::backtest(&y, frequency, holdout, h).map_err(method_error)?)
            .map_err(|error| AppError::Invalid(error.to_string()))?,
        None => Value::Null,
    };
    Ok(json!({
        "alpha": number(model.alpha),
        "beta": number(model.beta),
        "gamma": number(model.gamma),
        "sigma": number(model.sigma),
        "fitted": model.fitted.iter().map(|v| number(*v)).collect::<Vec<_>>(),
        "h": points.iter().map(|p| p.h).collect::<Vec<_>>(),
        "mean": column(|p| p.mean),
        "lower80": column(|p| p.lower80),
        "upper80": column(|p| p.upper80),
        "lower95": column(|p| p.lower95),
        "upper95": column(|p| p.upper95),
        "backtest": backtest,
    }))
}

fn whole(value: f64, key: &str) -> Result<usize, AppError> {
    if value.fract() == 0.0 && (0.0..=10_000.0).contains(&value) {
        Ok(value as usize)
    } else {
        Err(AppError::Invalid(format!("{key} must be a whole number from 0 to 10,000, not {value}")))
    }
}

type WaitingList =
    (Vec<chrono::NaiveDate>, Vec<Option<chrono::NaiveDate>>, Option<chrono::NaiveDate>, Option<chrono::NaiveDate>);

/// A patient-level waiting list: `referral` dates, `removal` dates (null while waiting; one per
/// referral, when `with_removals`), and optional `start_date` and `end_date`.
fn waiting_list(args: &mut Args<'_>, with_removals: bool) -> Result<WaitingList, AppError> {
    let date = |key: &str, text: &str| {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| AppError::Invalid(format!("{key} must be a date like 2024-01-01, not {text:?}")))
    };
    let referrals = args
        .required_labels("referral")?
        .iter()
        .enumerate()
        .map(|(i, t)| date(&format!("referral[{i}]"), t))
        .collect::<Result<Vec<_>, _>>()?;
    let mut removals = Vec::new();
    if with_removals || args.has("removal") {
        match args.take("removal") {
            None | Some(Value::Null) => removals = vec![None; referrals.len()],
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    removals.push(match item {
                        Value::Null => None,
                        Value::String(t) => Some(date(&format!("removal[{i}]"), t)?),
                        other => {
                            return Err(AppError::Invalid(format!("removal[{i}] must be a date or null, not {other}")));
                        }
                    });
                }
                if removals.len() != referrals.len() {
                    return Err(AppError::Invalid(format!(
                        "removal has {} dates for {} referrals; give one (or null) for each",
                        removals.len(),
                        referrals.len()
                    )));
                }
            }
            Some(other) => return Err(AppError::Invalid(format!("removal must be an array, not {other}"))),
        }
    }
    let mut optional_date = |key: &str| -> Result<Option<chrono::NaiveDate>, AppError> {
        match args.take(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(t)) => date(key, &t).map(Some),
            Some(other) => Err(AppError::Invalid(format!("{key} must be a date, not {other}"))),
        }
    };
    let start = optional_date("start_date")?;
    let end = optional_date("end_date")?;
    Ok((referrals, removals, start, end))
}

/// A waiting-list formula of NHSRwaitinglist: each argument a number or an array (arrays of
/// one length, numbers used for every element), defaults as the package's; the result under
/// the function's name, a number or an array to match.
fn queue_formula(
    args: &mut Args<'_>,
    output: &str,
    params: &[(&str, Option<f64>)],
    formula: impl Fn(&[f64]) -> f64,
) -> Outcome {
    let mut columns: Vec<(String, Either)> = Vec::new();
    for (key, default) in params {
        let value = match (args.has(key), default) {
            (false, Some(default)) => {
                args.take(key);
                Either::One(Some(*default))
            }
            _ => args.numbers_or_number(key)?,
        };
        columns.push(((*key).to_owned(), value));
    }
    let length = columns.iter().find_map(|(_, c)| match c {
        Either::Many(values) => Some(values.len()),
        Either::One(_) => None,
    });
    let at = |column: &(String, Either), i: usize| -> Result<f64, AppError> {
        let value = match &column.1 {
            Either::One(value) => *value,
            Either::Many(values) => values.get(i).copied().flatten(),
        };
        value.ok_or_else(|| AppError::Invalid(format!("{} must be a number, not null", column.0)))
    };
    for (key, column) in &columns {
        if let (Either::Many(values), Some(n)) = (column, length)
            && values.len() != n
        {
            return Err(AppError::Invalid(format!(
                "{key} has {} values where the other arrays have {n}; give arrays of one length",
                values.len()
            )));
        }
    }
    let row = |i: usize| -> Result<Value, AppError> {
        let values: Vec<f64> = columns.iter().map(|c| at(c, i)).collect::<Result<_, _>>()?;
        Ok(number(formula(&values)))
    };
    let result = match length {
        None => row(0)?,
        Some(n) => Value::Array((0..n).map(row).collect::<Result<_, _>>()?),
    };
    Ok(json!({ output: result }))
}

/// `ptd_spc`: `x` (dates, YYYY-MM-DD), `y`, `improvement_direction`, `target`, `rebase`
/// (dates), `fix_after_n_points`, `screen_outliers`; column arrays out, with the last point's
/// `variation_type` and `assurance_type`.
fn spc(args: &mut Args<'_>) -> Outcome {
    use commissioning::methods::spc::{Direction, SpcOptions};
    let dates = |key: &str, labels: Vec<String>| -> Result<Vec<chrono::NaiveDate>, AppError> {
        labels
            .iter()
            .enumerate()
            .map(|(i, text)| {
                chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map_err(|_| AppError::Invalid(format!("{key}[{i}] must be a date like 2024-04-01, not {text:?}")))
            })
            .collect()
    };
    let x = args.required_labels("x")?;
    let x = dates("x", x)?;
    let y: Vec<f64> = args
        .required_numbers("y")?
        .into_iter()
        .enumerate()
        .map(|(i, v)| v.ok_or_else(|| AppError::Invalid(format!("y[{i}] must not be null"))))
        .collect::<Result<_, _>>()?;
    let improvement_direction = match args.take("improvement_direction") {
        None | Some(Value::Null) => Direction::Increase,
        Some(Value::String(text)) => Direction::parse(&text).map_err(method_error)?,
        Some(other) => return Err(AppError::Invalid(format!("improvement_direction must be text, not {other}"))),
    };
    let rebase = if args.has("rebase") && !matches!(args.map.get("rebase"), Some(Value::Null)) {
        let labels = args.required_labels("rebase")?;
        dates("rebase", labels)?
    } else {
        args.take("rebase");
        Vec::new()
    };
    let fix_after_n_points = match args.number("fix_after_n_points")? {
        None => None,
        Some(n) if n.fract() == 0.0 && n >= 0.0 => Some(n as usize),
        Some(n) => return Err(AppError::Invalid(format!("fix_after_n_points must be a whole number, not {n}"))),
    };
    let options = SpcOptions {
        improvement_direction,
        target: args.number("target")?,
        rebase,
        fix_after_n_points,
        screen_outliers: args.bool_or("screen_outliers", true)?,
    };
    let chart = commissioning::methods::spc::spc(&x, &y, &options).map_err(method_error)?;
    Ok(json!({
        "x": chart.x.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "y": chart.y,
        "rebase_group": chart.rebase_group,
        "mean": chart.mean,
        "lpl": chart.lpl,
        "upl": chart.upl,
        "outside_limits": chart.outside_limits,
        "relative_to_mean": chart.relative_to_mean,
        "close_to_limits": chart.close_to_limits,
        "special_cause_flag": chart.special_cause_flag,
        "point_type": chart.point_type.iter().map(|p| p.code()).collect::<Vec<_>>(),
        "short_group_warning": chart.short_group_warning,
        "variation_type": chart.variation_type.code(),
        "assurance_type": chart.assurance_type.map(|a| a.code()),
        "warnings": chart.warnings,
    }))
}

fn byars(args: &mut Args<'_>) -> Outcome {
    let confidence = args.confidence()?;
    vectorised(args.numbers_or_number("x")?, |x| {
        let x = x.ok_or_else(|| AppError::Invalid("x must not be null".into()))?;
        let mut row = Map::new();
        row.insert("x".into(), number(x));
        let limits: Vec<Limits> = confidence
            .levels()
            .into_iter()
            .map(|level| -> Result<Limits, AppError> {
                Ok(Limits {
                    level,
                    lower: counts::byars_lower(x, level).map_err(method_error)?,
                    upper: Some(counts::byars_upper(x, level).map_err(method_error)?),
                })
            })
            .collect::<Result<_, _>>()?;
        insert_limits(&mut row, "", &limits);
        Ok(Value::Object(row))
    })
}

fn wilson(args: &mut Args<'_>) -> Outcome {
    let confidence = args.confidence()?;
    let xs = args.numbers_or_number("x")?;
    let ns = args.numbers_or_number("n")?;
    zip_vectorised(xs, ns, |x, n| {
        let (Some(x), Some(n)) = (x, n) else {
            return Err(AppError::Invalid("x and n must not be null".into()));
        };
        let mut row = Map::new();
        row.insert("x".into(), number(x));
        row.insert("n".into(), number(n));
        let limits: Vec<Limits> = confidence
            .levels()
            .into_iter()
            .map(|level| -> Result<Limits, AppError> {
                Ok(Limits {
                    level,
                    lower: Some(counts::wilson_lower(x, n, level).map_err(method_error)?),
                    upper: Some(counts::wilson_upper(x, n, level).map_err(method_error)?),
                })
            })
            .collect::<Result<_, _>>()?;
        insert_limits(&mut row, "", &limits);
        Ok(Value::Object(row))
    })
}

fn rate(args: &mut Args<'_>) -> Outcome {
    let confidence = args.confidence()?;
    let multiplier = args.number_or("multiplier", 100_000.0)?;
    let xs = args.numbers_or_number("x")?;
    let ns = args.numbers_or_number("n")?;
    zip_vectorised(xs, ns, |x, n| {
        let result = rates::rate(x, n, confidence, multiplier).map_err(method_error)?;
        let mut row = Map::new();
        row.insert("x".into(), optional(x));
        row.insert("n".into(), optional(n));
        row.insert("value".into(), optional(result.value));
        insert_limits(&mut row, "", &result.limits);
        row.insert("confidence".into(), json!(confidence_label(&confidence.levels())));
        row.insert("statistic".into(), json!(result.statistic));
        row.insert("method".into(), result.method.map_or(Value::Null, |m| json!(m.label())));
        Ok(Value::Object(row))
    })
}

fn proportion(args: &mut Args<'_>) -> Outcome {
    let confidence = args.optional_confidence()?;
    let multiplier = args.number_or("multiplier", 1.0)?;
    let xs = args.numbers_or_number("x")?;
    let ns = args.numbers_or_number("n")?;
    zip_vectorised(xs, ns, |x, n| {
        let result = rates::proportion(x, n, confidence, multiplier).map_err(method_error)?;
        let mut row = Map::new();
        row.insert("x".into(), optional(x));
        row.insert("n".into(), optional(n));
        row.insert("value".into(), optional(result.value));
        insert_limits(&mut row, "", &result.limits);
        let label = confidence.map_or_else(|| "not requested".to_owned(), |c| confidence_label(&c.levels()));
        row.insert("confidence".into(), json!(label));
        row.insert("statistic".into(), json!(result.statistic));
        row.insert("method".into(), if confidence.is_some() { json!("Wilson") } else { Value::Null });
        Ok(Value::Object(row))
    })
}

fn mean(args: &mut Args<'_>) -> Outcome {
    let confidence = args.confidence()?;
    let x = args.required_numbers("x")?;
    let result = rates::mean(&x, confidence).map_err(method_error)?;
    let mut row = Map::new();
    row.insert("value_sum".into(), number(result.value_sum));
    row.insert("value_count".into(), json!(result.value_count));
    row.insert("stdev".into(), optional(result.stdev));
    row.insert("value".into(), optional(result.value));
    insert_limits(&mut row, "", &result.limits);
    row.insert("confidence".into(), json!(confidence_label(&confidence.levels())));
    row.insert("statistic".into(), json!(format!("mean of {}", "x")));
    row.insert("method".into(), json!("Student's t-distribution"));
    Ok(Value::Object(row))
}

fn dsr(args: &mut Args<'_>) -> Outcome {
    let confidence = args.confidence()?;
    let multiplier = args.number_or("multiplier", 100_000.0)?;
    let independent = args.bool_or("independent_events", true)?;
    let x = args.required_numbers("x")?;
    let n = args.required_numbers("n")?;
    let stdpop = match args.numbers("stdpop")? {
        Some(stdpop) => stdpop,
        None if x.len() == ESP2013.len() => ESP2013.iter().map(|&w| Some(w)).collect(),
        None => {
            return Err(AppError::Invalid(format!(
                "stdpop is needed: the default (ESP 2013) has 19 age bands but x has {}",
                x.len()
            )));
        }
    };
    let result = if independent {
        for key in ["eventfreq", "ageband"] {
            if args.has(key) {
                return Err(AppError::Invalid(format!("{key} is only used when independent_events is false")));
            }
        }
        dsr::dsr(&x, &n, &stdpop, confidence, multiplier)
    } else {
        let eventfreq = args.required_numbers("eventfreq")?;
        let ageband = args.required_labels("ageband")?;
        if [eventfreq.len(), ageband.len(), n.len(), stdpop.len()].iter().any(|&len| len != x.len()) {
            return Err(AppError::Invalid(
                "x, n, stdpop, eventfreq and ageband must all have one element per row".into(),
            ));
        }
        let rows: Vec<FrequencyRow> = (0..x.len())
            .map(|i| FrequencyRow {
                ageband: ageband[i].clone(),
                eventfreq: eventfreq[i].unwrap_or(f64::NAN),
                x: x[i],
                n: n[i],
                stdpop: stdpop[i],
            })
            .collect();
        dsr::dsr_non_independent(&rows, confidence, multiplier)
    }
    .map_err(method_error)?;
    let mut row = Map::new();
    row.insert("total_count".into(), number(result.total_count));
    row.insert("total_pop".into(), number(result.total_pop));
    row.insert("value".into(), optional(result.value));
    insert_limits(&mut row, "", &result.limits);
    row.insert("confidence".into(), json!(confidence_label(&confidence.levels())));
    row.insert("statistic".into(), json!(result.statistic));
    row.insert("method".into(), json!(result.method));
    Ok(Value::Object(row))
}

fn isr(args: &mut Args<'_>, as_rate: bool) -> Outcome {
    let confidence = args.confidence()?;
    let observed_totals = args.number("observed_totals")?;
    let x =
        if observed_totals.is_some() { args.numbers("x")?.unwrap_or_default() } else { args.required_numbers("x")? };
    let n = args.required_numbers("n")?;
    let x_ref = args.required_numbers("x_ref")?;
    let n_ref = args.required_numbers("n_ref")?;
    let input = IsrInput { x: &x, n: &n, x_ref: &x_ref, n_ref: &n_ref, observed_total: observed_totals };
    let result = if as_rate {
        let multiplier = args.number_or("multiplier", 100_000.0)?;
        isr::isr_rate(input, confidence, multiplier)
    } else {
        let refvalue = args.number_or("refvalue", 1.0)?;
        isr::isr_ratio(input, confidence, refvalue)
    }
    .map_err(method_error)?;
    let mut row = Map::new();
    row.insert("observed".into(), number(result.observed));
    row.insert("expected".into(), number(result.expected));
    if let Some(ref_rate) = result.ref_rate {
        row.insert("ref_rate".into(), number(ref_rate));
    }
    row.insert("value".into(), optional(result.value));
    insert_limits(&mut row, "", &result.limits);
    row.insert("confidence".into(), json!(confidence_label(&confidence.levels())));
    row.insert("statistic".into(), json!(result.statistic));
    row.insert("method".into(), json!(result.method.label()));
    Ok(Value::Object(row))
}

fn life_expectancy(args: &mut Args<'_>) -> Outcome {
    let confidence = args.confidence()?;
    let startage = present(args.required_numbers("startage")?, "startage")?;
    let deaths = present(args.required_numbers("deaths")?, "deaths")?;
    let population = present(args.required_numbers("population")?, "population")?;
    if deaths.len() != startage.len() || population.len() != startage.len() {
        return Err(AppError::Invalid("startage, deaths and population must have one element per age band".into()));
    }
    let age_contents = match args.numbers("age_contents")? {
        Some(ages) => present(ages, "age_contents")?,
        None => AGE_CONTENTS.to_vec(),
    };
    let le_age = match args.take("le_age") {
        None => None,
        Some(Value::String(all)) if all == "all" => None,
        Some(value) => Some(as_numbers("le_age", &value)?.into_iter().flatten().collect::<Vec<f64>>()),
    };
    if let Some(ages) = &le_age
        && let Some(missing) = ages.iter().find(|age| !age_contents.contains(age))
    {
        return Err(AppError::Invalid(format!("le_age {missing} is not a start age in age_contents")));
    }
    let (rows, suppressed) =
        life_expectancy::life_expectancy(&startage, &deaths, &population, &age_contents, confidence);
    let label = confidence_label(&confidence.levels());
    let output = rows
        .into_iter()
        .filter(|row| le_age.as_ref().is_none_or(|ages| ages.contains(&row.startage)))
        .map(|row| {
            let mut out = Map::new();
            out.insert("startage".into(), number(row.startage));
            out.insert("value".into(), optional(row.value));
            insert_limits(&mut out, "", &row.limits);
            out.insert("pops_used".into(), number(row.pops_used));
            out.insert("dths_used".into(), number(row.dths_used));
            out.insert("confidence".into(), json!(label));
            out.insert("statistic".into(), json!(row.statistic));
            out.insert("method".into(), json!(life_expectancy::METHOD));
            if let Some(reason) = suppressed {
                out.insert("warning".into(), json!(reason.warning()));
            }
            Value::Object(out)
        })
        .collect();
    Ok(Value::Array(output))
}

fn sii(args: &mut Args<'_>) -> Outcome {
    let population = args.required_numbers("population")?;
    let count = population.len();
    let quantile = args.take("quantile");
    let value = args.numbers("value")?;
    let x = args.numbers("x")?;
    let se = args.numbers("se")?;
    let lower_cl = args.numbers("lower_cl")?;
    let upper_cl = args.numbers("upper_cl")?;
    for (key, column) in [("value", &value), ("x", &x), ("se", &se), ("lower_cl", &lower_cl), ("upper_cl", &upper_cl)] {
        if let Some(column) = column
            && column.len() != count
        {
            return Err(AppError::Invalid(format!(
                "{key} must have one element per quantile ({count}), found {}",
                column.len()
            )));
        }
    }
    let confidence = match args.take("confidence") {
        None => vec![0.95],
        Some(value) => as_numbers("confidence", &value)?.into_iter().flatten().collect(),
    };
    let options = SiiOptions {
        value_type: ValueType::from_code(args.number_or("value_type", 0.0)? as i64).map_err(method_error)?,
        transform: args.bool_or("transform", false)?,
        multiplier: args.number_or("multiplier", 1.0)?,
        repetitions: args.number_or("repetitions", 100_000.0)? as usize,
        confidence,
        seed: args.number_or("seed", 1.0)? as u32,
    };
    let want_rii = args.bool_or("rii", false)?;
    let want_intercept = args.bool_or("intercept", false)?;
    let mut quantiles: Vec<(f64, Quantile)> = (0..count)
        .map(|i| {
            let at = |column: &Option<Vec<Option<f64>>>| column.as_ref().and_then(|c| c[i]);
            (
                i as f64,
                Quantile {
                    population: population[i].unwrap_or(f64::NAN),
                    value: at(&value),
                    x: at(&x),
                    se: at(&se),
                    lower_cl: at(&lower_cl),
                    upper_cl: at(&upper_cl),
                },
            )
        })
        .collect();
    // Quantiles are taken in the order of the quantile labels when they are numbers.
    if let Some(labels) = quantile {
        let labels = as_numbers("quantile", &labels)?;
        if labels.len() != count {
            return Err(AppError::Invalid(format!("quantile must have {count} elements, found {}", labels.len())));
        }
        for (entry, label) in quantiles.iter_mut().zip(labels) {
            entry.0 = label.ok_or_else(|| AppError::Invalid("quantile labels must not be null".into()))?;
        }
        quantiles.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let ordered: Vec<Quantile> = quantiles.into_iter().map(|(_, q)| q).collect();
    let result = sii::sii(&ordered, &options).map_err(method_error)?;
    let mut row = Map::new();
    row.insert("sii".into(), number(result.sii));
    insert_suffixed_limits(&mut row, "sii_", &result.sii_limits);
    if want_rii {
        row.insert("rii".into(), number(result.rii));
        insert_suffixed_limits(&mut row, "rii_", &result.rii_limits);
    }
    if want_intercept {
        row.insert("intercept".into(), number(result.intercept));
    }
    Ok(Value::Object(row))
}

fn funnel_kind(args: &mut Args<'_>) -> Result<FunnelKind, AppError> {
    let statistic = args.required_string("statistic")?;
    match statistic.as_str() {
        "proportion" => Ok(FunnelKind::Proportion),
        "ratio" => match args.required_string("ratio_type")?.as_str() {
            "count" => Ok(FunnelKind::Ratio { isr: false }),
            "isr" => Ok(FunnelKind::Ratio { isr: true }),
            other => Err(AppError::Invalid(format!("ratio_type must be count or isr, not {other:?}"))),
        },
        "rate" => {
            let dsr = match args.required_string("rate_type")?.as_str() {
                "dsr" => true,
                "crude" => false,
                other => return Err(AppError::Invalid(format!("rate_type must be dsr or crude, not {other:?}"))),
            };
            let years = args.number_or("years_of_data", 1.0)?;
            Ok(FunnelKind::Rate { dsr, years })
        }
        other => Err(AppError::Invalid(format!("statistic must be proportion, ratio or rate, not {other:?}"))),
    }
}

struct FunnelInputs {
    kind: FunnelKind,
    numerator: Vec<f64>,
    denominator: Vec<Option<f64>>,
    rate: Vec<Option<f64>>,
    multiplier: f64,
}

fn funnel_inputs(args: &mut Args<'_>, default_multiplier: Option<f64>) -> Result<FunnelInputs, AppError> {
    let kind = funnel_kind(args)?;
    let numerator = present(args.required_numbers("numerator")?, "numerator")?;
    let denominator = args.numbers("denominator")?.unwrap_or_default();
    let rate = args.numbers("rate")?.unwrap_or_default();
    let multiplier = match default_multiplier {
        Some(default) => args.number_or("multiplier", default)?,
        None => args.number("multiplier")?.ok_or_else(|| AppError::Invalid("multiplier is required".into()))?,
    };
    Ok(FunnelInputs { kind, numerator, denominator, rate, multiplier })
}

fn funnel_limits(args: &mut Args<'_>) -> Outcome {
    let inputs = funnel_inputs(args, None)?;
    let data = FunnelData { numerator: &inputs.numerator, denominator: &inputs.denominator, rate: &inputs.rate };
    let rows = funnel::funnel_limits(inputs.kind, data, inputs.multiplier).map_err(method_error)?;
    let (axis, aux, statistic, method) = match inputs.kind {
        FunnelKind::Proportion => ("Population", None, "proportion".to_owned(), "Wilson"),
        FunnelKind::Ratio { isr } => {
            ("Observed_events", Some("exp_events"), format!("ratio ({})", if isr { "isr" } else { "count" }), "Poisson")
        }
        FunnelKind::Rate { dsr, .. } => (
            "Events",
            Some("population_1_year"),
            format!(
                "rate ({} per {})",
                if dsr { "dsr" } else { "crude" },
                group_thousands(&rates::format_multiplier(inputs.multiplier))
            ),
            "Poisson",
        ),
    };
    let names = ["lower_2s", "upper_2s", "lower_3s", "upper_3s"];
    let output = rows
        .into_iter()
        .map(|row| {
            let mut out = Map::new();
            out.insert(axis.into(), number(row.axis));
            for (i, name) in names.iter().enumerate() {
                if let (Some(aux_name), Some(values)) = (aux, row.aux) {
                    out.insert(format!("{name}_{aux_name}"), number(values[i]));
                }
                out.insert(format!("{name}_limit"), number(row.limits[i]));
            }
            if let Some(baseline) = row.baseline {
                out.insert("baseline".into(), number(baseline));
            }
            out.insert("statistic".into(), json!(statistic));
            out.insert("method".into(), json!(method));
            Value::Object(out)
        })
        .collect();
    Ok(Value::Array(output))
}

fn funnel_significance(args: &mut Args<'_>) -> Outcome {
    let inputs = funnel_inputs(args, Some(1.0))?;
    let data = FunnelData { numerator: &inputs.numerator, denominator: &inputs.denominator, rate: &inputs.rate };
    let labels = funnel::funnel_significance(inputs.kind, data, inputs.multiplier).map_err(method_error)?;
    Ok(Value::Array(labels.into_iter().map(|label| json!({ "significance": label })).collect()))
}

/// The input object, with the keys read so far.
struct Args<'a> {
    name: &'a str,
    map: &'a Map<String, Value>,
    used: BTreeSet<String>,
}

impl Args<'_> {
    fn take(&mut self, key: &str) -> Option<Value> {
        self.used.insert(key.to_owned());
        self.map.get(key).cloned()
    }

    fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    fn number(&mut self, key: &str) -> Result<Option<f64>, AppError> {
        match self.take(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => value
                .as_f64()
                .map(Some)
                .ok_or_else(|| AppError::Invalid(format!("{key} must be a number, not {value}"))),
        }
    }

    fn number_or(&mut self, key: &str, default: f64) -> Result<f64, AppError> {
        Ok(self.number(key)?.unwrap_or(default))
    }

    fn bool_or(&mut self, key: &str, default: bool) -> Result<bool, AppError> {
        match self.take(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(value)) => Ok(value),
            Some(value) => Err(AppError::Invalid(format!("{key} must be true or false, not {value}"))),
        }
    }

    fn required_string(&mut self, key: &str) -> Result<String, AppError> {
        match self.take(key) {
            Some(Value::String(value)) => Ok(value),
            None | Some(Value::Null) => Err(AppError::Invalid(format!("{key} is required"))),
            Some(value) => Err(AppError::Invalid(format!("{key} must be text, not {value}"))),
        }
    }

    fn numbers(&mut self, key: &str) -> Result<Option<Vec<Option<f64>>>, AppError> {
        match self.take(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => as_numbers(key, &value).map(Some),
        }
    }

    fn required_numbers(&mut self, key: &str) -> Result<Vec<Option<f64>>, AppError> {
        self.numbers(key)?.ok_or_else(|| AppError::Invalid(format!("{key} is required")))
    }

    /// An array of numbers, or one number (returned as `Err` side of the either).
    fn numbers_or_number(&mut self, key: &str) -> Result<Either, AppError> {
        match self.take(key) {
            None => Err(AppError::Invalid(format!("{key} is required"))),
            Some(Value::Array(_)) => {
                let value = self.map.get(key).cloned().unwrap_or_default();
                Ok(Either::Many(as_numbers(key, &value)?))
            }
            Some(Value::Null) => Ok(Either::One(None)),
            Some(value) => value.as_f64().map(|x| Either::One(Some(x))).ok_or_else(|| {
                AppError::Invalid(format!("{key} must be a number or an array of numbers, not {value}"))
            }),
        }
    }

    fn required_labels(&mut self, key: &str) -> Result<Vec<String>, AppError> {
        match self.take(key) {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(text) => Ok(text.clone()),
                    Value::Number(number) => Ok(number.to_string()),
                    other => Err(AppError::Invalid(format!("{key}[{i}] must be text or a number, not {other}"))),
                })
                .collect(),
            None | Some(Value::Null) => Err(AppError::Invalid(format!("{key} is required"))),
            Some(value) => Err(AppError::Invalid(format!("{key} must be an array, not {value}"))),
        }
    }

    fn confidence(&mut self) -> Result<Confidence, AppError> {
        Ok(self.optional_confidence_inner(true)?.unwrap_or_default())
    }

    /// For proportions, where `confidence: null` means no limits.
    fn optional_confidence(&mut self) -> Result<Option<Confidence>, AppError> {
        self.optional_confidence_inner(false)
    }

    fn optional_confidence_inner(&mut self, null_is_default: bool) -> Result<Option<Confidence>, AppError> {
        let levels = match self.take("confidence") {
            None => return Ok(Some(Confidence::default())),
            Some(Value::Null) if null_is_default => return Ok(Some(Confidence::default())),
            Some(Value::Null) => return Ok(None),
            Some(value) => as_numbers("confidence", &value)?,
        };
        let levels: Vec<f64> = levels
            .into_iter()
            .map(|level| level.ok_or_else(|| AppError::Invalid("confidence levels must not be null".into())))
            .collect::<Result<_, _>>()?;
        Confidence::parse(&levels).map(Some).map_err(method_error)
    }

    fn finish(self) -> Result<(), AppError> {
        let unknown: Vec<&str> =
            self.map.keys().filter(|key| !self.used.contains(key.as_str())).map(String::as_str).collect();
        if unknown.is_empty() {
            return Ok(());
        }
        Err(AppError::Invalid(format!(
            "{} does not take {}; it takes {}",
            self.name,
            unknown.join(", "),
            self.used.iter().map(String::as_str).collect::<Vec<_>>().join(", ")
        )))
    }
}

enum Either {
    One(Option<f64>),
    Many(Vec<Option<f64>>),
}

fn vectorised(input: Either, mut each: impl FnMut(Option<f64>) -> Outcome) -> Outcome {
    match input {
        Either::One(x) => each(x),
        Either::Many(xs) => xs.into_iter().map(each).collect::<Result<Vec<_>, _>>().map(Value::Array),
    }
}

fn zip_vectorised(xs: Either, ns: Either, mut each: impl FnMut(Option<f64>, Option<f64>) -> Outcome) -> Outcome {
    match (xs, ns) {
        (Either::One(x), Either::One(n)) => each(x, n),
        (Either::Many(xs), Either::Many(ns)) if xs.len() == ns.len() => {
            xs.into_iter().zip(ns).map(|(x, n)| each(x, n)).collect::<Result<Vec<_>, _>>().map(Value::Array)
        }
        (Either::Many(xs), Either::Many(ns)) => {
            Err(AppError::Invalid(format!("x and n must have the same length (found {} and {})", xs.len(), ns.len())))
        }
        _ => Err(AppError::Invalid("x and n must both be numbers or both be arrays".into())),
    }
}

fn as_numbers(key: &str, value: &Value) -> Result<Vec<Option<f64>>, AppError> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Null => Ok(None),
                other => other
                    .as_f64()
                    .map(Some)
                    .ok_or_else(|| AppError::Invalid(format!("{key}[{i}] must be a number or null, not {other}"))),
            })
            .collect(),
        Value::Null => Ok(vec![None]),
        other => other
            .as_f64()
            .map(|x| vec![Some(x)])
            .ok_or_else(|| AppError::Invalid(format!("{key} must be a number or an array of numbers, not {other}"))),
    }
}

fn present(values: Vec<Option<f64>>, key: &str) -> Result<Vec<f64>, AppError> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| value.ok_or_else(|| AppError::Invalid(format!("{key}[{i}] must not be null"))))
        .collect()
}

fn method_error(error: MethodError) -> AppError {
    AppError::Invalid(error.to_string())
}

/// A number as JSON; NaN and infinities (R's NA, NaN, Inf) become null, whole numbers are
/// written without a decimal point.
fn number(value: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if value.fract() == 0.0 && value.abs() < EXACT {
        return json!(value as i64);
    }
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

fn optional(value: Option<f64>) -> Value {
    value.map_or(Value::Null, number)
}

/// `lowercl`/`uppercl` for one level, `lower95_0cl`… for two.
fn insert_limits(row: &mut Map<String, Value>, prefix: &str, limits: &[Limits]) {
    if let [only] = limits {
        row.insert(format!("{prefix}lowercl"), optional(only.lower));
        row.insert(format!("{prefix}uppercl"), optional(only.upper));
    } else {
        insert_suffixed_limits(row, prefix, limits);
    }
}

fn insert_suffixed_limits(row: &mut Map<String, Value>, prefix: &str, limits: &[Limits]) {
    for limit in limits {
        let suffix = limit.suffix();
        row.insert(format!("{prefix}lower{suffix}cl"), optional(limit.lower));
        row.insert(format!("{prefix}upper{suffix}cl"), optional(limit.upper));
    }
}

/// `95%` or `95%, 99.8%`, as the reference writes the confidence column.
fn confidence_label(levels: &[f64]) -> String {
    levels.iter().map(|level| format!("{}%", (level * 1000.0).round() / 10.0)).collect::<Vec<_>>().join(", ")
}

fn group_thousands(digits: &str) -> String {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.to_owned();
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_and_referral_statistics_come_from_a_patient_level_list() {
        let list = json!({"referral": ["2024-01-01", "2024-01-04", "2024-01-10"], "removal": [null, null, null], "start_date": "2024-01-01", "end_date": "2024-01-10"});
        let out = run("queue-size", &list).unwrap();
        assert_eq!(out["queue_size"], json!([1, 1, 1, 2, 2, 2, 2, 2, 2, 3]));
        assert_eq!(out["dates"][9], "2024-01-10");
        let stats =
            run("referral-stats", &json!({"referral": ["2024-01-01", "2024-01-04", "2024-01-10", "2024-01-16"]}))
                .unwrap();
        assert_eq!(stats["demand.count"], 5);
        assert_eq!(stats["demand.cov"], json!(1));
        let error = run("queue-size", &json!({"referral": ["2024-01-01"], "removal": []})).unwrap_err().to_string();
        assert!(error.contains("removal has 0 dates for 1 referrals"), "{error}");
        let error = run("queue-size", &json!({"referral": [], "removal": []})).unwrap_err().to_string();
        assert!(error.contains("no referrals"), "{error}");
        let stats = run("waiting-list-stats", &json!({"referral": ["2024-01-01", "2024-01-04", "2024-01-10"], "removal": ["2024-01-08", "2024-01-11", null], "target_wait": 4, "start_date": "2024-01-01", "end_date": "2024-01-10"})).unwrap();
        assert_eq!(stats["mean_wait"], json!(3));
        assert_eq!(stats["relief_capacity"], Value::Null);
        let removals =
            run("removal-stats", &json!({"referral": ["2024-01-01", "2024-01-04"], "removal": ["2024-01-08", null]}))
                .unwrap();
        assert_eq!(removals["capacity.weekly"], json!(1));
        let scheduled = run(
            "schedule",
            &json!({"referral": ["2024-01-01", "2024-01-04"], "removal": [null, null], "schedule": ["2024-01-03", "2024-01-03"]}),
        )
        .unwrap();
        assert_eq!(scheduled["removal"], json!(["2024-01-03", null]));
        assert_eq!(scheduled["scheduled"], json!([1, 0]));
        let error = run("referral-stats", &json!({"referral": ["2024-13-01"]})).unwrap_err().to_string();
        assert!(error.contains("referral[0] must be a date"), "{error}");
    }

    #[test]
    fn waiting_list_formulas_take_numbers_or_arrays_named_as_the_package() {
        let out = run(
            "relief-capacity",
            &json!({"demand": [30, 33, 35], "queue_size": [1200, 800, 250], "target_queue_size": [390, 200, 100], "time_to_target": [26, 30, 15]}),
        )
        .unwrap();
        let values: Vec<f64> = out["relief_capacity"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        assert!((values[0] - 61.153846).abs() < 1e-6 && values[1] == 53.0 && values[2] == 45.0, "{values:?}");
        let out = run(
            "target-capacity",
            &json!({"demand": 30, "target_wait": 52, "factor": 3, "cv_demand": 1.1, "cv_capacity": 1.2}),
        )
        .unwrap();
        assert!((out["target_capacity"].as_f64().unwrap() - 30.076442).abs() < 1e-6);
        // Defaults as the package's: factor 4.
        assert_eq!(
            run("target-queue-size", &json!({"demand": 30, "target_wait": 52})).unwrap(),
            json!({"target_queue_size": 390})
        );
        assert_eq!(
            run("waiting-list-pressure", &json!({"mean_wait": [63, 42], "target_wait": 52})).unwrap()["waiting_list_pressure"]
                [1],
            json!(42.0 * 2.0 / 52.0)
        );
        assert_eq!(run("queue-load", &json!({"demand": 1, "capacity": 0})).unwrap(), json!({"queue_load": null}));
        let error = run("queue-load", &json!({"demand": [1, 2], "capacity": [1, 2, 3]})).unwrap_err().to_string();
        assert!(error.contains("capacity has 3 values"), "{error}");
        let error = run("target-mean-wait", &json!({"target_wait": 52, "facter": 4})).unwrap_err().to_string();
        assert!(error.contains("does not take facter"), "{error}");
        let error = run("queue-load", &json!({"demand": "x", "capacity": 1})).unwrap_err().to_string();
        assert!(error.contains("demand must be a number"), "{error}");
    }

    #[test]
    fn spc_takes_dates_and_values_and_returns_the_reference_columns() {
        let x: Vec<String> = (1..=20).map(|d| format!("2024-01-{d:02}")).collect();
        let y: Vec<f64> = (0..20).map(|i| if i % 2 == 0 { 10.0 } else { 12.0 }).collect();
        let out = run("spc", &json!({"x": x, "y": y, "target": 20, "improvement_direction": "increase"})).unwrap();
        assert_eq!(out["mean"][0], 11.0);
        assert_eq!(out["point_type"].as_array().unwrap().len(), 20);
        assert_eq!(out["variation_type"], "common_cause");
        assert_eq!(out["assurance_type"], "consistent_fail");
        let error = run("spc", &json!({"x": ["2024-01-01", "soon"], "y": [1, 2]})).unwrap_err().to_string();
        assert!(error.contains("x[1] must be a date"), "{error}");
        let error = run("spc", &json!({"x": x, "y": y, "improvement_direction": "up"})).unwrap_err().to_string();
        assert!(error.contains("increase, decrease or neutral"), "{error}");
        let error = run("spc", &json!({"x": x, "y": y, "fix_after_n_points": 5})).unwrap_err().to_string();
        assert!(error.contains("at least 12"), "{error}");
    }

    #[test]
    fn unknown_keys_and_methods_are_refused() {
        let error = run("rate", &json!({"x": 5, "n": 100, "multipler": 100})).unwrap_err().to_string();
        assert!(error.contains("rate does not take multipler"), "{error}");
        let error = run("rates", &json!({})).unwrap_err().to_string();
        assert!(error.contains("choose one of byars"), "{error}");
        let error = run("dsr", &json!([1, 2])).unwrap_err().to_string();
        assert!(error.contains("one JSON object"), "{error}");
    }

    #[test]
    fn one_level_and_two_levels_name_their_columns_like_the_reference() {
        let one = run("rate", &json!({"x": 65, "n": 100000})).unwrap();
        assert!(one.get("lowercl").is_some() && one.get("lower95_0cl").is_none());
        assert_eq!(one["confidence"], "95%");
        assert_eq!(one["method"], "Byars");
        let two = run("rate", &json!({"x": 65, "n": 100000, "confidence": [0.95, 0.998]})).unwrap();
        assert!(two.get("upper99_8cl").is_some());
        assert_eq!(two["confidence"], "95%, 99.8%");
        let many = run("rate", &json!({"x": [1, null], "n": [10, 10]})).unwrap();
        assert_eq!(many[1]["value"], Value::Null);
        assert_eq!(many[1]["method"], Value::Null);
    }

    #[test]
    fn dsr_defaults_to_esp2013_and_explains_bad_input() {
        let x: Vec<f64> = (0..19).map(|i| f64::from(i) + 1.0).collect();
        let n = vec![1000.0; 19];
        let result = run("dsr", &json!({"x": x, "n": n})).unwrap();
        assert_eq!(result["statistic"], "dsr per 100000");
        assert_eq!(result["total_count"], 190.0);
        let error = run("dsr", &json!({"x": [1, 2], "n": [10, 10]})).unwrap_err().to_string();
        assert!(error.contains("stdpop is needed"), "{error}");
        let error = run("dsr", &json!({"x": [1, -2], "n": [10, 10], "stdpop": [1, 1]})).unwrap_err().to_string();
        assert!(error.contains("greater than or equal to zero"), "{error}");
        let error = run("dsr", &json!({"x": x, "n": n, "confidence": 0.5})).unwrap_err().to_string();
        assert!(error.contains("confidence level must be between 90 and 100"), "{error}");
    }

    #[test]
    fn proportions_can_skip_limits() {
        let result = run("proportion", &json!({"x": 1, "n": 4, "confidence": null, "multiplier": 100})).unwrap();
        assert_eq!(result["confidence"], "not requested");
        assert_eq!(result["statistic"], "percentage");
        assert!(result.get("lowercl").is_none());
        let error = run("proportion", &json!({"x": 5, "n": 4})).unwrap_err().to_string();
        assert!(error.contains("less than or equal to denominator"), "{error}");
    }

    #[test]
    fn funnels_and_life_expectancy_return_arrays() {
        let limits = run(
            "funnel-limits",
            &json!({"statistic": "rate", "rate_type": "dsr", "numerator": [120, 340], "rate": [90.0, 130.0],
                    "multiplier": 100000, "years_of_data": 3}),
        )
        .unwrap();
        assert_eq!(limits.as_array().unwrap().len(), 100);
        assert_eq!(limits[0]["statistic"], "rate (dsr per 100,000)");
        assert!(limits[0].get("lower_2s_population_1_year").is_some());
        let labels = run(
            "funnel-significance",
            &json!({"statistic": "proportion", "numerator": [10, 80], "denominator": [100, 100]}),
        )
        .unwrap();
        assert_eq!(labels[0]["significance"], "Low (0.001)");
        let error = run("funnel-limits", &json!({"statistic": "ratio", "numerator": [1], "denominator": [2]}))
            .unwrap_err()
            .to_string();
        assert!(error.contains("ratio_type is required"), "{error}");
    }
}
