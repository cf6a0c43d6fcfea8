//! Alerts: every notification has a severity (`severity.rs`); customers choose in their
//! preferences (`preferences.rs`) whether it also reaches them by email and on their own
//! webhook, from which severity up. `fanout.rs` creates a notification and queues its alerts
//! in `alert_deliveries`; `outbox.rs` runs one delivery loop per channel over
//! `send_email.rs` (SMTP, `crate::email`) and `send_webhook.rs` (signed POST, restricted by
//! `networks.rs`).

pub mod fanout;
pub mod networks;
pub mod outage;
pub mod outbox;
pub mod preferences;
pub mod send_email;
pub mod send_webhook;
pub mod severity;

pub use fanout::notify;
