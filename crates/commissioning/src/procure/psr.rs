//! The Provider Selection Regime (SI 2023/1348; DOMAIN.md B1): which processes a decision may
//! use, with reasons; the considerable change threshold; whether a CPV code is a health care
//! service; and the standstill after an intention to award, counted in working days.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;
use crate::money::Money;

/// A provider selection process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Process {
    DirectAwardA,
    DirectAwardB,
    DirectAwardC,
    MostSuitableProvider,
    Competitive,
}

impl Process {
    pub const ALL: [Process; 5] = [
        Process::DirectAwardA,
        Process::DirectAwardB,
        Process::DirectAwardC,
        Process::MostSuitableProvider,
        Process::Competitive,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Process::DirectAwardA => "direct_award_a",
            Process::DirectAwardB => "direct_award_b",
            Process::DirectAwardC => "direct_award_c",
            Process::MostSuitableProvider => "most_suitable_provider",
            Process::Competitive => "competitive",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Process::DirectAwardA => "Direct award process A",
            Process::DirectAwardB => "Direct award process B",
            Process::DirectAwardC => "Direct award process C",
            Process::MostSuitableProvider => "Most suitable provider process",
            Process::Competitive => "Competitive process",
        }
    }

    pub fn parse(text: &str) -> Option<Process> {
        Process::ALL.into_iter().find(|p| p.code() == text.trim())
    }

    /// Whether the process has an intention-to-award notice and a standstill (direct awards A
    /// and B have neither: an award notice within 30 days) [S].
    pub fn has_standstill(self) -> bool {
        !matches!(self, Process::DirectAwardA | Process::DirectAwardB)
    }
}

/// The answers a route decision is made on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteAnswers {
    /// There is an existing provider of the service (the contract is being replaced).
    pub existing_provider: bool,
    /// Only the existing provider is capable of providing it.
    pub only_existing_provider_capable: bool,
    /// Patients choose their provider, with no cap on the number of providers.
    pub unrestricted_patient_choice: bool,
    /// The existing provider is satisfying the current contract and likely to satisfy the new
    /// one.
    pub incumbent_satisfying: bool,
    /// The considerable change threshold is met (see [`considerable_change`]).
    pub considerable_change: bool,
}

/// The processes a decision may use, and whether using it is mandatory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteDecision {
    pub allowed: Vec<Process>,
    /// The one allowed process must be used.
    pub mandatory: bool,
    pub reasons: Vec<String>,
}

/// The PSR process-selection rules (the NHS England decision flowchart): direct award A when
/// only the incumbent is capable; B under unrestricted patient choice (with or without an
/// incumbent) [K for new services]; C, most suitable provider or competitive when the
/// incumbent is satisfying and the change is not considerable; otherwise most suitable
/// provider or competitive.
pub fn route(answers: &RouteAnswers) -> RouteDecision {
    use Process::*;
    let decide = |allowed: Vec<Process>, mandatory: bool, reason: &str| RouteDecision {
        allowed,
        mandatory,
        reasons: vec![reason.to_owned()],
    };
    if answers.existing_provider && answers.only_existing_provider_capable {
        return decide(
            vec![DirectAwardA],
            true,
            "only the existing provider is capable of providing the services: direct award A must be used",
        );
    }
    if answers.unrestricted_patient_choice {
        return decide(
            vec![DirectAwardB],
            true,
            "patients choose their provider with no cap on provider numbers: direct award B must be used, offering the contract to every provider meeting the requirements",
        );
    }
    if !answers.existing_provider {
        return decide(
            vec![MostSuitableProvider, Competitive],
            false,
            "a new service: the most suitable provider process or a competitive process",
        );
    }
    if answers.incumbent_satisfying && !answers.considerable_change {
        return decide(
            vec![DirectAwardC, MostSuitableProvider, Competitive],
            false,
            "the existing provider is satisfying the contract and likely to satisfy the new one, and the change is not considerable: direct award C may be used, or either other process",
        );
    }
    let why = if answers.considerable_change {
        "the considerable change threshold is met, so direct award C is not available"
    } else {
        "the existing provider is not satisfying the contract (or is unlikely to satisfy the new one), so direct award C is not available"
    };
    decide(vec![MostSuitableProvider, Competitive], false, why)
}

