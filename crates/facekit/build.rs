//! Records the build (commit, compiler, profile, target) once, for every face's `version` and
//! `build-info`.

use std::process::Command;

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok().filter(|o| o.status.success())?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let rustc_version = output(&rustc, &["--version"]).unwrap_or_else(|| "unknown".to_owned());
    let version = rustc_version.split_whitespace().nth(1).unwrap_or("unknown").to_owned();
    let channel = if version.contains("nightly") {
        "nightly"
    } else if version.contains("beta") {
        "beta"
    } else {
        "stable"
    };
    let unknown = || "unknown".to_owned();
    let values = [
        ("VISOR_GIT_HASH", output("git", &["rev-parse", "HEAD"]).unwrap_or_else(unknown)),
        ("VISOR_COMMIT_TIMESTAMP", output("git", &["log", "-1", "--format=%cI"]).unwrap_or_else(unknown)),
        ("VISOR_COMMIT_BRANCH", output("git", &["rev-parse", "--abbrev-ref", "HEAD"]).unwrap_or_else(unknown)),
        ("VISOR_BUILD_TIMESTAMP", output("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"]).unwrap_or_else(unknown)),
        ("VISOR_RUSTC_VERSION", version),
        ("VISOR_RUSTC_CHANNEL", channel.to_owned()),
        ("VISOR_PROFILE", std::env::var("PROFILE").unwrap_or_else(|_| unknown())),
        ("VISOR_TARGET", std::env::var("TARGET").unwrap_or_else(|_| unknown())),
    ];
    for (key, value) in values {
        println!("cargo:rustc-env={key}={value}");
    }
    for head in ["../../.git/HEAD", "../../.git/refs/heads"] {
        if std::path::Path::new(head).exists() {
            println!("cargo:rerun-if-changed={head}");
        }
    }
}
