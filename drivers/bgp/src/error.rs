//! Errors of BGP peering changes: planning, parsing daemon output, and running the change.

use std::net::IpAddr;

use crate::shell::RouterShellError;

/// A change that cannot be planned against the router's current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("neighbor {0} is already configured; remove it first or change it in place")]
    AlreadyConfigured(IpAddr),
    #[error("neighbor {0} is not configured")]
    NotConfigured(IpAddr),
    #[error("neighbor {neighbor} is not managed by netops (no {file}); change it by hand or re-add it through netops")]
    NotManagedByNetops { neighbor: IpAddr, file: String },
    #[error("`{0}` is not a policy name (letters, digits, `_` and `-`, starting with a letter)")]
    BadPolicyName(String),
    #[error("the netops header of {file} cannot be read: {reason}")]
    BadStanzaHeader { file: String, reason: String },
}

/// Daemon output that does not say what netops needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusParseError {
    #[error("FRR neighbor JSON: {0}")]
    FrrJson(String),
    #[error("birdc output: {0}")]
    Birdc(String),
}

#[derive(Debug, thiserror::Error)]
pub enum BgpChangeError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("reading the state of neighbor {neighbor}: {source}")]
    Status {
        neighbor: IpAddr,
        #[source]
        source: StatusParseError,
    },
    #[error(transparent)]
    Shell(#[from] RouterShellError),
    #[error("the change was not applied and rolling it back failed too ({rollback}); first failure: {reason}; check the router by hand")]
    RollbackFailed { reason: String, rollback: String },
    #[error("the post-check passed but confirming the change failed ({0}); BIRD reverts it when its timer runs out, FRR keeps it unsaved")]
    ConfirmFailed(String),
}
