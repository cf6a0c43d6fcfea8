//! One billing test subscriber, alone among active customers so the job's counts are exact.

use control_plane::store::customers::CustomerFields;
use serde_json::Value;
use time::OffsetDateTime;

use crate::helpers::{Reply, TestApp};

pub const API: &str = "/api/v1/customer";
pub const CODE: &str = "CUST900";
pub const PHONE: &str = "01790000900";
pub const PPPOE: &str = "billing.test";

/// Sets every demo customer inactive and adds an active subscriber billed 1000.00 a month on
/// the 1st, connected on `connected`, paid until `expiry`. Returns the customer id.
pub async fn billing_customer(app: &TestApp, connected: &str, expiry: &str) -> String {
    sqlx::query("UPDATE customers SET status = 'inactive'")
        .execute(app.store.pool())
        .await
        .expect("demo customers inactive");
    let template = app
        .store
        .customer(&app.customer_id(crate::helpers::RAHIM.0).await)
        .await
        .expect("demo customer");
    app.store
        .insert_customer(&CustomerFields {
            customer_code: CODE.to_owned(),
            name: "Billing Test".to_owned(),
            phone: Some(PHONE.to_owned()),
            status: "active".to_owned(),
            pppoe_username: Some(PPPOE.to_owned()),
            package_id: template.package_id.clone(),
            monthly_bill_minor: 100_000,
            due_amount_minor: 0,
            expiry_date: Some(expiry.to_owned()),
            connection_date: Some(connected.to_owned()),
            bras_device_id: template.bras_device_id.clone(),
            ..CustomerFields::default()
        })
        .await
        .expect("billing customer")
        .id
}

/// Moves the billing clock.
pub fn set_clock(app: &TestApp, at: OffsetDateTime) {
    app.clock.set(at);
}

/// Runs the billing job as the billing staff member.
pub async fn run_billing(app: &TestApp) -> Value {
    let token = app.staff_token("billing").await;
    app.post(
        "/api/v1/admin/billing/run",
        Some(&token),
        serde_json::json!({}),
    )
    .await
    .data()
    .clone()
}

/// The subscriber's bills, oldest first.
pub async fn bills(app: &TestApp, token: &str) -> Vec<Value> {
    let reply: Reply = app.get(&format!("{API}/bills"), Some(token)).await;
    let mut bills = reply.data()["bills"].as_array().expect("bills").clone();
    bills.reverse();
    bills
}

/// The subscriber's profile.
pub async fn profile(app: &TestApp, token: &str) -> Value {
    app.get(&format!("{API}/profile"), Some(token))
        .await
        .data()
        .clone()
}
