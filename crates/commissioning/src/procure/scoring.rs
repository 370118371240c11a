//! Tender evaluation arithmetic (DOMAIN.md B5): price points by a published formula, quality
//! points from moderated 0–5 scores, the pass/fail and minimum-quality gates, the abnormally
//! low bid flag, and the ranking with its tie-break.

use serde::{Deserialize, Serialize};

use crate::money::Money;

/// How price is scored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceFormula {
    /// `weight × lowest / bid`, the most used [S].
    #[default]
    RelativeToLowest,
    /// `weight × max(0, 1 − (bid − lowest) / lowest)`: a bid twice the lowest scores 0 [K].
    LinearDeviation,
    /// `weight × (highest − bid) / (highest − lowest)`; every bid scores the weight when all
    /// are equal [K].
    RangeNormalised,
}

impl PriceFormula {
    pub fn code(self) -> &'static str {
        match self {
            PriceFormula::RelativeToLowest => "relative_to_lowest",
            PriceFormula::LinearDeviation => "linear_deviation",
            PriceFormula::RangeNormalised => "range_normalised",
        }
    }

    pub fn parse(text: &str) -> Option<PriceFormula> {
        [PriceFormula::RelativeToLowest, PriceFormula::LinearDeviation, PriceFormula::RangeNormalised]
            .into_iter()
            .find(|f| f.code() == text.trim())
    }
}

/// Price points of each bid (in the order given) out of `weight`. Bids must be above zero.
pub fn price_points(formula: PriceFormula, weight: f64, bids: &[Money]) -> Result<Vec<f64>, String> {
    if let Some(bad) = bids.iter().find(|b| b.pence() <= 0) {
        return Err(format!("a bid price of {bad} cannot be scored: prices must be above zero"));
    }
    let Some(lowest) = bids.iter().map(|b| b.pence()).min() else { return Ok(Vec::new()) };
    let highest = bids.iter().map(|b| b.pence()).max().expect("not empty");
    let (low, high) = (lowest as f64, highest as f64);
    Ok(bids
        .iter()
        .map(|bid| {
            let price = bid.pence() as f64;
            match formula {
                PriceFormula::RelativeToLowest => weight * low / price,
                PriceFormula::LinearDeviation => weight * (1.0 - (price - low) / low).max(0.0),
                PriceFormula::RangeNormalised if highest == lowest => weight,
                PriceFormula::RangeNormalised => weight * (high - price) / (high - low),
            }
        })
        .collect())
}

/// The 0–5 scale and what each score means [S].
pub const SCALE_MAX: u8 = 5;
pub const SCALE: [(u8, &str); 6] = [
    (0, "Unacceptable: no response, or it fails to meet the requirement"),
    (1, "Poor: serious reservations"),
    (2, "Weak: minor reservations"),
    (3, "Acceptable: meets the requirement"),
    (4, "Good: meets it with some added value"),
    (5, "Excellent: exceeds it with evidenced added value"),
];

/// A weighted quality criterion and a bid's moderated score on it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CriterionScore {
    pub weight: f64,
    pub score: u8,
    /// The lowest score the bid may have on this criterion and stay in (0 for none).
    pub minimum: u8,
}

/// `Σ weight × score / 5`.
pub fn quality_points(scores: &[CriterionScore]) -> f64 {
    scores.iter().map(|c| c.weight * f64::from(c.score) / f64::from(SCALE_MAX)).sum()
}

/// A bid as evaluation sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredBid {
    pub bidder: String,
    pub price: Money,
    /// Every mandatory pass/fail question passed.
    pub passed: bool,
    pub quality: Vec<CriterionScore>,
}

/// A bid's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BidResult {
    pub bidder: String,
    pub quality_points: f64,
    pub price_points: f64,
    pub total: f64,
    /// Why it was excluded (failed a pass/fail question or a minimum quality score).
    pub excluded: Option<String>,
    /// More than 20% below the mean of the other bids: investigate before award [K].
    pub abnormally_low: bool,
    /// 1 for the best; excluded bids have none; equal bids share a rank.
    pub rank: Option<usize>,
}

/// How far below the mean of the other bids a price is flagged as abnormally low [K].
pub const ABNORMALLY_LOW_SHARE: f64 = 0.8;

/// Scores and ranks the bids: excluded bids (failed pass/fail, or a score under a criterion's
/// minimum) get no price points and no rank, and do not set the lowest price; the rest are
/// ranked by total, then by quality points, then by lower price; bids equal on all three
/// share a rank.
pub fn evaluate(bids: &[ScoredBid], formula: PriceFormula, price_weight: f64) -> Result<Vec<BidResult>, String> {
    let exclusion = |bid: &ScoredBid| -> Option<String> {
        if !bid.passed {
            return Some("failed a mandatory pass/fail question".into());
        }
        bid.quality
            .iter()
            .enumerate()
            .find(|(_, c)| c.score < c.minimum)
            .map(|(i, c)| format!("scored {} on criterion {}, below its minimum of {}", c.score, i + 1, c.minimum))
    };
    if let Some(bad) = bids.iter().flat_map(|b| &b.quality).find(|c| c.score > SCALE_MAX) {
        return Err(format!("a score of {} is above the scale's 5", bad.score));
    }
    let eligible: Vec<usize> = (0..bids.len()).filter(|i| exclusion(&bids[*i]).is_none()).collect();
    let points = price_points(formula, price_weight, &eligible.iter().map(|i| bids[*i].price).collect::<Vec<_>>())?;
    let mut results: Vec<BidResult> = bids
        .iter()
        .enumerate()
        .map(|(i, bid)| {
            let others: Vec<f64> =
                bids.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, b)| b.price.pence() as f64).collect();
            let abnormally_low = !others.is_empty()
                && (bid.price.pence() as f64) < ABNORMALLY_LOW_SHARE * others.iter().sum::<f64>() / others.len() as f64;
            let quality = quality_points(&bid.quality);
            let price = eligible.iter().position(|e| *e == i).map(|p| points[p]).unwrap_or(0.0);
            let excluded = exclusion(bid);
            BidResult {
                bidder: bid.bidder.clone(),
                quality_points: quality,
                price_points: price,
                total: if excluded.is_some() { 0.0 } else { quality + price },
                excluded,
                abnormally_low,
                rank: None,
            }
        })
        .collect();
    let prices: Vec<Money> = bids.iter().map(|b| b.price).collect();
    rank(&mut results, &prices);
    Ok(results)
}

