# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_cosmovisor_global_optspecs
    string join \n c/cosmovisor-config= version h/help
end

function __fish_cosmovisor_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_cosmovisor_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_cosmovisor_using_subcommand
    set -l cmd (__fish_cosmovisor_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -s c -l cosmovisor-config -d 'Read the configuration from this TOML file; the environment overrides it' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -l version -d 'Print cosmovisor\'s version (no configuration needed; `version` adds the app\'s)'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "run" -d 'Run the app with the given arguments and upgrade it at its upgrade heights'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "init" -d 'Create $DAEMON_HOME/cosmovisor with this binary as genesis'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "add-upgrade" -d 'Add an upgrade\'s binary, and with a height plan it as a manual upgrade'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "add-batch-upgrade" -d 'Add several manual upgrades: their binaries and heights'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "prepare-upgrade" -d 'Download and verify the binary of the chain\'s planned upgrade now (asks the node\'s gRPC)'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "show-upgrade-info" -d 'Print data/upgrade-info.json'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "config" -d 'Print the configuration in use and the folders derived from it'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "status" -d 'Show what runs, what is planned and staged, and the last switch (or watch it, or probe it)'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "backup" -d 'List, verify or restore the backups of data/ taken before switches'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "plan" -d 'Show what will happen next: the current release, each planned upgrade, its height and binary; or cancel a manual upgrade'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "check" -d 'Check the configuration, folders, binaries, plan files and the node\'s RPC and gRPC without running the app'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "version" -d 'Print cosmovisor\'s version, then the app\'s'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "completions" -d 'Print the completion script for a shell'
complete -c cosmovisor -n "__fish_cosmovisor_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand run" -l cosmovisor-config -d 'Read the configuration from this TOML file; the environment overrides it' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand init" -s c -l cosmovisor-config -d 'Read the configuration from this TOML file; the environment overrides it' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand init" -s h -l help -d 'Print help'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand add-upgrade" -s c -l cosmovisor-config -d 'Read the configuration from this TOML file; the environment overrides it' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand add-upgrade" -l upgrade-height -d 'Also write data/upgrade-info.json: the upgrade is applied when the chain reaches HEIGHT' -r
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand add-upgrade" -l force -d 'Replace the binary, and a pending data/upgrade-info.json'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand add-upgrade" -s h -l help -d 'Print help'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand add-batch-upgrade" -s c -l cosmovisor-config -d 'Read the configuration from this TOML file; the environment overrides it' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand add-batch-upgrade" -l upgrade-list -d 'The upgrades, comma-separated' -r
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand add-batch-upgrade" -l upgrade-file -d 'A CSV file without a header: name,binary,height per line' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand add-batch-upgrade" -s h -l help -d 'Print help'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand prepare-upgrade" -s c -l cosmovisor-config -d 'Read the configuration from this TOML file; the environment overrides it' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand prepare-upgrade" -s h -l help -d 'Print help'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand show-upgrade-info" -s c -l cosmovisor-config -d 'Read the configuration from this TOML file; the environment overrides it' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand show-upgrade-info" -s h -l help -d 'Print help'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand config" -s c -l cosmovisor-config -d 'Read the configuration from this TOML file; the environment overrides it' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand config" -s h -l help -d 'Print help'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand status" -l interval -d 'How often `--watch` looks, e.g. 500ms or 2s' -r
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand status" -l probe -d 'Print nothing but a one-line reason on failure, and exit 0 when the condition holds (for Kubernetes exec probes and scripts): `live` (a visor runs on the home) or `ready` (its node runs)' -r -f -a "live\t'The supervisor runs on the home (its process is alive and has not stopped)'
ready\t'The node runs under it: a readiness probe'"
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand status" -s c -l cosmovisor-config -d 'Read the configuration from this TOML file; the environment overrides it' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand status" -l watch -d 'Keep showing the status as it changes (on a terminal, redrawn; otherwise one document per change), until interrupted'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -s c -l cosmovisor-config -d 'Read the configuration from this TOML file; the environment overrides it' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -s h -l help -d 'Print help'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "list" -d 'Lists the backups, newest first, with their size, age, release and whether they are verified'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "verify" -d 'Reads a backup back and compares every file with its manifest'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "restore" -d 'Puts a backup\'s data back in place of the node\'s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and not __fish_seen_subcommand_from list verify restore help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and __fish_seen_subcommand_from list" -s o -l output -d 'How to print' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "list" -d 'Lists the backups, newest first, with their size, age, release and whether they are verified'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Reads a backup back and compares every file with its manifest'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Puts a backup\'s data back in place of the node\'s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -s c -l cosmovisor-config -d 'Read the configuration from this TOML file; the environment overrides it' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -f -a "list" -d 'Show the release that runs and each upgrade planned, with its trigger and release'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -f -a "cancel" -d 'Remove a planned upgrade, so it is not applied (where the face\'s plan allows it)'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand plan; and not __fish_seen_subcommand_from list cancel help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand plan; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand plan; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -s o -l output -d 'Output format' -r -f -a "text\t'For people (`human` is accepted too)'
json\t'One JSON document'"
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand plan; and __fish_seen_subcommand_from cancel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "list" -d 'Show the release that runs and each upgrade planned, with its trigger and release'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "cancel" -d 'Remove a planned upgrade, so it is not applied (where the face\'s plan allows it)'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand check" -s c -l cosmovisor-config -d 'Read the configuration from this TOML file; the environment overrides it' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand check" -s o -l output -d 'How to print' -r -f -a "text\t''
json\t''"
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand check" -s h -l help -d 'Print help'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand version" -s c -l cosmovisor-config -d 'Read the configuration from this TOML file; the environment overrides it' -r -F
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand version" -s o -l output -d 'How to print' -r -f -a "text\t''
json\t''"
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand version" -l cosmovisor-only -d 'Print cosmovisor\'s version only'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand version" -s h -l help -d 'Print help'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "run" -d 'Run the app with the given arguments and upgrade it at its upgrade heights'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "init" -d 'Create $DAEMON_HOME/cosmovisor with this binary as genesis'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "add-upgrade" -d 'Add an upgrade\'s binary, and with a height plan it as a manual upgrade'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "add-batch-upgrade" -d 'Add several manual upgrades: their binaries and heights'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "prepare-upgrade" -d 'Download and verify the binary of the chain\'s planned upgrade now (asks the node\'s gRPC)'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "show-upgrade-info" -d 'Print data/upgrade-info.json'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "config" -d 'Print the configuration in use and the folders derived from it'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "status" -d 'Show what runs, what is planned and staged, and the last switch (or watch it, or probe it)'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "backup" -d 'List, verify or restore the backups of data/ taken before switches'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "plan" -d 'Show what will happen next: the current release, each planned upgrade, its height and binary; or cancel a manual upgrade'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "check" -d 'Check the configuration, folders, binaries, plan files and the node\'s RPC and gRPC without running the app'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "version" -d 'Print cosmovisor\'s version, then the app\'s'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "completions" -d 'Print the completion script for a shell'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and not __fish_seen_subcommand_from run init add-upgrade add-batch-upgrade prepare-upgrade show-upgrade-info config status backup plan check version completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "list" -d 'Lists the backups, newest first, with their size, age, release and whether they are verified'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "verify" -d 'Reads a backup back and compares every file with its manifest'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "restore" -d 'Puts a backup\'s data back in place of the node\'s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "list" -d 'Show the release that runs and each upgrade planned, with its trigger and release'
complete -c cosmovisor -n "__fish_cosmovisor_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "cancel" -d 'Remove a planned upgrade, so it is not applied (where the face\'s plan allows it)'
