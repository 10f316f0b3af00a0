//! The output folder: the only code that writes, replaces or removes files.
//!
//! Promises, in order of importance:
//! - **Nothing loadgate did not write is ever replaced, renamed or removed.**
//!   Every file loadgate writes in OUT is listed in `OUT/.loadgate-manifest`;
//!   a planned output whose path holds a file not listed there (a Locust
//!   `--json-file summary` left in the results folder, a user's own
//!   `report.md`) is an error before anything is written. So is an output
//!   path that is one of the run's input files, by path or by inode.
//! - **Only files loadgate itself wrote are removed**: the ones the previous
//!   manifest lists and this run did not write again (charts of a scenario
//!   that is gone, the report of a format not asked for this time). A user's
//!   `charts/architecture.svg` stays. Removal never follows a symlink, and
//!   output never goes through one: an `OUT/charts` that is a symlink is an
//!   error, so no file is written outside OUT.
//! - **An output set is always whole.** Under an exclusive lock on
//!   `OUT/.loadgate.lock`, every file of the set is first written into a
//!   hidden staging folder inside OUT; only when all of them are on disk are
//!   they renamed into place, then the manifest is replaced and the stale
//!   files removed. A file the previous set has with exactly the new bytes
//!   is kept, not staged and replaced. A failed write (a full disk) leaves the previous set as it was;
//!   two concurrent runs on one OUT switch in one after the other, so OUT
//!   ends with the complete set of one of them. The switch itself is a short
//!   burst of renames: a reader that opens files during those microseconds
//!   may see files of both runs.
//!
//! Outside OUT it writes only new files that replace nothing: a run record
//! in a history folder and its marker ([`write_new_file`],
//! [`create_if_missing`]).

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};

use crate::format::ShowPath;

/// The manifest of the files loadgate wrote in OUT, one relative path a line.
pub const MANIFEST: &str = ".loadgate-manifest";
/// Held exclusively while a set is switched in.
const LOCK: &str = ".loadgate.lock";
/// Staging folders: `.loadgate-staging-<pid>-<nanos>`.
const STAGING_PREFIX: &str = ".loadgate-staging-";
/// The first line of the manifest, so that a stray file of that name is not
/// taken for one.
const MANIFEST_HEADER: &str = "# loadgate output manifest v1: files loadgate wrote here; loadgate replaces and removes only these";

/// The output folder, checked before any work starts.
#[derive(Debug)]
pub struct OutputDir {
    path: PathBuf,
}

/// One output set: relative paths (`report.md`, `charts/x.svg`) and what
/// each file holds.
#[derive(Default)]
pub struct OutputSet<'a> {
    files: Vec<(String, Content<'a>)>,
}

