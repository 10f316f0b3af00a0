//! What `loadgate.toml` says about endpoints beyond their thresholds: how
//! many the reports list per scenario (`[report] max_endpoints`), and which
//! endpoint names are merged into one (`[[scenarios.X.group]]`), for runs
//! whose load script named every URL on its own (`/item/1`, `/item/2`, …).

use serde::Deserialize;
use toml::Spanned;

use super::{ConfigError, Ctx, Glob};

/// How many endpoints a report lists per scenario without a `[report]` table.
pub const DEFAULT_MAX_ENDPOINTS: usize = 50;
/// The most `max_endpoints` may be: report.html stays a few MB per scenario.
pub const MAX_MAX_ENDPOINTS: usize = 1_000;

/// `[report]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReport {
    max_endpoints: Option<Spanned<i64>>,
}

/// A `[[scenarios.X.group]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup {
    pattern: Spanned<String>,
    name: Option<Spanned<String>>,
    method: Option<String>,
}

/// `[report]`: how the reports lay the results out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportConfig {
    /// At most this many endpoints per scenario in report.md, report.html
    /// and the job summary (summary.json has them all).
    pub max_endpoints: usize,
}

impl Default for ReportConfig {
    fn default() -> ReportConfig {
        ReportConfig {
            max_endpoints: DEFAULT_MAX_ENDPOINTS,
        }
    }
}

/// A `[[scenarios.X.group]]` table: the endpoints whose name matches
/// `pattern` (and whose method is `method`, when given) become one endpoint
/// named `name`, one per method.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupConfig {
    pub pattern: Glob,
    /// The merged endpoint's name: `name`, else the pattern as written.
    pub name: String,
    /// Matched exactly, as in an endpoint table.
    pub method: Option<String>,
    /// Key path of the table, e.g. `scenarios.api.group[0]`.
    pub key: String,
}

impl GroupConfig {
    /// Whether the endpoint (method, name) belongs to this group: its name
    /// matches the pattern or is the group's own name.
    pub fn admits(&self, method: &str, name: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method)
            && (name == self.name || self.pattern.matches(name))
    }
}

impl Ctx<'_> {
    /// `[report]`, validated.
    pub(super) fn report(&self, raw: Option<&RawReport>) -> Result<ReportConfig, ConfigError> {
        let mut out = ReportConfig::default();
        if let Some(n) = raw.and_then(|r| r.max_endpoints.as_ref()) {
            let value = *n.get_ref();
            out.max_endpoints = usize::try_from(value)
                .ok()
                .filter(|v| (1..=MAX_MAX_ENDPOINTS).contains(v))
                .ok_or_else(|| {
                    self.error(
                        "report.max_endpoints".into(),
                        Some(n.span()),
                        format!(
                            "{value} is out of range: a report lists 1 to {MAX_MAX_ENDPOINTS} endpoints per scenario (default {DEFAULT_MAX_ENDPOINTS}); summary.json always has them all"
                        ),
                    )
                })?;
        }
        Ok(out)
    }

    /// A scenario's `[[scenarios.X.group]]` tables, validated; `base` is
    /// the scenario's key path.
    pub(super) fn groups(
        &self,
        raw: &[RawGroup],
        base: &str,
    ) -> Result<Vec<GroupConfig>, ConfigError> {
        raw.iter()
            .enumerate()
            .map(|(i, g)| {
                let key = format!("{base}.group[{i}]");
                let pattern = g.pattern.get_ref();
                if pattern.is_empty() {
                    return Err(self.error(
                        format!("{key}.pattern"),
                        Some(g.pattern.span()),
                        "an empty pattern matches no endpoint name; write one such as \"/item/*\"".into(),
                    ));
                }
                let name = match &g.name {
                    Some(n) if n.get_ref().is_empty() => {
                        return Err(self.error(
                            format!("{key}.name"),
                            Some(n.span()),
                            "the group's name is empty; leave `name` out to name the group by its pattern".into(),
                        ));
                    }
                    Some(n) => n.get_ref().clone(),
                    None => pattern.clone(),
                };
                Ok(GroupConfig {
                    pattern: Glob::new(pattern),
                    name,
                    method: g.method.clone(),
                    key,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use std::path::Path;

    fn load(text: &str) -> Result<Config, super::ConfigError> {
        Config::from_toml(text, Path::new("loadgate.toml"))
    }

    #[test]
    fn max_endpoints_defaults_to_50_and_is_bounded_with_its_key_and_line() {
        assert_eq!(load("").unwrap().report.max_endpoints, 50);
        assert_eq!(
            load("[report]\nmax_endpoints = 7\n")
                .unwrap()
                .report
                .max_endpoints,
            7
        );
        for bad in ["0", "-3", "1001"] {
            let e = load(&format!("[report]\nmax_endpoints = {bad}\n")).unwrap_err();
            assert_eq!(e.key.as_deref(), Some("report.max_endpoints"), "{bad}");
            assert_eq!(e.location.map(|l| (l.line, l.column)), Some((2, 17)));
            assert!(e.message.contains("1 to 1000"), "{}", e.message);
        }
        let e = load("[report]\nmax_endpoints = \"all\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("report.max_endpoints"));
        let e = load("[report]\nendpoints = 5\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("report.endpoints"));
        assert!(e.message.contains("unknown field"), "{}", e.message);
    }

    #[test]
    fn groups_are_named_by_their_pattern_unless_named_and_checked_key_by_key() {
        let c = load(
            "[[scenarios.api.group]]\npattern = \"/item/*\"\n[[scenarios.api.group]]\npattern = \"/user/?\"\nname = \"users\"\nmethod = \"GET\"\n",
        )
        .unwrap();
        let g = &c.scenarios[0].groups;
        assert_eq!(g.len(), 2);
        assert_eq!(
            (g[0].name.as_str(), g[0].key.as_str()),
            ("/item/*", "scenarios.api.group[0]")
        );
        assert!(g[0].admits("POST", "/item/12"));
        assert!(g[1].admits("GET", "/user/7"));
        assert!(!g[1].admits("POST", "/user/7"));
        assert!(!g[1].admits("GET", "/user/17"));
        // A group's own name is a member even when the pattern misses it.
        assert!(g[1].admits("GET", "users"));

        let e = load("[[scenarios.api.group]]\npattern = \"\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("scenarios.api.group[0].pattern"));
        assert_eq!(e.location.map(|l| l.line), Some(2));
        let e = load("[[scenarios.api.group]]\npattern = \"/a*\"\nname = \"\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("scenarios.api.group[0].name"));
        let e = load("[[scenarios.api.group]]\nname = \"x\"\n").unwrap_err();
        assert!(
            e.message.contains("missing field `pattern`"),
            "{}",
            e.message
        );
        assert_eq!(e.key.as_deref(), Some("scenarios.api.group[0]"));
        let e = load("[[scenarios.api.group]]\npattern = \"/a*\"\nmatch = \"x\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("scenarios.api.group[0].match"));
    }
}
