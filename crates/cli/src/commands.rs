//! One module per command.

pub(crate) mod activity;
pub(crate) mod audit;
pub(crate) mod contracts;
pub(crate) mod generate;
pub(crate) mod import;
pub(crate) mod methods;
pub(crate) mod needs;
pub(crate) mod procure;
pub(crate) mod serve;
pub(crate) mod store;
pub(crate) mod strategy;
pub(crate) mod user;
