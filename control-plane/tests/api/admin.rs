//! The staff API: CRUD with the seed's field names, pagination and filters, role checks, and
//! the audit log.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

const API: &str = "/api/v1/admin";

async fn areas_packages_customers_crud(app: &TestApp) {
    let admin = app.staff_token("admin").await;
    let area = app
        .post(&format!("{API}/areas"), Some(&admin), json!({ "name": "Uttara", "district": "Dhaka", "upazila": "Uttara", "union_name": null, "village": "Sector 7" }))
        .await;
    let area_id = area.data()["id"].as_str().unwrap().to_owned();
    assert_eq!(area.data()["village"], "Sector 7");

    let package = app
        .post(&format!("{API}/packages"), Some(&admin), json!({
            "name": "Gold 80Mbps", "description": "For gamers", "download_speed": 80, "upload_speed": 40,
            "speed_unit": "mbps", "price": 1299.5, "validity_days": 30, "type": "internet", "portal_visible": false
        }))
        .await;
    let package_id = package.data()["id"].as_str().unwrap().to_owned();
    assert_eq!(package.data()["price"], 1299.5);
    assert_eq!(package.data()["portal_visible"], false);

    let name = "O'Brien \"; DROP TABLE customers; --";
    let customer = app
        .post(&format!("{API}/customers"), Some(&admin), json!({
            "name": name, "phone": "01555000111", "email": "ob@example.com", "address": "Road 1",
            "customer_code": "CUST900", "pppoe_username": "obrien", "onu_mac": "aa-bb-cc-00-11-22",
            "router_mac": "11:22:33:00:11:22", "pon_port": "0/1/3", "package_id": package_id, "area_id": area_id,
            "expiry_date": "2027-01-31", "connection_date": "2026-11-01", "status": "active",
            "attachment": { "onu_id": 9 }
        }))
        .await;
    let c = customer.data().clone();
    let customer_id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(
        c["name"], name,
        "SQL-looking input stored and returned verbatim"
    );
    assert_eq!(c["monthly_bill"], 1299.5, "defaults to the package price");
    assert_eq!(c["onu_mac"], "AA:BB:CC:00:11:22");
    assert_eq!(c["attachment"]["onu_id"], 9);

    // The new customer logs in on the subscriber API.
    let token = app.customer_token("CUST900", "01555000111").await;
    assert_eq!(
        app.get("/api/v1/customer/profile", Some(&token))
            .await
            .data()["name"],
        name
    );

    // Duplicates and dangling references are client errors.
    let dup = app
        .post(
            &format!("{API}/customers"),
            Some(&admin),
            json!({ "name": "X", "customer_code": "CUST900" }),
        )
        .await;
    dup.error(409);
    let dangling = app
        .post(
            &format!("{API}/customers"),
            Some(&admin),
            json!({ "name": "X", "customer_code": "CUST901", "area_id": "nope" }),
        )
        .await;
    dangling.error(400);
    app.post(
        &format!("{API}/customers"),
        Some(&admin),
        json!({ "name": "X", "customer_code": "C 1" }),
    )
    .await
    .error(400);
    app.post(
        &format!("{API}/customers"),
        Some(&admin),
        json!({ "name": "X", "customer_code": "C2", "expiry_date": "2026-02-30" }),
    )
    .await
    .error(400);

    // Full replacement.
    let mut body = c.clone();
    body["status"] = json!("suspended");
    body["monthly_bill"] = json!(1000);
    let updated = app
        .put(
            &format!("{API}/customers/{customer_id}"),
            Some(&admin),
            body,
        )
        .await;
    assert_eq!(updated.data()["status"], "suspended");
    assert_eq!(updated.data()["monthly_bill"], 1000);

    // Paged and filtered lists.
    let all = app
        .get(&format!("{API}/customers?limit=2"), Some(&admin))
        .await;
    assert_eq!(all.data()["pagination"]["total"], 5);
    assert_eq!(all.data()["customers"].as_array().unwrap().len(), 2);
    let suspended = app
        .get(&format!("{API}/customers?status=suspended"), Some(&admin))
        .await;
    assert_eq!(suspended.data()["pagination"]["total"], 1);
    let search = app
        .get(&format!("{API}/customers?q=O%27Brien"), Some(&admin))
        .await;
    assert_eq!(search.data()["customers"][0]["id"], customer_id.as_str());
    let wildcard = app
        .get(&format!("{API}/customers?q=%25"), Some(&admin))
        .await;
    assert_eq!(
        wildcard.data()["pagination"]["total"],
        0,
        "LIKE wildcards in the search are literal"
    );
    let in_area = app
        .get(&format!("{API}/customers?area_id={area_id}"), Some(&admin))
        .await;
    assert_eq!(in_area.data()["pagination"]["total"], 1);
    app.get(&format!("{API}/customers?status=gone"), Some(&admin))
        .await
        .error(400);

    // The area and package are in use.
    app.delete(&format!("{API}/areas/{area_id}"), Some(&admin))
        .await
        .error(409);
    app.delete(&format!("{API}/packages/{package_id}"), Some(&admin))
        .await
        .error(409);
    // A customer without history can go; then the area can too.
    app.delete(&format!("{API}/customers/{customer_id}"), Some(&admin))
        .await
        .data();
    app.get(&format!("{API}/customers/{customer_id}"), Some(&admin))
        .await
        .error(404);
    app.delete(&format!("{API}/areas/{area_id}"), Some(&admin))
        .await
        .data();
    // A demo customer with bills cannot be deleted.
    let demo_id = app.customer_id("CUST001").await;
    app.delete(&format!("{API}/customers/{demo_id}"), Some(&admin))
        .await
        .error(409);

    // Every write is in the audit log with who and what.
    let audit = app
        .get(
            &format!("{API}/audit-log?target_kind=customer&limit=100"),
            Some(&admin),
        )
        .await;
    let actions: Vec<&str> = audit.data()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"customer.create")
            && actions.contains(&"customer.update")
            && actions.contains(&"customer.delete"),
        "{actions:?}"
    );
    let entry = &audit.data()["entries"][0];
    assert_eq!(entry["actor_name"], "admin");
    assert_eq!(entry["actor_kind"], "staff");
    assert!(entry["at"].is_string());
}
both_backends!(areas_packages_customers_crud);