/// A file's bytes, or what writes them: a summary.json of a million
/// endpoints is written straight into the staging folder, never held whole.
enum Content<'a> {
    /// Owned, or held elsewhere too (a chart, also inlined into report.html).
    Bytes(Box<dyn AsRef<[u8]> + Send + Sync + 'a>),
    Writer(Box<Writer<'a>>),
}

/// Writes one file's content.
type Writer<'a> = dyn Fn(&mut dyn Write) -> anyhow::Result<()> + 'a;

impl<'a> OutputSet<'a> {
    pub fn add(&mut self, name: impl Into<String>, bytes: Vec<u8>) {
        self.add_shared(name, bytes);
    }

    /// A file whose bytes are shared with something else that keeps them.
    pub fn add_shared(
        &mut self,
        name: impl Into<String>,
        bytes: impl AsRef<[u8]> + Send + Sync + 'a,
    ) {
        self.files
            .push((name.into(), Content::Bytes(Box::new(bytes))));
    }

    /// A file whose content `write` writes when the set is staged.
    pub fn add_writer(
        &mut self,
        name: impl Into<String>,
        write: impl Fn(&mut dyn Write) -> anyhow::Result<()> + 'a,
    ) {
        self.files
            .push((name.into(), Content::Writer(Box::new(write))));
    }
}

impl OutputDir {
    /// Create the folder if needed, check that files can be written in it,
    /// that `planned` (the outputs this run may write, relative paths) would
    /// replace nothing loadgate did not write, and that none of them is one of
    /// `inputs`.
    pub fn prepare(path: &Path, planned: &[&str], inputs: &[PathBuf]) -> anyhow::Result<OutputDir> {
        if let Ok(meta) = std::fs::metadata(path)
            && !meta.is_dir()
        {
            bail!(
                "the output folder {} is not a folder; choose another with --out DIR",
                path.show()
            );
        }
        std::fs::create_dir_all(path)
            .with_context(|| format!("creating the output folder {}", path.show()))?;
        tempfile::NamedTempFile::new_in(path).with_context(|| {
            format!(
                "the output folder {} is not writable; choose another with --out DIR",
                path.show()
            )
        })?;
        let dir = OutputDir {
            path: path.to_path_buf(),
        };
        // Under the lock: a run switching its set in is never half seen.
        let _lock = dir.lock()?;
        let owned = dir.manifest()?;
        // Each input's identity once, not once per planned output.
        let inputs: HashMap<FileIdentity, &PathBuf> = inputs
            .iter()
            .filter_map(|i| Some((identity(i)?, i)))
            .collect();
        let mut folders = BTreeSet::new();
        for name in planned {
            // `charts/*`: the folders must be real ones; the names come later.
            if name.ends_with("/*") {
                dir.check_folders(name, &mut folders)?;
                continue;
            }
            dir.check_target(name, &owned, &mut folders)?;
            let target = dir.path.join(name);
            if let Some(input) = identity(&target).and_then(|id| inputs.get(&id)) {
                bail!(
                    "{} would be overwritten by the output {}: an output must never replace an input; choose another --out DIR",
                    input.show(),
                    target.show()
                );
            }
        }
        Ok(dir)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The files the manifest lists (only plain relative paths inside OUT).
    fn manifest(&self) -> anyhow::Result<BTreeSet<String>> {
        let path = self.path.join(MANIFEST);
        let text = match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.show())),
            Ok(meta) if !meta.is_file() => {
                bail!("{} is not a regular file; remove it", path.show())
            }
            Ok(_) => std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.show()))?,
        };
        let mut lines = text.lines();
        if lines.next() != Some(MANIFEST_HEADER) {
            bail!(
                "{} was not written by loadgate; remove it or choose another --out DIR",
                path.show()
            );
        }
        Ok(lines
            .filter(|l| is_plain_relative(l))
            .map(str::to_string)
            .collect())
    }

    /// A planned output may go where nothing is, or where loadgate wrote
    /// before; never through a symlink. Returns the length of the file
    /// loadgate wrote there before, if there is one.
    /// `checked` holds the folders found fine already (`charts/` for every
    /// chart).
    fn check_target(
        &self,
        name: &str,
        owned: &BTreeSet<String>,
        checked: &mut BTreeSet<PathBuf>,
    ) -> anyhow::Result<Option<u64>> {
        if !is_plain_relative(name) {
            bail!("internal: output name {name:?} is not a plain relative path");
        }
        self.check_folders(name, checked)?;
        let target = self.path.join(name);
        match std::fs::symlink_metadata(&target) {
            Err(_) => Ok(None),
            Ok(m) if m.is_file() && owned.contains(name) => Ok(Some(m.len())),
            Ok(m) if m.file_type().is_symlink() => bail!(
                "{} is a symlink; loadgate never writes through one: remove it or choose another --out DIR",
                target.show()
            ),
            Ok(_) => bail!(
                "{} exists and was not written by loadgate (it is not listed in {}); loadgate never replaces a file it did not write: move it away or choose another --out DIR",
                target.show(),
                self.path.join(MANIFEST).show()
            ),
        }
    }

    /// Every folder between OUT and the file `name` must be a real folder
    /// (or not exist yet).
    fn check_folders(&self, name: &str, checked: &mut BTreeSet<PathBuf>) -> anyhow::Result<()> {
        let mut folder = self.path.clone();
        let parts: Vec<_> = Path::new(name).components().collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            folder.push(part);
            if checked.contains(&folder) {
                continue;
            }
            match std::fs::symlink_metadata(&folder) {
                Ok(m) if m.file_type().is_symlink() => bail!(
                    "{} is a symlink; loadgate writes only inside the output folder, so remove the link or choose another --out DIR",
                    folder.show()
                ),
                Ok(m) if !m.is_dir() => bail!(
                    "{} is in the way of the output {}: it is not a folder; remove it or choose another --out DIR",
                    folder.show(),
                    self.path.join(name).show()
                ),
                _ => {}
            }
            checked.insert(folder.clone());
        }
        Ok(())
    }

    /// Write the whole set, switch it in for the previous one, and remove
    /// what loadgate wrote before and did not write again. On error before
    /// the switch, the previous set is untouched.
    pub fn commit(&self, set: OutputSet<'_>) -> anyhow::Result<()> {
        let mut staging = self.stage()?;
        staging.add(set)?;
        staging.switch()
    }

    /// Begin a set that is staged in parts, as they are ready (the charts
    /// while the reports are still being rendered), and switched in whole by
    /// [`Staging::switch`]. OUT is locked until the staging is dropped.
    pub fn stage(&self) -> anyhow::Result<Staging<'_>> {
        self.remove_dead_staging();
        let folder = self.path.join(format!(
            "{STAGING_PREFIX}{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir(&folder).with_context(|| format!("creating {}", folder.show()))?;
        let mut staging = Staging {
            out: self,
            folder,
            lock: None,
            owned: BTreeSet::new(),
            checked: BTreeSet::new(),
            made: BTreeSet::new(),
            files: Vec::new(),
        };
        // Under the lock from here on: what OUT holds now is what the kept
        // files are compared with, so no other run may switch in between.
        staging.lock = Some(self.lock()?);
        staging.owned = self.manifest()?;
        Ok(staging)
    }

    /// The exclusive lock on `OUT/.loadgate.lock`, released when dropped.
    fn lock(&self) -> anyhow::Result<std::fs::File> {
        let path = self.path.join(LOCK);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.show()))?;
        file.lock()
            .with_context(|| format!("locking {}", path.show()))?;
        Ok(file)
    }

    /// Remove a file loadgate wrote earlier: only a regular file, never a
    /// symlink or folder, and a folder it leaves empty (`charts/`) too.
    fn remove_owned(&self, name: &str) {
        let path = self.path.join(name);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            let _ = std::fs::remove_file(&path);
            if let Some(parent) = path.parent().filter(|p| *p != self.path) {
                // Fails, as it should, when the folder holds anything else.
                let _ = std::fs::remove_dir(parent);
            }
        }
    }

    /// Staging folders of runs that died (their process is gone) hold only
    /// files loadgate wrote; remove them. Only where `/proc` tells.
    fn remove_dead_staging(&self) {
        if !Path::new("/proc/self").exists() {
            return;
        }
        let Ok(entries) = std::fs::read_dir(&self.path) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(STAGING_PREFIX)) else {
                continue;
            };
            let Some(pid) = rest.split('-').next().filter(|p| p.parse::<u32>().is_ok()) else {
                continue;
            };
            let dead = !Path::new("/proc").join(pid).exists();
            if dead && entry.file_type().is_ok_and(|t| t.is_dir()) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// An output set being staged: OUT locked, the files written into a hidden
