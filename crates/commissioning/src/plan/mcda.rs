//! Multi-criteria decision analysis: criteria with weights (direct or swing), options scored
//! against each, a weighted-sum ranking, and how sensitive the top of the ranking is to the
//! weights.
//!
//! Scores are on a 0–100 value scale where higher is better on every criterion (a cost
//! criterion is scored so that cheaper scores higher). Direct weights are any non-negative
//! numbers; swing weights give the most important swing (worst to best option) 100 and the
//! rest relative to it. Either way the weights are normalised to sum to 1.
//!
//! Sensitivity is one-at-a-time: a criterion's weight moves to w′ and the others keep their
//! proportions, so every option's score is linear in w′. The smallest change that alters the
//! top-k ranking (the order of the first k) is found exactly, from where options' lines
//! cross. The rank-stability table perturbs every weight at once — each multiplied by a
//! uniform factor in [1 − p, 1 + p], then renormalised — and counts how often each option
//! takes each rank.

use serde::{Deserialize, Serialize};

use crate::methods::rng::Xoshiro;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    Direct,
    Swing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub id: String,
    pub name: String,
    /// Raw weight: any non-negative number (direct), or 0–100 with the top swing at 100.
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionScores {
    pub id: String,
    pub name: String,
    /// One score (0–100) per criterion, in the criteria's order.
    pub scores: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mcda {
    pub weighting: Weighting,
    pub criteria: Vec<Criterion>,
    pub options: Vec<OptionScores>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum McdaError {
    #[error("{0}")]
    Invalid(String),
}

/// An option's place in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub id: String,
    pub name: String,
    pub score: f64,
    pub rank: usize,
}

/// The smallest change of one criterion's weight that alters the top-k order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightSensitivity {
    pub criterion: String,
    pub weight: f64,
    /// Smallest rise and fall (in weight, 0–1) that change the top-k; `None` if none does.
    pub increase: Option<f64>,
    pub decrease: Option<f64>,
    /// The options that swap at the nearer of the two.
    pub swap: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McdaResult {
    /// The normalised weights, in the criteria's order.
    pub weights: Vec<f64>,
    pub ranking: Vec<Ranked>,
    pub top_k: usize,
    pub sensitivity: Vec<WeightSensitivity>,
    /// The smallest of all the changes, with its criterion.
    pub most_sensitive: Option<(String, f64)>,
    /// Share of perturbed draws in which each option (ranking order) takes each rank.
    pub stability: Vec<Vec<f64>>,
    pub draws: usize,
    pub perturbation: f64,
}

impl Mcda {
    fn check(&self) -> Result<Vec<f64>, McdaError> {
        let bad = |m: String| Err(McdaError::Invalid(m));
        if self.criteria.is_empty() {
            return bad("add at least one criterion".into());
        }
        if self.options.is_empty() {
            return bad("add at least one option".into());
        }
        for c in &self.criteria {
            if !c.weight.is_finite() || c.weight < 0.0 {
                return bad(format!("criterion {}: the weight must be 0 or more", c.name));
            }
            if self.weighting == Weighting::Swing && c.weight > 100.0 {
                return bad(format!("criterion {}: a swing weight is from 0 to 100", c.name));
            }
        }
        if self.weighting == Weighting::Swing && !self.criteria.iter().any(|c| c.weight == 100.0) {
            return bad("swing weighting gives the most important swing 100".into());
        }
        let total: f64 = self.criteria.iter().map(|c| c.weight).sum();
        if total <= 0.0 {
            return bad("at least one weight must be above 0".into());
        }
        for o in &self.options {
            if o.scores.len() != self.criteria.len() {
                return bad(format!("option {}: give one score per criterion ({})", o.name, self.criteria.len()));
            }
            if let Some(s) = o.scores.iter().find(|s| !s.is_finite() || **s < 0.0 || **s > 100.0) {
                return bad(format!("option {}: score {s} is not from 0 to 100", o.name));
            }
        }
        Ok(self.criteria.iter().map(|c| c.weight / total).collect())
    }
}

fn scores(options: &[OptionScores], weights: &[f64]) -> Vec<f64> {
    options.iter().map(|o| o.scores.iter().zip(weights).map(|(s, w)| s * w).sum()).collect()
}

/// Option indices by score, best first; ties by the options' order.
fn order(scores: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    idx
}

/// Weights with criterion `j` at `w` and the rest in their proportions.
fn moved(weights: &[f64], j: usize, w: f64) -> Vec<f64> {
    let rest = 1.0 - weights[j];
    weights
        .iter()
        .enumerate()
        .map(|(k, &v)| {
            if k == j {
                w
            } else if rest > 0.0 {
                v * (1.0 - w) / rest
            } else {
                (1.0 - w) / (weights.len() - 1) as f64
            }
        })
        .collect()
}

fn sensitivity(model: &Mcda, weights: &[f64], k: usize) -> Vec<WeightSensitivity> {
    let base = order(&scores(&model.options, weights));
    let top: Vec<usize> = base[..k].to_vec();
    (0..weights.len())
        .map(|j| {
            // Each option's score is a + b·w as criterion j's weight w moves.
            let lines: Vec<(f64, f64)> = (0..model.options.len())
                .map(|i| {
                    let at0 = scores(&model.options[i..=i], &moved(weights, j, 0.0))[0];
                    let at1 = scores(&model.options[i..=i], &moved(weights, j, 1.0))[0];
                    (at0, at1 - at0)
                })
                .collect();
            let mut crossings: Vec<f64> = Vec::new();
            for a in 0..lines.len() {
                for b in (a + 1)..lines.len() {
                    if !top.contains(&a) && !top.contains(&b) {
                        continue;
                    }
                    let slope = lines[a].1 - lines[b].1;
                    if slope.abs() > 1e-15 {
                        let w = (lines[b].0 - lines[a].0) / slope;
                        if (0.0..=1.0).contains(&w) {
                            crossings.push(w);
                        }
                    }
                }
            }
            let w0 = weights[j];
            let changes_at = |w: f64| {
                let at = order(&scores(&model.options, &moved(weights, j, w)));
                (at[..k] != top[..]).then(|| {
                    let i = (0..k).find(|&i| at[i] != top[i]).unwrap_or(0);
                    (top[i], at[i])
                })
            };
            let find = |up: bool| -> Option<(f64, (usize, usize))> {
                let mut candidates: Vec<f64> =
                    crossings.iter().copied().filter(|&w| if up { w > w0 + 1e-12 } else { w < w0 - 1e-12 }).collect();
                candidates.sort_by(|a, b| (a - w0).abs().total_cmp(&(b - w0).abs()));
                candidates.into_iter().find_map(|w| {
                    // Just past the crossing, where the order has changed.
                    let past = if up { (w + 1e-9).min(1.0) } else { (w - 1e-9).max(0.0) };
                    changes_at(past).map(|swap| ((w - w0).abs(), swap))
                })
            };
            let up = find(true);
            let down = find(false);
            let nearer = match (&up, &down) {
                (Some(u), Some(d)) => Some(if u.0 <= d.0 { u.1 } else { d.1 }),
                (Some(u), None) => Some(u.1),
                (None, Some(d)) => Some(d.1),
                (None, None) => None,
            };
            WeightSensitivity {
                criterion: model.criteria[j].name.clone(),
                weight: w0,
                increase: up.map(|u| u.0),
                decrease: down.map(|d| d.0),
                swap: nearer.map(|(a, b)| (model.options[a].name.clone(), model.options[b].name.clone())),
            }
        })
        .collect()
}

/// Ranks the options, finds the weight changes that alter the top `k` and tabulates rank
/// stability over `draws` perturbations of ±`perturbation` (a share, 0.2 for 20%).
pub fn analyse(model: &Mcda, k: usize, draws: usize, perturbation: f64, seed: u64) -> Result<McdaResult, McdaError> {
    let weights = model.check()?;
    if !(0.0..1.0).contains(&perturbation) {
        return Err(McdaError::Invalid("the perturbation is a share from 0 to below 1".into()));
    }
    let n = model.options.len();
    let k = k.clamp(1, n);
    let total = scores(&model.options, &weights);
    let ranked = order(&total);
    let ranking = ranked
        .iter()
        .enumerate()
        .map(|(r, &i)| Ranked {
            id: model.options[i].id.clone(),
            name: model.options[i].name.clone(),
            score: total[i],
            rank: r + 1,
        })
        .collect();
    let sensitivity = sensitivity(model, &weights, k);
    let most_sensitive = sensitivity
        .iter()
        .flat_map(|s| [s.increase, s.decrease].into_iter().flatten().map(move |d| (s.criterion.clone(), d)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let mut counts = vec![vec![0usize; n]; n];
    let mut rng = Xoshiro::for_stream(seed, 0);
    for _ in 0..draws {
        let mut w: Vec<f64> =
            weights.iter().map(|w| w * (1.0 - perturbation + 2.0 * perturbation * rng.uniform())).collect();
        let sum: f64 = w.iter().sum();
        w.iter_mut().for_each(|v| *v /= sum);
        for (rank, i) in order(&scores(&model.options, &w)).into_iter().enumerate() {
            counts[i][rank] += 1;
        }
    }
    let stability = ranked
        .iter()
        .map(|&i| counts[i].iter().map(|&c| if draws == 0 { 0.0 } else { c as f64 / draws as f64 }).collect())
        .collect();
    Ok(McdaResult { weights, ranking, top_k: k, sensitivity, most_sensitive, stability, draws, perturbation })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(weighting: Weighting, weights: &[f64], options: &[(&str, &[f64])]) -> Mcda {
        Mcda {
            weighting,
            criteria: weights
                .iter()
                .enumerate()
                .map(|(i, &w)| Criterion { id: format!("c{i}"), name: format!("C{i}"), weight: w })
                .collect(),
            options: options
                .iter()
                .map(|(name, scores)| OptionScores {
                    id: name.to_string(),
                    name: name.to_string(),
                    scores: scores.to_vec(),
                })
                .collect(),
        }
    }

    #[test]
    fn swing_weights_normalise_and_rank_by_weighted_sum() {
        let m =
            model(Weighting::Swing, &[100.0, 50.0, 50.0], &[("A", &[80.0, 20.0, 20.0]), ("B", &[40.0, 90.0, 60.0])]);
        let r = analyse(&m, 1, 0, 0.2, 1).unwrap();
        assert_eq!(r.weights, vec![0.5, 0.25, 0.25]);
        assert_eq!(r.ranking[0].name, "B");
        assert!((r.ranking[0].score - 57.5).abs() < 1e-12);
        assert!((r.ranking[1].score - 50.0).abs() < 1e-12);
    }

    #[test]
    fn the_smallest_change_is_where_the_lines_cross() {
        // Two criteria at 0.5 each: A = 50w + 30, B = 70 − 30w... A (90, 10), B (40, 70).
        // A(w) = 10 + 80w, B(w) = 70 − 30w: equal at w = 60/110 = 0.5454…, so a rise of
        // 0.04545… in criterion 0's weight puts A first.
        let m = model(Weighting::Direct, &[1.0, 1.0], &[("A", &[90.0, 10.0]), ("B", &[40.0, 70.0])]);
        let r = analyse(&m, 1, 200, 0.2, 7).unwrap();
        assert_eq!(r.ranking[0].name, "B");
        let c0 = &r.sensitivity[0];
        assert!((c0.increase.unwrap() - (60.0 / 110.0 - 0.5)).abs() < 1e-9);
        assert_eq!(c0.decrease, None);
        assert_eq!(c0.swap, Some(("B".into(), "A".into())));
        let (criterion, change) = r.most_sensitive.clone().unwrap();
        assert_eq!(criterion, "C0");
        assert!((change - 0.0454545).abs() < 1e-6);
        // Perturbing ±20% moves the weight by up to about 0.09, so A sometimes wins.
        let b_first = r.stability[0][0];
        assert!(b_first > 0.5 && b_first < 1.0, "B first in {b_first}");
        assert!((r.stability[0].iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_dominant_option_is_stable() {
        let m = model(Weighting::Direct, &[3.0, 1.0, 2.0], &[("A", &[90.0, 90.0, 90.0]), ("B", &[10.0, 20.0, 30.0])]);
        let r = analyse(&m, 1, 500, 0.5, 3).unwrap();
        assert_eq!(r.stability[0][0], 1.0);
        assert!(r.sensitivity.iter().all(|s| s.increase.is_none() && s.decrease.is_none()));
    }

    #[test]
    fn bad_models_are_refused() {
        assert!(analyse(&model(Weighting::Swing, &[80.0, 50.0], &[("A", &[1.0, 2.0])]), 1, 0, 0.2, 1).is_err());
        assert!(analyse(&model(Weighting::Direct, &[1.0], &[("A", &[101.0])]), 1, 0, 0.2, 1).is_err());
        assert!(analyse(&model(Weighting::Direct, &[1.0, 1.0], &[("A", &[1.0])]), 1, 0, 0.2, 1).is_err());
        assert!(analyse(&model(Weighting::Direct, &[0.0], &[("A", &[1.0])]), 1, 0, 0.2, 1).is_err());
    }
}
