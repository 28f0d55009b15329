//! Shared helpers of the fuzz targets: each input is written to a file (the readers' real
//! entry point takes paths) in a per-process scratch folder.

use std::path::PathBuf;

use faascost::trace::{read_workload, ReadOptions, TraceFormat};

/// A file holding `data`, named `name` in this process's scratch folder (on /dev/shm when
/// there is one, so the writes stay in memory).
pub fn scratch_file(name: &str, data: &[u8]) -> PathBuf {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("faascost-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let path = dir.join(name);
    std::fs::write(&path, data).expect("a scratch file");
    path
}

/// Reads `data` as a trace of `format` both failing fast and skipping bad rows: either may
/// fail with an error, neither may panic, abort or hang.
pub fn read_trace(name: &str, data: &[u8], format: TraceFormat) {
    let path = scratch_file(name, data);
    for skip_bad_rows in [false, true] {
        let options = ReadOptions {
            format: Some(format),
            skip_bad_rows,
        };
        let _ = read_workload(std::slice::from_ref(&path), &options);
    }
}
