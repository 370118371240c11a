//! A contract's term and the deadlines that follow from it: expiry, the last day to give
//! notice, and the decision on each extension option; its value over its lifetime.
//!
//! Commissioners lose track of these (DOMAIN.md, "what users complain about"), so the alerts
//! are a pure function of the term and a date: the app asks for them daily and routes them to
//! the contract's named owner.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::money::{Decimal, Money, round_half_away};
use crate::org::OdsCode;
use crate::period::YearMonth;

/// How a contract pays (DOMAIN.md B4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Mechanism {
    Block,
    ActivityBased,
    LowVolumeBlock,
    /// Aligned payment and incentive: a fixed element, plus elective activity in the variable
    /// element; the elective baseline is used by the 2022/23 rule.
    AlignedPayment {
        fixed_annual: Money,
        elective_baseline_annual: Option<Money>,
    },
}

impl Mechanism {
    pub fn code(&self) -> &'static str {
        match self {
            Mechanism::Block => "block",
            Mechanism::ActivityBased => "activity_based",
            Mechanism::LowVolumeBlock => "low_volume_block",
            Mechanism::AlignedPayment { .. } => "aligned_payment",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Mechanism::Block => "Block",
            Mechanism::ActivityBased => "Activity-based (unit price × MFF)",
            Mechanism::LowVolumeBlock => "Low-volume activity block",
            Mechanism::AlignedPayment { .. } => "Aligned payment and incentive",
        }
    }
}

/// A contract in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    /// The commissioner's reference, such as `Q99-R9A-2024`.
    pub id: String,
    pub title: String,
    pub commissioner: OdsCode,
    pub provider: OdsCode,
    pub term: Term,
    pub annual_value: Money,
    pub mechanism: Mechanism,
    /// Who is told about its deadlines (a name or email address).
    pub owner: String,
}

/// A contract's term: first and last day, the notice each party must give before the end,
/// and optional extensions (each of some months, taken in order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub notice_months: u32,
    pub extension_months: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TermError {
    #[error("the contract ends ({end}) before it starts ({start})")]
    EndsBeforeStart { start: NaiveDate, end: NaiveDate },
    #[error("an extension must be of at least one month")]
    EmptyExtension,
}

impl Term {
    pub fn new(
        start: NaiveDate,
        end: NaiveDate,
        notice_months: u32,
        extension_months: Vec<u32>,
    ) -> Result<Term, TermError> {
        if end < start {
            return Err(TermError::EndsBeforeStart { start, end });
        }
        if extension_months.contains(&0) {
            return Err(TermError::EmptyExtension);
        }
        Ok(Term { start, end, notice_months, extension_months })
    }

    /// The last day notice can be given to end the contract at its end: the end date less the
    /// notice period (the same day of the month, or the month's last day if shorter).
    pub fn notice_deadline(&self) -> NaiveDate {
        months_before(self.end, self.notice_months)
    }

    /// The end if every extension is taken.
    pub fn end_with_extensions(&self) -> NaiveDate {
        self.extension_months.iter().fold(self.end, |end, months| months_after_end(end, *months))
    }

    /// Calendar months of the term, from the start's month to the month after the end (NHS
    /// contracts run from a month's first day to a month's last day).
    pub fn months(&self, with_extensions: bool) -> u32 {
        let end = if with_extensions { self.end_with_extensions() } else { self.end };
        let next = end.succ_opt().unwrap_or(end);
        ((next.year() - self.start.year()) * 12 + next.month() as i32 - self.start.month() as i32).max(0) as u32
    }
}

/// A contract's value over its term: the annual value × months ÷ 12, rounded once.
pub fn lifetime_value(annual: Money, term: &Term, with_extensions: bool) -> Money {
    let months = i128::from(term.months(with_extensions));
    Money::from_pence(round_half_away(i128::from(annual.pence()) * months, 12) as i64)
}

/// What a deadline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The last day to serve notice (or decide on an extension, which needs the same notice).
    NoticeDeadline,
    Expiry,
}

/// A deadline within the horizon, or one already missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub due: NaiveDate,
    /// Negative when the date has passed.
    pub days_left: i64,
    pub message: String,
}

