//! Monitor stage rules: year-end outturn forecasts, variance against tolerance, and the
//! activity query workflow of the NHS Standard Contract (SC29); `payment` is the payment
//! engine.
//!
//! Forecasts (DOMAIN.md B3; no single mandated formula, so all three are reported):
//! - run-rate: `YTD + (12 − m) × YTD / m`;
//! - plan-adjusted: `YTD + Σ remaining plan × YTD / YTD plan`;
//! - seasonal: the year-to-date share of a phasing profile scaled up, `YTD × Σ profile /
//!   Σ profile to date` (the profile is last year's actual phasing when known, else working
//!   days per month).
//!
//! All arithmetic is exact (integers and rationals in `i128`), rounded once, half away from
//! zero: forecasts of money stay in whole pence.

pub mod escalation;
pub mod payment;
pub mod quality;
pub mod standards;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;
use crate::money::round_half_away;

/// The three year-end forecasts of a quantity (activity or pence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forecasts {
    pub run_rate: i64,
    pub plan_adjusted: Option<i64>,
    pub seasonal: Option<i64>,
}

impl Forecasts {
    /// Lowest and highest of the forecasts, for a forecast fan.
    pub fn range(&self) -> (i64, i64) {
        let values = [Some(self.run_rate), self.plan_adjusted, self.seasonal];
        let known = values.iter().flatten();
        (*known.clone().min().expect("run rate"), *known.max().expect("run rate"))
    }
}

/// Forecasts the year-end outturn from the first `months_elapsed` months of actuals.
/// `plan` and `profile` have twelve values, April first. Plan-adjusted needs a plan to date
/// above zero; seasonal needs a profile to date above zero.
pub fn forecast(actuals: &[i64], months_elapsed: usize, plan: Option<&[i64; 12]>, profile: &[i64; 12]) -> Forecasts {
    let m = months_elapsed.clamp(1, 12);
    let ytd: i128 = actuals.iter().take(m).map(|v| i128::from(*v)).sum();
    let run_rate = ytd + round_half_away(ytd * (12 - m as i128), m as i128);
    let plan_adjusted = plan.and_then(|plan| {
        let plan_ytd: i128 = plan.iter().take(m).map(|v| i128::from(*v)).sum();
        let remaining: i128 = plan.iter().skip(m).map(|v| i128::from(*v)).sum();
        (plan_ytd > 0).then(|| ytd + round_half_away(remaining * ytd, plan_ytd))
    });
    let profile_ytd: i128 = profile.iter().take(m).map(|v| i128::from(*v)).sum();
    let profile_total: i128 = profile.iter().map(|v| i128::from(*v)).sum();
    let seasonal = (profile_ytd > 0).then(|| round_half_away(ytd * profile_total, profile_ytd));
    Forecasts {
        run_rate: run_rate as i64,
        plan_adjusted: plan_adjusted.map(|v| v as i64),
        seasonal: seasonal.map(|v| v as i64),
    }
}

/// Working days in each month of a financial year, April first: the default phasing profile.
pub fn working_day_profile(calendar: &WorkingCalendar, year: crate::period::FinancialYear) -> [i64; 12] {
    year.months().map(|month| {
        let before = month.first_day().pred_opt().expect("a day before");
        i64::from(calendar.working_days_between(before, month.last_day()))
    })
}

/// How a service line's annual plan is spread over the twelve months (SLAM-style phasing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "weights")]
pub enum Phasing {
    /// Twelve equal months.
    Flat,
    /// In proportion to the working days of each month (England and Wales bank holidays).
    WorkingDays,
    /// Twelve agreed weights, April first (for example last year's actual activity).
    Custom([i64; 12]),
}