/// The £500,000 of the considerable change threshold [S].
pub const CONSIDERABLE_CHANGE_VALUE: Money = Money::from_pence(500_000 * 100);

/// The considerable change threshold (regulations 6(10)–(12)): the new arrangements are
/// materially different in character, or the change is the authority's decision and the
/// lifetime value rises by at least £500,000 and by at least 25% [K for the 25% limb].
pub fn considerable_change(materially_different: bool, authority_driven: bool, old: Money, new: Money) -> bool {
    // new ≥ 1.25 × old, in pence: 4 × new ≥ 5 × old.
    let quarter_more = 4 * i128::from(new.pence()) >= 5 * i128::from(old.pence());
    materially_different || (authority_driven && new - old >= CONSIDERABLE_CHANGE_VALUE && quarter_more)
}

/// Whether a CPV code names a relevant health care service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CpvScope {
    /// Under 85100000 "health services", which Schedule 1 lists [S].
    HealthService,
    /// Outside the health services branch: check Schedule 1 (some social care and other
    /// codes are listed) or use procurement law.
    CheckSchedule1,
}

/// Reads a CPV code (`85121100` or `85121100-4`, the digit after the dash being the check
/// digit) and says whether it is in the PSR's health services branch.
pub fn cpv_scope(code: &str) -> Result<CpvScope, String> {
    let code = code.trim();
    let digits = code.split('-').next().unwrap_or("");
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("'{code}' is not a CPV code: eight digits, such as 85121100"));
    }
    Ok(if digits.starts_with("851") { CpvScope::HealthService } else { CpvScope::CheckSchedule1 })
}

/// Working days of the standstill after an intention to award [S].
pub const STANDSTILL_WORKING_DAYS: u32 = 8;
/// Working days to wait after telling a provider the review decision on its representations
/// before closing standstill [S].
pub const REVIEW_WAIT_WORKING_DAYS: u32 = 5;

/// Where a standstill stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standstill {
    /// The intention-to-award notice's publication.
    pub published: NaiveDate,
    /// The last day of the standstill: the eighth working day counted from the day after
    /// publication (it ends at midnight).
    pub ends: NaiveDate,
    /// The first day the contract may be awarded, if it may yet be known: the working day
    /// after the standstill (or after the wait that follows a review decision); `None` while
    /// representations await a decision.
    pub award_from: Option<NaiveDate>,
}

