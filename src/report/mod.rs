//! Outputs: the summary (the view model every output reads), its exporters
//! (summary.json, the terminal), and the output folder that owns all file I/O.

pub mod json;
pub mod summary;
pub mod terminal;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

pub use summary::{RunStatus, Summary};

/// The output folder. Created and probed for writability before any work
/// starts; every file is written atomically (a temp file in the same folder,
/// then a rename), so a reader never sees half a report.
#[derive(Debug)]
pub struct OutputDir {
    path: PathBuf,
}

impl OutputDir {
    /// Create the folder if needed and check that files can be written in it.
    pub fn prepare(path: &Path) -> anyhow::Result<OutputDir> {
        std::fs::create_dir_all(path)
            .with_context(|| format!("creating the output folder {}", path.display()))?;
        tempfile::NamedTempFile::new_in(path).with_context(|| {
            format!(
                "the output folder {} is not writable; choose another with --out DIR",
                path.display()
            )
        })?;
        Ok(OutputDir {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write `name` in the folder atomically.
    pub fn write(&self, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
        let target = self.path.join(name);
        let mut tmp = tempfile::NamedTempFile::new_in(&self.path)
            .with_context(|| format!("writing {}", target.display()))?;
        tmp.write_all(bytes)
            .and_then(|()| tmp.as_file().sync_all())
            .with_context(|| format!("writing {}", target.display()))?;
        tmp.persist(&target)
            .with_context(|| format!("writing {}", target.display()))?;
        Ok(target)
    }
}
