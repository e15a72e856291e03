# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_visor_global_optspecs
    string join \n log-level= log-format= log-file= log-file-max-size= log-file-keep= h/help V/version
end

function __fish_visor_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_visor_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_visor_using_subcommand
    set -l cmd (__fish_visor_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c visor -n "__fish_visor_needs_command" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_needs_command" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_needs_command" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_needs_command" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_needs_command" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_needs_command" -s V -l version -d 'Print version'
complete -c visor -n "__fish_visor_needs_command" -f -a "init" -d 'Create a new home folder with commented configuration files'
complete -c visor -n "__fish_visor_needs_command" -f -a "run" -d 'Run the node of a home folder and upgrade it when the core is ready'
complete -c visor -n "__fish_visor_needs_command" -f -a "status" -d 'Show what runs, the announced upgrade and the last switch (or watch it, or probe it)'
complete -c visor -n "__fish_visor_needs_command" -f -a "plan" -d 'Show what will happen next: the release that runs, the announced upgrade, its trigger and release folder (`plan cancel` explains why Vega upgrades cannot be cancelled here)'
complete -c visor -n "__fish_visor_needs_command" -f -a "check" -d 'Check a home without running it: configuration, current release, binaries and their versions, the core\'s admin socket, the announced upgrade\'s release'
complete -c visor -n "__fish_visor_needs_command" -f -a "backup" -d 'List, verify or restore the backups taken before switches (`[backup]` in config.toml)'
complete -c visor -n "__fish_visor_needs_command" -f -a "version" -d 'Print the version'
complete -c visor -n "__fish_visor_needs_command" -f -a "completions" -d 'Print the completion script for a shell'
complete -c visor -n "__fish_visor_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c visor -n "__fish_visor_using_subcommand init" -l home -d 'The home folder to create (must not exist, or be empty)' -r -F
complete -c visor -n "__fish_visor_using_subcommand init" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_using_subcommand init" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_using_subcommand init" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_using_subcommand init" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_using_subcommand init" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_using_subcommand init" -l with-data-node -d 'Also configure a data node'
complete -c visor -n "__fish_visor_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_using_subcommand run" -l home -d 'The home folder' -r -F
complete -c visor -n "__fish_visor_using_subcommand run" -l metrics-listen -d 'Serve Prometheus metrics on this address (a port alone listens on 127.0.0.1); overrides `[metrics] listen` in config.toml' -r
complete -c visor -n "__fish_visor_using_subcommand run" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_using_subcommand run" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_using_subcommand run" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_using_subcommand run" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_using_subcommand run" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_using_subcommand status" -l home -d 'The home folder' -r -F
complete -c visor -n "__fish_visor_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c visor -n "__fish_visor_using_subcommand status" -l interval -d 'How often `--watch` looks, e.g. 500ms or 2s' -r
complete -c visor -n "__fish_visor_using_subcommand status" -l probe -d 'Print nothing but a one-line reason on failure, and exit 0 when the condition holds (for Kubernetes exec probes and scripts): `live` (a visor runs on the home) or `ready` (its node runs)' -r -f -a "live\t'The supervisor runs on the home (its process is alive and has not stopped)'
ready\t'The node runs under it: a readiness probe'"
complete -c visor -n "__fish_visor_using_subcommand status" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_using_subcommand status" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_using_subcommand status" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_using_subcommand status" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_using_subcommand status" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_using_subcommand status" -l watch -d 'Keep showing the status as it changes (on a terminal, redrawn; otherwise one document per change), until interrupted'
complete -c visor -n "__fish_visor_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -l home -d 'The home folder (required; before or after the subcommand)' -r -F
complete -c visor -n "__fish_visor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c visor -n "__fish_visor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -f -a "list" -d 'Show the release that runs and each upgrade planned, with its trigger and release'
complete -c visor -n "__fish_visor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -f -a "cancel" -d 'Remove a planned upgrade, so it is not applied (where the face\'s plan allows it)'
complete -c visor -n "__fish_visor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from list" -l home -d 'The home folder (required; before or after the subcommand)' -r -F
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from list" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from list" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from list" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from list" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from list" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -l home -d 'The home folder (required; before or after the subcommand)' -r -F
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "list" -d 'Show the release that runs and each upgrade planned, with its trigger and release'
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "cancel" -d 'Remove a planned upgrade, so it is not applied (where the face\'s plan allows it)'
complete -c visor -n "__fish_visor_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c visor -n "__fish_visor_using_subcommand check" -l home -d 'The home folder' -r -F
complete -c visor -n "__fish_visor_using_subcommand check" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c visor -n "__fish_visor_using_subcommand check" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_using_subcommand check" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_using_subcommand check" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_using_subcommand check" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_using_subcommand check" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l home -d 'The home folder (required; before or after the subcommand)' -r -F
complete -c visor -n "__fish_visor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "list" -d 'Lists the backups, newest first, with their size, age, release and whether they are verified'
complete -c visor -n "__fish_visor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "verify" -d 'Reads a backup back and compares every file with its manifest'
complete -c visor -n "__fish_visor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "restore" -d 'Puts a backup\'s data back in place of the node\'s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
complete -c visor -n "__fish_visor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from list" -s o -l output -d 'How to print' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from list" -l home -d 'The home folder (required; before or after the subcommand)' -r -F
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from list" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from list" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from list" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from list" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from list" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l home -d 'The home folder (required; before or after the subcommand)' -r -F
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l home -d 'The home folder (required; before or after the subcommand)' -r -F
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "list" -d 'Lists the backups, newest first, with their size, age, release and whether they are verified'
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Reads a backup back and compares every file with its manifest'
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Puts a backup\'s data back in place of the node\'s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
complete -c visor -n "__fish_visor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c visor -n "__fish_visor_using_subcommand version" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c visor -n "__fish_visor_using_subcommand version" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_using_subcommand version" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_using_subcommand version" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_using_subcommand version" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_using_subcommand version" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_using_subcommand completions" -l log-level -d 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it' -r
complete -c visor -n "__fish_visor_using_subcommand completions" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c visor -n "__fish_visor_using_subcommand completions" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: VISOR_LOG_FILE]' -r -F
complete -c visor -n "__fish_visor_using_subcommand completions" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]' -r
complete -c visor -n "__fish_visor_using_subcommand completions" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]' -r
complete -c visor -n "__fish_visor_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c visor -n "__fish_visor_using_subcommand help; and not __fish_seen_subcommand_from init run status plan check backup version completions help" -f -a "init" -d 'Create a new home folder with commented configuration files'
complete -c visor -n "__fish_visor_using_subcommand help; and not __fish_seen_subcommand_from init run status plan check backup version completions help" -f -a "run" -d 'Run the node of a home folder and upgrade it when the core is ready'
complete -c visor -n "__fish_visor_using_subcommand help; and not __fish_seen_subcommand_from init run status plan check backup version completions help" -f -a "status" -d 'Show what runs, the announced upgrade and the last switch (or watch it, or probe it)'
complete -c visor -n "__fish_visor_using_subcommand help; and not __fish_seen_subcommand_from init run status plan check backup version completions help" -f -a "plan" -d 'Show what will happen next: the release that runs, the announced upgrade, its trigger and release folder (`plan cancel` explains why Vega upgrades cannot be cancelled here)'
complete -c visor -n "__fish_visor_using_subcommand help; and not __fish_seen_subcommand_from init run status plan check backup version completions help" -f -a "check" -d 'Check a home without running it: configuration, current release, binaries and their versions, the core\'s admin socket, the announced upgrade\'s release'
complete -c visor -n "__fish_visor_using_subcommand help; and not __fish_seen_subcommand_from init run status plan check backup version completions help" -f -a "backup" -d 'List, verify or restore the backups taken before switches (`[backup]` in config.toml)'
complete -c visor -n "__fish_visor_using_subcommand help; and not __fish_seen_subcommand_from init run status plan check backup version completions help" -f -a "version" -d 'Print the version'
complete -c visor -n "__fish_visor_using_subcommand help; and not __fish_seen_subcommand_from init run status plan check backup version completions help" -f -a "completions" -d 'Print the completion script for a shell'
complete -c visor -n "__fish_visor_using_subcommand help; and not __fish_seen_subcommand_from init run status plan check backup version completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c visor -n "__fish_visor_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "list" -d 'Show the release that runs and each upgrade planned, with its trigger and release'
complete -c visor -n "__fish_visor_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "cancel" -d 'Remove a planned upgrade, so it is not applied (where the face\'s plan allows it)'
complete -c visor -n "__fish_visor_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "list" -d 'Lists the backups, newest first, with their size, age, release and whether they are verified'
complete -c visor -n "__fish_visor_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "verify" -d 'Reads a backup back and compares every file with its manifest'
complete -c visor -n "__fish_visor_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "restore" -d 'Puts a backup\'s data back in place of the node\'s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
