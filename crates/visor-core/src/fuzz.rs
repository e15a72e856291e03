//! Entry points for the fuzz targets (`fuzz/`) and the no-panic property tests: every parser
//! of untrusted input, fed raw bytes. Not an API. Each returns an error for bad input; none may
//! panic, loop or allocate without bound.

use std::path::Path;

/// A release name or a file name from configuration or from the network.
pub fn names(text: &str) {
    if let Ok(name) = crate::ReleaseName::new(text) {
        // An accepted name stays inside the home and is never taken for a leftover.
        let dir = name.dir(Path::new("/home"));
        assert!(dir.starts_with("/home") && dir != Path::new("/home"));
        assert!(!text.split('/').any(|part| crate::stage::is_staging_name(part) || part == ".."));
    }
    let _ = crate::check_file_name(text);
}

/// A checksum as a config, an upstream or a release API gives it.
pub fn checksum(text: &str) {
    if let Ok(sum) = crate::stage::Checksum::parse(text) {
        let again = crate::stage::Checksum::parse(&sum.to_string());
        assert_eq!(again.ok(), Some(sum), "a parsed checksum prints as itself");
    }
}

/// What a Vega core's admin endpoint answers.
pub fn admin_answer(body: &[u8]) {
    let _ = crate::source::parse_answer(body);
}

/// What a binary prints for `version --output json`, `build-info --output=json`, and the data
/// node's history-segment query.
pub fn helper_output(stdout: &str) {
    let _ = crate::identity::parse_version_answer(stdout);
    let _ = crate::identity::parse_build_info(stdout);
    let _ = crate::source::vega_resume::parse_segment(stdout);
}

/// A GitHub releases or assets page, and a checksums file of a release.
pub fn github(body: &[u8]) {
    crate::stage::fuzz_github(body);
}

/// An archive of `format` unpacked into a folder inside `scratch` (an empty folder the caller
/// owns): whatever the bytes, nothing may be written beside that folder.
pub fn unpack(bytes: &[u8], format: crate::stage::Format, scratch: &Path) {
    let archive = scratch.join("archive");
    std::fs::write(&archive, bytes).expect("scratch folder writable");
    let root = scratch.join("root");
    std::fs::create_dir(&root).expect("scratch folder writable");
    let limits = crate::stage::UnpackLimits { max_entries: 50, max_bytes: 1 << 20, max_ratio: 100 };
    let _ = crate::stage::unpack(&archive, format, &root, limits);
    let mut names: Vec<_> =
        std::fs::read_dir(scratch).expect("scratch folder").map(|e| e.expect("entry").file_name()).collect();
    names.sort();
    assert_eq!(names, ["archive", "root"], "something was written beside the staging folder");
}

/// The visor's own state files, as a damaged or planted file could hold them.
pub fn state(body: &[u8]) {
    let _ = serde_json::from_slice::<crate::history::History>(body);
    let _ = serde_json::from_slice::<crate::switch::Journal>(body);
    let _ = serde_json::from_slice::<crate::status::Status>(body);
    let _ = serde_json::from_slice::<crate::supervise::NodeRecord>(body);
}

#[cfg(test)]
mod tests {
    //! The fuzz targets' inputs as properties, so CI checks them on every run: arbitrary bytes,
    //! and valid documents with bytes changed.
    use super::*;
    use proptest::prelude::*;

    fn mutated(seed: &[u8]) -> impl Strategy<Value = Vec<u8>> {
        let seed = seed.to_vec();
        proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8).prop_map(move |edits| {
            let mut bytes = seed.clone();
            for (at, byte) in edits {
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    bytes[i] = byte;
                }
            }
            bytes
        })
    }

    const ADMIN: &[u8] = br#"{"id":1,"result":{"AcceptedReleaseInfo":{"VegaReleaseTag":"v0.74.0","UpgradeBlockHeight":300},"ReadyToUpgrade":true},"error":null}"#;
    const RELEASES: &[u8] =
        br#"[{"id":1,"tag_name":"v1","name":"x","url":"https://x/1","size":3,"digest":"sha256:00"}]"#;

    proptest! {
        #[test]
        fn names_never_panic(text in "\\PC{0,40}|[a-z./\\\\-]{0,20}") {
            names(&text);
        }

        #[test]
        fn checksums_never_panic(text in "\\PC{0,80}|(sha256|sha512|md5)?:?[0-9a-fA-F]{0,130}") {
            checksum(&text);
        }

        #[test]
        fn admin_answers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..200)) {
            admin_answer(&body);
        }

        #[test]
        fn mutated_admin_answers_never_panic(body in mutated(ADMIN)) {
            admin_answer(&body);
        }

        #[test]
        fn helper_outputs_never_panic(text in "\\PC{0,200}") {
            helper_output(&text);
        }

        #[test]
        fn github_answers_never_panic(body in mutated(RELEASES)) {
            github(&body);
        }

        #[test]
        fn state_files_never_panic(body in proptest::collection::vec(any::<u8>(), 0..200)) {
            state(&body);
        }
    }
}
