//! The `commissioner` binary run as a user runs it: real files (including malformed ones),
//! exit codes and messages.

mod audit;
mod commands;
