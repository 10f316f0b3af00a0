//! Name patterns for endpoint tables, scenario `match` and groups.

use std::fmt;

/// A name pattern where `*` matches any run of characters (including `/`)
/// and `?` any one character; everything else, brackets included, is literal,
/// because Locust names often contain `[id]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    text: String,
    /// The pattern's characters, split once: a pattern is matched against
    /// every endpoint name, and a scenario may have a million.
    chars: Vec<char>,
}

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        Glob {
            text: pattern.to_string(),
            chars: pattern.chars().collect(),
        }
    }

    /// Whether `text` matches, without allocating: iterative wildcard
    /// matching with one backtrack point for the last `*`, over the text's
    /// characters by byte position.
    pub fn matches(&self, text: &str) -> bool {
        let p = &self.chars;
        // Iterative wildcard matching with one backtrack point for the last
        // `*`; `ti` is a byte offset into `text`, moved a character at a time.
        let (mut pi, mut ti) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while let Some(c) = text[ti..].chars().next() {
            if pi < p.len() && (p[pi] == '?' || p[pi] == c) {
                pi += 1;
                ti += c.len_utf8();
            } else if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if let Some((sp, st)) = star {
                // The star takes one more character.
                let skipped = text[st..].chars().next().map_or(1, char::len_utf8);
                pi = sp + 1;
                ti = st + skipped;
                star = Some((sp, ti));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|&c| c == '*')
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_stars_and_keep_brackets_literal() {
        let g = Glob::new("/api/deployments/*");
        assert!(g.matches("/api/deployments/[id]"));
        assert!(g.matches("/api/deployments/"));
        assert!(!g.matches("/api/deployment"));
        assert!(Glob::new("scenario1*").matches("scenario1_concurrent"));
        assert!(Glob::new("/a/[id]").matches("/a/[id]"));
        assert!(!Glob::new("/a/[id]").matches("/a/i"));
        assert!(Glob::new("*a*b?").matches("xxaybz"));
        assert!(!Glob::new("*a*b?").matches("xxayb"));
        assert!(Glob::new("exact").matches("exact"));
        assert!(!Glob::new("exact").matches("exactly"));
        // `?` is one character, not one byte; `*` backtracks over multibyte ones.
        assert!(Glob::new("/caf?").matches("/café"));
        assert!(!Glob::new("/caf?").matches("/cafés"));
        assert!(Glob::new("*é*ü").matches("aéébüxü"));
        assert!(Glob::new("*🚀?").matches("a🚀🚀x"));
        assert!(!Glob::new("*🚀?").matches("a🚀"));
        assert!(Glob::new("*").matches(""));
        assert!(!Glob::new("?").matches(""));
        // `?` is one character, however many bytes it takes.
        assert!(Glob::new("/é/?/*ü").matches("/é/ß/xxü"));
        assert!(!Glob::new("/é/?/*ü").matches("/é/ßß/xxü"));
        assert!(Glob::new("*/日本").matches("a/日本"));
    }
}
