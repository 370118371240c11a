//! Exact money in pence, and exact decimal factors (such as a market forces factor) to scale it.
//!
//! Money is never a binary float. Amounts are `i64` pence; scaling by a decimal factor is done
//! in `i128` and rounded once, half away from zero, to the penny.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An amount of money in pence. May be negative (a credit or a deduction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not an amount of money in pounds, such as 1234.56")]
    Invalid(String),
    #[error("'{0}' has more than 2 decimal places")]
    TooPrecise(String),
    #[error("'{0}' is too large")]
    Overflow(String),
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_pence(pence: i64) -> Money {
        Money(pence)
    }

    pub const fn pence(self) -> i64 {
        self.0
    }

    /// Parses pounds written as a decimal: `1234.56`, `-3.5`, `12`, `£1,234.56`.
    pub fn parse_pounds(text: &str) -> Result<Money, MoneyError> {
        let cleaned: String = text.trim().chars().filter(|c| *c != ',' && *c != '£').collect();
        let decimal = Decimal::parse(&cleaned).map_err(|_| MoneyError::Invalid(text.to_owned()))?;
        if decimal.scale > 2 {
            return Err(MoneyError::TooPrecise(text.to_owned()));
        }
        let factor = 10_i64.pow(2 - decimal.scale);
        decimal.mantissa.checked_mul(factor).map(Money).ok_or_else(|| MoneyError::Overflow(text.to_owned()))
    }

    /// Multiplies by an exact decimal factor and rounds half away from zero to the penny.
    pub fn scale(self, factor: Decimal) -> Money {
        let product = i128::from(self.0) * i128::from(factor.mantissa);
        let divisor = 10_i128.pow(factor.scale);
        Money(round_half_away(product, divisor) as i64)
    }

    /// Multiplies by a whole number (a count of units or days).
    pub fn times(self, count: i64) -> Money {
        Money(self.0 * count)
    }

    /// Pounds with two decimals and no symbol or separators: `-1234.50`.
    pub fn to_pounds_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }
}

/// Writes `£1,234.56` (and `-£5.00` for negatives), the way NHS finance reports show money.
impl fmt::Display for Money {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(formatter, "{sign}£{}.{:02}", group_thousands(abs / 100), abs % 100)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(text: &str) -> Result<Money, MoneyError> {
        Money::parse_pounds(text)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, other: Money) {
        self.0 += other.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, other: Money) {
        self.0 -= other.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

/// An exact decimal number: `mantissa × 10^-scale`. Used for factors such as an MFF of 1.0523.
/// Serialised as its text (`"1.0523"`), so no binary float ever carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Decimal {
    mantissa: i64,
    scale: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a decimal number")]
pub struct DecimalError(pub String);

impl Decimal {
    pub const ONE: Decimal = Decimal { mantissa: 1, scale: 0 };

    /// The most decimal places a factor may carry.
    pub const MAX_SCALE: u32 = 12;

    pub const fn new(mantissa: i64, scale: u32) -> Decimal {
        Decimal { mantissa, scale }
    }

    pub fn parse(text: &str) -> Result<Decimal, DecimalError> {
        let error = || DecimalError(text.to_owned());
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && fraction.is_empty() {
            return Err(error());
        }
        if !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error());
        }
        let scale = fraction.len() as u32;
        if scale > Decimal::MAX_SCALE {
            return Err(error());
        }
        let mut mantissa: i64 = 0;
        for byte in whole.bytes().chain(fraction.bytes()) {
            mantissa =
                mantissa.checked_mul(10).and_then(|m| m.checked_add(i64::from(byte - b'0'))).ok_or_else(error)?;
        }
        Ok(Decimal { mantissa: if negative { -mantissa } else { mantissa }, scale })
    }

    pub fn mantissa(self) -> i64 {
        self.mantissa
    }

