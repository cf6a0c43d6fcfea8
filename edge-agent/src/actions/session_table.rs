//! Confirming on the BRAS itself that a PPPoE session is gone: its `<pppoe-USER>` interface
//! must leave IF-MIB's ifName column, which a MikroTik updates as sessions end.

use std::time::{Duration, Instant};

use netops_snmp::client::{walk_if_names, SnmpError, SnmpSession};
use netops_snmp::Oid;

use super::context::ActionContext;
use crate::config::DeviceConfig;

/// IF-MIB ifName (ifXTable column 1).
fn if_name_column() -> Oid {
    Oid::from_arcs([1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1])
}

/// The interface name RouterOS gives a PPPoE session.
pub fn pppoe_interface(user_name: &str) -> String {
    format!("<pppoe-{user_name}>")
}

/// What polling the BRAS showed.
#[derive(Debug)]
pub enum SessionCheck {
    Gone {
        after: Duration,
    },
    StillUp {
        waited: Duration,
    },
    /// The BRAS never answered a walk (the last error), or has no SNMP settings.
    Unknown(String),
}

/// Walks ifName every `verify_interval` until the session's interface is gone or
/// `session_gone_within` has passed.
pub async fn wait_until_gone(
    context: &ActionContext,
    bras: &DeviceConfig,
    user_name: &str,
) -> SessionCheck {
    let started = Instant::now();
    let Some(target) = bras.snmp.clone() else {
        return SessionCheck::Unknown(format!("device {} has no SNMP settings", bras.name));
    };
    let session = match SnmpSession::open(target, &context.transport).await {
        Ok(session) => session,
        Err(error) => return SessionCheck::Unknown(error.to_string()),
    };
    let wanted = pppoe_interface(user_name);
    let limit = context.settings.session_gone_within;
    let mut last_error = None;
    let mut answered = false;
    loop {
        match is_listed(&session, &wanted).await {
            Ok(false) => {
                return SessionCheck::Gone {
                    after: started.elapsed(),
                }
            }
            Ok(true) => answered = true,
            Err(error) => last_error = Some(error),
        }
        if started.elapsed() + context.settings.verify_interval > limit {
            break;
        }
        tokio::time::sleep(context.settings.verify_interval).await;
    }
    match last_error {
        Some(error) if !answered => SessionCheck::Unknown(error.to_string()),
        _ => SessionCheck::StillUp {
            waited: started.elapsed(),
        },
    }
}

async fn is_listed(session: &SnmpSession, if_name: &str) -> Result<bool, SnmpError> {
    let names = walk_if_names(session, &if_name_column()).await?;
    Ok(names.values().any(|name| name == if_name))
}
