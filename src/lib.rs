//! loadgate turns load-test results into a release decision.
//!
//! The pipeline: [`discover`] result sets → [`ingest`] them into the
//! [`model`] → [`evaluate`] them against the [`config`] (and a baseline) →
//! [`report`] every output → an exit code. [`app`] runs the commands on top
//! of these layers; `docs/ARCHITECTURE.md` draws the map and the import rules.
//! Failing the gate is a value, not an error; an `Err` from [`app::run`] means
//! loadgate could not judge at all (exit code 2).

pub mod app;
pub mod cli;
pub mod config;
pub mod discover;
pub mod evaluate;
pub mod format;
pub mod ingest;
pub mod init;
pub mod model;
pub mod report;
pub mod schema;

pub use app::Outcome;
