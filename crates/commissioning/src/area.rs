//! Small areas and the geography above them: LSOA → MSOA → local authority → ICB → region →
//! country, each identified by its ONS GSS code, with deprivation (IMD 2019) for LSOAs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The level of an area in the geography.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    Lsoa,
    Msoa,
    LocalAuthority,
    Icb,
    Region,
    /// England (`E92000001`), the usual benchmark for indicators.
    Country,
}

impl AreaKind {
    pub const ALL: [AreaKind; 6] =
        [AreaKind::Lsoa, AreaKind::Msoa, AreaKind::LocalAuthority, AreaKind::Icb, AreaKind::Region, AreaKind::Country];

    pub fn code(self) -> &'static str {
        match self {
            AreaKind::Lsoa => "lsoa",
            AreaKind::Msoa => "msoa",
            AreaKind::LocalAuthority => "local_authority",
            AreaKind::Icb => "icb",
            AreaKind::Region => "region",
            AreaKind::Country => "country",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AreaKind::Lsoa => "LSOA",
            AreaKind::Msoa => "MSOA",
            AreaKind::LocalAuthority => "Local authority",
            AreaKind::Icb => "ICB area",
            AreaKind::Region => "Region",
            AreaKind::Country => "Country",
        }
    }

    pub fn parse(text: &str) -> Option<AreaKind> {
        AreaKind::ALL.into_iter().find(|kind| kind.code() == text.trim())
    }

    /// The level directly above this one, if any.
    pub fn parent_kind(self) -> Option<AreaKind> {
        match self {
            AreaKind::Lsoa => Some(AreaKind::Msoa),
            AreaKind::Msoa => Some(AreaKind::LocalAuthority),
            AreaKind::LocalAuthority => Some(AreaKind::Icb),
            AreaKind::Icb => Some(AreaKind::Region),
            AreaKind::Region => Some(AreaKind::Country),
            AreaKind::Country => None,
        }
    }
}

/// An ONS GSS area code such as `E01000001`; its prefix decides its [`AreaKind`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct AreaCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaCodeError {
    #[error("'{0}' is not an ONS area code (a letter and 8 digits, such as E01000001)")]
    Shape(String),
    #[error("'{0}' is not a code for an LSOA, MSOA, local authority, ICB, region or country")]
    UnknownKind(String),
    #[error("'{code}' is a {actual} code, not a {expected} code")]
    WrongKind { code: String, expected: &'static str, actual: &'static str },
}

impl AreaCode {
    pub fn parse(text: &str) -> Result<AreaCode, AreaCodeError> {
        let trimmed = text.trim();
        let bytes = trimmed.as_bytes();
        let shape_ok =
            bytes.len() == 9 && (bytes[0] == b'E' || bytes[0] == b'W') && bytes[1..].iter().all(u8::is_ascii_digit);
        if !shape_ok {
            return Err(AreaCodeError::Shape(text.to_owned()));
        }
        let code = AreaCode(trimmed.to_owned());
        code.kind_of().ok_or_else(|| AreaCodeError::UnknownKind(text.to_owned()))?;
        Ok(code)
    }

    /// Parses a code and insists on its kind (for example, an LSOA column must hold LSOAs).
    pub fn parse_kind(text: &str, expected: AreaKind) -> Result<AreaCode, AreaCodeError> {
        let code = AreaCode::parse(text)?;
        let actual = code.kind();
        if actual == expected {
            Ok(code)
        } else {
            Err(AreaCodeError::WrongKind {
                code: text.trim().to_owned(),
                expected: expected.label(),
                actual: actual.label(),
            })
        }
    }

