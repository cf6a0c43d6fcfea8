//! Configuration problems: each names its key and says how to fix it.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

/// One thing wrong in the agent's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// Dotted key path, e.g. `devices[2].snmp.community`.
    pub key: String,
    pub message: String,
    /// What the operator should change.
    pub hint: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}; {}", self.key, self.message, self.hint)
    }
}

/// The configuration cannot be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("unable to read configuration at {}: {source}; pass the right file with --config", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("configuration {} has {} problem(s):{}", path.display(), problems.len(), bulleted(problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<ConfigProblem>,
    },
}

impl ConfigError {
    pub fn problems(&self) -> &[ConfigProblem] {
        match self {
            Self::Unreadable { .. } => &[],
            Self::Invalid { problems, .. } => problems,
        }
    }
}

fn bulleted(problems: &[ConfigProblem]) -> String {
    problems
        .iter()
        .map(|problem| format!("\n  - {problem}"))
        .collect()
}
