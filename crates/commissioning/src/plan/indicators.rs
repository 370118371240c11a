//! The indicator catalogue: indicator definitions as data, so that needs assessment,
//! specifications and outcome-based contracts pick indicators from one library.
//!
//! The seed catalogue (`data/indicator_catalogue.csv`, embedded as [`SEED_CATALOGUE_CSV`])
//! holds the NHS Outcomes Framework and the CCG (now ICB) Outcomes Indicator Set, by domain,
//! and the Quality and Outcomes Framework disease registers used for prevalence. A
//! commissioner adds local indicators in the same columns. This module only defines and
//! checks a definition; reading the CSV is the `app` crate's job.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::area::{AreaCode, ENGLAND};

/// The seed catalogue, in the columns [`IndicatorDefinition::from_fields`] reads.
pub const SEED_CATALOGUE_CSV: &str = include_str!("../../data/indicator_catalogue.csv");

/// The catalogue's columns, in order.
pub const COLUMNS: [&str; 13] = [
    "id",
    "name",
    "framework",
    "domain",
    "numerator",
    "denominator",
    "method",
    "multiplier",
    "polarity",
    "benchmark",
    "unmet_need",
    "source",
    "source_date",
];

/// An indicator's identifier: letters, digits, `_`, `.` and `-`, up to 40 characters
/// (`NHSOF_1.1`, `QOF_HYP`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct IndicatorId(String);

impl IndicatorId {
    pub fn parse(text: &str) -> Result<IndicatorId, IndicatorError> {
        let trimmed = text.trim();
        let valid = !trimmed.is_empty()
            && trimmed.len() <= 40
            && trimmed.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if valid { Ok(IndicatorId(trimmed.to_owned())) } else { Err(IndicatorError::Id(text.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IndicatorId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl From<IndicatorId> for String {
    fn from(id: IndicatorId) -> String {
        id.0
    }
}

impl TryFrom<String> for IndicatorId {
    type Error = IndicatorError;
    fn try_from(text: String) -> Result<IndicatorId, IndicatorError> {
        IndicatorId::parse(&text)
    }
}

/// How an indicator's value is computed from its counts, named as the methods interface
/// names the reference functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndicatorMethod {
    /// Numerator over denominator with Wilson limits (`phe_proportion`).
    Proportion,
    /// Crude rate with exact or Byar's limits (`phe_rate`).
    Rate,
    /// Directly standardised rate by age band and sex with Dobson limits (`calculate_dsr`).
    Dsr,
    /// Indirectly standardised ratio against the benchmark's band rates (`calculate_ISRatio`).
    IsrRatio,
    /// Life expectancy by a Chiang II life table (`phe_life_expectancy`).
    LifeExpectancy,
    /// A mean of individual values (`phe_mean`), such as a survey score.
    Mean,
}

impl IndicatorMethod {
    pub const ALL: [IndicatorMethod; 6] = [
        IndicatorMethod::Proportion,
        IndicatorMethod::Rate,
        IndicatorMethod::Dsr,
        IndicatorMethod::IsrRatio,
        IndicatorMethod::LifeExpectancy,
        IndicatorMethod::Mean,
    ];

    pub fn code(self) -> &'static str {
        match self {
            IndicatorMethod::Proportion => "proportion",
            IndicatorMethod::Rate => "rate",
            IndicatorMethod::Dsr => "dsr",
            IndicatorMethod::IsrRatio => "isr-ratio",
            IndicatorMethod::LifeExpectancy => "life-expectancy",
            IndicatorMethod::Mean => "mean",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IndicatorMethod::Proportion => "Proportion (Wilson score limits)",
            IndicatorMethod::Rate => "Crude rate (exact or Byar's limits)",
            IndicatorMethod::Dsr => "Directly standardised rate, ESP 2013 (Dobson limits)",
            IndicatorMethod::IsrRatio => "Indirectly standardised ratio (exact or Byar's limits)",
            IndicatorMethod::LifeExpectancy => "Life expectancy (Chiang II, Silcocks variance)",
            IndicatorMethod::Mean => "Mean (Student's t limits)",
        }
    }

    pub fn parse(text: &str) -> Result<IndicatorMethod, IndicatorError> {
        IndicatorMethod::ALL
            .into_iter()
            .find(|method| method.code() == text.trim())
            .ok_or_else(|| IndicatorError::Method(text.to_owned()))
    }

    /// Whether the needs assessment can compute it from counts of people or events with a
    /// denominator (life expectancy and means need individual records or life tables).
    pub fn from_counts(self) -> bool {
        matches!(
            self,
            IndicatorMethod::Proportion | IndicatorMethod::Rate | IndicatorMethod::Dsr | IndicatorMethod::IsrRatio
        )
    }
}

/// Which way is better, deciding whether "significantly higher" is good news.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    HigherIsBetter,
    LowerIsBetter,
    /// Higher or lower is neither good nor bad in itself (recorded prevalence, say).
    NoJudgement,
}

impl Polarity {
    pub const ALL: [Polarity; 3] = [Polarity::HigherIsBetter, Polarity::LowerIsBetter, Polarity::NoJudgement];

    pub fn code(self) -> &'static str {
        match self {
            Polarity::HigherIsBetter => "higher_is_better",
            Polarity::LowerIsBetter => "lower_is_better",
            Polarity::NoJudgement => "no_judgement",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Polarity::HigherIsBetter => "Higher is better",
            Polarity::LowerIsBetter => "Lower is better",
            Polarity::NoJudgement => "No judgement",
        }
    }

    pub fn parse(text: &str) -> Result<Polarity, IndicatorError> {
        Polarity::ALL
            .into_iter()
            .find(|polarity| polarity.code() == text.trim())
            .ok_or_else(|| IndicatorError::Polarity(text.to_owned()))
    }
}

/// One indicator definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorDefinition {
    pub id: IndicatorId,
    pub name: String,
    /// The framework it comes from: `NHS Outcomes Framework`, `CCG Outcomes Indicator Set`,
    /// `Quality and Outcomes Framework`, or `Local`.
    pub framework: String,
    /// The framework's domain, such as `1 Preventing people from dying prematurely`.
    pub domain: String,
    pub numerator: String,
    pub denominator: String,
    pub method: IndicatorMethod,
    /// Rates are per this many (100,000 for most rates, 100 for percentages).
    pub multiplier: f64,
    pub polarity: Polarity,
    /// The area it is compared with unless the user chooses another (England by default).
    pub benchmark: AreaCode,
    /// The numerator is a disease register, so recorded prevalence is compared with the
    /// prevalence expected for the population's deprivation to estimate unmet need.
    pub unmet_need: bool,
    pub source: String,
    /// When the definition was published or last checked (`YYYY-MM-DD` or a year).
    pub source_date: String,
}

