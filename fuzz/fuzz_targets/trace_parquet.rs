//! Fuzzes the Parquet reader: any bytes behind the Parquet magic number (so the generic
//! format reads them as Parquet).
#![no_main]

use faascost::trace::TraceFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut file = b"PAR1".to_vec();
    file.extend_from_slice(data.strip_prefix(b"PAR1").unwrap_or(data));
    faascost_fuzz::read_trace("trace.parquet", &file, TraceFormat::Csv);
});
