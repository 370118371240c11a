//! Red flags over procurements (DOMAIN.md B6): the Open Contracting "Cardinal" indicators
//! that the data can support — short submission period (R003), single bid (R018), price
//! close to the winning bid (R024), identical bid prices (R028) and heavily discounted bid
//! (R058), outliers judged by Tukey fences over the whole dataset — and the
//! commissioning-specific flags: repeated direct award C renewals, award before the end of
//! the standstill, modifications of £500,000 or more without a transparency notice, and
//! contracts with no KPIs.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::money::Money;

/// The shortest submission period that does not raise R003, in whole days (Cardinal's
/// default).
pub const MIN_SUBMISSION_DAYS: i64 = 15;

/// What a flag is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Indicator {
    /// R003: the tender period was shorter than [`MIN_SUBMISSION_DAYS`].
    ShortSubmissionPeriod,
    /// R018: one tenderer in an open or selective procedure.
    SingleBid,
    /// R024: the runner-up's price was unusually close to the winner's.
    PriceCloseToWinningBid,
    /// R028: different tenderers bid the same price.
    IdenticalBidPrices,
    /// R058: the winner undercut the runner-up unusually far.
    HeavilyDiscountedBid,
    /// The same service given to the same provider by direct award C again and again.
    RepeatedDirectAwardC,
    /// A contract awarded before the standstill allowed it.
    AwardBeforeStandstillEnd,
    /// A modification of £500,000 or more with no transparency notice.
    ModificationWithoutNotice,
    /// A contract in the register with no KPIs.
    ContractWithoutKpis,
}

impl Indicator {
    pub const ALL: [Indicator; 9] = [
        Indicator::ShortSubmissionPeriod,
        Indicator::SingleBid,
        Indicator::PriceCloseToWinningBid,
        Indicator::IdenticalBidPrices,
        Indicator::HeavilyDiscountedBid,
        Indicator::RepeatedDirectAwardC,
        Indicator::AwardBeforeStandstillEnd,
        Indicator::ModificationWithoutNotice,
        Indicator::ContractWithoutKpis,
    ];

    /// The Cardinal identifier, or ours (`C…`) for the commissioning-specific flags.
    pub fn code(self) -> &'static str {
        match self {
            Indicator::ShortSubmissionPeriod => "R003",
            Indicator::SingleBid => "R018",
            Indicator::PriceCloseToWinningBid => "R024",
            Indicator::IdenticalBidPrices => "R028",
            Indicator::HeavilyDiscountedBid => "R058",
            Indicator::RepeatedDirectAwardC => "C001",
            Indicator::AwardBeforeStandstillEnd => "C002",
            Indicator::ModificationWithoutNotice => "C003",
            Indicator::ContractWithoutKpis => "C004",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Indicator::ShortSubmissionPeriod => "Short submission period",
            Indicator::SingleBid => "Single bid received",
            Indicator::PriceCloseToWinningBid => "Price close to winning bid",
            Indicator::IdenticalBidPrices => "Identical bid prices",
            Indicator::HeavilyDiscountedBid => "Heavily discounted bid",
            Indicator::RepeatedDirectAwardC => "Repeated direct award C",
            Indicator::AwardBeforeStandstillEnd => "Award before the standstill ended",
            Indicator::ModificationWithoutNotice => "Modification of £500,000 or more without a notice",
            Indicator::ContractWithoutKpis => "Contract with no KPIs",
        }
    }
}

/// One procurement as the indicators see it: what an OCDS release says, or what our own
/// records say, reduced to the same facts. Absent facts skip the indicators that need them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessFacts {
    /// The ocid, or our own reference.
    pub id: String,
    pub title: String,
    pub buyer: String,
    /// OCDS `procurementMethod`: open, selective, limited or direct.
    pub method: Option<String>,
    pub tender_start: Option<NaiveDate>,
    pub tender_end: Option<NaiveDate>,
    pub number_of_tenderers: Option<u32>,
    /// Valid bids by tenderer.
    pub bids: Vec<(String, Money)>,
    /// The supplier of the active award.
    pub winner: Option<String>,
    pub award_date: Option<NaiveDate>,
    /// The first day the standstill allowed an award.
    pub award_allowed_from: Option<NaiveDate>,
}

/// A raised flag: which indicator, about what, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub indicator: Indicator,
    pub id: String,
    pub title: String,
    pub buyer: String,
    pub detail: String,
}

