//! Programme budgeting and marginal analysis: the portfolio of investments and disinvestments
//! that maximises benefit within a budget, solved exactly.
//!
//! Each candidate has a cost in pence (negative for a disinvestment, which frees money) and a
//! benefit (QALYs or points; negative for a disinvestment, which gives benefit up). Constraints:
//! the budget, mandatory candidates, groups of mutually exclusive options (at most one of a
//! group) and dependencies (a candidate needs all of its prerequisites).
//!
//! The solver is a depth-first branch and bound (ADR 0016). Each node's bound is the linear
//! relaxation of the knapsack with the groups and dependencies dropped — a disinvestment is
//! first taken and then "bought back" as an ordinary item — so the bound never falls below
//! the best portfolio in the node's subtree; a node is pruned only when its bound cannot beat
//! the incumbent, so the portfolio returned is optimal. Fixing a candidate propagates: taking
//! it takes its prerequisites and rules out the rest of its group; ruling it out rules out
//! whatever depends on it. The candidates left open after fixing at the root are decided by an
//! exact dynamic programme over their core ([`core_problem`]) where they are few and loosely enough
//! tied; otherwise by branching. The number of nodes is reported, and a node limit turns a
//! search that would run on into an error rather than an unproven answer.

use std::collections::HashMap;

mod core_problem;

use serde::{Deserialize, Serialize};

/// One candidate investment or disinvestment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// Pence a year; negative when the candidate saves money (a disinvestment).
    pub cost_pence: i64,
    /// QALYs or points; negative when the candidate gives benefit up.
    pub benefit: f64,
    #[serde(default)]
    pub mandatory: bool,
    /// Candidates sharing a group are alternatives: at most one is chosen.
    #[serde(default)]
    pub group: Option<String>,
    /// Ids of the candidates this one needs.
    #[serde(default)]
    pub requires: Vec<String>,
}

/// What to solve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    pub budget_pence: i64,
    pub candidates: Vec<Candidate>,
    /// Give up after this many nodes (default ten million).
    #[serde(default)]
    pub node_limit: Option<u64>,
}

/// Why a problem cannot be solved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PortfolioError {
    #[error("candidate {index}: {message}")]
    Candidate { index: usize, message: String },
    #[error("the budget must not be negative")]
    NegativeBudget,
    #[error("no portfolio meets the constraints: {0}")]
    Infeasible(String),
    #[error(
        "the search passed {0} nodes without proving a portfolio optimal; simplify the constraints or raise node_limit"
    )]
    NodeLimit(u64),
}

/// The optimal portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Portfolio {
    /// Chosen candidates' ids, in the problem's order.
    pub chosen: Vec<String>,
    pub cost_pence: i64,
    pub benefit: f64,
    pub budget_pence: i64,
    pub headroom_pence: i64,
    /// Benefit per pound at the margin: the budget's shadow price in the linear relaxation
    /// with the chosen portfolio's mandatory items fixed (benefit a further pound buys).
    pub marginal_benefit_per_pound: f64,
    /// The unchosen candidate, allowed with the chosen ones, with the most benefit per pound:
    /// the next to fund if money were found, with the money it needs beyond the headroom.
    pub next_candidate: Option<NextCandidate>,
    /// Branch-and-bound nodes explored.
    pub nodes: u64,
    /// Candidates left open by the search that the exact dynamic programme over them decided
    /// (0 when the search decided them all).
    pub core_candidates: usize,
    /// The greedy portfolio's benefit (by benefit per pound, skipping what does not fit), for
    /// comparison: the optimum is never worse.
    pub greedy_benefit: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextCandidate {
    pub id: String,
    pub benefit_per_pound: f64,
    pub shortfall_pence: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Free,
    In,
    Out,
}

#[derive(Clone)]
struct Model {
    cost: Vec<i64>,
    benefit: Vec<f64>,
    requires: Vec<Vec<usize>>,
    dependents: Vec<Vec<usize>>,
    rivals: Vec<Vec<usize>>,
    /// Group of each candidate, as an index into the groups.
    group_of: Vec<Option<usize>>,
    groups: usize,
    /// Dependencies as (dependent, prerequisite).
    edges: Vec<(usize, usize)>,
    budget: i64,
    /// Lagrangian benefits: the benefit less the multipliers of the dependencies and groups
    /// (ADR 0016); the relaxation with them is a bound for any multipliers.
    adjusted: Vec<f64>,
    /// The multipliers' constant: the sum of the groups' multipliers.
    constant: f64,
    /// Relaxation order: items by adjusted benefit per pound of their knapsack form.
    order: Vec<usize>,
}

impl Model {
    fn set_multipliers(&mut self, lambda: &[f64], mu: &[f64]) {
        self.adjusted.clone_from(&self.benefit);
        for (d, &(i, j)) in self.edges.iter().enumerate() {
            self.adjusted[i] -= lambda[d];
            self.adjusted[j] += lambda[d];
        }
        for (i, g) in self.group_of.iter().enumerate() {
            if let Some(g) = g {
                self.adjusted[i] -= mu[*g];
            }
        }
        self.constant = mu.iter().sum();
        let (cost, adjusted) = (&self.cost, &self.adjusted);
        self.order
            .sort_by(|&a, &b| ratio(cost[b], adjusted[b]).total_cmp(&ratio(cost[a], adjusted[a])).then(a.cmp(&b)));
    }
}

struct Search<'a> {
    model: &'a Model,
    state: Vec<State>,
    trail: Vec<usize>,
    cost_in: i64,
    adjusted_in: f64,
    best: f64,
    best_take: Option<Vec<bool>>,
    nodes: u64,
    limit: u64,
    /// The items still free after reduced-cost fixing, in relaxation order.
    core: Vec<usize>,
}

