//! Helpers shared by the CLI tests: running the binary, reading JSON, locating the real
//! datasets beside the repository.

use assert_cmd::Command;
use std::path::PathBuf;

/// The five files `analyze` writes.
pub const REPORT_FILES: [&str; 5] = [
    "report.json",
    "report.md",
    "options.csv",
    "functions.csv",
    "report.html",
];

/// The `faascost` binary under test.
pub fn faascost() -> Command {
    Command::cargo_bin("faascost").expect("the faascost binary is built")
}

/// Runs `faascost` with `args`, expects success, and returns stdout.
pub fn stdout(args: &[&str]) -> Vec<u8> {
    let out = faascost().args(args).output().expect("faascost runs");
    assert!(
        out.status.success(),
        "faascost {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `faascost` with `args`, expects success, and parses stdout as JSON.
pub fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_slice(&stdout(args)).expect("stdout is one JSON object")
}

/// Runs `faascost` with `args`, expects exit code 2, and returns stderr.
pub fn input_error(args: &[&str]) -> String {
    let out = faascost().args(args).output().expect("faascost runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(2),
        "faascost {args:?}: expected exit 2, stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "faascost {args:?} panicked: {stderr}");
    stderr
}

/// A real dataset folder under `../shared/datasets/real/`, or `None` (with a printed notice)
/// when this machine does not have it.
pub fn real_dataset(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/datasets/real")
        .join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("notice: {} is absent; skipping the real-data test", dir.display());
        None
    }
}
