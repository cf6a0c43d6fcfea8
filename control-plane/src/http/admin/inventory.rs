//! What agents report, for the NOC: `GET /agents/{id}/inventory` (the devices an agent polls,
//! matched to the devices staff configured, and the configured ones no agent polls) and
//! `GET /devices/{id}/interfaces` (a configured device's interfaces as last reported, with the
//! subscriber behind each `<pppoe-USER>` interface and their current rate).

use std::collections::HashMap;

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::StaffRole;
use crate::http::extract::{optional_text, page_limit, ApiQuery};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::inventory::matching::{configured_match, ConfiguredDevice, MatchedBy};
use crate::store::devices::DeviceRow;
use crate::store::inventory::{InventoryDeviceRow, InventoryInterfaceRow};

/// Read-only views: admin, noc and support.
const READERS: &[StaffRole] = &[StaffRole::Noc, StaffRole::Support];

/// The configured device a reported one was matched to.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfiguredMatch {
    /// The device's id under `/devices`.
    pub id: String,
    pub name: String,
    /// `id`, `name` or `management_address`.
    pub matched_by: String,
}

/// A device as an agent reports it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportedDeviceRecord {
    /// The device's id in the agent's configuration.
    pub device_id: String,
    /// `olt`, `bras`, `router`, `switch` or `other`.
    pub kind: String,
    /// Vendor profile the agent polls it with.
    pub profile: String,
    pub management_address: String,
    /// Interfaces in the newest Inventory that listed the device.
    pub interface_count: i64,
    pub first_seen: String,
    /// When an Inventory last listed the device.
    pub last_seen: String,
    /// Set once a later Inventory no longer listed the device.
    pub gone_at: Option<String>,
    /// The staff-configured device this is; null when none matches by id, name or address.
    pub configured: Option<ConfiguredMatch>,
}

/// A device staff configured at the agent's site that no agent of the site reports now.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreportedDevice {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub mgmt_address: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentInventory {
    pub agent_id: String,
    pub agent_name: String,
    pub site_id: String,
    /// Connected to this control-plane process now.
    pub connected: bool,
    pub revoked_at: Option<String>,
    /// When the agent's newest Inventory was stored; null if it never sent one.
    pub received_at: Option<String>,
    /// Devices reported now first, then those gone, by device id.
    pub devices: Vec<ReportedDeviceRecord>,
    /// Configured at the agent's site but reported by none of the site's agents (revoked ones
    /// left aside): not polled.
    pub unreported_devices: Vec<UnreportedDevice>,
}

/// The agent whose inventory a device's interfaces come from.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportingAgent {
    pub agent_id: String,
    pub agent_name: String,
    /// The device's id in that agent's configuration.
    pub device_id: String,
    /// `id`, `name` or `management_address`.
    pub matched_by: String,
    pub last_seen: String,
    /// Set when the agent no longer reports the device; the interfaces are its last report.
    pub gone_at: Option<String>,
    /// Set when the agent's token was revoked: it reports nothing any more.
    pub agent_revoked_at: Option<String>,
}

/// The customer whose PPPoE session an interface is.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterfaceSubscriber {
    pub customer_id: String,
    pub customer_code: String,
    pub name: String,
    pub pppoe_username: String,
    /// The subscriber's download now, in bits per second; null without a recent sample.
    pub rx_bps: Option<u64>,
    /// The subscriber's upload now, in bits per second; null without a recent sample.
    pub tx_bps: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InterfaceRecord {
    pub if_index: i64,
    /// The name as the device reports it (at most 255 characters).
    pub if_name: String,
    /// Nominal speed, when the device reports one.
    pub speed_bps: Option<i64>,
    /// When this ifIndex was first reported with this name.
    pub first_seen: String,
    /// For a `<pppoe-USER>` interface whose username belongs to a customer.
    pub subscriber: Option<InterfaceSubscriber>,
}