    pub fn scale(self) -> u32 {
        self.scale
    }

    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10_f64.powi(self.scale as i32)
    }

    /// Above 0 and at most 100: a share of something as a percentage (withholding, say).
    pub fn is_percentage(self) -> bool {
        self.compare(Decimal::new(0, 0)).is_gt() && self.compare(Decimal::new(100, 0)).is_le()
    }

    /// Compares values exactly, whatever the scales (`1.50` equals `1.5` here, though the
    /// two are different texts and so not `==`).
    pub fn compare(self, other: Decimal) -> std::cmp::Ordering {
        let scale = self.scale.max(other.scale);
        let widen = |d: Decimal| i128::from(d.mantissa) * 10_i128.pow(scale - d.scale);
        widen(self).cmp(&widen(other))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let abs = self.mantissa.unsigned_abs();
        if self.scale == 0 {
            return write!(formatter, "{sign}{abs}");
        }
        let divisor = 10_u64.pow(self.scale);
        write!(formatter, "{sign}{}.{:0width$}", abs / divisor, abs % divisor, width = self.scale as usize)
    }
}

impl From<Decimal> for String {
    fn from(decimal: Decimal) -> String {
        decimal.to_string()
    }
}

impl TryFrom<String> for Decimal {
    type Error = DecimalError;
    fn try_from(text: String) -> Result<Decimal, DecimalError> {
        Decimal::parse(&text)
    }
}

impl FromStr for Decimal {
    type Err = DecimalError;
    fn from_str(text: &str) -> Result<Decimal, DecimalError> {
        Decimal::parse(text)
    }
}

/// Divides and rounds half away from zero (the rounding finance teams expect).
pub fn round_half_away(numerator: i128, divisor: i128) -> i128 {
    debug_assert!(divisor > 0);
    let quotient = numerator / divisor;
    let remainder = numerator % divisor;
    if remainder.abs() * 2 >= divisor { quotient + numerator.signum() } else { quotient }
}

fn group_thousands(mut value: u64) -> String {
    let mut groups = Vec::new();
    loop {
        if value < 1000 {
            groups.push(value.to_string());
            break;
        }
        groups.push(format!("{:03}", value % 1000));
        value /= 1000;
    }
    groups.reverse();
    groups.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_parse(text: &str, expected: Result<i64, MoneyError>) {
        assert_eq!(Money::parse_pounds(text).map(Money::pence), expected, "parsing {text:?}");
    }

    #[test]
    fn parses_pounds_exactly() {
        check_parse("1234.56", Ok(123_456));
        check_parse("12", Ok(1200));
        check_parse("-3.5", Ok(-350));
        check_parse("£1,234.56", Ok(123_456));
        check_parse(".5", Ok(50));
        check_parse("0.1", Ok(10));
        check_parse("1.234", Err(MoneyError::TooPrecise("1.234".into())));
        check_parse("abc", Err(MoneyError::Invalid("abc".into())));
        check_parse("", Err(MoneyError::Invalid("".into())));
        check_parse("1.2.3", Err(MoneyError::Invalid("1.2.3".into())));
    }

    #[test]
    fn displays_like_a_finance_report() {
        assert_eq!(Money::from_pence(123_456_789).to_string(), "£1,234,567.89");
        assert_eq!(Money::from_pence(-500).to_string(), "-£5.00");
        assert_eq!(Money::from_pence(7).to_string(), "£0.07");
        assert_eq!(Money::from_pence(-7).to_pounds_string(), "-0.07");
        assert_eq!(Money::from_pence(100_000).to_pounds_string(), "1000.00");
    }

    #[test]
    fn scaling_rounds_half_away_from_zero() {
        let mff = Decimal::parse("1.0523").unwrap();
        // 1000.00 × 1.0523 = 1052.30 exactly.
        assert_eq!(Money::from_pence(100_000).scale(mff).pence(), 105_230);
        // 0.50 × 1.01 = 0.505 → 0.51; and the negative mirrors it.
        let factor = Decimal::parse("1.01").unwrap();
        assert_eq!(Money::from_pence(50).scale(factor).pence(), 51);
        assert_eq!(Money::from_pence(-50).scale(factor).pence(), -51);
        // 0.49 × 1.01 = 0.4949 → 0.49.
        assert_eq!(Money::from_pence(49).scale(factor).pence(), 49);
    }

    #[test]
    fn decimals_round_trip() {
        for text in ["1.0523", "-0.25", "3", "0.000001"] {
            assert_eq!(Decimal::parse(text).unwrap().to_string(), text);
        }
        assert!(Decimal::parse("1e5").is_err());
        assert!(Decimal::parse("-").is_err());
    }
}
