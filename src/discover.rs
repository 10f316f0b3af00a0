//! Discovery: walk the PATHs and group Locust files into result sets.
//!
//! A result set is one `--csv PREFIX`: `PREFIX_stats.csv` plus the optional
//! `_stats_history.csv`, `_failures.csv` and `_exceptions.csv` beside it. Its
//! scenario name is the prefix's file name. Folders are walked recursively in
//! sorted order, following symlinks (loops are reported, not followed), and
//! skipping hidden folders and the output folder.

use crate::format::ShowPath;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::ingest::{READERS, Reader};
use crate::model::{ResultFiles, Role};

/// One discovered result set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultSet {
    /// The scenario name: the prefix's file name.
    pub name: String,
    /// The tool whose reader claimed the files ([`crate::ingest::Reader::tool`]).
    pub tool: &'static str,
    pub files: ResultFiles,
}

/// What discovery found, with its warnings and errors.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Result sets with a unique name, sorted by name.
    pub sets: Vec<ResultSet>,
    /// Scenario names found more than once, with a message naming every path.
    pub duplicates: Vec<(String, String)>,
    pub warnings: Vec<String>,
    /// Problems that stop a complete judgement (unreadable folder, bad PATH).
    pub errors: Vec<String>,
}

/// The reader that claims a file, with the file's scenario and role: by
/// its name first, else (a regular file nobody claims by name, or a plain
/// `NAME.json` that Locust claims only as a histograms file) by content.
fn classify(path: &Path) -> Option<(&'static dyn Reader, String, Role)> {
    let file_name = path.file_name()?.to_str()?;
    let by_name = READERS
        .iter()
        .find_map(|r| r.claim(file_name).map(|(prefix, role)| (*r, prefix, role)));
    if by_name
        .as_ref()
        .is_some_and(|(_, _, role)| *role != Role::Histograms)
        || !std::fs::metadata(path).is_ok_and(|m| m.is_file())
    {
        return by_name;
    }
    READERS
        .iter()
        .find_map(|r| r.claim_by_content(path).map(|(p, role)| (*r, p, role)))
        .or(by_name)
}

/// Whether a file name (any bytes) ends like some tool's result file.
fn looks_like_result(name: &std::ffi::OsStr) -> bool {
    READERS
        .iter()
        .any(|r| r.looks_like_result(name.as_encoded_bytes()))
}

/// Walk `paths` and group the Locust files found. `exclude` is a folder
/// (the output folder) whose contents are never picked up.
pub fn discover(paths: &[PathBuf], exclude: Option<&Path>) -> Discovery {
    let mut walk = Walk {
        exclude: exclude.and_then(FileId::of),
        ..Walk::default()
    };
    for root in paths {
        match std::fs::metadata(root) {
            Err(e) => walk.out.errors.push(format!("{}: {e}", root.show())),
            Ok(m) if m.is_file() => walk.single_file(root),
            Ok(m) if m.is_dir() => walk.folder(root),
            Ok(_) => walk.out.errors.push(format!(
                "{}: not a regular file or folder (a FIFO, device or socket); pass a results folder or a Locust result file",
                root.show()
            )),
        }
    }
    walk.into_discovery()
}

/// Discovery in progress: the files grouped so far, and what was said.
#[derive(Default)]
struct Walk {
    out: Discovery,
    /// The output folder, never read.
    exclude: Option<FileId>,
    /// tool → (folder, prefix) → files; sorted into BTreeMaps at the end (a
    /// sorted map per file was most of a walk over thousands of folders: a
    /// path compares component by component).
    groups: HashMap<&'static str, HashMap<(PathBuf, String), ResultFiles>>,
    /// Files already taken, so overlapping PATHs and links read a file once.
    seen: std::collections::HashSet<FileKey>,
}

