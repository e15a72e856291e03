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
complete -c nymvisor -n "__fish_nymvisor_needs_command" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_needs_command" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_needs_command" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_needs_command" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -s V -l version -d 'Print version'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "init" -d 'Initialise an instance for a daemon binary'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "run" -d 'Run the daemon with the given arguments, and upgrade it as planned'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "add-upgrade" -d 'Queue an upgrade by hand, or attach a binary to a queued one'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "config" -d 'Show the configuration in use (after the environment overrides)'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "status" -d 'Show what runs, the queued upgrade and the last switch (or watch it, or probe it)'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "plan" -d 'Show what will happen next: the current release and each queued upgrade, its time and binary; or cancel a queued upgrade (`plan cancel <name>`)'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "check" -d 'Check the instance without running the daemon: configuration, files, binaries and their build information, queued upgrades, the upstream'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "build-info" -d 'Show nymvisor\'s build information'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "backup" -d 'List, verify or restore the backups taken before upgrades'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "daemon-build-info" -d 'Show the build information of the daemon\'s current binary'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "completions" -d 'Print the completion script for a shell'
complete -c nymvisor -n "__fish_nymvisor_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l id -d 'Name of this instance [default: <daemon name>-default] (NYMVISOR_ID)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l upstream-base-upgrade-url -d 'Base of the upstream that announces upgrades: <base>/<daemon name>/upgrade-info.json [default: https://nymtech.net/.wellknown/] (NYMVISOR_UPSTREAM_BASE_UPGRADE_URL)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l upstream-polling-rate -d 'How often the upstream is asked, e.g. 1h or 30m [default: 1h] (NYMVISOR_UPSTREAM_POLLING_RATE)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l upgrade-data-directory -d 'Folder for the upgrade data (binaries, plan, history); the daemon\'s own folder is made inside it [default: ~/.nym/nymvisors/data] (NYMVISOR_UPGRADE_DATA_DIRECTORY)' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l daemon-home -d 'The daemon\'s home folder, backed up before each upgrade; required unless DAEMON_HOME is set. Created (and said so) if it does not exist' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l daemon-absolute-upstream-upgrade-url -d 'A full upstream address, used instead of the base above (DAEMON_ABSOLUTE_UPSTREAM_UPGRADE_URL)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l allow-download-upgrade-binaries -d 'Download the binaries of announced upgrades, ahead of their time [default: true] (DAEMON_ALLOW_BINARIES_DOWNLOAD)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l enforce-download-checksum -d 'Refuse to download a binary whose upgrade publishes no checksum [default: true] (DAEMON_ENFORCE_DOWNLOAD_CHECKSUM)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l restart-daemon-after-upgrade -d 'Start the new binary after an upgrade; false: nymvisor exits after the switch [default: true] (DAEMON_RESTART_AFTER_UPGRADE)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l on-failure-daemon-restart-delay -d 'Wait this long before such a restart, e.g. 10s [default: 10s] (DAEMON_FAILURE_RESTART_DELAY)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l max-daemon-startup-failures -d 'Failures within the startup period after which nymvisor gives up (right after an upgrade: rolls back to the previous binary) [default: 10] (DAEMON_MAX_STARTUP_FAILURES)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l startup-period-duration -d 'How long after a start a failure counts towards that limit [default: 2m] (DAEMON_STARTUP_PERIOD_DURATION)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l daemon-shutdown-grace-period -d 'Time the daemon gets to stop after SIGINT before SIGKILL [default: 10s] (DAEMON_SHUTDOWN_GRACE_PERIOD)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l daemon-backup-data-directory -d 'Folder for the backups taken before upgrades [default: <daemon home>/nymvisor/backups] (DAEMON_BACKUP_DATA_DIRECTORY)' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -s o -l output -d 'Format of the configuration printed at the end (text adds the next steps)' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l disable-nymvisor-logs -d 'Turn nymvisor\'s own logs off; the daemon\'s output is unaffected (NYMVISOR_DISABLE_LOGS)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l restart-daemon-on-failure -d 'Restart the daemon when it stops unexpectedly (on by default here; the flag is kept for Nymvisor\'s command lines) (DAEMON_RESTART_ON_FAILURE)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -l unsafe-skip-backup -d 'Upgrade without backing up the daemon\'s home first (DAEMON_UNSAFE_SKIP_BACKUP)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand run" -l metrics-listen -d 'Serve Prometheus metrics on this address (a port alone listens on 127.0.0.1); overrides `metrics_listen` in the [nymvisor] section of the config file' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand run" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand run" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand run" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand run" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l upgrade-name -d 'The upgrade\'s name (a folder name: no `/`, no `..`)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l upgrade-time -d 'When to upgrade: an RFC 3339 time with its offset, e.g. 2026-12-08T12:00:00Z (default: 15 minutes from now)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l upgrade-delay -d 'How long from now to upgrade, e.g. 10m or 2h 30m' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l publish-date -d 'The publish date to record: an RFC 3339 time, e.g. 2026-12-01T09:00:00Z (default: now)' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -s o -l output -d 'Output format of the upgrade added' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l force -d 'Overwrite an existing binary or upgrade-info.json'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l add-binary -d 'Only attach the binary to an upgrade already queued'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -l now -d 'Upgrade right away (within a second of a running nymvisor noticing)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand add-upgrade" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand config" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand config" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand config" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand config" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand config" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l interval -d 'How often `--watch` looks, e.g. 500ms or 2s' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l probe -d 'Print nothing but a one-line reason on failure, and exit 0 when the condition holds (for Kubernetes exec probes and scripts): `live` (a visor runs on the home) or `ready` (its node runs)' -r -f -a "live\t'The supervisor runs on the home (its process is alive and has not stopped)'
ready\t'The node runs under it: a readiness probe'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -l watch -d 'Keep showing the status as it changes (on a terminal, redrawn; otherwise one document per change), until interrupted'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -f -a "list" -d 'Show the release that runs and each upgrade planned, with its trigger and release'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -f -a "cancel" -d 'Remove a planned upgrade, so it is not applied (where the face\'s plan allows it)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from list" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from list" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from list" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from list" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "list" -d 'Show the release that runs and each upgrade planned, with its trigger and release'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "cancel" -d 'Remove a planned upgrade, so it is not applied (where the face\'s plan allows it)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand check" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand check" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand check" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand check" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand check" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand build-info" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand build-info" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand build-info" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand build-info" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand build-info" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand build-info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "list" -d 'Lists the backups, newest first, with their size, age, release and whether they are verified'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "verify" -d 'Reads a backup back and compares every file with its manifest'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "restore" -d 'Puts a backup\'s data back in place of the node\'s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from list" -s o -l output -d 'How to print' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from list" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from list" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from list" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from list" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from restore" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "list" -d 'Lists the backups, newest first, with their size, age, release and whether they are verified'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Reads a backup back and compares every file with its manifest'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Puts a backup\'s data back in place of the node\'s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand daemon-build-info" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand daemon-build-info" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand daemon-build-info" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand daemon-build-info" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand daemon-build-info" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand daemon-build-info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand completions" -l log-format -d 'The supervisor\'s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]' -r -f -a "text\t'Readable text (colour on a terminal)'
json\t'One JSON object per line'"
complete -c nymvisor -n "__fish_nymvisor_using_subcommand completions" -l log-file -d 'Also write the supervisor\'s own log lines (never the node\'s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]' -r -F
complete -c nymvisor -n "__fish_nymvisor_using_subcommand completions" -l log-file-max-size -d 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand completions" -l log-file-keep -d 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]' -r
complete -c nymvisor -n "__fish_nymvisor_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status plan check build-info backup daemon-build-info completions help" -f -a "init" -d 'Initialise an instance for a daemon binary'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status plan check build-info backup daemon-build-info completions help" -f -a "run" -d 'Run the daemon with the given arguments, and upgrade it as planned'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status plan check build-info backup daemon-build-info completions help" -f -a "add-upgrade" -d 'Queue an upgrade by hand, or attach a binary to a queued one'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status plan check build-info backup daemon-build-info completions help" -f -a "config" -d 'Show the configuration in use (after the environment overrides)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status plan check build-info backup daemon-build-info completions help" -f -a "status" -d 'Show what runs, the queued upgrade and the last switch (or watch it, or probe it)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status plan check build-info backup daemon-build-info completions help" -f -a "plan" -d 'Show what will happen next: the current release and each queued upgrade, its time and binary; or cancel a queued upgrade (`plan cancel <name>`)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status plan check build-info backup daemon-build-info completions help" -f -a "check" -d 'Check the instance without running the daemon: configuration, files, binaries and their build information, queued upgrades, the upstream'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status plan check build-info backup daemon-build-info completions help" -f -a "build-info" -d 'Show nymvisor\'s build information'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status plan check build-info backup daemon-build-info completions help" -f -a "backup" -d 'List, verify or restore the backups taken before upgrades'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status plan check build-info backup daemon-build-info completions help" -f -a "daemon-build-info" -d 'Show the build information of the daemon\'s current binary'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status plan check build-info backup daemon-build-info completions help" -f -a "completions" -d 'Print the completion script for a shell'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and not __fish_seen_subcommand_from init run add-upgrade config status plan check build-info backup daemon-build-info completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "list" -d 'Show the release that runs and each upgrade planned, with its trigger and release'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "cancel" -d 'Remove a planned upgrade, so it is not applied (where the face\'s plan allows it)'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "list" -d 'Lists the backups, newest first, with their size, age, release and whether they are verified'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "verify" -d 'Reads a backup back and compares every file with its manifest'
complete -c nymvisor -n "__fish_nymvisor_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "restore" -d 'Puts a backup\'s data back in place of the node\'s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
