//! Staff device actions on a customer: disconnect the session, reboot the ONU or the router,
//! change the session's speed (by default to the customer's package). Each is audited and
//! goes to the site's agent like a subscriber's request.

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::activity::{command_record, CommandRecord};
use crate::commands::request::{self, RequestError, Requester, SpeedBps};
use crate::domain::{CommandKind, StaffRole};
use crate::http::audit::{self, Actor};
use crate::http::extract::{required_text, ApiJson, ClientIp};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;

const ROLES: &[StaffRole] = &[StaffRole::Admin, StaffRole::Noc];

/// The kinds staff may queue from this endpoint.
const STAFF_KINDS: &[CommandKind] = &[
    CommandKind::Disconnect,
    CommandKind::RebootOnu,
    CommandKind::RebootRouter,
    CommandKind::ChangeSpeed,
];

#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffCommandBody {
    /// `disconnect`, `reboot_onu`, `reboot_router` or `change_speed`.
    pub kind: Option<String>,
    /// For `change_speed`: the new download rate; the customer's package when both are absent.
    pub download_mbps: Option<f64>,
    /// For `change_speed`: the new upload rate.
    pub upload_mbps: Option<f64>,
}

impl From<RequestError> for ApiError {
    fn from(err: RequestError) -> Self {
        match err {
            RequestError::Store(err) => ApiError::from(err),
            other => ApiError::bad_request(other.to_string()),
        }
    }
}

fn bps(field: &str, mbps: f64) -> Result<u64, ApiError> {
    let bps = (mbps * 1_000_000.0).round();
    if mbps.is_finite() && (1.0..=1.0e12).contains(&bps) {
        Ok(bps as u64)
    } else {
        Err(ApiError::bad_request(format!(
            "{field} must be a positive number of megabits per second, at most 1000000"
        )))
    }
}

/// The explicit rate of a change of speed; `None` means the package's.
fn explicit_speed(body: &StaffCommandBody) -> Result<Option<SpeedBps>, ApiError> {
    match (body.download_mbps, body.upload_mbps) {
        (None, None) => Ok(None),
        (Some(down), Some(up)) => Ok(Some(SpeedBps {
            download_bps: bps("download_mbps", down)?,
            upload_bps: bps("upload_mbps", up)?,
        })),
        _ => Err(ApiError::bad_request(
            "give both download_mbps and upload_mbps, or neither for the package's speeds",
        )),
    }
}

#[utoipa::path(post, path = "/customers/{id}/commands", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = StaffCommandBody,
    responses(
        (status = 200, description = "Command queued for the site's agent", body = Envelope<CommandRecord>),
        (status = 400, description = "Unknown kind, bad speed, or nothing on file to act on", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StaffCommandBody>,
) -> ApiResult<CommandRecord> {
    auth.require(ROLES)?;
    let kind_text = required_text("kind", body.kind.clone(), 32)?;
    let kind = CommandKind::parse(&kind_text)
        .ok()
        .filter(|k| STAFF_KINDS.contains(k))
        .ok_or_else(|| {
            ApiError::bad_request(
                "kind must be one of: disconnect, reboot_onu, reboot_router, change_speed",
            )
        })?;
    let speed = match kind {
        CommandKind::ChangeSpeed => explicit_speed(&body)?,
        _ if body.download_mbps.is_some() || body.upload_mbps.is_some() => {
            return Err(ApiError::bad_request(
                "download_mbps and upload_mbps belong to change_speed only",
            ))
        }
        _ => None,
    };
    let customer = state
        .store
        .customer(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    let requester = Requester {
        kind: "staff",
        id: auth.staff_id.clone(),
    };
    let command = request::queue(&state, &customer, kind, speed, &requester).await?;
    let params: serde_json::Value =
        serde_json::from_str(&command.params).unwrap_or(serde_json::Value::Null);
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        &format!("device.{}", kind.as_str()),
        "device_command",
        Some(&command.id),
        json!({ "customer_id": customer.id, "target": command.target, "params": params }),
    )
    .await?;
    ok_with(
        command_record(command),
        "Command queued for the site's agent",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(mbps: f64, expected: Option<u64>) {
        assert_eq!(bps("download_mbps", mbps).ok(), expected);
    }

    #[test]
    fn megabits_become_bits() {
        check(50.0, Some(50_000_000));
        check(12.5, Some(12_500_000));
        check(0.0, None);
        check(-1.0, None);
        check(f64::NAN, None);
        check(2.0e6, None);
    }
}