impl Walk {
    /// Put a file a reader claims into its set.
    fn add(&mut self, path: &Path) {
        let Some((reader, prefix, role)) = classify(path) else {
            return;
        };
        // By device and inode: overlapping PATHs and links to one file read it once.
        let id = FileId::of(path).map_or_else(|| FileKey::Path(path.to_path_buf()), FileKey::Id);
        if !self.seen.insert(id) {
            return;
        }
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let files = self
            .groups
            .entry(reader.tool())
            .or_default()
            .entry((dir, prefix.clone()))
            .or_default();
        let slot = files.slot(role);
        match slot {
            None => *slot = Some(path.to_path_buf()),
            // Two different files for one scenario's one role (a Gatling
            // `simulation.log` and `NAME.log` of one simulation id, a JTL as
            // `NAME.jtl` and `NAME.csv`): neither is dropped silently.
            Some(first) => self.out.errors.push(format!(
                "{} and {} are both scenario `{prefix}`'s {} file; only the first is read: keep one, or move one into its own folder",
                first.show(),
                path.show(),
                role.describe(),
            )),
        }
    }

    /// A single file stands for its whole result set: it and its siblings
    /// (the files beside it that its reader claims for the same prefix).
    fn single_file(&mut self, root: &Path) {
        let Some((reader, prefix, _)) =
            classify(root).filter(|(_, _, role)| *role != Role::Histograms)
        else {
            self.out.errors.push(format!(
                "{}: not a result file loadgate reads (it reads {})",
                root.show(),
                crate::ingest::files_hint()
            ));
            return;
        };
        let parent = root.parent().filter(|d| !d.as_os_str().is_empty());
        let mut siblings: Vec<PathBuf> = std::fs::read_dir(parent.unwrap_or(Path::new(".")))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| reader.claim(n))
                    .map(|(p, _)| p)
                    == Some(prefix.clone())
            })
            .map(|e| match parent {
                Some(d) => d.join(e.file_name()),
                None => PathBuf::from(e.file_name()),
            })
            .collect();
        // The file itself, even when only its content says whose it is.
        siblings.push(root.to_path_buf());
        siblings.sort();
        siblings.dedup();
        for sibling in siblings {
            self.add(&sibling);
        }
    }

    /// Walk a folder recursively, sorted, following symlinks, skipping
    /// hidden folders and the output folder.
    fn folder(&mut self, root: &Path) {
        let exclude = self.exclude;
        let walker = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(move |e| {
                if !e.file_type().is_dir() || e.depth() == 0 {
                    return true;
                }
                let hidden = e.file_name().to_str().is_some_and(|n| n.starts_with('.'));
                // Compared by device and inode, which walkdir's entry already
                // has: canonicalising every folder made deep trees quadratic.
                let excluded = exclude.is_some_and(|x| FileId::of_entry(e) == Some(x));
                !hidden && !excluded
            });
        for entry in walker {
            match entry {
                Ok(e) => self.entry(&e),
                Err(e) => self.walk_error(root, &e),
            }
        }
    }

    /// One entry of a folder walk.
    fn entry(&mut self, e: &walkdir::DirEntry) {
        let kind = e.file_type();
        let (nested, named_like_result) = (e.depth() > 0, looks_like_result(e.file_name()));
        let problem = if kind.is_file() && e.file_name().to_str().is_none() {
            named_like_result.then_some(
                "the file name is not valid UTF-8, so its scenario cannot be named; rename the file",
            )
        } else if kind.is_file() {
            self.add(e.path());
            None
        } else if nested && kind.is_dir() && classify(e.path()).is_some() {
            Some("a folder named like a Locust result file; the file itself is missing")
        } else if nested && !kind.is_dir() && named_like_result {
            Some(
                "not a regular file (a FIFO, device or socket), so it cannot be read as a result file",
            )
        } else {
            None
        };
        if let Some(what) = problem {
            self.out.errors.push(format!("{}: {what}", e.path().show()));
        }
    }

    /// A walk error: a loop or a link to nothing is a warning, the rest an error.
    fn walk_error(&mut self, root: &Path, e: &walkdir::Error) {
        let cause = || {
            e.io_error()
                .map_or_else(|| e.to_string(), |io| io.to_string())
        };
        if e.loop_ancestor().is_some() {
            self.out.warnings.push(format!(
                "{}: symlink loop, not followed",
                e.path().unwrap_or(root).show()
            ));
        } else if e.path().is_some_and(is_broken_symlink) {
            // A symlink to nothing (dangling, or to itself) holds no result.
            self.out.warnings.push(format!(
                "{}: a symlink that leads nowhere ({}), skipped",
                e.path().map(ShowPath::show).unwrap_or_default(),
                cause()
            ));
        } else {
            self.out
                .errors
                .push(format!("{}: {}", e.path().unwrap_or(root).show(), cause()));
        }
    }

    /// Group by scenario name: the same name in two folders is an error.
    fn into_discovery(mut self) -> Discovery {
        let mut by_name: BTreeMap<String, Vec<(&'static str, ResultFiles)>> = BTreeMap::new();
        let groups: BTreeMap<_, _> = std::mem::take(&mut self.groups).into_iter().collect();
        for (tool, sets) in groups {
            let mut sets: BTreeMap<_, _> = sets.into_iter().collect();
            if let Some(reader) = crate::ingest::reader(tool) {
                reader.complete(&mut sets);
            }
            for ((_, prefix), files) in sets {
                // Any other JSON file (a package.json, an old summary.json) is not a result set.
                if files.is_set() {
                    by_name.entry(prefix).or_default().push((tool, files));
                }
            }
        }
        for (name, mut sets) in by_name {
            if sets.len() == 1 {
                let (tool, files) = sets.pop().unwrap_or_default();
                self.out.sets.push(ResultSet { name, tool, files });
            } else {
                let message = duplicate_message(&name, &sets);
                self.out.duplicates.push((name, message));
            }
        }
        self.out
    }
}

