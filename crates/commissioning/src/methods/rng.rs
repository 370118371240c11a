//! Random numbers: R's default generator, so that simulated intervals can be reproduced in R
//! (Mersenne Twister seeded the way `set.seed()` seeds it, and normals by inversion); and a
//! fast generator with independent streams for the waiting-list simulator (xoshiro256++
//! seeded by SplitMix64), with Poisson draws by an alias table and geometric draws by
//! inversion.

use crate::methods::dist::{ln_gamma, qnorm};

const N: usize = 624;
const M: usize = 397;

/// The generator state after `set.seed(seed)` with `RNGkind("Mersenne-Twister", "Inversion")`.
pub struct RRng {
    mt: [u32; N],
    mti: usize,
}

impl RRng {
    /// Seeds as R does: scramble the seed with 50 LCG steps, fill the 625-word state (the
    /// first word is the position), then start at the end of the table.
    pub fn set_seed(seed: u32) -> Self {
        let mut s = seed;
        for _ in 0..50 {
            s = s.wrapping_mul(69_069).wrapping_add(1);
        }
        let mut words = [0u32; N + 1];
        for word in &mut words {
            s = s.wrapping_mul(69_069).wrapping_add(1);
            *word = s;
        }
        let mut mt = [0u32; N];
        mt.copy_from_slice(&words[1..]);
        Self { mt, mti: N }
    }

    fn next_u32(&mut self) -> u32 {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        if self.mti >= N {
            for k in 0..N {
                let y = (self.mt[k] & UPPER) | (self.mt[(k + 1) % N] & LOWER);
                let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
                self.mt[k] = self.mt[(k + M) % N] ^ (y >> 1) ^ mag;
            }
            self.mti = 0;
        }
        let mut y = self.mt[self.mti];
        self.mti += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// `unif_rand()`: a double in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        const I2_32M1: f64 = 2.328_306_437_080_797e-10;
        let value = f64::from(self.next_u32()) * 2.328_306_436_538_696_3e-10;
        if value <= 0.0 {
            0.5 * I2_32M1
        } else if 1.0 - value <= 0.0 {
            1.0 - 0.5 * I2_32M1
        } else {
            value
        }
    }

    /// `norm_rand()` by inversion: two uniforms give 53 bits, then Φ⁻¹.
    pub fn normal(&mut self) -> f64 {
        const BIG: f64 = 134_217_728.0;
        let mut u = self.uniform();
        u = (BIG * u).trunc() + self.uniform();
        qnorm(u / BIG)
    }
}