/// The standstill of an intention to award published on `published`: representations
/// received by the end of it hold it open until the authority's review decision, after which
/// it waits five more working days [S].
pub fn standstill(
    calendar: &WorkingCalendar,
    published: NaiveDate,
    representations: &[NaiveDate],
    review_decision: Option<NaiveDate>,
) -> Standstill {
    let ends = calendar.add_working_days(published, STANDSTILL_WORKING_DAYS);
    let held_open = representations.iter().any(|received| *received <= ends);
    let award_from = if held_open {
        review_decision.map(|decided| {
            let wait_ends = calendar.add_working_days(decided, REVIEW_WAIT_WORKING_DAYS);
            calendar.add_working_days(wait_ends.max(ends), 1)
        })
    } else {
        Some(calendar.add_working_days(ends, 1))
    };
    Standstill { published, ends, award_from }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_process_selection_rules_in_a_table() {
        use Process::*;
        // (existing, only capable, choice, satisfying, considerable) → allowed, mandatory.
        let cases: &[([bool; 5], &[Process], bool)] = &[
            ([true, true, false, true, false], &[DirectAwardA], true),
            ([true, true, true, true, false], &[DirectAwardA], true),
            ([true, false, true, true, false], &[DirectAwardB], true),
            ([false, false, true, false, false], &[DirectAwardB], true),
            ([true, false, false, true, false], &[DirectAwardC, MostSuitableProvider, Competitive], false),
            ([true, false, false, true, true], &[MostSuitableProvider, Competitive], false),
            ([true, false, false, false, false], &[MostSuitableProvider, Competitive], false),
            ([false, false, false, false, false], &[MostSuitableProvider, Competitive], false),
            // Only the incumbent is capable, but there is no incumbent: a new service.
            ([false, true, false, false, false], &[MostSuitableProvider, Competitive], false),
        ];
        for (answers, allowed, mandatory) in cases {
            let [existing, only, choice, satisfying, considerable] = *answers;
            let decision = route(&RouteAnswers {
                existing_provider: existing,
                only_existing_provider_capable: only,
                unrestricted_patient_choice: choice,
                incumbent_satisfying: satisfying,
                considerable_change: considerable,
            });
            assert_eq!((decision.allowed.as_slice(), decision.mandatory), (*allowed, *mandatory), "{answers:?}");
            assert!(!decision.reasons.is_empty());
        }
        assert!(!DirectAwardA.has_standstill() && !DirectAwardB.has_standstill());
        assert!(DirectAwardC.has_standstill() && Competitive.has_standstill());
        for process in Process::ALL {
            assert_eq!(Process::parse(process.code()), Some(process));
        }
    }

    #[test]
    fn the_considerable_change_threshold_at_its_boundaries() {
        let pounds = |p: i64| Money::from_pence(p * 100);
        // £2m → £2.5m: exactly £500,000 and exactly 25% more: met.
        assert!(considerable_change(false, true, pounds(2_000_000), pounds(2_500_000)));
        assert!(!considerable_change(false, true, pounds(2_000_000), pounds(2_499_999)));
        // £4m → £4.6m: £600,000 but 15%: not met.
        assert!(!considerable_change(false, true, pounds(4_000_000), pounds(4_600_000)));
        // £1m → £1.499,999: 49.99% but under £500,000: not met.
        assert!(!considerable_change(false, true, pounds(1_000_000), pounds(1_499_999)));
        // Not the authority's decision: not met on value; materially different always is.
        assert!(!considerable_change(false, false, pounds(1_000_000), pounds(3_000_000)));
        assert!(considerable_change(true, false, pounds(1_000_000), pounds(1_000_000)));
    }

    #[test]
    fn cpv_codes_in_the_health_services_branch() {
        assert_eq!(cpv_scope("85121100-4"), Ok(CpvScope::HealthService));
        assert_eq!(cpv_scope("85100000"), Ok(CpvScope::HealthService));
        assert_eq!(cpv_scope("85311000"), Ok(CpvScope::CheckSchedule1));
        assert_eq!(cpv_scope("33600000"), Ok(CpvScope::CheckSchedule1));
        assert!(cpv_scope("8512110").is_err());
        assert!(cpv_scope("85A21100").is_err());
    }

    #[test]
    fn standstill_counts_eight_working_days_from_the_day_after_publication() {
        let calendar = WorkingCalendar::england_and_wales();
        // Published Monday 3 March 2025: Tuesday 4 is day 1, Thursday 13 is day 8; award from
        // Friday 14.
        let plain = standstill(&calendar, date("2025-03-03"), &[], None);
        assert_eq!((plain.ends, plain.award_from), (date("2025-03-13"), Some(date("2025-03-14"))));
        // Published Thursday 17 April 2025: Good Friday and Easter Monday are not counted.
        let easter = standstill(&calendar, date("2025-04-17"), &[], None);
        assert_eq!(easter.ends, date("2025-05-01"));
        // Published Friday 19 December 2025, across Christmas and New Year.
        let christmas = standstill(&calendar, date("2025-12-19"), &[], None);
        assert_eq!(christmas.ends, date("2026-01-05"));
        assert_eq!(christmas.award_from, Some(date("2026-01-06")));
        // A representation on the last day holds it open until the review decision, then five
        // working days.
        let held = standstill(&calendar, date("2025-03-03"), &[date("2025-03-13")], None);
        assert_eq!(held.award_from, None);
        let decided = standstill(&calendar, date("2025-03-03"), &[date("2025-03-13")], Some(date("2025-03-20")));
        assert_eq!(decided.award_from, Some(date("2025-03-28")));
        // A representation after the standstill ended does not hold it open.
        let late = standstill(&calendar, date("2025-03-03"), &[date("2025-03-14")], None);
        assert_eq!(late.award_from, Some(date("2025-03-14")));
    }
}
