//! The minijinja environment: built-in templates embedded from `templates/`,
//! each replaceable by a file of the same name in a `--templates DIR`.

use crate::format::ShowPath;
use std::path::{Path, PathBuf};

use anyhow::Context;
use minijinja::Environment;

#[cfg(doc)]
use super::view::ReportView;

/// The built-in templates, by name.
const BUILTIN: [(&str, &str); 6] = [
    ("report.md.j2", include_str!("../../templates/report.md.j2")),
    (
        "report.html.j2",
        include_str!("../../templates/report.html.j2"),
    ),
    ("style.css.j2", include_str!("../../templates/style.css.j2")),
    (
        "trend_table.html.j2",
        include_str!("../../templates/trend_table.html.j2"),
    ),
    ("trend.md.j2", include_str!("../../templates/trend.md.j2")),
    (
        "trend.html.j2",
        include_str!("../../templates/trend.html.j2"),
    ),
];

/// The template names the report renders.
pub const MARKDOWN: &str = "report.md.j2";
pub const HTML: &str = "report.html.j2";
/// The templates of `loadgate trend`.
pub const TREND_MARKDOWN: &str = "trend.md.j2";
pub const TREND_HTML: &str = "trend.html.j2";

/// Escape untrusted text for GitHub-flavoured Markdown, inline and in table
/// cells: whatever would end a cell (`|`), start code, emphasis, a link or an
/// HTML tag, or break the line. What cannot start markup is left alone so the
/// Markdown stays readable as plain text: `_` inside a word
/// (`scenario1_deployments`), `<` before a space or digit (`< 200 ms`).
///
/// Control and invisible characters are shown escaped first
/// ([`crate::format::display`]), so no Markdown output holds a raw C0
/// character. What GitHub would turn into a link by itself is broken up by
/// a code span, where GitHub links nothing: an `@` before a name (a mention
/// of a user or team, or an e-mail address), the `://` of a URL, the `www`
/// of `www.host`, and a `#` before a number (an issue or pull request).
pub fn escape_markdown(text: &str) -> String {
    // Most cells (figures, plain names and paths) hold nothing a rule
    // below acts on, and are copied as they are.
    if is_plain_markdown(text) {
        return text.to_string();
    }
    escape_markdown_slowly(text)
}

/// Whether no rule of [`escape_markdown`] acts on `text` (nor
/// [`crate::format::display`]): ASCII letters, digits, space and
/// `.,-/()%=+'"!?;`, a `:` not before `/`, a `<` before a space or a digit,
/// a `>` not first, and no `www.`.
fn is_plain_markdown(text: &str) -> bool {
    let bytes = text.as_bytes();
    let plain = |(i, b): (usize, &u8)| match b {
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => true,
        b' ' | b'.' | b',' | b'-' | b'/' | b'(' | b')' | b'%' | b'=' | b'+' => true,
        b'\'' | b'"' | b'!' | b'?' | b';' => true,
        b':' => bytes.get(i + 1) != Some(&b'/'),
        b'<' => bytes
            .get(i + 1)
            .is_some_and(|n| *n == b' ' || n.is_ascii_digit()),
        b'>' => i > 0,
        _ => false,
    };
    bytes.iter().enumerate().all(plain)
        && !bytes
            .windows(4)
            .any(|w| w[..3].eq_ignore_ascii_case(b"www") && w[3] == b'.')
}

fn escape_markdown_slowly(text: &str) -> String {
    let text = crate::format::display(text);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut skip = 0;
    for (i, &c) in chars.iter().enumerate() {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let word_start = !prev.is_some_and(|p| p.is_alphanumeric() || matches!(p, '_' | '-' | '.'));
        match c {
            ':' if chars.get(i + 1..i + 3) == Some(&['/', '/'])
                && prev.is_some_and(|p| p.is_ascii_alphanumeric()) =>
            {
                out.push_str("`://`");
                skip = 2;
            }
            'w' | 'W'
                if word_start
                    && chars.get(i..i + 4).is_some_and(|w| {
                        w[..3].iter().all(|c| c.eq_ignore_ascii_case(&'w')) && w[3] == '.'
                    }) =>
            {
                out.push('`');
                out.extend(&chars[i..i + 3]);
                out.push('`');
                skip = 2;
            }
            '#' if i > 0 && word_start && next.is_some_and(|n| n.is_ascii_digit()) => {
                out.push_str("`#`")
            }
            '\\' | '|' | '`' | '*' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '_' if prev.is_some_and(char::is_alphanumeric)
                && next.is_some_and(char::is_alphanumeric) =>
            {
                out.push('_')
            }
            '_' => out.push_str("\\_"),
            '#' if i == 0 => out.push_str("\\#"),
            '<' if next
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) =>
            {
                out.push_str("&lt;")
            }
            '>' if i == 0 => out.push_str("&gt;"),
            '&' if next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#') => {
                out.push_str("&amp;")
            }
            '@' if next.is_some_and(|n| n.is_alphanumeric() || n == '-') => out.push_str("`@`"),
            _ => out.push(c),
        }
    }
    out
}