/// folder (or found in OUT already with the same bytes) batch by batch, then
/// renamed into place together by [`Staging::switch`]. Dropped before the
/// switch (an error), it removes its folder and OUT stays as it was.
pub struct Staging<'o> {
    out: &'o OutputDir,
    folder: PathBuf,
    lock: Option<std::fs::File>,
    /// The files the previous set's manifest lists.
    owned: BTreeSet<String>,
    /// Folders of OUT found fine already (`charts/` for every chart).
    checked: BTreeSet<PathBuf>,
    /// Folders made in the staging folder already.
    made: BTreeSet<PathBuf>,
    /// Every file of the set so far, and whether it was staged (else kept).
    files: Vec<(String, bool)>,
}

impl Staging<'_> {
    /// Stage the files of `set`. A file loadgate wrote before that already
    /// holds these very bytes is kept as it is: creating and deleting
    /// thousands of inodes (a chart per scenario and figure) was most of a
    /// large run's time.
    pub fn add(&mut self, set: OutputSet<'_>) -> anyhow::Result<()> {
        let out = self.out;
        let mut before = Vec::with_capacity(set.files.len());
        for (name, content) in &set.files {
            let len = out.check_target(name, &self.owned, &mut self.checked)?;
            let bytes = match content {
                Content::Bytes(bytes) => Some((**bytes).as_ref()),
                Content::Writer(_) => None,
            };
            before.push((name, bytes, len));
        }
        // Compared on both cores: thousands of small reads.
        let kept: Vec<bool> =
            crate::ingest::parallel_map(&before, |(name, bytes, len)| match bytes {
                Some(bytes) if *len == Some(bytes.len() as u64) => {
                    holds(&out.path.join(name), bytes)
                }
                _ => false,
            });
        for ((name, content), kept) in set.files.iter().zip(kept) {
            if !kept {
                self.write(name, content)?;
            }
            self.files.push((name.clone(), !kept));
        }
        Ok(())
    }

    /// Write one file into the staging folder.
    fn write(&mut self, name: &str, content: &Content<'_>) -> anyhow::Result<()> {
        let path = self.folder.join(name);
        if let Some(parent) = path.parent()
            && self.made.insert(parent.to_path_buf())
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", self.out.path.join(name).show()))?;
        }
        let written = match content {
            Content::Bytes(bytes) => {
                write_new(&path, (**bytes).as_ref()).map_err(anyhow::Error::from)
            }
            Content::Writer(write) => write_new_with(&path, write),
        };
        written.with_context(|| format!("writing {}", self.out.path.join(name).show()))
    }

    /// Rename the staged files into place, replace the manifest, and remove
    /// what loadgate wrote before and did not write again.
    pub fn switch(self) -> anyhow::Result<()> {
        let out = self.out;
        // In name order, whatever order the batches came in.
        let written: BTreeSet<&str> = self.files.iter().map(|(n, _)| n.as_str()).collect();
        let manifest_text = {
            let mut text = format!("{MANIFEST_HEADER}\n");
            for name in &written {
                text.push_str(name);
                text.push('\n');
            }
            text
        };
        let manifest = out.path.join(MANIFEST);
        let manifest_kept = std::fs::symlink_metadata(&manifest)
            .is_ok_and(|m| m.is_file() && m.len() == manifest_text.len() as u64)
            && holds(&manifest, manifest_text.as_bytes());
        if !manifest_kept {
            write_new(&self.folder.join(MANIFEST), manifest_text.as_bytes())
                .with_context(|| format!("writing {}", manifest.show()))?;
        }
        let mut made: BTreeSet<PathBuf> = BTreeSet::new();
        for (name, _) in self.files.iter().filter(|(_, fresh)| *fresh) {
            let target = out.path.join(name);
            if let Some(parent) = target.parent()
                && made.insert(parent.to_path_buf())
            {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.show()))?;
            }
            std::fs::rename(self.folder.join(name), &target)
                .with_context(|| format!("writing {}", target.show()))?;
        }
        if !manifest_kept {
            std::fs::rename(self.folder.join(MANIFEST), &manifest)
                .with_context(|| format!("writing {}", manifest.show()))?;
        }
        for stale in self.owned.iter().filter(|n| !written.contains(n.as_str())) {
            out.remove_owned(stale);
        }
        Ok(())
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        // Whatever is left (all of it, before the switch), then the lock.
        let _ = std::fs::remove_dir_all(&self.folder);
        drop(self.lock.take());
    }
}

