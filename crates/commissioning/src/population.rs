//! Populations by sex and five-year age band, the shape in which ONS publishes small-area
//! estimates and in which rates are standardised.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Person stated sex, as coded in NHS data sets: 1 male, 2 female, 9 indeterminate/not stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Sex {
    Male,
    Female,
    NotStated,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a sex code (1 male, 2 female, 9 not stated; or M/F)")]
pub struct SexError(pub String);

impl Sex {
    pub fn code(self) -> u8 {
        match self {
            Sex::Male => 1,
            Sex::Female => 2,
            Sex::NotStated => 9,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "Male",
            Sex::Female => "Female",
            Sex::NotStated => "Not stated",
        }
    }

    pub fn from_code(code: u8) -> Result<Sex, SexError> {
        match code {
            1 => Ok(Sex::Male),
            2 => Ok(Sex::Female),
            9 => Ok(Sex::NotStated),
            _ => Err(SexError(code.to_string())),
        }
    }

    /// Accepts the NHS codes and the letters and words ONS tables use.
    pub fn parse(text: &str) -> Result<Sex, SexError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "1" | "m" | "male" | "males" => Ok(Sex::Male),
            "2" | "f" | "female" | "females" => Ok(Sex::Female),
            "9" => Ok(Sex::NotStated),
            _ => Err(SexError(text.to_owned())),
        }
    }
}

impl From<Sex> for u8 {
    fn from(sex: Sex) -> u8 {
        sex.code()
    }
}

impl TryFrom<u8> for Sex {
    type Error = SexError;
    fn try_from(code: u8) -> Result<Sex, SexError> {
        Sex::from_code(code)
    }
}

/// One of the 19 age bands of the European Standard Population 2013: 0–4, 5–9, …, 85–89, 90+.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct AgeBand(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a five-year age band such as 0-4, 45-49 or 90+")]
pub struct AgeBandError(pub String);

impl AgeBand {
    pub const COUNT: usize = 19;

    /// Every band, youngest first.
    pub fn all() -> impl Iterator<Item = AgeBand> {
        (0..AgeBand::COUNT as u8).map(AgeBand)
    }

    /// The band holding an age in whole years.
    pub fn of_age(age: u32) -> AgeBand {
        AgeBand((age / 5).min(18) as u8)
    }

    pub fn from_index(index: usize) -> Option<AgeBand> {
        (index < AgeBand::COUNT).then_some(AgeBand(index as u8))
    }

    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    pub fn lower_age(self) -> u32 {
        u32::from(self.0) * 5
    }

    /// Inclusive upper age, or `None` for the open-ended 90+ band.
    pub fn upper_age(self) -> Option<u32> {
        (self.0 < 18).then(|| u32::from(self.0) * 5 + 4)
    }

    /// Parses `0-4`, `45-49`, `90+` (also `90-94`-style bands above 90 are not accepted).
    pub fn parse(text: &str) -> Result<AgeBand, AgeBandError> {
        let error = || AgeBandError(text.to_owned());
        let trimmed = text.trim();
        if let Some(lower) = trimmed.strip_suffix('+') {
            return if lower == "90" { Ok(AgeBand(18)) } else { Err(error()) };
        }
        let (lower, upper) = trimmed.split_once('-').ok_or_else(error)?;
        let lower: u32 = lower.trim().parse().map_err(|_| error())?;
        let upper: u32 = upper.trim().parse().map_err(|_| error())?;
        if !lower.is_multiple_of(5) || upper != lower + 4 || lower >= 90 {
            return Err(error());
        }
        Ok(AgeBand((lower / 5) as u8))
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.upper_age() {
            Some(upper) => write!(formatter, "{}-{}", self.lower_age(), upper),
            None => write!(formatter, "{}+", self.lower_age()),
        }
    }
}

impl From<AgeBand> for String {
    fn from(band: AgeBand) -> String {
        band.to_string()
    }
}

impl TryFrom<String> for AgeBand {
    type Error = AgeBandError;
    fn try_from(text: String) -> Result<AgeBand, AgeBandError> {
        AgeBand::parse(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_cover_all_ages() {
        let labels: Vec<String> = AgeBand::all().map(|b| b.to_string()).collect();
        assert_eq!(labels.len(), 19);
        assert_eq!(labels[0], "0-4");
        assert_eq!(labels[17], "85-89");
        assert_eq!(labels[18], "90+");
        assert_eq!(AgeBand::of_age(0).to_string(), "0-4");
        assert_eq!(AgeBand::of_age(89).to_string(), "85-89");
        assert_eq!(AgeBand::of_age(104).to_string(), "90+");
        for label in &labels {
            assert_eq!(&AgeBand::parse(label).unwrap().to_string(), label);
        }
        for bad in ["0-5", "3-7", "90-94", "95+", "adult", ""] {
            assert!(AgeBand::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sex_codes() {
        assert_eq!(Sex::parse("1"), Ok(Sex::Male));
        assert_eq!(Sex::parse("Females"), Ok(Sex::Female));
        assert_eq!(Sex::parse("9"), Ok(Sex::NotStated));
        assert!(Sex::parse("3").is_err());
        assert!(Sex::from_code(0).is_err());
    }
}
