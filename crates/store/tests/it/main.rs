//! The store contract suite: every story runs on SQLite and, when `TEST_DATABASE_URL` is set,
//! on PostgreSQL, so that the SQL both backends share cannot drift apart unnoticed.

mod account;
mod audit;
mod backup;
mod contracts;
mod engagement;
mod monitor;
mod needs;
mod provision;
mod reference;
mod strategy;
