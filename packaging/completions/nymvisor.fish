# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_nymvisor_global_optspecs
    string join \n c/config-env-file= log-format= log-file= log-file-max-size= log-file-keep= h/help V/version
end

function __fish_nymvisor_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_nymvisor_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_nymvisor_using_subcommand
    set -l cmd (__fish_nymvisor_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c nymvisor -n "__fish_nymvisor_needs_command" -s c -l config-env-file -d 'A .env file whose variables are loaded (overriding the environment) before anything else' -r -F
complete -c nymvisor -n "__fish_nymvisor_needs_command" -l log-format -d 'The visor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_needs_command" -l log-file -d 'Also write the visor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_needs_command" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_needs_command" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -s V -l version -d 'Print version'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "init" -d 'Initialise an instance for a daemon binary'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "run" -d 'Run the daemon with the given arguments, and upgrade it as planned'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "add-upgrade" -d 'Queue an upgrade by hand, or attach a binary to a queued one'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "config" -d 'Show the configuration in use (after the environment overrides)'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "status" -d 'Show what runs, the queued upgrade and the last switch (or watch it, or probe it)'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "build-info" -d 'Show nymvisor\'s build information'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "backup" -d 'List, verify or restore the backups taken before upgrades'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "daemon-build-info" -d 'Show the build information of the daemon\'s current binary'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "completions" -d 'Print the completion script for a shell'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l id -d 'Instance name (default: <daemon name>-default)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l upstream-base-upgrade-url -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l upstream-polling-rate -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l upgrade-data-directory -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l daemon-home -d 'The daemon\'s home folder (or DAEMON_HOME)' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l daemon-absolute-upstream-upgrade-url -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l allow-download-upgrade-binaries -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l enforce-download-checksum -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l restart-daemon-after-upgrade -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l on-failure-daemon-restart-delay -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l max-daemon-startup-failures -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l startup-period-duration -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l daemon-shutdown-grace-period -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l daemon-backup-data-directory -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -s o -l output -r -f -a "text\t'For people (`human` is accepted too, as Vega Visor spells it)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l log-format -d 'The visor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l log-file -d 'Also write the visor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l disable-nymvisor-logs
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l restart-daemon-on-failure
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l unsafe-skip-backup
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand run" -l metrics-listen -d 'Serve Prometheus metrics on this address (a port alone listens on 127.0.0.1); overrides `metrics_listen` in the [nymvisor] section of the config file' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand run" -l log-format -d 'The visor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand run" -l log-file -d 'Also write the visor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand run" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand run" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l upgrade-name -d 'The upgrade\'s name (a folder name: no `/`, no `..`)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l upgrade-time -d 'When to upgrade (RFC 3339)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l upgrade-delay -d 'How long from now to upgrade (e.g. 10m)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l publish-date -d 'The publish date to record (RFC 3339; default now)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -s o -l output -r -f -a "text\t'For people (`human` is accepted too, as Vega Visor spells it)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l log-format -d 'The visor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l log-file -d 'Also write the visor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l force -d 'Overwrite an existing binary or upgrade-info.json'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l add-binary -d 'Only attach the binary to an upgrade already queued'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l now -d 'Upgrade right away (within a second of a running nymvisor noticing)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand config" -s o -l output -r -f -a "text\t'For people (`human` is accepted too, as Vega Visor spells it)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand config" -l log-format -d 'The visor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand config" -l log-file -d 'Also write the visor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand config" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand config" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too, as Vega Visor spells it)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l interval -d 'How often `--watch` looks, e.g. 500ms or 2s' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l probe -d 'Print nothing but a one-line reason on failure, and exit 0 when the condition holds (for Kubernetes exec probes and scripts): `live` (a visor runs on the home) or `ready` (its node runs)' -r -f -a "live\t'A visor runs on the home (its process is alive and has not stopped)'
ready\t'The node runs under it: a readiness probe'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l log-format -d 'The visor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l log-file -d 'Also write the visor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l watch -d 'Keep showing the status as it changes (on a terminal, redrawn; otherwise one document per change), until interrupted'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand build-info" -s o -l output -r -f -a "text\t'For people (`human` is accepted too, as Vega Visor spells it)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand build-info" -l log-format -d 'The visor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand build-info" -l log-file -d 'Also write the visor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand build-info" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand build-info" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand build-info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l log-format -d 'The visor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l log-file -d 'Also write the visor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "list" -d 'Lists the backups, newest first, with their size, age, release and whether they are verified'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "verify" -d 'Reads a backup back and compares every file with its manifest'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "restore" -d 'Puts a backup\'s data back in place of the node\'s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from list" -s o -l output -d 'How to print' -r -f -a "text\t'For people (`human` is accepted too, as Vega Visor spells it)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from list" -l log-format -d 'The visor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from list" -l log-file -d 'Also write the visor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from list" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from list" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-format -d 'The visor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-file -d 'Also write the visor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l log-format -d 'The visor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l log-file -d 'Also write the visor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "list" -d 'Lists the backups, newest first, with their size, age, release and whether they are verified'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Reads a backup back and compares every file with its manifest'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Puts a backup\'s data back in place of the node\'s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand daemon-build-info" -s o -l output -r -f -a "text\t'For people (`human` is accepted too, as Vega Visor spells it)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand daemon-build-info" -l log-format -d 'The visor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand daemon-build-info" -l log-file -d 'Also write the visor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand daemon-build-info" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand daemon-build-info" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand daemon-build-info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand completions" -l log-format -d 'The visor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand completions" -l log-file -d 'Also write the visor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand completions" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand completions" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status build-info backup daemon-build-info completions help" -f -a "init" -d 'Initialise an instance for a daemon binary'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status build-info backup daemon-build-info completions help" -f -a "run" -d 'Run the daemon with the given arguments, and upgrade it as planned'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status build-info backup daemon-build-info completions help" -f -a "add-upgrade" -d 'Queue an upgrade by hand, or attach a binary to a queued one'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status build-info backup daemon-build-info completions help" -f -a "config" -d 'Show the configuration in use (after the environment overrides)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status build-info backup daemon-build-info completions help" -f -a "status" -d 'Show what runs, the queued upgrade and the last switch (or watch it, or probe it)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status build-info backup daemon-build-info completions help" -f -a "build-info" -d 'Show nymvisor\'s build information'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status build-info backup daemon-build-info completions help" -f -a "backup" -d 'List, verify or restore the backups taken before upgrades'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status build-info backup daemon-build-info completions help" -f -a "daemon-build-info" -d 'Show the build information of the daemon\'s current binary'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status build-info backup daemon-build-info completions help" -f -a "completions" -d 'Print the completion script for a shell'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status build-info backup daemon-build-info completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "list" -d 'Lists the backups, newest first, with their size, age, release and whether they are verified'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "verify" -d 'Reads a backup back and compares every file with its manifest'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "restore" -d 'Puts a backup\'s data back in place of the node\'s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
