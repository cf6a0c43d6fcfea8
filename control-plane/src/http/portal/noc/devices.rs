//! `GET /noc/devices`: the network's devices by site, with each device's poll health for the
//! roles that read agents (`poll_health.rs`), and the BGP change link on routers and BRAS for
//! the NOC.

use askama::Template;
use axum::extract::State;

use super::poll_health::{poll_health, reports_by_device, DeviceReport, PollHealth};
use super::{or_dash, Chrome, StaffSession, ACTION_ROLES, AGENT_ROLES, PORTAL};
use crate::http::admin::agents::list as list_agents;
use crate::http::admin::inventory::agent_inventory;
use crate::http::admin::network::{list_devices, list_sites, DeviceQuery};
use crate::http::extract::{ApiQuery, PageQuery};
use crate::http::portal::page::{html, PortalResult};
use crate::http::response::ApiError;
use crate::http::state::AppState;

pub struct DeviceLine {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub site: String,
    pub model: String,
    pub address: String,
    pub profile: String,
    pub health: Option<PollHealth>,
    pub speaks_bgp: bool,
}

#[derive(Template)]
#[template(path = "noc/devices.html")]
struct DevicesPage {
    chrome: Chrome,
    devices: Vec<DeviceLine>,
    shows_health: bool,
    may_change_bgp: bool,
}

/// Every configured device's reports from the agents' inventories (revoked agents left out).
async fn device_reports(
    state: &AppState,
    session: &StaffSession,
) -> Result<std::collections::HashMap<String, Vec<DeviceReport>>, ApiError> {
    let agents = list_agents(State(state.clone()), session.auth.clone())
        .await?
        .0
        .data;
    let mut inventories = Vec::new();
    for agent in agents.into_iter().filter(|a| a.revoked_at.is_none()) {
        let inventory = agent_inventory(
            State(state.clone()),
            session.auth.clone(),
            axum::extract::Path(agent.id),
        )
        .await?
        .0
        .data;
        inventories.push((inventory, agent.last_seen_at));
    }
    Ok(reports_by_device(inventories))
}

#[utoipa::path(get, path = "/noc/devices", tag = "portal",
    responses((status = 200, description = "Devices and their poll health", content_type = "text/html")))]
pub async fn devices(State(state): State<AppState>, session: StaffSession) -> PortalResult {
    let err = |e| PORTAL.error(e);
    let devices = list_devices(
        State(state.clone()),
        session.auth.clone(),
        ApiQuery(DeviceQuery {
            limit: Some("100".into()),
            offset: None,
            site_id: None,
            kind: None,
        }),
    )
    .await
    .map_err(err)?
    .0
    .data
    .devices;
    let sites = list_sites(
        State(state.clone()),
        session.auth.clone(),
        ApiQuery(PageQuery {
            limit: Some("100".into()),
            offset: None,
        }),
    )
    .await
    .map_err(err)?
    .0
    .data
    .sites;
    let shows_health = session.may(AGENT_ROLES);
    let reports = if shows_health {
        Some(device_reports(&state, &session).await.map_err(err)?)
    } else {
        None
    };
    let devices = devices
        .into_iter()
        .map(|d| DeviceLine {
            site: sites
                .iter()
                .find(|s| s.id == d.site_id)
                .map_or_else(|| d.site_id.clone(), |s| s.name.clone()),
            model: [d.vendor, d.model]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            address: or_dash(d.mgmt_address),
            profile: or_dash(d.profile),
            health: reports
                .as_ref()
                .map(|r| poll_health(r.get(&d.id).map_or(&[][..], Vec::as_slice))),
            speaks_bgp: matches!(d.kind.as_str(), "router" | "bras"),
            id: d.id,
            name: d.name,
            kind: d.kind,
        })
        .collect();
    Ok(html(&DevicesPage {
        chrome: Chrome::new("Devices", "/noc/devices", &session),
        devices,
        shows_health,
        may_change_bgp: session.may(ACTION_ROLES),
    }))
}
