//! Organisations identified by ODS code: commissioners, providers, GP practices, local
//! authorities and scrutiny committees.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An Organisation Data Service code: 3 to 6 upper-case letters and digits (`R0A`, `QOP`,
/// `G6V2S`, `A81001`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct OdsCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an ODS code (3 to 6 capital letters and digits, such as R0A or A81001)")]
pub struct OdsCodeError(pub String);

impl OdsCode {
    pub fn parse(text: &str) -> Result<OdsCode, OdsCodeError> {
        let trimmed = text.trim();
        let valid =
            (3..=6).contains(&trimmed.len()) && trimmed.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if valid { Ok(OdsCode(trimmed.to_owned())) } else { Err(OdsCodeError(text.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OdsCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl FromStr for OdsCode {
    type Err = OdsCodeError;
    fn from_str(text: &str) -> Result<OdsCode, OdsCodeError> {
        OdsCode::parse(text)
    }
}

impl From<OdsCode> for String {
    fn from(code: OdsCode) -> String {
        code.0
    }
}

impl TryFrom<String> for OdsCode {
    type Error = OdsCodeError;
    fn try_from(text: String) -> Result<OdsCode, OdsCodeError> {
        OdsCode::parse(&text)
    }
}

/// What an organisation is, for commissioning purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// An ICB (or a former CCG/PCT): buys services for a population.
    Commissioner,
    /// An NHS trust, independent sector or voluntary provider of services.
    Provider,
    GpPractice,
    LocalAuthority,
    /// A Health Overview and Scrutiny Committee.
    ScrutinyCommittee,
    /// Not an organisation: the home of accounts held by members of the public and patients.
    Public,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not an organisation kind (commissioner, provider, gp_practice, local_authority, scrutiny_committee or public)"
)]
pub struct OrgKindError(pub String);

impl OrgKind {
    pub const ALL: [OrgKind; 6] = [
        OrgKind::Commissioner,
        OrgKind::Provider,
        OrgKind::GpPractice,
        OrgKind::LocalAuthority,
        OrgKind::ScrutinyCommittee,
        OrgKind::Public,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrgKind::Commissioner => "commissioner",
            OrgKind::Provider => "provider",
            OrgKind::GpPractice => "gp_practice",
            OrgKind::LocalAuthority => "local_authority",
            OrgKind::ScrutinyCommittee => "scrutiny_committee",
            OrgKind::Public => "public",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::Commissioner => "Commissioner",
            OrgKind::Provider => "Provider",
            OrgKind::GpPractice => "GP practice",
            OrgKind::LocalAuthority => "Local authority",
            OrgKind::ScrutinyCommittee => "Scrutiny committee",
            OrgKind::Public => "Public and patients",
        }
    }

    pub fn parse(text: &str) -> Result<OrgKind, OrgKindError> {
        OrgKind::ALL.into_iter().find(|kind| kind.code() == text.trim()).ok_or_else(|| OrgKindError(text.to_owned()))
    }
}

/// The kind of provider, which decides the services it typically runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderType {
    Acute,
    Community,
    MentalHealth,
    Ambulance,
    IndependentSector,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a provider type (acute, community, mental_health, ambulance or independent_sector)")]
pub struct ProviderTypeError(pub String);

impl ProviderType {
    pub const ALL: [ProviderType; 5] = [
        ProviderType::Acute,
        ProviderType::Community,
        ProviderType::MentalHealth,
        ProviderType::Ambulance,
        ProviderType::IndependentSector,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProviderType::Acute => "acute",
            ProviderType::Community => "community",
            ProviderType::MentalHealth => "mental_health",
            ProviderType::Ambulance => "ambulance",
            ProviderType::IndependentSector => "independent_sector",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProviderType::Acute => "Acute trust",
            ProviderType::Community => "Community provider",
            ProviderType::MentalHealth => "Mental health trust",
            ProviderType::Ambulance => "Ambulance trust",
            ProviderType::IndependentSector => "Independent sector",
        }
    }

    pub fn parse(text: &str) -> Result<ProviderType, ProviderTypeError> {
        ProviderType::ALL
            .into_iter()
            .find(|kind| kind.code() == text.trim())
            .ok_or_else(|| ProviderTypeError(text.to_owned()))
    }
}

/// An organisation as the commissioner knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub code: OdsCode,
    pub name: String,
    pub kind: OrgKind,
    pub provider_type: Option<ProviderType>,
    /// The organisation above this one: the ICB of a trust or practice, the commissioner a
    /// scrutiny committee scrutinises.
    pub parent: Option<OdsCode>,
    /// NHS England region code (`Y56` London, ...), where known.
    pub region: Option<String>,
    pub postcode: Option<String>,
    pub opened: Option<NaiveDate>,
    pub closed: Option<NaiveDate>,
}

impl Organisation {
    pub fn is_open_on(&self, date: NaiveDate) -> bool {
        self.opened.is_none_or(|opened| opened <= date) && self.closed.is_none_or(|closed| closed > date)
    }

    /// Turns an upper-case ODS register name into the title case people expect to read
    /// (`MANCHESTER UNIVERSITY NHS FOUNDATION TRUST` → `Manchester University NHS Foundation Trust`).
    pub fn display_name(name: &str) -> String {
        if name.chars().any(|c| c.is_lowercase()) {
            return name.to_owned();
        }
        const KEEP_UPPER: [&str; 6] = ["NHS", "ICB", "CCG", "GP", "UK", "HQ"];
        const KEEP_LOWER: [&str; 4] = ["and", "of", "the", "for"];
        name.split(' ')
            .enumerate()
            .map(|(idx, word)| {
                if KEEP_UPPER.contains(&word) {
                    word.to_owned()
                } else if idx > 0 && KEEP_LOWER.contains(&word.to_lowercase().as_str()) {
                    word.to_lowercase()
                } else {
                    title_case_word(word)
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn title_case_word(word: &str) -> String {
    let mut result = String::with_capacity(word.len());
    let mut start_of_part = true;
    for ch in word.chars() {
        if start_of_part {
            result.extend(ch.to_uppercase());
        } else {
            result.extend(ch.to_lowercase());
        }
        start_of_part = matches!(ch, '-' | '(' | '/' | '.');
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ods_codes_parse_strictly() {
        for good in ["R0A", "QOP", "G6V2S", "A81001", " RXX "] {
            assert!(OdsCode::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "R0", "r0a", "R0A!", "ABCDEFG", "R 0A"] {
            assert_eq!(OdsCode::parse(bad), Err(OdsCodeError(bad.to_owned())), "{bad}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for kind in OrgKind::ALL {
            assert_eq!(OrgKind::parse(kind.code()), Ok(kind));
        }
        for kind in ProviderType::ALL {
            assert_eq!(ProviderType::parse(kind.code()), Ok(kind));
        }
        assert!(OrgKind::parse("hospital").is_err());
    }

    #[test]
    fn register_names_become_readable() {
        let cases = [
            ("MANCHESTER UNIVERSITY NHS FOUNDATION TRUST", "Manchester University NHS Foundation Trust"),
            (
                "SOUTH TYNESIDE AND SUNDERLAND NHS FOUNDATION TRUST",
                "South Tyneside and Sunderland NHS Foundation Trust",
            ),
            ("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST", "Guy's and St Thomas' NHS Foundation Trust"),
            ("Already Mixed Case", "Already Mixed Case"),
        ];
        for (input, expected) in cases {
            assert_eq!(Organisation::display_name(input), expected);
        }
    }
}
