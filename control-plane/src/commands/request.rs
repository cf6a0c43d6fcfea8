//! Queuing a device command for a customer: what it acts on (from the customer's attachment),
//! its parameters (a change of speed defaults to the customer's package), the row, and the
//! wake-up of the agent connections. Shared by the subscriber and the staff APIs.

use serde_json::json;

use crate::aaa::reply::PackageSpeed;
use crate::domain::{CommandKind, SpeedUnit};
use crate::http::AppState;
use crate::store::commands::{CommandRow, NewCommand};
use crate::store::customers::CustomerRow;
use crate::store::sessions::OnlineFilter;
use crate::store::{Page, StoreError};

/// Why a command cannot be queued for a customer.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("no {0} is on file for this customer")]
    Missing(&'static str),
    #[error("{0} commands cannot be queued for a customer")]
    NotForCustomers(&'static str),
    #[error("the customer has no package, so give download_mbps and upload_mbps")]
    NoPackage,
    #[error("the customer's package speeds are not usable: {0}")]
    BadPackage(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a command acts on: words for the NOC ("pppoe:rahim") and the device that runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub text: String,
    pub device_id: Option<String>,
}

/// A rate in bits per second each way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeedBps {
    pub download_bps: u64,
    pub upload_bps: u64,
}

/// Who asks: `customer` or `staff`, and their id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    pub kind: &'static str,
    pub id: String,
}

/// What a command of `kind` acts on for this customer.
pub fn target_of(kind: CommandKind, c: &CustomerRow) -> Result<Target, RequestError> {
    match kind {
        CommandKind::RebootRouter => {
            let router = c
                .router_mac
                .clone()
                .or_else(|| c.cpe_device_id.clone())
                .ok_or(RequestError::Missing("router"))?;
            Ok(Target {
                text: format!("router:{router}"),
                device_id: c.cpe_device_id.clone(),
            })
        }
        CommandKind::RebootOnu => {
            let text = match (&c.olt_device_id, &c.pon_port, c.onu_id, &c.onu_mac) {
                (Some(olt), Some(port), Some(onu), _) => format!("onu:{olt}:{port}:{onu}"),
                (_, _, _, Some(mac)) => format!("onu:{mac}"),
                _ => return Err(RequestError::Missing("ONU")),
            };
            Ok(Target {
                text,
                device_id: c.olt_device_id.clone(),
            })
        }
        CommandKind::Disconnect | CommandKind::ChangeSpeed => {
            let user = c
                .pppoe_username
                .clone()
                .ok_or(RequestError::Missing("PPPoE account"))?;
            Ok(Target {
                text: format!("pppoe:{user}"),
                device_id: c.bras_device_id.clone(),
            })
        }
        CommandKind::FastPollOptics => match (&c.olt_device_id, &c.pon_port, c.onu_id) {
            (Some(olt), Some(port), Some(onu)) => Ok(Target {
                text: format!("onu:{olt}:{port}:{onu}"),
                device_id: Some(olt.clone()),
            }),
            _ => Err(RequestError::Missing("OLT, PON port and ONU id")),
        },
        CommandKind::BgpPeerChange => Err(RequestError::NotForCustomers("BGP peer change")),
    }
}

/// The customer's package speeds in bits per second.
pub async fn package_speed(state: &AppState, c: &CustomerRow) -> Result<SpeedBps, RequestError> {
    let package_id = c.package_id.as_deref().ok_or(RequestError::NoPackage)?;
    let package = match state.store.package(package_id).await {
        Ok(package) => package,
        Err(StoreError::NotFound) => return Err(RequestError::NoPackage),
        Err(err) => return Err(err.into()),
    };
    let unit = SpeedUnit::parse(&package.speed_unit)
        .map_err(|e| RequestError::BadPackage(e.to_string()))?;
    let kbps = PackageSpeed::from_package(package.download_speed, package.upload_speed, unit);
    let bps = |kbps: i64| {
        u64::try_from(kbps.saturating_mul(1000))
            .ok()
            .filter(|bps| *bps > 0)
            .ok_or_else(|| RequestError::BadPackage(format!("{kbps} kbps")))
    };
    Ok(SpeedBps {
        download_bps: bps(kbps.download_kbps)?,
        upload_bps: bps(kbps.upload_kbps)?,
    })
}

/// Queues a command for the customer and wakes the agent connections. `speed` is the rate of
/// a change of speed; other kinds ignore it.
pub async fn queue(
    state: &AppState,
    customer: &CustomerRow,
    kind: CommandKind,
    speed: Option<SpeedBps>,
    requester: &Requester,
) -> Result<CommandRow, RequestError> {
    let mut params = if kind == CommandKind::ChangeSpeed {
        let speed = match speed {
            Some(speed) => speed,
            None => package_speed(state, customer).await?,
        };
        json!({ "download_bps": speed.download_bps, "upload_bps": speed.upload_bps })
    } else {
        json!({})
    };
    if matches!(kind, CommandKind::ChangeSpeed | CommandKind::Disconnect) {
        if let Some(session) = open_session(state, customer).await? {
            params["session"] = session;
        }
    }
    queue_with_params(state, customer, kind, params, requester).await
}

/// What accounting knows of the customer's newest open session on their PPPoE username:
/// Acct-Session-Id, Framed-IP-Address and NAS-IP-Address, so the BRAS is asked about that one
/// session. `None` when no session is open.
async fn open_session(
    state: &AppState,
    customer: &CustomerRow,
) -> Result<Option<serde_json::Value>, RequestError> {
    let Some(username) = customer.pppoe_username.as_deref() else {
        return Ok(None);
    };
    let filter = OnlineFilter {
        customer_id: Some(customer.id.clone()),
        ..OnlineFilter::default()
    };
    let open = state
        .store
        .online_sessions(
            &filter,
            Page {
                limit: 20,
                offset: 0,
            },
        )
        .await?;
    Ok(open
        .rows
        .into_iter()
        .find(|s| s.username == username)
        .map(|s| {
            json!({
                "acct_session_id": s.acct_session_id,
                "framed_ip": s.framed_ip_address,
                "nas_ip": s.nas_ip_address,
            })
        }))
}

/// Queues a command with its kind's parameters as given and wakes the agent connections.
pub async fn queue_with_params(
    state: &AppState,
    customer: &CustomerRow,
    kind: CommandKind,
    params: serde_json::Value,
    requester: &Requester,
) -> Result<CommandRow, RequestError> {
    let target = target_of(kind, customer)?;
    let command = state
        .store
        .insert_command(&NewCommand {
            kind: kind.as_str().to_owned(),
            requester_kind: requester.kind.to_owned(),
            requester_id: requester.id.clone(),
            customer_id: Some(customer.id.clone()),
            device_id: target.device_id,
            target: target.text,
            params: params.to_string(),
        })
        .await?;
    state.commands.wake();
    Ok(command)
}

/// Sets the customer's session to their package's speed: the step after staff approve a
/// package change.
pub async fn change_speed_to_package(
    state: &AppState,
    customer: &CustomerRow,
    requester: &Requester,
) -> Result<CommandRow, RequestError> {
    queue(state, customer, CommandKind::ChangeSpeed, None, requester).await
}