/// Ranks the bids not excluded by total, then quality points, then lower price (`prices` in
/// the same order); bids equal on all three share a rank.
pub fn rank(results: &mut [BidResult], prices: &[Money]) {
    let key = |r: &BidResult, i: usize| (r.total, r.quality_points, -(prices[i].pence() as f64));
    let mut order: Vec<usize> = (0..results.len()).filter(|i| results[*i].excluded.is_none()).collect();
    order.sort_by(|a, b| key(&results[*b], *b).partial_cmp(&key(&results[*a], *a)).expect("finite scores"));
    let mut current = 0;
    for position in 0..order.len() {
        let i = order[position];
        if position == 0 || key(&results[i], i) != key(&results[order[position - 1]], order[position - 1]) {
            current = position + 1;
        }
        results[i].rank = Some(current);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pounds(p: i64) -> Money {
        Money::from_pence(p * 100)
    }

    #[test]
    fn the_worked_example_of_domain_b5() {
        // DOMAIN.md B5 states it in points: quality A 40 + 30 + 20, B 32 + 20 + 22; price
        // weight 70 (35% on a 200-point scale) with B the lowest price and A 25% above it.
        // A = 146, B = 144: A first despite the higher price.
        let prices = [pounds(1_250_000), pounds(1_000_000)];
        let points = price_points(PriceFormula::RelativeToLowest, 70.0, &prices).unwrap();
        assert_eq!(points, [56.0, 70.0]);
        let result = |bidder: &str, quality: f64, price: f64| BidResult {
            bidder: bidder.into(),
            quality_points: quality,
            price_points: price,
            total: quality + price,
            excluded: None,
            abnormally_low: false,
            rank: None,
        };
        let mut results = [result("A", 40.0 + 30.0 + 20.0, points[0]), result("B", 32.0 + 20.0 + 22.0, points[1])];
        rank(&mut results, &prices);
        assert_eq!((results[0].total, results[1].total), (146.0, 144.0));
        assert_eq!((results[0].rank, results[1].rank), (Some(1), Some(2)));
        // Quality points from 0–5 scores: weight × score / 5.
        let criterion = |weight: f64, score: u8| CriterionScore { weight, score, minimum: 0 };
        assert_eq!(quality_points(&[criterion(40.0, 5), criterion(30.0, 3), criterion(30.0, 4)]), 40.0 + 18.0 + 24.0);
    }

    #[test]
    fn the_other_price_formulas() {
        let bids = [pounds(100_000), pounds(150_000), pounds(200_000), pounds(250_000)];
        assert_eq!(price_points(PriceFormula::LinearDeviation, 40.0, &bids).unwrap(), [40.0, 20.0, 0.0, 0.0]);
        let range = price_points(PriceFormula::RangeNormalised, 30.0, &bids).unwrap();
        assert_eq!(range, [30.0, 20.0, 10.0, 0.0]);
        assert_eq!(price_points(PriceFormula::RangeNormalised, 30.0, &[pounds(5), pounds(5)]).unwrap(), [30.0, 30.0]);
        assert!(price_points(PriceFormula::RelativeToLowest, 30.0, &[pounds(0)]).is_err());
        assert_eq!(PriceFormula::parse("linear_deviation"), Some(PriceFormula::LinearDeviation));
    }

    #[test]
    fn gates_flags_and_ties() {
        let bid = |bidder: &str, price: i64, passed: bool, scores: [u8; 2]| ScoredBid {
            bidder: bidder.into(),
            price: pounds(price),
            passed,
            quality: scores.iter().map(|s| CriterionScore { weight: 30.0, score: *s, minimum: 2 }).collect(),
        };
        let bids = [
            bid("Cheap but failed", 50_000, false, [5, 5]),
            bid("Below minimum", 90_000, true, [1, 5]),
            bid("C", 100_000, true, [4, 3]),
            bid("D", 100_000, true, [3, 4]),
            bid("E", 120_000, true, [5, 5]),
        ];
        let results = evaluate(&bids, PriceFormula::RelativeToLowest, 40.0).unwrap();
        assert!(results[0].excluded.as_deref().unwrap().contains("pass/fail") && results[0].rank.is_none());
        assert!(results[1].excluded.as_deref().unwrap().contains("below its minimum of 2"));
        assert!(results[0].abnormally_low, "£50,000 is under 80% of the others' mean");
        assert!(!results[2].abnormally_low);
        // The excluded cheap bid does not set the lowest price: C and D score the full 40.
        assert_eq!((results[2].price_points, results[3].price_points), (40.0, 40.0));
        // E: 60 + 40 × 100/120 = 93.33 beats C and D (42 + 40 = 82); C and D tie on every key.
        assert_eq!(results[4].rank, Some(1));
        assert_eq!((results[2].rank, results[3].rank), (Some(2), Some(2)));
        let over = [bid("X", 1, true, [6, 0])];
        assert!(evaluate(&over, PriceFormula::RelativeToLowest, 40.0).is_err());
    }
}
