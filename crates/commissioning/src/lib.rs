//! The commissioning domain: types, rules and calculations, with no IO at all.
//!
//! Everything a commissioner reasons about lives here as plain values: organisations by ODS
//! code, small areas and deprivation, exact money, UK financial years and working days,
//! services by point of delivery, populations by age band and sex, and who may do what
//! (`access`). Functions take data and return decisions or new values; the `app` crate does
//! the loading and saving around them.
//!
//! **Architecture invariant:** this crate never touches files, the network, a database or the
//! clock. Its `Cargo.toml` has no tokio, sqlx, axum, arrow or reqwest. Errors are typed enums
//! (`thiserror`), never `anyhow`.
//!
//! The commissioning cycle has three stages and their names (`plan`, `procure`, `monitor`)
//! mean the stage wherever they appear in the code.
//!
//! # Glossary
//!
//! | Word | Meaning here |
//! |---|---|
//! | ODS code | Organisation Data Service code identifying an NHS or care organisation |
//! | ICB | Integrated Care Board, the statutory commissioner of an area in England |
//! | LSOA / MSOA | Lower / Middle Layer Super Output Area, ONS small areas (2011 codes `E01`/`E02`) |
//! | IMD | Index of Multiple Deprivation 2019; decile 1 is the most deprived tenth of LSOAs |
//! | POD | Point of delivery: `EL`, `DC`, `NEL`, `OPFA`, `OPFU`, `OPPROC`, `AE` |
//! | TFC | Treatment function code, a 3-digit specialty code |
//! | Financial year | 1 April to 31 March, written `2025/26` |
//! | Working day | Monday to Friday except England and Wales bank holidays |

pub mod access;
pub mod area;
pub mod calendar;
pub mod methods;
pub mod money;
pub mod monitor;
pub mod org;
pub mod period;
pub mod plan;
pub mod population;
pub mod procure;
pub mod service;
pub mod strategy;
