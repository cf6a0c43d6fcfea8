//! `GET /noc/devices`: the network's devices by site.

use askama::Template;
use axum::extract::State;

use super::{or_dash, Chrome, StaffSession, PORTAL};
use crate::http::admin::network::{list_devices, list_sites, DeviceQuery};
use crate::http::extract::{ApiQuery, PageQuery};
use crate::http::portal::page::{html, PortalResult};
use crate::http::state::AppState;

pub struct DeviceLine {
    pub name: String,
    pub kind: String,
    pub site: String,
    pub model: String,
    pub address: String,
    pub profile: String,
}

#[derive(Template)]
#[template(path = "noc/devices.html")]
struct DevicesPage {
    chrome: Chrome,
    devices: Vec<DeviceLine>,
}

#[utoipa::path(get, path = "/noc/devices", tag = "portal",
    responses((status = 200, description = "Devices", content_type = "text/html")))]
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
        State(state),
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
            name: d.name,
            kind: d.kind,
        })
        .collect();
    Ok(html(&DevicesPage {
        chrome: Chrome::new("Devices", "/noc/devices", &session),
        devices,
    }))
}
