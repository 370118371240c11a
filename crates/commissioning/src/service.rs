//! Services by point of delivery and treatment function (specialty).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::org::OdsCode;

const TREATMENT_FUNCTIONS: &str = include_str!("../data/treatment_functions.csv");

/// Where and how activity was delivered, as in contract monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PointOfDelivery {
    /// Elective inpatient.
    #[serde(rename = "EL")]
    Elective,
    /// Elective day case.
    #[serde(rename = "DC")]
    DayCase,
    /// Non-elective (emergency) inpatient.
    #[serde(rename = "NEL")]
    NonElective,
    /// Outpatient first attendance.
    #[serde(rename = "OPFA")]
    OutpatientFirst,
    /// Outpatient follow-up attendance.
    #[serde(rename = "OPFU")]
    OutpatientFollowUp,
    /// Outpatient procedure.
    #[serde(rename = "OPPROC")]
    OutpatientProcedure,
    /// Accident and emergency attendance.
    #[serde(rename = "AE")]
    AccidentAndEmergency,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a point of delivery (EL, DC, NEL, OPFA, OPFU, OPPROC or AE)")]
pub struct PointOfDeliveryError(pub String);

impl PointOfDelivery {
    pub const ALL: [PointOfDelivery; 7] = [
        PointOfDelivery::Elective,
        PointOfDelivery::DayCase,
        PointOfDelivery::NonElective,
        PointOfDelivery::OutpatientFirst,
        PointOfDelivery::OutpatientFollowUp,
        PointOfDelivery::OutpatientProcedure,
        PointOfDelivery::AccidentAndEmergency,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PointOfDelivery::Elective => "EL",
            PointOfDelivery::DayCase => "DC",
            PointOfDelivery::NonElective => "NEL",
            PointOfDelivery::OutpatientFirst => "OPFA",
            PointOfDelivery::OutpatientFollowUp => "OPFU",
            PointOfDelivery::OutpatientProcedure => "OPPROC",
            PointOfDelivery::AccidentAndEmergency => "AE",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PointOfDelivery::Elective => "Elective inpatient",
            PointOfDelivery::DayCase => "Day case",
            PointOfDelivery::NonElective => "Non-elective inpatient",
            PointOfDelivery::OutpatientFirst => "Outpatient first attendance",
            PointOfDelivery::OutpatientFollowUp => "Outpatient follow-up",
            PointOfDelivery::OutpatientProcedure => "Outpatient procedure",
            PointOfDelivery::AccidentAndEmergency => "A&E attendance",
        }
    }

    /// Admitted care, where length of stay and excess bed days apply.
    pub fn is_inpatient(self) -> bool {
        matches!(self, PointOfDelivery::Elective | PointOfDelivery::NonElective)
    }

    pub fn parse(text: &str) -> Result<PointOfDelivery, PointOfDeliveryError> {
        PointOfDelivery::from_code(text.trim()).ok_or_else(|| PointOfDeliveryError(text.to_owned()))
    }

    /// Exact, allocation-free match on the code, for hot loops.
    pub fn from_code(code: &str) -> Option<PointOfDelivery> {
        PointOfDelivery::ALL.into_iter().find(|pod| pod.code() == code)
    }
}

impl fmt::Display for PointOfDelivery {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.code())
    }
}

/// A 3-digit treatment function code (specialty), such as 110 Trauma and Orthopaedics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TreatmentFunction(u16);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a treatment function code (3 digits, such as 110)")]
pub struct TreatmentFunctionError(pub String);

impl TreatmentFunction {
    pub fn parse(text: &str) -> Result<TreatmentFunction, TreatmentFunctionError> {
        let trimmed = text.trim();
        if trimmed.len() != 3 || !trimmed.bytes().all(|b| b.is_ascii_digit()) || trimmed.starts_with('0') {
            return Err(TreatmentFunctionError(text.to_owned()));
        }
        Ok(TreatmentFunction(trimmed.parse().expect("three digits")))
    }

    pub fn code(self) -> u16 {
        self.0
    }

    /// The specialty name for the codes we know (the common acute, community and mental
    /// health ones), else `None`.
    pub fn name(self) -> Option<&'static str> {
        TREATMENT_FUNCTIONS.lines().skip(1).find_map(|row| {
            let (code, name) = row.split_once(',')?;
            (code.parse::<u16>().ok()? == self.0).then_some(name)
        })
    }

    /// Every treatment function in the embedded table.
    pub fn known() -> Vec<TreatmentFunction> {
        TREATMENT_FUNCTIONS
            .lines()
            .skip(1)
            .filter_map(|row| row.split_once(',').and_then(|(code, _)| TreatmentFunction::parse(code).ok()))
            .collect()
    }
}

impl fmt::Display for TreatmentFunction {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:03}", self.0)
    }
}

/// A service a provider runs: a specialty delivered at a point of delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub provider: OdsCode,
    pub pod: PointOfDelivery,
    pub tfc: TreatmentFunction,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_of_delivery_round_trip() {
        for pod in PointOfDelivery::ALL {
            assert_eq!(PointOfDelivery::parse(pod.code()), Ok(pod));
        }
        assert!(PointOfDelivery::parse("XX").is_err());
        assert!(PointOfDelivery::parse("el").is_err());
        assert!(PointOfDelivery::NonElective.is_inpatient());
        assert!(!PointOfDelivery::DayCase.is_inpatient());
    }

    #[test]
    fn treatment_functions_have_names() {
        assert_eq!(TreatmentFunction::parse("110").unwrap().name(), Some("Trauma and Orthopaedics"));
        assert_eq!(TreatmentFunction::parse("999").unwrap().name(), None);
        for bad in ["11", "1100", "abc", "011"] {
            assert!(TreatmentFunction::parse(bad).is_err(), "{bad}");
        }
        assert!(TreatmentFunction::known().len() >= 30);
    }
}
