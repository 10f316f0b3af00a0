//! Integration tests: the real binary on committed fixtures.

mod util;

mod baseline;
mod broken;
mod browser;
mod commands;
mod config;
mod demo;
mod discovery;
mod github;
mod history;
mod report;
mod snapshots;
mod soak;