/// Why a definition was refused, naming the column at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorError {
    #[error("'{0}' is not an indicator id (letters, digits, '_', '.' or '-', up to 40 characters)")]
    Id(String),
    #[error("'{0}' is not a method: use proportion, rate, dsr, isr-ratio, life-expectancy or mean")]
    Method(String),
    #[error("'{0}' is not a polarity: use higher_is_better, lower_is_better or no_judgement")]
    Polarity(String),
    #[error("'{0}' is not a multiplier (a positive number such as 100 or 100000)")]
    Multiplier(String),
    #[error("'{0}' is not yes or no")]
    Flag(String),
    #[error("is empty")]
    Empty,
    #[error("{0}")]
    Benchmark(String),
    #[error("unmet need can only be estimated for a proportion (a register over a list)")]
    UnmetNeedMethod,
}

impl IndicatorDefinition {
    /// Builds a definition from text fields in [`COLUMNS`] order, naming the column that is
    /// wrong. An empty benchmark means England.
    pub fn from_fields(fields: &[&str; 13]) -> Result<IndicatorDefinition, (&'static str, IndicatorError)> {
        let at = |idx: usize| fields[idx].trim();
        let required = |idx: usize| {
            let text = at(idx);
            if text.is_empty() { Err((COLUMNS[idx], IndicatorError::Empty)) } else { Ok(text.to_owned()) }
        };
        let id = IndicatorId::parse(at(0)).map_err(|e| ("id", e))?;
        let method = IndicatorMethod::parse(at(6)).map_err(|e| ("method", e))?;
        let multiplier = at(7)
            .replace(',', "")
            .parse::<f64>()
            .ok()
            .filter(|m| m.is_finite() && *m > 0.0)
            .ok_or_else(|| ("multiplier", IndicatorError::Multiplier(at(7).to_owned())))?;
        let polarity = Polarity::parse(at(8)).map_err(|e| ("polarity", e))?;
        let benchmark = if at(9).is_empty() || at(9).eq_ignore_ascii_case("england") {
            AreaCode::parse(ENGLAND).expect("valid code")
        } else {
            AreaCode::parse(at(9)).map_err(|e| ("benchmark", IndicatorError::Benchmark(e.to_string())))?
        };
        let unmet_need = match at(10).to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" => true,
            "" | "no" | "false" | "0" => false,
            _ => return Err(("unmet_need", IndicatorError::Flag(at(10).to_owned()))),
        };
        if unmet_need && method != IndicatorMethod::Proportion {
            return Err(("unmet_need", IndicatorError::UnmetNeedMethod));
        }
        Ok(IndicatorDefinition {
            id,
            name: required(1)?,
            framework: required(2)?,
            domain: required(3)?,
            numerator: required(4)?,
            denominator: required(5)?,
            method,
            multiplier,
            polarity,
            benchmark,
            unmet_need,
            source: required(11)?,
            source_date: required(12)?,
        })
    }

    /// The fields in [`COLUMNS`] order, for writing the catalogue back out.
    pub fn to_fields(&self) -> [String; 13] {
        [
            self.id.to_string(),
            self.name.clone(),
            self.framework.clone(),
            self.domain.clone(),
            self.numerator.clone(),
            self.denominator.clone(),
            self.method.code().to_owned(),
            format_number(self.multiplier),
            self.polarity.code().to_owned(),
            self.benchmark.to_string(),
            if self.unmet_need { "yes" } else { "no" }.to_owned(),
            self.source.clone(),
            self.source_date.clone(),
        ]
    }

    /// How the value is read: "per 100,000", "%", or "proportion".
    pub fn unit(&self) -> String {
        match (self.method, self.multiplier) {
            (IndicatorMethod::Proportion, 100.0) => "%".to_owned(),
            (IndicatorMethod::Proportion, 1.0) => "proportion".to_owned(),
            (IndicatorMethod::IsrRatio, 100.0) => "ratio × 100".to_owned(),
            (IndicatorMethod::IsrRatio, _) => "ratio".to_owned(),
            (IndicatorMethod::LifeExpectancy, _) => "years".to_owned(),
            (IndicatorMethod::Mean, _) => "mean".to_owned(),
            (_, m) => format!("per {}", format_number(m)),
        }
    }
}

