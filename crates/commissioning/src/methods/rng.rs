//! R's default random number generator, so that simulated intervals can be reproduced in R:
//! Mersenne Twister seeded the way `set.seed()` seeds it, and normals by inversion.

use crate::methods::dist::qnorm;

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

    const UNIF: [f64; 2] = [0.200_214_452_575_892_2, 0.685_218_595_666_810_9];
    const NORM: [f64; 3] = [-0.840_855_480_786_298_5, 1.384_359_343_478_584_4, -1.255_491_862_627_666_5];
}
