//! `summary.json`: the machine contract, serialised straight from [`Summary`].

use super::Summary;

/// The file name in the output folder.
pub const FILE_NAME: &str = "summary.json";

/// Pretty-printed JSON with a trailing newline.
pub fn render(summary: &Summary<'_>) -> anyhow::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(summary)?;
    bytes.push(b'\n');
    Ok(bytes)
}