/// A number without a trailing `.0`, with thousands separators for whole numbers.
fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        let digits = (value as i64).to_string();
        let mut out = String::new();
        for (idx, ch) in digits.chars().enumerate() {
            if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
                out.push(',');
            }
            out.push(ch);
        }
        out
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(overrides: &[(usize, &'a str)]) -> [&'a str; 13] {
        let mut fields = [
            "LOCAL_1",
            "A local indicator",
            "Local",
            "1 Preventing people from dying prematurely",
            "Deaths",
            "Residents",
            "dsr",
            "100000",
            "lower_is_better",
            "",
            "no",
            "Local definition",
            "2026-04-01",
        ];
        for (idx, value) in overrides {
            fields[*idx] = value;
        }
        fields
    }

    #[test]
    fn a_definition_reads_its_columns() {
        let definition = IndicatorDefinition::from_fields(&fields(&[])).unwrap();
        assert_eq!(definition.id.as_str(), "LOCAL_1");
        assert_eq!(definition.method, IndicatorMethod::Dsr);
        assert_eq!(definition.benchmark.as_str(), ENGLAND);
        assert_eq!(definition.unit(), "per 100,000");
        let round_trip = definition.to_fields();
        let borrowed: Vec<&str> = round_trip.iter().map(String::as_str).collect();
        let again = IndicatorDefinition::from_fields(&borrowed.try_into().unwrap()).unwrap();
        assert_eq!(again, definition);
    }

    #[test]
    fn bad_columns_are_named() {
        let cases: [(usize, &str, &str); 6] = [
            (0, "has space", "id"),
            (6, "median", "method"),
            (7, "-3", "multiplier"),
            (8, "up", "polarity"),
            (10, "maybe", "unmet_need"),
            (1, " ", "name"),
        ];
        for (idx, value, column) in cases {
            let error = IndicatorDefinition::from_fields(&fields(&[(idx, value)])).unwrap_err();
            assert_eq!(error.0, column, "{value}");
        }
        let error = IndicatorDefinition::from_fields(&fields(&[(10, "yes")])).unwrap_err();
        assert_eq!(error, ("unmet_need", IndicatorError::UnmetNeedMethod));
    }

    #[test]
    fn units_follow_method_and_multiplier() {
        let percent = IndicatorDefinition::from_fields(&fields(&[(6, "proportion"), (7, "100")])).unwrap();
        assert_eq!(percent.unit(), "%");
        let per_thousand = IndicatorDefinition::from_fields(&fields(&[(6, "rate"), (7, "1000")])).unwrap();
        assert_eq!(per_thousand.unit(), "per 1,000");
    }
}
