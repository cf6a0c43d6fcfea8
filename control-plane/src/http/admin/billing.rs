//! Staff billing: run the billing job now and see what it did.

use axum::extract::State;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::billing::job::{run_once, RunReport};
use crate::domain::StaffRole;
use crate::http::audit::{self, Actor};
use crate::http::extract::ClientIp;
use crate::http::principal::StaffAuth;
use crate::http::response::{ok_with, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;

pub(super) const ROLES: &[StaffRole] = &[StaffRole::Admin, StaffRole::Billing];

/// What one billing run did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillingRunView {
    /// The ISP's date the run billed for (`YYYY-MM-DD`).
    pub billing_date: String,
    pub bills_issued: u64,
    /// Bills for the current period that already existed (issued by an earlier run or another
    /// replica).
    pub bills_already_issued: u64,
    pub bills_overdue: u64,
    pub customers_suspended: u64,
    /// Expiry warnings created for subscribers (each once per expiry date and warning).
    pub expiry_warnings: u64,
    /// Customers that could not be billed; the log says why.
    pub customers_failed: u64,
    /// Approved next-cycle package changes applied on the first day of their period.
    pub package_changes_applied: u64,
}

impl From<RunReport> for BillingRunView {
    fn from(r: RunReport) -> Self {
        Self {
            billing_date: r.billing_date,
            bills_issued: r.bills_issued,
            bills_already_issued: r.bills_already_issued,
            bills_overdue: r.bills_overdue,
            customers_suspended: r.customers_suspended,
            expiry_warnings: r.expiry_warnings,
            customers_failed: r.customers_failed,
            package_changes_applied: r.package_changes_applied,
        }
    }
}

#[utoipa::path(post, path = "/billing/run", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The billing job ran; what it did", body = Envelope<BillingRunView>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
    ))]
pub async fn run(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
) -> ApiResult<BillingRunView> {
    auth.require(ROLES)?;
    let report = run_once(&state, state.billing.clock.now()).await?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "billing.run",
        "billing",
        None,
        json!({
            "billing_date": report.billing_date,
            "bills_issued": report.bills_issued,
            "bills_overdue": report.bills_overdue,
            "customers_suspended": report.customers_suspended,
            "expiry_warnings": report.expiry_warnings,
            "package_changes_applied": report.package_changes_applied,
        }),
    )
    .await?;
    ok_with(BillingRunView::from(report), "Billing run complete")
}