/// A page that continues after a cursor.
#[derive(Debug, Serialize, ToSchema)]
pub struct CursorPagination {
    /// Interfaces matching the search, on every page.
    pub total: i64,
    pub limit: i64,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceInterfaces {
    pub device_id: String,
    pub device_name: String,
    /// Null when no agent of the device's site reports it: nothing polls it.
    pub reported_by: Option<ReportingAgent>,
    /// By ifIndex.
    pub interfaces: Vec<InterfaceRecord>,
    pub pagination: CursorPagination,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InterfaceQuery {
    /// Part of the interface name, e.g. `pppoe-rahim` (at most 100 characters).
    pub search: Option<String>,
    /// Number of interfaces (default 20, at most 100).
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn configured_view(row: &DeviceRow) -> ConfiguredDevice<'_> {
    ConfiguredDevice {
        id: &row.id,
        name: &row.name,
        mgmt_address: row.mgmt_address.as_deref(),
    }
}

fn reported_record(
    row: InventoryDeviceRow,
    configured: Option<(&DeviceRow, MatchedBy)>,
) -> ReportedDeviceRecord {
    ReportedDeviceRecord {
        configured: configured.map(|(device, by)| ConfiguredMatch {
            id: device.id.clone(),
            name: device.name.clone(),
            matched_by: by.as_str().to_owned(),
        }),
        device_id: row.device_id,
        kind: row.kind,
        profile: row.profile,
        management_address: row.management_address,
        interface_count: row.interface_count,
        first_seen: row.first_seen,
        last_seen: row.last_seen,
        gone_at: row.gone_at,
    }
}

#[utoipa::path(get, path = "/agents/{id}/inventory", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Agent id")),
    responses(
        (status = 200, description = "The devices the agent reports, matched to configured devices, and the site's configured devices no agent reports", body = Envelope<AgentInventory>),
        (status = 401, description = "Missing, invalid or expired staff token", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such agent", body = ErrorBody),
    ))]
pub async fn agent_inventory(
    State(state): State<AppState>,
    auth: StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<AgentInventory> {
    auth.require(READERS)?;
    let agent = state
        .store
        .agent(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "agent"))?;
    let received = state.store.agent_inventory(&agent.id).await?;
    let configured_rows = state.store.devices_at_site(&agent.site_id).await?;
    let configured: Vec<ConfiguredDevice<'_>> =
        configured_rows.iter().map(configured_view).collect();
    let mut reported_now = vec![false; configured.len()];
    let mut devices = Vec::new();
    for row in state
        .store
        .inventory_devices_at_site(&agent.site_id)
        .await?
    {
        let matched = configured_match(&row.device_id, &row.management_address, &configured);
        // A revoked agent polls nothing any more, whatever it last reported.
        if row.gone_at.is_none() && row.agent_revoked_at.is_none() {
            if let Some((i, _)) = matched {
                reported_now[i] = true;
            }
        }
        if row.agent_id == agent.id {
            let matched = matched.map(|(i, by)| (&configured_rows[i], by));
            devices.push(reported_record(row, matched));
        }
    }
    let unreported_devices = configured_rows
        .iter()
        .zip(reported_now)
        .filter(|(_, reported)| !reported)
        .map(|(device, _)| UnreportedDevice {
            id: device.id.clone(),
            name: device.name.clone(),
            kind: device.kind.clone(),
            mgmt_address: device.mgmt_address.clone(),
        })
        .collect();
    let connected =
        agent.revoked_at.is_none() && state.ingest.agents.connected().contains_key(&agent.id);
    ok(AgentInventory {
        connected,
        revoked_at: agent.revoked_at,
        agent_id: agent.id,
        agent_name: agent.name,
        site_id: agent.site_id,
        received_at: received.map(|r| r.received_at),
        devices,
        unreported_devices,
    })
}

/// `cursor` is the last ifIndex of the previous page.
fn parse_cursor(cursor: Option<String>) -> Result<Option<i64>, ApiError> {
    match cursor.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse::<u32>()
            .map(|if_index| Some(i64::from(if_index)))
            .map_err(|_| {
                ApiError::bad_request("cursor must be the next_cursor of a previous page")
            }),
    }
}

/// Which agent's report describes `device`: one still reporting it before one that stopped
/// (or was revoked), then the closest match (id, name, address), then the newest report.
fn reporting_source<'a>(
    device: &DeviceRow,
    configured: &[ConfiguredDevice<'_>],
    reported: &'a [InventoryDeviceRow],
) -> Option<(&'a InventoryDeviceRow, MatchedBy)> {
    reported
        .iter()
        .filter_map(|row| {
            let (i, by) = configured_match(&row.device_id, &row.management_address, configured)?;
            (configured[i].id == device.id).then_some((row, by))
        })
        .min_by(|(a, a_by), (b, b_by)| {
            let stopped =
                |row: &InventoryDeviceRow| row.gone_at.is_some() || row.agent_revoked_at.is_some();
            (stopped(a), a_by)
                .cmp(&(stopped(b), b_by))
                .then_with(|| b.last_seen.cmp(&a.last_seen))
        })
}