/// The relaxation of a node.
struct Relaxed {
    bound: f64,
    /// The item taken in part, if any, and the critical ratio (adjusted benefit per penny).
    fractional: Option<usize>,
    critical: f64,
    /// Each free item's value in the relaxation (0–1); fixed items at their state.
    x: Vec<f64>,
}

const EPS: f64 = 1e-9;
/// The largest frontier the core programme may hold before the search branches instead.
const CORE_STATES: usize = 500_000;

fn validate(problem: &Problem) -> Result<Model, PortfolioError> {
    if problem.budget_pence < 0 {
        return Err(PortfolioError::NegativeBudget);
    }
    let n = problem.candidates.len();
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(n);
    for (i, candidate) in problem.candidates.iter().enumerate() {
        let bad = |message: String| PortfolioError::Candidate { index: i + 1, message };
        if candidate.id.trim().is_empty() {
            return Err(bad("the id is empty".into()));
        }
        if !candidate.benefit.is_finite() {
            return Err(bad(format!("{}: the benefit must be a finite number", candidate.id)));
        }
        if index.insert(candidate.id.as_str(), i).is_some() {
            return Err(bad(format!("{}: the id is used twice", candidate.id)));
        }
    }
    let mut requires = vec![Vec::new(); n];
    let mut dependents = vec![Vec::new(); n];
    let mut edges = Vec::new();
    for (i, candidate) in problem.candidates.iter().enumerate() {
        for id in &candidate.requires {
            let Some(&j) = index.get(id.as_str()) else {
                return Err(PortfolioError::Candidate {
                    index: i + 1,
                    message: format!("{} requires {id}, which is not a candidate", candidate.id),
                });
            };
            if j == i {
                return Err(PortfolioError::Candidate {
                    index: i + 1,
                    message: format!("{} requires itself", candidate.id),
                });
            }
            if !requires[i].contains(&j) {
                requires[i].push(j);
                dependents[j].push(i);
                edges.push((i, j));
            }
        }
    }
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut group_of = vec![None; n];
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, candidate) in problem.candidates.iter().enumerate() {
        if let Some(group) = candidate.group.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
            let g = *names.entry(group).or_insert_with(|| {
                members.push(Vec::new());
                members.len() - 1
            });
            members[g].push(i);
            group_of[i] = Some(g);
        }
    }
    let mut rivals = vec![Vec::new(); n];
    for group in &members {
        for &i in group {
            rivals[i].extend(group.iter().copied().filter(|&j| j != i));
        }
    }
    let benefit: Vec<f64> = problem.candidates.iter().map(|c| c.benefit).collect();
    let mut model = Model {
        cost: problem.candidates.iter().map(|c| c.cost_pence).collect(),
        adjusted: benefit.clone(),
        benefit,
        requires,
        dependents,
        rivals,
        group_of,
        groups: members.len(),
        edges,
        budget: problem.budget_pence,
        constant: 0.0,
        order: (0..n).collect(),
    };
    let (lambda, mu) = (vec![0.0; model.edges.len()], vec![0.0; model.groups]);
    model.set_multipliers(&lambda, &mu);
    Ok(model)
}

/// Benefit per penny of an item's knapsack form (a disinvestment bought back has weight
/// −cost and value −benefit, the same ratio); free items sort first, worthless ones last.
fn ratio(cost: i64, benefit: f64) -> f64 {
    if cost == 0 { if benefit > 0.0 { f64::INFINITY } else { f64::NEG_INFINITY } } else { benefit / cost as f64 }
}

/// An item as the relaxation sees it: (weight in pence, value). A disinvestment is taken
/// first, so its item is the buying back: weight −cost, value −benefit.
fn knapsack_form(cost: i64, benefit: f64) -> (f64, f64) {
    if cost < 0 { (-(cost as f64), -benefit) } else { (cost as f64, benefit) }
}

