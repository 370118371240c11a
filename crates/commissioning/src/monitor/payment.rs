//! The payment engine: what a contract pays in a month under each NHS Payment Scheme
//! mechanism, as a statement whose lines explain themselves (inputs, rule, source, amount).
//!
//! Mechanisms (DOMAIN.md B4): block; activity-based (unit price × MFF, with excess bed days
//! above the trim point); low-volume activity block; aligned payment and incentive (a fixed
//! element plus a variable element for elective activity, at 100% of price from 2023/24 or
//! 75% of value above the baseline in 2022/23); CQUIN-style conditional payments earned pro
//! rata between thresholds; risk and gain share with caps and collars; withholding and its
//! repayment.
//!
//! Money is exact: amounts are pence, factors are decimals, every product is formed in
//! `i128` and rounded once, half away from zero. An annual value paid monthly is split so the
//! twelve instalments add up to the annual value to the penny. A statement's total is the sum
//! of its lines, always. Items the source marks as known practice rather than rule ([K]) are
//! parameters with defaults, not constants.

use serde::{Deserialize, Serialize};

use crate::money::{Decimal, Money, round_half_away};
use crate::period::FinancialYear;
use crate::procure::contract::{Contract, Mechanism};

/// One line of a payment statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub label: String,
    /// The inputs the rule used, as (name, value) in words a finance manager reads.
    pub inputs: Vec<(String, String)>,
    pub rule: String,
    pub source: String,
    pub amount: Money,
}

/// A month's payment under one mechanism: lines whose amounts add up to the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub mechanism: String,
    pub lines: Vec<StatementLine>,
}

impl Statement {
    fn new(mechanism: &str) -> Statement {
        Statement { mechanism: mechanism.to_owned(), lines: Vec::new() }
    }

    fn line(&mut self, label: &str, inputs: Vec<(&str, String)>, rule: &str, source: &str, amount: Money) {
        self.lines.push(StatementLine {
            label: label.to_owned(),
            inputs: inputs.into_iter().map(|(name, value)| (name.to_owned(), value)).collect(),
            rule: rule.to_owned(),
            source: source.to_owned(),
            amount,
        });
    }

    /// An aligned payment's fixed element: the month's instalment of the annual value.
    fn fixed_element(&mut self, fixed_annual: Money, month: u32) -> Result<(), PaymentError> {
        self.line(
            "Fixed element",
            vec![("annual fixed element", fixed_annual.to_string()), ("month", month_name(month)?)],
            "annual fixed element ÷ 12, remainder pence to the first months",
            SOURCE_NHSPS,
            monthly_instalment(fixed_annual, month)?,
        );
        Ok(())
    }

    /// The 2022/23 variable element: a share of the elective value above the month's baseline.
    fn above_baseline(&mut self, actual: Money, baseline: Money, share: Decimal) {
        let above = if actual > baseline { actual - baseline } else { Money::ZERO };
        self.line(
            "Variable element (elective above baseline)",
            vec![
                ("elective value at unit price × MFF", actual.to_string()),
                ("baseline for the month", baseline.to_string()),
                ("share of price", share.to_string()),
            ],
            "max(0, elective value − baseline) × share",
            "NHS Payment Scheme 2022/23, elective variable element (75% above the agreed level)",
            above.scale(share),
        );
    }

    /// The sum of the lines.
    pub fn total(&self) -> Money {
        self.lines.iter().map(|line| line.amount).sum()
    }

    /// Appends another statement's lines (a CQUIN or withholding within an API payment).
    pub fn extend(&mut self, other: Statement) {
        self.lines.extend(other.lines);
    }
}

/// Why a payment could not be calculated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("the month must be 1 (April) to 12 (March), not {0}")]
    Month(u32),
    #[error("{0}")]
    Invalid(String),
}

const SOURCE_NHSPS: &str = "NHS Payment Scheme 2023/25 (amended), provider payment mechanisms";
const SOURCE_CQUIN: &str = "NHS England CQUIN guidance; HFMA briefings 2022-2024 (thresholds [K])";
const SOURCE_CONTRACT: &str = "NHS Standard Contract, local variation (as agreed in the contract)";

/// The `month`th (1 = April) of twelve monthly instalments of an annual value: the pence that
/// do not divide by twelve go one each to the first months, so the twelve add up exactly.
pub fn monthly_instalment(annual: Money, month: u32) -> Result<Money, PaymentError> {
    if !(1..=12).contains(&month) {
        return Err(PaymentError::Month(month));
    }
    let pence = annual.pence();
    let (base, remainder) = (pence.div_euclid(12), pence.rem_euclid(12));
    Ok(Money::from_pence(base + i64::from(i64::from(month) <= remainder)))
}

/// Splits an amount into `parts` shares that add up to it exactly (remainder pence to the
/// first shares).
pub fn split_evenly(amount: Money, parts: usize) -> Vec<Money> {
    if parts == 0 {
        return Vec::new();
    }
    let pence = amount.pence();
    let n = parts as i64;
    let (base, remainder) = (pence.div_euclid(n), pence.rem_euclid(n));
    (0..n).map(|idx| Money::from_pence(base + i64::from(idx < remainder))).collect()
}

/// A block contract: the annual value in twelve equal instalments.
pub fn block(annual: Money, month: u32) -> Result<Statement, PaymentError> {
    let mut statement = Statement::new("block");
    statement.line(
        "Block payment",
        vec![("annual value", annual.to_string()), ("month", month_name(month)?)],
        "annual value ÷ 12, remainder pence to the first months",
        SOURCE_NHSPS,
        monthly_instalment(annual, month)?,
    );
    Ok(statement)
}

