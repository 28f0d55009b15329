//! Writing report files safely. A run's files (report.json, report.md, options.csv …) are
//! written as one set: each goes to a temporary file in the target folder, and only when every
//! one is written and flushed are they renamed over the old ones — so a failed run never leaves
//! a half-written report or a mix of old and new files, never clobbers the previous set, never
//! touches a file it does not name, and never overwrites an input trace. Files get the mode a
//! plain `create` would give them (0644 less the process umask), not tempfile's 0600.

use anyhow::{bail, Context};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::atomic::{folder_of, temporary_beside};

/// Refuses when `path` is one of `protected` (the run's inputs).
fn check_not_input(path: &Path, protected: &[PathBuf]) -> anyhow::Result<()> {
    let Ok(target) = path.canonicalize() else {
        return Ok(());
    };
    for input in protected {
        if input.canonicalize().is_ok_and(|input| input == target) {
            bail!(
                "refusing to write the report to {}: it is an input of this run; choose another --out",
                path.display()
            );
        }
    }
    Ok(())
}

/// A temporary file beside `path` holding `bytes`, flushed to disk.
fn temporary(path: &Path, bytes: &[u8]) -> anyhow::Result<tempfile::NamedTempFile> {
    let mut tmp = temporary_beside(path)
        .with_context(|| format!("creating a temporary file in {}", folder_of(path).display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("flushing {}", path.display()))?;
    Ok(tmp)
}

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
/// Refuses when `path` is one of `protected` (the run's inputs).
pub fn write_atomic(path: &Path, bytes: &[u8], protected: &[PathBuf]) -> anyhow::Result<()> {
    write_set(&[(path.to_path_buf(), bytes.to_vec())], protected)
}

/// Writes every `(path, bytes)` of a run as one set: all are checked against `protected`, then
/// written to temporaries, and renamed only when every one is ready. On any error before the
/// renames nothing is replaced and the temporaries are removed.
pub fn write_set(files: &[(PathBuf, Vec<u8>)], protected: &[PathBuf]) -> anyhow::Result<()> {
    for (path, _) in files {
        check_not_input(path, protected)?;
    }
    let mut ready = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        ready.push((path, temporary(path, bytes)?));
    }
    for (path, tmp) in ready {
        tmp.persist(path)
            .with_context(|| format!("renaming the temporary file to {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/report.json");
        write_atomic(&path, b"one", &[]).unwrap();
        write_atomic(&path, b"two", &[]).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path().join("sub")).unwrap().count(), 1);
    }

    #[test]
    fn never_overwrites_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("trace.csv");
        std::fs::write(&input, b"data").unwrap();
        let err = write_atomic(&input, b"report", std::slice::from_ref(&input)).unwrap_err();
        assert!(err.to_string().contains("is an input"), "{err}");
        assert_eq!(std::fs::read(&input).unwrap(), b"data");
    }

    #[test]
    fn a_failed_set_leaves_the_previous_set_and_other_files_intact() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("report.json"), dir.path().join("report.md"));
        let unrelated = dir.path().join("notes.txt");
        std::fs::write(&unrelated, b"mine").unwrap();
        write_set(&[(a.clone(), b"json 1".to_vec()), (b.clone(), b"md 1".to_vec())], &[]).unwrap();
        // The second file cannot be written (its folder is a file): the first is not replaced.
        let blocked = dir.path().join("notes.txt/report.csv");
        let err = write_set(&[(a.clone(), b"json 2".to_vec()), (blocked, b"csv".to_vec())], &[]).unwrap_err();
        assert!(err.to_string().contains("notes.txt"), "{err:#}");
        assert_eq!(std::fs::read(&a).unwrap(), b"json 1");
        assert_eq!(std::fs::read(&b).unwrap(), b"md 1");
        assert_eq!(std::fs::read(&unrelated).unwrap(), b"mine");
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["notes.txt", "report.json", "report.md"], "no temporary is left");
    }

    #[cfg(unix)]
    #[test]
    fn files_get_0644_less_the_umask_not_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_atomic(&path, b"{}", &[]).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // What a plain create gives under this process's umask, capped at 0644.
        let probe = dir.path().join("probe");
        std::fs::File::create(&probe).unwrap();
        let created = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644 & created, "mode {mode:o}");
        assert_ne!(mode, 0o600);
    }
}
