
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'cosmovisor' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'cosmovisor'
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
        'cosmovisor' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--cosmovisor-config', '--cosmovisor-config', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print cosmovisor''s version (no configuration needed; `version` adds the app''s)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the app with the given arguments and upgrade it at its upgrade heights')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create $DAEMON_HOME/cosmovisor with this binary as genesis')
            [CompletionResult]::new('add-upgrade', 'add-upgrade', [CompletionResultType]::ParameterValue, 'Add an upgrade''s binary, and with a height plan it as a manual upgrade')
            [CompletionResult]::new('add-batch-upgrade', 'add-batch-upgrade', [CompletionResultType]::ParameterValue, 'Add several manual upgrades: their binaries and heights')
            [CompletionResult]::new('prepare-upgrade', 'prepare-upgrade', [CompletionResultType]::ParameterValue, 'Download and verify the binary of the chain''s planned upgrade now (asks the node''s gRPC)')
            [CompletionResult]::new('show-upgrade-info', 'show-upgrade-info', [CompletionResultType]::ParameterValue, 'Print data/upgrade-info.json')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the configuration in use and the folders derived from it')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what runs, what is planned and staged, and the last switch (or watch it, or probe it)')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'List, verify or restore the backups of data/ taken before switches')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what will happen next: the current release, each planned upgrade, its height and binary; or cancel a manual upgrade')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the configuration, folders, binaries, plan files and the node''s RPC and gRPC without running the app')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print cosmovisor''s version, then the app''s')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cosmovisor;run' {
            [CompletionResult]::new('--cosmovisor-config', '--cosmovisor-config', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            break
        }
        'cosmovisor;init' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--cosmovisor-config', '--cosmovisor-config', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cosmovisor;add-upgrade' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--cosmovisor-config', '--cosmovisor-config', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--upgrade-height', '--upgrade-height', [CompletionResultType]::ParameterName, 'Also write data/upgrade-info.json: the upgrade is applied when the chain reaches HEIGHT')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace the binary, and a pending data/upgrade-info.json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cosmovisor;add-batch-upgrade' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--cosmovisor-config', '--cosmovisor-config', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--upgrade-list', '--upgrade-list', [CompletionResultType]::ParameterName, 'The upgrades, comma-separated')
            [CompletionResult]::new('--upgrade-file', '--upgrade-file', [CompletionResultType]::ParameterName, 'A CSV file without a header: name,binary,height per line')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cosmovisor;prepare-upgrade' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--cosmovisor-config', '--cosmovisor-config', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cosmovisor;show-upgrade-info' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--cosmovisor-config', '--cosmovisor-config', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cosmovisor;config' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--cosmovisor-config', '--cosmovisor-config', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cosmovisor;status' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'How often `--watch` looks, e.g. 500ms or 2s')
            [CompletionResult]::new('--probe', '--probe', [CompletionResultType]::ParameterName, 'Print nothing but a one-line reason on failure, and exit 0 when the condition holds (for Kubernetes exec probes and scripts): `live` (a visor runs on the home) or `ready` (its node runs)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--cosmovisor-config', '--cosmovisor-config', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Keep showing the status as it changes (on a terminal, redrawn; otherwise one document per change), until interrupted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'cosmovisor;backup' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--cosmovisor-config', '--cosmovisor-config', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Lists the backups, newest first, with their size, age, release and whether they are verified')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Reads a backup back and compares every file with its manifest')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cosmovisor;backup;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'cosmovisor;backup;verify' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cosmovisor;backup;restore' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cosmovisor;backup;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Lists the backups, newest first, with their size, age, release and whether they are verified')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Reads a backup back and compares every file with its manifest')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cosmovisor;backup;help;list' {
            break
        }
        'cosmovisor;backup;help;verify' {
            break
        }
        'cosmovisor;backup;help;restore' {
            break
        }
        'cosmovisor;backup;help;help' {
            break
        }
        'cosmovisor;plan' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--cosmovisor-config', '--cosmovisor-config', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the release that runs and each upgrade planned, with its trigger and release')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cosmovisor;plan;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'cosmovisor;plan;cancel' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'cosmovisor;plan;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the release that runs and each upgrade planned, with its trigger and release')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cosmovisor;plan;help;list' {
            break
        }
        'cosmovisor;plan;help;cancel' {
            break
        }
        'cosmovisor;plan;help;help' {
            break
        }
        'cosmovisor;check' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--cosmovisor-config', '--cosmovisor-config', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cosmovisor;version' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('--cosmovisor-config', '--cosmovisor-config', [CompletionResultType]::ParameterName, 'Read the configuration from this TOML file; the environment overrides it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print')
            [CompletionResult]::new('--cosmovisor-only', '--cosmovisor-only', [CompletionResultType]::ParameterName, 'Print cosmovisor''s version only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'cosmovisor;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'cosmovisor;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the app with the given arguments and upgrade it at its upgrade heights')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create $DAEMON_HOME/cosmovisor with this binary as genesis')
            [CompletionResult]::new('add-upgrade', 'add-upgrade', [CompletionResultType]::ParameterValue, 'Add an upgrade''s binary, and with a height plan it as a manual upgrade')
            [CompletionResult]::new('add-batch-upgrade', 'add-batch-upgrade', [CompletionResultType]::ParameterValue, 'Add several manual upgrades: their binaries and heights')
            [CompletionResult]::new('prepare-upgrade', 'prepare-upgrade', [CompletionResultType]::ParameterValue, 'Download and verify the binary of the chain''s planned upgrade now (asks the node''s gRPC)')
            [CompletionResult]::new('show-upgrade-info', 'show-upgrade-info', [CompletionResultType]::ParameterValue, 'Print data/upgrade-info.json')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the configuration in use and the folders derived from it')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what runs, what is planned and staged, and the last switch (or watch it, or probe it)')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'List, verify or restore the backups of data/ taken before switches')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what will happen next: the current release, each planned upgrade, its height and binary; or cancel a manual upgrade')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the configuration, folders, binaries, plan files and the node''s RPC and gRPC without running the app')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print cosmovisor''s version, then the app''s')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cosmovisor;help;run' {
            break
        }
        'cosmovisor;help;init' {
            break
        }
        'cosmovisor;help;add-upgrade' {
            break
        }
        'cosmovisor;help;add-batch-upgrade' {
            break
        }
        'cosmovisor;help;prepare-upgrade' {
            break
        }
        'cosmovisor;help;show-upgrade-info' {
            break
        }
        'cosmovisor;help;config' {
            break
        }
        'cosmovisor;help;status' {
            break
        }
        'cosmovisor;help;backup' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Lists the backups, newest first, with their size, age, release and whether they are verified')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Reads a backup back and compares every file with its manifest')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data')
            break
        }
        'cosmovisor;help;backup;list' {
            break
        }
        'cosmovisor;help;backup;verify' {
            break
        }
        'cosmovisor;help;backup;restore' {
            break
        }
        'cosmovisor;help;plan' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the release that runs and each upgrade planned, with its trigger and release')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)')
            break
        }
        'cosmovisor;help;plan;list' {
            break
        }
        'cosmovisor;help;plan;cancel' {
            break
        }
        'cosmovisor;help;check' {
            break
        }
        'cosmovisor;help;version' {
            break
        }
        'cosmovisor;help;completions' {
            break
        }
        'cosmovisor;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
