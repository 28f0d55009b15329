//! Fuzzes the scenario parser and its checks (TOML text).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = faascost::config::Scenario::parse("faascost.toml", text, std::path::Path::new("."));
    }
});