/// The term's deadlines due within `horizon_days` of `today`, and a notice deadline already
/// passed while the contract still runs. Nothing once the contract has ended.
pub fn alerts(term: &Term, today: NaiveDate, horizon_days: i64) -> Vec<Alert> {
    let mut alerts = Vec::new();
    if today > term.end {
        return alerts;
    }
    let notice = term.notice_deadline();
    let days_to_notice = (notice - today).num_days();
    if days_to_notice < 0 {
        alerts.push(Alert {
            kind: AlertKind::NoticeDeadline,
            due: notice,
            days_left: days_to_notice,
            message: format!(
                "The notice deadline passed on {notice}: the contract runs to {} unless both parties agree otherwise",
                term.end
            ),
        });
    } else if days_to_notice <= horizon_days {
        let decision = if term.extension_months.is_empty() {
            "decide whether to recommission, and give notice if ending".to_owned()
        } else {
            format!("decide on the {}-month extension or give notice", term.extension_months[0])
        };
        alerts.push(Alert {
            kind: AlertKind::NoticeDeadline,
            due: notice,
            days_left: days_to_notice,
            message: format!("{days_to_notice} days to the notice deadline ({notice}): {decision}"),
        });
    }
    let days_to_end = (term.end - today).num_days();
    if days_to_end <= horizon_days {
        alerts.push(Alert {
            kind: AlertKind::Expiry,
            due: term.end,
            days_left: days_to_end,
            message: format!("The contract expires in {days_to_end} days ({})", term.end),
        });
    }
    alerts
}

/// The ground on which a contract is varied without a new procurement (PSR regulation 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModificationGround {
    /// Clearly and unambiguously provided for in the original contract.
    ProvidedForInContract,
    /// Solely a change of the provider's identity (merger, takeover, insolvency).
    ProviderIdentity,
    /// A response to external factors, such as volumes or a price formula in the contract.
    ExternalFactors,
    /// Decided by the commissioner.
    AuthorityDriven,
    /// Made urgently, where delay would put patients or a service at risk (regulation 14);
    /// counted in the annual summary's urgent modifications.
    Urgent,
}

impl ModificationGround {
    pub const ALL: [ModificationGround; 5] = [
        ModificationGround::ProvidedForInContract,
        ModificationGround::ProviderIdentity,
        ModificationGround::ExternalFactors,
        ModificationGround::AuthorityDriven,
        ModificationGround::Urgent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ModificationGround::ProvidedForInContract => "provided_for",
            ModificationGround::ProviderIdentity => "provider_identity",
            ModificationGround::ExternalFactors => "external_factors",
            ModificationGround::AuthorityDriven => "authority_driven",
            ModificationGround::Urgent => "urgent",
        }
    }

    pub fn parse(text: &str) -> Option<ModificationGround> {
        ModificationGround::ALL.into_iter().find(|ground| ground.code() == text.trim())
    }
}

/// A variation of a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variation {
    pub contract_id: String,
    /// 1 for the first variation of the contract, and so on.
    pub number: u32,
    pub agreed_on: NaiveDate,
    pub description: String,
    pub annual_value_change: Money,
    pub lifetime_value_change: Money,
    pub ground: ModificationGround,
    /// The variation makes the arrangement materially different in character.
    pub materially_different: bool,
    /// The day the transparency notice was published, if it was.
    pub notice_published: Option<NaiveDate>,
}

/// What the Provider Selection Regime makes of a variation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariationAssessment {
    /// A modification of £500,000 or more (either way) must be published.
    pub transparency_notice_required: bool,
    /// The considerable change threshold: materially different, or authority-driven and at
    /// least £500,000 and 25% above the lifetime value when entered into.
    pub considerable_change: bool,
    /// It may be made without a new procurement.
    pub permitted_without_new_process: bool,
    pub reasons: Vec<String>,
}

/// The £500,000 at which a modification needs a transparency notice [S] and a change may be
/// considerable [S]; the 25% limb of the threshold is known practice [K].
pub const MODIFICATION_NOTICE_THRESHOLD: Money = Money::from_pence(500_000 * 100);