/// The low-volume activity thresholds: a provider–commissioner pair below this annual value
/// is paid a fixed LVA block (£0.5m in 2023/25, £1.5m from 2025/26).
pub fn lva_threshold(year: FinancialYear) -> Money {
    if year.start_year() >= 2025 { Money::from_pence(150_000_000) } else { Money::from_pence(50_000_000) }
}

/// A low-volume activity block: the nationally set value in twelve instalments, refused when
/// the pair's annual value is above the year's threshold.
pub fn low_volume_block(lva_value: Money, year: FinancialYear, month: u32) -> Result<Statement, PaymentError> {
    let threshold = lva_threshold(year);
    if lva_value > threshold {
        return Err(PaymentError::Invalid(format!(
            "a low-volume block is for values up to {threshold} in {year}; {lva_value} is above it"
        )));
    }
    let mut statement = Statement::new("low_volume_block");
    statement.line(
        "Low-volume activity block",
        vec![("LVA value", lva_value.to_string()), ("threshold", threshold.to_string()), ("month", month_name(month)?)],
        "nationally set LVA value ÷ 12; no in-year activity transactions",
        SOURCE_NHSPS,
        monthly_instalment(lva_value, month)?,
    );
    Ok(statement)
}

/// Activity of one HRG at one point of delivery in the month, with its price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedActivity {
    pub hrg: String,
    pub pod: String,
    pub spells: i64,
    pub unit_price: Money,
    /// Bed days beyond the trim point, summed over the spells.
    pub excess_bed_days: i64,
    pub excess_bed_day_price: Option<Money>,
    /// The provider's payment-index market forces factor.
    pub mff: Decimal,
}

impl PricedActivity {
    /// `(spells × unit price + excess days × excess price) × MFF`, rounded once.
    pub fn value(&self) -> Money {
        let excess =
            self.excess_bed_day_price.map_or(0, |price| i128::from(self.excess_bed_days) * i128::from(price.pence()));
        let base = i128::from(self.spells) * i128::from(self.unit_price.pence()) + excess;
        let product = base * i128::from(self.mff.mantissa());
        Money::from_pence(round_half_away(product, 10_i128.pow(self.mff.scale())) as i64)
    }

    fn line(&self, statement: &mut Statement, label: &str, share: Option<Decimal>) {
        let mut inputs = vec![
            ("spells", self.spells.to_string()),
            ("unit price", self.unit_price.to_string()),
            ("MFF", self.mff.to_string()),
        ];
        let mut rule = "spells × unit price × MFF".to_owned();
        if let Some(price) = self.excess_bed_day_price.filter(|_| self.excess_bed_days > 0) {
            inputs.push(("excess bed days", self.excess_bed_days.to_string()));
            inputs.push(("excess bed-day price", price.to_string()));
            rule = "(spells × unit price + excess bed days × excess bed-day price) × MFF".to_owned();
        }
        let mut amount = self.value();
        if let Some(share) = share {
            inputs.push(("share of price", share.to_string()));
            rule.push_str(" × share");
            amount = amount.scale(share);
        }
        statement.line(&format!("{label}: {} {}", self.hrg, self.pod), inputs, &rule, SOURCE_NHSPS, amount);
    }
}

/// A price carried into the next year: `price × (1 + cost uplift) × (1 − efficiency)`, both
/// factors exact decimals (2023/24: 0.029 and 0.011), rounded once to the penny.
pub fn uplifted_price(price: Money, cost_uplift: Decimal, efficiency: Decimal) -> Money {
    let at = |d: Decimal, scale: u32| i128::from(d.mantissa()) * 10_i128.pow(scale - d.scale());
    let (su, se) = (cost_uplift.scale(), efficiency.scale());
    let one_plus = 10_i128.pow(su) + at(cost_uplift, su);
    let one_minus = 10_i128.pow(se) - at(efficiency, se);
    let product = i128::from(price.pence()) * one_plus * one_minus;
    Money::from_pence(round_half_away(product, 10_i128.pow(su + se)) as i64)
}

/// A best-practice tariff: the base price, plus the uplift when the audited criteria are met.
pub fn best_practice_price(base: Money, uplift: Money, criteria_met: bool) -> Money {
    if criteria_met { base + uplift } else { base }
}

/// Best-practice tariff uplifts for the month: for each HRG, the spells that met the audited
/// criteria × the uplift × the provider's MFF (the base price is already in the activity).
pub fn best_practice_uplifts(attainment: &[BestPracticeAttainment]) -> Statement {
    let mut statement = Statement::new("best_practice_tariff");
    for item in attainment {
        let product = i128::from(item.spells_meeting_criteria)
            * i128::from(item.uplift.pence())
            * i128::from(item.mff.mantissa());
        let amount = Money::from_pence(round_half_away(product, 10_i128.pow(item.mff.scale())) as i64);
        statement.line(
            &format!("Best practice tariff: {} {}", item.hrg, item.pod),
            vec![
                ("spells meeting the criteria", item.spells_meeting_criteria.to_string()),
                ("uplift per spell", item.uplift.to_string()),
                ("MFF", item.mff.to_string()),
            ],
            "spells meeting the criteria × uplift × MFF",
            "NHS Payment Scheme, Annex: guidance on best practice tariffs",
            amount,
        );
    }
    statement
}

/// Spells of one HRG whose audited best-practice criteria were met in a month, with the
/// uplift in force and the provider's MFF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BestPracticeAttainment {
    pub hrg: String,
    pub pod: String,
    pub spells_meeting_criteria: i64,
    pub uplift: Money,
    pub mff: Decimal,
}

/// One month of a KPI's history for withholding: the month's value before any withholding
/// (the Actual Monthly Value) and whether the KPI was in breach (`None` when no result was
/// reported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiMonth {
    pub month: String,
    pub monthly_value: Money,
    pub breached: Option<bool>,
}

