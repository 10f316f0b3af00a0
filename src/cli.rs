//! The command line, as clap definitions only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit codes:
  0  every check passed
  1  the gate failed: a threshold was missed, or a required scenario is missing or incomplete
  2  loadgate could not judge: bad usage, an unreadable or invalid config, malformed input,
     or an output that could not be written (readable scenarios are still reported)";

const EXAMPLES: &str = "\
Examples:
  loadgate check results/                        judge every Locust run under results/
  loadgate check results/ --no-fail              report only, exit 0 even when checks fail
  loadgate check results/ --baseline last/summary.json
                                                 also fail on regressions since the last run
  loadgate check results/ --format md --out -    the Markdown summary on stdout
  loadgate check results/ --format comment --report-url https://example.org/run/42/
                                                 comment.md for a pull request, linking the report
  loadgate check results/ --history perf-history --baseline perf-history --label v2.4
                                                 judge against the median of the last runs, then
                                                 record this one
  loadgate trend perf-history                    trend.md/html/json over every recorded run
  loadgate compare last/summary.json results/    the comparison table alone
  loadgate init results/                         write a starter loadgate.toml from measured values
  loadgate schema > loadgate.schema.json         a JSON Schema for editor completion";

/// Turn Locust load-test results into a release decision.
#[derive(Debug, Parser)]
#[command(name = "loadgate", version, about, after_help = EXIT_CODES, after_long_help = format!("{EXAMPLES}\n\n{EXIT_CODES}"))]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read load-test results (Locust, JMeter, k6, Gatling, Artillery, …), check them against the SLA targets, write the reports.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Compare two runs (summary.json files or results folders) with the [regression] tolerances.
    #[command(after_help = COMPARE_EXIT_CODES)]
    Compare(CompareArgs),
    /// Render a trend report over every run of a run history: trend.md,
    /// trend.html, trend.json.
    #[command(after_help = TREND_EXIT_CODES)]
    Trend(TrendArgs),
    /// Write a starter loadgate.toml whose targets pass on the given results.
    Init(InitArgs),
    /// Print the JSON Schema of loadgate.toml, for editor completion and checks.
    Schema,
    /// Print shell completions.
    Completions {
        /// bash, zsh, fish, powershell or elvish
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Results folders or result files to measure.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Where to write the config; `-` prints it.
    #[arg(long, short, value_name = "FILE", default_value = "loadgate.toml")]
    pub output: PathBuf,

    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

const COMPARE_EXIT_CODES: &str = "\
Exit codes:
  0  no metric regressed beyond its tolerance
  1  at least one metric regressed
  2  loadgate could not judge: bad usage, an unreadable config or run";

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The earlier run: a summary.json written by `loadgate check`, or a results folder.
    #[arg(value_name = "BASE")]
    pub base: PathBuf,

    /// The run to judge: a summary.json or a results folder.
    #[arg(value_name = "CURRENT")]
    pub current: PathBuf,

    /// The config with the [regression] tolerances [default: loadgate.toml in the CURRENT
    /// folder, else in the current folder, else the built-in tolerances]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

const TREND_EXIT_CODES: &str = "\
Exit codes:
  0  the trend report was written (records that could not be read are named on stderr)
  2  DIR is missing, is not a run history, or holds no readable record; or OUT could not be written";

#[derive(Debug, Args)]
pub struct TrendArgs {
    /// The run history: a folder written by `loadgate check --history DIR`.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Where to write trend.md, trend.html, trend.json and charts/; not the
    /// folder of `check --out`, whose files it would replace.
    #[arg(long, value_name = "DIR", default_value = "loadgate-trend")]
    pub out: PathBuf,

    /// The config whose [history] window and [regression] tolerances set the
    /// bands [default: loadgate.toml in the current folder, else built-in]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Results folders (walked recursively) or individual result files (any supported tool).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// The config file [default: loadgate.toml in the first PATH folder, else in the
    /// current folder, else the built-in defaults]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Where to write the outputs; never read as input, even inside a PATH.
    /// `-` writes the one selected format to stdout.
    #[arg(long, value_name = "DIR", default_value = "loadgate-report")]
    pub out: PathBuf,

    /// Outputs to write, comma-separated [default: md,html,json,junit; md with --out -]
    #[arg(long, value_name = "FORMATS", value_delimiter = ',')]
    pub format: Vec<FormatArg>,

    /// The NAME of comment.md's hidden marker `<!-- loadgate:NAME -->`, by which
    /// the action updates its own pull-request comment: one per gate (letters,
    /// digits, `.`, `_`, `-`).
    #[arg(long, value_name = "NAME", default_value = "loadgate")]
    pub comment_id: String,

    /// Where the full report can be read (an artifact or Pages URL, http or
    /// https), linked from comment.md.
    #[arg(long, value_name = "URL")]
    pub report_url: Option<String>,

    /// A folder of templates replacing the built-ins of the same name
    /// (report.md.j2, report.html.j2, style.css.j2).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Also write the context the templates get (the report view) as JSON
    /// to FILE (`-` for stdout), for writing your own templates.
    #[arg(long, value_name = "FILE")]
    pub dump_context: Option<PathBuf>,

    /// Compare with an earlier run: its summary.json, its results folder, or a
    /// run history (a folder with LOADGATE-HISTORY.txt: the median of its last
    /// comparable runs). A regression beyond the [regression] tolerances fails the gate.
    #[arg(long, value_name = "PATH")]
    pub baseline: Option<PathBuf>,

    /// Record this run in the run history DIR (created when missing) once the
    /// outputs are written; the reports show its trend.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,

    /// A name for this run in the history and the trend, e.g. a release.
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,

    /// GitHub Actions output: append a job summary to $GITHUB_STEP_SUMMARY, print
    /// annotations, write step outputs to $GITHUB_OUTPUT [default: on when GITHUB_ACTIONS=true]
    #[arg(long, overrides_with = "no_github")]
    pub github: bool,

    /// No GitHub Actions output, even inside GitHub Actions.
    #[arg(long, overrides_with = "github")]
    pub no_github: bool,

    /// Report only: exit 0 even when checks fail (still 2 when loadgate cannot judge).
    #[arg(long)]
    pub no_fail: bool,

    /// Print only failures.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A value of `--format` (the outputs are `report::Format`; clap stays here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum FormatArg {
    /// report.md, the executive summary in Markdown
    Md,
    /// report.html, one self-contained file with inline charts
    Html,
    /// summary.json, the machine-readable result
    Json,
    /// junit.xml, one testcase per check
    Junit,
    /// comment.md, a pull-request comment (at most 65,000 characters)
    Comment,
    /// gl-code-quality-report.json, GitLab's Code Quality report
    Gitlab,
}

impl From<FormatArg> for crate::report::Format {
    fn from(f: FormatArg) -> Self {
        use crate::report::Format;
        match f {
            FormatArg::Md => Format::Md,
            FormatArg::Html => Format::Html,
            FormatArg::Json => Format::Json,
            FormatArg::Junit => Format::Junit,
            FormatArg::Comment => Format::Comment,
            FormatArg::Gitlab => Format::Gitlab,
        }
    }
}