/// Assesses a variation against the contract's lifetime value when it was entered into
/// (DOMAIN.md B1, regulations 6(10)–(12) and 13).
pub fn assess_variation(original_lifetime_value: Money, variation: &Variation) -> VariationAssessment {
    let change = variation.lifetime_value_change;
    let size = if change < Money::ZERO { -change } else { change };
    let mut reasons = Vec::new();
    let transparency_notice_required = size >= MODIFICATION_NOTICE_THRESHOLD;
    if transparency_notice_required {
        reasons.push(format!(
            "the modification is worth {size}, at least {MODIFICATION_NOTICE_THRESHOLD}: publish a transparency notice"
        ));
    }
    let value_limb = crate::procure::psr::considerable_change(
        false,
        variation.ground == ModificationGround::AuthorityDriven,
        original_lifetime_value,
        original_lifetime_value + change,
    );
    let considerable_change = variation.materially_different || value_limb;
    if variation.materially_different {
        reasons.push("the arrangement becomes materially different in character".to_owned());
    }
    if value_limb {
        reasons.push(format!(
            "a decision of the commissioner raises the lifetime value by {change} and by at least 25% (from {original_lifetime_value})"
        ));
    }
    let permitted_without_new_process = !considerable_change;
    if !permitted_without_new_process {
        reasons.push("it is a considerable change: a new provider selection process is needed".to_owned());
    }
    VariationAssessment { transparency_notice_required, considerable_change, permitted_without_new_process, reasons }
}

fn months_before(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_sub_months(Months::new(months)).unwrap_or(date)
}

/// The last day of an extension of `months` after a term ending on `end` (a month's end
/// stays a month's end).
fn months_after_end(end: NaiveDate, months: u32) -> NaiveDate {
    let next = end.succ_opt().unwrap_or(end);
    next.checked_add_months(Months::new(months)).and_then(|d| d.pred_opt()).unwrap_or(end)
}

/// A service line of a contract: a service at a point of delivery (or none, for a block of
/// non-tariff services), its annual plan and phasing, and the tolerance agreed around plan
/// (SC29; tolerances are local, so per line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLine {
    pub contract_id: String,
    /// The service, such as `Trauma and orthopaedics` or `Community nursing`.
    pub service: String,
    pub pod: Option<crate::service::PointOfDelivery>,
    pub year: crate::period::FinancialYear,
    pub annual_activity: i64,
    pub annual_value: Money,
    pub phasing: crate::monitor::Phasing,
    pub tolerance: crate::monitor::Tolerance,
}

/// Whether a measure is a locally agreed KPI or a national quality requirement (Schedule 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiKind {
    Kpi,
    NationalQualityRequirement,
}

impl KpiKind {
    pub fn code(self) -> &'static str {
        match self {
            KpiKind::Kpi => "kpi",
            KpiKind::NationalQualityRequirement => "nqr",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            KpiKind::Kpi => "Local KPI",
            KpiKind::NationalQualityRequirement => "National quality requirement",
        }
    }

    pub fn parse(text: &str) -> Option<KpiKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "kpi" => Some(KpiKind::Kpi),
            "nqr" => Some(KpiKind::NationalQualityRequirement),
            _ => None,
        }
    }
}

/// A KPI or quality requirement of a contract: the threshold it must meet, which way is
/// better, the consequence of a breach in words, and, when the consequence is a withholding,
/// the percentage of the month's value held back while in breach (GC9, historically up to
/// 2%) [K].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kpi {
    pub contract_id: String,
    pub code: String,
    pub name: String,
    pub kind: KpiKind,
    pub threshold: Decimal,
    pub higher_is_better: bool,
    pub consequence: String,
    pub withhold_percent: Option<Decimal>,
    pub source: String,
    /// What is counted, in words (empty when the KPI is not a proportion).
    pub numerator: String,
    /// What it is counted out of, in words.
    pub denominator: String,
    pub level: KpiLevel,
    /// The first day the KPI applies, if not from the start of the contract.
    pub effective_from: Option<NaiveDate>,
    /// The last day it applies, if it stops before the contract ends.
    pub effective_to: Option<NaiveDate>,
}

/// Where a KPI's threshold comes from, as the national standards table names levels: a
/// constitutional standard, a planning target, or a locally agreed requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KpiLevel {
    Constitutional,
    Planning,
    Local,
}

