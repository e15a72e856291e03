
use builtin;
use str;

set edit:completion:arg-completer[visor] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'visor'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'visor'= {
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create a new home folder with commented configuration files'
            cand run 'Run the node of a home folder and upgrade it when the core is ready'
            cand status 'Show what runs, the announced upgrade and the last switch (or watch it, or probe it)'
            cand plan 'Show what will happen next: the release that runs, the announced upgrade, its trigger and release folder (`plan cancel` explains why Vega upgrades cannot be cancelled here)'
            cand check 'Check a home without running it: configuration, current release, binaries and their versions, the core''s admin socket, the announced upgrade''s release'
            cand backup 'List, verify or restore the backups taken before switches (`[backup]` in config.toml)'
            cand version 'Print the version'
            cand completions 'Print the completion script for a shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'visor;init'= {
            cand --home 'The home folder to create (must not exist, or be empty)'
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand --with-data-node 'Also configure a data node'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'visor;run'= {
            cand --home 'The home folder'
            cand --metrics-listen 'Serve Prometheus metrics on this address (a port alone listens on 127.0.0.1); overrides `[metrics] listen` in config.toml'
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'visor;status'= {
            cand --home 'The home folder'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --interval 'How often `--watch` looks, e.g. 500ms or 2s'
            cand --probe 'Print nothing but a one-line reason on failure, and exit 0 when the condition holds (for Kubernetes exec probes and scripts): `live` (a visor runs on the home) or `ready` (its node runs)'
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand --watch 'Keep showing the status as it changes (on a terminal, redrawn; otherwise one document per change), until interrupted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'visor;plan'= {
            cand --home 'The home folder (required; before or after the subcommand)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand list 'Show the release that runs and each upgrade planned, with its trigger and release'
            cand cancel 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'visor;plan;list'= {
            cand --home 'The home folder (required; before or after the subcommand)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'visor;plan;cancel'= {
            cand --home 'The home folder (required; before or after the subcommand)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'visor;plan;help'= {
            cand list 'Show the release that runs and each upgrade planned, with its trigger and release'
            cand cancel 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'visor;plan;help;list'= {
        }
        &'visor;plan;help;cancel'= {
        }
        &'visor;plan;help;help'= {
        }
        &'visor;check'= {
            cand --home 'The home folder'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'visor;backup'= {
            cand --home 'The home folder (required; before or after the subcommand)'
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand list 'Lists the backups, newest first, with their size, age, release and whether they are verified'
            cand verify 'Reads a backup back and compares every file with its manifest'
            cand restore 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'visor;backup;list'= {
            cand -o 'How to print'
            cand --output 'How to print'
            cand --home 'The home folder (required; before or after the subcommand)'
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'visor;backup;verify'= {
            cand --home 'The home folder (required; before or after the subcommand)'
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'visor;backup;restore'= {
            cand --home 'The home folder (required; before or after the subcommand)'
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'visor;backup;help'= {
            cand list 'Lists the backups, newest first, with their size, age, release and whether they are verified'
            cand verify 'Reads a backup back and compares every file with its manifest'
            cand restore 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'visor;backup;help;list'= {
        }
        &'visor;backup;help;verify'= {
        }
        &'visor;backup;help;restore'= {
        }
        &'visor;backup;help;help'= {
        }
        &'visor;version'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'visor;completions'= {
            cand --log-level 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it'
            cand --log-format 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]'
            cand --log-file 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]'
            cand --log-file-max-size 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]'
            cand --log-file-keep 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'visor;help'= {
            cand init 'Create a new home folder with commented configuration files'
            cand run 'Run the node of a home folder and upgrade it when the core is ready'
            cand status 'Show what runs, the announced upgrade and the last switch (or watch it, or probe it)'
            cand plan 'Show what will happen next: the release that runs, the announced upgrade, its trigger and release folder (`plan cancel` explains why Vega upgrades cannot be cancelled here)'
            cand check 'Check a home without running it: configuration, current release, binaries and their versions, the core''s admin socket, the announced upgrade''s release'
            cand backup 'List, verify or restore the backups taken before switches (`[backup]` in config.toml)'
            cand version 'Print the version'
            cand completions 'Print the completion script for a shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'visor;help;init'= {
        }
        &'visor;help;run'= {
        }
        &'visor;help;status'= {
        }
        &'visor;help;plan'= {
            cand list 'Show the release that runs and each upgrade planned, with its trigger and release'
            cand cancel 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)'
        }
        &'visor;help;plan;list'= {
        }
        &'visor;help;plan;cancel'= {
        }
        &'visor;help;check'= {
        }
        &'visor;help;backup'= {
            cand list 'Lists the backups, newest first, with their size, age, release and whether they are verified'
            cand verify 'Reads a backup back and compares every file with its manifest'
            cand restore 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
        }
        &'visor;help;backup;list'= {
        }
        &'visor;help;backup;verify'= {
        }
        &'visor;help;backup;restore'= {
        }
        &'visor;help;version'= {
        }
        &'visor;help;completions'= {
        }
        &'visor;help;help'= {
        }
    ]
    $completions[$command]
}
