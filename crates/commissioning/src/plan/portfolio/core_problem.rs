//! The core problem: an exact dynamic programme over the candidates a search leaves free,
//! grouped into stages, that proves or improves the incumbent where branching would have to
//! enumerate hundreds of near-critical candidates (ADR 0016).
//!
//! The free candidates fall into components joined by their groups and dependencies. Each
//! component is a stage whose options are its feasible subsets (the empty one among them), so
//! every constraint among free candidates is met inside a stage and the stages are independent
//! but for the budget. The programme keeps, after each stage, the Pareto frontier of
//! (cost, benefit) of the choices so far. A state is dropped when it cannot meet the budget
//! with every saving still to come, or when its Lagrangian bound with one multiplier `r` on the
//! budget — its benefit, plus `r` times its headroom, plus for each stage still to come the
//! best of its options' benefit less `r` times their cost — cannot beat the incumbent. That
//! bound holds for any `r ≥ 0`; the `r` that minimises it at the start equals the linear
//! relaxation over the stages' convex hulls, at least as tight as the search's own bound, and
//! it makes any stage whose options differ by more than the gap collapse to one option at once.

use super::{EPS, Search, State};

/// A component of the free candidates larger than this is not enumerated.
const MAX_COMPONENT: usize = 14;
/// Nor is one with more feasible subsets than this.
const MAX_OPTIONS: usize = 512;

struct Stage {
    /// Feasible subsets as (cost, benefit, members); the first is the empty one.
    options: Vec<(i64, f64, Vec<usize>)>,
}

/// A state of the programme: cost and benefit of the choices so far, and its record in the
/// arena of choices (or `u32::MAX` when nothing has been chosen).
#[derive(Clone, Copy)]
struct Point {
    cost: i64,
    benefit: f64,
    record: u32,
}

/// One choice: the record before it, the stage and the option chosen there.
struct Record {
    parent: u32,
    stage: u32,
    option: u32,
}

/// What the programme found.
pub(super) enum Outcome {
    /// A portfolio better than the incumbent, the best there is at this node.
    Better(Vec<bool>),
    /// Nothing better than the incumbent exists at this node.
    Proved,
    /// The free candidates are too entangled, or the frontier outgrew `max_states`.
    Unsolved,
}

/// Solves the node `search` is at exactly, against its incumbent.
pub(super) fn solve(search: &Search, max_states: usize) -> Outcome {
    let model = search.model;
    let Some(stages) = stages(search) else { return Outcome::Unsolved };
    let room = model.budget - search.cost_in;
    let fixed: f64 = (0..search.state.len()).filter(|&i| search.state[i] == State::In).map(|i| model.benefit[i]).sum();
    let target = search.best - fixed;
    let r = multiplier(&stages, room);
    let reduced = |option: &(i64, f64, Vec<usize>)| option.1 - r * option.0 as f64;
    // Decisive stages first: those whose best option leads the next by most.
    let mut order: Vec<usize> = (0..stages.len()).collect();
    let regret: Vec<f64> = stages
        .iter()
        .map(|stage| {
            let mut values: Vec<f64> = stage.options.iter().map(reduced).collect();
            values.sort_by(|a, b| b.total_cmp(a));
            values[0] - values.get(1).copied().unwrap_or(f64::NEG_INFINITY)
        })
        .collect();
    order.sort_by(|&a, &b| regret[b].total_cmp(&regret[a]));
    // What the stages still to come can add to a bound, and save at most.
    let mut still_best = vec![0.0; order.len() + 1];
    let mut still_saving = vec![0i64; order.len() + 1];
    for k in (0..order.len()).rev() {
        let stage = &stages[order[k]];
        still_best[k] = still_best[k + 1] + stage.options.iter().map(reduced).fold(f64::NEG_INFINITY, f64::max);
        still_saving[k] = still_saving[k + 1] + stage.options.iter().map(|o| o.0).min().unwrap_or(0);
    }
    let mut arena: Vec<Record> = Vec::new();
    let mut states = vec![Point { cost: 0, benefit: 0.0, record: u32::MAX }];
    let mut next: Vec<Point> = Vec::new();
    let mut shifted: Vec<Point> = Vec::new();
    for (k, &s) in order.iter().enumerate() {
        let stage = &stages[s];
        let keep = |p: &Point| {
            p.cost + still_saving[k + 1] <= room
                && p.benefit + r * (room - p.cost) as f64 + still_best[k + 1] > target + EPS
        };
        next.clear();
        next.extend(states.iter().copied().filter(keep));
        for (o, option) in stage.options.iter().enumerate().skip(1) {
            shifted.clear();
            shifted.extend(
                states
                    .iter()
                    .map(|p| Point { cost: p.cost + option.0, benefit: p.benefit + option.1, record: p.record })
                    .filter(keep),
            );
            if shifted.is_empty() {
                continue;
            }
            // The survivors that took this option get a record of it, whose parent is the
            // record they had.
            next = merge(&next, &shifted)
                .into_iter()
                .map(|(p, took)| {
                    if !took {
                        return p;
                    }
                    arena.push(Record { parent: p.record, stage: s as u32, option: o as u32 });
                    Point { record: (arena.len() - 1) as u32, ..p }
                })
                .collect();
        }
        std::mem::swap(&mut states, &mut next);
        if states.len() > max_states || arena.len() > 8 * max_states || arena.len() >= u32::MAX as usize - 1 {
            return Outcome::Unsolved;
        }
        if states.is_empty() {
            return Outcome::Proved;
        }
    }
    let Some(best) = states.iter().filter(|p| p.cost <= room).max_by(|a, b| a.benefit.total_cmp(&b.benefit)) else {
        return Outcome::Proved;
    };
    if best.benefit <= target + EPS {
        return Outcome::Proved;
    }
    let mut take: Vec<bool> = search.state.iter().map(|s| *s == State::In).collect();
    let mut record = best.record;
    while record != u32::MAX {
        let Record { parent, stage, option } = arena[record as usize];
        for &i in &stages[stage as usize].options[option as usize].2 {
            take[i] = true;
        }
        record = parent;
    }
    Outcome::Better(take)
}

