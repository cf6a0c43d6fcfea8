//! The staff and NOC API at `/api/v1/admin`, role-checked per route: admin may do everything;
//! noc manages sites, devices and agents, reads commands and queues device actions (BGP
//! peering changes included); billing manages customers; support reads customers and commands.
//! noc manages sites, devices and agents, reads commands and queues device actions; billing
//! manages customers; support reads customers, commands and what agents report.
//! noc manages sites, devices and agents, reads commands and queues device actions; billing manages customers, bills and payments; support reads
//! customers and commands.

pub mod activity;
pub mod agents;
pub mod alert_preferences;
pub mod api_keys;
pub mod areas;
pub mod auth;
pub mod bgp_peers;
pub mod billing;
pub mod billing_terms;
pub mod commands;
pub mod customer_api_keys;
pub mod customers;
pub mod exports;
pub mod inventory;
pub mod invoices;
pub mod network;
pub mod optics;
pub mod optics_alarms;
pub mod optics_customer;
pub mod package_changes;
pub mod package_limits;
pub mod packages;
pub mod payments;
pub mod pppoe;
pub mod sessions;
pub mod staff;
pub mod tickets;
pub mod webhooks;

use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit::{self, Actor};
use super::principal::StaffAuth;
use super::response::{ok_with, ApiError, ApiResult};
use super::state::AppState;
use crate::store::StoreResult;

/// The answer to a delete.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deleted {
    pub id: String,
}

/// The one shape of every staff delete: the store removes the row or says why not (404, or 409
/// while something still refers to it), the audit log records who, and the answer names the id.
/// `what` is the lower-case noun, e.g. `area`.
async fn finish_delete(
    state: &AppState,
    auth: &StaffAuth,
    ip: &str,
    what: &str,
    id: String,
    deleted: StoreResult<()>,
) -> ApiResult<Deleted> {
    deleted.map_err(|e| ApiError::from_store(e, what))?;
    audit::record(
        state,
        &Actor::staff(auth, ip),
        &format!("{what}.delete"),
        what,
        Some(&id),
        serde_json::json!({}),
    )
    .await?;
    let mut message = what.to_owned();
    if let Some(first) = message.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    ok_with(Deleted { id }, format!("{message} deleted"))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::login))
        .routes(routes!(auth::me))
        .routes(routes!(areas::create, areas::list))
        .routes(routes!(areas::get, areas::update, areas::delete))
        .routes(routes!(packages::create, packages::list))
        .routes(routes!(packages::get, packages::update, packages::delete))
        .routes(routes!(package_limits::get, package_limits::update))
        .routes(routes!(package_changes::list))
        .routes(routes!(package_changes::approve))
        .routes(routes!(package_changes::reject))
        .routes(routes!(customers::create, customers::list))
        .routes(routes!(
            customers::get,
            customers::update,
            customers::delete
        ))
        .routes(routes!(network::create_site, network::list_sites))
        .routes(routes!(
            network::get_site,
            network::update_site,
            network::delete_site
        ))
        .routes(routes!(network::create_device, network::list_devices))
        .routes(routes!(
            network::get_device,
            network::update_device,
            network::delete_device
        ))
        .routes(routes!(commands::create))
        .routes(routes!(bgp_peers::create))
        .routes(routes!(activity::list_commands))
        .routes(routes!(activity::get_command))
        .routes(routes!(activity::list_audit))
        .routes(routes!(optics::list))
        .routes(routes!(optics_alarms::list))
        .routes(routes!(optics_customer::history))
        .routes(routes!(optics_customer::refresh))
        .routes(routes!(staff::list, staff::create))
        .routes(routes!(staff::set_status))
        .routes(routes!(pppoe::get))
        .routes(routes!(pppoe::set_password))
        .routes(routes!(pppoe::set_static_ip))
        .routes(routes!(sessions::online))
        .routes(routes!(sessions::customer_history))
        .routes(routes!(agents::create, agents::list))
        .routes(routes!(agents::revoke))
        .routes(routes!(inventory::agent_inventory))
        .routes(routes!(inventory::device_interfaces))
        .routes(routes!(billing::run))
        .routes(routes!(payments::record))
        .routes(routes!(billing_terms::get, billing_terms::update))
        .routes(routes!(invoices::bill_invoice))
        .routes(routes!(invoices::bill_invoice_pdf))
        .routes(routes!(exports::bills))
        .routes(routes!(exports::payments))
        .routes(routes!(tickets::list))
        .routes(routes!(tickets::assignees))
        .routes(routes!(tickets::get, tickets::update))
        .routes(routes!(tickets::add_message))
        .routes(routes!(webhooks::create, webhooks::list))
        .routes(routes!(webhooks::delete))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::test_send))
        .routes(routes!(alert_preferences::get, alert_preferences::put))
        .routes(routes!(alert_preferences::deliveries))
        .routes(routes!(api_keys::create, api_keys::list))
        .routes(routes!(api_keys::revoke))
        .routes(routes!(customer_api_keys::create, customer_api_keys::list))
        .routes(routes!(customer_api_keys::revoke))
}
