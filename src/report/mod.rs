//! Outputs: the summary (what every output reads), the report view for the
//! templates, one exporter per format (summary.json, report.md, report.html,
//! junit.xml, the terminal), the charts, and the output folder that owns all
//! file I/O.

pub mod charts;
pub mod github;
pub mod json;
pub mod junit;
pub mod summary;
pub mod templates;
pub mod terminal;
pub mod view;

use crate::format::ShowPath;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

pub use summary::{RunStatus, Summary};

/// An output format of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    /// report.md, the executive summary in Markdown
    Md,
    /// report.html, one self-contained file with inline charts
    Html,
    /// summary.json, the machine-readable result
    Json,
    /// junit.xml, one testcase per check
    Junit,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Md, Format::Html, Format::Json, Format::Junit];

    /// The file written in the output folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Md => "report.md",
            Format::Html => "report.html",
            Format::Json => json::FILE_NAME,
            Format::Junit => junit::FILE_NAME,
        }
    }

    /// Whether the format shows charts.
    pub fn has_charts(self) -> bool {
        matches!(self, Format::Md | Format::Html)
    }
}

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
            .with_context(|| format!("creating the output folder {}", path.show()))?;
        tempfile::NamedTempFile::new_in(path).with_context(|| {
            format!(
                "the output folder {} is not writable; choose another with --out DIR",
                path.show()
            )
        })?;
        Ok(OutputDir {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write `name` (a path relative to the folder, e.g. `charts/x.svg`) atomically.
    pub fn write(&self, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
        let target = self.path.join(name);
        let dir = target.parent().unwrap_or(&self.path);
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.show()))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("writing {}", target.show()))?;
        // Temp files are created 0600; a report is for everyone who can read the folder.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))
                .with_context(|| format!("writing {}", target.show()))?;
        }
        // No fsync: the rename alone makes the write atomic for readers, and
        // a dozen fsyncs (one per chart) tripled the wall time of a run.
        tmp.write_all(bytes)
            .with_context(|| format!("writing {}", target.show()))?;
        tmp.persist(&target)
            .with_context(|| format!("writing {}", target.show()))?;
        Ok(target)
    }

    /// Remove `*.svg` files in `sub` that this run did not write, so charts of
    /// a scenario that no longer exists do not linger beside the report.
    pub fn remove_stale_svgs(&self, sub: &str, keep: &[String]) -> anyhow::Result<()> {
        let dir = self.path.join(sub);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(());
        };
        for entry in entries {
            let path = entry
                .with_context(|| format!("reading {}", dir.show()))?
                .path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.ends_with(".svg") && !keep.contains(&name) {
                std::fs::remove_file(&path).with_context(|| format!("removing {}", path.show()))?;
            }
        }
        Ok(())
    }
}
