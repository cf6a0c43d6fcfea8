//! Sites and the devices at each site.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::{finish_delete, Deleted};
use crate::domain::{DeviceKind, StaffRole};
use crate::http::audit::{self, Actor};
use crate::http::extract::{
    non_empty, optional_text, required_text, ApiJson, ApiQuery, ClientIp, PageQuery,
};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::store::devices::{DeviceFields, DeviceRow, SiteRow};

#[derive(Debug, Serialize, ToSchema)]
pub struct SiteRecord {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SitesPage {
    pub sites: Vec<SiteRecord>,
    pub pagination: Pagination,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SiteBody {
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceRecord {
    pub id: String,
    pub site_id: String,
    pub name: String,
    /// `olt`, `bras`, `router`, `switch` or `cpe`.
    pub kind: String,
    pub vendor: Option<String>,
    pub model: Option<String>,
    /// Management address as the site's agent reaches it.
    pub mgmt_address: Option<String>,
    /// Vendor profile name (see config/profiles).
    pub profile: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DevicesPage {
    pub devices: Vec<DeviceRecord>,
    pub pagination: Pagination,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeviceBody {
    pub site_id: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub mgmt_address: Option<String>,
    pub profile: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeviceQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub site_id: Option<String>,
    pub kind: Option<String>,
}

fn site_record(s: SiteRow) -> SiteRecord {
    SiteRecord {
        id: s.id,
        name: s.name,
        description: s.description,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

fn device_record(d: DeviceRow) -> DeviceRecord {
    DeviceRecord {
        id: d.id,
        site_id: d.site_id,
        name: d.name,
        kind: d.kind,
        vendor: d.vendor,
        model: d.model,
        mgmt_address: d.mgmt_address,
        profile: d.profile,
        created_at: d.created_at,
        updated_at: d.updated_at,
    }
}

fn device_fields(body: DeviceBody) -> Result<DeviceFields, ApiError> {
    let kind = required_text("kind", body.kind, 16)?;
    let kind = DeviceKind::parse(&kind).map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(DeviceFields {
        site_id: required_text("site_id", body.site_id, 64)?,
        name: required_text("name", body.name, 120)?,
        kind: kind.as_str().to_owned(),
        vendor: optional_text("vendor", body.vendor, 120)?,
        model: optional_text("model", body.model, 120)?,
        mgmt_address: optional_text("mgmt_address", body.mgmt_address, 255)?,
        profile: optional_text("profile", body.profile, 120)?,
    })
}

const WRITERS: &[StaffRole] = &[StaffRole::Admin, StaffRole::Noc];

#[utoipa::path(post, path = "/sites", tag = "admin", security(("bearer" = [])),
    request_body = SiteBody,
    responses((status = 200, body = Envelope<SiteRecord>), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_site(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<SiteBody>,
) -> ApiResult<SiteRecord> {
    auth.require(WRITERS)?;
    let name = required_text("name", body.name, 120)?;
    let description = optional_text("description", body.description, 1000)?;
    let site = state
        .store
        .insert_site(&name, description.as_deref())
        .await?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "site.create",
        "site",
        Some(&site.id),
        json!({ "name": name }),
    )
    .await?;
    ok_with(site_record(site), "Site created")
}

#[utoipa::path(get, path = "/sites", tag = "admin", security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Envelope<SitesPage>)))]
pub async fn list_sites(
    State(state): State<AppState>,
    _auth: StaffAuth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<SitesPage> {
    let page = q.page()?;
    let sites = state.store.list_sites(page).await?;
    ok(SitesPage {
        sites: sites.rows.into_iter().map(site_record).collect(),
        pagination: Pagination {
            total: sites.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}

#[utoipa::path(get, path = "/sites/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Envelope<SiteRecord>), (status = 404, body = ErrorBody)))]
pub async fn get_site(
    State(state): State<AppState>,
    _auth: StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<SiteRecord> {
    let site = state
        .store
        .site(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "site"))?;
    ok(site_record(site))
}

#[utoipa::path(put, path = "/sites/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = SiteBody,
    responses((status = 200, body = Envelope<SiteRecord>), (status = 404, body = ErrorBody)))]
pub async fn update_site(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SiteBody>,
) -> ApiResult<SiteRecord> {
    auth.require(WRITERS)?;
    let name = required_text("name", body.name, 120)?;
    let description = optional_text("description", body.description, 1000)?;
    let site = state
        .store
        .update_site(&id, &name, description.as_deref())
        .await
        .map_err(|e| ApiError::from_store(e, "site"))?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "site.update",
        "site",
        Some(&id),
        json!({ "name": name }),
    )
    .await?;
    ok_with(site_record(site), "Site updated")
}

#[utoipa::path(delete, path = "/sites/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Envelope<Deleted>), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_site(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Deleted> {
    auth.require(WRITERS)?;
    let deleted = state.store.delete_site(&id).await;
    finish_delete(&state, &auth, &ip, "site", id, deleted).await
}

#[utoipa::path(post, path = "/devices", tag = "admin", security(("bearer" = [])),
    request_body = DeviceBody,
    responses((status = 200, body = Envelope<DeviceRecord>), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_device(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<DeviceBody>,
) -> ApiResult<DeviceRecord> {
    auth.require(WRITERS)?;
    let fields = device_fields(body)?;
    let device = state.store.insert_device(&fields).await?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "device.create",
        "device",
        Some(&device.id),
        json!({ "name": fields.name, "kind": fields.kind, "site_id": fields.site_id }),
    )
    .await?;
    ok_with(device_record(device), "Device created")
}

#[utoipa::path(get, path = "/devices", tag = "admin", security(("bearer" = [])),
    params(DeviceQuery),
    responses((status = 200, body = Envelope<DevicesPage>), (status = 400, body = ErrorBody)))]
pub async fn list_devices(
    State(state): State<AppState>,
    _auth: StaffAuth,
    ApiQuery(q): ApiQuery<DeviceQuery>,
) -> ApiResult<DevicesPage> {
    let page = PageQuery {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let kind = non_empty(q.kind)
        .map(|k| DeviceKind::parse(&k))
        .transpose()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let site_id = non_empty(q.site_id);
    let devices = state
        .store
        .list_devices(site_id.as_deref(), kind.map(DeviceKind::as_str), page)
        .await?;
    ok(DevicesPage {
        devices: devices.rows.into_iter().map(device_record).collect(),
        pagination: Pagination {
            total: devices.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}

#[utoipa::path(get, path = "/devices/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Envelope<DeviceRecord>), (status = 404, body = ErrorBody)))]
pub async fn get_device(
    State(state): State<AppState>,
    _auth: StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<DeviceRecord> {
    let device = state
        .store
        .device(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "device"))?;
    ok(device_record(device))
}

#[utoipa::path(put, path = "/devices/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = DeviceBody,
    responses((status = 200, body = Envelope<DeviceRecord>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_device(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeviceBody>,
) -> ApiResult<DeviceRecord> {
    auth.require(WRITERS)?;
    let fields = device_fields(body)?;
    let device = state
        .store
        .update_device(&id, &fields)
        .await
        .map_err(|e| ApiError::from_store(e, "device"))?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "device.update",
        "device",
        Some(&id),
        json!({ "name": fields.name, "kind": fields.kind, "site_id": fields.site_id }),
    )
    .await?;
    ok_with(device_record(device), "Device updated")
}

#[utoipa::path(delete, path = "/devices/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Envelope<Deleted>), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_device(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Deleted> {
    auth.require(WRITERS)?;
    let deleted = state.store.delete_device(&id).await;
    finish_delete(&state, &auth, &ip, "device", id, deleted).await
}
