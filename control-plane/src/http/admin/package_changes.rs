//! Subscribers' package-change requests for staff (admin, billing): the list, paged and by
//! status, and the decision. Approval moves the customer to the package and queues a change of
//! the session's speed to it at the BRAS (a CoA through the site's agent).

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::activity::{command_record, CommandRecord};
use crate::commands::request::{self, RequestError, Requester};
use crate::domain::{PackageChangeStatus, StaffRole};
use crate::http::audit::{self, Actor};
use crate::http::extract::{non_empty, ApiQuery, ClientIp, PageQuery};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::store::package_changes::{PackageChangeDecision, PackageChangeFilter, PackageChangeRow};

const ROLES: &[StaffRole] = &[StaffRole::Admin, StaffRole::Billing];

#[derive(Debug, Serialize, ToSchema)]
pub struct PackageChangeRecord {
    pub id: String,
    pub customer_id: String,
    pub customer_code: String,
    pub customer_name: String,
    pub from_package_id: Option<String>,
    pub from_package_name: Option<String>,
    pub to_package_id: String,
    pub to_package_name: String,
    /// `pending`, `approved`, `rejected` or `cancelled`.
    pub status: String,
    pub created_at: String,
    /// The staff member who decided.
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PackageChangesPage {
    pub requests: Vec<PackageChangeRecord>,
    pub pagination: Pagination,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PackageChangeDecided {
    pub request: PackageChangeRecord,
    /// The change of speed queued for the BRAS on approval.
    pub speed_change: Option<CommandRecord>,
    /// Why no change of speed was queued on approval (e.g. no PPPoE account on file); the
    /// package applies from the subscriber's next login.
    pub speed_change_skipped: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PackageChangeQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// `pending`, `approved`, `rejected` or `cancelled`; all when absent.
    pub status: Option<String>,
    pub customer_id: Option<String>,
}

fn record(r: PackageChangeRow) -> PackageChangeRecord {
    PackageChangeRecord {
        id: r.id,
        customer_id: r.customer_id,
        customer_code: r.customer_code,
        customer_name: r.customer_name,
        from_package_id: r.from_package_id,
        from_package_name: r.from_package_name,
        to_package_id: r.to_package_id,
        to_package_name: r.to_package_name,
        status: r.status,
        created_at: r.created_at,
        decided_by: r.decided_by,
        decided_at: r.decided_at,
    }
}

#[utoipa::path(get, path = "/package-change-requests", tag = "admin", security(("bearer" = [])),
    params(PackageChangeQuery),
    responses(
        (status = 200, description = "Requests, oldest first", body = Envelope<PackageChangesPage>),
        (status = 400, description = "Bad status or paging", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiQuery(q): ApiQuery<PackageChangeQuery>,
) -> ApiResult<PackageChangesPage> {
    auth.require(ROLES)?;
    let page = PageQuery {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let status = non_empty(q.status)
        .map(|s| PackageChangeStatus::parse(&s).map(|s| s.as_str().to_owned()))
        .transpose()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let filter = PackageChangeFilter {
        status,
        customer_id: non_empty(q.customer_id),
    };
    let requests = state.store.list_package_changes(&filter, page).await?;
    ok(PackageChangesPage {
        requests: requests.rows.into_iter().map(record).collect(),
        pagination: Pagination {
            total: requests.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}

#[utoipa::path(post, path = "/package-change-requests/{id}/approve", tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")),
    responses(
        (status = 200, description = "Customer moved to the package; speed change queued", body = Envelope<PackageChangeDecided>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such request", body = ErrorBody),
        (status = 409, description = "The request is no longer pending", body = ErrorBody),
    ))]
pub async fn approve(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<PackageChangeDecided> {
    auth.require(ROLES)?;
    let decided = decide(&state, &auth, &ip, &id, PackageChangeDecision::Approve).await?;
    let customer = state
        .store
        .customer(&decided.customer_id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    let requester = Requester {
        kind: "staff",
        id: auth.staff_id.clone(),
    };
    let (speed_change, skipped) =
        match request::change_speed_to_package(&state, &customer, &requester).await {
            Ok(command) => {
                let params: serde_json::Value =
                    serde_json::from_str(&command.params).unwrap_or(serde_json::Value::Null);
                audit::record(
                    &state,
                    &Actor::staff(&auth, &ip),
                    "device.change_speed",
                    "device_command",
                    Some(&command.id),
                    json!({ "customer_id": customer.id, "target": command.target,
                            "params": params, "package_change_request_id": decided.id }),
                )
                .await?;
                (Some(command_record(command)), None)
            }
            Err(RequestError::Store(err)) => return Err(err.into()),
            Err(why) => (None, Some(why.to_string())),
        };
    let message = if speed_change.is_some() {
        "Package changed; the new speed is on its way to the BRAS"
    } else {
        "Package changed; it applies from the subscriber's next login"
    };
    ok_with(
        PackageChangeDecided {
            request: decided,
            speed_change,
            speed_change_skipped: skipped,
        },
        message,
    )
}

#[utoipa::path(post, path = "/package-change-requests/{id}/reject", tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")),
    responses(
        (status = 200, description = "Request rejected; the customer keeps their package", body = Envelope<PackageChangeDecided>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such request", body = ErrorBody),
        (status = 409, description = "The request is no longer pending", body = ErrorBody),
    ))]
pub async fn reject(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<PackageChangeDecided> {
    auth.require(ROLES)?;
    let decided = decide(&state, &auth, &ip, &id, PackageChangeDecision::Reject).await?;
    ok_with(
        PackageChangeDecided {
            request: decided,
            speed_change: None,
            speed_change_skipped: None,
        },
        "Package change rejected",
    )
}

/// Closes the request in the store and writes its audit entry.
async fn decide(
    state: &AppState,
    auth: &StaffAuth,
    ip: &str,
    id: &str,
    decision: PackageChangeDecision,
) -> Result<PackageChangeRecord, ApiError> {
    let row = state
        .store
        .decide_package_change(id, &auth.staff_id, decision)
        .await
        .map_err(|e| ApiError::from_store(e, "package change request"))?;
    let action = match decision {
        PackageChangeDecision::Approve => "package.change_approve",
        PackageChangeDecision::Reject => "package.change_reject",
    };
    audit::record(
        state,
        &Actor::staff(auth, ip),
        action,
        "package_change_request",
        Some(&row.id),
        json!({ "customer_id": row.customer_id, "from_package_id": row.from_package_id,
                "to_package_id": row.to_package_id }),
    )
    .await?;
    Ok(record(row))
}
