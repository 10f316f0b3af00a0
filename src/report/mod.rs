//! Outputs: the summary (what every output reads), the report view for the
//! templates (with the decision: what failed, the scenario × metric matrix),
//! one exporter per format (summary.json, report.md, report.html, junit.xml,
//! the pull-request comment, GitLab's Code Quality report, the terminal),
//! the charts, the run record and the trend report of a history, and the
//! output folder that owns all file I/O.

pub mod charts;
pub mod decision;
pub mod endpoints;
pub mod findings;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod output;
pub mod record;
pub mod summary;
pub mod templates;
pub mod terminal;
pub mod trend;
pub mod view;

pub use output::{OutputDir, OutputSet};
pub use summary::{RunStatus, Summary};

/// An output format of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// report.md, the executive summary in Markdown
    Md,
    /// report.html, one self-contained file with inline charts
    Html,
    /// summary.json, the machine-readable result
    Json,
    /// junit.xml, one testcase per check
    Junit,
    /// comment.md, the pull-request comment (at most 65,000 characters)
    Comment,
    /// gl-code-quality-report.json, GitLab's Code Quality report
    Gitlab,
}

impl Format {
    /// What `check` writes without `--format`.
    pub const DEFAULT: [Format; 4] = [Format::Md, Format::Html, Format::Json, Format::Junit];

    /// The file written in the output folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Md => "report.md",
            Format::Html => "report.html",
            Format::Json => json::FILE_NAME,
            Format::Junit => junit::FILE_NAME,
            Format::Comment => "comment.md",
            Format::Gitlab => gitlab::FILE_NAME,
        }
    }

    /// Whether the format shows charts.
    pub fn has_charts(self) -> bool {
        matches!(self, Format::Md | Format::Html)
    }

    /// Whether the format is laid out from the report view.
    pub fn needs_view(self) -> bool {
        matches!(self, Format::Md | Format::Html | Format::Comment)
    }
}
