//! A small deterministic random number generator (xoshiro256**, seeded by SplitMix64) and
//! Walker/Vose alias tables for O(1) weighted sampling.
//!
//! We own the generator rather than take one from a crate so that "same seed → same bytes"
//! cannot be broken by a dependency upgrade.

/// xoshiro256** — fast, small state, excellent statistical quality for simulation.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: [u64; 4],
}

impl Rng {
    /// An independent stream for (`seed`, `stream`): the same pair always gives the same
    /// sequence, and different streams do not overlap in practice.
    pub(crate) fn new(seed: u64, stream: u64) -> Rng {
        let mut mix = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
        let mut next = || {
            mix = mix.wrapping_add(0x9E37_79B9_7F4A_7C15);
            splitmix(mix)
        };
        Rng { state: [next(), next(), next(), next()] }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let result = self.state[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let shifted = self.state[1] << 17;
        self.state[2] ^= self.state[0];
        self.state[3] ^= self.state[1];
        self.state[1] ^= self.state[2];
        self.state[0] ^= self.state[3];
        self.state[2] ^= shifted;
        self.state[3] = self.state[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, n).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Standard normal (Box–Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    pub(crate) fn chance(&mut self, probability: f64) -> bool {
        self.uniform() < probability
    }
}

/// SplitMix64's finaliser: also a good 64-bit hash.
pub(crate) fn splitmix(value: u64) -> u64 {
    let mut z = value;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Samples an index with probability proportional to its weight, in constant time.
#[derive(Debug, Clone)]
pub(crate) struct AliasTable {
    probability: Vec<f64>,
    alias: Vec<u32>,
}

impl AliasTable {
    /// Builds the table. Weights must be non-negative with a positive sum.
    pub(crate) fn new(weights: &[f64]) -> AliasTable {
        let n = weights.len();
        assert!(n > 0, "an alias table needs at least one weight");
        let total: f64 = weights.iter().sum();
        assert!(total > 0.0, "alias table weights sum to zero");
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut probability = vec![1.0; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&idx| scaled[idx] < 1.0);
        while let (Some(less), Some(more)) = (small.pop(), large.pop()) {
            probability[less] = scaled[less];
            alias[less] = more as u32;
            scaled[more] = scaled[more] + scaled[less] - 1.0;
            if scaled[more] < 1.0 {
                small.push(more);
            } else {
                large.push(more);
            }
        }
        AliasTable { probability, alias }
    }

    pub(crate) fn sample(&self, rng: &mut Rng) -> usize {
        let column = rng.below(self.probability.len() as u64) as usize;
        if rng.uniform() < self.probability[column] { column } else { self.alias[column] as usize }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::new(7, 3);
        let mut b = Rng::new(7, 3);
        let mut c = Rng::new(7, 4);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..5).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn alias_table_matches_weights() {
        let table = AliasTable::new(&[1.0, 0.0, 3.0, 6.0]);
        let mut rng = Rng::new(1, 1);
        let mut counts = [0u32; 4];
        let n = 200_000;
        for _ in 0..n {
            counts[table.sample(&mut rng)] += 1;
        }
        assert_eq!(counts[1], 0);
        for (idx, expected) in [(0, 0.1), (2, 0.3), (3, 0.6)] {
            let share = f64::from(counts[idx]) / f64::from(n);
            assert!((share - expected).abs() < 0.005, "index {idx}: {share}");
        }
    }

    #[test]
    fn uniform_and_below_stay_in_range() {
        let mut rng = Rng::new(42, 0);
        for _ in 0..10_000 {
            let u = rng.uniform();
            assert!((0.0..1.0).contains(&u));
            assert!(rng.below(7) < 7);
        }
    }
}