/// Merges two frontiers sorted by cost into one, dropping every point that costs as much as
/// another and gives no more; each survivor says whether it came from `b`.
fn merge(a: &[Point], b: &[Point]) -> Vec<(Point, bool)> {
    let mut out: Vec<(Point, bool)> = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    let push = |p: Point, from_b: bool, out: &mut Vec<(Point, bool)>| {
        if let Some(last) = out.last_mut() {
            if p.benefit <= last.0.benefit + EPS {
                return;
            }
            if p.cost == last.0.cost {
                *last = (p, from_b);
                return;
            }
        }
        out.push((p, from_b));
    };
    while i < a.len() || j < b.len() {
        let take_a = j >= b.len() || (i < a.len() && (a[i].cost, -a[i].benefit) <= (b[j].cost, -b[j].benefit));
        if take_a {
            push(a[i], false, &mut out);
            i += 1;
        } else {
            push(b[j], true, &mut out);
            j += 1;
        }
    }
    out
}

/// The stages of the free candidates, or `None` when a component is too large to enumerate.
fn stages(search: &Search) -> Option<Vec<Stage>> {
    let model = search.model;
    let free = |i: usize| search.state[i] == State::Free;
    let n = search.state.len();
    let mut component = vec![usize::MAX; n];
    let mut stages = Vec::new();
    let mut members = Vec::new();
    for &start in &search.core {
        if !free(start) || component[start] != usize::MAX {
            continue;
        }
        members.clear();
        members.push(start);
        component[start] = stages.len();
        let mut k = 0;
        while k < members.len() {
            let i = members[k];
            k += 1;
            for &j in model.requires[i].iter().chain(&model.dependents[i]).chain(&model.rivals[i]) {
                if free(j) && component[j] == usize::MAX {
                    component[j] = stages.len();
                    members.push(j);
                }
            }
            if members.len() > MAX_COMPONENT {
                return None;
            }
        }
        stages.push(Stage { options: subsets(search, &members)? });
    }
    Some(stages)
}

