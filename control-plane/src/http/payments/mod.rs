//! Payment gateways' side of the API at `/api/v1/payments`: the signed callback every gateway
//! sends, and the sandbox gateway's page. No subscriber or staff token: callbacks are
//! authenticated by their signature, the sandbox page by being switched on.

pub mod callback;
pub mod sandbox;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(callback::callback))
        .routes(routes!(sandbox::page, sandbox::decide))
}
