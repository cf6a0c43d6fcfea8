//! Staff BGP peering changes on a router: `POST /devices/{id}/bgp-peers` checks the change,
//! queues it for the site's agent, and audits it. Its progress and the agent's verdict
//! (succeeded, rolled back with the reason, failed) show in the staff command views.

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use utoipa::ToSchema;

use super::activity::{command_record, CommandRecord};
use crate::domain::bgp_peering::{BgpPeerRequest, PeeringChange};
use crate::domain::{CommandKind, DeviceKind, StaffRole};
use crate::http::audit::{self, Actor};
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::store::commands::NewCommand;

const ROLES: &[StaffRole] = &[StaffRole::Admin, StaffRole::Noc];

/// The device kinds that speak BGP.
const BGP_SPEAKERS: &[DeviceKind] = &[DeviceKind::Router, DeviceKind::Bras];

/// A peering change. Every value is checked; a wrong one is a `422` naming the field.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BgpPeerBody {
    /// The neighbor's IPv4 or IPv6 address.
    #[schema(value_type = String, example = "192.0.2.1")]
    pub peer_ip: Option<Value>,
    /// What to change, by `action`:
    /// `{"action": "add", "remote_as": 65002, "max_prefixes": 1000, "import_policy": "TRANSIT-IN", "export_policy": "TRANSIT-OUT"}`
    /// (only `remote_as` required; `max_prefixes` null or absent for no limit);
    /// `{"action": "enable"}`, `{"action": "shutdown"}`, `{"action": "remove"}`;
    /// `{"action": "set_prefix_limit", "max_prefixes": 500}` (null removes the limit);
    /// `{"action": "set_policy", "import_policy": "IN", "export_policy": null}` (both keys
    /// required; null removes that direction's policy). Policy names are route-maps (FRR) or
    /// filters (BIRD): letters, digits, `_` and `-`, starting with a letter.
    #[schema(value_type = Object)]
    pub change: Option<Value>,
    /// Only work out the router commands against its current state and report them; change
    /// nothing. Default false.
    #[schema(value_type = Option<bool>)]
    pub dry_run: Option<Value>,
    /// The customer the peering serves (a business customer's BGP session), counted in their
    /// `/usage-stats` against the plan's `bgp_peerings_limit`. Absent for the ISP's own peers.
    pub customer_id: Option<String>,
    /// Any other key, refused so a misspelt field is never silently ignored.
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Map<String, Value>,
}

impl BgpPeerBody {
    fn into_json(self) -> Value {
        let mut body = self.other;
        for (key, value) in [
            ("peer_ip", self.peer_ip),
            ("change", self.change),
            ("dry_run", self.dry_run),
        ] {
            if let Some(value) = value {
                body.insert(key.to_owned(), value);
            }
        }
        Value::Object(body)
    }
}

#[utoipa::path(post, path = "/devices/{id}/bgp-peers", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Device id of the router")),
    request_body = BgpPeerBody,
    responses(
        (status = 200, description = "Change queued for the site's agent; follow it at /admin/commands/{id}", body = Envelope<CommandRecord>),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 403, description = "Role may not do this (admin and noc may)", body = ErrorBody),
        (status = 404, description = "No such device", body = ErrorBody),
        (status = 422, description = "A value is wrong, or the device does not speak BGP; the message names each problem", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BgpPeerBody>,
) -> ApiResult<CommandRecord> {
    auth.require(ROLES)?;
    let device = state
        .store
        .device(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "device"))?;
    let body_customer = crate::http::extract::non_empty(body.customer_id.clone());
    let request = BgpPeerRequest::from_json(&body.into_json())
        .map_err(|problems| ApiError::unprocessable(problems.to_string()))?;
    let speaks_bgp = DeviceKind::parse(&device.kind).is_ok_and(|kind| BGP_SPEAKERS.contains(&kind));
    if !speaks_bgp {
        return Err(ApiError::unprocessable(format!(
            "device {} (kind {}) does not speak BGP; peering changes go to a router or BRAS",
            device.name, device.kind
        )));
    }
    let customer_id = match body_customer {
        Some(customer_id) => Some(
            state
                .store
                .customer(&customer_id)
                .await
                .map_err(|e| match e {
                    crate::store::StoreError::NotFound => {
                        ApiError::unprocessable(format!("customer_id {customer_id} is no customer"))
                    }
                    other => ApiError::from(other),
                })?
                .id,
        ),
        None => None,
    };
    let params = request.to_json();
    let command = state
        .store
        .insert_command(&NewCommand {
            kind: CommandKind::BgpPeerChange.as_str().to_owned(),
            requester_kind: "staff".to_owned(),
            requester_id: auth.staff_id.clone(),
            customer_id: customer_id.clone(),
            device_id: Some(device.id.clone()),
            target: format!("bgp:{} neighbor {}", device.name, request.peer_ip),
            params: params.to_string(),
        })
        .await?;
    state.commands.wake();
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        &format!("device.{}", CommandKind::BgpPeerChange.as_str()),
        "device_command",
        Some(&command.id),
        json!({ "device_id": device.id, "device": device.name, "customer_id": customer_id, "params": params }),
    )
    .await?;
    let message = match (&request.change, request.dry_run) {
        (_, true) => "Dry run queued; the result lists the router commands and changes nothing",
        (PeeringChange::Remove, false) => "Neighbor removal queued for the site's agent",
        _ => "BGP peering change queued for the site's agent",
    };
    ok_with(command_record(command), message)
}
