//! Billing as the running server holds it: the settings, the clock the job reads, and the
//! gateway callback key loaded or created.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::clock::{Clock, SystemClock};
use super::gateway::sandbox::SandboxGateway;
use super::gateway::PaymentGateway;
use super::settings::{BillingSettings, GatewayKind};

/// Why billing could not start.
#[derive(Debug, thiserror::Error)]
pub enum BillingStartError {
    #[error("unable to read or create the payment callback key at {path}: {source}")]
    KeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub struct BillingRuntime {
    pub settings: BillingSettings,
    pub clock: Arc<dyn Clock>,
    /// HMAC-SHA256 key that signs and verifies gateway callbacks.
    callback_key: ring::hmac::Key,
    /// Base of payment URLs, without a trailing slash.
    pub public_url: String,
    sandbox: Option<SandboxGateway>,
}

impl std::fmt::Debug for BillingRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillingRuntime")
            .field("settings", &self.settings)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl BillingRuntime {
    pub fn new(
        settings: BillingSettings,
        clock: Arc<dyn Clock>,
        callback_key: &[u8],
        public_url: String,
    ) -> Self {
        let callback_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, callback_key);
        let sandbox = (settings.gateway == GatewayKind::Sandbox)
            .then(|| SandboxGateway::new(&public_url, callback_key.clone()));
        Self {
            settings,
            clock,
            callback_key,
            public_url,
            sandbox,
        }
    }

    /// Billing with the configured callback key or the one kept in
    /// `data_dir/billing-callback-key` (created, mode 0600, on first start), on the system clock.
    pub fn load(
        settings: &BillingSettings,
        data_dir: &Path,
        listen: std::net::SocketAddr,
    ) -> Result<Self, BillingStartError> {
        let key = match &settings.callback_key {
            Some(key) => key.expose().to_owned(),
            None => key_file(&data_dir.join("billing-callback-key"))?,
        };
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{listen}"));
        Ok(Self::new(
            settings.clone(),
            Arc::new(SystemClock),
            key.as_bytes(),
            public_url,
        ))
    }

    /// The same billing on another clock (tests simulate a month with a hand-set clock).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn callback_key(&self) -> &ring::hmac::Key {
        &self.callback_key
    }

    /// The configured payment gateway; `None` when online payments are off.
    pub fn gateway(&self) -> Option<&dyn PaymentGateway> {
        self.sandbox.as_ref().map(|g| g as &dyn PaymentGateway)
    }

    /// The sandbox gateway, when it is the configured one.
    pub fn sandbox(&self) -> Option<&SandboxGateway> {
        self.sandbox.as_ref()
    }
}

impl Default for BillingRuntime {
    fn default() -> Self {
        Self::new(
            BillingSettings::default(),
            Arc::new(SystemClock),
            &rand::random::<[u8; 32]>(),
            "http://127.0.0.1:8080".to_owned(),
        )
    }
}

fn key_file(path: &Path) -> Result<String, BillingStartError> {
    let err = |source| BillingStartError::KeyFile {
        path: path.to_owned(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().len() >= 32 => return Ok(text.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(err(e)),
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    let key = hex::encode(rand::random::<[u8; 32]>());
    crate::app::write_private(path, &key).map_err(err)?;
    tracing::info!(path = %path.display(), "generated a new payment callback key");
    Ok(key)
}
