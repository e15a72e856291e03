#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = visor::fuzz::config(text);
});
