//! Engine tests: the Rust engine against an independent SQL computation of the rules (in
//! SQLite, with a window function for duplicates), on CSV and Parquet input with every kind
//! of fault injected.

mod sql_parity;
