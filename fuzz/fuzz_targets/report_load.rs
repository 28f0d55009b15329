//! Fuzzes `Report::load` (a report.json of any bytes).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = faascost_fuzz::scratch_file("report.json", data);
    let _ = faascost::report::model::Report::load(&path);
});
