
use builtin;
use str;

set edit:completion:arg-completer[nymvisor] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'nymvisor'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'nymvisor'= {
            cand -c 'A .env file whose variables are loaded (overriding the environment) before anything else'
            cand --config-env-file 'A .env file whose variables are loaded (overriding the environment) before anything else'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Initialise an instance for a daemon binary'
            cand run 'Run the daemon with the given arguments, and upgrade it as planned'
            cand add-upgrade 'Queue an upgrade by hand, or attach a binary to a queued one'
            cand config 'Show the configuration in use (after the environment overrides)'
            cand status 'Show what runs, the queued upgrade and the last switch (or watch it, or probe it)'
            cand plan 'Show what will happen next: the current release and each queued upgrade, its time and binary; or cancel a queued upgrade (`plan cancel <name>`)'
            cand check 'Check the instance without running the daemon: configuration, files, binaries and their build information, queued upgrades, the upstream'
            cand build-info 'Show nymvisor''s build information'
            cand backup 'List, verify or restore the backups taken before upgrades'
            cand daemon-build-info 'Show the build information of the daemon''s current binary'
            cand completions 'Print the completion script for a shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nymvisor;init'= {
            cand --id 'Name of this instance [default: <daemon name>-default] (NYMVISOR_ID)'
            cand --upstream-base-upgrade-url 'Base of the upstream that announces upgrades: <base>/<daemon name>/upgrade-info.json [default: https://nymtech.net/.wellknown/] (NYMVISOR_UPSTREAM_BASE_UPGRADE_URL)'
            cand --upstream-polling-rate 'How often the upstream is asked, e.g. 1h or 30m [default: 1h] (NYMVISOR_UPSTREAM_POLLING_RATE)'
            cand --upgrade-data-directory 'Folder for the upgrade data (binaries, plan, history); the daemon''s own folder is made inside it [default: ~/.nym/nymvisors/data] (NYMVISOR_UPGRADE_DATA_DIRECTORY)'
            cand --daemon-home 'The daemon''s home folder, backed up before each upgrade; required unless DAEMON_HOME is set. Created (and said so) if it does not exist'
            cand --daemon-absolute-upstream-upgrade-url 'A full upstream address, used instead of the base above (DAEMON_ABSOLUTE_UPSTREAM_UPGRADE_URL)'
            cand --allow-download-upgrade-binaries 'Download the binaries of announced upgrades, ahead of their time [default: true] (DAEMON_ALLOW_BINARIES_DOWNLOAD)'
            cand --enforce-download-checksum 'Refuse to download a binary whose upgrade publishes no checksum [default: true] (DAEMON_ENFORCE_DOWNLOAD_CHECKSUM)'
            cand --restart-daemon-after-upgrade 'Start the new binary after an upgrade; false: nymvisor exits after the switch [default: true] (DAEMON_RESTART_AFTER_UPGRADE)'
            cand --on-failure-daemon-restart-delay 'Wait this long before such a restart, e.g. 10s [default: 10s] (DAEMON_FAILURE_RESTART_DELAY)'
            cand --max-daemon-startup-failures 'Failures within the startup period after which nymvisor gives up (right after an upgrade: rolls back to the previous binary) [default: 10] (DAEMON_MAX_STARTUP_FAILURES)'
            cand --startup-period-duration 'How long after a start a failure counts towards that limit [default: 2m] (DAEMON_STARTUP_PERIOD_DURATION)'
            cand --daemon-shutdown-grace-period 'Time the daemon gets to stop after SIGINT before SIGKILL [default: 10s] (DAEMON_SHUTDOWN_GRACE_PERIOD)'
            cand --daemon-backup-data-directory 'Folder for the backups taken before upgrades [default: <daemon home>/nymvisor/backups] (DAEMON_BACKUP_DATA_DIRECTORY)'
            cand -o 'Format of the configuration printed at the end (text adds the next steps)'
            cand --output 'Format of the configuration printed at the end (text adds the next steps)'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand --disable-nymvisor-logs 'Turn nymvisor''s own logs off; the daemon''s output is unaffected (NYMVISOR_DISABLE_LOGS)'
            cand --restart-daemon-on-failure 'Restart the daemon when it stops unexpectedly (on by default here; the flag is kept for Nymvisor''s command lines) (DAEMON_RESTART_ON_FAILURE)'
            cand --unsafe-skip-backup 'Upgrade without backing up the daemon''s home first (DAEMON_UNSAFE_SKIP_BACKUP)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;run'= {
            cand --metrics-listen 'Serve Prometheus metrics on this address (a port alone listens on 127.0.0.1); overrides `metrics_listen` in the [nymvisor] section of the config file'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;add-upgrade'= {
            cand --upgrade-name 'The upgrade''s name (a folder name: no `/`, no `..`)'
            cand --upgrade-time 'When to upgrade: an RFC 3339 time with its offset, e.g. 2026-12-08T12:00:00Z (default: 15 minutes from now)'
            cand --upgrade-delay 'How long from now to upgrade, e.g. 10m or 2h 30m'
            cand --publish-date 'The publish date to record: an RFC 3339 time, e.g. 2026-12-01T09:00:00Z (default: now)'
            cand -o 'Output format of the upgrade added'
            cand --output 'Output format of the upgrade added'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand --force 'Overwrite an existing binary or upgrade-info.json'
            cand --add-binary 'Only attach the binary to an upgrade already queued'
            cand --now 'Upgrade right away (within a second of a running nymvisor noticing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;config'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;status'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --interval 'How often `--watch` looks, e.g. 500ms or 2s'
            cand --probe 'Print nothing but a one-line reason on failure, and exit 0 when the condition holds (for Kubernetes exec probes and scripts): `live` (a visor runs on the home) or `ready` (its node runs)'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand --watch 'Keep showing the status as it changes (on a terminal, redrawn; otherwise one document per change), until interrupted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;plan'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand list 'Show the release that runs and each upgrade planned, with its trigger and release'
            cand cancel 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nymvisor;plan;list'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;plan;cancel'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;plan;help'= {
            cand list 'Show the release that runs and each upgrade planned, with its trigger and release'
            cand cancel 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nymvisor;plan;help;list'= {
        }
        &'nymvisor;plan;help;cancel'= {
        }
        &'nymvisor;plan;help;help'= {
        }
        &'nymvisor;check'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;build-info'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;backup'= {
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand list 'Lists the backups, newest first, with their size, age, release and whether they are verified'
            cand verify 'Reads a backup back and compares every file with its manifest'
            cand restore 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nymvisor;backup;list'= {
            cand -o 'How to print'
            cand --output 'How to print'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;backup;verify'= {
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;backup;restore'= {
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;backup;help'= {
            cand list 'Lists the backups, newest first, with their size, age, release and whether they are verified'
            cand verify 'Reads a backup back and compares every file with its manifest'
            cand restore 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nymvisor;backup;help;list'= {
        }
        &'nymvisor;backup;help;verify'= {
        }
        &'nymvisor;backup;help;restore'= {
        }
        &'nymvisor;backup;help;help'= {
        }
        &'nymvisor;daemon-build-info'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;completions'= {
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;help'= {
            cand init 'Initialise an instance for a daemon binary'
            cand run 'Run the daemon with the given arguments, and upgrade it as planned'
            cand add-upgrade 'Queue an upgrade by hand, or attach a binary to a queued one'
            cand config 'Show the configuration in use (after the environment overrides)'
            cand status 'Show what runs, the queued upgrade and the last switch (or watch it, or probe it)'
            cand plan 'Show what will happen next: the current release and each queued upgrade, its time and binary; or cancel a queued upgrade (`plan cancel <name>`)'
            cand check 'Check the instance without running the daemon: configuration, files, binaries and their build information, queued upgrades, the upstream'
            cand build-info 'Show nymvisor''s build information'
            cand backup 'List, verify or restore the backups taken before upgrades'
            cand daemon-build-info 'Show the build information of the daemon''s current binary'
            cand completions 'Print the completion script for a shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nymvisor;help;init'= {
        }
        &'nymvisor;help;run'= {
        }
        &'nymvisor;help;add-upgrade'= {
        }
        &'nymvisor;help;config'= {
        }
        &'nymvisor;help;status'= {
        }
        &'nymvisor;help;plan'= {
            cand list 'Show the release that runs and each upgrade planned, with its trigger and release'
            cand cancel 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)'
        }
        &'nymvisor;help;plan;list'= {
        }
        &'nymvisor;help;plan;cancel'= {
        }
        &'nymvisor;help;check'= {
        }
        &'nymvisor;help;build-info'= {
        }
        &'nymvisor;help;backup'= {
            cand list 'Lists the backups, newest first, with their size, age, release and whether they are verified'
            cand verify 'Reads a backup back and compares every file with its manifest'
            cand restore 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
        }
        &'nymvisor;help;backup;list'= {
        }
        &'nymvisor;help;backup;verify'= {
        }
        &'nymvisor;help;backup;restore'= {
        }
        &'nymvisor;help;daemon-build-info'= {
        }
        &'nymvisor;help;completions'= {
        }
        &'nymvisor;help;help'= {
        }
    ]
    $completions[$command]
}