/// Withholding for a KPI whose consequence is a withholding (GC9) [K]: in a month of breach,
/// `percent` of that month's value is withheld. In the first month back within threshold,
/// everything withheld over the run of breaches just ended is repaid, unless the run lasted
/// more than `retain_after_months` months, in which case it is retained permanently
/// (historically 3). `history` runs month by month up to and including the month paid; a
/// month without a result neither withholds nor repays. Returns no lines when nothing is due.
pub fn kpi_withholding(kpi: &str, percent: Decimal, retain_after_months: usize, history: &[KpiMonth]) -> Statement {
    let mut statement = Statement::new("withholding");
    let Some((current, earlier)) = history.split_last() else {
        return statement;
    };
    const SOURCE_GC9: &str = "NHS Standard Contract, General Condition 9 (contract management)";
    match current.breached {
        Some(true) => statement.line(
            &format!("Withheld: {kpi} not met"),
            vec![
                ("month", current.month.clone()),
                ("monthly value", current.monthly_value.to_string()),
                ("percent", percent.to_string()),
            ],
            "monthly value × percent ÷ 100, while the KPI is in breach",
            SOURCE_GC9,
            -percent_of(current.monthly_value, percent),
        ),
        Some(false) => {
            let run: Vec<&KpiMonth> = earlier.iter().rev().take_while(|m| m.breached == Some(true)).collect();
            if run.is_empty() {
                return statement;
            }
            let withheld: Money = run.iter().map(|m| percent_of(m.monthly_value, percent)).sum();
            let months = run.iter().rev().map(|m| m.month.as_str()).collect::<Vec<_>>().join(", ");
            let retained = run.len() > retain_after_months;
            statement.line(
                &if retained {
                    format!("Withheld sums retained: {kpi} was in breach too long")
                } else {
                    format!("Withheld sums repaid: {kpi} met again")
                },
                vec![
                    ("months withheld", months),
                    ("withheld in those months", withheld.to_string()),
                    ("retained after months in breach", retain_after_months.to_string()),
                ],
                "sums withheld over the run of breaches, repaid when the KPI is met again within the limit",
                SOURCE_GC9,
                if retained { Money::ZERO } else { withheld },
            );
        }
        None => {}
    }
    statement
}

/// The month's payment for a contract from its activity already priced by the activity
/// engine (value by point of delivery, unit price × MFF with excess bed days): block and
/// low-volume blocks ignore activity, activity-based pays every point of delivery, and an
/// aligned payment pays the fixed element plus elective (EL and DC) activity under the
/// year's variable rule.
pub fn contract_statement(
    contract: &Contract,
    year: FinancialYear,
    month: u32,
    value_by_pod: &[(String, Money)],
) -> Result<Statement, PaymentError> {
    match contract.mechanism {
        Mechanism::Block => block(contract.annual_value, month),
        Mechanism::LowVolumeBlock => low_volume_block(contract.annual_value, year, month),
        Mechanism::ActivityBased => {
            let mut statement = Statement::new("activity_based");
            for (pod, value) in value_by_pod {
                statement.line(
                    &format!("Activity: {pod}"),
                    vec![("point of delivery", pod.clone()), ("value at unit price × MFF", value.to_string())],
                    "Σ spells × unit price × MFF (with excess bed days), priced record by record",
                    SOURCE_NHSPS,
                    *value,
                );
            }
            Ok(statement)
        }
        Mechanism::AlignedPayment { fixed_annual, elective_baseline_annual } => {
            let mut statement = Statement::new("aligned_payment_and_incentive");
            statement.fixed_element(fixed_annual, month)?;
            let elective: Vec<&(String, Money)> =
                value_by_pod.iter().filter(|(pod, _)| pod == "EL" || pod == "DC").collect();
            match VariableRule::for_year(year) {
                VariableRule::FullPrice => {
                    for (pod, value) in elective {
                        statement.line(
                            &format!("Variable element (elective at 100%): {pod}"),
                            vec![("point of delivery", pod.clone()), ("value at unit price × MFF", value.to_string())],
                            "elective activity at 100% of unit price × MFF",
                            SOURCE_NHSPS,
                            *value,
                        );
                    }
                }
                VariableRule::AboveBaseline { share } => {
                    let actual: Money = elective.iter().map(|(_, value)| *value).sum();
                    let baseline = match elective_baseline_annual {
                        Some(annual) => monthly_instalment(annual, month)?,
                        None => Money::ZERO,
                    };
                    statement.above_baseline(actual, baseline, share);
                }
            }
            Ok(statement)
        }
    }
}

/// One comparison of a reconciliation: two amounts that must be equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub left: (String, Money),
    pub right: (String, Money),
    /// Left minus right; zero when they match.
    pub difference: Money,
}

/// The month's invoice against what is due and against the activity data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub checks: Vec<Check>,
}

impl Reconciliation {
    pub fn matched(&self) -> bool {
        self.checks.iter().all(|check| check.difference == Money::ZERO)
    }

    pub fn differences(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|check| check.difference != Money::ZERO)
    }
}

