//! Plan: the stage that assesses what the population needs before anything is bought.
//!
//! `indicators` is the indicator catalogue (definitions as data: what is counted, how it is
//! computed and which way is better); `needs` turns counts for areas into indicator values
//! with confidence limits, compares them with a benchmark, measures inequality across
//! deprivation deciles and estimates unmet need from expected against recorded prevalence;
//! `rtt` reads referral-to-treatment waits from NHS England's weekly bands, with a capacity
//! and demand view through the waiting-list formulas; `capacity` plans a service's weekly
//! capacity to meet a standard at a confidence, with scenarios, from the simulator.

pub mod capacity;
pub mod indicators;
pub mod mcda;
pub mod needs;
pub mod portfolio;
pub mod provision;
pub mod rtt;