impl Phasing {
    /// Reads `flat`, `working_days` or twelve non-negative whole weights separated by `;`.
    pub fn parse(text: &str) -> Result<Phasing, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "flat" => Ok(Phasing::Flat),
            "working_days" => Ok(Phasing::WorkingDays),
            other => {
                let weights: Vec<i64> = other
                    .split(';')
                    .map(|part| part.trim().parse::<i64>().ok().filter(|w| *w >= 0))
                    .collect::<Option<Vec<i64>>>()
                    .ok_or_else(|| phasing_error(text))?;
                let weights: [i64; 12] = weights.try_into().map_err(|_| phasing_error(text))?;
                if weights.iter().all(|w| *w == 0) {
                    return Err(format!("'{text}' has no month with a weight above zero"));
                }
                Ok(Phasing::Custom(weights))
            }
        }
    }

    /// The text [`Phasing::parse`] reads.
    pub fn code(&self) -> String {
        match self {
            Phasing::Flat => "flat".into(),
            Phasing::WorkingDays => "working_days".into(),
            Phasing::Custom(weights) => weights.iter().map(ToString::to_string).collect::<Vec<_>>().join(";"),
        }
    }

    /// The weights for a financial year, April first.
    pub fn weights(&self, calendar: &WorkingCalendar, year: crate::period::FinancialYear) -> [i64; 12] {
        match self {
            Phasing::Flat => [1; 12],
            Phasing::WorkingDays => working_day_profile(calendar, year),
            Phasing::Custom(weights) => *weights,
        }
    }
}

fn phasing_error(text: &str) -> String {
    format!("'{text}' is not a phasing: use flat, working_days or twelve weights such as 8;8;9;…")
}

/// Spreads a whole annual quantity (activity or pence) over twelve months in proportion to
/// `weights`, by largest remainder: each month gets the floor of its share, and the units
/// left over go to the months with the largest remainders (earliest first on ties), so the
/// months always add up to the total exactly. `None` when every weight is zero.
pub fn phase(total: i64, weights: &[i64; 12]) -> Option<[i64; 12]> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum <= 0 || weights.iter().any(|w| *w < 0) {
        return None;
    }
    let total = i128::from(total);
    let magnitude = total.abs();
    let mut months = [0_i64; 12];
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(12);
    let mut given: i128 = 0;
    for (idx, weight) in weights.iter().enumerate() {
        let share = magnitude * i128::from(*weight);
        months[idx] = (share / sum) as i64;
        given += share / sum;
        remainders.push((share % sum, idx));
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, idx) in remainders.into_iter().take((magnitude - given) as usize) {
        months[idx] += 1;
    }
    if total < 0 {
        months.iter_mut().for_each(|m| *m = -*m);
    }
    Some(months)
}

/// An agreed tolerance around plan, in basis points (100 = 1%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tolerance {
    pub lower_bp: i64,
    pub upper_bp: i64,
}

impl Tolerance {
    /// The default when none is agreed: ±3%. Tolerances are a local agreement (there is no
    /// national figure), so this is a starting point to be replaced per contract line.
    pub const DEFAULT: Tolerance = Tolerance { lower_bp: 300, upper_bp: 300 };
}

/// Basis points as a percentage for people, without trailing zeros: 250 → `2.5`, 300 → `3`.
pub fn bp_percent(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let abs = bp.unsigned_abs();
    let text = format!("{sign}{}.{:02}", abs / 100, abs % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Red, amber or green.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    Green,
    Amber,
    Red,
}

impl Rag {
    pub fn label(self) -> &'static str {
        match self {
            Rag::Green => "Within tolerance",
            Rag::Amber => "Outside tolerance",
            Rag::Red => "Well outside tolerance",
        }
    }
}

/// Variance of actual from plan in basis points, if there is a plan.
pub fn variance_bp(actual: i64, plan: i64) -> Option<i64> {
    (plan != 0).then(|| round_half_away(i128::from(actual - plan) * 10_000, i128::from(plan)) as i64)
}

/// Green within tolerance, amber up to twice it, red beyond (either direction).
pub fn rag(variance_bp: i64, tolerance: Tolerance) -> Rag {
    let limit = if variance_bp >= 0 { tolerance.upper_bp } else { tolerance.lower_bp };
    let size = variance_bp.abs();
    if size <= limit {
        Rag::Green
    } else if size <= 2 * limit {
        Rag::Amber
    } else {
        Rag::Red
    }
}