impl KpiLevel {
    pub fn code(self) -> &'static str {
        match self {
            KpiLevel::Constitutional => "constitutional",
            KpiLevel::Planning => "planning",
            KpiLevel::Local => "local",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            KpiLevel::Constitutional => "Constitutional standard",
            KpiLevel::Planning => "Planning target",
            KpiLevel::Local => "Locally agreed",
        }
    }

    pub fn parse(text: &str) -> Option<KpiLevel> {
        match text.trim().to_ascii_lowercase().as_str() {
            "constitutional" => Some(KpiLevel::Constitutional),
            "planning" => Some(KpiLevel::Planning),
            "local" => Some(KpiLevel::Local),
            _ => None,
        }
    }

    /// The level a KPI of this kind has when its file does not say: national quality
    /// requirements carry constitutional standards, local KPIs are agreed locally.
    pub fn default_for(kind: KpiKind) -> KpiLevel {
        match kind {
            KpiKind::NationalQualityRequirement => KpiLevel::Constitutional,
            KpiKind::Kpi => KpiLevel::Local,
        }
    }
}

impl Kpi {
    /// Whether the KPI applies in a month (any day of it within the effective dates).
    pub fn in_force(&self, month: YearMonth) -> bool {
        let (first, last) = (month.first_day(), month.last_day());
        self.effective_from.is_none_or(|from| from <= last) && self.effective_to.is_none_or(|to| to >= first)
    }

