//! `PREFIX_failures.csv` and `PREFIX_exceptions.csv`.

use std::path::Path;

use super::rows::*;
use crate::ingest::InputError;
use crate::model::{ExceptionRow, FailureRow};

/// Read `_failures.csv` (4 columns before Locust 2.44, 6 since).
pub fn read_failures(path: &Path) -> Result<Vec<FailureRow>, InputError> {
    let mut reader = open_csv(path)?;
    let header = Header::read(&mut reader, path)?;
    let method = header.require("Method")?;
    let name = header.require("Name")?;
    let error = header.require("Error")?;
    let occurrences = header.require("Occurrences")?;
    let mut rows = Vec::new();
    // The rows are added up later (against the stats file's failure count):
    // a sum that does not fit is the file's fault, said here with its line.
    let mut total: u64 = 0;
    for_each_row(&mut reader, &header, |row| {
        let n = row.count(occurrences)?;
        total = total.checked_add(n).ok_or_else(|| {
            row.error(
                Some(occurrences),
                format!(
                    "the occurrences add up to more than {} (the largest count loadgate can hold)",
                    crate::format::count(u64::MAX)
                ),
            )
        })?;
        rows.push(FailureRow {
            method: row.str(method).to_string(),
            name: row.str(name).to_string(),
            error: row.str(error).to_string(),
            occurrences: n,
        });
        Ok(())
    })?;
    Ok(rows)
}

/// Read `_exceptions.csv`.
pub fn read_exceptions(path: &Path) -> Result<Vec<ExceptionRow>, InputError> {
    let mut reader = open_csv(path)?;
    let header = Header::read(&mut reader, path)?;
    let count = header.require("Count")?;
    let message = header.require("Message")?;
    let traceback = header.require("Traceback")?;
    let nodes = header.optional("Nodes");
    let mut rows = Vec::new();
    for_each_row(&mut reader, &header, |row| {
        rows.push(ExceptionRow {
            count: row.count(count)?,
            message: row.str(message).to_string(),
            traceback: row.str(traceback).to_string(),
            nodes: nodes
                .map(|c| {
                    row.str(c)
                        .split(", ")
                        .filter(|n| !n.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        });
        Ok(())
    })?;
    Ok(rows)
}
