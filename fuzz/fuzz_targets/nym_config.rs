#![no_main]
//! The configuration file, and the environment variables that override it: the input is
//! `KEY=value` lines for the environment, a blank line, then the file.
libfuzzer_sys::fuzz_target!(|text: &str| {
    let (env, file) = text.split_once("\n\n").unwrap_or(("", text));
    let env: Vec<(&str, &str)> = env.lines().filter_map(|l| l.split_once('=')).collect();
    let _ = nymvisor::fuzz::config(file, &env);
});