    /// A result breaches when it is on the wrong side of the threshold; meeting the threshold
    /// exactly is not a breach.
    pub fn breached(&self, value: Decimal) -> bool {
        let ordering = value.compare(self.threshold);
        if self.higher_is_better { ordering.is_lt() } else { ordering.is_gt() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn term() -> Term {
        Term::new(date("2024-04-01"), date("2027-03-31"), 6, vec![12, 12]).unwrap()
    }

    #[test]
    fn the_term_knows_its_deadlines_and_length() {
        let term = term();
        assert_eq!(term.notice_deadline(), date("2026-09-30"));
        assert_eq!(term.end_with_extensions(), date("2029-03-31"));
        assert_eq!(term.months(false), 36);
        assert_eq!(term.months(true), 60);
        assert!(Term::new(date("2024-04-01"), date("2024-03-31"), 6, vec![]).is_err());
        assert!(Term::new(date("2024-04-01"), date("2025-03-31"), 6, vec![0]).is_err());
    }

    /// Hand-worked: £1,000,000.01 a year for 36 months is £3,000,000.03; with two 12-month
    /// extensions, 60 months, £5,000,000.05.
    #[test]
    fn lifetime_value_follows_the_months() {
        let annual = Money::parse_pounds("1000000.01").unwrap();
        assert_eq!(lifetime_value(annual, &term(), false), Money::parse_pounds("3000000.03").unwrap());
        assert_eq!(lifetime_value(annual, &term(), true), Money::parse_pounds("5000000.05").unwrap());
    }

    fn variation(change: &str, ground: ModificationGround, materially_different: bool) -> Variation {
        Variation {
            contract_id: "Q99-R9A-2024".into(),
            number: 1,
            agreed_on: date("2025-10-01"),
            description: "More capacity".into(),
            annual_value_change: Money::parse_pounds(change).unwrap(),
            lifetime_value_change: Money::parse_pounds(change).unwrap(),
            ground,
            materially_different,
            notice_published: None,
        }
    }

    /// The thresholds' boundaries: £500,000 needs a notice, £499,999.99 does not; a
    /// commissioner's decision adding £500,000 and 25% is a considerable change, adding
    /// £500,000 but 24.99% is not; external factors never meet the value limb.
    #[test]
    fn variations_are_assessed_against_the_psr_thresholds() {
        let original = Money::parse_pounds("2000000.00").unwrap();
        let at = assess_variation(original, &variation("500000.00", ModificationGround::AuthorityDriven, false));
        assert!(at.transparency_notice_required && at.considerable_change && !at.permitted_without_new_process);
        let below = assess_variation(original, &variation("499999.99", ModificationGround::AuthorityDriven, false));
        assert!(!below.transparency_notice_required && !below.considerable_change);
        let large = Money::parse_pounds("2000000.04").unwrap();
        let under_quarter =
            assess_variation(large, &variation("500000.00", ModificationGround::AuthorityDriven, false));
        assert!(under_quarter.transparency_notice_required && !under_quarter.considerable_change, "{under_quarter:?}");
        let external = assess_variation(original, &variation("900000.00", ModificationGround::ExternalFactors, false));
        assert!(external.transparency_notice_required && external.permitted_without_new_process);
        let reduction =
            assess_variation(original, &variation("-600000.00", ModificationGround::AuthorityDriven, false));
        assert!(reduction.transparency_notice_required && !reduction.considerable_change);
        let different = assess_variation(original, &variation("0.00", ModificationGround::ProvidedForInContract, true));
        assert!(different.considerable_change && !different.transparency_notice_required);
    }

    #[test]
    fn alerts_come_due_within_the_horizon_and_when_missed() {
        let term = term();
        assert!(alerts(&term, date("2026-01-01"), 90).is_empty());
        let soon = alerts(&term, date("2026-08-01"), 90);
        assert_eq!(soon.len(), 1);
        assert_eq!((soon[0].kind, soon[0].days_left), (AlertKind::NoticeDeadline, 60));
        assert!(soon[0].message.contains("12-month extension"));
        let missed = alerts(&term, date("2026-10-01"), 90);
        assert_eq!((missed[0].kind, missed[0].days_left), (AlertKind::NoticeDeadline, -1));
        let ending = alerts(&term, date("2027-02-01"), 90);
        assert_eq!(ending.iter().map(|a| a.kind).collect::<Vec<_>>(), [AlertKind::NoticeDeadline, AlertKind::Expiry]);
        assert_eq!(ending[1].days_left, 58);
        assert!(alerts(&term, date("2027-04-01"), 90).is_empty(), "nothing after the end");
    }

    #[test]
    fn kpi_breaches_are_direction_aware_and_the_threshold_itself_meets() {
        let kpi = |threshold: &str, higher_is_better: bool| Kpi {
            contract_id: "Q99-R9A-2024".into(),
            code: "AE4".into(),
            name: "A&E within 4 hours (%)".into(),
            kind: KpiKind::NationalQualityRequirement,
            threshold: Decimal::parse(threshold).unwrap(),
            higher_is_better,
            consequence: "Contract performance notice".into(),
            withhold_percent: None,
            source: "NHS Standard Contract Schedule 4".into(),
            numerator: String::new(),
            denominator: String::new(),
            level: KpiLevel::Constitutional,
            effective_from: None,
            effective_to: None,
        };
        let value = |text: &str| Decimal::parse(text).unwrap();
        let four_hours = kpi("78", true);
        assert!(!four_hours.breached(value("78.00")), "exactly at the threshold meets it");
        assert!(four_hours.breached(value("77.99")));
        assert!(!four_hours.breached(value("92.5")));
        let waits = kpi("1.0", false);
        assert!(!waits.breached(value("1")));
        assert!(waits.breached(value("1.01")));
        assert!(!waits.breached(value("0.4")));
        assert_eq!(KpiKind::parse("NQR"), Some(KpiKind::NationalQualityRequirement));
        assert_eq!(KpiKind::parse("target"), None);
    }

    #[test]
    fn a_kpi_applies_in_the_months_its_effective_dates_touch() {
        let mut kpi = Kpi {
            contract_id: "Q99-R9A-2024".into(),
            code: "DS24".into(),
            name: "Discharge summaries within 24 hours (%)".into(),
            kind: KpiKind::Kpi,
            threshold: Decimal::parse("95").unwrap(),
            higher_is_better: true,
            consequence: String::new(),
            withhold_percent: None,
            source: String::new(),
            numerator: String::new(),
            denominator: String::new(),
            level: KpiLevel::default_for(KpiKind::Kpi),
            effective_from: Some(date("2025-06-15")),
            effective_to: Some(date("2026-03-31")),
        };
        let month = |text: &str| YearMonth::parse(text).unwrap();
        assert_eq!(kpi.level, KpiLevel::Local);
        assert!(!kpi.in_force(month("2025-05")));
        assert!(kpi.in_force(month("2025-06")), "a month the start falls in");
        assert!(kpi.in_force(month("2026-03")));
        assert!(!kpi.in_force(month("2026-04")));
        kpi.effective_from = None;
        kpi.effective_to = None;
        assert!(kpi.in_force(month("2019-01")));
        assert_eq!(KpiLevel::parse(" Planning "), Some(KpiLevel::Planning));
        assert_eq!(KpiLevel::default_for(KpiKind::NationalQualityRequirement), KpiLevel::Constitutional);
    }
}