/// Escape text for HTML (as autoescaping does) and let it break after `_`,
/// `/` and `-` (a `<wbr>`), so that a long scenario or endpoint name wraps
/// at its word joints in a narrow column instead of inside a word.
pub fn breakable_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut pieces = text.split_inclusive(['_', '/', '-']).peekable();
    while let Some(piece) = pieces.next() {
        out.push_str(&minijinja::HtmlEscape(piece).to_string());
        if pieces.peek().is_some() {
            out.push_str("<wbr>");
        }
    }
    out
}

/// The templates, with their origin for error messages.
pub struct Templates {
    env: Environment<'static>,
    /// Where user templates came from, to name the file in errors.
    user_dir: Option<PathBuf>,
}

impl Templates {
    /// Load the built-ins, then every `*.j2` in `user_dir` over them.
    pub fn load(user_dir: Option<&Path>) -> anyhow::Result<Templates> {
        let mut env = Environment::new();
        // A safe string (a chart's markup) stays itself: the built-in filter
        // copies it into a new string.
        env.add_filter(
            "safe",
            |v: minijinja::Value| -> Result<minijinja::Value, minijinja::Error> {
                match v.is_safe() {
                    true => Ok(v),
                    false => Ok(minijinja::filters::safe(
                        <String as minijinja::value::ArgType>::from_value(Some(&v))?,
                    )),
                }
            },
        );
        env.add_filter("md", |s: &str| escape_markdown(s));
        env.add_filter("breakable", |s: &str| {
            minijinja::Value::from_safe_string(breakable_html(s))
        });
        let mut this = Templates {
            env,
            user_dir: user_dir.map(Path::to_path_buf),
        };
        let mut sources: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        if let Some(dir) = user_dir {
            let entries = std::fs::read_dir(dir)
                .with_context(|| format!("reading the templates folder {}", dir.show()))?;
            let mut names = Vec::new();
            for entry in entries {
                let entry = entry.with_context(|| format!("reading {}", dir.show()))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".j2") {
                    names.push(name);
                }
            }
            names.sort();
            for name in names {
                let path = dir.join(&name);
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.show()))?;
                sources.retain(|(n, _)| n != &name);
                sources.push((name, text));
            }
        }
        for (name, source) in sources {
            this.env
                .add_template_owned(name, source)
                .map_err(|e| this.describe(&e))?;
        }
        Ok(this)
    }

    /// `path:line: message` for a template error, with its cause chain.
    fn describe(&self, e: &minijinja::Error) -> anyhow::Error {
        let name = e.name().unwrap_or("template");
        let file = match &self.user_dir {
            Some(dir) if dir.join(name).is_file() => dir.join(name).show().to_string(),
            _ => format!("built-in {name}"),
        };
        let line = e.line().map(|l| format!(":{l}")).unwrap_or_default();
        let mut message = format!("{file}{line}: {}", e.kind());
        if let Some(detail) = e.detail() {
            message.push_str(&format!(": {detail}"));
        }
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        anyhow::anyhow!(message)
    }

    /// Render one template with its view (the [`ReportView`], or the trend
    /// page of `loadgate trend`).
    pub fn render<V: serde::Serialize>(&self, name: &str, view: &V) -> anyhow::Result<Vec<u8>> {
        self.render_context(name, &RenderContext::new(view))
    }

    /// [`Templates::render`] with the view turned into the templates' values
    /// already: report.md and report.html share one [`RenderContext`].
    pub fn render_context(&self, name: &str, context: &RenderContext) -> anyhow::Result<Vec<u8>> {
        let template = self.env.get_template(name).map_err(|e| self.describe(&e))?;
        let mut text = template
            .render(context.0.clone())
            .map_err(|e| self.describe(&e))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        Ok(text.into_bytes())
    }
}

/// A view as the templates' values, made once for every template rendered
/// from it (a thousand scenarios' charts are 27 MB of SVG to convert).
pub struct RenderContext(minijinja::Value);