/// `scenario `x` is found in 2 places: a/x_stats.csv and b/x_stats.csv; …`.
fn duplicate_message(name: &str, sets: &[(&'static str, ResultFiles)]) -> String {
    let paths: Vec<String> = sets
        .iter()
        .map(|(_, f)| {
            let any = f
                .stats
                .as_ref()
                .or(f.history.as_ref())
                .or(f.failures.as_ref())
                .or(f.exceptions.as_ref());
            any.map_or_else(String::new, |p| p.show().to_string())
        })
        .collect();
    format!(
        "scenario `{name}` is found in {} places: {}; scenario names must be unique, so rename one (its file prefix or stem, or the tool's own name for the run, such as Gatling's simulation id) or pass only one of the folders",
        paths.len(),
        paths.join(" and ")
    )
}

/// A file's identity: device and inode where the platform has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FileId(u64, u64);

impl FileId {
    #[cfg(unix)]
    fn from_meta(m: &std::fs::Metadata) -> FileId {
        use std::os::unix::fs::MetadataExt;
        FileId(m.dev(), m.ino())
    }

    /// The file `path` leads to (following symlinks).
    fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            std::fs::metadata(path).ok().map(|m| FileId::from_meta(&m))
        }
        #[cfg(not(unix))]
        {
            // No inode here: the canonical path, hashed (within one run only).
            use std::hash::{Hash, Hasher};
            let canonical = path.canonicalize().ok()?;
            let mut h = std::collections::hash_map::DefaultHasher::new();
            canonical.hash(&mut h);
            Some(FileId(h.finish(), 0))
        }
    }

    fn of_entry(e: &walkdir::DirEntry) -> Option<FileId> {
        #[cfg(unix)]
        {
            e.metadata().ok().map(|m| FileId::from_meta(&m))
        }
        #[cfg(not(unix))]
        {
            FileId::of(e.path())
        }
    }
}

/// How a file is told apart from the others found.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileKey {
    Id(FileId),
    Path(PathBuf),
}