/// Tukey's fences: `Q1 − 1.5·IQR` and `Q3 + 1.5·IQR`, with quartiles by linear interpolation
/// between order statistics (R's default, type 7). `None` when there are no values, or when
/// Q1, Q3 and the IQR are all 0 (Cardinal skips the indicator then, or three quarters of
/// cases would be flagged).
pub fn tukey_fences(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let quantile = |p: f64| {
        let h = (sorted.len() - 1) as f64 * p;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
    };
    let (q1, q3) = (quantile(0.25), quantile(0.75));
    let iqr = q3 - q1;
    if q1 == 0.0 && q3 == 0.0 && iqr == 0.0 {
        return None;
    }
    Some((q1 - 1.5 * iqr, q3 + 1.5 * iqr))
}

/// The winner's margin over the runner-up: `(second lowest − winning) / winning`, for a
/// process with a winner among at least two valid bids.
fn margin(facts: &ProcessFacts) -> Option<f64> {
    let winner = facts.winner.as_deref()?;
    let winning = facts.bids.iter().find(|(bidder, _)| bidder == winner)?.1;
    let mut prices: Vec<i64> = facts.bids.iter().map(|(_, p)| p.pence()).collect();
    if prices.len() < 2 || winning.pence() <= 0 {
        return None;
    }
    prices.sort_unstable();
    Some((prices[1] - winning.pence()) as f64 / winning.pence() as f64)
}

/// The Cardinal indicators over a dataset of procurements, in the order of the facts.
pub fn process_flags(all: &[ProcessFacts]) -> Vec<Flag> {
    let mut flags = Vec::new();
    let flag = |indicator: Indicator, facts: &ProcessFacts, detail: String| Flag {
        indicator,
        id: facts.id.clone(),
        title: facts.title.clone(),
        buyer: facts.buyer.clone(),
        detail,
    };
    let margins: Vec<f64> = all.iter().filter_map(margin).collect();
    let fences = tukey_fences(&margins);
    for facts in all {
        if let (Some(start), Some(end)) = (facts.tender_start, facts.tender_end) {
            let days = (end - start).num_days();
            if (0..MIN_SUBMISSION_DAYS).contains(&days) {
                flags.push(flag(
                    Indicator::ShortSubmissionPeriod,
                    facts,
                    format!("{days} days from {start} to {end}, under {MIN_SUBMISSION_DAYS}"),
                ));
            }
        }
        let competitive = matches!(facts.method.as_deref(), Some("open" | "selective"));
        if competitive && facts.number_of_tenderers == Some(1) {
            flags.push(flag(Indicator::SingleBid, facts, "one tenderer in an open or selective procedure".into()));
        }
        let mut by_price: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
        for (bidder, price) in &facts.bids {
            by_price.entry(price.pence()).or_default().push(bidder);
        }
        for (pence, bidders) in by_price.iter().filter(|(_, b)| b.len() > 1) {
            flags.push(flag(
                Indicator::IdenticalBidPrices,
                facts,
                format!("{} bid {}", bidders.join(" and "), Money::from_pence(*pence)),
            ));
        }
        if let (Some(m), Some((lower, upper))) = (margin(facts), fences) {
            if m <= lower {
                flags.push(flag(
                    Indicator::PriceCloseToWinningBid,
                    facts,
                    format!("the runner-up was {:.1}% above the winner (lower fence {:.1}%)", m * 100.0, lower * 100.0),
                ));
            }
            if m >= upper {
                flags.push(flag(
                    Indicator::HeavilyDiscountedBid,
                    facts,
                    format!("the runner-up was {:.1}% above the winner (upper fence {:.1}%)", m * 100.0, upper * 100.0),
                ));
            }
        }
        if let (Some(awarded), Some(from)) = (facts.award_date, facts.award_allowed_from)
            && awarded < from
        {
            flags.push(flag(
                Indicator::AwardBeforeStandstillEnd,
                facts,
                format!("awarded on {awarded}; the standstill allowed an award from {from}"),
            ));
        }
    }
    flags
}