impl RenderContext {
    pub fn new<V: serde::Serialize>(view: &V) -> RenderContext {
        RenderContext(minijinja::value::Serde(view).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_escaped_as_the_rules_would() {
        // Every string of up to 4 characters over the plain alphabet and a
        // few of its neighbours: where the fast path takes a string, the
        // rules give it back unchanged.
        let alphabet: Vec<char> = "aw W0.,-/()%=+_:#@<>&|'\"!?;".chars().collect();
        let mut strings = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(last.iter().cloned());
        }
        let mut plain = 0;
        for s in strings.iter().chain(&[
            "www.example.com".to_string(),
            "GET /api/v1 (x) 5 ms".to_string(),
        ]) {
            if is_plain_markdown(s) {
                plain += 1;
                assert_eq!(escape_markdown_slowly(s), *s, "{s:?}");
            }
            assert_eq!(escape_markdown(s), escape_markdown_slowly(s), "{s:?}");
        }
        assert!(plain > 1000, "{plain}");
        assert!(!is_plain_markdown("www.example.com"));
        assert!(!is_plain_markdown("a_b"));
        assert!(!is_plain_markdown("http://x"));
        assert!(!is_plain_markdown("<b>"));
        assert!(is_plain_markdown("p99 < 1s: median 5 ms > 2 ms"));
    }

    #[test]
    fn markup_reaches_html_unescaped_and_safe_still_marks_text() {
        #[derive(serde::Serialize)]
        struct View<'a> {
            m: &'a crate::report::view::Markup,
            t: &'a str,
            n: u32,
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("t.html.j2"),
            "{{ m|safe }} {{ m }} {{ t|safe }} {{ t }} {{ n|safe }} [{{ u|safe }}]",
        )
        .unwrap();
        let templates = Templates::load(Some(dir.path())).unwrap();
        let markup = crate::report::view::Markup::new("<svg>&amp;</svg>".to_string());
        let view = View {
            m: &markup,
            t: "<b>",
            n: 7,
        };
        let text = templates.render("t.html.j2", &view).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "<svg>&amp;</svg> <svg>&amp;</svg> <b> &lt;b&gt; 7 []\n"
        );
        // To any other serializer the markup is its string.
        assert_eq!(
            serde_json::to_string(&markup).unwrap(),
            "\"<svg>&amp;</svg>\""
        );
        assert_eq!(markup.as_ref(), b"<svg>&amp;</svg>");
    }

    #[test]
    fn markdown_escaping_keeps_tables_and_blocks_markup() {
        assert_eq!(escape_markdown("a|b"), "a\\|b");
        assert_eq!(
            escape_markdown("<script>alert(1)</script>"),
            "&lt;script>alert(1)&lt;/script>"
        );
        assert_eq!(
            escape_markdown("`x` *y* _z_ [l](u)"),
            "\\`x\\` \\*y\\* \\_z\\_ \\[l\\](u)"
        );
        // Control characters are shown escaped (the backslash itself escaped for Markdown).
        assert_eq!(
            escape_markdown("one\r\ntwo\u{1b}"),
            "one\\\\r\\\\ntwo\\\\x1b"
        );
        assert_eq!(
            escape_markdown("ping @octocat, @org/team"),
            "ping `@`octocat, `@`org/team"
        );
        // What GitHub links by itself: e-mail, URLs, www., issue numbers.
        assert_eq!(escape_markdown("ops@example.com"), "ops`@`example.com");
        assert_eq!(
            escape_markdown("GET http://127.0.0.1:8080/x?a=1"),
            "GET http`://`127.0.0.1:8080/x?a=1"
        );
        assert_eq!(escape_markdown("www.example.com/a"), "`www`.example.com/a");
        assert_eq!(escape_markdown("fix #123 and x#4"), "fix `#`123 and x#4");
        assert_eq!(escape_markdown("#1 first"), "\\#1 first");
        assert_eq!(escape_markdown("/api/items/{id}"), "/api/items/{id}");
        assert_eq!(escape_markdown("reload://"), "reload`://`");
        assert_eq!(escape_markdown("Zürich 🚀"), "Zürich 🚀");
    }

    #[test]
    fn breakable_html_escapes_and_breaks_only_at_word_joints() {
        assert_eq!(
            breakable_html("scenario1_concurrent_deployments"),
            "scenario1_<wbr>concurrent_<wbr>deployments"
        );
        assert_eq!(
            breakable_html("<img src=x onerror=alert(1)>/a-b"),
            "&lt;img src=x onerror=alert(1)&gt;&#x2f;<wbr>a-<wbr>b"
        );
        assert_eq!(breakable_html("a_"), "a_");
        assert_eq!(
            breakable_html("\"q\" & 'x'"),
            "&quot;q&quot; &amp; &#x27;x&#x27;"
        );
    }

    #[test]
    fn every_builtin_template_parses() {
        let t = Templates::load(None).unwrap();
        for (name, _) in BUILTIN {
            assert!(t.env.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn a_broken_user_template_names_its_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("report.md.j2"), "# ok\n{% if %}\n").unwrap();
        let e = Templates::load(Some(dir.path())).err().unwrap().to_string();
        let expected = format!("{}:2: syntax error", dir.path().join("report.md.j2").show());
        assert!(e.starts_with(&expected), "{e}");
    }
}
