//! Statistical process control, "Making Data Count": XmR charts with NHS England's rules,
//! agreeing with NHSRplotthedots `ptd_spc` (METHODS.md §B).
//!
//! Per rebase group (a new group starts at each rebase date): the mean and average moving
//! range come from the group's points, or its first `fix_after_n_points`; moving ranges at or
//! above 3.267 × the average are screened out once (unless switched off); the process limits
//! are mean ∓ 2.66 × AMR and the "close" zone is beyond mean ∓ (2/3) × 2.66 × AMR. Special
//! cause, in priority order: a point outside the limits; a trend of seven (six differences all
//! rising, or all falling; a tie breaks it); two of three points close to the limits on the
//! same side of the mean (only the close points are flagged; a point outside the limits is not
//! close); a run of seven on one side of the mean (a point on the mean breaks it). A special
//! point is an improvement or a concern by its side of the mean and the improvement direction
//! (high or low when the direction is neutral). The variation icon is the last point's type;
//! assurance compares a target with the last point's limits.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::MethodError;

/// The moving-range screening limit, 3.267 × AMR (D4 for n = 2).
pub const SCREEN: f64 = 3.267;
/// Process limits: mean ± 2.66 × AMR (3 / d2 for n = 2).
pub const LIMIT: f64 = 2.66;
/// Groups with fewer points than this get a short-group warning (the package's option
/// `ptd_spc.warning_threshold`).
pub const SHORT_GROUP: usize = 13;

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Increase,
    Decrease,
    Neutral,
}

impl Direction {
    pub fn parse(text: &str) -> Result<Direction, MethodError> {
        match text.trim() {
            "increase" => Ok(Direction::Increase),
            "decrease" => Ok(Direction::Decrease),
            "neutral" => Ok(Direction::Neutral),
            other => Err(MethodError::invalid(format!(
                "improvement_direction must be increase, decrease or neutral, not '{other}'"
            ))),
        }
    }

    fn sign(self) -> i8 {
        match self {
            Direction::Increase => 1,
            Direction::Decrease => -1,
            Direction::Neutral => 0,
        }
    }
}

/// What a point shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointType {
    CommonCause,
    SpecialCauseImprovement,
    SpecialCauseConcern,
    SpecialCauseNeutralHigh,
    SpecialCauseNeutralLow,
}

impl PointType {
    pub fn code(self) -> &'static str {
        match self {
            PointType::CommonCause => "common_cause",
            PointType::SpecialCauseImprovement => "special_cause_improvement",
            PointType::SpecialCauseConcern => "special_cause_concern",
            PointType::SpecialCauseNeutralHigh => "special_cause_neutral_high",
            PointType::SpecialCauseNeutralLow => "special_cause_neutral_low",
        }
    }

    /// How the variation icon is named for people.
    pub fn label(self) -> &'static str {
        match self {
            PointType::CommonCause => "Common cause variation",
            PointType::SpecialCauseImprovement => "Special cause variation: improvement",
            PointType::SpecialCauseConcern => "Special cause variation: concern",
            PointType::SpecialCauseNeutralHigh => "Special cause variation: neither improvement nor concern (high)",
            PointType::SpecialCauseNeutralLow => "Special cause variation: neither improvement nor concern (low)",
        }
    }
}

/// Whether the process can be relied on to meet a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assurance {
    ConsistentPass,
    ConsistentFail,
    Inconsistent,
}

impl Assurance {
    pub fn code(self) -> &'static str {
        match self {
            Assurance::ConsistentPass => "consistent_pass",
            Assurance::ConsistentFail => "consistent_fail",
            Assurance::Inconsistent => "inconsistent",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Assurance::ConsistentPass => "The target will consistently be met",
            Assurance::ConsistentFail => "The target will consistently be missed",
            Assurance::Inconsistent => "The target will sometimes be met and sometimes missed",
        }
    }
}

/// Options of a chart, as `ptd_spc` takes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpcOptions {
    pub improvement_direction: Direction,
    pub target: Option<f64>,
    /// Dates at which a new rebase group starts.
    pub rebase: Vec<NaiveDate>,
    /// Limits from each group's first N points (N ≥ 12).
    pub fix_after_n_points: Option<usize>,
    pub screen_outliers: bool,
}