    pub fn kind(&self) -> AreaKind {
        self.kind_of().expect("checked when parsed")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn kind_of(&self) -> Option<AreaKind> {
        match &self.0[..3] {
            "E01" | "W01" => Some(AreaKind::Lsoa),
            "E02" | "W02" => Some(AreaKind::Msoa),
            "E06" | "E07" | "E08" | "E09" | "W06" => Some(AreaKind::LocalAuthority),
            "E54" => Some(AreaKind::Icb),
            "E12" | "W92" => Some(AreaKind::Region),
            "E92" => Some(AreaKind::Country),
            _ => None,
        }
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl FromStr for AreaCode {
    type Err = AreaCodeError;
    fn from_str(text: &str) -> Result<AreaCode, AreaCodeError> {
        AreaCode::parse(text)
    }
}

impl From<AreaCode> for String {
    fn from(code: AreaCode) -> String {
        code.0
    }
}

impl TryFrom<String> for AreaCode {
    type Error = AreaCodeError;
    fn try_from(text: String) -> Result<AreaCode, AreaCodeError> {
        AreaCode::parse(&text)
    }
}

/// The ONS code of an English region (or Wales) from its name, as written in ONS lookups.
pub fn region_code(name: &str) -> Option<&'static str> {
    const REGIONS: [(&str, &str); 10] = [
        ("North East", "E12000001"),
        ("North West", "E12000002"),
        ("Yorkshire and The Humber", "E12000003"),
        ("East Midlands", "E12000004"),
        ("West Midlands", "E12000005"),
        ("East of England", "E12000006"),
        ("London", "E12000007"),
        ("South East", "E12000008"),
        ("South West", "E12000009"),
        ("Wales", "W92000004"),
    ];
    REGIONS.iter().find(|(region, _)| region.eq_ignore_ascii_case(name.trim())).map(|(_, code)| *code)
}

/// The ONS code of England, the benchmark most indicators are compared with.
pub const ENGLAND: &str = "E92000001";

/// An IMD 2019 decile: 1 is the most deprived tenth of LSOAs in England, 10 the least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub struct ImdDecile(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an IMD decile (a whole number from 1 to 10)")]
pub struct ImdDecileError(pub String);

impl ImdDecile {
    pub fn new(value: u8) -> Result<ImdDecile, ImdDecileError> {
        if (1..=10).contains(&value) { Ok(ImdDecile(value)) } else { Err(ImdDecileError(value.to_string())) }
    }

    pub fn parse(text: &str) -> Result<ImdDecile, ImdDecileError> {
        text.trim()
            .parse::<u8>()
            .ok()
            .and_then(|v| ImdDecile::new(v).ok())
            .ok_or_else(|| ImdDecileError(text.to_owned()))
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// IMD quintile: 1 (most deprived fifth) to 5.
    pub fn quintile(self) -> u8 {
        self.0.div_ceil(2)
    }
}

impl From<ImdDecile> for u8 {
    fn from(decile: ImdDecile) -> u8 {
        decile.0
    }
}

impl TryFrom<u8> for ImdDecile {
    type Error = ImdDecileError;
    fn try_from(value: u8) -> Result<ImdDecile, ImdDecileError> {
        ImdDecile::new(value)
    }
}

/// An area of any level, with its parent in the geography.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    pub code: AreaCode,
    pub name: String,
    pub parent: Option<AreaCode>,
}

impl Area {
    pub fn kind(&self) -> AreaKind {
        self.code.kind()
    }
}

/// Deprivation of one LSOA (IMD 2019).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deprivation {
    /// 1 is the most deprived LSOA in England.
    pub imd_rank: Option<u32>,
    pub imd_decile: ImdDecile,
    pub income_decile: Option<ImdDecile>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_know_their_kind() {
        let cases = [
            ("E01000001", AreaKind::Lsoa),
            ("W01000001", AreaKind::Lsoa),
            ("E02003277", AreaKind::Msoa),
            ("E06000032", AreaKind::LocalAuthority),
            ("E09000001", AreaKind::LocalAuthority),
            ("E54000008", AreaKind::Icb),
            ("E12000007", AreaKind::Region),
            ("E92000001", AreaKind::Country),
        ];
        for (code, kind) in cases {
            assert_eq!(AreaCode::parse(code).unwrap().kind(), kind, "{code}");
        }
    }

    #[test]
    fn bad_codes_say_why() {
        assert_eq!(AreaCode::parse("E0100001"), Err(AreaCodeError::Shape("E0100001".into())));
        assert_eq!(AreaCode::parse("X01000001"), Err(AreaCodeError::Shape("X01000001".into())));
        assert_eq!(AreaCode::parse("E99000001"), Err(AreaCodeError::UnknownKind("E99000001".into())));
        assert_eq!(
            AreaCode::parse_kind("E02000001", AreaKind::Lsoa),
            Err(AreaCodeError::WrongKind { code: "E02000001".into(), expected: "LSOA", actual: "MSOA" })
        );
    }

    #[test]
    fn deciles_and_quintiles() {
        let quintiles: Vec<u8> = (1..=10).map(|d| ImdDecile::new(d).unwrap().quintile()).collect();
        assert_eq!(quintiles, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert!(ImdDecile::new(0).is_err());
        assert!(ImdDecile::parse("11").is_err());
        assert!(ImdDecile::parse("Wales").is_err());
        assert_eq!(ImdDecile::parse(" 3 ").unwrap().value(), 3);
    }

    #[test]
    fn region_names_map_to_codes() {
        assert_eq!(region_code("London"), Some("E12000007"));
        assert_eq!(region_code("yorkshire and the humber"), Some("E12000003"));
        assert_eq!(region_code("Narnia"), None);
    }
}
