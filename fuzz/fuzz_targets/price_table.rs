//! Fuzzes the price-table parser and validator (TOML text).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = faascost::pricing::table::parse_table("fuzz.toml", text);
    }
});
