//! The subscriber API of seed 001, with seed 002's business-customer additions (usage, invoices,
//! tickets, API keys), mounted at `/api/v1/customer` and `/functions/v1/customer-api`.

pub mod alert_preferences;
pub mod api_keys;
pub mod auth;
pub mod billing;
pub mod business;
pub mod devices;
pub mod invoice;
pub mod live;
pub mod network;
pub mod notifications;
pub mod packages;
pub mod plans;
pub mod profile;
pub mod support;
pub mod usage;
pub mod views;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::login))
        .routes(routes!(auth::verify))
        .routes(routes!(profile::get_profile, profile::update_profile))
        .routes(routes!(network::status))
        .routes(routes!(network::bandwidth))
        .routes(routes!(network::optics))
        .routes(routes!(live::live))
        .routes(routes!(billing::list_bills))
        .routes(routes!(billing::get_bill))
        .routes(routes!(invoice::bill_invoice))
        .routes(routes!(invoice::bill_invoice_pdf))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(alert_preferences::get, alert_preferences::put))
        .routes(routes!(billing::list_payments))
        .routes(routes!(billing::initiate_payment))
        .routes(routes!(billing::recharge))
        .routes(routes!(devices::reboot_router))
        .routes(routes!(devices::reboot_onu))
        .routes(routes!(devices::disconnect))
        .routes(routes!(devices::list_commands))
        .routes(routes!(devices::get_command))
        .routes(routes!(packages::list_packages))
        .routes(routes!(packages::request_change))
        .routes(routes!(plans::current_plan))
        .routes(routes!(plans::plans))
        .routes(routes!(plans::change_plan))
        .routes(routes!(support::list_tickets, support::create_ticket))
        .routes(routes!(support::get_ticket))
        .routes(routes!(support::reply))
        .routes(routes!(usage::usage_stats))
        .routes(routes!(business::invoices))
        .routes(routes!(business::support_tickets))
        .routes(routes!(api_keys::list, api_keys::create))
        .routes(routes!(api_keys::revoke))
}
