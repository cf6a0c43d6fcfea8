//! Staff read and change a customer's billing terms: monthly or prepaid, the billing day, and
//! whether the customer is never suspended for money due.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::billing::ROLES;
use crate::billing::terms::{BillingTerms, TermsChange};
use crate::http::amount::Amount;
use crate::http::audit::Actor;
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::store::customers::CustomerRow;
use crate::store::StoreError;

/// How a customer is billed.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillingTermsView {
    pub customer_id: String,
    /// `monthly` (a bill on `billing_day` every month) or `prepaid` (a bill every
    /// `validity_days` of the package, counted from the connection date).
    pub billing_cycle: String,
    /// Day of the month a monthly customer is billed, 1 to 28.
    pub billing_day: i64,
    /// Never suspended for money due (bills are still issued and become overdue).
    pub never_suspend: bool,
    /// Money paid beyond every bill, used by the next bills.
    pub credit: Amount,
}

/// The terms to change; a field left out keeps its value, at least one is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingTermsBody {
    /// `monthly` or `prepaid`; prepaid needs a package with `validity_days`.
    #[schema(value_type = Option<String>)]
    pub billing_cycle: Option<serde_json::Value>,
    /// 1 to 28.
    #[schema(value_type = Option<i64>)]
    pub billing_day: Option<serde_json::Value>,
    #[schema(value_type = Option<bool>)]
    pub never_suspend: Option<serde_json::Value>,
}

fn view(c: &CustomerRow) -> BillingTermsView {
    let terms = c.billing_terms();
    BillingTermsView {
        customer_id: c.id.clone(),
        billing_cycle: terms.billing_cycle,
        billing_day: terms.billing_day,
        never_suspend: terms.never_suspend,
        credit: Amount::minor(c.credit_minor),
    }
}

fn detail(t: &BillingTerms) -> serde_json::Value {
    json!({
        "billing_cycle": t.billing_cycle,
        "billing_day": t.billing_day,
        "never_suspend": t.never_suspend,
    })
}

#[utoipa::path(get, path = "/customers/{id}/billing-terms", tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The customer's billing terms", body = Envelope<BillingTermsView>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    auth: StaffAuth,
    Path(customer_id): Path<String>,
) -> ApiResult<BillingTermsView> {
    auth.require(ROLES)?;
    let customer = state
        .store
        .customer(&customer_id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    ok(view(&customer))
}

#[utoipa::path(patch, path = "/customers/{id}/billing-terms", tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = BillingTermsBody,
    responses(
        (status = 200, description = "Terms changed; the next billing run uses them", body = Envelope<BillingTermsView>),
        (status = 400, description = "A bad value, with every bad field named", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(customer_id): Path<String>,
    ApiJson(body): ApiJson<BillingTermsBody>,
) -> ApiResult<BillingTermsView> {
    auth.require(ROLES)?;
    let customer = state
        .store
        .customer(&customer_id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    let prepaid_allowed = match &customer.package_id {
        None => false,
        Some(id) => match state.store.package(id).await {
            Ok(package) => package.validity_days >= 1,
            Err(StoreError::NotFound) => false,
            Err(err) => return Err(err.into()),
        },
    };
    let before = customer.billing_terms();
    let change = TermsChange {
        billing_cycle: body.billing_cycle,
        billing_day: body.billing_day,
        never_suspend: body.never_suspend,
    };
    let after = change
        .apply(&before, prepaid_allowed)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let entry = Actor::staff(&auth, &ip).entry(
        "customer.billing_terms",
        "customer",
        Some(&customer_id),
        json!({ "before": detail(&before), "after": detail(&after) }),
    );
    let customer = state
        .store
        .set_billing_terms(&customer_id, &after, &entry)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    ok_with(view(&customer), "Billing terms updated")
}