async fn sites_devices_commands(app: &TestApp) {
    let noc = app.staff_token("noc").await;
    let site = app
        .post(
            &format!("{API}/sites"),
            Some(&noc),
            json!({ "name": "Mirpur POP" }),
        )
        .await;
    let site_id = site.data()["id"].as_str().unwrap().to_owned();
    let device = app
        .post(&format!("{API}/devices"), Some(&noc), json!({ "site_id": site_id, "name": "olt-mirpur-1", "kind": "olt", "vendor": "ZTE", "model": "C320", "mgmt_address": "127.0.0.1:16102", "profile": "zte-c3xx-1012" }))
        .await;
    let device_id = device.data()["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("{API}/devices"),
        Some(&noc),
        json!({ "site_id": site_id, "name": "olt-mirpur-1", "kind": "olt" }),
    )
    .await
    .error(409);
    app.post(
        &format!("{API}/devices"),
        Some(&noc),
        json!({ "site_id": "nope", "name": "x", "kind": "olt" }),
    )
    .await
    .error(400);
    app.post(
        &format!("{API}/devices"),
        Some(&noc),
        json!({ "site_id": site_id, "name": "x", "kind": "toaster" }),
    )
    .await
    .error(400);
    let olts = app
        .get(
            &format!("{API}/devices?kind=olt&site_id={site_id}"),
            Some(&noc),
        )
        .await;
    assert_eq!(olts.data()["pagination"]["total"], 1);
    app.delete(&format!("{API}/sites/{site_id}"), Some(&noc))
        .await
        .error(409);
    app.delete(&format!("{API}/devices/{device_id}"), Some(&noc))
        .await
        .data();
    app.delete(&format!("{API}/sites/{site_id}"), Some(&noc))
        .await
        .data();

    // Commands a subscriber starts are visible to NOC, filterable by state.
    let customer = app.customer_token("CUST001", "01712345678").await;
    app.post(
        "/api/v1/customer/device/disconnect",
        Some(&customer),
        json!({}),
    )
    .await
    .data();
    let queued = app
        .get(&format!("{API}/commands?state=queued"), Some(&noc))
        .await;
    assert_eq!(queued.data()["pagination"]["total"], 1);
    let command = &queued.data()["commands"][0];
    assert_eq!(command["kind"], "disconnect");
    assert_eq!(command["target"], "pppoe:rahim.gulshan");
    assert_eq!(command["requester_kind"], "customer");
    let id = command["id"].as_str().unwrap();
    app.get(&format!("{API}/commands/{id}"), Some(&noc))
        .await
        .data();
    app.get(&format!("{API}/commands?state=done"), Some(&noc))
        .await
        .error(400);
}
both_backends!(sites_devices_commands);

