//! The `commissioner` binary run as a user runs it: real files (including malformed ones),
//! exit codes and messages.

mod activity;
mod audit;
mod commands;
mod contracts;
mod methods;
mod needs;
mod procure;
mod strategy;
mod support;
