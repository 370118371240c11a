//! The validation and pricing rules for one row of activity, in the order they apply.
//!
//! Each row gets the first failing reason, or a price:
//!
//! 1. `invalid_field` — a field cannot be read or is out of range: `record_id` empty; `age`
//!    not a whole number 0–125; `sex` not 1, 2 or 9; `activity_date` not a real date
//!    written YYYY-MM-DD; `lsoa_code` not `E01` or `W01` and six digits; `los` not a whole
//!    number of days ≥ 0; `pod` not one of EL, DC, NEL, OPFA, OPFU, OPPROC, AE; `tfc` not
//!    three digits. Values are taken exactly as written (no trimming).
//! 2. `duplicate_record` — the same `provider_code` and `record_id` as any earlier row (in
//!    argument order, then file order), whatever that row's own outcome. Applied by the
//!    engine's in-order sequencer, since it depends on every earlier row.
//! 3. `wrong_commissioner` — `commissioner_code` differs from the one asked for.
//! 4. `out_of_period` — `activity_date` is not in the month asked for.
//! 5. `no_tariff` — no tariff row for the `hrg` at the `pod`.
//!
//! The same rules, as SQL, are `crates/analytics/sql/activity_price.sql` (Spark), and the
//! benchmark runs them in DuckDB; tests check all three agree.

use crate::pricing::{MffTable, Tariff, row_price};

/// Points of delivery, in the order used as indexes.
pub const PODS: [&str; 7] = ["EL", "DC", "NEL", "OPFA", "OPFU", "OPPROC", "AE"];

/// Why a row was challenged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    InvalidField,
    DuplicateRecord,
    WrongCommissioner,
    OutOfPeriod,
    NoTariff,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::InvalidField,
        Reason::DuplicateRecord,
        Reason::WrongCommissioner,
        Reason::OutOfPeriod,
        Reason::NoTariff,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Reason::InvalidField => "invalid_field",
            Reason::DuplicateRecord => "duplicate_record",
            Reason::WrongCommissioner => "wrong_commissioner",
            Reason::OutOfPeriod => "out_of_period",
            Reason::NoTariff => "no_tariff",
        }
    }

    pub fn parse(text: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == text)
    }
}

/// Positions of the columns in a row (the order of `activity::COLUMNS`).
pub(crate) mod col {
    pub(crate) const RECORD_ID: usize = 0;
    pub(crate) const PROVIDER: usize = 1;
    pub(crate) const COMMISSIONER: usize = 2;
    pub(crate) const LSOA: usize = 4;
    pub(crate) const AGE: usize = 5;
    pub(crate) const SEX: usize = 6;
    pub(crate) const POD: usize = 7;
    pub(crate) const TFC: usize = 8;
    pub(crate) const HRG: usize = 9;
    pub(crate) const DATE: usize = 10;
    pub(crate) const LOS: usize = 11;
}

/// What to check rows against.
#[derive(Debug, Clone, Default)]
pub struct Checks {
    /// Only this commissioner's activity is valid.
    pub commissioner: Option<String>,
    /// Only activity in this month (year, month) is valid.
    pub period: Option<(u16, u8)>,
}

/// A row's outcome before the duplicate check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tentative {
    Challenged(Reason),
    Priced { pence: i64, pod_idx: u8, year: u16, month: u8, los: u32 },
}

pub fn pod_index(bytes: &[u8]) -> Option<usize> {
    PODS.iter().position(|pod| pod.as_bytes() == bytes)
}

/// Applies every rule but the duplicate check.
pub(crate) fn tentative(fields: &[&[u8]; 12], checks: &Checks, tariff: &Tariff, mff: &MffTable) -> Tentative {
    let Some(parsed) = parse_fields(fields) else {
        return Tentative::Challenged(Reason::InvalidField);
    };
    if let Some(commissioner) = &checks.commissioner
        && fields[col::COMMISSIONER] != commissioner.as_bytes()
    {
        return Tentative::Challenged(Reason::WrongCommissioner);
    }
    if let Some((year, month)) = checks.period
        && (parsed.year, parsed.month) != (year, month)
    {
        return Tentative::Challenged(Reason::OutOfPeriod);
    }
    let Some(entry) = tariff.get(fields[col::HRG], parsed.pod_idx) else {
        return Tentative::Challenged(Reason::NoTariff);
    };
    let inpatient = matches!(PODS[parsed.pod_idx], "EL" | "NEL");
    let pence = row_price(entry, inpatient, parsed.los, mff.get(fields[col::PROVIDER]));
    Tentative::Priced { pence, pod_idx: parsed.pod_idx as u8, year: parsed.year, month: parsed.month, los: parsed.los }
}