/// The feasible subsets of a component, the empty one first: every prerequisite taken or
/// already in, at most one of each group.
fn subsets(search: &Search, members: &[usize]) -> Option<Vec<(i64, f64, Vec<usize>)>> {
    let model = search.model;
    let position = |j: usize| members.iter().position(|&m| m == j);
    let mut options = Vec::new();
    for mask in 0u32..(1 << members.len()) {
        let on = |j: usize| position(j).is_some_and(|p| mask & (1 << p) != 0);
        let feasible = members.iter().enumerate().filter(|(p, _)| mask & (1 << p) != 0).all(|(_, &i)| {
            model.requires[i].iter().all(|&j| search.state[j] == State::In || on(j))
                && model.rivals[i].iter().all(|&j| !on(j))
        });
        if feasible {
            let chosen: Vec<usize> =
                members.iter().enumerate().filter(|(p, _)| mask & (1 << p) != 0).map(|(_, &i)| i).collect();
            let cost = chosen.iter().map(|&i| model.cost[i]).sum();
            let benefit = chosen.iter().map(|&i| model.benefit[i]).sum();
            options.push((cost, benefit, chosen));
            if options.len() > MAX_OPTIONS {
                return None;
            }
        }
    }
    Some(options)
}

/// The multiplier on the budget that minimises the bound at the start: the bound is convex
/// and piecewise linear in it, so a search over the ratios at which options trade places
/// finds it.
fn multiplier(stages: &[Stage], room: i64) -> f64 {
    let bound = |r: f64| {
        r * room as f64
            + stages
                .iter()
                .map(|s| s.options.iter().map(|o| o.1 - r * o.0 as f64).fold(f64::NEG_INFINITY, f64::max))
                .sum::<f64>()
    };
    let mut breaks: Vec<f64> = Vec::new();
    for stage in stages {
        for a in &stage.options {
            for b in &stage.options {
                if a.0 < b.0 && b.1 > a.1 {
                    breaks.push((b.1 - a.1) / (b.0 - a.0) as f64);
                }
            }
        }
    }
    breaks.push(0.0);
    breaks.sort_by(f64::total_cmp);
    breaks.dedup();
    // Convex: the minimum over the breakpoints by bisection on the slope.
    let (mut lo, mut hi) = (0, breaks.len() - 1);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if bound(breaks[mid]) <= bound(breaks[mid + 1]) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    breaks[lo]
}

#[cfg(test)]
mod tests {
    use super::super::{Candidate, Problem, Search, State, validate};
    use super::{Outcome, solve};

    fn chain(n: usize, budget: i64) -> Problem {
        let candidates = (0..n)
            .map(|i| Candidate {
                id: format!("c{i}"),
                name: String::new(),
                cost_pence: 100 + i as i64 * 7,
                benefit: 100.0 + i as f64 * 7.5,
                mandatory: false,
                group: None,
                requires: if i > 0 { vec![format!("c{}", i - 1)] } else { Vec::new() },
            })
            .collect();
        Problem { budget_pence: budget, candidates, node_limit: None }
    }

    #[test]
    fn a_component_too_large_to_enumerate_is_left_to_branching() {
        let problem = chain(15, 900);
        let model = validate(&problem).unwrap();
        let mut search = Search::new(&model, vec![State::Free; 15], 0);
        search.best = 0.0;
        assert!(matches!(solve(&search, 1_000), Outcome::Unsolved));
    }

    #[test]
    fn decides_a_chain_small_enough_to_enumerate() {
        // Seven of the chain fit (cost 847), worth 857.5; the programme finds them.
        let problem = chain(10, 900);
        let model = validate(&problem).unwrap();
        let mut search = Search::new(&model, vec![State::Free; 10], 0);
        search.best = 0.0;
        let Outcome::Better(take) = solve(&search, 1_000) else { panic!("expected a portfolio") };
        assert_eq!(take, [true, true, true, true, true, true, true, false, false, false]);
        // Against that incumbent, it proves there is nothing better.
        search.best = 857.5;
        assert!(matches!(solve(&search, 1_000), Outcome::Proved));
    }

    #[test]
    fn gives_up_when_the_frontier_outgrows_its_limit() {
        // Twelve independent candidates of nearly equal ratio: many undominated states.
        let mut problem = chain(12, 700);
        for c in &mut problem.candidates {
            c.requires.clear();
        }
        let model = validate(&problem).unwrap();
        let mut search = Search::new(&model, vec![State::Free; 12], 0);
        search.best = 0.0;
        assert!(matches!(solve(&search, 3), Outcome::Unsolved));
    }
}
