//! Public-health statistics with confidence intervals, agreeing with PHEindicatormethods 2.x,
//! statistical process control agreeing with NHSRplotthedots (`spc`), and waiting-list
//! queueing formulas agreeing with NHSRwaitinglist (`waiting`).
//!
//! Each submodule is one family of the reference package's functions (see METHODS.md §A):
//! counts (Byar's, exact Poisson, Wilson), crude rates, proportions and means, directly and
//! indirectly standardised rates and ratios, life expectancy, the slope and relative index of
//! inequality, and funnel-plot limits and significance. Inputs are plain numbers and slices;
//! missing values (R's `NA`) are `None`. Nothing here reads files or knows about JSON.

// Published coefficients and R's printed values carry more digits than an f64 holds; they are
// kept as printed so they can be checked against their sources.
#![allow(clippy::excessive_precision)]

pub mod confidence;
pub mod counts;
pub mod dist;
pub mod dsr;
pub mod forecast;
pub mod funnel;
pub mod isr;
pub mod life_expectancy;
pub mod overdispersion;
pub mod rates;
pub mod rng;
pub mod sii;
pub mod simulate;
pub mod spc;
pub mod waiting;

pub use confidence::{Confidence, Limits};

/// Why a method refused its input. The messages follow the reference package's wording.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MethodError {
    #[error("confidence level must be between 90 and 100 or between 0.9 and 1")]
    ConfidenceOutOfRange,
    #[error("two confidence levels can only be given as 0.95 and 0.998")]
    ConfidencePair,
    #[error("{0}")]
    Invalid(String),
}

impl MethodError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }
}
