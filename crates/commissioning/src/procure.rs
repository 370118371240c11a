//! Procure: the stage that buys services. `contract` holds the rules of a contract's term:
//! its expiry, notice deadlines, extension options and lifetime value.

pub mod contract;