/// Reconciles a month (DOMAIN.md B3): the invoice must equal the payment statement's total;
/// the aggregate activity statement (ACM) must equal the patient-level total (PLCM) when one
/// was submitted; and for activity-based contracts the invoice must equal the ACM total.
pub fn reconcile(
    invoice: Money,
    statement_total: Money,
    aggregate_total: Money,
    patient_level_total: Option<Money>,
    activity_based: bool,
) -> Reconciliation {
    let check = |name: &str, left: (&str, Money), right: (&str, Money)| Check {
        name: name.to_owned(),
        difference: left.1 - right.1,
        left: (left.0.to_owned(), left.1),
        right: (right.0.to_owned(), right.1),
    };
    let mut checks =
        vec![check("Invoice against payment due", ("invoice", invoice), ("payment statement", statement_total))];
    if activity_based {
        checks.push(check(
            "Invoice against activity",
            ("invoice", invoice),
            ("aggregate activity (ACM)", aggregate_total),
        ));
    }
    if let Some(patient_level) = patient_level_total {
        checks.push(check(
            "Aggregate against patient-level activity",
            ("aggregate activity (ACM)", aggregate_total),
            ("patient-level activity (PLCM)", patient_level),
        ));
    }
    Reconciliation { checks }
}

/// Activity-based payment: every line at unit price × MFF, with excess bed days.
pub fn activity_based(activity: &[PricedActivity]) -> Statement {
    let mut statement = Statement::new("activity_based");
    for line in activity {
        line.line(&mut statement, "Activity", None);
    }
    statement
}

/// How the variable element of an aligned payment and incentive pays for elective activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VariableRule {
    /// 2023/24 on: all elective activity at 100% of unit price × MFF.
    FullPrice,
    /// 2022/23: only the value above the baseline, at this share of price (75%).
    AboveBaseline { share: Decimal },
}

impl VariableRule {
    /// The rule of a financial year, as the payment scheme set it.
    pub fn for_year(year: FinancialYear) -> VariableRule {
        if year.start_year() <= 2022 {
            VariableRule::AboveBaseline { share: Decimal::new(75, 2) }
        } else {
            VariableRule::FullPrice
        }
    }
}

/// An aligned payment and incentive month: the fixed element's instalment, the variable
/// element for elective activity under `rule` (the baseline is the month's agreed elective
/// value, used by the above-baseline rule), less any CQUIN under-achievement deducted
/// through the variable element.
pub fn aligned_payment(
    fixed_annual: Money,
    month: u32,
    elective: &[PricedActivity],
    rule: VariableRule,
    baseline: Money,
    cquin_deduction: Money,
) -> Result<Statement, PaymentError> {
    let mut statement = Statement::new("aligned_payment_and_incentive");
    statement.fixed_element(fixed_annual, month)?;
    match rule {
        VariableRule::FullPrice => {
            for line in elective {
                line.line(&mut statement, "Variable element (elective at 100%)", None);
            }
        }
        VariableRule::AboveBaseline { share } => {
            let actual: Money = elective.iter().map(PricedActivity::value).sum();
            statement.above_baseline(actual, baseline, share);
        }
    }
    if cquin_deduction != Money::ZERO {
        statement.line(
            "CQUIN under-achievement deducted",
            vec![("deduction", cquin_deduction.to_string())],
            "deducted through the variable element",
            SOURCE_CQUIN,
            -cquin_deduction,
        );
    }
    Ok(statement)
}

/// One CQUIN-style indicator: performance earns its share pro rata between the minimum and
/// maximum thresholds (reversed when lower is better).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CquinIndicator {
    pub name: String,
    pub minimum: Decimal,
    pub maximum: Decimal,
    pub performance: Decimal,
    pub higher_is_better: bool,
}

/// The CQUIN outcome: the amount available, what each indicator earned, and the deduction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cquin {
    pub available: Money,
    pub earned: Money,
    pub deduction: Money,
    pub statement: Statement,
}

/// CQUIN-style conditional payment: `percent` of the fixed value split equally across at
/// most `max_indicators` indicators, each earned pro rata between its thresholds.
pub fn cquin(
    fixed_value: Money,
    percent: Decimal,
    indicators: &[CquinIndicator],
    max_indicators: usize,
) -> Result<Cquin, PaymentError> {
    if indicators.is_empty() || indicators.len() > max_indicators {
        return Err(PaymentError::Invalid(format!(
            "a CQUIN scheme has 1 to {max_indicators} indicators, not {}",
            indicators.len()
        )));
    }
    let available = percent_of(fixed_value, percent);
    let weights = split_evenly(available, indicators.len());
    let mut statement = Statement::new("cquin");
    let mut earned = Money::ZERO;
    for (indicator, weight) in indicators.iter().zip(weights) {
        if indicator.minimum == indicator.maximum {
            return Err(PaymentError::Invalid(format!(
                "{}: the minimum and maximum thresholds are equal",
                indicator.name
            )));
        }
        let amount = pro_rata(weight, indicator);
        earned += amount;
        statement.line(
            &format!("CQUIN: {}", indicator.name),
            vec![
                ("share of the CQUIN value", weight.to_string()),
                ("minimum", indicator.minimum.to_string()),
                ("maximum", indicator.maximum.to_string()),
                ("performance", indicator.performance.to_string()),
                ("better is", if indicator.higher_is_better { "higher" } else { "lower" }.to_owned()),
            ],
            if indicator.higher_is_better {
                "share × clamp((performance − minimum) ÷ (maximum − minimum), 0, 1)"
            } else {
                "share × clamp((minimum − performance) ÷ (minimum − maximum), 0, 1)"
            },
            SOURCE_CQUIN,
            amount,
        );
    }
    Ok(Cquin { available, earned, deduction: available - earned, statement })
}

/// The month's share of a CQUIN scheme's under-achievement, deducted through the variable
/// element of an aligned payment: the year's deduction in twelve instalments.
pub fn cquin_deduction(scheme: &Cquin, month: u32) -> Result<Statement, PaymentError> {
    let monthly = monthly_instalment(scheme.deduction, month)?;
    let mut statement = Statement::new("cquin");
    statement.line(
        "CQUIN under-achievement deducted",
        vec![
            ("CQUIN value available", scheme.available.to_string()),
            ("earned", scheme.earned.to_string()),
            ("under-achievement for the year", scheme.deduction.to_string()),
            ("month", month_name(month)?),
        ],
        "− (available − earned) ÷ 12, deducted through the variable element",
        SOURCE_CQUIN,
        -monthly,
    );
    Ok(statement)
}

