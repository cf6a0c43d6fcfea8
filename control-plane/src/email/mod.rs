//! Email through the ISP's SMTP relay (`[email]`): addresses (`address.rs`), replies
//! (`reply.rs`), message text (`message.rs`, `base64.rs`) — all without I/O — and the
//! session over the socket (`smtp.rs`). `alerts/email_loop.rs` sends the outbox with it.

pub mod address;
pub mod base64;
pub mod budget;
pub mod message;
pub mod reply;
pub mod settings;
pub mod smtp;

use std::sync::{Arc, Mutex};

use thiserror::Error;
use tokio::sync::Notify;

pub use settings::EmailSettings;

use crate::config::Secret;
use address::EmailAddress;
use budget::MinuteBudget;
use smtp::Relay;

/// Email cannot be started as configured.
#[derive(Debug, Error)]
pub enum EmailStartError {
    #[error("email.password_file: cannot read {path}: {source}")]
    Password {
        path: String,
        source: std::io::Error,
    },
    #[error("email.password_file: {path} is empty")]
    EmptyPassword { path: String },
    #[error("{0}")]
    Tls(#[from] crate::tls_client::TlsClientError),
}

/// The configured relay and sender, with the loop's wake-up and budget.
pub struct EmailRuntime {
    pub settings: EmailSettings,
    /// `None` when `[email] host` is not set: alerts are not emailed.
    pub relay: Option<(Relay, EmailAddress)>,
    /// Wakes the email loop when a message was queued.
    pub wake: Notify,
    pub budget: Mutex<MinuteBudget>,
}

impl EmailRuntime {
    pub fn load(settings: &EmailSettings) -> Result<Self, EmailStartError> {
        let relay = match (&settings.host, &settings.from) {
            (Some(host), Some(from)) => {
                let login = match (&settings.username, &settings.password_file) {
                    (Some(user), Some(path)) => {
                        let shown = path.display().to_string();
                        let text = std::fs::read_to_string(path).map_err(|source| {
                            EmailStartError::Password {
                                path: shown.clone(),
                                source,
                            }
                        })?;
                        let password = text.trim_end_matches(['\r', '\n']).to_owned();
                        if password.is_empty() {
                            return Err(EmailStartError::EmptyPassword { path: shown });
                        }
                        Some((user.clone(), Arc::new(Secret::new(password))))
                    }
                    _ => None,
                };
                let tls =
                    crate::tls_client::client_config("email.ca_file", settings.ca_file.as_deref())?;
                let relay = Relay {
                    host: host.clone(),
                    port: settings.port,
                    starttls: settings.starttls,
                    helo_name: settings.helo_name.clone(),
                    login,
                    tls,
                    timeout: settings.timeout,
                };
                Some((relay, from.clone()))
            }
            _ => None,
        };
        Ok(Self {
            settings: settings.clone(),
            relay,
            wake: Notify::new(),
            budget: Mutex::new(MinuteBudget::new(settings.per_minute_limit)),
        })
    }

    /// No relay: alerts are not emailed.
    pub fn disabled() -> Self {
        Self {
            settings: EmailSettings::default(),
            relay: None,
            wake: Notify::new(),
            budget: Mutex::new(MinuteBudget::new(1)),
        }
    }
}