/// Whether `path` is a symlink whose target cannot be reached (dangling, or
/// a loop of links).
fn is_broken_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(path).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "").unwrap();
    }

    #[test]
    fn files_are_grouped_by_prefix() {
        let d = tempfile::tempdir().unwrap();
        for f in [
            "a_stats.csv",
            "a_stats_history.csv",
            "a_failures.csv",
            "a_exceptions.csv",
            "b_stats.csv",
            "notes.txt",
            "a.json",
            "summary.json",
            "_stats.csv",
        ] {
            touch(&d.path().join("r").join(f));
        }
        let found = discover(&[d.path().to_path_buf()], None);
        assert_eq!(found.sets.len(), 2);
        let a = &found.sets[0];
        assert_eq!(a.name, "a");
        assert!(a.files.stats.is_some() && a.files.history.is_some());
        assert!(a.files.failures.is_some() && a.files.exceptions.is_some());
        assert!(a.files.json.is_some());
        assert_eq!(found.sets[1].name, "b");
    }

    #[test]
    fn a_freely_named_locust_json_file_joins_its_result_set() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path().join("r");
        touch(&r.join("checkout_stats.csv"));
        touch(&r.join("checkout_cart_stats.csv"));
        let locust =
            r#"[{"name": "/", "method": "GET", "response_times": {"5": 1}, "num_requests": 1}]"#;
        std::fs::write(r.join("checkout_cart_locust.json"), locust).unwrap();
        std::fs::write(r.join("checkout-report.json"), "[]").unwrap();
        // Same prefix, but not Locust's shape: left alone.
        std::fs::write(r.join("checkout_cart_meta.json"), r#"{"a": 1}"#).unwrap();
        let found = discover(&[d.path().to_path_buf()], None);
        let json = |name: &str| {
            let set = found.sets.iter().find(|s| s.name == name).unwrap();
            set.files
                .json
                .as_ref()
                .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        };
        // The longest prefix wins.
        assert_eq!(
            json("checkout_cart").as_deref(),
            Some("checkout_cart_locust.json")
        );
        assert_eq!(json("checkout").as_deref(), Some("checkout-report.json"));
        assert_eq!(found.sets.len(), 2);
    }

    #[test]
    fn the_output_folder_and_hidden_folders_are_skipped() {
        let d = tempfile::tempdir().unwrap();
        touch(&d.path().join("out/x_stats.csv"));
        touch(&d.path().join(".git/y_stats.csv"));
        touch(&d.path().join("z_stats.csv"));
        let found = discover(&[d.path().to_path_buf()], Some(&d.path().join("out")));
        let names: Vec<_> = found.sets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["z"]);
    }

    #[test]
    fn the_same_name_in_two_folders_is_an_error_naming_both() {
        let d = tempfile::tempdir().unwrap();
        touch(&d.path().join("one/s_stats.csv"));
        touch(&d.path().join("two/s_stats.csv"));
        let found = discover(&[d.path().to_path_buf()], None);
        assert!(found.sets.is_empty());
        let (name, message) = &found.duplicates[0];
        assert_eq!(name, "s");
        assert!(
            message.contains("one/s_stats.csv") && message.contains("two/s_stats.csv"),
            "{message}"
        );
    }

    #[test]
    fn overlapping_paths_read_each_file_once() {
        let d = tempfile::tempdir().unwrap();
        touch(&d.path().join("r/s_stats.csv"));
        let found = discover(
            &[
                d.path().to_path_buf(),
                d.path().join("r"),
                d.path().join("r/s_stats.csv"),
            ],
            None,
        );
        assert_eq!(found.sets.len(), 1);
        assert!(found.duplicates.is_empty());
    }

    #[test]
    fn a_single_file_brings_its_siblings() {
        let d = tempfile::tempdir().unwrap();
        touch(&d.path().join("s_stats.csv"));
        touch(&d.path().join("s_failures.csv"));
        touch(&d.path().join("t_stats.csv"));
        let found = discover(&[d.path().join("s_stats.csv")], None);
        assert_eq!(found.sets.len(), 1);
        assert!(found.sets[0].files.failures.is_some());
    }

    #[test]
    fn bad_paths_are_errors() {
        let d = tempfile::tempdir().unwrap();
        touch(&d.path().join("notes.csv"));
        let found = discover(&[d.path().join("nope"), d.path().join("notes.csv")], None);
        assert_eq!(found.errors.len(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_not_followed() {
        let d = tempfile::tempdir().unwrap();
        touch(&d.path().join("r/s_stats.csv"));
        std::os::unix::fs::symlink(d.path(), d.path().join("r/loop")).unwrap();
        let found = discover(&[d.path().to_path_buf()], None);
        assert_eq!(found.sets.len(), 1);
        assert!(
            found.warnings.iter().any(|w| w.contains("symlink loop")),
            "{:?}",
            found.warnings
        );
    }
}
