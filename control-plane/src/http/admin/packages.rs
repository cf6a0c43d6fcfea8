//! Packages: the catalogue staff sell, with type and portal visibility.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::{finish_delete, Deleted};
use crate::domain::{Money, PackageType, SpeedUnit, StaffRole};
use crate::http::amount::Amount;
use crate::http::audit::{self, Actor};
use crate::http::extract::{
    non_empty, optional_text, required_text, ApiJson, ApiQuery, ClientIp, PageQuery,
};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::store::packages::{PackageFields, PackageFilter, PackageRow};

#[derive(Debug, Serialize, ToSchema)]
pub struct PackageRecord {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub package_type: String,
    pub download_speed: i64,
    pub upload_speed: i64,
    pub speed_unit: String,
    pub price: Amount,
    pub validity_days: i64,
    pub portal_visible: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PackagesPage {
    pub packages: Vec<PackageRecord>,
    pub pagination: Pagination,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PackageBody {
    pub name: Option<String>,
    pub description: Option<String>,
    /// `internet` (default), `voice`, `recurring` or `bundle`.
    #[serde(rename = "type")]
    pub package_type: Option<String>,
    pub download_speed: Option<i64>,
    pub upload_speed: Option<i64>,
    /// `kbps`, `mbps` (default) or `gbps`.
    pub speed_unit: Option<String>,
    /// Price in currency units.
    #[schema(value_type = f64)]
    pub price: Option<serde_json::Value>,
    /// Days of service one payment buys (default 30).
    pub validity_days: Option<i64>,
    /// Offered to subscribers in the portal (default true).
    pub portal_visible: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PackageQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub q: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub package_type: Option<String>,
    /// `true` or `false`.
    pub portal_visible: Option<String>,
}

pub fn record(p: PackageRow) -> PackageRecord {
    PackageRecord {
        id: p.id,
        name: p.name,
        description: p.description,
        package_type: p.package_type,
        download_speed: p.download_speed,
        upload_speed: p.upload_speed,
        speed_unit: p.speed_unit,
        price: Amount::minor(p.price_minor),
        validity_days: p.validity_days,
        portal_visible: p.portal_visible != 0,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

fn fields(body: PackageBody) -> Result<PackageFields, ApiError> {
    let bad = |e: crate::domain::enums::UnknownValue| ApiError::bad_request(e.to_string());
    let package_type = match non_empty(body.package_type) {
        None => PackageType::Internet,
        Some(t) => PackageType::parse(&t).map_err(bad)?,
    };
    let speed_unit = match non_empty(body.speed_unit) {
        None => SpeedUnit::Mbps,
        Some(u) => SpeedUnit::parse(&u).map_err(bad)?,
    };
    let speed = |name: &str, v: Option<i64>| match v {
        Some(n) if (0..=1_000_000).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::bad_request(format!(
            "{name} must be from 0 to 1000000"
        ))),
        None => Err(ApiError::bad_request(format!("{name} is required"))),
    };
    let price = body
        .price
        .ok_or_else(|| ApiError::bad_request("price is required"))?;
    let price =
        Money::from_json(&price).map_err(|e| ApiError::bad_request(format!("price: {e}")))?;
    let validity_days = body.validity_days.unwrap_or(30);
    if !(1..=3660).contains(&validity_days) {
        return Err(ApiError::bad_request(
            "validity_days must be from 1 to 3660",
        ));
    }
    Ok(PackageFields {
        name: required_text("name", body.name, 120)?,
        description: optional_text("description", body.description, 1000)?,
        package_type: package_type.as_str().to_owned(),
        download_speed: speed("download_speed", body.download_speed)?,
        upload_speed: speed("upload_speed", body.upload_speed)?,
        speed_unit: speed_unit.as_str().to_owned(),
        price_minor: price.minor(),
        validity_days,
        portal_visible: body.portal_visible.unwrap_or(true),
    })
}

const WRITERS: &[StaffRole] = &[StaffRole::Admin];

#[utoipa::path(post, path = "/packages", tag = "admin", security(("bearer" = [])),
    request_body = PackageBody,
    responses((status = 200, body = Envelope<PackageRecord>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<PackageBody>,
) -> ApiResult<PackageRecord> {
    auth.require(WRITERS)?;
    let fields = fields(body)?;
    let package = state.store.insert_package(&fields).await?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "package.create",
        "package",
        Some(&package.id),
        json!({ "name": package.name, "price_minor": package.price_minor }),
    )
    .await?;
    ok_with(record(package), "Package created")
}

#[utoipa::path(get, path = "/packages", tag = "admin", security(("bearer" = [])),
    params(PackageQuery),
    responses((status = 200, body = Envelope<PackagesPage>), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _auth: StaffAuth,
    ApiQuery(q): ApiQuery<PackageQuery>,
) -> ApiResult<PackagesPage> {
    let page = PageQuery {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let package_type = non_empty(q.package_type)
        .map(|t| PackageType::parse(&t))
        .transpose()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let portal_visible = match non_empty(q.portal_visible).as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            return Err(ApiError::bad_request(
                "portal_visible must be true or false",
            ))
        }
    };
    let filter = PackageFilter {
        search: non_empty(q.q),
        package_type: package_type.map(|t| t.as_str().to_owned()),
        portal_visible,
    };
    let packages = state.store.list_packages(&filter, page).await?;
    ok(PackagesPage {
        packages: packages.rows.into_iter().map(record).collect(),
        pagination: Pagination {
            total: packages.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}

#[utoipa::path(get, path = "/packages/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Envelope<PackageRecord>), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _auth: StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<PackageRecord> {
    let package = state
        .store
        .package(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "package"))?;
    ok(record(package))
}

#[utoipa::path(put, path = "/packages/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PackageBody,
    responses((status = 200, body = Envelope<PackageRecord>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PackageBody>,
) -> ApiResult<PackageRecord> {
    auth.require(WRITERS)?;
    let fields = fields(body)?;
    let package = state
        .store
        .update_package(&id, &fields)
        .await
        .map_err(|e| ApiError::from_store(e, "package"))?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "package.update",
        "package",
        Some(&id),
        json!({ "name": package.name, "price_minor": package.price_minor }),
    )
    .await?;
    ok_with(record(package), "Package updated")
}

#[utoipa::path(delete, path = "/packages/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Envelope<Deleted>), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Deleted> {
    auth.require(WRITERS)?;
    let deleted = state.store.delete_package(&id).await;
    finish_delete(&state, &auth, &ip, "package", id, deleted).await
}
