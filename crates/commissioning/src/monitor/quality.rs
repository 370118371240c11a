//! Quality and experience a contract reports besides its KPIs — Friends and Family Test
//! returns, complaints, clinical audit results and PROMs scores — with the checks each kind's
//! figures must pass; the RAG rating of a KPI read with its SPC chart; and the
//! recommendation an evaluation ends in.

use serde::{Deserialize, Serialize};

use crate::methods::counts::{wilson_lower, wilson_upper};
use crate::methods::spc::{Assurance, PointType};
use crate::money::Decimal;

/// What a quality return measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityKind {
    /// Friends and Family Test: positive responses (`numerator`) out of all responses.
    FriendsAndFamily,
    /// Complaints received (`numerator`), and optionally how many were upheld (`denominator`
    /// is not used; upheld complaints are a separate measure).
    Complaints,
    /// A clinical audit: patients whose care met the standard out of those audited.
    ClinicalAudit,
    /// Patient-reported outcome measures: the average health gain (`score`) over the
    /// respondents (`denominator`).
    Proms,
}

impl QualityKind {
    pub const ALL: [QualityKind; 4] =
        [QualityKind::FriendsAndFamily, QualityKind::Complaints, QualityKind::ClinicalAudit, QualityKind::Proms];

    pub fn code(self) -> &'static str {
        match self {
            QualityKind::FriendsAndFamily => "fft",
            QualityKind::Complaints => "complaints",
            QualityKind::ClinicalAudit => "audit",
            QualityKind::Proms => "proms",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            QualityKind::FriendsAndFamily => "Friends and Family Test",
            QualityKind::Complaints => "Complaints",
            QualityKind::ClinicalAudit => "Clinical audit",
            QualityKind::Proms => "Patient-reported outcome measures",
        }
    }

    pub fn parse(text: &str) -> Option<QualityKind> {
        QualityKind::ALL.into_iter().find(|kind| kind.code() == text.trim().to_ascii_lowercase())
    }

    /// Checks a return's figures for this kind; the error names the field at fault.
    pub fn check(
        self,
        numerator: Option<i64>,
        denominator: Option<i64>,
        score: Option<Decimal>,
    ) -> Result<(), (&'static str, String)> {
        let negative = |field: &'static str, value: Option<i64>| match value {
            Some(v) if v < 0 => Err((field, format!("{v} is negative"))),
            _ => Ok(()),
        };
        negative("numerator", numerator)?;
        negative("denominator", denominator)?;
        let need = |field: &'static str, present: bool, what: &str| {
            if present { Ok(()) } else { Err((field, format!("a {} return needs {what}", self.code()))) }
        };
        match self {
            QualityKind::FriendsAndFamily | QualityKind::ClinicalAudit => {
                let (what_n, what_d) = if self == QualityKind::FriendsAndFamily {
                    ("the positive responses", "all responses")
                } else {
                    ("the patients meeting the standard", "the patients audited")
                };
                need("numerator", numerator.is_some(), what_n)?;
                need("denominator", denominator.is_some(), what_d)?;
                let (n, d) = (numerator.unwrap_or(0), denominator.unwrap_or(0));
                if d == 0 {
                    return Err(("denominator", "must be more than 0".into()));
                }
                if n > d {
                    return Err(("numerator", format!("{n} is more than the denominator {d}")));
                }
                if score.is_some() {
                    return Err(("score", format!("a {} return has no score", self.code())));
                }
            }
            QualityKind::Complaints => {
                need("numerator", numerator.is_some(), "the number of complaints")?;
                if denominator.is_some() || score.is_some() {
                    let field = if denominator.is_some() { "denominator" } else { "score" };
                    return Err((field, "a complaints return has only a count (numerator)".into()));
                }
            }
            QualityKind::Proms => {
                need("score", score.is_some(), "the average health gain (score)")?;
                need("denominator", denominator.is_some(), "the number of respondents (denominator)")?;
                if denominator == Some(0) {
                    return Err(("denominator", "must be more than 0".into()));
                }
                if numerator.is_some() {
                    return Err((
                        "numerator",
                        "a proms return has a score over its respondents, not a numerator".into(),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A percentage with its 95% Wilson score interval (PHEindicatormethods' `phe_proportion`
/// with multiplier 100).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentage {
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
}

/// `x` out of `n` as a percentage with its 95% Wilson interval; `None` when `n` is 0 or the
/// counts are impossible.
pub fn percentage(x: i64, n: i64) -> Option<Percentage> {
    if n <= 0 || x < 0 || x > n {
        return None;
    }
    let (x, n) = (x as f64, n as f64);
    Some(Percentage {
        value: 100.0 * x / n,
        lower: 100.0 * wilson_lower(x, n, 0.95).ok()?,
        upper: 100.0 * wilson_upper(x, n, 0.95).ok()?,
    })
}

/// Red, amber or green.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    Red,
    Amber,
    Green,
}

impl Rag {
    pub fn label(self) -> &'static str {
        match self {
            Rag::Red => "Red",
            Rag::Amber => "Amber",
            Rag::Green => "Green",
        }
    }
}

/// A KPI's rating for its latest month: red when the month breached the threshold; amber
/// when it met the threshold but the chart gives cause to worry — the latest point is
/// special cause of concern, or the limits say the threshold will not reliably be met; green
/// otherwise. A KPI with too few months for a chart is rated on the threshold alone.
pub fn kpi_rag(breached: bool, variation: Option<PointType>, assurance: Option<Assurance>) -> Rag {
    if breached {
        return Rag::Red;
    }
    let concern = variation == Some(PointType::SpecialCauseConcern)
        || matches!(assurance, Some(Assurance::ConsistentFail | Assurance::Inconsistent));
    if concern { Rag::Amber } else { Rag::Green }
}

/// What an evaluation recommends for the service when its contract comes up for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// Buy it again, broadly as it is.
    Recommission,
    /// Buy it again, changed: the specification, model or scale.
    Redesign,
    /// Stop buying it.
    Decommission,
}

impl Recommendation {
    pub const ALL: [Recommendation; 3] =
        [Recommendation::Recommission, Recommendation::Redesign, Recommendation::Decommission];

    pub fn code(self) -> &'static str {
        match self {
            Recommendation::Recommission => "recommission",
            Recommendation::Redesign => "redesign",
            Recommendation::Decommission => "decommission",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Recommendation::Recommission => "Recommission",
            Recommendation::Redesign => "Redesign",
            Recommendation::Decommission => "Decommission",
        }
    }

    pub fn parse(text: &str) -> Option<Recommendation> {
        Recommendation::ALL.into_iter().find(|r| r.code() == text.trim().to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(text: &str) -> Option<Decimal> {
        Some(Decimal::parse(text).unwrap())
    }

    #[test]
    fn each_kind_checks_its_own_figures_and_names_the_field() {
        use QualityKind::*;
        type Case = (QualityKind, Option<i64>, Option<i64>, Option<Decimal>, Option<&'static str>);
        let cases: &[Case] = &[
            (FriendsAndFamily, Some(90), Some(100), None, None),
            (FriendsAndFamily, Some(100), Some(100), None, None),
            (FriendsAndFamily, Some(101), Some(100), None, Some("numerator")),
            (FriendsAndFamily, Some(0), Some(0), None, Some("denominator")),
            (FriendsAndFamily, None, Some(10), None, Some("numerator")),
            (FriendsAndFamily, Some(1), Some(10), decimal("2"), Some("score")),
            (ClinicalAudit, Some(40), Some(50), None, None),
            (ClinicalAudit, Some(40), None, None, Some("denominator")),
            (Complaints, Some(0), None, None, None),
            (Complaints, Some(3), Some(5), None, Some("denominator")),
            (Complaints, None, None, None, Some("numerator")),
            (Complaints, Some(-1), None, None, Some("numerator")),
            (Proms, None, Some(120), decimal("0.412"), None),
            (Proms, None, Some(0), decimal("0.4"), Some("denominator")),
            (Proms, Some(3), Some(10), decimal("0.4"), Some("numerator")),
            (Proms, None, Some(10), None, Some("score")),
        ];
        for (kind, numerator, denominator, score, field) in cases {
            let got = kind.check(*numerator, *denominator, *score).err().map(|(field, _)| field);
            assert_eq!(got, *field, "{kind:?} {numerator:?}/{denominator:?} {score:?}");
        }
    }

    #[test]
    fn percentages_carry_the_wilson_interval() {
        // METHODS.md's Wilson limits at z = 1.959964 for 65 out of 100: 55.25444 and 73.63575.
        let p = percentage(65, 100).unwrap();
        assert!((p.value - 65.0).abs() < 1e-12);
        assert!((p.lower - 55.25444).abs() < 1e-4, "{p:?}");
        assert!((p.upper - 73.63575).abs() < 1e-4, "{p:?}");
        let all = percentage(20, 20).unwrap();
        assert!((all.upper - 100.0).abs() < 1e-9 && all.lower < 100.0);
        assert_eq!(percentage(1, 0), None);
        assert_eq!(percentage(5, 4), None);
    }

    #[test]
    fn rag_reads_the_threshold_first_then_the_chart() {
        use PointType::*;
        assert_eq!(kpi_rag(true, Some(SpecialCauseImprovement), Some(Assurance::ConsistentPass)), Rag::Red);
        assert_eq!(kpi_rag(false, Some(SpecialCauseConcern), Some(Assurance::ConsistentPass)), Rag::Amber);
        assert_eq!(kpi_rag(false, Some(CommonCause), Some(Assurance::Inconsistent)), Rag::Amber);
        assert_eq!(kpi_rag(false, Some(CommonCause), Some(Assurance::ConsistentFail)), Rag::Amber);
        assert_eq!(kpi_rag(false, Some(CommonCause), Some(Assurance::ConsistentPass)), Rag::Green);
        assert_eq!(kpi_rag(false, None, None), Rag::Green, "too few months for a chart");
    }

    #[test]
    fn kinds_and_recommendations_round_trip_their_codes() {
        for kind in QualityKind::ALL {
            assert_eq!(QualityKind::parse(kind.code()), Some(kind));
        }
        for recommendation in Recommendation::ALL {
            assert_eq!(Recommendation::parse(&recommendation.code().to_uppercase()), Some(recommendation));
        }
        assert_eq!(QualityKind::parse("survey"), None);
    }
}
