//! AAA for PPPoE: the endpoints FreeRADIUS calls, the staff API for PPPoE accounts and
//! sessions, and (with the lab's real FreeRADIUS and radclient) the whole path from an
//! Access-Request or Accounting-Request to what the subscriber's app shows.

mod freeradius;
mod lab;
pub(crate) mod radius_api;
mod session_hints;
mod staff;
mod totals;

use control_plane::config::{Config, Secret};
use serde_json::{json, Value};

use crate::helpers::TestApp;

pub const API_KEY: &str = "aaa-test-key-aaa-test-key-aaa-test-key-01";

/// The test configuration: AAA enabled, sweep every second.
pub fn with_aaa(config: &mut Config) {
    config.aaa.api_key = Some(Secret::new(API_KEY));
    config.aaa.stale_check_secs = 1;
}

/// Runs a test body once per backend on a server configured by `$configure`; the body owns
/// the app's lifetime through a reference, as with `both_backends!`.
#[macro_export]
macro_rules! aaa_backends {
    ($name:ident, $configure:expr) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                if let Some(app) = $crate::helpers::TestApp::spawn_with(
                    $crate::helpers::Backend::Sqlite,
                    $configure,
                )
                .await
                {
                    super::$name(&app).await;
                    app.stop().await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::TestApp::spawn_with(
                    $crate::helpers::Backend::Postgres,
                    $configure,
                )
                .await
                {
                    super::$name(&app).await;
                    app.stop().await;
                }
            }
        }
    };
}

/// Sets a demo customer's PPPoE password through the staff API.
pub async fn set_password(app: &TestApp, code: &str, password: &str) {
    let admin = app.staff_token("admin").await;
    let id = app.customer_id(code).await;
    let reply = app
        .put(
            &format!("/api/v1/admin/customers/{id}/pppoe/password"),
            Some(&admin),
            json!({ "password": password }),
        )
        .await;
    assert_eq!(reply.data()["password_set"], true);
}

/// Runs SQL on the test database (statuses and dates the tests need).
pub async fn exec(app: &TestApp, sql: &str, value: &str, code: &str) {
    sqlx::query(sql)
        .bind(value)
        .bind(code)
        .execute(app.store.pool())
        .await
        .expect("update customer");
    // As the store's own methods do after a write authorize reads.
    app.store.note_subscriber_change();
}

/// The subscriber app's network status of a demo customer.
pub async fn network_status(app: &TestApp, code: &str, phone: &str) -> Value {
    let token = app.customer_token(code, phone).await;
    app.get("/api/v1/customer/network/status", Some(&token))
        .await
        .data()
        .clone()
}
