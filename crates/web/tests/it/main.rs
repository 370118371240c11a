//! Web tests through the router (no socket): pages, the API, sessions, CSRF, security
//! headers and the route table.

mod accounts;
mod api;
mod capacity;
mod gaps;
mod helpers;
mod matrix;
mod methods;
mod monitor;
mod needs;
mod pages;
mod performance;
mod priorities;
mod procurement;
mod public;
mod security;
mod strategy;