/// Whether the file at `path`, a regular file of `bytes.len()` bytes when
/// [`OutputDir::check_target`] looked under the lock, holds exactly `bytes`:
/// read in chunks, stopping at the first difference.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut buf = vec![0u8; bytes.len().clamp(1, 64 * 1024)];
    let mut rest = bytes;
    while !rest.is_empty() {
        match file.read(&mut buf[..rest.len().min(64 * 1024)]) {
            Ok(n) if n > 0 && buf[..n] == rest[..n] => rest = &rest[n..],
            _ => return false,
        }
    }
    true
}

/// Write `bytes` to a new file (readable by everyone who can read the folder).
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    // No fsync: the renames make the switch atomic for readers, and a dozen
    // fsyncs (one per chart) tripled the wall time of a run.
    file.write_all(bytes)?;
    file.flush()
}

/// A new file whose content `write` writes, through a buffer.
fn write_new_with(path: &Path, write: &Writer<'_>) -> anyhow::Result<()> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    write(&mut out)?;
    out.flush()?;
    Ok(())
}

/// Write one file atomically (a temp file beside it, then a rename): for
/// `init`'s single config file, which the user asked for by name.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.show()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .with_context(|| format!("writing {}", path.show()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("writing {}", path.show()))?;
    }
    tmp.write_all(bytes)
        .with_context(|| format!("writing {}", path.show()))?;
    tmp.persist(path)
        .with_context(|| format!("writing {}", path.show()))?;
    Ok(())
}

