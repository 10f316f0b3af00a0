//! Integration tests: the real binary on committed fixtures.

mod util;

mod artillery;
mod autocannon;
mod baseline;
mod broken;
mod browser;
mod commands;
mod config;
mod corpus;
mod demo;
mod discovery;
mod gatling;
mod github;
mod history;
mod history_records;
mod hostile;
mod jmeter;
mod k6;
mod layers;
mod mixed;
mod outputs;
mod proptests;
mod report;
mod shape;
mod snapshots;
mod soak;
mod vegeta;
mod versions;
