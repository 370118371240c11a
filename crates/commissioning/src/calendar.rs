//! Working days in England and Wales, with bank holidays held as data.
//!
//! Standstill periods, notice periods and contract timers count *working* (operational) days:
//! Monday to Friday, excluding bank holidays. The bank holidays are data, not rules: the
//! embedded table `data/bank_holidays_england_wales.csv` lists every England and Wales bank
//! holiday from 2010 to 2035 as announced (including one-off days such as the 2022 State
//! Funeral and the 2023 Coronation, and moved days such as VE Day 2020). Years after those
//! announced on GOV.UK follow the usual pattern and should be checked when announced; a
//! deployment can supply its own table with [`WorkingCalendar::from_csv`].

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::period::parse_date;

const ENGLAND_AND_WALES: &str = include_str!("../data/bank_holidays_england_wales.csv");

/// A calendar of working days: weekdays that are not bank holidays.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    holidays: BTreeMap<NaiveDate, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("line {line}: expected 'date,title'")]
    Shape { line: usize },
    #[error("line {line}: {source}")]
    Date { line: usize, source: crate::period::PeriodError },
}

impl WorkingCalendar {
    /// England and Wales bank holidays, from the embedded table.
    pub fn england_and_wales() -> WorkingCalendar {
        WorkingCalendar::from_csv(ENGLAND_AND_WALES).expect("the embedded bank holiday table is valid")
    }

    /// Reads a `date,title` table with a header row.
    pub fn from_csv(text: &str) -> Result<WorkingCalendar, CalendarError> {
        let mut holidays = BTreeMap::new();
        for (idx, row) in text.lines().enumerate().skip(1) {
            let line = idx + 1;
            if row.trim().is_empty() {
                continue;
            }
            let (date, title) = row.split_once(',').ok_or(CalendarError::Shape { line })?;
            let date = parse_date(date).map_err(|source| CalendarError::Date { line, source })?;
            holidays.insert(date, title.trim().to_owned());
        }
        Ok(WorkingCalendar { holidays })
    }

    /// The bank holiday on this date, if any.
    pub fn holiday(&self, date: NaiveDate) -> Option<&str> {
        self.holidays.get(&date).map(String::as_str)
    }

    pub fn holidays_in(&self, year: i32) -> impl Iterator<Item = (NaiveDate, &str)> {
        let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January");
        let end = NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December");
        self.holidays.range(start..=end).map(|(date, title)| (*date, title.as_str()))
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains_key(&date)
    }

    /// The `count`-th working day after `date`, counting from the day after (so a period of 8
    /// working days starting with a notice published on `date` ends on the returned day).
    /// A count of 0 returns `date` itself.
    pub fn add_working_days(&self, date: NaiveDate, count: u32) -> NaiveDate {
        let mut current = date;
        let mut remaining = count;
        while remaining > 0 {
            current = current.succ_opt().expect("date within range");
            if self.is_working_day(current) {
                remaining -= 1;
            }
        }
        current
    }

    /// Working days in the half-open range `(start, end]`: the days after `start` up to and
    /// including `end`. Zero when `end` is not after `start`.
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> u32 {
        let mut count = 0;
        let mut current = start;
        while current < end {
            current = current.succ_opt().expect("date within range");
            if self.is_working_day(current) {
                count += 1;
            }
        }
        count
    }

