//! National standards and planning targets that providers' performance is read against
//! (DOMAIN.md B3): each metric's numerator, denominator, which way is better, and its
//! thresholds by level (constitutional standard, planning target) with the date each took
//! effect. Kept as data in `data/national_standards.csv`.

use chrono::NaiveDate;
use serde::Serialize;

use crate::methods::spc::Direction;

const STANDARDS_CSV: &str = include_str!("../../data/national_standards.csv");

/// Whether a threshold is the constitutional standard or a planning target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Constitutional,
    Planning,
}

/// One threshold of a metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standard {
    pub metric: String,
    pub name: String,
    pub numerator: String,
    pub denominator: String,
    pub direction: Direction,
    /// A percentage.
    pub threshold: f64,
    pub level: Level,
    pub effective_from: NaiveDate,
    pub source: String,
}

impl Standard {
    /// Whether a value (a percentage) meets the threshold; meeting it exactly counts.
    pub fn met(&self, value: f64) -> bool {
        match self.direction {
            Direction::Decrease => value <= self.threshold,
            _ => value >= self.threshold,
        }
    }
}

/// Every threshold of every metric, in file order.
pub fn standards() -> Vec<Standard> {
    STANDARDS_CSV
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.splitn(9, ',').collect();
            let field = |i: usize| fields.get(i).copied().unwrap_or_default().to_owned();
            Standard {
                metric: field(0),
                name: field(1),
                numerator: field(2),
                denominator: field(3),
                direction: Direction::parse(&field(4)).expect("the standards file names a direction"),
                threshold: field(5).parse().expect("the standards file has numeric thresholds"),
                level: if field(6) == "planning" { Level::Planning } else { Level::Constitutional },
                effective_from: NaiveDate::parse_from_str(&field(7), "%Y-%m-%d").expect("dates in the standards file"),
                source: field(8),
            }
        })
        .collect()
}

/// A metric's name, or its code when the standards file does not know it.
pub fn name(metric: &str) -> String {
    standards().into_iter().find(|s| s.metric == metric).map_or_else(|| metric.to_owned(), |s| s.name)
}

/// The metric's thresholds in force on a day: its constitutional standard and its latest
/// planning target, each if any.
pub fn in_force(metric: &str, on: NaiveDate) -> (Option<Standard>, Option<Standard>) {
    let latest = |level: Level| {
        standards()
            .into_iter()
            .filter(|s| s.metric == metric && s.level == level && s.effective_from <= on)
            .max_by_key(|s| s.effective_from)
    };
    (latest(Level::Constitutional), latest(Level::Planning))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_standards_file_reads_and_targets_take_effect_by_date() {
        let all = standards();
        assert!(all.len() >= 10);
        let (standard, planning) = in_force("ae_4hr_all", date("2025-01-01"));
        assert_eq!(standard.unwrap().threshold, 95.0);
        assert_eq!(planning.unwrap().threshold, 78.0);
        assert_eq!(in_force("ae_4hr_all", date("2023-06-01")).1.unwrap().threshold, 76.0);
        assert_eq!(in_force("ae_4hr_all", date("2019-03-01")).1, None, "no planning target then");
        let diagnostics = in_force("diagnostics_6wk", date("2025-01-01")).0.unwrap();
        assert!(diagnostics.met(1.0) && !diagnostics.met(1.01), "lower is better; the threshold meets");
        assert!(standard_met_at_threshold());
    }

    fn standard_met_at_threshold() -> bool {
        in_force("ae_4hr_all", date("2025-01-01")).0.unwrap().met(95.0)
    }
}
