//! Benchmark fixture for the portfolio optimiser: builds the standard problem (2,000
//! candidates, a £500m budget, mandatory items, groups of alternatives, dependencies and
//! disinvestments), optionally writes it as JSON for a peer solver, solves it, and prints the
//! time and the optimum. `bench/portfolio.sh` runs it beside SciPy's HiGHS.
//!
//! Usage: `portfolio_solve [--candidates N] [--seed S] [--node-limit N] [--write FILE.json] [--repeat K]`;
//! a problem not proved optimal within the node limit prints `status=node_limit`.

use std::time::Instant;

use commissioning::methods::rng::Xoshiro;
use commissioning::plan::portfolio::{Candidate, Problem, solve};

/// The standard problem: costs from £50k to £5m (log-uniform), benefit in QALYs at £8k to
/// £40k a QALY, one in ten a disinvestment, one in forty mandatory, a hundred groups of three
/// alternatives and two hundred dependencies.
fn standard_problem(n: usize, seed: u64) -> Problem {
    let mut rng = Xoshiro::for_stream(seed, 0);
    let mut candidates: Vec<Candidate> = (0..n)
        .map(|i| {
            let pounds = 50_000.0 * (100f64).powf(rng.uniform());
            let per_qaly = 8_000.0 + 32_000.0 * rng.uniform();
            let qalys = (pounds / per_qaly * 100.0).round() / 100.0;
            let cost = (pounds.round() as i64) * 100;
            let disinvest = rng.uniform() < 0.1;
            Candidate {
                id: format!("C{i:04}"),
                name: String::new(),
                cost_pence: if disinvest { -cost } else { cost },
                benefit: if disinvest { -qalys * 0.6 } else { qalys },
                mandatory: false,
                group: None,
                requires: Vec::new(),
            }
        })
        .collect();
    for i in (0..n).step_by(40) {
        if candidates[i].cost_pence > 0 {
            candidates[i].mandatory = true;
            candidates[i].cost_pence /= 10;
        }
    }
    for g in 0..(n / 20).min(100) {
        for k in 0..3 {
            let i = 1 + g * 17 + k;
            if i < n {
                candidates[i].group = Some(format!("G{g}"));
            }
        }
    }
    for d in 0..(n / 10).min(200) {
        let i = (d * 7919 + 13) % n;
        let j = (d * 104_729 + 7) % n;
        if i != j && !candidates[i].mandatory {
            let id = candidates[j].id.clone();
            candidates[i].requires.push(id);
        }
    }
    Problem { budget_pence: 500_000_000 * 100, candidates, node_limit: None }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let n: usize = value("--candidates").map(|v| v.parse().expect("--candidates N")).unwrap_or(2_000);
    let repeat: usize = value("--repeat").map(|v| v.parse().expect("--repeat K")).unwrap_or(5);
    let seed: u64 = value("--seed").map(|v| v.parse().expect("--seed S")).unwrap_or(1);
    let node_limit: Option<u64> = value("--node-limit").map(|v| v.parse().expect("--node-limit N"));
    let problem = Problem { node_limit, ..standard_problem(n, seed) };
    if let Some(path) = value("--write") {
        std::fs::write(&path, serde_json::to_string(&problem).expect("problem as JSON")).expect("write the problem");
    }
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        let portfolio = match solve(&problem) {
            Ok(portfolio) => portfolio,
            Err(error) => {
                eprintln!("{error}");
                println!("candidates={n} seed={seed} status=node_limit seconds={:.4}", start.elapsed().as_secs_f64());
                return;
            }
        };
        times.push(start.elapsed().as_secs_f64());
        last = Some(portfolio);
    }
    times.sort_by(f64::total_cmp);
    let portfolio = last.expect("solved once");
    println!(
        "candidates={n} seed={seed} status=optimal budget_pounds=500000000 chosen={} benefit={:.4} cost_pounds={:.2} nodes={} core={} greedy={:.4} median_seconds={:.4} min_seconds={:.4}",
        portfolio.chosen.len(),
        portfolio.benefit,
        portfolio.cost_pence as f64 / 100.0,
        portfolio.nodes,
        portfolio.core_candidates,
        portfolio.greedy_benefit.unwrap_or(f64::NAN),
        times[times.len() / 2],
        times[0],
    );
}