impl Default for SpcOptions {
    fn default() -> SpcOptions {
        SpcOptions {
            improvement_direction: Direction::Increase,
            target: None,
            rebase: Vec::new(),
            fix_after_n_points: None,
            screen_outliers: true,
        }
    }
}

/// A chart: one column per field, named as the reference's output, in date order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spc {
    pub x: Vec<NaiveDate>,
    pub y: Vec<f64>,
    pub rebase_group: Vec<usize>,
    pub mean: Vec<f64>,
    pub lpl: Vec<f64>,
    pub upl: Vec<f64>,
    pub outside_limits: Vec<bool>,
    pub relative_to_mean: Vec<i8>,
    pub close_to_limits: Vec<bool>,
    pub special_cause_flag: Vec<bool>,
    pub point_type: Vec<PointType>,
    pub short_group_warning: Vec<bool>,
    /// The last point's type.
    pub variation_type: PointType,
    /// Against the target with the last point's limits; `None` without a target or when the
    /// direction is neutral.
    pub assurance_type: Option<Assurance>,
    pub warnings: Vec<String>,
}

/// Runs the chart. Dates must be distinct; values finite; at least two points.
pub fn spc(x: &[NaiveDate], y: &[f64], options: &SpcOptions) -> Result<Spc, MethodError> {
    if x.len() != y.len() {
        return Err(MethodError::invalid(format!("x has {} values but y has {}", x.len(), y.len())));
    }
    if x.len() < 2 {
        return Err(MethodError::invalid("a chart needs at least two points"));
    }
    if let Some(index) = y.iter().position(|v| !v.is_finite()) {
        return Err(MethodError::invalid(format!("y[{index}] is not a number")));
    }
    if let Some(n) = options.fix_after_n_points
        && n < 12
    {
        return Err(MethodError::invalid("fix_after_n_points must be at least 12"));
    }
    if let Some(target) = options.target
        && !target.is_finite()
    {
        return Err(MethodError::invalid("target must be a number"));
    }
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by_key(|&i| x[i]);
    if let Some(pair) = order.windows(2).find(|pair| x[pair[0]] == x[pair[1]]) {
        return Err(MethodError::invalid(format!("the date {} appears more than once", x[pair[0]])));
    }
    let x: Vec<NaiveDate> = order.iter().map(|&i| x[i]).collect();
    let y: Vec<f64> = order.iter().map(|&i| y[i]).collect();
    let n = y.len();
    let mut group = vec![0_usize; n];
    let mut current = 0;
    for (i, date) in x.iter().enumerate() {
        if options.rebase.contains(date) {
            current += 1;
        }
        group[i] = current;
    }
    let mut chart = Spc {
        x,
        rebase_group: group.clone(),
        mean: vec![0.0; n],
        lpl: vec![0.0; n],
        upl: vec![0.0; n],
        outside_limits: vec![false; n],
        relative_to_mean: vec![0; n],
        close_to_limits: vec![false; n],
        special_cause_flag: vec![false; n],
        point_type: vec![PointType::CommonCause; n],
        short_group_warning: vec![false; n],
        variation_type: PointType::CommonCause,
        assurance_type: None,
        warnings: Vec::new(),
        y,
    };
    let mut start = 0;
    while start < n {
        let end = (start..n).find(|&i| group[i] != group[start]).unwrap_or(n);
        chart.fill_group(start, end, options);
        start = end;
    }
    let last = n - 1;
    chart.variation_type = chart.point_type[last];
    chart.assurance_type = match (options.target, options.improvement_direction) {
        (None, _) | (_, Direction::Neutral) => None,
        (Some(target), direction) => {
            let increasing = direction == Direction::Increase;
            Some(if target > chart.upl[last] {
                if increasing { Assurance::ConsistentFail } else { Assurance::ConsistentPass }
            } else if target < chart.lpl[last] {
                if increasing { Assurance::ConsistentPass } else { Assurance::ConsistentFail }
            } else {
                Assurance::Inconsistent
            })
        }
    };
    if chart.short_group_warning.iter().any(|w| *w) {
        chart.warnings.push(format!(
            "Some groups have fewer than {SHORT_GROUP} points (n < 12): their limits are trial limits \
             and should be read with caution"
        ));
    }
    Ok(chart)
}