/// Where an activity query stands (SC29).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryStatus {
    /// Activity Query Notice served; a meeting is due.
    NoticeServed,
    /// The Activity Management Meeting has been held; the outcome is to be agreed.
    MeetingHeld,
    /// A Joint Activity Review is under way.
    JointReview,
    /// An Activity Management Plan is agreed and being delivered.
    ManagementPlan,
    Withdrawn,
    Closed,
}

/// Something that happens to a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryEvent {
    HoldMeeting,
    StartJointReview,
    AgreePlan,
    Withdraw,
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an activity query that is {from} cannot {event}")]
pub struct QueryTransitionError {
    pub from: &'static str,
    pub event: &'static str,
}

impl QueryStatus {
    pub const ALL: [QueryStatus; 6] = [
        QueryStatus::NoticeServed,
        QueryStatus::MeetingHeld,
        QueryStatus::JointReview,
        QueryStatus::ManagementPlan,
        QueryStatus::Withdrawn,
        QueryStatus::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            QueryStatus::NoticeServed => "notice_served",
            QueryStatus::MeetingHeld => "meeting_held",
            QueryStatus::JointReview => "joint_review",
            QueryStatus::ManagementPlan => "management_plan",
            QueryStatus::Withdrawn => "withdrawn",
            QueryStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            QueryStatus::NoticeServed => "Notice served",
            QueryStatus::MeetingHeld => "Meeting held",
            QueryStatus::JointReview => "Joint activity review",
            QueryStatus::ManagementPlan => "Activity management plan",
            QueryStatus::Withdrawn => "Withdrawn",
            QueryStatus::Closed => "Closed",
        }
    }

    pub fn parse(text: &str) -> Option<QueryStatus> {
        QueryStatus::ALL.into_iter().find(|s| s.code() == text)
    }

    pub fn is_open(self) -> bool {
        !matches!(self, QueryStatus::Withdrawn | QueryStatus::Closed)
    }

    /// The workflow: notice → meeting → joint review or plan → closed; withdrawn before a
    /// plan is agreed.
    pub fn apply(self, event: QueryEvent) -> Result<QueryStatus, QueryTransitionError> {
        use QueryEvent::*;
        use QueryStatus::*;
        let next = match (self, event) {
            (NoticeServed, HoldMeeting) => MeetingHeld,
            (NoticeServed | MeetingHeld | JointReview, Withdraw) => Withdrawn,
            (MeetingHeld, StartJointReview) => JointReview,
            (MeetingHeld | JointReview, AgreePlan) => ManagementPlan,
            (JointReview | ManagementPlan, Close) => Closed,
            _ => return Err(QueryTransitionError { from: self.label(), event: event.label() }),
        };
        Ok(next)
    }

    /// The events that may happen next.
    pub fn next_events(self) -> Vec<QueryEvent> {
        QueryEvent::ALL.into_iter().filter(|event| self.apply(*event).is_ok()).collect()
    }
}

impl QueryEvent {
    pub const ALL: [QueryEvent; 5] = [
        QueryEvent::HoldMeeting,
        QueryEvent::StartJointReview,
        QueryEvent::AgreePlan,
        QueryEvent::Withdraw,
        QueryEvent::Close,
    ];

    pub fn code(self) -> &'static str {
        match self {
            QueryEvent::HoldMeeting => "hold_meeting",
            QueryEvent::StartJointReview => "start_joint_review",
            QueryEvent::AgreePlan => "agree_plan",
            QueryEvent::Withdraw => "withdraw",
            QueryEvent::Close => "close",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            QueryEvent::HoldMeeting => "record the activity management meeting",
            QueryEvent::StartJointReview => "start a joint activity review",
            QueryEvent::AgreePlan => "agree an activity management plan",
            QueryEvent::Withdraw => "be withdrawn",
            QueryEvent::Close => "be closed",
        }
    }

    pub fn parse(text: &str) -> Option<QueryEvent> {
        QueryEvent::ALL.into_iter().find(|e| e.code() == text)
    }
}

