
use builtin;
use str;

set edit:completion:arg-completer[cosmovisor] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'cosmovisor'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'cosmovisor'= {
            cand -c 'Read the configuration from this TOML file; the environment overrides it'
            cand --cosmovisor-config 'Read the configuration from this TOML file; the environment overrides it'
            cand --version 'Print cosmovisor''s version (no configuration needed; `version` adds the app''s)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand run 'Run the app with the given arguments and upgrade it at its upgrade heights'
            cand init 'Create $DAEMON_HOME/cosmovisor with this binary as genesis'
            cand add-upgrade 'Add an upgrade''s binary, and with a height plan it as a manual upgrade'
            cand add-batch-upgrade 'Add several manual upgrades: their binaries and heights'
            cand prepare-upgrade 'Download and verify the binary of the chain''s planned upgrade now (asks the node''s gRPC)'
            cand show-upgrade-info 'Print data/upgrade-info.json'
            cand config 'Print the configuration in use and the folders derived from it'
            cand status 'Show what runs, what is planned and staged, and the last switch (or watch it, or probe it)'
            cand backup 'List, verify or restore the backups of data/ taken before switches'
            cand plan 'Show what will happen next: the current release, each planned upgrade, its height and binary; or cancel a manual upgrade'
            cand check 'Check the configuration, folders, binaries, plan files and the node''s RPC and gRPC without running the app'
            cand version 'Print cosmovisor''s version, then the app''s'
            cand completions 'Print the completion script for a shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cosmovisor;run'= {
            cand --cosmovisor-config 'Read the configuration from this TOML file; the environment overrides it'
        }
        &'cosmovisor;init'= {
            cand -c 'Read the configuration from this TOML file; the environment overrides it'
            cand --cosmovisor-config 'Read the configuration from this TOML file; the environment overrides it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cosmovisor;add-upgrade'= {
            cand -c 'Read the configuration from this TOML file; the environment overrides it'
            cand --cosmovisor-config 'Read the configuration from this TOML file; the environment overrides it'
            cand --upgrade-height 'Also write data/upgrade-info.json: the upgrade is applied when the chain reaches HEIGHT'
            cand --force 'Replace the binary, and a pending data/upgrade-info.json'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cosmovisor;add-batch-upgrade'= {
            cand -c 'Read the configuration from this TOML file; the environment overrides it'
            cand --cosmovisor-config 'Read the configuration from this TOML file; the environment overrides it'
            cand --upgrade-list 'The upgrades, comma-separated'
            cand --upgrade-file 'A CSV file without a header: name,binary,height per line'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cosmovisor;prepare-upgrade'= {
            cand -c 'Read the configuration from this TOML file; the environment overrides it'
            cand --cosmovisor-config 'Read the configuration from this TOML file; the environment overrides it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cosmovisor;show-upgrade-info'= {
            cand -c 'Read the configuration from this TOML file; the environment overrides it'
            cand --cosmovisor-config 'Read the configuration from this TOML file; the environment overrides it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cosmovisor;config'= {
            cand -c 'Read the configuration from this TOML file; the environment overrides it'
            cand --cosmovisor-config 'Read the configuration from this TOML file; the environment overrides it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cosmovisor;status'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --interval 'How often `--watch` looks, e.g. 500ms or 2s'
            cand --probe 'Print nothing but a one-line reason on failure, and exit 0 when the condition holds (for Kubernetes exec probes and scripts): `live` (a visor runs on the home) or `ready` (its node runs)'
            cand -c 'Read the configuration from this TOML file; the environment overrides it'
            cand --cosmovisor-config 'Read the configuration from this TOML file; the environment overrides it'
            cand --watch 'Keep showing the status as it changes (on a terminal, redrawn; otherwise one document per change), until interrupted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'cosmovisor;backup'= {
            cand -c 'Read the configuration from this TOML file; the environment overrides it'
            cand --cosmovisor-config 'Read the configuration from this TOML file; the environment overrides it'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'Lists the backups, newest first, with their size, age, release and whether they are verified'
            cand verify 'Reads a backup back and compares every file with its manifest'
            cand restore 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cosmovisor;backup;list'= {
            cand -o 'How to print'
            cand --output 'How to print'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'cosmovisor;backup;verify'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cosmovisor;backup;restore'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cosmovisor;backup;help'= {
            cand list 'Lists the backups, newest first, with their size, age, release and whether they are verified'
            cand verify 'Reads a backup back and compares every file with its manifest'
            cand restore 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cosmovisor;backup;help;list'= {
        }
        &'cosmovisor;backup;help;verify'= {
        }
        &'cosmovisor;backup;help;restore'= {
        }
        &'cosmovisor;backup;help;help'= {
        }
        &'cosmovisor;plan'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand -c 'Read the configuration from this TOML file; the environment overrides it'
            cand --cosmovisor-config 'Read the configuration from this TOML file; the environment overrides it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand list 'Show the release that runs and each upgrade planned, with its trigger and release'
            cand cancel 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cosmovisor;plan;list'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'cosmovisor;plan;cancel'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'cosmovisor;plan;help'= {
            cand list 'Show the release that runs and each upgrade planned, with its trigger and release'
            cand cancel 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cosmovisor;plan;help;list'= {
        }
        &'cosmovisor;plan;help;cancel'= {
        }
        &'cosmovisor;plan;help;help'= {
        }
        &'cosmovisor;check'= {
            cand -c 'Read the configuration from this TOML file; the environment overrides it'
            cand --cosmovisor-config 'Read the configuration from this TOML file; the environment overrides it'
            cand -o 'How to print'
            cand --output 'How to print'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cosmovisor;version'= {
            cand -c 'Read the configuration from this TOML file; the environment overrides it'
            cand --cosmovisor-config 'Read the configuration from this TOML file; the environment overrides it'
            cand -o 'How to print'
            cand --output 'How to print'
            cand --cosmovisor-only 'Print cosmovisor''s version only'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'cosmovisor;completions'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'cosmovisor;help'= {
            cand run 'Run the app with the given arguments and upgrade it at its upgrade heights'
            cand init 'Create $DAEMON_HOME/cosmovisor with this binary as genesis'
            cand add-upgrade 'Add an upgrade''s binary, and with a height plan it as a manual upgrade'
            cand add-batch-upgrade 'Add several manual upgrades: their binaries and heights'
            cand prepare-upgrade 'Download and verify the binary of the chain''s planned upgrade now (asks the node''s gRPC)'
            cand show-upgrade-info 'Print data/upgrade-info.json'
            cand config 'Print the configuration in use and the folders derived from it'
            cand status 'Show what runs, what is planned and staged, and the last switch (or watch it, or probe it)'
            cand backup 'List, verify or restore the backups of data/ taken before switches'
            cand plan 'Show what will happen next: the current release, each planned upgrade, its height and binary; or cancel a manual upgrade'
            cand check 'Check the configuration, folders, binaries, plan files and the node''s RPC and gRPC without running the app'
            cand version 'Print cosmovisor''s version, then the app''s'
            cand completions 'Print the completion script for a shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cosmovisor;help;run'= {
        }
        &'cosmovisor;help;init'= {
        }
        &'cosmovisor;help;add-upgrade'= {
        }
        &'cosmovisor;help;add-batch-upgrade'= {
        }
        &'cosmovisor;help;prepare-upgrade'= {
        }
        &'cosmovisor;help;show-upgrade-info'= {
        }
        &'cosmovisor;help;config'= {
        }
        &'cosmovisor;help;status'= {
        }
        &'cosmovisor;help;backup'= {
            cand list 'Lists the backups, newest first, with their size, age, release and whether they are verified'
            cand verify 'Reads a backup back and compares every file with its manifest'
            cand restore 'Puts a backup''s data back in place of the node''s data (the visor must be stopped). The data it replaces is kept beside it until the node has run on the restored data'
        }
        &'cosmovisor;help;backup;list'= {
        }
        &'cosmovisor;help;backup;verify'= {
        }
        &'cosmovisor;help;backup;restore'= {
        }
        &'cosmovisor;help;plan'= {
            cand list 'Show the release that runs and each upgrade planned, with its trigger and release'
            cand cancel 'Remove a planned upgrade, so it is not applied (where the face''s plan allows it)'
        }
        &'cosmovisor;help;plan;list'= {
        }
        &'cosmovisor;help;plan;cancel'= {
        }
        &'cosmovisor;help;check'= {
        }
        &'cosmovisor;help;version'= {
        }
        &'cosmovisor;help;completions'= {
        }
        &'cosmovisor;help;help'= {
        }
    ]
    $completions[$command]
}