impl Spc {
    fn fill_group(&mut self, start: usize, end: usize, options: &SpcOptions) {
        let y = &self.y[start..end];
        let used = options.fix_after_n_points.map_or(y.len(), |fix| fix.min(y.len()));
        let basis = &y[..used];
        let mean = basis.iter().sum::<f64>() / basis.len() as f64;
        let ranges: Vec<f64> = basis.windows(2).map(|pair| (pair[1] - pair[0]).abs()).collect();
        let average = |values: &[f64]| {
            if values.is_empty() { f64::NAN } else { values.iter().sum::<f64>() / values.len() as f64 }
        };
        let mut amr = average(&ranges);
        if options.screen_outliers {
            let kept: Vec<f64> = ranges.iter().copied().filter(|mr| *mr < SCREEN * amr).collect();
            // A flat series (every moving range 0) screens out every range, where R gives NaN
            // limits; here the limits collapse to the mean instead, so a chart still draws.
            if !kept.is_empty() {
                amr = average(&kept);
            }
        }
        let (lpl, upl) = (mean - LIMIT * amr, mean + LIMIT * amr);
        let close = 2.0 * (LIMIT / 3.0);
        let (nlpl, nupl) = (mean - close * amr, mean + close * amr);
        for i in start..end {
            let value = self.y[i];
            self.mean[i] = mean;
            self.lpl[i] = lpl;
            self.upl[i] = upl;
            self.outside_limits[i] = value > upl || value < lpl;
            self.relative_to_mean[i] = sign(value - mean);
            self.close_to_limits[i] = !self.outside_limits[i] && (value < nlpl || value > nupl);
            self.short_group_warning[i] = end - start < SHORT_GROUP;
        }
        let flags = special_cause(
            &self.y[start..end],
            &self.relative_to_mean[start..end],
            &self.close_to_limits[start..end],
            &self.outside_limits[start..end],
        );
        let direction = options.improvement_direction.sign();
        for (offset, flag) in flags.into_iter().enumerate() {
            let i = start + offset;
            self.special_cause_flag[i] = flag;
            let side = self.relative_to_mean[i];
            self.point_type[i] = if !flag {
                PointType::CommonCause
            } else if direction == 0 {
                if side > 0 { PointType::SpecialCauseNeutralHigh } else { PointType::SpecialCauseNeutralLow }
            } else if side == direction {
                PointType::SpecialCauseImprovement
            } else {
                PointType::SpecialCauseConcern
            };
        }
    }
}

fn sign(value: f64) -> i8 {
    if value > 0.0 {
        1
    } else if value < 0.0 {
        -1
    } else {
        0
    }
}