/// `weight × clamp(fraction, 0, 1)` computed exactly on the decimals and rounded once. For
/// "lower is better" the minimum threshold is the worse (higher) value.
fn pro_rata(weight: Money, indicator: &CquinIndicator) -> Money {
    let scale = indicator.minimum.scale().max(indicator.maximum.scale()).max(indicator.performance.scale());
    let at = |d: Decimal| i128::from(d.mantissa()) * 10_i128.pow(scale - d.scale());
    let (minimum, maximum, performance) = (at(indicator.minimum), at(indicator.maximum), at(indicator.performance));
    let (achieved, range) = if indicator.higher_is_better {
        (performance - minimum, maximum - minimum)
    } else {
        (minimum - performance, minimum - maximum)
    };
    let (achieved, range) = if range < 0 { (-achieved, -range) } else { (achieved, range) };
    if achieved <= 0 {
        return Money::ZERO;
    }
    if achieved >= range {
        return weight;
    }
    Money::from_pence(round_half_away(i128::from(weight.pence()) * achieved, range) as i64)
}

/// A risk-share or gain-share arrangement against an agreed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskShare {
    /// The commissioner's share of an overspend (the rest falls to the provider).
    pub commissioner_share_of_overspend: Decimal,
    /// The commissioner's share of an underspend, recovered from the provider.
    pub commissioner_share_of_underspend: Decimal,
    /// Most the commissioner pays above the agreed value.
    pub cap: Option<Money>,
    /// Most the commissioner recovers below the agreed value.
    pub collar: Option<Money>,
}

/// What the commissioner pays under a risk or gain share: the agreed value plus its share
/// of an overspend (up to the cap), or less its share of an underspend (up to the collar).
pub fn risk_share(agreed: Money, actual: Money, arrangement: &RiskShare) -> Statement {
    let mut statement = Statement::new("risk_share");
    statement.line("Agreed value", vec![("agreed value", agreed.to_string())], "as agreed", SOURCE_CONTRACT, agreed);
    let variance = actual - agreed;
    if variance > Money::ZERO {
        let share = variance.scale(arrangement.commissioner_share_of_overspend);
        let capped = arrangement.cap.map_or(share, |cap| share.min(cap));
        statement.line(
            "Commissioner's share of the overspend",
            vec![
                ("actual", actual.to_string()),
                ("overspend", variance.to_string()),
                ("commissioner's share", arrangement.commissioner_share_of_overspend.to_string()),
                ("cap", arrangement.cap.map_or_else(|| "none".into(), |cap| cap.to_string())),
            ],
            "min(overspend × commissioner's share, cap)",
            SOURCE_CONTRACT,
            capped,
        );
    } else if variance < Money::ZERO {
        let underspend = -variance;
        let share = underspend.scale(arrangement.commissioner_share_of_underspend);
        let collared = arrangement.collar.map_or(share, |collar| share.min(collar));
        statement.line(
            "Commissioner's share of the underspend recovered",
            vec![
                ("actual", actual.to_string()),
                ("underspend", underspend.to_string()),
                ("commissioner's share", arrangement.commissioner_share_of_underspend.to_string()),
                ("collar", arrangement.collar.map_or_else(|| "none".into(), |collar| collar.to_string())),
            ],
            "− min(underspend × commissioner's share, collar)",
            SOURCE_CONTRACT,
            -collared,
        );
    }
    statement
}

/// A withholding under the contract's escalation ladder: `percent` of the month's value held
/// back, as a negative line.
pub fn withholding(monthly_value: Money, percent: Decimal, reason: &str) -> Statement {
    let mut statement = Statement::new("withholding");
    statement.line(
        "Withheld",
        vec![
            ("monthly value", monthly_value.to_string()),
            ("percent", percent.to_string()),
            ("reason", reason.to_owned()),
        ],
        "monthly value × percent ÷ 100",
        "NHS Standard Contract, General Condition 9 (contract management)",
        -percent_of(monthly_value, percent),
    );
    statement
}

/// The repayment of sums withheld once the remedial milestone is met (nothing while not).
pub fn withholding_repayment(withheld_total: Money, milestone_met: bool, milestone: &str) -> Statement {
    let mut statement = Statement::new("withholding_repayment");
    statement.line(
        "Withheld sums repaid",
        vec![
            ("withheld to date", withheld_total.to_string()),
            ("milestone", milestone.to_owned()),
            ("met", if milestone_met { "yes" } else { "no" }.to_owned()),
        ],
        "all sums withheld, once the milestone is met",
        "NHS Standard Contract, General Condition 9 (contract management)",
        if milestone_met { withheld_total } else { Money::ZERO },
    );
    statement
}

/// `percent`% of an amount, rounded once (the percentage's scale grows by two places rather
/// than rounding twice).
fn percent_of(amount: Money, percent: Decimal) -> Money {
    amount.scale(Decimal::new(percent.mantissa(), percent.scale() + 2))
}

