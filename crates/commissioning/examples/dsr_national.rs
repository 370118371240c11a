//! Benchmark of national small-area DSRs: directly standardised rates with 95% and 99.8%
//! Dobson limits for INDICATORS × 32,844 English LSOAs × 2 sexes, each over the 19 ESP 2013
//! age bands, on all cores. Run by `bench/needs_dsr.sh`, which times the same computation in
//! numpy on the same data and compares the results.
//!
//! Usage: `dsr_national OUT_DIR [INDICATORS] [THREADS]`. Writes `x.f64` and `n.f64` (the
//! inputs, little-endian f64, group-major) and `result.f64` (total count, value and the four
//! limits per group), and prints one JSON line of timings.

use std::io::Write;
use std::time::Instant;

use commissioning::methods::dsr::{DsrColumns, ESP2013, dsr_columns};

const LSOAS: usize = 32_844;
const SEXES: usize = 2;
const BANDS: usize = 19;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let out_dir = std::path::PathBuf::from(args.get(1).map(String::as_str).unwrap_or("dsr-bench"));
    let indicators: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20);
    let threads: usize = args
        .get(3)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map(usize::from).unwrap_or(2));
    let groups = indicators * LSOAS * SEXES;
    let started = Instant::now();
    let (x, n) = synthetic(groups);
    let generate_seconds = started.elapsed().as_secs_f64();
    std::fs::create_dir_all(&out_dir)?;
    write_f64(&out_dir.join("x.f64"), &x)?;
    write_f64(&out_dir.join("n.f64"), &n)?;

    let mut best = f64::INFINITY;
    let mut result = DsrColumns::default();
    for _ in 0..5 {
        let started = Instant::now();
        result = compute(&x, &n, groups, threads);
        best = best.min(started.elapsed().as_secs_f64());
    }
    let mut flat = Vec::with_capacity(groups * 6);
    for group in 0..groups {
        flat.extend([
            result.total_count[group],
            result.value[group],
            result.lower95[group],
            result.upper95[group],
            result.lower998[group],
            result.upper998[group],
        ]);
    }
    write_f64(&out_dir.join("result.f64"), &flat)?;
    let suppressed = result.value.iter().filter(|v| v.is_nan()).count();
    println!(
        "{{\"groups\": {groups}, \"cells\": {}, \"threads\": {threads}, \"seconds\": {best:.4}, \"generate_seconds\": {generate_seconds:.3}, \"suppressed\": {suppressed}}}",
        groups * BANDS
    );
    Ok(())
}

/// Splits the groups into one contiguous run per thread and joins the columns.
fn compute(x: &[f64], n: &[f64], groups: usize, threads: usize) -> DsrColumns {
    let per_thread = groups.div_ceil(threads.max(1));
    let parts: Vec<DsrColumns> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..groups)
            .step_by(per_thread)
            .map(|first| {
                let last = (first + per_thread).min(groups);
                let (xs, ns) = (&x[first * BANDS..last * BANDS], &n[first * BANDS..last * BANDS]);
                scope.spawn(move || {
                    let mut out = DsrColumns::with_len(last - first);
                    dsr_columns(xs, ns, &ESP2013, 100_000.0, &mut out, 0);
                    out
                })
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("a worker panicked")).collect()
    });
    let mut all = DsrColumns::default();
    for part in parts {
        all.total_count.extend(part.total_count);
        all.value.extend(part.value);
        all.lower95.extend(part.lower95);
        all.upper95.extend(part.upper95);
        all.lower998.extend(part.lower998);
        all.upper998.extend(part.upper998);
    }
    all
}

/// LSOA-sized populations (20 to 79 people per sex and band) and events at an age-rising
/// rate that differs by indicator, from a fixed-seed generator: the same data every run.
fn synthetic(groups: usize) -> (Vec<f64>, Vec<f64>) {
    let mut state = 0x5eed_u64;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut x = Vec::with_capacity(groups * BANDS);
    let mut n = Vec::with_capacity(groups * BANDS);
    for group in 0..groups {
        let indicator = group / (LSOAS * SEXES);
        let base = 0.0005 * (1.0 + indicator as f64 * 0.35);
        for band in 0..BANDS {
            let population = 20.0 + (next() % 60) as f64;
            let rate = base * (1.0 + band as f64 * band as f64 * 0.08);
            let uniform = (next() >> 11) as f64 / (1u64 << 53) as f64;
            n.push(population);
            x.push((population * rate * 2.0 * uniform).floor());
        }
    }
    (x, n)
}

fn write_f64(path: &std::path::Path, values: &[f64]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for value in values {
        out.write_all(&value.to_le_bytes())?;
    }
    out.flush()
}
