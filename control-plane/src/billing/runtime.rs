//! Billing as the running server holds it: the settings, the clock the job reads, the
//! gateway callback key loaded or created, and the providers' redirect gateways with their
//! secrets read from their files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::clock::{Clock, SystemClock};
use super::gateway::redirect::{RedirectGateway, RedirectGatewayConfig};
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
    #[error("unable to read the secret of payment gateway {name} at {path}: {source}")]
    GatewaySecret {
        name: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the secret of payment gateway {name} at {path} is shorter than 16 bytes")]
    GatewaySecretShort { name: String, path: PathBuf },
    #[error("[billing] gateway = \"{0}\" but no [[payments.gateways]] entry has that name")]
    UnknownGateway(String),
}

pub struct BillingRuntime {
    pub settings: BillingSettings,
    pub clock: Arc<dyn Clock>,
    /// HMAC-SHA256 key that signs and verifies gateway callbacks.
    callback_key: ring::hmac::Key,
    /// Base of payment URLs, without a trailing slash.
    pub public_url: String,
    sandbox: Option<SandboxGateway>,
    /// Every configured provider gateway; callbacks are accepted for each.
    redirect: Vec<RedirectGateway>,
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
            redirect: Vec::new(),
        }
    }

    /// The same billing with these provider gateways.
    pub fn with_redirect_gateways(mut self, gateways: Vec<RedirectGatewayConfig>) -> Self {
        self.redirect = gateways
            .into_iter()
            .map(|g| RedirectGateway::new(g, &self.public_url))
            .collect();
        self
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
        let mut gateways = Vec::new();
        for g in &settings.redirect_gateways {
            let secret_err = |source| BillingStartError::GatewaySecret {
                name: g.name.clone(),
                path: g.secret_file.clone(),
                source,
            };
            let text = std::fs::read_to_string(&g.secret_file).map_err(secret_err)?;
            let secret = text.trim().as_bytes().to_vec();
            if secret.len() < 16 {
                return Err(BillingStartError::GatewaySecretShort {
                    name: g.name.clone(),
                    path: g.secret_file.clone(),
                });
            }
            gateways.push(RedirectGatewayConfig {
                name: g.name.clone(),
                redirect_url: g.redirect_url.clone(),
                secret,
                signature_header: g.signature_header.clone(),
                payment_id_field: g.payment_id_field.clone(),
                status_field: g.status_field.clone(),
                amount_field: g.amount_field.clone(),
                transaction_id_field: g.transaction_id_field.clone(),
                amount_unit: g.amount_unit,
                completed_value: g.completed_value.clone(),
                cancelled_value: g.cancelled_value.clone(),
            });
        }
        if let GatewayKind::Redirect(name) = &settings.gateway {
            if !gateways.iter().any(|g| &g.name == name) {
                return Err(BillingStartError::UnknownGateway(name.clone()));
            }
        }
        Ok(Self::new(
            settings.clone(),
            Arc::new(SystemClock),
            key.as_bytes(),
            public_url,
        )
        .with_redirect_gateways(gateways))
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

    /// Where the payer's browser goes for a new payment: the configured gateway's page, or
    /// `None` when online payments are off.
    pub fn payment_url(&self, payment_id: &str, amount_minor: i64) -> Option<String> {
        match &self.settings.gateway {
            GatewayKind::None => None,
            GatewayKind::Sandbox => self.sandbox.as_ref().map(|g| g.payment_url(payment_id)),
            GatewayKind::Redirect(name) => self
                .redirect_gateway(name)
                .map(|g| g.redirect_url(payment_id, amount_minor)),
        }
    }

    /// A configured provider gateway by name.
    pub fn redirect_gateway(&self, name: &str) -> Option<&RedirectGateway> {
        self.redirect.iter().find(|g| g.name() == name)
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
