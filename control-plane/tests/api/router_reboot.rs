//! Router reboots go to the customer's CPE device by its name, and fail with a clear reason
//! when the customer has no CPE device any more.

use proto::CommandKind;
use serde_json::json;

use crate::agent_client::{register_agent, TestAgent};
use crate::bgp_peers::create_device;
use crate::both_backends;
use crate::helpers::{eventually, TestApp, RAHIM};

const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Sets the customer's CPE device (or none) through the staff API.
async fn set_cpe_device(app: &TestApp, customer_id: &str, cpe_device_id: Option<&str>) {
    let admin = app.staff_token("admin").await;
    let path = format!("/api/v1/admin/customers/{customer_id}");
    let mut body = app.get(&path, Some(&admin)).await.data().clone();
    body["attachment"]["cpe_device_id"] = json!(cpe_device_id);
    let updated = app.put(&path, Some(&admin), body).await;
    assert_eq!(
        updated.data()["attachment"]["cpe_device_id"],
        json!(cpe_device_id)
    );
}

async fn a_router_reboot_goes_to_the_customers_cpe_device(app: &TestApp) {
    let rahim = app.customer_id(RAHIM.0).await;
    let cpe = create_device(app, "cpe-rahim", "cpe").await;
    set_cpe_device(app, &rahim, Some(&cpe)).await;
    let (_, agent_token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &agent_token).await;

    // The subscriber's own request and staff's both go to the CPE device.
    let customer = app.customer_token(RAHIM.0, RAHIM.1).await;
    let asked = app
        .post(
            "/api/v1/customer/device/reboot-router",
            Some(&customer),
            json!({}),
        )
        .await;
    let id = asked.data()["command_id"].as_str().unwrap().to_owned();
    let command = agent.next_command().await;
    assert_eq!(command.command_id.to_string(), id);
    assert_eq!(command.kind, CommandKind::RebootRouter);
    assert_eq!(command.target.device_id, "cpe-rahim");
    assert_eq!(command.target.subscriber_key, None);

    let noc = app.staff_token("noc").await;
    app.post(
        &format!("/api/v1/admin/customers/{rahim}/commands"),
        Some(&noc),
        json!({ "kind": "reboot_router" }),
    )
    .await
    .data();
    assert_eq!(agent.next_command().await.target.device_id, "cpe-rahim");
}
both_backends!(a_router_reboot_goes_to_the_customers_cpe_device);

async fn a_reboot_for_a_customer_whose_cpe_was_removed_fails_clearly(app: &TestApp) {
    let rahim = app.customer_id(RAHIM.0).await;
    let cpe = create_device(app, "cpe-rahim", "cpe").await;
    set_cpe_device(app, &rahim, Some(&cpe)).await;
    let noc = app.staff_token("noc").await;
    // Queued while the site's agent is offline; then the CPE is taken off the customer.
    let queued = app
        .post(
            &format!("/api/v1/admin/customers/{rahim}/commands"),
            Some(&noc),
            json!({ "kind": "reboot_router" }),
        )
        .await;
    let id = queued.data()["id"].as_str().unwrap().to_owned();
    assert_eq!(queued.data()["device_id"], cpe.as_str());
    set_cpe_device(app, &rahim, None).await;

    let (_, agent_token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &agent_token).await;
    let failed = eventually("the reboot to fail", WAIT, || async {
        let reply = app
            .get(&format!("/api/v1/admin/commands/{id}"), Some(&noc))
            .await;
        let command = reply.data().clone();
        (command["state"] == "failed").then_some(command)
    })
    .await;
    assert_eq!(
        failed["detail"],
        "not sent: the customer has no CPE device on file (cpe_device_id), so no agent can reboot their router"
    );
    // Nothing was sent to the agent.
    agent.round_trip(3).await;
}
both_backends!(a_reboot_for_a_customer_whose_cpe_was_removed_fails_clearly);