async fn roles_are_enforced(app: &TestApp) {
    let support = app.staff_token("support").await;
    let billing = app.staff_token("billing").await;
    let noc = app.staff_token("noc").await;
    let package = json!({ "name": "P", "download_speed": 1, "upload_speed": 1, "price": 1 });
    let customer = |code: &str| json!({ "name": "N", "customer_code": code });
    let site = json!({ "name": "S" });

    let checks: Vec<(&str, &str, &str, Option<Value>, u16)> = vec![
        (&support, "POST", "/packages", Some(package.clone()), 403),
        (&billing, "POST", "/packages", Some(package.clone()), 403),
        (&noc, "POST", "/areas", Some(json!({ "name": "A" })), 403),
        (&support, "POST", "/customers", Some(customer("R1")), 403),
        (&noc, "POST", "/customers", Some(customer("R2")), 403),
        (&billing, "POST", "/customers", Some(customer("R3")), 200),
        (&billing, "POST", "/sites", Some(site.clone()), 403),
        (&noc, "POST", "/sites", Some(site.clone()), 200),
        (&billing, "GET", "/commands", None, 403),
        (&support, "GET", "/commands", None, 200),
        (&noc, "GET", "/audit-log", None, 403),
        (&noc, "GET", "/staff", None, 403),
        (&support, "GET", "/customers", None, 200),
        (
            &support,
            "POST",
            "/staff",
            Some(json!({ "username": "x", "password": "long-enough-password", "role": "admin" })),
            403,
        ),
    ];
    for (token, method, path, body, expected) in checks {
        let method: reqwest::Method = method.parse().unwrap();
        let body = body.map(|b| b.to_string());
        let reply = app
            .request(
                method.clone(),
                &format!("{API}{path}"),
                Some(token),
                body.as_deref(),
            )
            .await;
        assert_eq!(
            reply.status.as_u16(),
            expected,
            "{method} {path}: {}",
            reply.body
        );
        if expected == 403 {
            assert!(reply.error(403).contains("roles"));
        }
    }
}
both_backends!(roles_are_enforced);

async fn staff_accounts(app: &TestApp) {
    let admin = app.staff_token("admin").await;
    app.post(
        &format!("{API}/staff"),
        Some(&admin),
        json!({ "username": "nina", "password": "short", "role": "noc" }),
    )
    .await
    .error(400);
    app.post(
        &format!("{API}/staff"),
        Some(&admin),
        json!({ "username": "nina", "password": "long-enough-password", "role": "god" }),
    )
    .await
    .error(400);
    let created = app
        .post(
            &format!("{API}/staff"),
            Some(&admin),
            json!({ "username": "nina", "password": "long-enough-password", "role": "noc" }),
        )
        .await;
    assert_eq!(created.data()["role"], "noc");
    assert!(
        created.body.to_string().find("password").is_none(),
        "no hash in answers"
    );
    app.post(
        &format!("{API}/staff"),
        Some(&admin),
        json!({ "username": "nina", "password": "long-enough-password", "role": "noc" }),
    )
    .await
    .error(409);
    let login = app
        .post(
            &format!("{API}/auth/login"),
            None,
            json!({ "username": "nina", "password": "long-enough-password" }),
        )
        .await;
    assert_eq!(login.data()["staff"]["role"], "noc");
    let me = app.get(&format!("{API}/auth/me"), Some(&admin)).await;
    let admin_id = me.data()["id"].as_str().unwrap();
    app.put(
        &format!("{API}/staff/{admin_id}/status"),
        Some(&admin),
        json!({ "disabled": true }),
    )
    .await
    .error(400);
}
both_backends!(staff_accounts);