fn interface_record(
    state: &AppState,
    row: InventoryInterfaceRow,
    subscribers: &HashMap<String, crate::store::customers::PppoeSubscriberRow>,
) -> InterfaceRecord {
    let subscriber = proto::pppoe_username_of_interface(&row.if_name)
        .and_then(|username| subscribers.get(username))
        .map(|customer| {
            let rates = state.live.current_rates(&customer.customer_id);
            InterfaceSubscriber {
                customer_id: customer.customer_id.clone(),
                customer_code: customer.customer_code.clone(),
                name: customer.name.clone(),
                pppoe_username: customer.pppoe_username.clone(),
                rx_bps: rates.map(|r| r.rx_bps),
                tx_bps: rates.map(|r| r.tx_bps),
            }
        });
    InterfaceRecord {
        if_index: row.if_index,
        if_name: row.if_name,
        speed_bps: row.speed_bps,
        first_seen: row.first_seen,
        subscriber,
    }
}

#[utoipa::path(get, path = "/devices/{id}/interfaces", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Device id"), InterfaceQuery),
    responses(
        (status = 200, description = "The device's interfaces as last reported by an agent of its site, by ifIndex", body = Envelope<DeviceInterfaces>),
        (status = 400, description = "Invalid limit, cursor or search", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired staff token", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such device", body = ErrorBody),
    ))]
pub async fn device_interfaces(
    State(state): State<AppState>,
    auth: StaffAuth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<InterfaceQuery>,
) -> ApiResult<DeviceInterfaces> {
    auth.require(READERS)?;
    let limit = page_limit(q.limit.as_deref())?;
    let search = optional_text("search", q.search, 100)?;
    let after_if_index = parse_cursor(q.cursor)?;
    let device = state
        .store
        .device(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "device"))?;
    let configured_rows = state.store.devices_at_site(&device.site_id).await?;
    let configured: Vec<ConfiguredDevice<'_>> =
        configured_rows.iter().map(configured_view).collect();
    let reported = state
        .store
        .inventory_devices_at_site(&device.site_id)
        .await?;
    let Some((source, matched_by)) = reporting_source(&device, &configured, &reported) else {
        return ok(DeviceInterfaces {
            device_id: device.id,
            device_name: device.name,
            reported_by: None,
            interfaces: Vec::new(),
            pagination: CursorPagination {
                total: 0,
                limit,
                next_cursor: None,
            },
        });
    };
    // One row more than asked tells whether another page follows.
    let mut page = state
        .store
        .inventory_interfaces(
            &source.agent_id,
            &source.device_id,
            search.as_deref(),
            after_if_index,
            limit + 1,
        )
        .await?;
    let more = page.rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    page.rows
        .truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = if more {
        page.rows.last().map(|r| r.if_index.to_string())
    } else {
        None
    };
    let usernames: Vec<&str> = page
        .rows
        .iter()
        .filter_map(|r| proto::pppoe_username_of_interface(&r.if_name))
        .collect();
    let subscribers: HashMap<String, _> = state
        .store
        .customers_by_pppoe_usernames(&usernames)
        .await?
        .into_iter()
        .map(|c| (c.pppoe_username.clone(), c))
        .collect();
    let interfaces = page
        .rows
        .into_iter()
        .map(|row| interface_record(&state, row, &subscribers))
        .collect();
    ok(DeviceInterfaces {
        device_id: device.id,
        device_name: device.name,
        reported_by: Some(ReportingAgent {
            agent_id: source.agent_id.clone(),
            agent_name: source.agent_name.clone(),
            device_id: source.device_id.clone(),
            matched_by: matched_by.as_str().to_owned(),
            last_seen: source.last_seen.clone(),
            gone_at: source.gone_at.clone(),
            agent_revoked_at: source.agent_revoked_at.clone(),
        }),
        interfaces,
        pagination: CursorPagination {
            total: page.total,
            limit,
            next_cursor,
        },
    })
}
