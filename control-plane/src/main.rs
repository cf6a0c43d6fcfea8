//! The `control-plane` binary: parse the command line, load configuration, run the command.

use std::io::BufRead;

use anyhow::{bail, Context, Result};
use clap::Parser;
use control_plane::app;
use control_plane::auth::password::{check_password_strength, hash_password};
use control_plane::cli::{AdminCommand, BackupArgs, Cli, Command, RestoreArgs, ServeArgs};
use control_plane::config::{redact_url, Config, Overrides};
use control_plane::domain::StaffRole;

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(cli.config.as_deref(), &args, false).await,
        Command::Demo(args) => serve(cli.config.as_deref(), &args, true).await,
        Command::Migrate(args) => {
            let config = load(cli.config.as_deref(), &args.overrides())?;
            app::open_store(&config).await?;
            println!(
                "database {} is migrated",
                redact_url(&config.effective_database_url())
            );
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create(args),
        } => {
            let config = load(cli.config.as_deref(), &args.database.overrides())?;
            let role = StaffRole::parse(&args.role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
            let password = read_password(args.password_stdin)?;
            if let Err(problem) = check_password_strength(&password) {
                bail!("{problem}");
            }
            let store = app::open_store(&config).await?;
            let hash = hash_password(&password)?;
            let staff = store
                .insert_staff(&args.username, &hash, role.as_str())
                .await?;
            println!(
                "created staff account '{}' with role {}",
                staff.username, staff.role
            );
            Ok(())
        }
        Command::Backup(args) => backup(cli.config.as_deref(), &args).await,
        Command::Restore(args) => restore(cli.config.as_deref(), &args).await,
        Command::CheckConfig => {
            let config = load(cli.config.as_deref(), &Overrides::default())?;
            println!(
                "configuration is valid: listen {}, database {}",
                config.listen,
                redact_url(&config.effective_database_url())
            );
            Ok(())
        }
    }
}

fn load(file: Option<&std::path::Path>, overrides: &Overrides) -> Result<Config> {
    Ok(Config::load(file, overrides)?)
}

async fn backup(file: Option<&std::path::Path>, args: &BackupArgs) -> Result<()> {
    let config = load(file, &args.database.overrides())?;
    let store = app::open_store(&config).await?;
    let summary = store.backup_sqlite(&args.to).await?;
    store.close().await;
    println!(
        "backup written to {}: schema version {}, {} customers, {} bills, {} payments",
        args.to.display(),
        summary.schema_version,
        summary.customers,
        summary.bills,
        summary.payments
    );
    Ok(())
}

async fn restore(file: Option<&std::path::Path>, args: &RestoreArgs) -> Result<()> {
    let config = load(file, &args.database.overrides())?;
    let summary = if args.check {
        control_plane::store::backup::check_backup(&args.from).await?
    } else {
        let Some(database) = config.sqlite_file() else {
            bail!("{}", control_plane::store::backup::BackupError::NotSqlite);
        };
        let _lock = app::lock_data_dir(&config.data_dir).context(
            "the control plane is running on this data directory; stop it before restoring",
        )?;
        let summary = control_plane::store::backup::restore_sqlite(&args.from, &database).await?;
        // Bring the restored schema up to this release.
        app::open_store(&config).await?.close().await;
        summary
    };
    println!(
        "{} {}: schema version {}, {} customers, {} bills, {} payments",
        if args.check {
            "backup is usable:"
        } else {
            "restored from"
        },
        args.from.display(),
        summary.schema_version,
        summary.customers,
        summary.bills,
        summary.payments
    );
    Ok(())
}

async fn serve(file: Option<&std::path::Path>, args: &ServeArgs, demo: bool) -> Result<()> {
    let mut config = load(file, &args.overrides())?;
    // The demo takes online payments at the sandbox gateway unless a gateway is configured.
    if demo && config.billing.gateway == control_plane::billing::settings::GatewayKind::None {
        config.billing.gateway = control_plane::billing::settings::GatewayKind::Sandbox;
    }
    // One control plane per SQLite data directory; replicas share PostgreSQL instead.
    let _lock = match config.sqlite_file() {
        Some(_) => Some(app::lock_data_dir(&config.data_dir).with_context(|| {
            format!(
                "another control plane is serving from {}",
                config.data_dir.display()
            )
        })?),
        None => None,
    };
    let log_filter = control_plane::telemetry::init_tracing(config.log_format, &config.log_filter);
    // From here on SIGHUP reloads the configuration instead of ending the process.
    let reloader = control_plane::reload::Reloader::new(
        file.map(std::path::Path::to_path_buf),
        args.overrides(),
        config.clone(),
        log_filter,
    );
    let reloading = control_plane::reload::reload_on_hangup(reloader)
        .context("unable to listen for SIGHUP (configuration reload)")?;
    let store = app::open_store(&config).await?;
    let demo_logins = if demo {
        Some(
            control_plane::demo::seed(&store)
                .await
                .context("unable to seed the demo ISP")?,
        )
    } else {
        None
    };
    let state = app::build_state(&config, store.clone())?;
    if let (Some(_), Some(sealer)) = (&demo_logins, state.aaa.sealer()) {
        control_plane::demo::seed_pppoe_passwords(&store, sealer)
            .await
            .context("unable to give the demo subscribers PPPoE passwords")?;
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("unable to listen on {}; pass --listen ADDR", config.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, database = %redact_url(&config.effective_database_url()), "control plane listening");
    let demo_site = match demo_logins {
        Some(_) => Some(
            control_plane::demo::site::start(&store, &config.data_dir, addr)
                .await
                .context("unable to start the demo site")?,
        ),
        None => None,
    };
    if let Some(logins) = demo_logins {
        println!();
        println!("netops demo is running at http://{addr}/");
        println!(
            "  subscriber API: http://{addr}/api/v1/customer  (also /functions/v1/customer-api)"
        );
        println!("  staff API:      http://{addr}/api/v1/admin");
        println!("  API reference:  http://{addr}/api/docs");
        if let Some(site) = &demo_site {
            println!(
                "  live bandwidth: a simulated BRAS (SNMP on {}) polled every second by the demo site's edge agent",
                site.bras_snmp
            );
            println!(
                "  ONU optics:     a simulated Huawei OLT (SNMP on {}) with the demo subscribers' ONUs",
                site.olt_snmp
            );
        }
        println!("demo logins:");
        for login in logins {
            println!("  {:<28} {}", login.who, login.login);
        }
        println!();
    }
    app::serve(state, listener, app::shutdown_signal()).await?;
    reloading.abort();
    if let Some(site) = demo_site {
        site.stop().await;
    }
    store.close().await;
    Ok(())
}

fn read_password(from_stdin: bool) -> Result<String> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password("password: ")?;
        let second = rpassword::prompt_password("again: ")?;
        if first != second {
            bail!("the passwords differ");
        }
        first
    };
    if password.is_empty() {
        bail!("empty password");
    }
    Ok(password)
}
