//! Command-line interface of the `control-plane` binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Overrides;

#[derive(Debug, Parser)]
#[command(
    name = "control-plane",
    version,
    about = "netops control plane: subscriber and staff APIs, agent ingest, metrics"
)]
pub struct Cli {
    /// Configuration file (TOML). See config/control-plane.toml for every key.
    #[arg(long, global = true, env = "NETOPS_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the control plane.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Run with a demo ISP seeded (SQLite under ./data unless told otherwise).
    Demo(ServeArgs),
    /// Manage staff accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Check the configuration and print every problem.
    CheckConfig,
    /// Write a consistent copy of the SQLite database while the control plane runs.
    Backup(BackupArgs),
    /// Replace the SQLite database with a checked backup (stop the control plane first).
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write; it must not exist yet.
    #[arg(long)]
    pub to: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file to restore from.
    #[arg(long)]
    pub from: PathBuf,
    /// Only check the backup (integrity, schema version, row counts); change nothing.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a staff account (the first admin, typically).
    Create(AdminCreateArgs),
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Data directory (SQLite database, generated secrets).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB. Default: SQLite in the data directory.
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct AdminCreateArgs {
    #[arg(long)]
    pub username: String,
    /// admin, noc, billing or support.
    #[arg(long, default_value = "admin")]
    pub role: String,
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

impl DatabaseArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            listen: None,
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
        }
    }
}

impl ServeArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            listen: self.listen,
            ..self.database.overrides()
        }
    }
}
