//! Subscribers' package-change requests for staff (admin, billing): the list, paged and by
//! status, and the decision. Approval of a change effective now moves the customer to the
//! package, prorates the current period and queues a change of the session's speed to it at the
//! BRAS (a CoA through the site's agent); a next-cycle change waits for the billing job
//! (`billing/plan_change.rs`).

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::activity::{command_record, CommandRecord};
use crate::billing::plan_change::{package_changed, queue_speed_change};
use crate::commands::request::Requester;
use crate::domain::{PackageChangeStatus, StaffRole};
use crate::http::amount::Amount;
use crate::http::audit::Actor;
use crate::http::extract::{non_empty, ApiQuery, ClientIp, PageQuery};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::store::package_changes::{PackageChangeFilter, PackageChangeRow};
use crate::store::plan_changes::{AdjustmentPolicy, AppliedProration, PlanChangeApproved};
use crate::webhooks::emit::wake;

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
    /// `now` or `next_cycle`.
    pub effective: String,
    /// The day an approved next-cycle change applies (the first day of the next period).
    pub apply_on: Option<String>,
    /// When the customer was moved to the package.
    pub applied_at: Option<String>,
}

/// The money of a change applied in the middle of a billed period.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProrationRecord {
    pub period_start: String,
    pub period_end: String,
    /// Credit for the old package's unused days.
    pub old_unused_credit: Amount,
    /// The new package's price for the rest of the period.
    pub new_remaining_charge: Amount,
    /// Charge minus credit, before tax (negative: the customer is owed).
    pub net: Amount,
    /// The adjustment bill issued for an upgrade.
    pub bill_id: Option<String>,
    pub bill_number: Option<String>,
    /// What a downgrade added to the customer's credit (with tax), used by the next bills.
    pub credited: Amount,
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
    /// The proration of a change applied now within a billed period.
    pub proration: Option<ProrationRecord>,
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
        effective: r.effective,
        apply_on: r.apply_on,
        applied_at: r.applied_at,
    }
}

fn proration_record(p: &AppliedProration) -> ProrationRecord {
    ProrationRecord {
        period_start: crate::domain::time::date_text(p.period.start),
        period_end: crate::domain::time::date_text(p.period.end),
        old_unused_credit: Amount::minor(p.change.old_unused_credit_minor),
        new_remaining_charge: Amount::minor(p.change.new_remaining_charge_minor),
        net: Amount::minor(p.change.net_minor),
        bill_id: p.bill.as_ref().map(|b| b.id.clone()),
        bill_number: p.bill.as_ref().map(|b| b.bill_number.clone()),
        credited: Amount::minor(p.credited_minor),
    }
}

/// The audit entries of an approval: the decision, and the money it moved.
fn approval_audit(actor: &Actor, a: &PlanChangeApproved) -> Vec<crate::store::audit::AuditEntry> {
    let r = &a.request;
    let mut entries = vec![actor.entry(
        "package.change_approve",
        "package_change_request",
        Some(&r.id),
        json!({ "customer_id": r.customer_id, "from_package_id": r.from_package_id,
                "to_package_id": r.to_package_id, "effective": r.effective,
                "apply_on": r.apply_on }),
    )];
    if let Some(p) = &a.proration {
        let detail = json!({
            "customer_id": r.customer_id,
            "package_change_request_id": r.id,
            "period_start": crate::domain::time::date_text(p.period.start),
            "period_end": crate::domain::time::date_text(p.period.end),
            "old_unused_credit_minor": p.change.old_unused_credit_minor,
            "new_remaining_charge_minor": p.change.new_remaining_charge_minor,
            "net_minor": p.change.net_minor,
            "credited_minor": p.credited_minor,
        });
        match &p.bill {
            Some(bill) => {
                let mut detail = detail;
                detail["bill_number"] = json!(bill.bill_number);
                detail["total_minor"] = json!(bill.total_minor);
                entries.push(actor.entry("bill.issue_adjustment", "bill", Some(&bill.id), detail));
            }
            None if p.credited_minor > 0 => entries.push(actor.entry(
                "customer.credit_adjustment",
                "customer",
                Some(&r.customer_id),
                detail,
            )),
            None => {}
        }
    }
    entries
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
    let actor = Actor::staff(&auth, &ip);
    let today = state
        .billing
        .clock
        .now()
        .to_offset(state.aaa.settings.utc_offset)
        .date();
    let policy = AdjustmentPolicy {
        due_days: state.billing.settings.due_days,
        tax_basis_points: state.billing.settings.tax_basis_points,
    };
    let approved = state
        .store
        .approve_package_change(
            &id,
            &auth.staff_id,
            today,
            policy,
            |a| approval_audit(&actor, a),
            |a| {
                // A next-cycle change is announced when the billing job applies it.
                let applied = a.request.applied_at.is_some();
                applied
                    .then(|| package_changed(&a.request))
                    .into_iter()
                    .collect()
            },
        )
        .await
        .map_err(|e| ApiError::from_store(e, "package change request"))?;
    wake(&state);
    let proration = approved.proration.as_ref().map(proration_record);
    let decided = record(approved.request);
    if decided.applied_at.is_none() {
        let message =
            format!(
            "Package change approved; it applies on {}, the first day of the next billing period",
            decided.apply_on.as_deref().unwrap_or("the next billing run")
        );
        return ok_with(
            PackageChangeDecided {
                request: decided,
                speed_change: None,
                speed_change_skipped: None,
                proration,
            },
            message,
        );
    }
    let requester = Requester {
        kind: "staff",
        id: auth.staff_id.clone(),
    };
    let change = queue_speed_change(
        &state,
        &decided.customer_id,
        &requester,
        &actor,
        &decided.id,
    )
    .await
    .map_err(|e| ApiError::from_store(e, "customer"))?;
    let speed_change = change.command.map(command_record);
    let skipped = change.skipped;
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
            proration,
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
    let actor = Actor::staff(&auth, &ip);
    let row = state
        .store
        .reject_package_change(&id, &auth.staff_id, |r| {
            actor.entry(
                "package.change_reject",
                "package_change_request",
                Some(&r.id),
                json!({ "customer_id": r.customer_id, "from_package_id": r.from_package_id,
                        "to_package_id": r.to_package_id }),
            )
        })
        .await
        .map_err(|e| ApiError::from_store(e, "package change request"))?;
    ok_with(
        PackageChangeDecided {
            request: record(row),
            speed_change: None,
            speed_change_skipped: None,
            proration: None,
        },
        "Package change rejected",
    )
}
