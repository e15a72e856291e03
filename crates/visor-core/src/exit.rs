//! The visor's exit codes: distinct, so a service manager can tell the ways a run ends apart.

/// How a visor run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exit {
    /// Stopped by a signal after stopping the node in order.
    Clean,
    /// A failure the visor did not expect (a bug or an I/O error on its own state).
    Internal,
    /// A configuration file is invalid; nothing was started.
    Config,
    /// The node kept failing and the restart budget is spent.
    RestartBudget,
    /// The node's admin endpoint stayed unreachable beyond the connection budget.
    Unreachable,
    /// An upgrade could not be carried out.
    UpgradeFailed,
    /// Another visor holds this home's lock.
    Locked,
    /// A probe's condition does not hold (`status --probe`: no visor runs, or the node is not
    /// running yet).
    NotReady,
    /// The node ended by itself with this status, and the face ends the run with it
    /// (Cosmovisor's way: the node's own code reaches the service manager).
    Node(u8),
}

impl Exit {
    /// The process exit code. 2 is left to the command-line parser (usage errors).
    pub fn code(self) -> u8 {
        match self {
            Self::Clean => 0,
            Self::Internal => 1,
            Self::Config => 3,
            Self::RestartBudget => 4,
            Self::Unreachable => 5,
            Self::UpgradeFailed => 6,
            Self::Locked => 7,
            Self::NotReady => 8,
            Self::Node(code) => code,
        }
    }
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Self::Node(code) = self {
            return write!(f, "the node exited with status {code}");
        }
        let text = match self {
            Self::Clean => "clean shutdown",
            Self::Internal => "internal error",
            Self::Config => "configuration error",
            Self::RestartBudget => "restart budget exhausted",
            Self::Unreachable => "admin endpoint unreachable",
            Self::UpgradeFailed => "upgrade failed",
            Self::Locked => "another visor holds the lock",
            Self::NotReady => "not ready",
            Self::Node(_) => "the node exited",
        };
        f.write_str(text)
    }
}