impl<'a> Search<'a> {
    /// A search over `model` from `state` (the mandatory items and what they bring, or
    /// nothing fixed), its cost and adjusted benefit counted from the state.
    fn new(model: &'a Model, state: Vec<State>, limit: u64) -> Search<'a> {
        let fixed = (0..state.len()).filter(|&i| state[i] == State::In);
        let cost_in = fixed.clone().map(|i| model.cost[i]).sum();
        let adjusted_in = fixed.map(|i| model.adjusted[i]).sum();
        Search {
            model,
            state,
            trail: Vec::new(),
            cost_in,
            adjusted_in,
            best: f64::NEG_INFINITY,
            best_take: None,
            nodes: 0,
            limit,
            core: model.order.clone(),
        }
    }

    /// The search with every mandatory candidate fixed in, with what it brings; `None` when
    /// the mandatory candidates conflict, naming the first that does.
    fn with_mandatory(model: &'a Model, problem: &Problem, limit: u64) -> Result<Search<'a>, PortfolioError> {
        let mut search = Search::new(model, vec![State::Free; model.cost.len()], limit);
        for (i, candidate) in problem.candidates.iter().enumerate() {
            if candidate.mandatory && !search.set(i, State::In) {
                return Err(PortfolioError::Infeasible(format!(
                    "mandatory {} conflicts with another mandatory candidate or its prerequisites",
                    candidate.id
                )));
            }
        }
        search.trail.clear();
        Ok(search)
    }

    fn set(&mut self, i: usize, to: State) -> bool {
        match (self.state[i], to) {
            (current, wanted) if current == wanted => return true,
            (State::Free, _) => {}
            _ => return false,
        }
        self.state[i] = to;
        self.trail.push(i);
        let model = self.model;
        if to == State::In {
            self.cost_in += model.cost[i];
            self.adjusted_in += model.adjusted[i];
            for &j in &model.requires[i] {
                if !self.set(j, State::In) {
                    return false;
                }
            }
            for &j in &model.rivals[i] {
                if !self.set(j, State::Out) {
                    return false;
                }
            }
        } else {
            for &j in &model.dependents[i] {
                if !self.set(j, State::Out) {
                    return false;
                }
            }
        }
        true
    }

    fn undo_to(&mut self, mark: usize) {
        while self.trail.len() > mark {
            let i = self.trail.pop().expect("trail above mark");
            if self.state[i] == State::In {
                self.cost_in -= self.model.cost[i];
                self.adjusted_in -= self.model.adjusted[i];
            }
            self.state[i] = State::Free;
        }
    }

    /// The bound of the relaxation: take every free item that saves money, then fill the
    /// rest of the budget by adjusted benefit per pound, the last in part. `None` when the
    /// node cannot meet the budget even with every saving taken.
    fn relax(&self, with_x: bool) -> Option<Relaxed> {
        let model = self.model;
        let mut room = (model.budget - self.cost_in) as f64;
        let mut value = model.constant + self.adjusted_in;
        let mut x = if with_x {
            self.state.iter().map(|s| if *s == State::In { 1.0 } else { 0.0 }).collect()
        } else {
            Vec::new()
        };
        for &i in &self.core {
            if self.state[i] == State::Free && model.cost[i] < 0 {
                room -= model.cost[i] as f64;
                value += model.adjusted[i];
                if with_x {
                    x[i] = 1.0;
                }
            }
        }
        if room < 0.0 {
            return None;
        }
        for &i in &self.core {
            if self.state[i] != State::Free {
                continue;
            }
            let (weight, gain) = knapsack_form(model.cost[i], model.adjusted[i]);
            if gain <= 0.0 {
                continue;
            }
            let flip = |x: &mut Vec<f64>, share: f64| {
                if with_x {
                    x[i] = if model.cost[i] < 0 { 1.0 - share } else { share };
                }
            };
            if weight <= room {
                room -= weight;
                value += gain;
                flip(&mut x, 1.0);
            } else {
                let share = room / weight;
                value += gain * share;
                flip(&mut x, share);
                return Some(Relaxed { bound: value, fractional: Some(i), critical: gain / weight, x });
            }
        }
        Some(Relaxed { bound: value, fractional: None, critical: 0.0, x })
    }

    /// A portfolio near the relaxation that meets every constraint: the fixed items, the
    /// relaxation's savings and whole items where their constraints allow, then whatever
    /// else fits. `None` when the budget cannot be met.
    fn repair(&self, x: &[f64]) -> Option<Vec<bool>> {
        let model = self.model;
        let mut take: Vec<bool> = self.state.iter().map(|s| *s == State::In).collect();
        let mut spent = self.cost_in;
        let mut closure = Vec::new();
        // Savings the relaxation keeps, then its whole items, then anything worth having;
        // an item comes with the prerequisites it still lacks, or not at all.
        for pass in 0..3 {
            for &i in &self.core {
                if take[i] || self.state[i] != State::Free {
                    continue;
                }
                let wanted = match pass {
                    // A saving the relaxation keeps even in part is kept whole: it only frees money.
                    0 => model.cost[i] < 0 && x.get(i).is_some_and(|v| *v > 0.5),
                    1 => x.get(i).is_some_and(|v| *v >= 1.0 - EPS),
                    _ => true,
                };
                if !wanted || !self.closure_of(i, &take, &mut closure) {
                    continue;
                }
                let cost: i64 = closure.iter().map(|&j| model.cost[j]).sum();
                let benefit: f64 = closure.iter().map(|&j| model.benefit[j]).sum();
                let fits = cost <= 0 || spent + cost <= model.budget;
                if fits && (pass < 2 || benefit > 0.0 || (cost < 0 && benefit >= 0.0)) {
                    for &j in &closure {
                        take[j] = true;
                    }
                    spent += cost;
                }
            }
        }
        (spent <= model.budget).then_some(take)
    }

    /// `i` with its prerequisites not yet taken, if none is ruled out and none clashes with a
    /// taken item or another of the set.
    fn closure_of(&self, i: usize, take: &[bool], closure: &mut Vec<usize>) -> bool {
        let model = self.model;
        closure.clear();
        closure.push(i);
        let mut k = 0;
        while k < closure.len() {
            let j = closure[k];
            k += 1;
            if self.state[j] == State::Out || model.rivals[j].iter().any(|&r| take[r] || closure.contains(&r)) {
                return false;
            }
            for &r in &model.requires[j] {
                if !take[r] && !closure.contains(&r) {
                    closure.push(r);
                }
            }
        }
        true
    }

    /// A free item whose relaxed value breaks a dependency or a group.
    fn broken(&self, x: &[f64]) -> Option<usize> {
        let model = self.model;
        let on = |i: usize| x[i] > 0.5;
        self.core.iter().copied().find(|&i| {
            self.state[i] == State::Free
                && if on(i) {
                    model.requires[i].iter().any(|&j| !on(j)) || model.rivals[i].iter().any(|&j| on(j))
                } else {
                    model.dependents[i].iter().any(|&j| on(j))
                }
        })
    }

    /// Improves a portfolio by local search on the true benefits: add what fits, drop what
    /// is not worth its money, or swap one out for another in, until no single move or pair
    /// of moves gains. Items fixed at this node stay as they are.
    fn improve(&self, take: &mut [bool]) {
        let model = self.model;
        let n = take.len();
        let mut spent: i64 = (0..n).filter(|&i| take[i]).map(|i| model.cost[i]).sum();
        // A move flips a set: adding an item with its missing prerequisites, or removing an
        // item with its chosen dependents.
        let mut set_a = Vec::new();
        let mut set_r = Vec::new();
        let add_set = |i: usize, take: &[bool], out: &mut Vec<usize>| -> bool {
            out.clear();
            out.push(i);
            let mut k = 0;
            while k < out.len() {
                let j = out[k];
                k += 1;
                if self.state[j] != State::Free || model.rivals[j].iter().any(|&r| take[r] || out.contains(&r)) {
                    return false;
                }
                for &r in &model.requires[j] {
                    if !take[r] && !out.contains(&r) {
                        out.push(r);
                    }
                }
            }
            true
        };
        let remove_set = |i: usize, take: &[bool], out: &mut Vec<usize>| -> bool {
            out.clear();
            out.push(i);
            let mut k = 0;
            while k < out.len() {
                let j = out[k];
                k += 1;
                if self.state[j] != State::Free {
                    return false;
                }
                for &d in &model.dependents[j] {
                    if take[d] && !out.contains(&d) {
                        out.push(d);
                    }
                }
            }
            true
        };
        let delta = |set: &[usize], sign: f64| -> (i64, f64) {
            let c: i64 = set.iter().map(|&j| model.cost[j]).sum();
            let b: f64 = set.iter().map(|&j| model.benefit[j]).sum();
            if sign > 0.0 { (c, b) } else { (-c, -b) }
        };
        for _round in 0..20 {
            let mut improved = false;
            // Single moves.
            for &i in &self.core {
                let ok = if take[i] { remove_set(i, take, &mut set_r) } else { add_set(i, take, &mut set_a) };
                if !ok {
                    continue;
                }
                let set = if take[i] { &set_r } else { &set_a };
                let (dc, db) = delta(set, if take[i] { -1.0 } else { 1.0 });
                if db > EPS && spent + dc <= model.budget {
                    let on = !take[i];
                    for &j in set.iter() {
                        take[j] = on;
                    }
                    spent += dc;
                    improved = true;
                }
            }
            // Pairs: one removal that frees the money for one addition.
            let mut outs: Vec<(usize, i64, f64)> = self
                .core
                .iter()
                .copied()
                .filter(|&i| take[i] && model.cost[i] > 0)
                .map(|i| (i, model.cost[i], model.benefit[i]))
                .collect();
            outs.sort_by(|a, b| (a.2 / a.1 as f64).total_cmp(&(b.2 / b.1 as f64)));
            outs.truncate(150);
            let mut ins: Vec<usize> =
                self.core.iter().copied().filter(|&i| !take[i] && model.benefit[i] > 0.0).collect();
            ins.truncate(300);
            'pairs: for &(o, _, _) in &outs {
                if !take[o] || !remove_set(o, take, &mut set_r) {
                    continue;
                }
                let (dc_r, db_r) = delta(&set_r, -1.0);
                for &a in &ins {
                    if take[a] {
                        continue;
                    }
                    // The addition is judged with the removal made.
                    for &j in &set_r {
                        take[j] = false;
                    }
                    let ok = add_set(a, take, &mut set_a) && !set_a.iter().any(|j| set_r.contains(j));
                    let (dc_a, db_a) = if ok { delta(&set_a, 1.0) } else { (0, 0.0) };
                    if ok && db_r + db_a > EPS && spent + dc_r + dc_a <= model.budget {
                        for &j in &set_a {
                            take[j] = true;
                        }
                        spent += dc_r + dc_a;
                        improved = true;
                        continue 'pairs;
                    }
                    for &j in &set_r {
                        take[j] = true;
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }

    fn consider(&mut self, take: Vec<bool>) {
        let value: f64 = take.iter().zip(&self.model.benefit).filter(|(t, _)| **t).map(|(_, b)| b).sum();
        if self.best_take.is_none() || value > self.best + EPS {
            self.best = value;
            self.best_take = Some(take);
        }
    }

    fn search(&mut self) -> Result<(), PortfolioError> {
        self.nodes += 1;
        if self.nodes > self.limit {
            return Err(PortfolioError::NodeLimit(self.limit));
        }
        let Some(relaxed) = self.relax(true) else { return Ok(()) };
        if self.best_take.is_some() && relaxed.bound <= self.best + EPS {
            return Ok(());
        }
        let repaired = self.repair(&relaxed.x).map(|mut take| {
            if self.nodes % 64 == 1 {
                self.improve(&mut take);
            }
            take
        });
        let branch = self.broken(&relaxed.x).or(relaxed.fractional).or_else(|| {
            // The relaxation is whole and meets every constraint, but its multipliers may
            // still price a slack constraint, so its value can be below the bound: branch
            // where the repaired portfolio leaves the relaxation, or on any free item.
            let differs = repaired.as_ref().and_then(|take| {
                self.core.iter().copied().find(|&i| self.state[i] == State::Free && take[i] != (relaxed.x[i] > 0.5))
            });
            differs.or_else(|| self.core.iter().copied().find(|&i| self.state[i] == State::Free))
        });
        if let Some(take) = repaired {
            self.consider(take);
            if relaxed.bound <= self.best + EPS {
                return Ok(());
            }
        }
        let Some(branch) = branch else { return Ok(()) };
        // Try the branch the relaxation leans to first.
        let first = if relaxed.x[branch] >= 0.5 { State::In } else { State::Out };
        for to in [first, if first == State::In { State::Out } else { State::In }] {
            let mark = self.trail.len();
            if self.set(branch, to) {
                self.search()?;
            }
            self.undo_to(mark);
        }
        Ok(())
    }

    /// Fixes, for good, every free item whose flip would cost the relaxation more than the
    /// gap to the incumbent (reduced-cost fixing).
    fn reduce(&mut self) {
        let Some(relaxed) = self.relax(true) else { return };
        let model = self.model;
        let core = self.core.clone();
        for &i in &core {
            if self.state[i] != State::Free {
                continue;
            }
            let keep = if relaxed.x[i] >= 0.5 { State::In } else { State::Out };
            let flip = if keep == State::In { State::Out } else { State::In };
            // The reduced cost says how much a flip costs the bound at least; where that is
            // not enough, probe: flip it, with what the flip brings, and relax exactly.
            let (weight, gain) = knapsack_form(model.cost[i], model.adjusted[i]);
            let loss = (gain - relaxed.critical * weight).abs();
            let hopeless = Some(i) != relaxed.fractional && relaxed.bound - loss < self.best - EPS || {
                let mark = self.trail.len();
                let bound = if self.set(i, flip) { self.relax(false).map(|r| r.bound) } else { None };
                self.undo_to(mark);
                bound.is_none_or(|b| b < self.best - EPS)
            };
            if hopeless {
                let mark = self.trail.len();
                if !self.set(i, keep) {
                    self.undo_to(mark);
                }
            }
        }
        let state = &self.state;
        self.core.retain(|&i| state[i] == State::Free);
    }
}

/// Minimises the Lagrangian bound over the multipliers by subgradient steps (Polyak's rule,
/// aiming at the incumbent) and keeps the best.
fn choose_multipliers(model: &mut Model, state: &[State], incumbent: f64) {
    if model.edges.is_empty() && model.groups == 0 {
        return;
    }
    let mut lambda = vec![0.0; model.edges.len()];
    let mut mu = vec![0.0; model.groups];
    let mut best = (f64::INFINITY, lambda.clone(), mu.clone());
    let mut theta = 2.0;
    let mut stale = 0;
    for _ in 0..150 {
        model.set_multipliers(&lambda, &mu);
        let search = Search::new(&*model, state.to_vec(), 0);
        let Some(relaxed) = search.relax(true) else { return };
        if relaxed.bound < best.0 - EPS {
            best = (relaxed.bound, lambda.clone(), mu.clone());
            stale = 0;
        } else {
            stale += 1;
            if stale >= 8 {
                theta /= 2.0;
                stale = 0;
            }
        }
        let x = &relaxed.x;
        let g_lambda: Vec<f64> = model.edges.iter().map(|&(i, j)| x[j] - x[i]).collect();
        let mut g_mu = vec![1.0; model.groups];
        for (i, g) in model.group_of.iter().enumerate() {
            if let Some(g) = g {
                g_mu[*g] -= x[i];
            }
        }
        // Only directions that can move: a multiplier at zero with a positive slope stays.
        let norm: f64 = g_lambda
            .iter()
            .zip(&lambda)
            .chain(g_mu.iter().zip(&mu))
            .filter(|(g, m)| **m > 0.0 || **g < 0.0)
            .map(|(g, _)| g * g)
            .sum();
        let gap = relaxed.bound - incumbent;
        if norm < 1e-12 || gap <= EPS || theta < 1e-4 {
            break;
        }
        let step = theta * gap / norm;
        for (m, g) in lambda.iter_mut().zip(&g_lambda) {
            *m = (*m - step * g).max(0.0);
        }
        for (m, g) in mu.iter_mut().zip(&g_mu) {
            *m = (*m - step * g).max(0.0);
        }
    }
    model.set_multipliers(&best.1, &best.2);
}

/// Solves the problem exactly. A simple dependency — a candidate whose one prerequisite is
/// needed by nothing else, neither in a group nor mandatory — is first rewritten as a group of
/// two alternatives (the prerequisite alone, or both), which the relaxation bounds far more
/// tightly; the portfolio is reported in the problem's own candidates.
pub fn solve(problem: &Problem) -> Result<Portfolio, PortfolioError> {
    solve_with(problem, CORE_STATES)
}

/// [`solve`], with the core programme allowed at most `core_states` states (0: not tried).
fn solve_with(problem: &Problem, core_states: usize) -> Result<Portfolio, PortfolioError> {
    let model = validate(problem)?;
    let (take, Proof { nodes, core_candidates }) = match merge_simple_dependencies(problem, &model) {
        None => solve_exact(problem, model.clone(), core_states)?,
        Some((merged, parts)) => {
            let (merged_take, proof) = solve_exact(&merged, validate(&merged)?, core_states)?;
            let mut take = vec![false; problem.candidates.len()];
            for (part, _) in parts.iter().zip(&merged_take).filter(|(_, t)| **t) {
                for &i in part {
                    take[i] = true;
                }
            }
            (take, proof)
        }
    };
    // The margin, the next candidate and the greedy comparison are of the problem as posed.
    let root = Search::with_mandatory(&model, problem, 0)?;
    let n = take.len();
    let cost: i64 = (0..n).filter(|&i| take[i]).map(|i| model.cost[i]).sum();
    let benefit: f64 = (0..n).filter(|&i| take[i]).map(|i| model.benefit[i]).sum();
    Ok(Portfolio {
        chosen: (0..n).filter(|&i| take[i]).map(|i| problem.candidates[i].id.clone()).collect(),
        cost_pence: cost,
        benefit,
        budget_pence: problem.budget_pence,
        headroom_pence: problem.budget_pence - cost,
        marginal_benefit_per_pound: root.relax(false).map(|r| r.critical * 100.0).unwrap_or(0.0),
        next_candidate: next_candidate(&model, &take, problem.budget_pence - cost, problem),
        nodes,
        core_candidates,
        greedy_benefit: greedy(&model, &root.state),
    })
}

/// The problem with each simple dependency as a group of two alternatives, and for each new
/// candidate the original candidates it stands for; `None` when there is none to merge.
fn merge_simple_dependencies(problem: &Problem, model: &Model) -> Option<(Problem, Vec<Vec<usize>>)> {
    let n = problem.candidates.len();
    let free = |i: usize| !problem.candidates[i].mandatory && model.group_of[i].is_none();
    let mut pair_of = vec![None; n];
    let mut pairs = 0;
    for &(i, j) in &model.edges {
        let simple = model.requires[i].len() == 1
            && model.dependents[i].is_empty()
            && model.dependents[j].len() == 1
            && model.requires[j].is_empty()
            && free(i)
            && free(j);
        if simple {
            pair_of[i] = Some(j);
            pair_of[j] = Some(i);
            pairs += 1;
        }
    }
    if pairs == 0 {
        return None;
    }
    let mut candidates = Vec::with_capacity(n + pairs);
    let mut parts = Vec::with_capacity(n + pairs);
    for (i, c) in problem.candidates.iter().enumerate() {
        match pair_of[i] {
            None => {
                candidates.push(c.clone());
                parts.push(vec![i]);
            }
            // The prerequisite: alone, or with its dependent.
            Some(d) if model.requires[d] == [i] => {
                let group = Some(format!("\u{1}pair:{}", c.id));
                let dependent = &problem.candidates[d];
                candidates.push(Candidate { group: group.clone(), requires: Vec::new(), ..c.clone() });
                parts.push(vec![i]);
                candidates.push(Candidate {
                    id: format!("\u{1}{}+{}", c.id, dependent.id),
                    name: String::new(),
                    cost_pence: c.cost_pence + dependent.cost_pence,
                    benefit: c.benefit + dependent.benefit,
                    mandatory: false,
                    group,
                    requires: Vec::new(),
                });
                parts.push(vec![i, d]);
            }
            // The dependent comes with its prerequisite above.
            Some(_) => {}
        }
    }
    Some((Problem { budget_pence: problem.budget_pence, candidates, node_limit: problem.node_limit }, parts))
}

/// How an optimum was proved: the branch-and-bound nodes explored and the candidates the core
/// programme decided.
struct Proof {
    nodes: u64,
    core_candidates: usize,
}

/// Solves the problem exactly as posed: the optimal choice of each candidate and its proof.
fn solve_exact(problem: &Problem, mut model: Model, core_states: usize) -> Result<(Vec<bool>, Proof), PortfolioError> {
    // Fix the mandatory items and what they bring.
    let root = Search::with_mandatory(&model, problem, 0)?;
    let mandatory = root.state.clone();
    let first = root.relax(true).and_then(|r| root.repair(&r.x));
    let incumbent = first.as_ref().map(|t| t.iter().zip(&model.benefit).filter(|(t, _)| **t).map(|(_, b)| b).sum());
    let fallback = incumbent.or_else(|| greedy(&model, &mandatory)).unwrap_or(0.0);
    drop(root);
    choose_multipliers(&mut model, &mandatory, fallback);
    let mut search = Search::new(&model, mandatory, problem.node_limit.unwrap_or(10_000_000));
    if let Some(take) = first {
        search.consider(take);
    }
    // The relaxation with the chosen multipliers leans closer to a good portfolio, and local
    // search brings it closer still.
    if let Some(mut take) = search.relax(true).and_then(|r| search.repair(&r.x)) {
        search.improve(&mut take);
        search.consider(take);
    }
    if search.best_take.is_some() {
        search.reduce();
    }
    // The candidates left free are then usually few and near-critical: the dynamic programme
    // over them proves the optimum without enumerating their combinations. Where they are too
    // many or too entangled, a short dive finds a better incumbent, with which reduced-cost
    // fixing at the root fixes far more, and the programme tries again; the full search that
    // proves the optimum by branching is the last resort. Each round restarts from the root.
    let limit = search.limit;
    let mut core_candidates = 0;
    for dive in [2_000u64, 20_000, 0] {
        if search.best_take.is_some() && core_states > 0 {
            let open = search.core.iter().filter(|&&i| search.state[i] == State::Free).count();
            match core_problem::solve(&search, core_states) {
                core_problem::Outcome::Better(take) => {
                    search.consider(take);
                    core_candidates = open;
                    break;
                }
                core_problem::Outcome::Proved => {
                    core_candidates = open;
                    break;
                }
                core_problem::Outcome::Unsolved => {}
            }
        }
        let mark = search.trail.len();
        search.limit = if dive == 0 { limit } else { search.nodes + dive };
        match search.search() {
            Ok(()) => break,
            Err(PortfolioError::NodeLimit(_)) if dive > 0 => {
                search.undo_to(mark);
                search.reduce();
            }
            Err(other) => return Err(other),
        }
    }
    let take = search.best_take.take().ok_or_else(|| {
        PortfolioError::Infeasible(
            "the mandatory candidates and their prerequisites cost more than the budget, even with every saving taken"
                .into(),
        )
    })?;
    Ok((take, Proof { nodes: search.nodes, core_candidates }))
}

fn next_candidate(model: &Model, take: &[bool], headroom: i64, problem: &Problem) -> Option<NextCandidate> {
    (0..take.len())
        .filter(|&i| !take[i] && model.cost[i] > 0 && model.benefit[i] > 0.0)
        .filter(|&i| model.rivals[i].iter().all(|&j| !take[j]))
        .map(|i| {
            // Its prerequisites not yet chosen come with it.
            let extra: i64 =
                model.requires[i].iter().filter(|&&j| !take[j]).map(|&j| model.cost[j]).sum::<i64>() + model.cost[i];
            (i, model.benefit[i] / extra.max(1) as f64 * 100.0, extra)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(i, per_pound, extra)| NextCandidate {
            id: problem.candidates[i].id.clone(),
            benefit_per_pound: per_pound,
            shortfall_pence: (extra - headroom).max(0),
        })
}

/// Greedy by benefit per pound, honouring the constraints as it goes: the mandatory items
/// and their prerequisites, then each investment in turn if it fits beside what is taken —
/// what a spreadsheet ranking would fund. `None` when the mandatory items do not fit.
fn greedy(model: &Model, mandatory: &[State]) -> Option<f64> {
    let n = model.cost.len();
    let mut take: Vec<bool> = mandatory.iter().map(|s| *s == State::In).collect();
    let mut spent: i64 = (0..n).filter(|&i| take[i]).map(|i| model.cost[i]).sum();
    let mut value: f64 = (0..n).filter(|&i| take[i]).map(|i| model.benefit[i]).sum();
    if spent > model.budget {
        return None;
    }
    for &i in &model.order {
        let (c, b) = (model.cost[i], model.benefit[i]);
        let blocked = take[i]
            || mandatory[i] == State::Out
            || model.rivals[i].iter().any(|&j| take[j])
            || model.requires[i].iter().any(|&j| !take[j]);
        let worth = (c <= 0 && b >= 0.0) || (c > 0 && b > 0.0);
        if !blocked && worth && spent + c <= model.budget {
            take[i] = true;
            spent += c;
            value += b;
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, cost: i64, benefit: f64) -> Candidate {
        Candidate {
            id: id.into(),
            name: String::new(),
            cost_pence: cost,
            benefit,
            mandatory: false,
            group: None,
            requires: Vec::new(),
        }
    }

    fn problem(budget: i64, candidates: Vec<Candidate>) -> Problem {
        Problem { budget_pence: budget, candidates, node_limit: None }
    }

    /// Every subset, for checking the optimum on small problems.
    fn brute_force(problem: &Problem) -> Option<f64> {
        let n = problem.candidates.len();
        let ids: HashMap<&str, usize> =
            problem.candidates.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
        let mut best: Option<f64> = None;
        for mask in 0u32..(1 << n) {
            let on = |i: usize| mask & (1 << i) != 0;
            let ok = problem.candidates.iter().enumerate().all(|(i, c)| {
                (!c.mandatory || on(i))
                    && (!on(i) || c.requires.iter().all(|r| on(ids[r.as_str()])))
                    && (!on(i)
                        || c.group.as_ref().is_none_or(|g| {
                            problem
                                .candidates
                                .iter()
                                .enumerate()
                                .all(|(j, d)| j == i || !on(j) || d.group.as_ref() != Some(g))
                        }))
            });
            let cost: i64 = (0..n).filter(|&i| on(i)).map(|i| problem.candidates[i].cost_pence).sum();
            if ok && cost <= problem.budget_pence {
                let value: f64 = (0..n).filter(|&i| on(i)).map(|i| problem.candidates[i].benefit).sum();
                if best.is_none_or(|b| value > b) {
                    best = Some(value);
                }
            }
        }
        best
    }

    #[test]
    fn beats_greedy_where_the_best_ratio_crowds_out_a_better_pair() {
        // A has the best ratio but, once bought, nothing else fits; B and C together win.
        let p = problem(10, vec![item("A", 6, 7.0), item("B", 5, 5.0), item("C", 5, 5.0)]);
        let portfolio = solve(&p).unwrap();
        assert_eq!(portfolio.chosen, vec!["B", "C"]);
        assert_eq!(portfolio.benefit, 10.0);
        assert_eq!(portfolio.greedy_benefit, Some(7.0));
        assert_eq!(portfolio.headroom_pence, 0);
    }

    #[test]
    fn a_disinvestment_pays_for_an_investment_when_that_gains_benefit() {
        // Stopping D frees 40 for E, which gains more than D gives up.
        let p = problem(10, vec![item("D", -40, -3.0), item("E", 50, 9.0), item("F", 10, 1.0)]);
        let portfolio = solve(&p).unwrap();
        assert_eq!(portfolio.chosen, vec!["D", "E"]);
        assert_eq!(portfolio.benefit, 6.0);
        assert_eq!(portfolio.cost_pence, 10);
    }

    #[test]
    fn honours_mandatory_items_groups_and_dependencies() {
        let mut m = item("M", 30, 1.0);
        m.mandatory = true;
        let mut a = item("A1", 40, 10.0);
        a.group = Some("site".into());
        let mut b = item("A2", 45, 11.0);
        b.group = Some("site".into());
        let mut c = item("C", 20, 8.0);
        c.requires = vec!["A1".into()];
        let p = problem(100, vec![m, a, b, c, item("G", 30, 2.0)]);
        let portfolio = solve(&p).unwrap();
        // A2 alone (11) loses to A1 with C (18) and both fit beside M.
        assert_eq!(portfolio.chosen, vec!["M", "A1", "C"]);
        assert_eq!(portfolio.benefit, brute_force(&p).unwrap());
    }

    #[test]
    fn refuses_what_cannot_be_met() {
        let mut m = item("M", 30, 1.0);
        m.mandatory = true;
        assert!(matches!(solve(&problem(10, vec![m.clone()])), Err(PortfolioError::Infeasible(_))));
        let mut x = m.clone();
        x.id = "X".into();
        m.group = Some("g".into());
        x.group = Some("g".into());
        assert!(matches!(solve(&problem(100, vec![m, x])), Err(PortfolioError::Infeasible(_))));
        let mut r = item("R", 1, 1.0);
        r.requires = vec!["nope".into()];
        let error = solve(&problem(10, vec![r])).unwrap_err();
        assert_eq!(error.to_string(), "candidate 1: R requires nope, which is not a candidate");
        assert!(matches!(
            solve(&problem(10, vec![item("A", 1, 1.0), item("A", 2, 1.0)])),
            Err(PortfolioError::Candidate { index: 2, .. })
        ));
        assert_eq!(solve(&problem(-1, vec![])).unwrap_err(), PortfolioError::NegativeBudget);
    }

    #[test]
    fn an_empty_problem_chooses_nothing() {
        let portfolio = solve(&problem(100, vec![])).unwrap();
        assert!(portfolio.chosen.is_empty());
        assert_eq!(portfolio.benefit, 0.0);
    }

    #[test]
    fn marginal_value_is_the_critical_ratio() {
        let p = problem(1_000, vec![item("A", 500, 10.0), item("B", 1_000, 5.0)]);
        let portfolio = solve(&p).unwrap();
        assert_eq!(portfolio.chosen, vec!["A"]);
        // B fills the rest of the relaxation at 5 per 1,000p: 0.5 per pound.
        assert!((portfolio.marginal_benefit_per_pound - 0.5).abs() < 1e-12);
        let next = portfolio.next_candidate.unwrap();
        assert_eq!(next.id, "B");
        assert_eq!(next.shortfall_pence, 500);
    }

    /// Random problems from the simulator's generator.
    struct Gen(crate::methods::rng::Xoshiro);
    impl Gen {
        fn below(&mut self, n: u64) -> u64 {
            self.0.next_u64() % n
        }
    }

    #[test]
    fn matches_every_subset_on_random_problems_with_every_kind_of_constraint() {
        let mut draw = Gen(crate::methods::rng::Xoshiro::for_stream(20261203, 0));
        for case in 0..3_000 {
            let n = 1 + draw.below(12) as usize;
            let mut candidates: Vec<Candidate> = (0..n)
                .map(|i| {
                    let disinvest = draw.below(6) == 0;
                    let cost = draw.below(60) as i64 + 1;
                    let benefit = (draw.below(40) as f64) / 2.0;
                    if disinvest {
                        item(&format!("c{i}"), -cost, -benefit)
                    } else {
                        item(&format!("c{i}"), cost, benefit)
                    }
                })
                .collect();
            for (i, candidate) in candidates.iter_mut().enumerate() {
                if draw.below(8) == 0 {
                    candidate.mandatory = true;
                }
                if draw.below(3) == 0 {
                    candidate.group = Some(format!("g{}", draw.below(3)));
                }
                if i > 0 && draw.below(4) == 0 {
                    let j = draw.below(i as u64) as usize;
                    candidate.requires.push(format!("c{j}"));
                }
            }
            let p = problem(draw.below(150) as i64, candidates);
            // With the core programme, and by branching alone.
            match (solve(&p), solve_with(&p, 0)) {
                (Ok(with), Ok(without)) => {
                    assert!((with.benefit - without.benefit).abs() < 1e-9, "case {case}: {p:?}");
                    assert_eq!(without.core_candidates, 0);
                }
                (Err(_), Err(_)) => {}
                (with, without) => panic!("case {case}: with the core {with:?}, without {without:?}"),
            }
            match (solve(&p), brute_force(&p)) {
                (Ok(portfolio), Some(best)) => {
                    assert!(
                        (portfolio.benefit - best).abs() < 1e-9,
                        "case {case}: {} vs {best}: {p:?}",
                        portfolio.benefit
                    );
                    assert!(portfolio.cost_pence <= p.budget_pence, "case {case}");
                    assert!(portfolio.greedy_benefit.is_none_or(|g| g <= best + 1e-9), "case {case}");
                }
                (Err(PortfolioError::Infeasible(_)), None) => {}
                (got, want) => panic!("case {case}: solver {got:?}, every subset {want:?}: {p:?}"),
            }
        }
    }

    #[test]
    fn the_core_programme_and_branching_agree_on_larger_problems() {
        let mut draw = Gen(crate::methods::rng::Xoshiro::for_stream(20261204, 0));
        let mut decided_by_core = 0;
        for case in 0..300 {
            let n = 20 + draw.below(40) as usize;
            let mut candidates: Vec<Candidate> = (0..n)
                .map(|i| {
                    let cost = 1_000 + draw.below(9_000) as i64;
                    // Benefits close to proportional to cost: many near-critical candidates.
                    let benefit = cost as f64 * (0.9 + draw.below(200) as f64 / 1_000.0) / 100.0;
                    if draw.below(8) == 0 {
                        item(&format!("c{i}"), -cost, -benefit * 0.6)
                    } else {
                        item(&format!("c{i}"), cost, benefit)
                    }
                })
                .collect();
            for (i, candidate) in candidates.iter_mut().enumerate() {
                if draw.below(20) == 0 {
                    candidate.mandatory = true;
                }
                if draw.below(4) == 0 {
                    candidate.group = Some(format!("g{}", draw.below(n as u64 / 4)));
                }
                if i > 0 && draw.below(6) == 0 {
                    let j = draw.below(i as u64) as usize;
                    candidate.requires.push(format!("c{j}"));
                }
            }
            let p = problem(draw.below(n as u64 * 2_500) as i64, candidates);
            match (solve(&p), solve_with(&p, 0)) {
                (Ok(with), Ok(without)) => {
                    assert!((with.benefit - without.benefit).abs() < 1e-6, "case {case}: {with:?} {without:?}");
                    assert!(with.cost_pence <= p.budget_pence, "case {case}");
                    decided_by_core += usize::from(with.core_candidates > 0);
                }
                (Err(PortfolioError::Infeasible(_)), Err(PortfolioError::Infeasible(_))) => {}
                (with, without) => panic!("case {case}: with the core {with:?}, without {without:?}"),
            }
        }
        assert!(decided_by_core > 100, "the core programme decided only {decided_by_core} of 300");
    }
}
