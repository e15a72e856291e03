
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
            cand --log-format 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
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
            cand build-info 'Show nymvisor''s build information'
            cand backup 'List, verify or restore the backups taken before upgrades'
            cand daemon-build-info 'Show the build information of the daemon''s current binary'
            cand completions 'Print the completion script for a shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nymvisor;init'= {
            cand --id 'Instance name (default: <daemon name>-default)'
            cand --upstream-base-upgrade-url 'upstream-base-upgrade-url'
            cand --upstream-polling-rate 'upstream-polling-rate'
            cand --upgrade-data-directory 'upgrade-data-directory'
            cand --daemon-home 'The daemon''s home folder (or DAEMON_HOME)'
            cand --daemon-absolute-upstream-upgrade-url 'daemon-absolute-upstream-upgrade-url'
            cand --allow-download-upgrade-binaries 'allow-download-upgrade-binaries'
            cand --enforce-download-checksum 'enforce-download-checksum'
            cand --restart-daemon-after-upgrade 'restart-daemon-after-upgrade'
            cand --on-failure-daemon-restart-delay 'on-failure-daemon-restart-delay'
            cand --max-daemon-startup-failures 'max-daemon-startup-failures'
            cand --startup-period-duration 'startup-period-duration'
            cand --daemon-shutdown-grace-period 'daemon-shutdown-grace-period'
            cand --daemon-backup-data-directory 'daemon-backup-data-directory'
            cand -o 'o'
            cand --output 'output'
            cand --log-format 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand --disable-nymvisor-logs 'disable-nymvisor-logs'
            cand --restart-daemon-on-failure 'restart-daemon-on-failure'
            cand --unsafe-skip-backup 'unsafe-skip-backup'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;run'= {
            cand --metrics-listen 'Serve Prometheus metrics on this address (a port alone listens on 127.0.0.1); overrides `metrics_listen` in the [nymvisor] section of the config file'
            cand --log-format 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;add-upgrade'= {
            cand --upgrade-name 'The upgrade''s name (a folder name: no `/`, no `..`)'
            cand --upgrade-time 'When to upgrade (RFC 3339)'
            cand --upgrade-delay 'How long from now to upgrade (e.g. 10m)'
            cand --publish-date 'The publish date to record (RFC 3339; default now)'
            cand -o 'o'
            cand --output 'output'
            cand --log-format 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand --force 'Overwrite an existing binary or upgrade-info.json'
            cand --add-binary 'Only attach the binary to an upgrade already queued'
            cand --now 'Upgrade right away (within a second of a running nymvisor noticing)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;config'= {
            cand -o 'o'
            cand --output 'output'
            cand --log-format 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
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
            cand --log-format 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand --watch 'Keep showing the status as it changes (on a terminal, redrawn; otherwise one document per change), until interrupted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;build-info'= {
            cand -o 'o'
            cand --output 'output'
            cand --log-format 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;backup'= {
            cand --log-format 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
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
            cand --log-format 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;backup;verify'= {
            cand --log-format 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;backup;restore'= {
            cand --log-format 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
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
            cand -o 'o'
            cand --output 'output'
            cand --log-format 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nymvisor;completions'= {
            cand --log-format 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]'
            cand --log-file 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]'
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
