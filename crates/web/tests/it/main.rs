//! Web tests through the router (no socket): pages, the API, sessions, CSRF, security
//! headers and the route table.

mod api;
mod helpers;
mod pages;
mod security;
