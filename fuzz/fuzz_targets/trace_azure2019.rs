//! Fuzzes the Azure2019 trace reader with any bytes (format forced).
#![no_main]

use faascost::trace::TraceFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    faascost_fuzz::read_trace("invocations_per_function_md.anon.d01.csv", data, TraceFormat::Azure2019);
});
