//! Fuzzes format detection from a file's head, and the detected format's reader on it.
#![no_main]

use faascost::trace::{read_workload, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = faascost::trace::detect_format(std::path::Path::new("input"), data);
    let path = faascost_fuzz::scratch_file("input.csv", data);
    let _ = read_workload(&[path], &ReadOptions::default());
});
