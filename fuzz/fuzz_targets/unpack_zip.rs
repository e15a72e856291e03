#![no_main]
//! Unpacks the input into a folder inside a fresh parent: whatever the bytes, nothing may be
//! written beside that folder, and nothing may panic.
use visor_core::stage::{Format, UnpackLimits, unpack};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    let top = tempfile::tempdir().unwrap();
    let archive = top.path().join("archive");
    std::fs::write(&archive, bytes).unwrap();
    let root = top.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let limits = UnpackLimits { max_entries: 100, max_bytes: 8 << 20, max_ratio: 100 };
    let _ = unpack(&archive, Format::Zip, &root, limits);
    let names: Vec<_> = std::fs::read_dir(top.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "something was written beside the staging folder: {names:?}");
});
