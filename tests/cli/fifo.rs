//! Each input is read once: `inspect` and `analyze` on a FIFO written once, and on a bash
//! process substitution (`<(cat f)`), read the same as on the file, with the same size and
//! SHA-256 in the provenance, and never hang.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::common::faascost;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/traces");

/// A FIFO in `dir` that a thread fills once with `source`'s bytes.
fn fifo_written_once(dir: &Path, source: &Path) -> (PathBuf, std::thread::JoinHandle<()>) {
    let fifo = dir.join("trace.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", fifo.display());
    let (fifo2, bytes) = (fifo.clone(), std::fs::read(source).unwrap());
    // Opening a FIFO for writing blocks until the reader opens it; the write then happens once.
    let writer = std::thread::spawn(move || std::fs::write(fifo2, bytes).unwrap());
    (fifo, writer)
}

fn inspect_json(path: &Path) -> Value {
    let out = faascost()
        .args(["inspect", "--json"])
        .arg(path)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn inspect_reads_a_fifo_written_once() {
    for name in ["generic.csv", "azure2021-small.csv", "lambda-report.log"] {
        let dir = tempfile::tempdir().unwrap();
        let source = Path::new(FIXTURES).join(name);
        let (fifo, writer) = fifo_written_once(dir.path(), &source);
        let from_fifo = inspect_json(&fifo);
        writer.join().unwrap();
        let from_file = inspect_json(&source);
        assert_eq!(from_fifo["functions"], from_file["functions"], "{name}");
        assert_eq!(from_fifo["invocations"], from_file["invocations"], "{name}");
        assert!(from_fifo["invocations"].as_u64().unwrap() > 0, "{name}: {from_fifo}");
    }
}

#[test]
fn inspect_reads_a_process_substitution() {
    let source = Path::new(FIXTURES).join("generic.csv");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "exec '{}' inspect --json <(cat '{}')",
            assert_cmd::cargo::cargo_bin("faascost").display(),
            source.display()
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, inspect_json(&source));
}

/// `analyze --json` of `trace` into a fresh folder.
fn analyze_json(trace: &Path) -> Value {
    let out_dir = tempfile::tempdir().unwrap();
    let out = faascost()
        .arg("analyze")
        .arg(trace)
        .arg("--out")
        .arg(out_dir.path())
        .arg("--json")
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn analyze_reads_a_fifo_once_and_hashes_it() {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(FIXTURES).join("generic.csv");
    let (fifo, writer) = fifo_written_once(dir.path(), &source);
    let mut from_fifo = analyze_json(&fifo);
    writer.join().unwrap();
    let from_file = analyze_json(&source);
    let traces = &from_fifo["inputs"]["traces"][0];
    assert_eq!(traces["format"], "csv");
    let bytes = std::fs::read(&source).unwrap();
    assert_eq!(traces["bytes"].as_u64(), Some(bytes.len() as u64));
    assert_eq!(traces["sha256"], from_file["inputs"]["traces"][0]["sha256"]);
    // Only the path differs: the whole report is the file's.
    from_fifo["inputs"]["traces"][0]["path"] = from_file["inputs"]["traces"][0]["path"].clone();
    assert_eq!(from_fifo, from_file);
}
