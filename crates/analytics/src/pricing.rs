//! Prices: the tariff (unit price by HRG and point of delivery, with optional trim point and
//! excess bed-day price) and market forces factors by provider, read from CSV, and the exact
//! price of one row.
//!
//! Money is integer pence and factors are exact decimals: a row's price is
//! `(unit + excess days × excess price) × MFF`, computed in `i128` and rounded once, half away
//! from zero, to the penny.

use std::collections::HashMap;
use std::path::Path;

use crate::AnalyticsError;
use crate::csv::CsvTable;

/// An exact decimal factor: `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Factor {
    pub mantissa: i64,
    pub scale: u32,
}

impl Factor {
    pub const ONE: Factor = Factor { mantissa: 1, scale: 0 };

    /// Parses a non-negative decimal such as `1.0523` (at most 12 decimal places).
    pub fn parse(text: &str) -> Option<Factor> {
        let text = text.trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if (whole.is_empty() && fraction.is_empty()) || fraction.len() > 12 {
            return None;
        }
        if !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut mantissa: i64 = 0;
        for byte in whole.bytes().chain(fraction.bytes()) {
            mantissa = mantissa.checked_mul(10)?.checked_add(i64::from(byte - b'0'))?;
        }
        Some(Factor { mantissa, scale: fraction.len() as u32 })
    }
}

/// Parses pounds with at most two decimal places into pence: `1234.5` → 123450.
pub fn parse_pounds(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || fraction.len() > 2 || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = if fraction.is_empty() { 0 } else { format!("{fraction:0<2}").parse().ok()? };
    let pence = whole.checked_mul(100)?.checked_add(fraction)?;
    Some(if negative { -pence } else { pence })
}

/// Divides and rounds half away from zero.
pub fn round_half_away(numerator: i128, divisor: i128) -> i128 {
    let quotient = numerator / divisor;
    let remainder = numerator % divisor;
    if remainder.abs() * 2 >= divisor { quotient + numerator.signum() } else { quotient }
}

/// Writes pence as pounds with two decimals: 123450 → `1234.50`.
pub fn pounds(pence: i128) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let abs = pence.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The price of one HRG at one point of delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TariffEntry {
    pub unit_pence: i64,
    pub trim_point_days: Option<u32>,
    pub excess_bed_day_pence: Option<i64>,
}

/// A tariff: prices by (HRG, point of delivery), one map per point of delivery so that a
/// lookup borrows the row's bytes without allocating.
#[derive(Debug, Clone, Default)]
pub struct Tariff {
    by_pod: [HashMap<Box<[u8]>, TariffEntry>; 7],
}

impl Tariff {
    /// Builds a tariff; entries whose point of delivery is not one of the seven are refused.
    pub fn new(entries: impl IntoIterator<Item = (String, String, TariffEntry)>) -> Result<Tariff, String> {
        let mut tariff = Tariff::default();
        for (hrg, pod, entry) in entries {
            let idx =
                crate::rules::pod_index(pod.as_bytes()).ok_or_else(|| format!("'{pod}' is not a point of delivery"))?;
            tariff.by_pod[idx].insert(hrg.into_bytes().into_boxed_slice(), entry);
        }
        Ok(tariff)
    }

    /// Reads `hrg,pod,unit_price[,trim_point_days,excess_bed_day_price]` (prices in pounds).
    pub fn from_csv(path: &Path) -> Result<Tariff, AnalyticsError> {
        let mut table = CsvTable::open(path)?;
        table.require(&["hrg", "pod", "unit_price"])?;
        let mut tariff = Tariff::default();
        let mut first_line: HashMap<(String, String), u64> = HashMap::new();
        table.rows(|row| {
            let hrg = row.required("hrg")?.to_owned();
            let pod = row.required("pod")?.to_owned();
            let pod_idx = crate::rules::pod_index(pod.as_bytes()).ok_or_else(|| {
                row.error("pod", format!("'{pod}' is not a point of delivery (EL, DC, NEL, OPFA, OPFU, OPPROC or AE)"))
            })?;
            let unit_pence = row.parse("unit_price", "an amount in pounds such as 1234.56", parse_pounds)?;
            let trim_point_days =
                row.parse_optional("trim_point_days", "a whole number of days", |t| t.parse::<u32>().ok())?;
            let excess_bed_day_pence =
                row.parse_optional("excess_bed_day_price", "an amount in pounds such as 312.00", parse_pounds)?;
            if unit_pence < 0 || excess_bed_day_pence.is_some_and(|p| p < 0) {
                return Err(row.error("unit_price", "prices cannot be negative".into()));
            }
            if let Some(first) = first_line.insert((hrg.clone(), pod.clone()), row.line) {
                return Err(row.error("hrg", format!("{hrg} at {pod} appears again (first on line {first})")));
            }
            tariff.by_pod[pod_idx].insert(
                hrg.into_bytes().into_boxed_slice(),
                TariffEntry { unit_pence, trim_point_days, excess_bed_day_pence },
            );
            Ok(())
        })?;
        Ok(tariff)
    }

