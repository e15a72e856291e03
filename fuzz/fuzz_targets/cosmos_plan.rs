//! Cosmovisor's plan files and plan info (`upgrade-info.json`, the batch, `info`), and Go
//! durations: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cosmovisor::fuzz::plan(data);
    if let Ok(text) = std::str::from_utf8(data) {
        cosmovisor::fuzz::duration(text);
    }
});