/// Direct award C decisions (service, provider) raise a flag from the second renewal of the
/// same service to the same provider: the incumbent is renewed without the market being
/// tested. `decisions` are (reference, service, provider) in date order.
pub fn repeated_direct_award_c(decisions: &[(String, String, String)]) -> Vec<Flag> {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut flags = Vec::new();
    for (id, service, provider) in decisions {
        let key = (service.trim().to_lowercase(), provider.clone());
        let n = seen.entry(key).or_default();
        *n += 1;
        if *n >= 2 {
            flags.push(Flag {
                indicator: Indicator::RepeatedDirectAwardC,
                id: id.clone(),
                title: service.clone(),
                buyer: String::new(),
                detail: format!("direct award C number {n} of this service to {provider}"),
            });
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        crate::period::parse_date(text).unwrap()
    }

    fn bids(prices: &[(&str, i64)]) -> Vec<(String, Money)> {
        prices.iter().map(|(b, p)| ((*b).to_owned(), Money::from_pence(*p * 100))).collect()
    }

    #[test]
    fn fences_follow_type_7_quartiles_and_skip_an_all_zero_spread() {
        // Quartiles of 1..=9 by type 7 are 3 and 7; IQR 4.
        let values: Vec<f64> = (1..=9).map(f64::from).collect();
        assert_eq!(tukey_fences(&values), Some((-3.0, 13.0)));
        assert_eq!(tukey_fences(&[0.0, 0.0, 0.0, 0.0, 5.0]), None, "Q1 = Q3 = 0");
        assert_eq!(tukey_fences(&[]), None);
        assert_eq!(tukey_fences(&[2.0, 2.0]), Some((2.0, 2.0)));
    }

    #[test]
    fn each_indicator_fires_on_its_case_and_not_on_its_neighbour() {
        let base = |id: &str| ProcessFacts { id: id.into(), title: id.into(), ..ProcessFacts::default() };
        let short =
            ProcessFacts { tender_start: Some(d("2025-01-01")), tender_end: Some(d("2025-01-15")), ..base("short") };
        let enough =
            ProcessFacts { tender_start: Some(d("2025-01-01")), tender_end: Some(d("2025-01-16")), ..base("enough") };
        let single = ProcessFacts { method: Some("open".into()), number_of_tenderers: Some(1), ..base("single") };
        let direct = ProcessFacts { method: Some("direct".into()), number_of_tenderers: Some(1), ..base("direct") };
        let identical = ProcessFacts { bids: bids(&[("A", 100), ("B", 100), ("C", 120)]), ..base("identical") };
        let early = ProcessFacts {
            award_date: Some(d("2025-03-10")),
            award_allowed_from: Some(d("2025-03-12")),
            ..base("early")
        };
        let on_time = ProcessFacts {
            award_date: Some(d("2025-03-12")),
            award_allowed_from: Some(d("2025-03-12")),
            ..base("on_time")
        };
        let flags = process_flags(&[short, enough, single, direct, identical, early, on_time]);
        let raised: Vec<(&str, &str)> = flags.iter().map(|f| (f.indicator.code(), f.id.as_str())).collect();
        assert_eq!(raised, [("R003", "short"), ("R018", "single"), ("R028", "identical"), ("C002", "early")]);
        assert_eq!(flags[2].detail, "A and B bid £100.00");
    }

    #[test]
    fn margins_outside_the_fences_flag_close_and_discounted_winners() {
        // Runner-up margins of 10% … 20% for most, 0.1% for one and 90% for another.
        let mut all: Vec<ProcessFacts> = [10, 12, 14, 15, 16, 18, 20]
            .iter()
            .map(|m| ProcessFacts {
                id: format!("m{m}"),
                bids: bids(&[("W", 1000), ("R", 1000 + m * 10)]),
                winner: Some("W".into()),
                ..ProcessFacts::default()
            })
            .collect();
        all.push(ProcessFacts {
            id: "close".into(),
            bids: bids(&[("W", 1000), ("R", 1001)]),
            winner: Some("W".into()),
            ..ProcessFacts::default()
        });
        all.push(ProcessFacts {
            id: "discounted".into(),
            bids: bids(&[("W", 1000), ("R", 1900), ("S", 2000)]),
            winner: Some("W".into()),
            ..ProcessFacts::default()
        });
        // A winner that was not the cheapest has a negative margin: close, not discounted.
        let raised: Vec<(&str, String)> = process_flags(&all).into_iter().map(|f| (f.indicator.code(), f.id)).collect();
        assert_eq!(raised, [("R024", "close".to_owned()), ("R058", "discounted".to_owned())]);
    }

    #[test]
    fn a_direct_award_c_renewal_is_flagged_from_the_second() {
        let decisions = [
            ("D1".to_owned(), "Community MSK".to_owned(), "R9A".to_owned()),
            ("D2".to_owned(), "Wound care".to_owned(), "R9A".to_owned()),
            ("D3".to_owned(), "community msk ".to_owned(), "R9A".to_owned()),
            ("D4".to_owned(), "Community MSK".to_owned(), "R9B".to_owned()),
        ];
        let flags = repeated_direct_award_c(&decisions);
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].id, "D3");
        assert_eq!(flags[0].detail, "direct award C number 2 of this service to R9A");
    }
}
