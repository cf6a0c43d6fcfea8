//! The state every handler shares.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::{LoginGuard, RateLimiter, TokenKeys};
use crate::config::Limits;
use crate::ingest::Ingest;
use crate::live::{LiveState, DEFAULT_MAX_AGE, DEFAULT_OFFLINE_AFTER};
use crate::shutdown::Shutdown;
use crate::store::Store;
use crate::telemetry::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub keys: TokenKeys,
    pub customer_limiter: Arc<RateLimiter>,
    pub login_guard: Arc<LoginGuard>,
    pub metrics: Arc<Metrics>,
    pub limits: Limits,
    pub live: Arc<LiveState>,
    pub ingest: Arc<Ingest>,
    /// Tells long-lived connections (agent and live streams) to close when the server stops.
    pub shutdown: Arc<Shutdown>,
    /// FreeRADIUS credential, PPPoE password key and AAA policy (`[aaa]`).
    pub aaa: Arc<crate::aaa::AaaRuntime>,
    /// Post-auth outcomes waiting for the batch writer (`aaa/auth_log.rs`).
    pub aaa_auth_log: Arc<crate::aaa::auth_log::AuthLog>,
    /// The PPPoE logins authorize answers from (`aaa/pppoe_logins.rs`).
    pub aaa_logins: Arc<crate::aaa::pppoe_logins::PppoeLogins>,
    /// Device command deadlines and the wake-up of agent connections (`[commands]`).
    pub commands: Arc<crate::commands::CommandPipeline>,
    /// Optics thresholds and fast-poll policy (`[optics]`).
    pub optics: Arc<crate::optics::OpticsRuntime>,
    /// The largest `Inventory` an agent may report (`[inventory]`).
    pub inventory_limits: crate::inventory::InventoryLimits,
    /// Billing settings, the clock the billing job reads and the callback key (`[billing]`).
    pub billing: Arc<crate::billing::BillingRuntime>,
    /// Cookie policy and the anti-forgery key of the web portals (`[portal]`).
    pub portal: Arc<crate::http::portal::settings::PortalRuntime>,
    /// Webhook delivery settings, client and wake-up (`[webhooks]`).
    pub webhooks: Arc<crate::webhooks::WebhookRuntime>,
    /// The SMTP relay alerts are emailed through, if configured (`[email]`).
    pub email: Arc<crate::email::EmailRuntime>,
    /// When a site's subscribers hear of an outage (`[outages]`).
    pub outages: crate::alerts::outage::OutageSettings,
}

impl AppState {
    pub fn new(store: Store, keys: TokenKeys, limits: &Limits, metrics: Arc<Metrics>) -> Self {
        Self {
            store,
            keys,
            customer_limiter: Arc::new(RateLimiter::new(limits.customer_requests_per_minute)),
            login_guard: Arc::new(LoginGuard::new(
                limits.login_failures_per_identifier,
                limits.login_failures_per_address,
                Duration::from_secs(limits.login_lockout_secs),
            )),
            metrics,
            limits: limits.clone(),
            live: Arc::new(LiveState::new(DEFAULT_MAX_AGE, DEFAULT_OFFLINE_AFTER)),
            ingest: Arc::new(Ingest::default()),
            shutdown: crate::shutdown::Shutdown::new(),
            aaa: Arc::new(crate::aaa::AaaRuntime::disabled()),
            aaa_auth_log: Arc::new(crate::aaa::auth_log::AuthLog::default()),
            aaa_logins: Arc::new(crate::aaa::pppoe_logins::PppoeLogins::default()),
            commands: Arc::new(crate::commands::CommandPipeline::default()),
            optics: Arc::new(crate::optics::OpticsRuntime::default()),
            inventory_limits: crate::inventory::InventoryLimits::default(),
            billing: Arc::new(crate::billing::BillingRuntime::default()),
            portal: Arc::new(crate::http::portal::settings::PortalRuntime::ephemeral()),
            webhooks: Arc::new(crate::webhooks::WebhookRuntime::default()),
            email: Arc::new(crate::email::EmailRuntime::disabled()),
            outages: crate::alerts::outage::OutageSettings::default(),
        }
    }
}