/// Operational days from an activity query notice to its meeting [K: SC29, ~10].
pub const MEETING_WITHIN_OPERATIONAL_DAYS: u32 = 10;

/// When the Activity Management Meeting is due after a notice served on `notice`.
pub fn meeting_due(calendar: &WorkingCalendar, notice: NaiveDate) -> NaiveDate {
    calendar.add_working_days(notice, MEETING_WITHIN_OPERATIONAL_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAT: [i64; 12] = [1; 12];

    /// Hand-worked phasing: 1,000 over twelve flat months is 84 × 4 and 83 × 8 (the four
    /// spare units to the first four months); weights 2:1:…:1 give April twice the rest.
    #[test]
    fn phasing_adds_up_exactly() {
        assert_eq!(phase(1_000, &FLAT).unwrap(), [84, 84, 84, 84, 83, 83, 83, 83, 83, 83, 83, 83]);
        let mut weights = [1; 12];
        weights[0] = 2;
        assert_eq!(phase(1_300, &weights).unwrap(), [200, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100]);
        // Largest remainder, not first months: 10 over weights 1,1,1,3 (others 0).
        let mut uneven = [0; 12];
        uneven[..4].copy_from_slice(&[1, 1, 1, 3]);
        assert_eq!(phase(10, &uneven).unwrap()[..4], [2, 2, 1, 5]);
        assert_eq!(phase(-1_000, &FLAT).unwrap().iter().sum::<i64>(), -1_000);
        assert_eq!(phase(5, &[0; 12]), None);
        for total in [0, 1, 11, 12, 13, 99_999, 123_456_789] {
            for weights in [FLAT, [22, 20, 21, 23, 20, 22, 21, 20, 22, 20, 20, 21], uneven] {
                assert_eq!(phase(total, &weights).unwrap().iter().sum::<i64>(), total);
            }
        }
    }

    #[test]
    fn basis_points_read_as_percentages() {
        assert_eq!(
            [bp_percent(250), bp_percent(300), bp_percent(5), bp_percent(0), bp_percent(-125)],
            ["2.5", "3", "0.05", "0", "-1.25"]
        );
    }

    #[test]
    fn phasing_is_read_from_text() {
        assert_eq!(Phasing::parse("flat").unwrap(), Phasing::Flat);
        assert_eq!(Phasing::parse("Working_Days").unwrap(), Phasing::WorkingDays);
        let custom = Phasing::parse("8;8;9;9;8;8;9;8;8;8;8;9").unwrap();
        assert_eq!(custom.code(), "8;8;9;9;8;8;9;8;8;8;8;9");
        assert!(Phasing::parse("8;8;9").unwrap_err().contains("twelve weights"));
        assert!(Phasing::parse("0;0;0;0;0;0;0;0;0;0;0;0").unwrap_err().contains("no month"));
        assert!(Phasing::parse("seasonal").is_err());
        let calendar = WorkingCalendar::england_and_wales();
        let year = crate::period::FinancialYear::starting(2025);
        // April 2025 has Good Friday and Easter Monday: 20 working days; May has two bank
        // holidays: 20; June 21.
        assert_eq!(Phasing::WorkingDays.weights(&calendar, year)[..3], [20, 20, 21]);
    }

    /// Hand-worked: 3 months of 100, 110, 90 (YTD 300).
    #[test]
    fn forecasts_by_hand() {
        let actuals = [100, 110, 90];
        let plan = [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100];
        let result = forecast(&actuals, 3, Some(&plan), &FLAT);
        // Run rate: 300 + 9 × 100 = 1,200.
        assert_eq!(result.run_rate, 1_200);
        // Plan-adjusted: 300 + 900 × 300/300 = 1,200.
        assert_eq!(result.plan_adjusted, Some(1_200));
        // Seasonal, flat profile: 300 × 12/3 = 1,200.
        assert_eq!(result.seasonal, Some(1_200));

        // Above a back-loaded plan: YTD 300 against plan-to-date 250.
        let back_loaded = [80, 80, 90, 100, 100, 100, 110, 110, 110, 120, 120, 120];
        let result = forecast(&actuals, 3, Some(&back_loaded), &back_loaded);
        // The plan totals 1,240; 250 to date, 990 to come: 300 + 990 × 300/250 = 1,488.
        assert_eq!(result.plan_adjusted, Some(1_488));
        // 300 × 1,240/250 = 1,488 (the same phasing as the plan here).
        assert_eq!(result.seasonal, Some(1_488));
        assert_eq!(result.range(), (1_200, 1_488));
    }

    #[test]
    fn forecasts_round_pence_half_away_from_zero() {
        // YTD 1,001p over 2 months: run rate 1,001 + 10 × 500.5 = 6,006.
        assert_eq!(forecast(&[500, 501], 2, None, &FLAT).run_rate, 6_006);
        // YTD 10p over 3 months: 10 + 9 × 10/3 = 10 + 30 = 40.
        assert_eq!(forecast(&[3, 3, 4], 3, None, &FLAT).run_rate, 40);
        // No plan to date: no plan-adjusted forecast.
        assert_eq!(forecast(&[5], 1, Some(&[0; 12]), &FLAT).plan_adjusted, None);
    }

    #[test]
    fn variance_and_rag() {
        let tolerance = Tolerance { lower_bp: 200, upper_bp: 500 };
        let cases = [
            (1_000, 1_000, 0, Rag::Green),
            (1_050, 1_000, 500, Rag::Green),
            (1_051, 1_000, 510, Rag::Amber),
            (1_101, 1_000, 1_010, Rag::Red),
            (980, 1_000, -200, Rag::Green),
            (979, 1_000, -210, Rag::Amber),
            (950, 1_000, -500, Rag::Red),
        ];
        for (actual, plan, bp, expected) in cases {
            assert_eq!(variance_bp(actual, plan), Some(bp), "{actual} vs {plan}");
            assert_eq!(rag(bp, tolerance), expected, "{actual} vs {plan}");
        }
        assert_eq!(variance_bp(5, 0), None);
    }

    /// Every (status, event) pair: the table of legal moves, everything else refused.
    #[test]
    fn activity_query_state_machine() {
        use QueryEvent::*;
        use QueryStatus::*;
        let legal = [
            (NoticeServed, HoldMeeting, MeetingHeld),
            (NoticeServed, Withdraw, Withdrawn),
            (MeetingHeld, StartJointReview, JointReview),
            (MeetingHeld, AgreePlan, ManagementPlan),
            (MeetingHeld, Withdraw, Withdrawn),
            (JointReview, AgreePlan, ManagementPlan),
            (JointReview, Withdraw, Withdrawn),
            (JointReview, Close, Closed),
            (ManagementPlan, Close, Closed),
        ];
        for status in QueryStatus::ALL {
            for event in QueryEvent::ALL {
                let expected = legal.iter().find(|(s, e, _)| *s == status && *e == event).map(|(_, _, to)| *to);
                assert_eq!(status.apply(event).ok(), expected, "{status:?} + {event:?}");
            }
        }
        assert!(Closed.next_events().is_empty());
        assert_eq!(
            NoticeServed.apply(Close).unwrap_err().to_string(),
            "an activity query that is Notice served cannot be closed"
        );
    }

    #[test]
    fn meetings_are_due_ten_operational_days_after_notice() {
        let calendar = WorkingCalendar::england_and_wales();
        let date = |t: &str| crate::period::parse_date(t).unwrap();
        assert_eq!(meeting_due(&calendar, date("2025-06-02")), date("2025-06-16"));
        // Over Christmas 2025: 22, 23, 24, 29, 30, 31 Dec, 2, 5, 6, 7 Jan.
        assert_eq!(meeting_due(&calendar, date("2025-12-19")), date("2026-01-07"));
        let profile = working_day_profile(&calendar, crate::period::FinancialYear::starting(2025));
        assert_eq!(profile.iter().sum::<i64>(), 253);
        assert_eq!(profile[0], 20, "April 2025 has Good Friday and Easter Monday");
    }
}
