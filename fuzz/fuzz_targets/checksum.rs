#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| visor_core::fuzz::checksum(text));