    /// The price of an HRG at a point of delivery (by its index in [`crate::rules::PODS`]).
    pub fn get(&self, hrg: &[u8], pod_idx: usize) -> Option<&TariffEntry> {
        self.by_pod[pod_idx].get(hrg)
    }

    pub fn len(&self) -> usize {
        self.by_pod.iter().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Market forces factors by provider; a provider not listed has an MFF of 1.
#[derive(Debug, Clone, Default)]
pub struct MffTable {
    factors: HashMap<Box<[u8]>, Factor>,
}

impl MffTable {
    pub fn new(factors: impl IntoIterator<Item = (String, Factor)>) -> MffTable {
        MffTable {
            factors: factors.into_iter().map(|(code, factor)| (code.into_bytes().into_boxed_slice(), factor)).collect(),
        }
    }

    /// Reads `provider_code,mff`.
    pub fn from_csv(path: &Path) -> Result<MffTable, AnalyticsError> {
        let mut table = CsvTable::open(path)?;
        table.require(&["provider_code", "mff"])?;
        let mut factors = HashMap::new();
        let mut first_line: HashMap<String, u64> = HashMap::new();
        table.rows(|row| {
            let code = row.required("provider_code")?.to_owned();
            let factor = row.parse("mff", "a positive decimal such as 1.0523", Factor::parse)?;
            if factor.mantissa == 0 {
                return Err(row.error("mff", "a market forces factor cannot be zero".into()));
            }
            if let Some(first) = first_line.insert(code.clone(), row.line) {
                return Err(row.error("provider_code", format!("{code} appears again (first on line {first})")));
            }
            factors.insert(code.into_bytes().into_boxed_slice(), factor);
            Ok(())
        })?;
        Ok(MffTable { factors })
    }

    pub fn get(&self, provider: &[u8]) -> Factor {
        self.factors.get(provider).copied().unwrap_or(Factor::ONE)
    }
}

/// The price of one row in pence: `(unit + excess days × excess price) × mff`, rounded half
/// away from zero. Excess bed days apply to elective and non-elective inpatient spells only,
/// and only when the tariff gives a trim point and an excess price.
pub fn row_price(entry: &TariffEntry, inpatient: bool, los: u32, mff: Factor) -> i64 {
    let mut base = i128::from(entry.unit_pence);
    if inpatient && let (Some(trim), Some(excess)) = (entry.trim_point_days, entry.excess_bed_day_pence) {
        let days = i128::from(los.saturating_sub(trim));
        base += days * i128::from(excess);
    }
    round_half_away(base * i128::from(mff.mantissa), 10_i128.pow(mff.scale)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_money_and_factors_exactly() {
        assert_eq!(parse_pounds("1234.56"), Some(123_456));
        assert_eq!(parse_pounds("12.5"), Some(1_250));
        assert_eq!(parse_pounds("7"), Some(700));
        assert_eq!(parse_pounds("1.234"), None);
        assert_eq!(parse_pounds("abc"), None);
        assert_eq!(Factor::parse("1.0523"), Some(Factor { mantissa: 10_523, scale: 4 }));
        assert_eq!(Factor::parse("1"), Some(Factor { mantissa: 1, scale: 0 }));
        assert_eq!(Factor::parse("-1"), None);
        assert_eq!(pounds(123_450), "1234.50");
        assert_eq!(pounds(-5), "-0.05");
    }

    /// Hand-worked: unit £1,000.00, trim 5 days, excess £300.00, MFF 1.0523.
    #[test]
    fn prices_rows_with_excess_bed_days_and_mff() {
        let entry = TariffEntry { unit_pence: 100_000, trim_point_days: Some(5), excess_bed_day_pence: Some(30_000) };
        let mff = Factor::parse("1.0523").unwrap();
        // Within the trim point: 1000 × 1.0523 = 1052.30.
        assert_eq!(row_price(&entry, true, 5, mff), 105_230);
        // Three days over: (1000 + 900) × 1.0523 = 1999.37.
        assert_eq!(row_price(&entry, true, 8, mff), 199_937);
        // Not an inpatient spell: no excess whatever the stay.
        assert_eq!(row_price(&entry, false, 8, mff), 105_230);
        // Half a penny rounds away from zero: 0.50 × 1.01 = 0.505 → 0.51.
        let half = TariffEntry { unit_pence: 50, trim_point_days: None, excess_bed_day_pence: None };
        assert_eq!(row_price(&half, false, 0, Factor::parse("1.01").unwrap()), 51);
    }
}