/// Write `bytes` to a new file in `dir` named `{stem}-{random}{ext}`, and
/// return its path: for a run record, which must never replace another
/// file (a concurrent run's record, a record of the same second). The file
/// is written as a hidden temp file first and then linked to its name only
/// if that name is free (`renameat2(RENAME_NOREPLACE)`, else `link`), so a
/// reader never sees half a record; a name that is taken gets a new random
/// part.
pub fn write_new_file(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let writing = || format!("writing a new file in {}", dir.show());
    for _ in 0..16 {
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{stem}-"))
            .suffix(".tmp")
            .rand_bytes(6)
            .tempfile_in(dir)
            .with_context(writing)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))
                .with_context(writing)?;
        }
        tmp.write_all(bytes).with_context(writing)?;
        tmp.flush().with_context(writing)?;
        let tmp_name = tmp
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = format!(
            "{}{ext}",
            tmp_name.trim_start_matches('.').trim_end_matches(".tmp")
        );
        let target = dir.join(&name);
        match tmp.persist_noclobber(&target) {
            Ok(_) => return Ok(target),
            // Taken: the temp file is removed as `e` drops; try another name.
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.error).with_context(|| format!("writing {}", target.show())),
        }
    }
    bail!(
        "{}: no free name for {stem}-…{ext} after 16 tries",
        dir.show()
    )
}

/// Create `path` with `bytes` unless it exists (whatever it holds); whether
/// it was created. Atomic like [`write_new_file`].
pub fn create_if_missing(path: &Path, bytes: &[u8]) -> anyhow::Result<bool> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if std::fs::symlink_metadata(path).is_ok() {
        return Ok(false);
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".loadgate-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .with_context(|| format!("writing {}", path.show()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("writing {}", path.show()))?;
    }
    tmp.write_all(bytes)
        .with_context(|| format!("writing {}", path.show()))?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(true),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e.error).with_context(|| format!("writing {}", path.show())),
    }
}

