//! The `edge-agent` binary: parses the command line and hands over to the library.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use edge_agent::cli::{Cli, Command};
use edge_agent::config::{load_config, AgentConfig};
use edge_agent::reload::{LogFilterHandle, Reloader};
use netops_snmp::load_profiles_dir;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::{mpsc, watch};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // RUST_LOG wins; otherwise `run` applies the configuration's `[log] filter`.
    let from_env = tracing_subscriber::EnvFilter::try_from_default_env().ok();
    let from_file = from_env.is_none();
    let (filter, log_handle) =
        tracing_subscriber::reload::Layer::new(from_env.unwrap_or_else(|| {
            tracing_subscriber::EnvFilter::new(edge_agent::config::AgentConfig::DEFAULT_LOG_FILTER)
        }));
    tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(std::io::stderr().is_terminal())
                .with_writer(std::io::stderr),
        )
        .init();
    let log_handle = from_file.then_some(log_handle);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("edge-agent: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli.command, log_handle)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("edge-agent: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(command: Command, log: Option<LogFilterHandle>) -> anyhow::Result<ExitCode> {
    match command {
        Command::CheckConfig { config } => {
            let config = load_config(&config)?;
            println!(
                "configuration ok: agent {} with {} device(s)",
                config.agent_id,
                config.devices.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { config } => {
            let config = load_config(&config)?;
            let profiles = load_profiles_dir(&config.profiles_dir)?;
            let report = edge_agent::check::check_agent(&config, &profiles).await;
            print!("{}", report.render());
            Ok(if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Poll {
            config,
            device,
            once,
        } => {
            if !once {
                anyhow::bail!(
                    "only --once is supported; use `edge-agent run` for continuous polling"
                );
            }
            let config = load_config(&config)?;
            let profiles = load_profiles_dir(&config.profiles_dir)?;
            let device_config = config
                .device(&device)
                .with_context(|| format!("no device named {device:?} in the configuration"))?;
            let polled = edge_agent::poll_once::poll_device_once(device_config, &profiles).await?;
            print!("{}", polled.render());
            Ok(ExitCode::SUCCESS)
        }
        Command::Run { config } => {
            run(&config, log).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn run(path: &Path, log: Option<LogFilterHandle>) -> anyhow::Result<()> {
    let config: AgentConfig = load_config(path)?;
    if let Some(handle) = &log {
        handle
            .reload(tracing_subscriber::EnvFilter::try_new(&config.log_filter)?)
            .context("cannot apply log.filter")?;
    }
    // From here on SIGHUP reloads the configuration and SIGTERM stops the agent cleanly.
    let mut hangups = signal(SignalKind::hangup()).context("cannot listen for SIGHUP")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let (devices_tx, devices_rx) = mpsc::channel(1);
    let mut reloader = Reloader::new(path.to_owned(), config.clone(), log, devices_tx);
    let mut agent = tokio::spawn(edge_agent::agent::run_agent_with_reloads(
        config,
        shutdown_rx,
        devices_rx,
    ));
    loop {
        tokio::select! {
            signal = tokio::signal::ctrl_c() => {
                signal.context("cannot listen for Ctrl-C")?;
                break;
            }
            _ = terminate.recv() => break,
            _ = hangups.recv() => {
                tracing::info!("SIGHUP: reloading the configuration");
                reloader.reload().await;
            }
            ended = &mut agent => {
                ended??;
                anyhow::bail!("the agent stopped");
            }
        }
    }
    tracing::info!("shutting down");
    let _ = shutdown_tx.send(true);
    agent.await??;
    Ok(())
}
