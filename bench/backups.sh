#!/bin/sh
# Measures the backup strategies against cp -a, tar czf and tar --zstd (docs/backups.md,
# "Measurements"). Run as root to drop the page cache before every run and to add the XFS
# (reflink) tables; any other arguments go to visor-backup-bench, e.g. --size-mib 256.
#
#   sudo bench/backups.sh            # ext4 (or whatever --dir is on) and a loop-mounted XFS
#   bench/backups.sh --size-mib 64   # a quick look, caches not dropped unless root
set -eu
cd "$(dirname "$0")/.."
cargo build --release -p testnode --bin visor-backup-bench
exec target/release/visor-backup-bench --markdown --xfs "$@"
