//! Webhooks: staff register URLs for events; each event becomes one delivery per subscribed
//! webhook, stored first (`webhook_deliveries`) and then POSTed, signed with HMAC-SHA256,
//! retried with exponential backoff until delivered or out of attempts.
//!
//! `events.rs` names the events, `signature.rs` signs (pure), `backoff.rs` spaces the retries
//! (pure), `emit.rs` stores an event's deliveries and wakes `deliver.rs`, the delivery loop;
//! `client.rs` POSTs over `http://` or `https://`.

pub mod backoff;
pub mod client;
pub mod deliver;
pub mod emit;
pub mod events;
pub mod settings;
pub mod signature;

use tokio::sync::Notify;

use crate::tls_client::TlsClientError;
use client::WebhookClient;

pub use settings::WebhookSettings;

/// What the delivery loop and the emitters share.
pub struct WebhookRuntime {
    pub settings: WebhookSettings,
    /// Wakes the delivery loop when an event was stored.
    pub wake: Notify,
    /// Wakes the loop of customers' webhooks (`alerts/outbox.rs`) when an alert was queued.
    pub alert_wake: Notify,
    /// Sends deliveries: the attempt timeout, no redirects followed, TLS for `https://`.
    pub client: WebhookClient,
}

impl WebhookRuntime {
    /// Fails when `ca_file` cannot be read or holds no certificate.
    pub fn load(settings: WebhookSettings) -> Result<Self, TlsClientError> {
        let tls =
            crate::tls_client::client_config("webhooks.ca_file", settings.ca_file.as_deref())?;
        let client = WebhookClient::new(tls, settings.timeout);
        Ok(Self {
            settings,
            wake: Notify::new(),
            alert_wake: Notify::new(),
            client,
        })
    }
}

impl Default for WebhookRuntime {
    fn default() -> Self {
        Self::load(WebhookSettings::default())
            .expect("the ring provider supports the default TLS versions and no CA file is read")
    }
}
