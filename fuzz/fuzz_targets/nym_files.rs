#![no_main]
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    let _ = nymvisor::fuzz::upgrade_info(bytes);
    let _ = nymvisor::fuzz::plan(bytes);
    let _ = nymvisor::fuzz::history(bytes);
});
