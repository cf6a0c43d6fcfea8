//! Command-line interface of the `edge-agent` binary (kept in the library so tests can check
//! every command the documentation shows against it).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "edge-agent",
    version,
    about = "netops edge agent: polls site devices and streams to the control plane"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Poll every device and stream to the control plane until stopped.
    Run {
        #[arg(long, env = "NETOPS_AGENT_CONFIG")]
        config: PathBuf,
    },
    /// Check every device (reachable, sysDescr, profile) and the clock; non-zero exit on failure.
    Check {
        #[arg(long, env = "NETOPS_AGENT_CONFIG")]
        config: PathBuf,
    },
    /// Poll one device twice, one second apart, and print its interfaces with rates.
    Poll {
        #[arg(long, env = "NETOPS_AGENT_CONFIG")]
        config: PathBuf,
        #[arg(long)]
        device: String,
        /// Poll once and exit (the only mode).
        #[arg(long)]
        once: bool,
    },
    /// Validate the configuration file and report every problem.
    CheckConfig {
        #[arg(long, env = "NETOPS_AGENT_CONFIG")]
        config: PathBuf,
    },
}
