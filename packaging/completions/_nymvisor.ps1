
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
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
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
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what will happen next: the current release and each queued upgrade, its time and binary; or cancel a queued upgrade (`plan cancel <name>`)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the instance without running the daemon: configuration, files, binaries and their build information, queued upgrades, the upstream')
            [CompletionResult]::new('build-info', 'build-info', [CompletionResultType]::ParameterValue, 'Show nymvisor''s build information')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'List, verify or restore the backups taken before upgrades')
            [CompletionResult]::new('daemon-build-info', 'daemon-build-info', [CompletionResultType]::ParameterValue, 'Show the build information of the daemon''s current binary')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nymvisor;init' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Name of this instance [default: <daemon name>-default] (NYMVISOR_ID)')
            [CompletionResult]::new('--upstream-base-upgrade-url', '--upstream-base-upgrade-url', [CompletionResultType]::ParameterName, 'Base of the upstream that announces upgrades: <base>/<daemon name>/upgrade-info.json [default: https://nymtech.net/.wellknown/] (NYMVISOR_UPSTREAM_BASE_UPGRADE_URL)')
            [CompletionResult]::new('--upstream-polling-rate', '--upstream-polling-rate', [CompletionResultType]::ParameterName, 'How often the upstream is asked, e.g. 1h or 30m [default: 1h] (NYMVISOR_UPSTREAM_POLLING_RATE)')
            [CompletionResult]::new('--upgrade-data-directory', '--upgrade-data-directory', [CompletionResultType]::ParameterName, 'Folder for the upgrade data (binaries, plan, history); the daemon''s own folder is made inside it [default: ~/.nym/nymvisors/data] (NYMVISOR_UPGRADE_DATA_DIRECTORY)')
            [CompletionResult]::new('--daemon-home', '--daemon-home', [CompletionResultType]::ParameterName, 'The daemon''s home folder, backed up before each upgrade; required unless DAEMON_HOME is set. Created (and said so) if it does not exist')
            [CompletionResult]::new('--daemon-absolute-upstream-upgrade-url', '--daemon-absolute-upstream-upgrade-url', [CompletionResultType]::ParameterName, 'A full upstream address, used instead of the base above (DAEMON_ABSOLUTE_UPSTREAM_UPGRADE_URL)')
            [CompletionResult]::new('--allow-download-upgrade-binaries', '--allow-download-upgrade-binaries', [CompletionResultType]::ParameterName, 'Download the binaries of announced upgrades, ahead of their time [default: true] (DAEMON_ALLOW_BINARIES_DOWNLOAD)')
            [CompletionResult]::new('--enforce-download-checksum', '--enforce-download-checksum', [CompletionResultType]::ParameterName, 'Refuse to download a binary whose upgrade publishes no checksum [default: true] (DAEMON_ENFORCE_DOWNLOAD_CHECKSUM)')
            [CompletionResult]::new('--restart-daemon-after-upgrade', '--restart-daemon-after-upgrade', [CompletionResultType]::ParameterName, 'Start the new binary after an upgrade; false: nymvisor exits after the switch [default: true] (DAEMON_RESTART_AFTER_UPGRADE)')
            [CompletionResult]::new('--on-failure-daemon-restart-delay', '--on-failure-daemon-restart-delay', [CompletionResultType]::ParameterName, 'Wait this long before such a restart, e.g. 10s [default: 10s] (DAEMON_FAILURE_RESTART_DELAY)')
            [CompletionResult]::new('--max-daemon-startup-failures', '--max-daemon-startup-failures', [CompletionResultType]::ParameterName, 'Failures within the startup period after which nymvisor gives up (right after an upgrade: rolls back to the previous binary) [default: 10] (DAEMON_MAX_STARTUP_FAILURES)')
            [CompletionResult]::new('--startup-period-duration', '--startup-period-duration', [CompletionResultType]::ParameterName, 'How long after a start a failure counts towards that limit [default: 2m] (DAEMON_STARTUP_PERIOD_DURATION)')
            [CompletionResult]::new('--daemon-shutdown-grace-period', '--daemon-shutdown-grace-period', [CompletionResultType]::ParameterName, 'Time the daemon gets to stop after SIGINT before SIGKILL [default: 10s] (DAEMON_SHUTDOWN_GRACE_PERIOD)')
            [CompletionResult]::new('--daemon-backup-data-directory', '--daemon-backup-data-directory', [CompletionResultType]::ParameterName, 'Folder for the backups taken before upgrades [default: <daemon home>/nymvisor/backups] (DAEMON_BACKUP_DATA_DIRECTORY)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Format of the configuration printed at the end (text adds the next steps)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Format of the configuration printed at the end (text adds the next steps)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('--disable-nymvisor-logs', '--disable-nymvisor-logs', [CompletionResultType]::ParameterName, 'Turn nymvisor''s own logs off; the daemon''s output is unaffected (NYMVISOR_DISABLE_LOGS)')
            [CompletionResult]::new('--restart-daemon-on-failure', '--restart-daemon-on-failure', [CompletionResultType]::ParameterName, 'Restart the daemon when it stops unexpectedly (on by default here; the flag is kept for Nymvisor''s command lines) (DAEMON_RESTART_ON_FAILURE)')
            [CompletionResult]::new('--unsafe-skip-backup', '--unsafe-skip-backup', [CompletionResultType]::ParameterName, 'Upgrade without backing up the daemon''s home first (DAEMON_UNSAFE_SKIP_BACKUP)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;run' {
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'Serve Prometheus metrics on this address (a port alone listens on 127.0.0.1); overrides `metrics_listen` in the [nymvisor] section of the config file')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;add-upgrade' {
            [CompletionResult]::new('--upgrade-name', '--upgrade-name', [CompletionResultType]::ParameterName, 'The upgrade''s name (a folder name: no `/`, no `..`)')
            [CompletionResult]::new('--upgrade-time', '--upgrade-time', [CompletionResultType]::ParameterName, 'When to upgrade: an RFC 3339 time with its offset, e.g. 2026-12-08T12:00:00Z (default: 15 minutes from now)')
            [CompletionResult]::new('--upgrade-delay', '--upgrade-delay', [CompletionResultType]::ParameterName, 'How long from now to upgrade, e.g. 10m or 2h 30m')
            [CompletionResult]::new('--publish-date', '--publish-date', [CompletionResultType]::ParameterName, 'The publish date to record: an RFC 3339 time, e.g. 2026-12-01T09:00:00Z (default: now)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of the upgrade added')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the upgrade added')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
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
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Keep showing the status as it changes (on a terminal, redrawn; otherwise one document per change), until interrupted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;plan' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the release that runs and each upgrade planned, with its trigger and release')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nymvisor;plan;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;plan;cancel' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;plan;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the release that runs and each upgrade planned, with its trigger and release')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nymvisor;plan;help;list' {
            break
        }
        'nymvisor;plan;help;cancel' {
            break
        }
        'nymvisor;plan;help;help' {
            break
        }
        'nymvisor;check' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;build-info' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;backup' {
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
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
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;backup;verify' {
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;backup;restore' {
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: NYMVISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: NYMVISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nymvisor;completions' {
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: NYMVISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: NYMVISOR_LOG_FILE]')
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
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what will happen next: the current release and each queued upgrade, its time and binary; or cancel a queued upgrade (`plan cancel <name>`)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the instance without running the daemon: configuration, files, binaries and their build information, queued upgrades, the upstream')
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
        'nymvisor;help;plan' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the release that runs and each upgrade planned, with its trigger and release')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)')
            break
        }
        'nymvisor;help;plan;list' {
            break
        }
        'nymvisor;help;plan;cancel' {
            break
        }
        'nymvisor;help;check' {
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
