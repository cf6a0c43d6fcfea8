//! Starting the control plane: open and migrate the store, build the state and serve HTTP
//! until the shutdown future completes. The listener is passed in, so tests bind port 0.

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::auth::TokenKeys;
use crate::config::{redact_url, Config, Secret};
use crate::http::{self, AppState};
use crate::store::{Store, StoreError};
use crate::telemetry::Metrics;

/// Why the control plane could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("unable to open the database at {url}: {source}")]
    Database { url: String, source: StoreError },
    #[error("unable to migrate the database: {0}")]
    Migrate(StoreError),
    #[error("unable to read or create the JWT secret at {path}: {source}")]
    Secret {
        path: String,
        source: std::io::Error,
    },
    #[error("unable to register metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("{0}")]
    Aaa(#[from] crate::aaa::runtime::AaaStartError),
    #[error("{0}")]
    Billing(#[from] crate::billing::runtime::BillingStartError),
    #[error("{0}")]
    Tls(#[from] crate::tls_client::TlsClientError),
    #[error("{0}")]
    Email(#[from] crate::email::EmailStartError),
    #[error("HTTP server failed: {0}")]
    Serve(std::io::Error),
}

/// Opens the configured database and applies pending migrations.
pub async fn open_store(config: &Config) -> Result<Store, StartError> {
    let url = config.effective_database_url();
    let store = Store::connect(&url, config.database_max_connections)
        .await
        .map_err(|source| StartError::Database {
            url: redact_url(&url),
            source,
        })?;
    store.migrate().await.map_err(StartError::Migrate)?;
    Ok(store)
}

/// Takes the data directory's lock file (`control-plane.lock`), held until the returned file
/// is dropped, so two control planes never serve one SQLite database and a restore never runs
/// under a serving one.
pub fn lock_data_dir(data_dir: &std::path::Path) -> std::io::Result<std::fs::File> {
    std::fs::create_dir_all(data_dir)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join("control-plane.lock"))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(std::io::Error::new(
            std::io::ErrorKind::WouldBlock,
            "the data directory is locked by a running control plane",
        )),
        Err(std::fs::TryLockError::Error(error)) => Err(error),
    }
}

/// The configured JWT secret, or one generated once and kept in `data_dir/jwt-secret` (0600).
pub fn jwt_secret(config: &Config) -> Result<Secret, StartError> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(secret.clone());
    }
    let path = config.data_dir.join("jwt-secret");
    let io_err = |source| StartError::Secret {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= 32 => return Ok(Secret::new(text.trim())),
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(io_err(err)),
    }
    std::fs::create_dir_all(&config.data_dir).map_err(io_err)?;
    let secret = hex::encode(rand::random::<[u8; 32]>());
    write_private(&path, &secret).map_err(io_err)?;
    tracing::info!(path = %path.display(), "generated a new JWT secret");
    Ok(Secret::new(secret))
}

pub(crate) fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())
}

/// Builds the shared state over an open store.
pub fn build_state(config: &Config, store: Store) -> Result<AppState, StartError> {
    let secret = jwt_secret(config)?;
    let keys = TokenKeys::new(secret.expose().as_bytes(), config.jwt_ttl_secs);
    let metrics = Arc::new(Metrics::new(&config.metrics)?);
    let mut state = AppState::new(store, keys, &config.limits, metrics);
    state.optics = Arc::new(crate::optics::OpticsRuntime::new(config.optics.clone()));
    state.aaa = Arc::new(crate::aaa::AaaRuntime::load(&config.aaa, &config.data_dir)?);
    state.commands = Arc::new(crate::commands::CommandPipeline::new(
        config.commands.clone(),
    ));
    state.inventory_limits = config.inventory;
    state.billing = Arc::new(crate::billing::BillingRuntime::load(
        &config.billing,
        &config.data_dir,
        config.listen,
    )?);
    state.webhooks = Arc::new(crate::webhooks::WebhookRuntime::load(
        config.webhooks.clone(),
    )?);
    state.email = Arc::new(crate::email::EmailRuntime::load(&config.email)?);
    state.outages = config.outages;
    state.portal = Arc::new(crate::http::portal::settings::PortalRuntime::new(
        &config.portal,
        secret.expose().as_bytes(),
    ));
    Ok(state)
}

/// How long a stop waits for agent and live streams to close before the final flush.
const STREAMS_CLOSE_LIMIT: Duration = Duration::from_secs(5);

/// Serves the application on `listener` until `shutdown` completes, then closes agent and live
/// streams, drains connections and writes what ingest still holds (running minutes, totals,
/// agent progress).
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let (drain, drained) = tokio::sync::oneshot::channel();
    let flusher = tokio::spawn(crate::ingest::flush::run(state.clone(), drained));
    tokio::spawn(crate::aaa::stale_sweep::run(state.clone()));
    let auth_log = tokio::spawn(crate::aaa::auth_log::run(state.clone()));
    tokio::spawn(crate::aaa::pppoe_logins::run(state.clone()));
    tokio::spawn(crate::commands::expiry::run(state.clone()));
    tokio::spawn(crate::billing::job::run(state.clone()));
    tokio::spawn(crate::webhooks::deliver::run(state.clone()));
    tokio::spawn(crate::alerts::outbox::run(
        state.clone(),
        crate::alerts::outbox::Channel::Email,
    ));
    tokio::spawn(crate::alerts::outbox::run(
        state.clone(),
        crate::alerts::outbox::Channel::Webhook,
    ));
    let streams = Arc::clone(&state.shutdown);
    let (router, _doc) = http::router(state.clone());
    let result = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        streams.begin();
    })
    .await
    .map_err(StartError::Serve);
    state.shutdown.begin();
    if !state.shutdown.wait_idle(STREAMS_CLOSE_LIMIT).await {
        tracing::warn!("streams still open after the stop limit; flushing anyway");
    }
    let _ = drain.send(());
    if let Err(err) = auth_log.await {
        tracing::error!(error = %err, "post-auth writer failed");
    }
    if let Err(err) = flusher.await {
        tracing::error!(error = %err, "ingest flusher failed");
    }
    result
}

/// Opens the store, builds the state and serves: the whole daemon.
pub async fn run(
    config: &Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let store = open_store(config).await?;
    let state = build_state(config, store.clone())?;
    let result = serve(state, listener, shutdown).await;
    store.close().await;
    result
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
