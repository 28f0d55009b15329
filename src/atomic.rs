//! Files replaced atomically: written to a hidden temporary file beside the target (so on the
//! same file system, and skipped by directory readers), then renamed over it; a failed write
//! leaves the old file, and drops the temporary.

use std::path::{Path, PathBuf};

/// The folder `path` is written in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A new temporary file beside `path` (its folder created when missing), named
/// `.faascost-*.tmp` with an unpredictable part, opened exclusively (never through an existing
/// file or link) with mode 0644 less the umask, as `File::create` would (not tempfile's 0600).
/// `persist(path)` renames it into place; dropping it removes it.
pub fn temporary_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = folder_of(path);
    std::fs::create_dir_all(&dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".faascost-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Passed to open(2), which applies the umask: 0644 & !umask.
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(&dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_is_hidden_beside_its_target_and_renamed_over_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub").join("out.json");
        let tmp = temporary_beside(&target).unwrap();
        assert_eq!(tmp.path().parent(), target.parent(), "same folder, created");
        let name = tmp.path().file_name().unwrap().to_str().unwrap().to_string();
        assert!(name.starts_with(".faascost-") && name.ends_with(".tmp"), "{name}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = tmp.as_file().metadata().unwrap().permissions().mode() & 0o777;
            assert_eq!(mode & !0o644, 0, "at most 0644: {mode:o}");
            assert_eq!(mode & 0o600, 0o600, "the owner reads and writes it: {mode:o}");
        }
        std::fs::write(tmp.path(), b"new").unwrap();
        tmp.persist(&target).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(target.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary left");
    }

    #[test]
    fn a_dropped_temporary_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let tmp = temporary_beside(&target).unwrap();
        let path = tmp.path().to_path_buf();
        drop(tmp);
        assert!(!path.exists());
        assert_eq!(folder_of(Path::new("out.csv")), PathBuf::from("."));
    }
}
