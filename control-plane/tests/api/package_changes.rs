//! Staff decisions on subscribers' package-change requests: roles, the list by status and
//! page, approval moving the customer and queuing the speed change the agent receives, reject,
//! deciding twice, another customer's request left alone, and the audit trail.

use proto::{CommandKind, SubscriberKey};
use serde_json::{json, Value};

use crate::agent_client::{register_agent, TestAgent};
use crate::both_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};

const PATH: &str = "/api/v1/admin/package-change-requests";

/// The portal's package with this name.
async fn offered(app: &TestApp, token: &str, name: &str) -> Value {
    let packages = app.get("/api/v1/customer/packages", Some(token)).await;
    packages
        .data()
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == name)
        .cloned()
        .expect("offered package")
}

/// A subscriber asks for the package; returns the package.
async fn ask(app: &TestApp, who: (&str, &str, &str), name: &str) -> Value {
    let token = app.customer_token(who.0, who.1).await;
    let package = offered(app, &token, name).await;
    app.post(
        "/api/v1/customer/packages/change",
        Some(&token),
        json!({ "package_id": package["id"] }),
    )
    .await
    .data();
    package
}

fn requests(reply: &Value) -> Vec<Value> {
    reply["requests"].as_array().expect("requests").clone()
}

async fn approval_moves_the_customer_and_queues_the_speed(app: &TestApp) {
    let (_, agent_token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &agent_token).await;
    let rahim = app.customer_id(RAHIM.0).await;
    let karima = app.customer_id(KARIMA.0).await;
    let karima_before = app.store.customer(&karima).await.expect("customer");
    let ultra = ask(app, RAHIM, "Ultra 100Mbps").await;
    ask(app, KARIMA, "Ultra 100Mbps").await;

    let billing = app.staff_token("billing").await;
    let pending = app
        .get(&format!("{PATH}?status=pending"), Some(&billing))
        .await;
    let pending = pending.data();
    assert_eq!(pending["pagination"]["total"], 2);
    let list = requests(pending);
    let first = &list[0];
    assert_eq!(first["customer_id"], rahim, "oldest first");
    assert_eq!(first["customer_code"], RAHIM.0);
    assert_eq!(first["to_package_id"], ultra["id"]);
    assert_eq!(first["to_package_name"], "Ultra 100Mbps");
    assert_eq!(first["status"], "pending");
    let page = app
        .get(
            &format!("{PATH}?status=pending&limit=1&offset=1"),
            Some(&billing),
        )
        .await;
    let page = requests(page.data());
    assert_eq!(page.len(), 1);
    assert_eq!(page[0]["customer_id"], karima);
    let only_karima = app
        .get(&format!("{PATH}?customer_id={karima}"), Some(&billing))
        .await;
    assert_eq!(only_karima.data()["pagination"]["total"], 1);
    let request_id = first["id"].as_str().expect("id").to_owned();

    let approved = app
        .post(
            &format!("{PATH}/{request_id}/approve"),
            Some(&billing),
            json!({}),
        )
        .await;
    let data = approved.data();
    assert_eq!(data["request"]["status"], "approved");
    assert!(data["request"]["decided_at"].is_string());
    assert!(data["speed_change_skipped"].is_null());
    // The demo's current period is billed, so an upgrade now is prorated by an adjustment bill.
    assert_eq!(data["request"]["effective"], "now");
    assert!(data["request"]["applied_at"].is_string());
    assert!(data["proration"]["bill_number"].is_string(), "{data}");
    let speed = &data["speed_change"];
    assert_eq!(speed["kind"], "change_speed");
    assert_eq!(speed["target"], format!("pppoe:{}", RAHIM.2));
    assert_eq!(speed["params"]["download_bps"], 100_000_000);

    let customer = app.store.customer(&rahim).await.expect("customer");
    assert_eq!(customer.package_id.as_deref(), ultra["id"].as_str());
    let package = app
        .store
        .package(ultra["id"].as_str().expect("id"))
        .await
        .expect("package");
    assert_eq!(customer.monthly_bill_minor, package.price_minor);
    let command = agent.next_command().await;
    assert_eq!(
        command.command_id.to_string(),
        speed["id"].as_str().unwrap()
    );
    assert_eq!(
        command.kind,
        CommandKind::ChangeSpeed {
            download_bps: 100_000_000,
            upload_bps: u64::try_from(package.upload_speed).unwrap() * 1_000_000,
        }
    );
    assert_eq!(command.target.device_id, "bras-gulshan-1");
    assert_eq!(
        command.target.subscriber_key,
        Some(SubscriberKey::PppoeUsername(RAHIM.2.into()))
    );

    // Deciding again is refused; the other customer's request and package are untouched.
    for decision in ["approve", "reject"] {
        app.post(
            &format!("{PATH}/{request_id}/{decision}"),
            Some(&billing),
            json!({}),
        )
        .await
        .error(409);
    }
    assert_eq!(
        app.store
            .customer(&karima)
            .await
            .expect("customer")
            .package_id,
        karima_before.package_id
    );
    let still = app
        .get(&format!("{PATH}?status=pending"), Some(&billing))
        .await;
    let still = requests(still.data());
    assert_eq!(still.len(), 1);
    assert_eq!(still[0]["customer_id"], karima);

    // Rejecting leaves the package and queues nothing.
    let admin = app.staff_token("admin").await;
    let karima_request = still[0]["id"].as_str().expect("id").to_owned();
    let rejected = app
        .post(
            &format!("{PATH}/{karima_request}/reject"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(rejected.data()["request"]["status"], "rejected");
    assert!(rejected.data()["speed_change"].is_null());
    assert_eq!(
        app.store
            .customer(&karima)
            .await
            .expect("customer")
            .package_id,
        karima_before.package_id
    );
    agent.round_trip(7).await;
    let decided = app
        .get(&format!("{PATH}?status=rejected"), Some(&admin))
        .await;
    assert_eq!(requests(decided.data())[0]["id"], karima_request.as_str());

    let audit = app
        .get("/api/v1/admin/audit-log?limit=50", Some(&admin))
        .await;
    let mut actions: Vec<String> = audit.data()["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["actor_kind"] == "staff" && e["action"] != "agent.create")
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "bill.issue_adjustment",
            "device.change_speed",
            "package.change_approve",
            "package.change_reject"
        ]
    );
}
both_backends!(approval_moves_the_customer_and_queues_the_speed);

async fn package_change_decisions_check_roles_and_input(app: &TestApp) {
    ask(app, RAHIM, "Ultra 100Mbps").await;
    let admin = app.staff_token("admin").await;
    let listed = app.get(PATH, Some(&admin)).await;
    let id = requests(listed.data())[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for role in ["noc", "support"] {
        let token = app.staff_token(role).await;
        app.get(PATH, Some(&token)).await.error(403);
        for decision in ["approve", "reject"] {
            app.post(&format!("{PATH}/{id}/{decision}"), Some(&token), json!({}))
                .await
                .error(403);
        }
    }
    // A subscriber cannot decide, not even on their own request.
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    for reply in [
        app.get(PATH, Some(&rahim)).await,
        app.post(&format!("{PATH}/{id}/approve"), Some(&rahim), json!({}))
            .await,
    ] {
        assert!(
            matches!(reply.status.as_u16(), 401 | 403),
            "{:?}",
            reply.body
        );
    }
    app.get(PATH, None).await.error(401);
    app.get(&format!("{PATH}?status=maybe"), Some(&admin))
        .await
        .error(400);
    app.get(&format!("{PATH}?limit=many"), Some(&admin))
        .await
        .error(400);
    app.post(
        &format!("{PATH}/no-such-request/approve"),
        Some(&admin),
        json!({}),
    )
    .await
    .error(404);
    let still = app
        .get(&format!("{PATH}?status=pending"), Some(&admin))
        .await;
    assert_eq!(still.data()["pagination"]["total"], 1);
}
both_backends!(package_change_decisions_check_roles_and_input);

/// A customer with no PPPoE account on file: approval changes the package and says why no
/// speed change was queued.
async fn approval_without_a_session_to_change(app: &TestApp) {
    let admin = app.staff_token("admin").await;
    let packages = app.get("/api/v1/admin/packages", Some(&admin)).await;
    let packages = packages.data()["packages"]
        .as_array()
        .expect("packages")
        .clone();
    let basic = packages
        .iter()
        .find(|p| p["name"] == "Basic 20Mbps")
        .expect("basic");
    let created = app
        .post(
            "/api/v1/admin/customers",
            Some(&admin),
            json!({ "customer_code": "CUST900", "name": "Nadia Islam",
                    "phone": "01912345600", "package_id": basic["id"] }),
        )
        .await;
    let customer_id = created.data()["id"].as_str().expect("id").to_owned();
    let ultra = ask(app, ("CUST900", "01912345600", ""), "Ultra 100Mbps").await;
    let listed = app
        .get(&format!("{PATH}?customer_id={customer_id}"), Some(&admin))
        .await;
    let id = requests(listed.data())[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let approved = app
        .post(&format!("{PATH}/{id}/approve"), Some(&admin), json!({}))
        .await;
    let data = approved.data();
    assert!(data["speed_change"].is_null());
    assert_eq!(
        data["speed_change_skipped"],
        "no PPPoE account is on file for this customer"
    );
    let customer = app.store.customer(&customer_id).await.expect("customer");
    assert_eq!(customer.package_id.as_deref(), ultra["id"].as_str());
}
both_backends!(approval_without_a_session_to_change);