fn month_name(month: u32) -> Result<String, PaymentError> {
    const NAMES: [&str; 12] = [
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "January",
        "February",
        "March",
    ];
    NAMES.get(month.wrapping_sub(1) as usize).map(|name| (*name).to_owned()).ok_or(PaymentError::Month(month))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pounds(text: &str) -> Money {
        Money::parse_pounds(text).unwrap()
    }

    fn decimal(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    fn elective(spells: i64, unit: &str) -> PricedActivity {
        PricedActivity {
            hrg: "FZ12H".into(),
            pod: "EL".into(),
            spells,
            unit_price: pounds(unit),
            excess_bed_days: 0,
            excess_bed_day_price: None,
            mff: decimal("1.0523"),
        }
    }

    /// Hand-worked: £1,000,000.01 is 100,000,001p, 12 × 8,333,333p with 5p over, so April to
    /// August pay £83,333.34 and September to March £83,333.33.
    #[test]
    fn a_block_pays_twelve_instalments_that_add_up() {
        let annual = pounds("1000000.01");
        assert_eq!(block(annual, 1).unwrap().total(), pounds("83333.34"));
        assert_eq!(block(annual, 5).unwrap().total(), pounds("83333.34"));
        assert_eq!(block(annual, 6).unwrap().total(), pounds("83333.33"));
        let sum: Money = (1..=12).map(|m| block(annual, m).unwrap().total()).sum();
        assert_eq!(sum, annual);
        assert_eq!(block(annual, 13), Err(PaymentError::Month(13)));
    }

    /// Hand-worked: 10 spells at £1,000.00 plus 4 excess days at £300.00 = £11,200.00, × MFF
    /// 1.0523 = £11,785.76.
    #[test]
    fn activity_is_priced_with_excess_bed_days_and_the_mff() {
        let line = PricedActivity {
            hrg: "FD01A".into(),
            pod: "NEL".into(),
            spells: 10,
            unit_price: pounds("1000.00"),
            excess_bed_days: 4,
            excess_bed_day_price: Some(pounds("300.00")),
            mff: decimal("1.0523"),
        };
        let statement = activity_based(&[line.clone(), elective(3, "2500.00")]);
        assert_eq!(statement.lines[0].amount, pounds("11785.76"));
        assert!(statement.lines[0].rule.contains("excess bed days"));
        // 3 × £2,500.00 × 1.0523 = £7,892.25.
        assert_eq!(statement.lines[1].amount, pounds("7892.25"));
        assert_eq!(statement.total(), pounds("19678.01"));
    }

    /// Hand-worked, 2023/24 factors: £1,000.00 × 1.029 × 0.989 = £1,017.681 → £1,017.68.
    #[test]
    fn prices_are_uplifted_and_best_practice_adds_its_uplift() {
        assert_eq!(uplifted_price(pounds("1000.00"), decimal("0.029"), decimal("0.011")), pounds("1017.68"));
        assert_eq!(uplifted_price(pounds("1000.00"), decimal("0"), decimal("0")), pounds("1000.00"));
        assert_eq!(best_practice_price(pounds("5000.00"), pounds("450.00"), true), pounds("5450.00"));
        assert_eq!(best_practice_price(pounds("5000.00"), pounds("450.00"), false), pounds("5000.00"));
    }

    #[test]
    fn a_contract_statement_follows_its_mechanism() {
        use crate::procure::contract::Term;
        let date = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        let mut contract = Contract {
            id: "Q99-R9A-2025".into(),
            title: "Acute services".into(),
            commissioner: crate::org::OdsCode::parse("Q99").unwrap(),
            provider: crate::org::OdsCode::parse("R9A").unwrap(),
            term: Term::new(date("2025-04-01"), date("2028-03-31"), 6, vec![]).unwrap(),
            annual_value: pounds("120000000.00"),
            mechanism: Mechanism::AlignedPayment {
                fixed_annual: pounds("96000000.00"),
                elective_baseline_annual: Some(pounds("24000000.00")),
            },
            owner: "Chris Commissioner".into(),
        };
        let activity = vec![
            ("DC".to_owned(), pounds("900000.00")),
            ("EL".to_owned(), pounds("1300000.00")),
            ("NEL".to_owned(), pounds("5000000.00")),
        ];
        let year = FinancialYear::starting(2025);
        let statement = contract_statement(&contract, year, 3, &activity).unwrap();
        assert_eq!(statement.total(), pounds("10200000.00"), "£8m fixed + £2.2m elective");
        // 2022/23: 75% of the £0.2m above the £2m monthly baseline.
        let old = contract_statement(&contract, FinancialYear::starting(2022), 3, &activity).unwrap();
        assert_eq!(old.total(), pounds("8150000.00"));
        contract.mechanism = Mechanism::ActivityBased;
        assert_eq!(contract_statement(&contract, year, 3, &activity).unwrap().total(), pounds("7200000.00"));
        contract.mechanism = Mechanism::Block;
        assert_eq!(contract_statement(&contract, year, 3, &activity).unwrap().total(), pounds("10000000.00"));
        contract.mechanism = Mechanism::LowVolumeBlock;
        assert!(contract_statement(&contract, year, 3, &activity).is_err(), "far above the LVA threshold");
    }

    #[test]
    fn the_cquin_deduction_is_spread_over_the_year() {
        let indicators = [CquinIndicator {
            name: "Flu vaccination of staff".into(),
            minimum: decimal("70"),
            maximum: decimal("90"),
            performance: decimal("80"),
            higher_is_better: true,
        }];
        // 1.25% of £12,000,000.00 is £150,000.00; half is earned; £75,000.00 a year is
        // deducted, £6,250.00 a month.
        let scheme = cquin(pounds("12000000.00"), decimal("1.25"), &indicators, 5).unwrap();
        let deduction = cquin_deduction(&scheme, 1).unwrap();
        assert_eq!(deduction.total(), -pounds("6250.00"));
        let year: Money = (1..=12).map(|m| cquin_deduction(&scheme, m).unwrap().total()).sum();
        assert_eq!(year, -scheme.deduction);
    }

    #[test]
    fn reconciliation_lists_every_difference() {
        let matched = reconcile(pounds("100.00"), pounds("100.00"), pounds("100.00"), Some(pounds("100.00")), true);
        assert!(matched.matched());
        assert_eq!(matched.checks.len(), 3);
        let off = reconcile(pounds("101.23"), pounds("100.00"), pounds("100.00"), Some(pounds("99.00")), false);
        assert!(!off.matched());
        let differences: Vec<(&str, Money)> = off.differences().map(|c| (c.name.as_str(), c.difference)).collect();
        assert_eq!(
            differences,
            [
                ("Invoice against payment due", pounds("1.23")),
                ("Aggregate against patient-level activity", pounds("1.00"))
            ]
        );
        assert_eq!(reconcile(pounds("1.00"), pounds("1.00"), pounds("5.00"), None, false).checks.len(), 1);
    }

    #[test]
    fn low_volume_blocks_respect_the_threshold_of_the_year() {
        let year = FinancialYear::starting(2024);
        assert!(low_volume_block(pounds("400000.00"), year, 1).is_ok());
        assert!(low_volume_block(pounds("600000.00"), year, 1).is_err());
        assert!(low_volume_block(pounds("1500000.00"), FinancialYear::starting(2025), 1).is_ok());
        assert!(low_volume_block(pounds("1500000.01"), FinancialYear::starting(2025), 1).is_err());
    }

    /// Hand-worked, 2022/23: elective value 40 × £1,000 × 1.0523 = £42,092.00 against a
    /// baseline of £40,000.00 pays 75% of £2,092.00 = £1,569.00; at exactly the baseline, and
    /// below it, the variable element is nothing.
    #[test]
    fn the_2022_23_variable_element_pays_three_quarters_above_baseline() {
        let rule = VariableRule::for_year(FinancialYear::starting(2022));
        assert_eq!(rule, VariableRule::AboveBaseline { share: decimal("0.75") });
        let fixed = pounds("1200000.00");
        let statement =
            aligned_payment(fixed, 1, &[elective(40, "1000.00")], rule, pounds("40000.00"), Money::ZERO).unwrap();
        assert_eq!(statement.lines[0].amount, pounds("100000.00"));
        assert_eq!(statement.lines[1].amount, pounds("1569.00"));
        let at_baseline =
            aligned_payment(fixed, 1, &[elective(40, "1000.00")], rule, pounds("42092.00"), Money::ZERO).unwrap();
        assert_eq!(at_baseline.lines[1].amount, Money::ZERO);
        let below =
            aligned_payment(fixed, 1, &[elective(10, "1000.00")], rule, pounds("42092.00"), Money::ZERO).unwrap();
        assert_eq!(below.total(), pounds("100000.00"));
    }

    /// From 2023/24 every elective spell is paid at 100%, and CQUIN under-achievement comes
    /// off the variable element.
    #[test]
    fn from_2023_24_elective_activity_is_paid_in_full_less_cquin() {
        let rule = VariableRule::for_year(FinancialYear::starting(2023));
        assert_eq!(rule, VariableRule::FullPrice);
        let statement =
            aligned_payment(pounds("1200000.00"), 12, &[elective(40, "1000.00")], rule, Money::ZERO, pounds("500.00"))
                .unwrap();
        assert_eq!(statement.lines[1].amount, pounds("42092.00"));
        assert_eq!(statement.lines[2].amount, -pounds("500.00"));
        assert_eq!(statement.total(), pounds("141592.00"));
    }

    /// Hand-worked: 1.25% of £10,000,000.00 is £125,000.00, £25,000.00 for each of five
    /// indicators. At the minimum nothing is earned, at the maximum everything, halfway half;
    /// for "lower is better" the same, measured downwards.
    #[test]
    fn cquin_is_earned_pro_rata_between_thresholds() {
        let indicator = |name: &str, performance: &str, higher: bool| CquinIndicator {
            name: name.into(),
            minimum: decimal(if higher { "60" } else { "20" }),
            maximum: decimal(if higher { "80" } else { "10" }),
            performance: decimal(performance),
            higher_is_better: higher,
        };
        let indicators = [
            indicator("at minimum", "60", true),
            indicator("at maximum", "80", true),
            indicator("halfway", "70", true),
            indicator("lower is better, at 12.5", "12.5", false),
            indicator("lower is better, worse than minimum", "25", false),
        ];
        let result = cquin(pounds("10000000.00"), decimal("1.25"), &indicators, 5).unwrap();
        assert_eq!(result.available, pounds("125000.00"));
        let amounts: Vec<Money> = result.statement.lines.iter().map(|line| line.amount).collect();
        assert_eq!(amounts, [Money::ZERO, pounds("25000.00"), pounds("12500.00"), pounds("18750.00"), Money::ZERO]);
        assert_eq!(result.earned, pounds("56250.00"));
        assert_eq!(result.deduction, pounds("68750.00"));
        assert_eq!(result.earned + result.deduction, result.available);
        assert!(cquin(pounds("1.00"), decimal("1.25"), &indicators, 4).is_err());
    }

    /// Hand-worked: agreed £1,000,000.00; actual £1,200,000.00 with a 50% share and a cap of
    /// £80,000.00 pays £1,080,000.00; actual £900,000.00 with a 50% share of savings and no
    /// collar pays £950,000.00; a collar of £20,000.00 limits that to £980,000.00.
    #[test]
    fn risk_and_gain_share_respect_caps_and_collars() {
        let mut arrangement = RiskShare {
            commissioner_share_of_overspend: decimal("0.5"),
            commissioner_share_of_underspend: decimal("0.5"),
            cap: Some(pounds("80000.00")),
            collar: None,
        };
        let agreed = pounds("1000000.00");
        assert_eq!(risk_share(agreed, pounds("1200000.00"), &arrangement).total(), pounds("1080000.00"));
        assert_eq!(risk_share(agreed, pounds("1100000.00"), &arrangement).total(), pounds("1050000.00"));
        assert_eq!(risk_share(agreed, pounds("900000.00"), &arrangement).total(), pounds("950000.00"));
        arrangement.collar = Some(pounds("20000.00"));
        assert_eq!(risk_share(agreed, pounds("900000.00"), &arrangement).total(), pounds("980000.00"));
        assert_eq!(risk_share(agreed, agreed, &arrangement).lines.len(), 1);
    }

    /// Hand-worked: 2% of £83,333.33 is £1,666.67 withheld; it is repaid only when the
    /// milestone is met.
    #[test]
    fn percentages_round_once() {
        // 1.5% of 33p is 0.495p, so nothing; rounding 1.5 × 33p = 49.5p to 50p first and then
        // taking a hundredth would give 0.5p and round up to 1p.
        assert_eq!(percent_of(Money::from_pence(33), decimal("1.5")), Money::ZERO);
        assert_eq!(percent_of(Money::from_pence(34), decimal("1.5")), Money::from_pence(1));
    }

    fn kpi_month(month: &str, value: &str, breached: Option<bool>) -> KpiMonth {
        KpiMonth { month: month.into(), monthly_value: pounds(value), breached }
    }

    /// Hand-worked: 2% of £100,000.00 withheld in June and of £90,000.00 in July; met in
    /// August, so £3,800.00 is repaid; a run longer than the limit is retained instead.
    #[test]
    fn kpi_withholding_by_hand() {
        let two = decimal("2");
        let history = vec![
            kpi_month("2025-05", "100000.00", Some(false)),
            kpi_month("2025-06", "100000.00", Some(true)),
            kpi_month("2025-07", "90000.00", Some(true)),
            kpi_month("2025-08", "95000.00", Some(false)),
        ];
        assert!(kpi_withholding("AE4", two, 3, &history[..1]).lines.is_empty(), "met, nothing withheld");
        assert_eq!(kpi_withholding("AE4", two, 3, &history[..2]).total(), -pounds("2000.00"));
        assert_eq!(kpi_withholding("AE4", two, 3, &history[..3]).total(), -pounds("1800.00"));
        let repaid = kpi_withholding("AE4", two, 3, &history);
        assert_eq!(repaid.total(), pounds("3800.00"));
        assert_eq!(repaid.lines[0].inputs[0].1, "2025-06, 2025-07");
        // The same run with a limit of one month is retained: a zero line that says so.
        let retained = kpi_withholding("AE4", two, 1, &history);
        assert_eq!(retained.total(), Money::ZERO);
        assert!(retained.lines[0].label.contains("retained"));
        // Exactly at the limit (two months, limit two) is repaid.
        assert_eq!(kpi_withholding("AE4", two, 2, &history).total(), pounds("3800.00"));
        // No result this month: neither withholds nor repays.
        let mut unreported = history.clone();
        unreported[3].breached = None;
        assert!(kpi_withholding("AE4", two, 3, &unreported).lines.is_empty());
        assert!(kpi_withholding("AE4", two, 3, &[]).lines.is_empty());
    }

    #[test]
    fn best_practice_uplifts_are_spells_times_uplift_times_mff() {
        let uplifts = best_practice_uplifts(&[BestPracticeAttainment {
            hrg: "HT12A".into(),
            pod: "NEL".into(),
            spells_meeting_criteria: 37,
            uplift: pounds("1335.00"),
            mff: decimal("1.0523"),
        }]);
        // 37 × 1,335.00 = 49,395.00; × 1.0523 = 51,978.3585 → 51,978.36.
        assert_eq!(uplifts.total(), pounds("51978.36"));
        assert!(best_practice_uplifts(&[]).lines.is_empty());
    }

    #[test]
    fn withholding_and_repayment() {
        let withheld = withholding(pounds("83333.33"), decimal("2"), "remedial action plan milestone missed");
        assert_eq!(withheld.total(), -pounds("1666.67"));
        assert_eq!(withholding_repayment(pounds("1666.67"), false, "4-hour standard at 78%").total(), Money::ZERO);
        assert_eq!(withholding_repayment(pounds("1666.67"), true, "4-hour standard at 78%").total(), pounds("1666.67"));
    }

    /// Property: over many generated contracts, monthly instalments add up to the annual value
    /// and CQUIN earned plus deduction is the amount available, to the penny.
    #[test]
    fn money_never_drifts_by_a_penny() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..2_000 {
            let annual = Money::from_pence((next() % 10_000_000_000) as i64 - 1_000_000_000);
            let sum: Money = (1..=12).map(|month| monthly_instalment(annual, month).unwrap()).sum();
            assert_eq!(sum, annual);
            let parts = 1 + (next() % 7) as usize;
            assert_eq!(split_evenly(annual, parts).into_iter().sum::<Money>(), annual);
            let n = 1 + (next() % 5) as usize;
            let indicators: Vec<CquinIndicator> = (0..n)
                .map(|idx| CquinIndicator {
                    name: format!("indicator {idx}"),
                    minimum: Decimal::new(500, 1),
                    maximum: Decimal::new(900, 1),
                    performance: Decimal::new((next() % 1200) as i64, 1),
                    higher_is_better: next() % 2 == 0,
                })
                .collect();
            let fixed = Money::from_pence((next() % 5_000_000_000) as i64);
            let result = cquin(fixed, decimal("1.25"), &indicators, 5).unwrap();
            assert_eq!(result.earned + result.deduction, result.available);
            assert_eq!(result.statement.total(), result.earned);
        }
    }
}