pub(crate) struct Parsed {
    pod_idx: usize,
    year: u16,
    month: u8,
    los: u32,
}

/// Reads the checked fields, or `None` if any is invalid.
pub(crate) fn parse_fields(fields: &[&[u8]; 12]) -> Option<Parsed> {
    if fields[col::RECORD_ID].is_empty() {
        return None;
    }
    let age = digits(fields[col::AGE], 3)?;
    if age > 125 {
        return None;
    }
    if !matches!(fields[col::SEX], b"1" | b"2" | b"9") {
        return None;
    }
    let (year, month) = date(fields[col::DATE])?;
    if !lsoa(fields[col::LSOA]) {
        return None;
    }
    let los = digits(fields[col::LOS], 9)? as u32;
    let pod_idx = pod_index(fields[col::POD])?;
    let tfc = fields[col::TFC];
    if tfc.len() != 3 || !tfc.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(Parsed { pod_idx, year, month, los })
}

/// A whole number of at most `max_len` digits, no sign.
fn digits(bytes: &[u8], max_len: usize) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > max_len {
        return None;
    }
    let mut value: u64 = 0;
    for &byte in bytes {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u64::from(byte - b'0');
    }
    Some(value)
}

/// A real calendar date written `YYYY-MM-DD`; returns (year, month).
pub(crate) fn date(bytes: &[u8]) -> Option<(u16, u8)> {
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = digits(&bytes[0..4], 4)? as u16;
    let month = digits(&bytes[5..7], 2)? as u8;
    let day = digits(&bytes[8..10], 2)? as u8;
    if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some((year, month))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        _ => 31,
    }
}

fn lsoa(bytes: &[u8]) -> bool {
    bytes.len() == 9
        && (bytes.starts_with(b"E01") || bytes.starts_with(b"W01"))
        && bytes[3..].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(overrides: &[(usize, &'static str)]) -> [&'static [u8]; 12] {
        let mut fields: [&[u8]; 12] =
            [b"1", b"R9A", b"Q99", b"P1", b"E01000001", b"40", b"1", b"EL", b"110", b"HN12F", b"2025-04-03", b"3"];
        for (idx, value) in overrides {
            fields[*idx] = value.as_bytes();
        }
        fields
    }

    #[test]
    fn invalid_fields_table() {
        let good = row(&[]);
        assert!(parse_fields(&good).is_some());
        let cases: &[(usize, &str, bool)] = &[
            (col::RECORD_ID, "", false),
            (col::AGE, "125", true),
            (col::AGE, "126", false),
            (col::AGE, "0", true),
            (col::AGE, "-1", false),
            (col::AGE, "40.0", false),
            (col::AGE, "", false),
            (col::SEX, "9", true),
            (col::SEX, "3", false),
            (col::SEX, "M", false),
            (col::DATE, "2024-02-29", true),
            (col::DATE, "2025-02-29", false),
            (col::DATE, "2025-02-30", false),
            (col::DATE, "2025-4-03", false),
            (col::DATE, "03/04/2025", false),
            (col::LSOA, "W01001958", true),
            (col::LSOA, "E0100001", false),
            (col::LSOA, "E02000001", false),
            (col::LOS, "0", true),
            (col::LOS, "-1", false),
            (col::LOS, "2.5", false),
            (col::POD, "OPPROC", true),
            (col::POD, "XX", false),
            (col::TFC, "11", false),
            (col::TFC, "1100", false),
        ];
        for (idx, value, valid) in cases {
            assert_eq!(parse_fields(&row(&[(*idx, value)])).is_some(), *valid, "column {idx} = {value:?}");
        }
    }

    #[test]
    fn reasons_round_trip() {
        for reason in Reason::ALL {
            assert_eq!(Reason::parse(reason.code()), Some(reason));
        }
    }
}
