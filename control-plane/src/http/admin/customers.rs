//! Customers: create, list (paged, filtered), read, replace and delete, with their attachment
//! to the network (BRAS, OLT and ONU, CPE, or a port of a device).

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::{finish_delete, Deleted};
use crate::domain::ids::InvalidId;
use crate::domain::time::parse_date;
use crate::domain::{
    CustomerCode, CustomerStatus, Email, InterfaceName, MacAddress, Money, Phone, PppoeUsername,
    StaffRole,
};
use crate::http::amount::Amount;
use crate::http::audit::{self, Actor};
use crate::http::extract::{
    non_empty, optional_text, required_text, ApiJson, ApiQuery, ClientIp, PageQuery,
};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::store::customers::{CustomerFields, CustomerFilter, CustomerRow};
use crate::store::StoreError;

/// A customer as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerRecord {
    pub id: String,
    pub customer_code: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub status: String,
    pub pppoe_username: Option<String>,
    pub onu_mac: Option<String>,
    pub router_mac: Option<String>,
    pub pon_port: Option<String>,
    pub package_id: Option<String>,
    pub area_id: Option<String>,
    pub monthly_bill: Amount,
    pub due_amount: Amount,
    pub expiry_date: Option<String>,
    pub connection_date: Option<String>,
    pub attachment: Attachment,
    pub created_at: String,
    pub updated_at: String,
}

/// Where the customer hangs off the network.
#[derive(Debug, Serialize, Deserialize, Default, ToSchema)]
pub struct Attachment {
    /// The BRAS that terminates the PPPoE session.
    pub bras_device_id: Option<String>,
    /// The OLT with the customer's ONU (port in `pon_port`).
    pub olt_device_id: Option<String>,
    /// The ONU's id on its PON port.
    pub onu_id: Option<i64>,
    /// The customer's router, when netops manages it.
    pub cpe_device_id: Option<String>,
    /// The device whose port carries the customer's line (a leased line, an Ethernet
    /// hand-off); set together with `port_if_name`. The site's agent reports the port's traffic
    /// under this device's name, so it must match the device name in the agent's configuration.
    pub port_device_id: Option<String>,
    /// The port's ifName exactly as the device reports it, e.g. `ge-0/0/7`. A port belongs to
    /// one customer.
    pub port_if_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomersPage {
    pub customers: Vec<CustomerRecord>,
    pub pagination: Pagination,
}

/// Every field of a customer. `PUT` replaces the whole record, so send every field you keep.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CustomerBody {
    pub name: Option<String>,
    pub customer_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub pppoe_username: Option<String>,
    pub onu_mac: Option<String>,
    pub router_mac: Option<String>,
    pub pon_port: Option<String>,
    pub package_id: Option<String>,
    pub area_id: Option<String>,
    /// Monthly bill in currency units; default: the package's price.
    #[schema(value_type = Option<f64>)]
    pub monthly_bill: Option<serde_json::Value>,
    /// `YYYY-MM-DD`.
    pub expiry_date: Option<String>,
    /// `YYYY-MM-DD`; default today.
    pub connection_date: Option<String>,
    /// `active` (default), `suspended` or `inactive`.
    pub status: Option<String>,
    #[serde(default)]
    pub attachment: Option<Attachment>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// Text found in the name, customer code, phone or PPPoE username.
    pub q: Option<String>,
    pub status: Option<String>,
    pub area_id: Option<String>,
    pub package_id: Option<String>,
}

