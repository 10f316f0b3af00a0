//! Integration tests: the real binary on committed fixtures.

mod util;

mod broken;
mod config;
mod demo;
mod discovery;
mod snapshots;
