
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'visor' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'visor'
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
        'visor' {
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create a new home folder with commented configuration files')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the node of a home folder and upgrade it when the core is ready')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what runs, the announced upgrade and the last switch (or watch it, or probe it)')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what will happen next: the release that runs, the announced upgrade, its trigger and release folder (`plan cancel` explains why Vega upgrades cannot be cancelled here)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check a home without running it: configuration, current release, binaries and their versions, the core''s admin socket, the announced upgrade''s release')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'List, verify or restore the backups taken before switches (`[backup]` in config.toml)')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the version')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'visor;init' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'The home folder to create (must not exist, or be empty)')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('--with-data-node', '--with-data-node', [CompletionResultType]::ParameterName, 'Also configure a data node')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'visor;run' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'The home folder')
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'Serve Prometheus metrics on this address (a port alone listens on 127.0.0.1); overrides `[metrics] listen` in config.toml')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'visor;status' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'The home folder')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'How often `--watch` looks, e.g. 500ms or 2s')
            [CompletionResult]::new('--probe', '--probe', [CompletionResultType]::ParameterName, 'Print nothing but a one-line reason on failure, and exit 0 when the condition holds (for Kubernetes exec probes and scripts): `live` (a visor runs on the home) or `ready` (its node runs)')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Keep showing the status as it changes (on a terminal, redrawn; otherwise one document per change), until interrupted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'visor;plan' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'The home folder (required; before or after the subcommand)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the release that runs and each upgrade planned, with its trigger and release')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'visor;plan;list' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'The home folder (required; before or after the subcommand)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'visor;plan;cancel' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'The home folder (required; before or after the subcommand)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'visor;plan;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the release that runs and each upgrade planned, with its trigger and release')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'visor;plan;help;list' {
            break
        }
        'visor;plan;help;cancel' {
            break
        }
        'visor;plan;help;help' {
            break
        }
        'visor;check' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'The home folder')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'visor;backup' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'The home folder (required; before or after the subcommand)')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Lists the backups, newest first, with their size, age, release and whether they are verified')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Reads a backup back and compares every file with its manifest')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'visor;backup;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'The home folder (required; before or after the subcommand)')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'visor;backup;verify' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'The home folder (required; before or after the subcommand)')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'visor;backup;restore' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'The home folder (required; before or after the subcommand)')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'visor;backup;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Lists the backups, newest first, with their size, age, release and whether they are verified')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Reads a backup back and compares every file with its manifest')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'visor;backup;help;list' {
            break
        }
        'visor;backup;help;verify' {
            break
        }
        'visor;backup;help;restore' {
            break
        }
        'visor;backup;help;help' {
            break
        }
        'visor;version' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'visor;completions' {
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level (error, warn, info, debug, trace); RUST_LOG overrides it')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'The supervisor''s own log lines: readable text (colour on a terminal), or one JSON object per line [env: VISOR_LOG_FORMAT]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also write the supervisor''s own log lines (never the node''s output) to this file, rotated by size [env: VISOR_LOG_FILE]')
            [CompletionResult]::new('--log-file-max-size', '--log-file-max-size', [CompletionResultType]::ParameterName, 'Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB] [env: VISOR_LOG_FILE_MAX_SIZE]')
            [CompletionResult]::new('--log-file-keep', '--log-file-keep', [CompletionResultType]::ParameterName, 'How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5] [env: VISOR_LOG_FILE_KEEP]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'visor;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create a new home folder with commented configuration files')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the node of a home folder and upgrade it when the core is ready')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what runs, the announced upgrade and the last switch (or watch it, or probe it)')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what will happen next: the release that runs, the announced upgrade, its trigger and release folder (`plan cancel` explains why Vega upgrades cannot be cancelled here)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check a home without running it: configuration, current release, binaries and their versions, the core''s admin socket, the announced upgrade''s release')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'List, verify or restore the backups taken before switches (`[backup]` in config.toml)')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the version')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'visor;help;init' {
            break
        }
        'visor;help;run' {
            break
        }
        'visor;help;status' {
            break
        }
        'visor;help;plan' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the release that runs and each upgrade planned, with its trigger and release')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)')
            break
        }
        'visor;help;plan;list' {
            break
        }
        'visor;help;plan;cancel' {
            break
        }
        'visor;help;check' {
            break
        }
        'visor;help;backup' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Lists the backups, newest first, with their size, age, release and whether they are verified')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Reads a backup back and compares every file with its manifest')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data')
            break
        }
        'visor;help;backup;list' {
            break
        }
        'visor;help;backup;verify' {
            break
        }
        'visor;help;backup;restore' {
            break
        }
        'visor;help;version' {
            break
        }
        'visor;help;completions' {
            break
        }
        'visor;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
