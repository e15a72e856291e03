#!/usr/bin/env bash
# Builds the release binaries and runs the demo: a complete automatic upgrade with testnode,
# in a temporary home, without network access.
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --workspace --bins
exec target/release/visor-demo "$@"
