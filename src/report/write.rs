//! Writing report files safely: each file goes to a temporary file in the target folder and
//! is renamed over the old one, so a failed run never leaves a half-written report or
//! clobbers the previous one, and a report never overwrites an input trace.

use anyhow::{bail, Context};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
/// Refuses when `path` is one of `protected` (the run's inputs).
pub fn write_atomic(path: &Path, bytes: &[u8], protected: &[PathBuf]) -> anyhow::Result<()> {
    let canonical_target = path.canonicalize().ok();
    for input in protected {
        if let (Some(target), Ok(input)) = (&canonical_target, input.canonicalize()) {
            if *target == input {
                bail!(
                    "refusing to write the report to {}: it is an input of this run; choose another --out",
                    path.display()
                );
            }
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating the folder {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("flushing {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("renaming the temporary file to {}", path.display()))?;
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
}