/// xoshiro256++ (Blackman and Vigna): 256 bits of state, period 2^256 − 1.
pub struct Xoshiro {
    s: [u64; 4],
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Xoshiro {
    /// The generator for stream `stream` of run `seed`: the pair is hashed by SplitMix64 into
    /// the state, so streams of one seed do not overlap in practice and each is reproducible.
    pub fn for_stream(seed: u64, stream: u64) -> Self {
        let mut state = seed;
        let mixed = splitmix(&mut state) ^ stream.wrapping_mul(0xd134_2543_de82_ef95);
        let mut state = mixed;
        let mut s = [0u64; 4];
        for word in &mut s {
            *word = splitmix(&mut state);
        }
        Self { s }
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let result = (self.s[0].wrapping_add(self.s[3])).rotate_left(23).wrapping_add(self.s[0]);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A double in (0, 1].
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Exponential(1) draws by Marsaglia and Tsang's ziggurat (256 layers): nearly always one
/// 64-bit draw, a table read and a multiply. The layer comes from the low 8 bits and the
/// position from the high 32, so the two are independent (Doornik's correction).
pub struct Exponential {
    k: [u32; 256],
    w: [f64; 256],
    f: [f64; 256],
}

impl Default for Exponential {
    fn default() -> Self {
        Self::new()
    }
}

impl Exponential {
    const R: f64 = 7.697_117_470_131_05;
    const V: f64 = 3.949_659_822_581_572e-3;

    pub fn new() -> Self {
        let m = 4_294_967_296.0f64;
        let (mut k, mut w, mut f) = ([0u32; 256], [0f64; 256], [0f64; 256]);
        let mut d = Self::R;
        let mut t = d;
        let q = Self::V / (-d).exp();
        k[0] = ((d / q) * m) as u32;
        k[1] = 0;
        w[0] = q / m;
        w[255] = d / m;
        f[0] = 1.0;
        f[255] = (-d).exp();
        for i in (1..=254).rev() {
            d = -(Self::V / d + (-d).exp()).ln();
            k[i + 1] = ((d / t) * m) as u32;
            t = d;
            f[i] = (-d).exp();
            w[i] = d / m;
        }
        Self { k, w, f }
    }

    #[inline]
    pub fn sample(&self, rng: &mut Xoshiro) -> f64 {
        loop {
            let r = rng.next_u64();
            let i = (r & 255) as usize;
            let j = (r >> 32) as u32;
            let x = f64::from(j) * self.w[i];
            if j < self.k[i] {
                return x;
            }
            if i == 0 {
                return Self::R - rng.uniform().ln();
            }
            if self.f[i] + rng.uniform() * (self.f[i - 1] - self.f[i]) < (-x).exp() {
                return x;
            }
        }
    }

    /// Failures before the first success with success probability p, given `rate` =
    /// −ln(1 − p): ⌊E / rate⌋, saturating.
    #[inline]
    pub fn geometric(&self, rng: &mut Xoshiro, rate: f64) -> u64 {
        let draws = self.sample(rng) / rate;
        if draws >= u64::MAX as f64 { u64::MAX } else { draws as u64 }
    }
}

/// Poisson(λ) draws in constant time: Walker's alias table over 0..=λ + 10√λ + 10 (the mass
/// beyond is under 1e-20), one 64-bit draw per sample. Above λ = 20,000 the table would be
/// large, and the normal approximation N(λ, λ) rounded, whose error there is negligible
/// against the sampling error of any planning figure, is used instead.
#[derive(Debug, Clone)]
pub enum PoissonTable {
    Zero,
    /// Per entry, the acceptance threshold (out of 2^32) and the alias, side by side so that
    /// a draw reads one place.
    Alias {
        entries: Vec<(u32, u32)>,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
}

impl PoissonTable {
    pub fn new(lambda: f64) -> Self {
        if lambda <= 0.0 {
            return Self::Zero;
        }
        if lambda > 20_000.0 {
            return Self::Normal { mean: lambda, sd: lambda.sqrt() };
        }
        let last = (lambda + 10.0 * lambda.sqrt() + 10.0).ceil() as usize;
        let mode = lambda.floor() as usize;
        let mut pmf = vec![0.0f64; last + 1];
        pmf[mode] = (-lambda + mode as f64 * lambda.ln() - ln_gamma(mode as f64 + 1.0)).exp();
        for k in mode + 1..=last {
            pmf[k] = pmf[k - 1] * lambda / k as f64;
        }
        for k in (0..mode).rev() {
            pmf[k] = pmf[k + 1] * (k + 1) as f64 / lambda;
        }
        let total: f64 = pmf.iter().sum();
        let n = pmf.len();
        // Vose's construction: scaled probabilities split into small and large.
        let mut scaled: Vec<f64> = pmf.iter().map(|p| p / total * n as f64).collect();
        let mut alias = vec![0u32; n];
        let mut threshold = vec![u32::MAX; n];
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            threshold[s] = (scaled[s] * (1u64 << 32) as f64) as u32;
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Entries left in either list have probability 1 up to rounding: they keep themselves.
        for i in small.into_iter().chain(large) {
            threshold[i] = u32::MAX;
            alias[i] = i as u32;
        }
        Self::Alias { entries: threshold.into_iter().zip(alias).collect() }
    }

    #[inline]
    pub fn sample(&self, rng: &mut Xoshiro) -> u32 {
        match self {
            Self::Zero => 0,
            Self::Alias { entries } => {
                let r = rng.next_u64();
                let i = (((r >> 32) * entries.len() as u64) >> 32) as usize;
                let (threshold, alias) = entries[i];
                // Branch-free: which way a draw goes is unpredictable by design.
                let keep = u32::from((r as u32) < threshold).wrapping_neg();
                alias ^ ((i as u32 ^ alias) & keep)
            }
            Self::Normal { mean, sd } => {
                let u = rng.uniform().min(1.0 - f64::EPSILON);
                (mean + sd * qnorm(u)).round().max(0.0) as u32
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R 4.2.2: `set.seed(5); runif(2); set.seed(5); rnorm(3)`.
    #[test]
    fn reproduces_r() {
        let mut rng = RRng::set_seed(5);
        let uniforms = [rng.uniform(), rng.uniform()];
        assert_eq!(uniforms, [UNIF[0], UNIF[1]]);
        let mut rng = RRng::set_seed(5);
        for expected in NORM {
            assert!((rng.normal() - expected).abs() < 1e-15);
        }
    }

    #[test]
    fn poisson_draws_have_the_poisson_mean_and_variance() {
        for lambda in [0.04, 3.0, 52.5, 900.0, 30_000.0] {
            let table = PoissonTable::new(lambda);
            let mut rng = Xoshiro::for_stream(7, 0);
            let n = 200_000;
            let draws: Vec<f64> = (0..n).map(|_| f64::from(table.sample(&mut rng))).collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            // The sample mean's standard error is √(λ/n); the variance's is about λ√(2/n).
            assert!((mean - lambda).abs() < 4.0 * (lambda / n as f64).sqrt(), "λ {lambda}: mean {mean}");
            assert!((var - lambda).abs() < 5.0 * lambda * (2.0 / n as f64).sqrt() + 0.01, "λ {lambda}: var {var}");
        }
        assert_eq!(PoissonTable::new(0.0).sample(&mut Xoshiro::for_stream(1, 1)), 0);
    }

    #[test]
    fn ziggurat_exponentials_have_the_exponential_distribution() {
        let exp = Exponential::new();
        let mut rng = Xoshiro::for_stream(11, 0);
        let n = 1_000_000;
        let draws: Vec<f64> = (0..n).map(|_| exp.sample(&mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!((mean - 1.0).abs() < 4.0 / (n as f64).sqrt(), "mean {mean}");
        assert!((var - 1.0).abs() < 4.0 * 2.0 / (n as f64).sqrt(), "var {var}");
        // The tail beyond each layer edge and beyond the base strip: P(E > x) = e^−x.
        for x in [0.1, 1.0, 3.0, 6.0, 7.697_117_470_131_05, 9.0] {
            let share = draws.iter().filter(|d| **d > x).count() as f64 / n as f64;
            let p = f64::exp(-x);
            assert!((share - p).abs() < 5.0 * (p * (1.0 - p) / n as f64).sqrt() + 1e-6, "x {x}: {share} vs {p}");
        }
        // Geometric counts with p = 0.25: mean (1 − p)/p = 3.
        let rate = -(0.75f64.ln());
        let mean = (0..100_000).map(|_| exp.geometric(&mut rng, rate) as f64).sum::<f64>() / 100_000.0;
        assert!((mean - 3.0).abs() < 0.05, "{mean}");
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let first = |seed, stream| {
            let mut rng = Xoshiro::for_stream(seed, stream);
            [rng.next_u64(), rng.next_u64(), rng.next_u64()]
        };
        let (a, b, c) = (first(1, 0), first(1, 0), first(1, 1));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    const UNIF: [f64; 2] = [0.200_214_452_575_892_2, 0.685_218_595_666_810_9];
    const NORM: [f64; 3] = [-0.840_855_480_786_298_5, 1.384_359_343_478_584_4, -1.255_491_862_627_666_5];
}
