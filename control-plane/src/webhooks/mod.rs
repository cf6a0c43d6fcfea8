//! Webhooks: staff register URLs for events; each event becomes one delivery per subscribed
//! webhook, stored first (`webhook_deliveries`) and then POSTed, signed with HMAC-SHA256,
//! retried with exponential backoff until delivered or out of attempts.
//!
//! `events.rs` names the events, `signature.rs` signs (pure), `backoff.rs` spaces the retries
//! (pure), `emit.rs` stores an event's deliveries and wakes `deliver.rs`, the delivery loop.

pub mod backoff;
pub mod deliver;
pub mod emit;
pub mod events;
pub mod settings;
pub mod signature;

use tokio::sync::Notify;

pub use settings::WebhookSettings;

/// What the delivery loop and the emitters share.
pub struct WebhookRuntime {
    pub settings: WebhookSettings,
    /// Wakes the delivery loop when an event was stored.
    pub wake: Notify,
    /// Sends deliveries: the attempt timeout, no redirects followed.
    pub client: reqwest::Client,
}

impl WebhookRuntime {
    pub fn new(settings: WebhookSettings) -> Self {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("netops-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self {
            settings,
            wake: Notify::new(),
            client,
        }
    }
}

impl Default for WebhookRuntime {
    fn default() -> Self {
        Self::new(WebhookSettings::default())
    }
}
