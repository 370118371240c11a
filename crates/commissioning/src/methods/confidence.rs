//! Confidence levels as the reference package accepts them, and the limits they produce.

use crate::methods::MethodError;
use crate::methods::dist::qnorm;

/// One confidence level, or the pair 95% and 99.8% that Fingertips reports side by side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Confidence {
    One(f64),
    Both,
}

impl Default for Confidence {
    fn default() -> Self {
        Self::One(0.95)
    }
}

impl Confidence {
    /// Reads levels given as 0.9–1 or 90–100; two levels must be exactly 0.95 and 0.998.
    pub fn parse(levels: &[f64]) -> Result<Self, MethodError> {
        let scaled: Vec<f64> = levels.iter().map(|&level| scale(level)).collect::<Result<_, _>>()?;
        match scaled.as_slice() {
            [level] => Ok(Self::One(*level)),
            [first, second] if *first == 0.95 && *second == 0.998 => Ok(Self::Both),
            [] => Err(MethodError::invalid("at least one confidence level is needed")),
            _ => Err(MethodError::ConfidencePair),
        }
    }

    /// The levels in the order their columns appear.
    pub fn levels(self) -> Vec<f64> {
        match self {
            Self::One(level) => vec![level],
            Self::Both => vec![0.95, 0.998],
        }
    }
}

/// Scales 90–100 to 0.9–1 and rejects anything outside the two ranges.
pub fn scale(level: f64) -> Result<f64, MethodError> {
    if level.is_nan() || level < 0.9 || (level > 1.0 && level < 90.0) || level > 100.0 {
        return Err(MethodError::ConfidenceOutOfRange);
    }
    Ok(if level >= 90.0 { level / 100.0 } else { level })
}

/// The two-sided z for a level: Φ⁻¹(c + (1 − c)/2).
pub fn z_for(level: f64) -> f64 {
    qnorm(level + (1.0 - level) / 2.0)
}

/// Lower and upper limits at one confidence level; `None` is R's `NA`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub level: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

impl Limits {
    /// The output column suffix for this level when two are reported: `95_0`, `99_8`.
    pub fn suffix(&self) -> String {
        format!("{:.1}", self.level * 100.0).replace('.', "_")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Source: PHEindicatormethods testByars.R / testWilson.R error cases, and METHODS.md.
    #[test]
    fn levels_are_read_as_the_package_reads_them() {
        assert_eq!(Confidence::parse(&[0.95]), Ok(Confidence::One(0.95)));
        assert_eq!(Confidence::parse(&[99.8]), Ok(Confidence::One(0.998)));
        assert_eq!(Confidence::parse(&[95.0, 99.8]), Ok(Confidence::Both));
        assert_eq!(Confidence::parse(&[0.95, 0.998]), Ok(Confidence::Both));
        for bad in [0.7, 14.0, 125.0, f64::NAN] {
            assert_eq!(Confidence::parse(&[bad]), Err(MethodError::ConfidenceOutOfRange), "{bad}");
        }
        assert_eq!(Confidence::parse(&[0.95, 0.99]), Err(MethodError::ConfidencePair));
        assert_eq!(Confidence::parse(&[0.998, 0.95]), Err(MethodError::ConfidencePair));
        assert!((z_for(0.95) - 1.959_963_984_540_054).abs() < 1e-14);
        assert!((z_for(0.998) - 3.090_232_306_167_813).abs() < 1e-14);
    }
}
