//! The web portals: subscriber self-service at `/` and the NOC console at `/noc`. Pages are
//! rendered on the server from templates compiled into the binary (askama); the few scripts
//! and the stylesheet are embedded files under `/assets/`. Every answer carries a
//! Content-Security-Policy without `unsafe-inline`.

pub mod assets;
pub mod csrf;
pub mod noc;
pub mod page;
pub mod session;
pub mod settings;
pub mod subscriber;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    use subscriber::{
        bills, dashboard, device, invoices, login, notifications, packages, pay, tickets,
    };
    OpenApiRouter::new()
        .routes(routes!(dashboard::dashboard))
        .routes(routes!(login::form, login::submit))
        .routes(routes!(login::logout))
        .routes(routes!(device::post_reboot_onu))
        .routes(routes!(device::post_reboot_router))
        .routes(routes!(device::post_reconnect))
        .routes(routes!(device::command_page))
        .routes(routes!(device::command_state))
        .routes(routes!(bills::bills))
        .routes(routes!(invoices::invoice_html))
        .routes(routes!(invoices::invoice_pdf))
        .routes(routes!(pay::pay_bill))
        .routes(routes!(pay::recharge))
        .routes(routes!(pay::payment))
        .routes(routes!(packages::packages))
        .routes(routes!(packages::change))
        .routes(routes!(tickets::tickets, tickets::open_ticket))
        .routes(routes!(tickets::ticket))
        .routes(routes!(tickets::reply_to_ticket))
        .routes(routes!(notifications::notifications))
        .routes(routes!(notifications::mark_notification_read))
        .routes(routes!(noc::agents::agents))
        .routes(routes!(noc::agents::agent_rows))
        .routes(routes!(noc::login::form, noc::login::submit))
        .routes(routes!(noc::login::logout))
        .routes(routes!(noc::devices::devices))
        .routes(routes!(noc::subscribers::subscribers))
        .routes(routes!(noc::subscribers::subscriber_rows))
        .routes(routes!(noc::subscriber::subscriber))
        .routes(routes!(noc::subscriber::rate))
        .routes(routes!(noc::subscriber_actions::speed))
        .routes(routes!(noc::subscriber_actions::payment))
        .routes(routes!(noc::bgp::form, noc::bgp::preview))
        .routes(routes!(noc::subscribers::reboot_onu))
        .routes(routes!(noc::subscribers::disconnect))
        .routes(routes!(noc::optics::optics))
        .routes(routes!(noc::sessions::sessions))
        .routes(routes!(noc::commands::commands))
        .routes(routes!(noc::commands::command_rows))
        .routes(routes!(noc::command::command))
        .routes(routes!(noc::command::command_state))
        .routes(routes!(noc::command::apply))
        .routes(routes!(noc::audit::audit))
        .routes(routes!(noc::tickets::tickets))
        .routes(routes!(noc::tickets::ticket))
        .routes(routes!(noc::ticket_actions::reply))
        .routes(routes!(noc::ticket_actions::note))
        .routes(routes!(noc::ticket_actions::assign))
        .routes(routes!(noc::ticket_actions::status))
        .routes(routes!(assets::asset))
        .layer(axum::middleware::from_fn(page::security_headers))
}
