//! Benchmark fixture for the portfolio optimiser: builds the standard problem (2,000
//! candidates, a £500m budget, mandatory items, groups of alternatives, dependencies and
//! disinvestments), optionally writes it as JSON for a peer solver, solves it, and prints the
//! time and the optimum. `bench/portfolio.sh` runs it beside SciPy's HiGHS.
//!
//! Usage: `portfolio_solve [--candidates N] [--write FILE.json] [--repeat K]`

use std::time::Instant;

use commissioning::plan::portfolio::{Candidate, Problem, solve};

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The standard problem: costs from £50k to £5m (log-uniform), benefit in QALYs at £8k to
/// £40k a QALY, one in ten a disinvestment, one in forty mandatory, a hundred groups of three
/// alternatives and two hundred dependencies.
fn standard_problem(n: usize) -> Problem {
    let mut rng = SplitMix(500_000_000);
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
    let problem = standard_problem(n);
    if let Some(path) = value("--write") {
        std::fs::write(&path, serde_json::to_string(&problem).expect("problem as JSON")).expect("write the problem");
    }
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        let portfolio = solve(&problem).expect("the standard problem solves");
        times.push(start.elapsed().as_secs_f64());
        last = Some(portfolio);
    }
    times.sort_by(f64::total_cmp);
    let portfolio = last.expect("solved once");
    println!(
        "candidates={n} budget_pounds=500000000 chosen={} benefit={:.4} cost_pounds={:.2} nodes={} greedy={:.4} median_seconds={:.4} min_seconds={:.4}",
        portfolio.chosen.len(),
        portfolio.benefit,
        portfolio.cost_pence as f64 / 100.0,
        portfolio.nodes,
        portfolio.greedy_benefit.unwrap_or(f64::NAN),
        times[times.len() / 2],
        times[0],
    );
}
