//! Integration tests: the real binary on committed fixtures.

mod util;

mod action;
mod artillery;
mod autocannon;
mod baseline;
mod broken;
mod browser;
mod commands;
mod comment;
mod config;
mod corpus;
mod demo;
mod discovery;
mod gatling;
mod github;
mod hey;
mod history;
mod history_records;
mod hostile;
mod jmeter;
mod k6;
mod layers;
mod million;
mod mixed;
mod oha;
mod outputs;
mod proptests;
mod readme;
mod report;
mod shape;
mod snapshots;
mod soak;
mod taurus;
mod vegeta;
mod versions;
