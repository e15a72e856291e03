//! The `cosmovisor` binary: everything is in the library, so the parsers can be fuzzed.

fn main() -> std::process::ExitCode {
    cosmovisor::main()
}