    /// The first working day on or after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        let mut current = date;
        while !self.is_working_day(current) {
            current = current.succ_opt().expect("date within range");
        }
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    /// Bank holidays per year as published on GOV.UK (bank-holidays.json), England and Wales.
    #[test]
    fn bank_holidays_match_published_years() {
        let calendar = WorkingCalendar::england_and_wales();
        let published: [(i32, &[&str]); 6] = [
            (
                2019,
                &[
                    "2019-01-01",
                    "2019-04-19",
                    "2019-04-22",
                    "2019-05-06",
                    "2019-05-27",
                    "2019-08-26",
                    "2019-12-25",
                    "2019-12-26",
                ],
            ),
            (
                2020,
                &[
                    "2020-01-01",
                    "2020-04-10",
                    "2020-04-13",
                    "2020-05-08",
                    "2020-05-25",
                    "2020-08-31",
                    "2020-12-25",
                    "2020-12-28",
                ],
            ),
            (
                2022,
                &[
                    "2022-01-03",
                    "2022-04-15",
                    "2022-04-18",
                    "2022-05-02",
                    "2022-06-02",
                    "2022-06-03",
                    "2022-08-29",
                    "2022-09-19",
                    "2022-12-26",
                    "2022-12-27",
                ],
            ),
            (
                2023,
                &[
                    "2023-01-02",
                    "2023-04-07",
                    "2023-04-10",
                    "2023-05-01",
                    "2023-05-08",
                    "2023-05-29",
                    "2023-08-28",
                    "2023-12-25",
                    "2023-12-26",
                ],
            ),
            (
                2026,
                &[
                    "2026-01-01",
                    "2026-04-03",
                    "2026-04-06",
                    "2026-05-04",
                    "2026-05-25",
                    "2026-08-31",
                    "2026-12-25",
                    "2026-12-28",
                ],
            ),
            (
                2027,
                &[
                    "2027-01-01",
                    "2027-03-26",
                    "2027-03-29",
                    "2027-05-03",
                    "2027-05-31",
                    "2027-08-30",
                    "2027-12-27",
                    "2027-12-28",
                ],
            ),
        ];
        for (year, expected) in published {
            let actual: Vec<String> = calendar.holidays_in(year).map(|(d, _)| d.to_string()).collect();
            assert_eq!(actual, expected.to_vec(), "bank holidays in {year}");
        }
    }

    #[test]
    fn every_year_has_eight_usual_holidays_plus_one_offs() {
        let calendar = WorkingCalendar::england_and_wales();
        for year in 2010..=2035 {
            let count = calendar.holidays_in(year).count();
            let expected = match year {
                2011 | 2012 | 2023 => 9,
                2022 => 10,
                _ => 8,
            };
            assert_eq!(count, expected, "{year}");
            for (day, title) in calendar.holidays_in(year) {
                assert!(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun), "{day} {title} is a weekend");
            }
        }
    }

    /// (start, working days, expected end). Standstill-style counting from the day after.
    #[test]
    fn adding_working_days_skips_weekends_and_bank_holidays() {
        let calendar = WorkingCalendar::england_and_wales();
        let cases = [
            ("2025-06-02", 8, "2025-06-12"), // Monday + 8: no holidays.
            ("2025-06-06", 1, "2025-06-09"), // Friday + 1 → Monday.
            ("2025-04-16", 8, "2025-04-30"), // Over Good Friday and Easter Monday.
            ("2025-12-19", 8, "2026-01-05"), // Over Christmas, Boxing Day and New Year.
            ("2026-12-24", 1, "2026-12-29"), // Boxing Day substitute on the 28th.
            ("2022-09-16", 1, "2022-09-20"), // The State Funeral on the 19th.
            ("2023-05-05", 1, "2023-05-09"), // The Coronation on the 8th.
            ("2025-06-07", 0, "2025-06-07"),
        ];
        for (start, count, expected) in cases {
            let end = calendar.add_working_days(date(start), count);
            assert_eq!(end, date(expected), "{start} + {count}");
            if count > 0 {
                assert_eq!(calendar.working_days_between(date(start), end), count, "{start}..{expected}");
            }
        }
    }

    #[test]
    fn next_working_day_rolls_forward() {
        let calendar = WorkingCalendar::england_and_wales();
        assert_eq!(calendar.next_working_day(date("2025-12-25")), date("2025-12-29"));
        assert_eq!(calendar.next_working_day(date("2025-12-29")), date("2025-12-29"));
    }

    #[test]
    fn rejects_a_malformed_table() {
        assert_eq!(WorkingCalendar::from_csv("date,title\nnot-a-row\n").unwrap_err(), CalendarError::Shape { line: 2 });
        assert!(matches!(
            WorkingCalendar::from_csv("date,title\n2025-13-01,Oops\n").unwrap_err(),
            CalendarError::Date { line: 2, .. }
        ));
    }
}