pub fn record(c: CustomerRow) -> CustomerRecord {
    CustomerRecord {
        id: c.id,
        customer_code: c.customer_code,
        name: c.name,
        phone: c.phone,
        email: c.email,
        address: c.address,
        status: c.status,
        pppoe_username: c.pppoe_username,
        onu_mac: c.onu_mac,
        router_mac: c.router_mac,
        pon_port: c.pon_port,
        package_id: c.package_id,
        area_id: c.area_id,
        monthly_bill: Amount::minor(c.monthly_bill_minor),
        due_amount: Amount::minor(c.due_amount_minor),
        expiry_date: c.expiry_date,
        connection_date: c.connection_date,
        attachment: Attachment {
            bras_device_id: c.bras_device_id,
            olt_device_id: c.olt_device_id,
            onu_id: c.onu_id,
            cpe_device_id: c.cpe_device_id,
            port_device_id: c.port_device_id,
            port_if_name: c.port_if_name,
        },
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

fn date(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    match non_empty(value) {
        None => Ok(None),
        Some(text) => parse_date(&text)
            .map(|d| Some(crate::domain::time::date_text(d)))
            .ok_or_else(|| {
                ApiError::bad_request(format!("{field} must be a date like 2026-02-15"))
            }),
    }
}

/// Checks a body and turns it into store fields; `due_amount_minor` is carried over.
async fn fields(
    state: &AppState,
    body: CustomerBody,
    due_amount_minor: i64,
) -> Result<CustomerFields, ApiError> {
    let bad = |e: InvalidId| ApiError::bad_request(e.to_string());
    let code = required_text("customer_code", body.customer_code, 32)?;
    let customer_code = CustomerCode::parse(&code).map_err(bad)?;
    let status = match non_empty(body.status) {
        None => CustomerStatus::Active,
        Some(s) => CustomerStatus::parse(&s).map_err(|e| ApiError::bad_request(e.to_string()))?,
    };
    let package_id = non_empty(body.package_id);
    let package_price = match &package_id {
        Some(id) => match state.store.package(id).await {
            Ok(p) => Some(p.price_minor),
            Err(StoreError::NotFound) => {
                return Err(ApiError::bad_request(format!(
                    "package_id '{id}' does not exist"
                )))
            }
            Err(err) => return Err(err.into()),
        },
        None => None,
    };
    let monthly_bill_minor = match body.monthly_bill {
        Some(value) if !value.is_null() => Money::from_json(&value)
            .map_err(|e| ApiError::bad_request(format!("monthly_bill: {e}")))?
            .minor(),
        _ => package_price.unwrap_or(0),
    };
    let attachment = body.attachment.unwrap_or_default();
    if let Some(onu_id) = attachment.onu_id {
        if !(0..=65_535).contains(&onu_id) {
            return Err(ApiError::bad_request(
                "attachment.onu_id must be from 0 to 65535",
            ));
        }
    }
    let (port_device_id, port_if_name) = device_port(
        non_empty(attachment.port_device_id),
        attachment.port_if_name,
    )?;
    let today = crate::domain::time::date_text(crate::domain::time::now().date());
    Ok(CustomerFields {
        customer_code: customer_code.into_string(),
        name: required_text("name", body.name, 200)?,
        phone: non_empty(body.phone)
            .map(|p| Phone::parse(&p))
            .transpose()
            .map_err(bad)?
            .map(Phone::into_string),
        email: non_empty(body.email)
            .map(|e| Email::parse(&e))
            .transpose()
            .map_err(bad)?
            .map(Email::into_string),
        address: optional_text("address", body.address, 500)?,
        status: status.as_str().to_owned(),
        pppoe_username: non_empty(body.pppoe_username)
            .map(|u| PppoeUsername::parse(&u))
            .transpose()
            .map_err(bad)?
            .map(PppoeUsername::into_string),
        onu_mac: non_empty(body.onu_mac)
            .map(|m| MacAddress::parse("onu_mac", &m))
            .transpose()
            .map_err(bad)?
            .map(MacAddress::into_string),
        router_mac: non_empty(body.router_mac)
            .map(|m| MacAddress::parse("router_mac", &m))
            .transpose()
            .map_err(bad)?
            .map(MacAddress::into_string),
        pon_port: optional_text("pon_port", body.pon_port, 32)?,
        area_id: non_empty(body.area_id),
        package_id,
        monthly_bill_minor,
        due_amount_minor,
        expiry_date: date("expiry_date", body.expiry_date)?,
        connection_date: date("connection_date", body.connection_date)?.or(Some(today)),
        bras_device_id: non_empty(attachment.bras_device_id),
        olt_device_id: non_empty(attachment.olt_device_id),
        onu_id: attachment.onu_id,
        cpe_device_id: non_empty(attachment.cpe_device_id),
        port_device_id,
        port_if_name,
    })
}

/// The device port a customer is bound to: both parts or neither.
fn device_port(
    device_id: Option<String>,
    if_name: Option<String>,
) -> Result<(Option<String>, Option<String>), ApiError> {
    let if_name = match if_name {
        Some(text) if !text.trim().is_empty() => Some(
            InterfaceName::parse("attachment.port_if_name", &text)
                .map_err(|e| ApiError::bad_request(e.to_string()))?
                .into_string(),
        ),
        _ => None,
    };
    match (device_id, if_name) {
        (Some(device_id), Some(if_name)) => Ok((Some(device_id), Some(if_name))),
        (None, None) => Ok((None, None)),
        _ => Err(ApiError::bad_request(
            "attachment.port_device_id and attachment.port_if_name are set together: the \
             device and the ifName of the port that carries the customer's line",
        )),
    }
}

const WRITERS: &[StaffRole] = &[StaffRole::Admin, StaffRole::Billing];

fn audit_detail(f: &CustomerFields) -> serde_json::Value {
    json!({
        "customer_code": f.customer_code,
        "status": f.status,
        "package_id": f.package_id,
        "monthly_bill_minor": f.monthly_bill_minor,
        "expiry_date": f.expiry_date,
        "pppoe_username": f.pppoe_username,
        "port_device_id": f.port_device_id,
        "port_if_name": f.port_if_name,
    })
}

#[utoipa::path(post, path = "/customers", tag = "admin", security(("bearer" = [])),
    request_body = CustomerBody,
    responses((status = 200, body = Envelope<CustomerRecord>), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, description = "Code or PPPoE username taken", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<CustomerBody>,
) -> ApiResult<CustomerRecord> {
    auth.require(WRITERS)?;
    let fields = fields(&state, body, 0).await?;
    let customer = state.store.insert_customer(&fields).await?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "customer.create",
        "customer",
        Some(&customer.id),
        audit_detail(&fields),
    )
    .await?;
    ok_with(record(customer), "Customer created")
}

#[utoipa::path(get, path = "/customers", tag = "admin", security(("bearer" = [])),
    params(CustomerQuery),
    responses((status = 200, body = Envelope<CustomersPage>), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _auth: StaffAuth,
    ApiQuery(q): ApiQuery<CustomerQuery>,
) -> ApiResult<CustomersPage> {
    let page = PageQuery {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let status = non_empty(q.status)
        .map(|s| CustomerStatus::parse(&s))
        .transpose()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let filter = CustomerFilter {
        search: non_empty(q.q),
        status: status.map(|s| s.as_str().to_owned()),
        area_id: non_empty(q.area_id),
        package_id: non_empty(q.package_id),
    };
    let customers = state.store.list_customers(&filter, page).await?;
    ok(CustomersPage {
        customers: customers.rows.into_iter().map(record).collect(),
        pagination: Pagination {
            total: customers.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}

#[utoipa::path(get, path = "/customers/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Envelope<CustomerRecord>), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _auth: StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<CustomerRecord> {
    let customer = state
        .store
        .customer(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    ok(record(customer))
}

#[utoipa::path(put, path = "/customers/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CustomerBody,
    responses((status = 200, body = Envelope<CustomerRecord>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CustomerBody>,
) -> ApiResult<CustomerRecord> {
    auth.require(WRITERS)?;
    let existing = state
        .store
        .customer(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    let fields = fields(&state, body, existing.due_amount_minor).await?;
    let customer = state
        .store
        .update_customer(&id, &fields)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "customer.update",
        "customer",
        Some(&id),
        audit_detail(&fields),
    )
    .await?;
    ok_with(record(customer), "Customer updated")
}

#[utoipa::path(delete, path = "/customers/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Envelope<Deleted>), (status = 404, body = ErrorBody),
        (status = 409, description = "Customer has history; set status inactive instead", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Deleted> {
    auth.require(&[StaffRole::Admin])?;
    let deleted = state.store.delete_customer(&id).await;
    finish_delete(&state, &auth, &ip, "customer", id, deleted).await
}
