//! UK financial years (1 April to 31 March) and calendar months.
//!
//! NHS plans, contracts and monitoring run on the financial year: month 1 is April, month 12 is
//! March. A financial year is named by the calendar year it starts in and written `2025/26`.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A UK financial year, named by the calendar year in which it starts (2025 → `2025/26`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct FinancialYear(i32);

/// A calendar month, written `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct YearMonth {
    year: i32,
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("'{0}' is not a financial year such as 2025/26")]
    FinancialYear(String),
    #[error("'{0}' is not a month such as 2025-04")]
    Month(String),
    #[error("'{0}' is not a date such as 2025-04-01")]
    Date(String),
}

impl FinancialYear {
    pub fn starting(year: i32) -> FinancialYear {
        FinancialYear(year)
    }

    /// The financial year a date falls in.
    pub fn containing(date: NaiveDate) -> FinancialYear {
        if date.month() >= 4 { FinancialYear(date.year()) } else { FinancialYear(date.year() - 1) }
    }

    pub fn start_year(self) -> i32 {
        self.0
    }

    /// 1 April.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 4, 1).expect("1 April exists")
    }

    /// 31 March of the next calendar year.
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 3, 31).expect("31 March exists")
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        FinancialYear::containing(date) == self
    }

    /// The twelve months, April first.
    pub fn months(self) -> [YearMonth; 12] {
        let april = YearMonth { year: self.0, month: 4 };
        std::array::from_fn(|idx| april.plus(idx as i32))
    }

    pub fn next(self) -> FinancialYear {
        FinancialYear(self.0 + 1)
    }

    pub fn parse(text: &str) -> Result<FinancialYear, PeriodError> {
        let error = || PeriodError::FinancialYear(text.to_owned());
        let (start, end) = text.trim().split_once(['/', '-']).ok_or_else(error)?;
        if start.len() != 4 || !(end.len() == 2 || end.len() == 4) {
            return Err(error());
        }
        let start: i32 = start.parse().map_err(|_| error())?;
        let end: i32 = end.parse().map_err(|_| error())?;
        let expected_end = if text.trim().len() == 7 { (start + 1) % 100 } else { start + 1 };
        if end != expected_end {
            return Err(error());
        }
        Ok(FinancialYear(start))
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}/{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }
}

impl FromStr for FinancialYear {
    type Err = PeriodError;
    fn from_str(text: &str) -> Result<FinancialYear, PeriodError> {
        FinancialYear::parse(text)
    }
}

impl From<FinancialYear> for String {
    fn from(year: FinancialYear) -> String {
        year.to_string()
    }
}

impl TryFrom<String> for FinancialYear {
    type Error = PeriodError;
    fn try_from(text: String) -> Result<FinancialYear, PeriodError> {
        FinancialYear::parse(&text)
    }
}

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        (1..=12).contains(&month).then_some(YearMonth { year, month })
    }

    pub fn of(date: NaiveDate) -> YearMonth {
        YearMonth { year: date.year(), month: date.month() }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    pub fn last_day(self) -> NaiveDate {
        self.plus(1).first_day().pred_opt().expect("a day before the first of a month")
    }

    pub fn days(self) -> u32 {
        self.last_day().day()
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        date.year() == self.year && date.month() == self.month
    }

    /// The month `count` months later (or earlier, when negative).
    pub fn plus(self, count: i32) -> YearMonth {
        let index = self.year * 12 + self.month as i32 - 1 + count;
        YearMonth { year: index.div_euclid(12), month: index.rem_euclid(12) as u32 + 1 }
    }

    pub fn financial_year(self) -> FinancialYear {
        FinancialYear::containing(self.first_day())
    }

    /// Month number within the financial year: April is 1, March is 12.
    pub fn financial_month(self) -> u32 {
        (self.month + 8) % 12 + 1
    }

    /// Short label for charts and tables: `Apr 2025`.
    pub fn label(self) -> String {
        self.first_day().format("%b %Y").to_string()
    }

    pub fn parse(text: &str) -> Result<YearMonth, PeriodError> {
        let error = || PeriodError::Month(text.to_owned());
        let trimmed = text.trim();
        let (year, month) = trimmed.split_once('-').ok_or_else(error)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(error());
        }
        let year: i32 = year.parse().map_err(|_| error())?;
        let month: u32 = month.parse().map_err(|_| error())?;
        YearMonth::new(year, month).ok_or_else(error)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = PeriodError;
    fn from_str(text: &str) -> Result<YearMonth, PeriodError> {
        YearMonth::parse(text)
    }
}

impl From<YearMonth> for String {
    fn from(month: YearMonth) -> String {
        month.to_string()
    }
}

impl TryFrom<String> for YearMonth {
    type Error = PeriodError;
    fn try_from(text: String) -> Result<YearMonth, PeriodError> {
        YearMonth::parse(&text)
    }
}

/// Parses an ISO date (`YYYY-MM-DD`), strictly: no other separators, no missing zeros.
pub fn parse_date(text: &str) -> Result<NaiveDate, PeriodError> {
    let trimmed = text.trim();
    let bytes = trimmed.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return Err(PeriodError::Date(text.to_owned()));
    }
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").map_err(|_| PeriodError::Date(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    #[test]
    fn financial_year_runs_april_to_march() {
        let cases = [
            ("2025-04-01", "2025/26"),
            ("2026-03-31", "2025/26"),
            ("2025-03-31", "2024/25"),
            ("1999-12-31", "1999/00"),
            ("2000-01-01", "1999/00"),
        ];
        for (day, expected) in cases {
            assert_eq!(FinancialYear::containing(date(day)).to_string(), expected, "{day}");
        }
        let year = FinancialYear::parse("2025/26").unwrap();
        assert_eq!(year.first_day(), date("2025-04-01"));
        assert_eq!(year.last_day(), date("2026-03-31"));
        assert_eq!(FinancialYear::parse("2025-26").unwrap(), year);
        assert_eq!(FinancialYear::parse("2025/2026").unwrap(), year);
        assert!(FinancialYear::parse("2025/27").is_err());
        assert!(FinancialYear::parse("2025").is_err());
        assert_eq!(FinancialYear::parse("1999/00").unwrap().start_year(), 1999);
    }

    #[test]
    fn months_of_a_financial_year() {
        let months = FinancialYear::starting(2025).months();
        assert_eq!(months[0].to_string(), "2025-04");
        assert_eq!(months[8].to_string(), "2025-12");
        assert_eq!(months[11].to_string(), "2026-03");
        let numbers: Vec<u32> = months.iter().map(|m| m.financial_month()).collect();
        assert_eq!(numbers, (1..=12).collect::<Vec<_>>());
    }

    #[test]
    fn year_month_arithmetic_and_parsing() {
        let january = YearMonth::parse("2026-01").unwrap();
        assert_eq!(january.plus(-1).to_string(), "2025-12");
        assert_eq!(january.plus(13).to_string(), "2027-02");
        assert_eq!(YearMonth::parse("2024-02").unwrap().days(), 29);
        assert_eq!(YearMonth::parse("2025-02").unwrap().days(), 28);
        assert_eq!(january.label(), "Jan 2026");
        for bad in ["2026-13", "2026-1", "26-01", "2026/01", ""] {
            assert!(YearMonth::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_are_strict_iso() {
        assert!(parse_date("2025-02-29").is_err());
        assert!(parse_date("2025-2-01").is_err());
        assert!(parse_date("01/02/2025").is_err());
        assert_eq!(parse_date(" 2024-02-29 ").unwrap(), date("2024-02-29"));
    }
}
