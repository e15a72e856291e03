#![no_main]
//! Unpacking: whatever the bytes, nothing is written beside the staging folder, nothing panics.
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    let scratch = tempfile::tempdir().unwrap();
    visor_core::fuzz::unpack(bytes, visor_core::stage::Format::Zip, scratch.path());
});
