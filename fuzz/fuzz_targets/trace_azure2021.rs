//! Fuzzes the Azure2021 trace reader with any bytes (format forced).
#![no_main]

use faascost::trace::TraceFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    faascost_fuzz::read_trace("trace.csv", data, TraceFormat::Azure2021);
});
