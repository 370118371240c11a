//! Procure: the stage that buys services. `contract` holds the rules of a contract's term:
//! its expiry, notice deadlines, extension options and lifetime value; `psr` the Provider
//! Selection Regime's process selection, considerable change and standstill; `tender` a
//! tender's lifecycle and sealed bids; `scoring` the evaluation arithmetic; `redflags` the
//! red-flag indicators over procurements; `spec` service specifications, their versions
//! compared, and the service-change consultation gate; `summary` the Provider Selection
//! Regime's annual summary from the decision log.

pub mod contract;
pub mod psr;
pub mod redflags;
pub mod scoring;
pub mod spec;
pub mod summary;
pub mod tender;
