//! Strategy: the plans that steer the cycle (DOMAIN.md B8) — the five-year strategic
//! commissioning plan (developed every three years, refreshed yearly), the annual operating
//! plan and the organisational development plan — with their review dates, and the progress
//! of an objective's measure from its baseline towards its target along the straight line to
//! its due date; and the eleven World Class Commissioning competencies. `assessment` scores
//! the competencies and the self-evaluation checklists; `engagement` holds consultations and
//! their analysis.

pub mod assessment;
pub mod engagement;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::period::FinancialYear;

/// The three plans a commissioner keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    Strategic,
    Operating,
    Development,
}

impl PlanKind {
    pub const ALL: [PlanKind; 3] = [PlanKind::Strategic, PlanKind::Operating, PlanKind::Development];

    pub fn code(self) -> &'static str {
        match self {
            PlanKind::Strategic => "strategic",
            PlanKind::Operating => "operating",
            PlanKind::Development => "development",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PlanKind::Strategic => "Strategic commissioning plan",
            PlanKind::Operating => "Annual operating plan",
            PlanKind::Development => "Organisational development plan",
        }
    }

    pub fn parse(text: &str) -> Option<PlanKind> {
        PlanKind::ALL.into_iter().find(|k| k.code() == text.trim())
    }

    /// How many financial years the plan covers: five for the strategy, one for the others.
    pub fn years(self) -> i32 {
        match self {
            PlanKind::Strategic => 5,
            PlanKind::Operating | PlanKind::Development => 1,
        }
    }

    /// When a plan approved on `approved_on` and starting in `first` falls due for review:
    /// the strategy is refreshed a year after approval and redeveloped three years after it
    /// starts, whichever is sooner; the yearly plans before their year ends (1 March, in time
    /// for the next year's plan).
    pub fn review_due(self, first: FinancialYear, approved_on: NaiveDate) -> NaiveDate {
        match self {
            PlanKind::Strategic => {
                let refresh = approved_on.with_year(approved_on.year() + 1).unwrap_or(approved_on);
                let redevelop = FinancialYear::starting(first.start_year() + 3).first_day();
                refresh.min(redevelop)
            }
            PlanKind::Operating | PlanKind::Development => {
                NaiveDate::from_ymd_opt(first.start_year() + 1, 3, 1).expect("1 March exists")
            }
        }
    }
}

/// Where an objective stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// The latest value meets the target.
    Met,
    /// At or beyond where the straight line from baseline to target says it should be by now.
    OnTrack,
    /// Behind that line.
    OffTrack,
    /// No measurement yet.
    NoData,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Met => "Target met",
            Standing::OnTrack => "On track",
            Standing::OffTrack => "Off track",
            Standing::NoData => "No data yet",
        }
    }
}

/// An objective's measure: baseline and target, which way is better, and the dates between
/// which the target is to be reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trajectory {
    pub baseline: f64,
    pub target: f64,
    pub higher_is_better: bool,
    pub starts: NaiveDate,
    pub due: NaiveDate,
}

/// The progress of a measurement against a trajectory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub latest: Option<f64>,
    pub measured_on: Option<NaiveDate>,
    /// The share of the way from baseline to target covered (may be below 0 or above 1).
    pub achieved: Option<f64>,
    /// The share the straight line expects by the measurement's date (0 to 1).
    pub expected: Option<f64>,
    pub standing: Standing,
}

impl Trajectory {
    /// The progress of the latest measurement `(date, value)`, if any.
    pub fn progress(&self, latest: Option<(NaiveDate, f64)>) -> Progress {
        let Some((on, value)) = latest else {
            return Progress {
                latest: None,
                measured_on: None,
                achieved: None,
                expected: None,
                standing: Standing::NoData,
            };
        };
        let span = self.target - self.baseline;
        let achieved = if span == 0.0 { 1.0 } else { (value - self.baseline) / span };
        let days = (self.due - self.starts).num_days().max(1) as f64;
        let expected = ((on - self.starts).num_days() as f64 / days).clamp(0.0, 1.0);
        let met = if self.higher_is_better { value >= self.target } else { value <= self.target };
        let standing = if met {
            Standing::Met
        } else if achieved + 1e-9 >= expected {
            Standing::OnTrack
        } else {
            Standing::OffTrack
        };
        Progress {
            latest: Some(value),
            measured_on: Some(on),
            achieved: Some(achieved),
            expected: Some(expected),
            standing,
        }
    }
}

/// The eleven World Class Commissioning competencies (DH, 2007), in their order.
pub const COMPETENCIES: [&str; 11] = [
    "Locally lead the NHS",
    "Work with community partners",
    "Engage with public and patients",
    "Collaborate with clinicians",
    "Manage knowledge and assess needs",
    "Prioritise investment",
    "Stimulate the market",
    "Promote improvement and innovation",
    "Secure procurement skills",
    "Manage the local health system",
    "Make sound financial investments",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn trajectory(baseline: f64, target: f64, higher_is_better: bool) -> Trajectory {
        Trajectory { baseline, target, higher_is_better, starts: day("2025-04-01"), due: day("2026-03-31") }
    }

    #[test]
    fn reads_progress_along_the_straight_line_to_the_target() {
        // Halfway through the year (182 of 364 days), from 70% towards 80%.
        let up = trajectory(70.0, 80.0, true);
        let cases = [
            (76.0, Standing::OnTrack, 0.6),
            (74.0, Standing::OffTrack, 0.4),
            (81.0, Standing::Met, 1.1),
            (65.0, Standing::OffTrack, -0.5),
        ];
        for (value, standing, achieved) in cases {
            let progress = up.progress(Some((day("2025-09-30"), value)));
            assert_eq!(progress.standing, standing, "{value}");
            assert!((progress.achieved.unwrap() - achieved).abs() < 1e-9, "{value}");
            assert!((progress.expected.unwrap() - 182.0 / 364.0).abs() < 1e-9);
        }
        // Lower is better: from 12 weeks down to 6.
        let down = trajectory(12.0, 6.0, false);
        assert_eq!(down.progress(Some((day("2025-09-30"), 8.0))).standing, Standing::OnTrack);
        assert_eq!(down.progress(Some((day("2025-09-30"), 10.0))).standing, Standing::OffTrack);
        assert_eq!(down.progress(Some((day("2026-01-31"), 6.0))).standing, Standing::Met);
        assert_eq!(down.progress(None).standing, Standing::NoData);
        // Before the start nothing is expected yet.
        assert_eq!(up.progress(Some((day("2025-03-01"), 70.0))).expected, Some(0.0));
    }

    #[test]
    fn plans_fall_due_for_review_on_their_cycle() {
        let first = FinancialYear::starting(2025);
        assert_eq!(PlanKind::Strategic.review_due(first, day("2025-03-20")), day("2026-03-20"));
        // Approved late in its third year: redeveloped when the fourth year starts.
        assert_eq!(PlanKind::Strategic.review_due(first, day("2027-12-01")), day("2028-04-01"));
        assert_eq!(PlanKind::Operating.review_due(first, day("2025-03-20")), day("2026-03-01"));
        assert_eq!(PlanKind::parse("development"), Some(PlanKind::Development));
        assert_eq!(PlanKind::Strategic.years(), 5);
        assert_eq!(COMPETENCIES.len(), 11);
    }
}