/// A relative path of plain names: no root, no `..`, no `.`, not empty.
fn is_plain_relative(name: &str) -> bool {
    !name.is_empty()
        && !name.contains('\\')
        && Path::new(name)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// What makes two paths one file: the device and inode on Unix, the
/// canonical path elsewhere.
#[cfg(unix)]
type FileIdentity = (u64, u64);
#[cfg(not(unix))]
type FileIdentity = PathBuf;

/// A path's [`FileIdentity`], `None` when it does not exist.
fn identity(path: &Path) -> Option<FileIdentity> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        path.canonicalize().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[(&str, &str)]) -> OutputSet<'static> {
        let mut set = OutputSet::default();
        for (name, text) in files {
            set.add(*name, text.as_bytes().to_vec());
        }
        set
    }

    #[test]
    fn a_new_set_replaces_the_old_and_removes_only_what_loadgate_wrote() {
        let d = tempfile::tempdir().unwrap();
        let out = OutputDir::prepare(d.path(), &["a.md", "charts/x.svg"], &[]).unwrap();
        out.commit(set(&[("a.md", "1"), ("charts/x.svg", "<svg/>")]))
            .unwrap();
        std::fs::write(d.path().join("charts/architecture.svg"), "mine").unwrap();
        let out = OutputDir::prepare(d.path(), &["a.md"], &[]).unwrap();
        out.commit(set(&[("a.md", "2")])).unwrap();
        assert_eq!(std::fs::read_to_string(d.path().join("a.md")).unwrap(), "2");
        assert!(!d.path().join("charts/x.svg").exists());
        assert_eq!(
            std::fs::read_to_string(d.path().join("charts/architecture.svg")).unwrap(),
            "mine"
        );
        let leftovers: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with(STAGING_PREFIX))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_rerun_keeps_the_files_whose_bytes_are_unchanged_and_replaces_the_rest() {
        use std::os::unix::fs::MetadataExt;
        let d = tempfile::tempdir().unwrap();
        let inode = |name: &str| std::fs::metadata(d.path().join(name)).unwrap().ino();
        let files = ["a.md", "charts/x.svg", "charts/y.svg"];
        let out = OutputDir::prepare(d.path(), &files, &[]).unwrap();
        out.commit(set(&[
            ("a.md", "1"),
            ("charts/x.svg", "<svg/>"),
            ("charts/y.svg", "y"),
        ]))
        .unwrap();
        let before: Vec<u64> = files.iter().map(|f| inode(f)).collect();
        let manifest = inode(MANIFEST);
        let out = OutputDir::prepare(d.path(), &files, &[]).unwrap();
        // Same length, other bytes: replaced too.
        out.commit(set(&[
            ("a.md", "2"),
            ("charts/x.svg", "<svg/>"),
            ("charts/y.svg", "z"),
        ]))
        .unwrap();
        let after: Vec<u64> = files.iter().map(|f| inode(f)).collect();
        assert_ne!(before[0], after[0]);
        assert_eq!(before[1], after[1]);
        assert_ne!(before[2], after[2]);
        assert_eq!(manifest, inode(MANIFEST));
        let read = |name: &str| std::fs::read_to_string(d.path().join(name)).unwrap();
        assert_eq!(
            (read("a.md"), read("charts/x.svg"), read("charts/y.svg")),
            ("2".into(), "<svg/>".into(), "z".into())
        );
        assert!(holds(&d.path().join("charts/x.svg"), b"<svg/>"));
        assert!(!holds(&d.path().join("charts/x.svg"), b"<svg/ >"));
        assert!(!holds(&d.path().join("charts/x.svg"), b"<svg "));
        assert!(!holds(&d.path().join("charts/none.svg"), b"x"));
    }

    #[test]
    fn a_file_loadgate_did_not_write_is_never_replaced() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("summary.json"), "[]").unwrap();
        let err = OutputDir::prepare(d.path(), &["summary.json"], &[]).unwrap_err();
        assert!(
            format!("{err:#}").contains("was not written by loadgate"),
            "{err:#}"
        );
        assert_eq!(
            std::fs::read_to_string(d.path().join("summary.json")).unwrap(),
            "[]"
        );
    }

    #[test]
    fn an_output_that_is_an_input_is_an_error_naming_both() {
        let d = tempfile::tempdir().unwrap();
        let input = d.path().join("in.csv");
        std::fs::write(&input, "x").unwrap();
        // Owned by the manifest, yet a hard link to an input.
        std::fs::hard_link(&input, d.path().join("report.md")).unwrap();
        std::fs::write(
            d.path().join(MANIFEST),
            format!("{MANIFEST_HEADER}\nreport.md\n"),
        )
        .unwrap();
        let err =
            OutputDir::prepare(d.path(), &["report.md"], std::slice::from_ref(&input)).unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("in.csv") && text.contains("report.md"),
            "{text}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_charts_folder_is_refused() {
        let (d, elsewhere) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(elsewhere.path().join("keep.svg"), "x").unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), d.path().join("charts")).unwrap();
        let err = OutputDir::prepare(d.path(), &["charts/a.svg"], &[]).unwrap_err();
        assert!(format!("{err:#}").contains("is a symlink"), "{err:#}");
        assert!(elsewhere.path().join("keep.svg").exists());
    }

    #[test]
    fn manifest_entries_outside_the_folder_are_ignored() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim.txt");
        std::fs::write(&victim, "x").unwrap();
        let out_path = d.path().join("out");
        std::fs::create_dir(&out_path).unwrap();
        std::fs::write(
            out_path.join(MANIFEST),
            format!("{MANIFEST_HEADER}\n../victim.txt\n/etc/passwd\n"),
        )
        .unwrap();
        let out = OutputDir::prepare(&out_path, &["a.md"], &[]).unwrap();
        out.commit(set(&[("a.md", "1")])).unwrap();
        assert!(victim.exists());
    }
}
