//! Fuzzes the LambdaLogs trace reader with any bytes (format forced).
#![no_main]

use faascost::trace::TraceFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    faascost_fuzz::read_trace("function.log", data, TraceFormat::LambdaLogs);
});
