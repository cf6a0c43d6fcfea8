//! Areas: create, list (paged, searchable), read, replace and delete.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::domain::StaffRole;
use crate::http::audit::{self, Actor};
use crate::http::extract::{
    non_empty, optional_text, required_text, ApiJson, ApiQuery, ClientIp, PageQuery,
};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::store::areas::{AreaFields, AreaRow};

use super::{finish_delete, Deleted};

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaRecord {
    pub id: String,
    pub name: String,
    pub district: Option<String>,
    pub upazila: Option<String>,
    pub union_name: Option<String>,
    pub village: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreasPage {
    pub areas: Vec<AreaRecord>,
    pub pagination: Pagination,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AreaBody {
    pub name: Option<String>,
    pub district: Option<String>,
    pub upazila: Option<String>,
    pub union_name: Option<String>,
    pub village: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// Text found in the name, upazila or village.
    pub q: Option<String>,
    pub district: Option<String>,
}

fn record(a: AreaRow) -> AreaRecord {
    AreaRecord {
        id: a.id,
        name: a.name,
        district: a.district,
        upazila: a.upazila,
        union_name: a.union_name,
        village: a.village,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

fn fields(body: AreaBody) -> Result<AreaFields, ApiError> {
    Ok(AreaFields {
        name: required_text("name", body.name, 120)?,
        district: optional_text("district", body.district, 120)?,
        upazila: optional_text("upazila", body.upazila, 120)?,
        union_name: optional_text("union_name", body.union_name, 120)?,
        village: optional_text("village", body.village, 120)?,
    })
}

const WRITERS: &[StaffRole] = &[StaffRole::Admin];

#[utoipa::path(post, path = "/areas", tag = "admin", security(("bearer" = [])),
    request_body = AreaBody,
    responses(
        (status = 200, description = "Area created", body = Envelope<AreaRecord>),
        (status = 400, description = "Invalid field", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<AreaBody>,
) -> ApiResult<AreaRecord> {
    auth.require(WRITERS)?;
    let fields = fields(body)?;
    let area = state.store.insert_area(&fields).await?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "area.create",
        "area",
        Some(&area.id),
        json!({ "name": area.name }),
    )
    .await?;
    ok_with(record(area), "Area created")
}

#[utoipa::path(get, path = "/areas", tag = "admin", security(("bearer" = [])),
    params(AreaQuery),
    responses((status = 200, description = "Areas by name", body = Envelope<AreasPage>)))]
pub async fn list(
    State(state): State<AppState>,
    _auth: StaffAuth,
    ApiQuery(q): ApiQuery<AreaQuery>,
) -> ApiResult<AreasPage> {
    let page = PageQuery {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let search = non_empty(q.q);
    let district = non_empty(q.district);
    let areas = state
        .store
        .list_areas(search.as_deref(), district.as_deref(), page)
        .await?;
    ok(AreasPage {
        areas: areas.rows.into_iter().map(record).collect(),
        pagination: Pagination {
            total: areas.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}

#[utoipa::path(get, path = "/areas/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Envelope<AreaRecord>), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _auth: StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<AreaRecord> {
    let area = state
        .store
        .area(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "area"))?;
    ok(record(area))
}

#[utoipa::path(put, path = "/areas/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AreaBody,
    responses((status = 200, body = Envelope<AreaRecord>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AreaBody>,
) -> ApiResult<AreaRecord> {
    auth.require(WRITERS)?;
    let fields = fields(body)?;
    let area = state
        .store
        .update_area(&id, &fields)
        .await
        .map_err(|e| ApiError::from_store(e, "area"))?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "area.update",
        "area",
        Some(&id),
        json!({ "name": area.name }),
    )
    .await?;
    ok_with(record(area), "Area updated")
}

#[utoipa::path(delete, path = "/areas/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Envelope<Deleted>), (status = 404, body = ErrorBody), (status = 409, description = "Area in use", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Deleted> {
    auth.require(WRITERS)?;
    let deleted = state.store.delete_area(&id).await;
    finish_delete(&state, &auth, &ip, "area", id, deleted).await
}
