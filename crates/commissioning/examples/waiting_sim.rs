//! Benchmark of the waiting-list simulator: SERVICES services (default 100), each 10,000
//! replications × 104 weeks with two priority classes, monthly seasonality, weekly
//! withdrawals and a starting backlog, on all cores. Run by `bench/capacity_sim.sh`, which runs
//! the same model in numpy on the same configurations and compares the results.
//!
//! Usage: `waiting_sim OUT_DIR [SERVICES] [REPLICATIONS] [WITHDRAWAL_PROB]` (0 unless given). Writes `configs.json` (the
//! services) and `rust.json` (each service's mean queue and breaches at week 104, and the
//! median queue), and prints one JSON line of timings.

use std::time::Instant;

use commissioning::methods::simulate::{PriorityClass, SimConfig, simulate};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let out_dir = std::path::PathBuf::from(args.get(1).map(String::as_str).unwrap_or("sim-bench"));
    let services: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100);
    let replications: u32 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let withdrawal: f64 = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(0.0);
    let threads = std::thread::available_parallelism().map(usize::from).unwrap_or(2);
    let configs: Vec<SimConfig> = (0..services).map(|i| service(i, replications, withdrawal)).collect();
    std::fs::create_dir_all(&out_dir)?;
    std::fs::write(out_dir.join("configs.json"), serde_json::to_string(&configs)?)?;

    let mut best = f64::INFINITY;
    let mut results = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        results = configs.iter().map(|c| simulate(c, threads).expect("the bench configurations are valid")).collect();
        best = best.min(started.elapsed().as_secs_f64());
    }
    let summary: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            let end = r.weeks.last().expect("104 weeks");
            serde_json::json!({
                "queue_mean": end.queue_size.mean,
                "queue_median": end.queue_size.percentiles[3],
                "breaches_mean": end.breaches.mean,
            })
        })
        .collect();
    std::fs::write(out_dir.join("rust.json"), serde_json::to_string(&summary)?)?;
    let service_weeks = services as u64 * u64::from(replications) * 104;
    println!(
        "{{\"services\": {services}, \"replications\": {replications}, \"weeks\": 104, \"threads\": {threads}, \"seconds\": {best:.4}, \"service_weeks\": {service_weeks}}}"
    );
    Ok(())
}

/// Service `i`: 20 to 218 referrals a week, capacity from 4% under to 8% over demand, 15% urgent (2-week standard), a backlog of 4 to 13 weeks of demand
/// spread over the first 20 weeks waited, and a winter peak.
fn service(i: usize, replications: u32, withdrawal_prob: f64) -> SimConfig {
    let demand = 20.0 + 2.0 * i as f64;
    let capacity = demand * (0.96 + 0.12 * ((i * 37) % 100) as f64 / 100.0);
    let backlog_weeks = 4 + (i % 10);
    let per_week = (demand * 0.85 * backlog_weeks as f64 / 20.0).round() as u32;
    let seasonality = vec![1.1, 1.0, 1.0, 0.95, 1.0, 1.0, 0.9, 0.85, 1.0, 1.05, 1.05, 1.1];
    SimConfig {
        replications,
        seed: 1000 + i as u64,
        withdrawal_prob,
        demand_seasonality: seasonality,
        classes: vec![
            PriorityClass { name: "urgent".into(), share: 0.15, standard_weeks: 2.0, initial_waiting: vec![] },
            PriorityClass {
                name: "routine".into(),
                share: 0.85,
                standard_weeks: 18.0,
                initial_waiting: vec![per_week; 20],
            },
        ],
        ..SimConfig::new(demand, capacity)
    }
}