/// The special-cause flag of each point of one group.
fn special_cause(y: &[f64], side: &[i8], close: &[bool], outside: &[bool]) -> Vec<bool> {
    let n = y.len();
    let mut flag: Vec<bool> = outside.to_vec();
    // A run of seven on one side, and a trend of seven: flag every point of the seven.
    for end in 6..n {
        let window = end - 6..=end;
        let run = side[end] != 0 && window.clone().all(|i| side[i] == side[end]);
        let rising = window.clone().skip(1).all(|i| y[i] > y[i - 1]);
        let falling = window.clone().skip(1).all(|i| y[i] < y[i - 1]);
        if run || rising || falling {
            window.for_each(|i| flag[i] = true);
        }
    }
    // Two of three close to the limits on the same side: flag the close points.
    for first in 0..n.saturating_sub(2) {
        let window = first..first + 3;
        let n_close = window.clone().filter(|&i| close[i]).count();
        let same_side = window.clone().map(|i| i32::from(side[i])).sum::<i32>().abs() == 3;
        if n_close >= 2 && same_side {
            window.filter(|&i| close[i]).for_each(|i| flag[i] = true);
        }
    }
    flag
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(n: usize) -> Vec<NaiveDate> {
        let start = NaiveDate::from_ymd_opt(2020, 1, 2).unwrap();
        (0..n).map(|i| start + chrono::Days::new(i as u64)).collect()
    }

    /// `set.seed(123); rnorm(20)` as R prints it: the reference's own documented example
    /// (tests/testthat/_snaps/ptd_spc_standard.md): mean 0.142, limits −3.01 and 3.29.
    const RNORM_123: [f64; 20] = [
        -0.560475646552213,
        -0.23017748948328,
        1.55870831414912,
        0.070508391424576,
        0.129287735160946,
        1.71506498688328,
        0.460916205989202,
        -1.26506123460653,
        -0.686852851893526,
        -0.445661970099958,
        1.22408179743946,
        0.359813827057364,
        0.400771450594052,
        0.11068271594512,
        -0.555841134754075,
        1.78691313680308,
        0.497850478229239,
        -1.96661715662964,
        0.701355901563686,
        -0.472791407727934,
    ];

    fn round(value: f64, digits: i32) -> f64 {
        let scale = 10_f64.powi(digits);
        (value * scale).round() / scale
    }

    #[test]
    fn the_reference_rnorm_example() {
        let chart = spc(&days(20), &RNORM_123, &SpcOptions::default()).unwrap();
        assert_eq!((round(chart.mean[0], 3), round(chart.lpl[0], 2), round(chart.upl[0], 2)), (0.142, -3.01, 3.29));
        assert!(chart.point_type.iter().all(|p| *p == PointType::CommonCause));
        assert_eq!(chart.assurance_type, None);
        // Screening: with y[15] = 10 the limits differ from both the original and the
        // unscreened chart, and the unscreened range is the wider.
        let mut outlier = RNORM_123;
        outlier[14] = 10.0;
        let screened = spc(&days(20), &outlier, &SpcOptions::default()).unwrap();
        let raw = spc(&days(20), &outlier, &SpcOptions { screen_outliers: false, ..SpcOptions::default() }).unwrap();
        assert!(screened.lpl[0] != chart.lpl[0] && raw.lpl[0] != screened.lpl[0]);
        assert!(raw.upl[0] - raw.lpl[0] > screened.upl[0] - screened.lpl[0]);
        assert!(screened.outside_limits[14] && screened.point_type[14] == PointType::SpecialCauseImprovement);
    }

    /// The reference's test: two successive points close to the limits on opposite sides of
    /// the mean are not special cause.
    #[test]
    fn two_close_points_on_opposite_sides_are_common_cause() {
        let mut y: Vec<f64> = (0..16).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        y[14] = 5.5;
        y[15] = -5.5;
        let chart = spc(&days(16), &y, &SpcOptions::default()).unwrap();
        assert_eq!(chart.point_type[14..], [PointType::CommonCause, PointType::CommonCause]);
    }

    #[test]
    fn runs_trends_and_two_of_three_by_hand() {
        // A run of seven above the mean after a flat start: all seven are flagged, as
        // improvement when higher is better and concern when lower is.
        let mut y = vec![10.0, 9.0, 11.0, 10.0, 9.0, 11.0, 10.0, 9.0, 11.0, 10.0];
        y.extend([10.5, 10.6, 10.4, 10.7, 10.5, 10.6, 10.4]);
        let up = spc(&days(y.len()), &y, &SpcOptions::default()).unwrap();
        assert!(up.point_type[10..].iter().all(|p| *p == PointType::SpecialCauseImprovement), "{:?}", up.point_type);
        assert!(up.point_type[..10].iter().all(|p| *p == PointType::CommonCause));
        let down =
            spc(&days(y.len()), &y, &SpcOptions { improvement_direction: Direction::Decrease, ..Default::default() })
                .unwrap();
        assert!(down.point_type[10..].iter().all(|p| *p == PointType::SpecialCauseConcern));
        let neutral =
            spc(&days(y.len()), &y, &SpcOptions { improvement_direction: Direction::Neutral, ..Default::default() })
                .unwrap();
        assert_eq!(neutral.variation_type, PointType::SpecialCauseNeutralHigh);
        // A point on the mean breaks a run: six above, one on the mean, six above.
        let flat = [0.0; 13];
        let sides = [1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1];
        assert!(special_cause(&flat, &sides, &[false; 13], &[false; 13]).iter().all(|f| !f));
        let mut seven = sides;
        seven[6] = 1;
        assert!(special_cause(&flat, &seven, &[false; 13], &[false; 13]).iter().all(|f| *f));
        // A falling trend of seven is flagged; a tie breaks it.
        let trend = [5.0, 5.2, 4.8, 5.1, 4.9, 5.0, 5.3, 5.2, 5.1, 5.0, 4.9, 4.8, 4.7, 5.0, 5.1, 4.9];
        let chart = spc(&days(trend.len()), &trend, &SpcOptions::default()).unwrap();
        assert!(chart.special_cause_flag[6..13].iter().all(|f| *f), "{:?}", chart.special_cause_flag);
        let mut tied = trend;
        tied[9] = tied[8];
        let chart = spc(&days(tied.len()), &tied, &SpcOptions::default()).unwrap();
        assert!(!chart.special_cause_flag[6..13].iter().all(|f| *f));
    }

    #[test]
    fn assurance_against_a_target_and_rebasing_and_fixing() {
        let y: Vec<f64> = (0..24).map(|i| 90.0 + if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        let run = |target: f64, direction: Direction| {
            spc(
                &days(24),
                &y,
                &SpcOptions { target: Some(target), improvement_direction: direction, ..Default::default() },
            )
            .unwrap()
            .assurance_type
        };
        // Mean 90, every moving range 2: limits 90 ± 5.32.
        assert_eq!(run(97.0, Direction::Increase), Some(Assurance::ConsistentFail));
        assert_eq!(run(80.0, Direction::Increase), Some(Assurance::ConsistentPass));
        assert_eq!(run(80.0, Direction::Decrease), Some(Assurance::ConsistentFail));
        assert_eq!(run(90.5, Direction::Increase), Some(Assurance::Inconsistent));
        assert_eq!(run(97.0, Direction::Neutral), None);
        let dates = days(24);
        let rebased = spc(&dates, &y, &SpcOptions { rebase: vec![dates[12]], ..Default::default() }).unwrap();
        assert_eq!(rebased.rebase_group[11..13], [0, 1]);
        assert!(rebased.short_group_warning.iter().all(|w| *w) && !rebased.warnings.is_empty());
        assert!(spc(&dates, &y, &SpcOptions { fix_after_n_points: Some(11), ..Default::default() }).is_err());
        let mut later = y.clone();
        later[20..].iter_mut().for_each(|v| *v += 50.0);
        let fixed = spc(&dates, &later, &SpcOptions { fix_after_n_points: Some(12), ..Default::default() }).unwrap();
        assert_eq!(fixed.mean[0], 90.0, "the first twelve points only");
        assert!(fixed.outside_limits[20..].iter().all(|o| *o));
    }

    #[test]
    fn a_flat_series_has_its_limits_on_the_mean() {
        let chart = spc(&days(15), &[100.0; 15], &SpcOptions::default()).unwrap();
        assert_eq!((chart.mean[0], chart.lpl[0], chart.upl[0]), (100.0, 100.0, 100.0));
        assert!(chart.point_type.iter().all(|p| *p == PointType::CommonCause));
    }

    #[test]
    fn bad_input_is_refused() {
        let dates = days(3);
        assert!(spc(&dates, &[1.0, 2.0], &SpcOptions::default()).is_err());
        assert!(spc(&dates[..1], &[1.0], &SpcOptions::default()).is_err());
        assert!(spc(&dates, &[1.0, f64::NAN, 2.0], &SpcOptions::default()).is_err());
        let twice = [dates[0], dates[0], dates[1]];
        let error = spc(&twice, &[1.0, 2.0, 3.0], &SpcOptions::default()).unwrap_err();
        assert!(error.to_string().contains("appears more than once"));
        assert!(Direction::parse("up").is_err());
    }
}
