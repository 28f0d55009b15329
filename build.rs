//! Build script: a fingerprint of the source this binary is built from
//! (`FAASCOST_SOURCE_FINGERPRINT`: SipHash of every file under `src/` and of `Cargo.lock`), part
//! of every replay key of `analyze --replays`, so a replay kept by one build is never merged by
//! a build of other source under the same version number.

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

fn main() {
    let mut files = vec![PathBuf::from("Cargo.lock")];
    collect(Path::new("src"), &mut files);
    files.sort();
    let mut hash = DefaultHasher::new();
    for f in &files {
        hash.write(f.to_string_lossy().as_bytes());
        hash.write(&std::fs::read(f).unwrap_or_default());
    }
    println!("cargo:rustc-env=FAASCOST_SOURCE_FINGERPRINT={:016x}", hash.finish());
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=build.rs");
}

/// Every file under `dir`, recursively.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}
