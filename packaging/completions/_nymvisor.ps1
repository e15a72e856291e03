
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'nymvisor' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'nymvisor'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'nymvisor' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'A .env file whose variables are loaded (overriding the environment) before anything else')
            [CompletionResult]::new('--config-env-file', '--config-env-file', [CompletionResultType]::ParameterName, 'A .env file whose variables are loaded (overriding the environment) before anything else')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Initialise an instance for a daemon binary')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the daemon with the given arguments, and upgrade it as planned')
            [CompletionResult]::new('add-upgrade', 'add-upgrade', [CompletionResultType]::ParameterValue, 'Queue an upgrade by hand, or attach a binary to a queued one')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the configuration in use (after the environment overrides)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what runs, the queued upgrade and the last switch (or watch it, or probe it)')
            [CompletionResult]::new('build-info', 'build-info', [CompletionResultType]::ParameterValue, 'Show nymvisor''s build information')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'List, verify or restore the backups taken before upgrades')
            [CompletionResult]::new('daemon-build-info', 'daemon-build-info', [CompletionResultType]::ParameterValue, 'Show the build information of the daemon''s current binary')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nymvisor;init' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Instance name (default: <daemon name>-default)')
            [CompletionResult]::new('--upstream-base-upgrade-url', '--upstream-base-upgrade-url', [CompletionResultType]::ParameterName, 'upstream-base-upgrade-url')
            [CompletionResult]::new('--upstream-polling-rate', '--upstream-polling-rate', [CompletionResultType]::ParameterName, 'upstream-polling-rate')
            [CompletionResult]::new('--upgrade-data-directory', '--upgrade-data-directory', [CompletionResultType]::ParameterName, 'upgrade-data-directory')
            [CompletionResult]::new('--daemon-home', '--daemon-home', [CompletionResultType]::ParameterName, 'The daemon''s home folder (or DAEMON_HOME)')
            [CompletionResult]::new('--daemon-absolute-upstream-upgrade-url', '--daemon-absolute-upstream-upgrade-url', [CompletionResultType]::ParameterName, 'daemon-absolute-upstream-upgrade-url')
            [CompletionResult]::new('--allow-download-upgrade-binaries', '--allow-download-upgrade-binaries', [CompletionResultType]::ParameterName, 'allow-download-upgrade-binaries')
            [CompletionResult]::new('--enforce-download-checksum', '--enforce-download-checksum', [CompletionResultType]::ParameterName, 'enforce-download-checksum')
            [CompletionResult]::new('--restart-daemon-after-upgrade', '--restart-daemon-after-upgrade', [CompletionResultType]::ParameterName, 'restart-daemon-after-upgrade')
            [CompletionResult]::new('--on-failure-daemon-restart-delay', '--on-failure-daemon-restart-delay', [CompletionResultType]::ParameterName, 'on-failure-daemon-restart-delay')
            [CompletionResult]::new('--max-daemon-startup-failures', '--max-daemon-startup-failures', [CompletionResultType]::ParameterName, 'max-daemon-startup-failures')
            [CompletionResult]::new('--startup-period-duration', '--startup-period-duration', [CompletionResultType]::ParameterName, 'startup-period-duration')
            [CompletionResult]::new('--daemon-shutdown-grace-period', '--daemon-shutdown-grace-period', [CompletionResultType]::ParameterName, 'daemon-shutdown-grace-period')
            [CompletionResult]::new('--daemon-backup-data-directory', '--daemon-backup-data-directory', [CompletionResultType]::ParameterName, 'daemon-backup-data-directory')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'o')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('--disable-nymvisor-logs', '--disable-nymvisor-logs', [CompletionResultType]::ParameterName, 'disable-nymvisor-logs')
            [CompletionResult]::new('--restart-daemon-on-failure', '--restart-daemon-on-failure', [CompletionResultType]::ParameterName, 'restart-daemon-on-failure')
            [CompletionResult]::new('--unsafe-skip-backup', '--unsafe-skip-backup', [CompletionResultType]::ParameterName, 'unsafe-skip-backup')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;run' {
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'Serve Prometheus metrics on this address (a port alone listens on 127.0.0.1); overrides `metrics_listen` in the [nymvisor] section of the config file')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;add-upgrade' {
            [CompletionResult]::new('--upgrade-name', '--upgrade-name', [CompletionResultType]::ParameterName, 'The upgrade''s name (a folder name: no `/`, no `..`)')
            [CompletionResult]::new('--upgrade-time', '--upgrade-time', [CompletionResultType]::ParameterName, 'When to upgrade (RFC 3339)')
            [CompletionResult]::new('--upgrade-delay', '--upgrade-delay', [CompletionResultType]::ParameterName, 'How long from now to upgrade (e.g. 10m)')
            [CompletionResult]::new('--publish-date', '--publish-date', [CompletionResultType]::ParameterName, 'The publish date to record (RFC 3339; default now)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'o')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing binary or upgrade-info.json')
            [CompletionResult]::new('--add-binary', '--add-binary', [CompletionResultType]::ParameterName, 'Only attach the binary to an upgrade already queued')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Upgrade right away (within a second of a running nymvisor noticing)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;config' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'o')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;status' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'How often `--watch` looks, e.g. 500ms or 2s')
            [CompletionResult]::new('--probe', '--probe', [CompletionResultType]::ParameterName, 'Print nothing but a one-line reason on failure, and exit 0 when the condition holds (for Kubernetes exec probes and scripts): `live` (a visor runs on the home) or `ready` (its node runs)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Keep showing the status as it changes (on a terminal, redrawn; otherwise one document per change), until interrupted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;build-info' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'o')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;backup' {
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Lists the backups, newest first, with their size, age, release and whether they are verified')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Reads a backup back and compares every file with its manifest')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nymvisor;backup;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;backup;verify' {
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;backup;restore' {
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;backup;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Lists the backups, newest first, with their size, age, release and whether they are verified')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Reads a backup back and compares every file with its manifest')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nymvisor;backup;help;list' {
            break
        }
        'nymvisor;backup;help;verify' {
            break
        }
        'nymvisor;backup;help;restore' {
            break
        }
        'nymvisor;backup;help;help' {
            break
        }
        'nymvisor;daemon-build-info' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'o')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;completions' {
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The visor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the visor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Initialise an instance for a daemon binary')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the daemon with the given arguments, and upgrade it as planned')
            [CompletionResult]::new('add-upgrade', 'add-upgrade', [CompletionResultType]::ParameterValue, 'Queue an upgrade by hand, or attach a binary to a queued one')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the configuration in use (after the environment overrides)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what runs, the queued upgrade and the last switch (or watch it, or probe it)')
            [CompletionResult]::new('build-info', 'build-info', [CompletionResultType]::ParameterValue, 'Show nymvisor''s build information')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'List, verify or restore the backups taken before upgrades')
            [CompletionResult]::new('daemon-build-info', 'daemon-build-info', [CompletionResultType]::ParameterValue, 'Show the build information of the daemon''s current binary')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nymvisor;help;init' {
            break
        }
        'nymvisor;help;run' {
            break
        }
        'nymvisor;help;add-upgrade' {
            break
        }
        'nymvisor;help;config' {
            break
        }
        'nymvisor;help;status' {
            break
        }
        'nymvisor;help;build-info' {
            break
        }
        'nymvisor;help;backup' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Lists the backups, newest first, with their size, age, release and whether they are verified')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Reads a backup back and compares every file with its manifest')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data')
            break
        }
        'nymvisor;help;backup;list' {
            break
        }
        'nymvisor;help;backup;verify' {
            break
        }
        'nymvisor;help;backup;restore' {
            break
        }
        'nymvisor;help;daemon-build-info' {
            break
        }
        'nymvisor;help;completions' {
            break
        }
        'nymvisor;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
