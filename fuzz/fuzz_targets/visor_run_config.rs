#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = visor::fuzz::run_config(text);
});
