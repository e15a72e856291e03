#![no_main]
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| visor_core::fuzz::admin_answer(bytes));
