//! The NOC console over HTTP: staff login into a cookie that only `/noc` receives, navigation
//! and pages by role (a wrong role gets 403, as on the staff API), device actions only for the
//! NOC with the page's token and an audit entry, and the agents table's rows.

use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::portal_subscriber::{csrf_of, Browser};

pub async fn staff_browser(app: &TestApp, username: &str) -> Browser {
    let password = control_plane::demo::DEMO_STAFF
        .iter()
        .find(|(u, _, _)| *u == username)
        .map(|(_, _, p)| *p)
        .unwrap();
    let mut browser = Browser::new(app);
    let form = browser.get("/noc/login").await;
    let csrf = csrf_of(&form);
    let done = browser
        .post_form(
            "/noc/login",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let cookie = done
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("netops_noc_session="))
        .expect("console cookie");
    assert!(cookie.contains("; Path=/noc;"), "{cookie}");
    assert!(cookie.contains("; HttpOnly; SameSite=Strict"), "{cookie}");
    browser
}

pub async fn customer_commands(
    app: &TestApp,
    code: &str,
) -> Vec<control_plane::store::commands::CommandRow> {
    let customer = app.customer_id(code).await;
    app.store
        .list_commands(
            &control_plane::store::commands::CommandFilter {
                customer_id: Some(customer),
                ..Default::default()
            },
            control_plane::store::Page {
                limit: 100,
                offset: 0,
            },
        )
        .await
        .unwrap()
        .rows
}

async fn staff_login_and_wrong_passwords(app: &TestApp) {
    let mut browser = Browser::new(app);
    let page = browser.get("/noc").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.headers[LOCATION], "/noc/login");
    let form = browser.get("/noc/login").await;
    let csrf = csrf_of(&form);
    let wrong = browser
        .post_form(
            "/noc/login",
            &[("csrf", &csrf), ("username", "noc"), ("password", "guess")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("role=\"alert\""), "{}", wrong.body);
    assert!(
        !wrong.body.contains("guess"),
        "the password is never echoed"
    );

    // A subscriber's portal session does not open the console.
    let mut subscriber = Browser::new(app);
    let form = subscriber.get("/login").await;
    let csrf = csrf_of(&form);
    subscriber
        .post_form(
            "/login",
            &[
                ("csrf", &csrf),
                ("customer_code", "CUST001"),
                ("phone", "01712345678"),
            ],
        )
        .await;
    let token = subscriber
        .cookies
        .iter()
        .find(|(k, _)| k == "netops_session")
        .unwrap()
        .1
        .clone();
    subscriber
        .cookies
        .push(("netops_noc_session".into(), token));
    assert_eq!(subscriber.get("/noc").await.status, StatusCode::SEE_OTHER);
}
both_backends!(staff_login_and_wrong_passwords);

async fn pages_follow_the_role(app: &TestApp) {
    let mut noc = staff_browser(app, "noc").await;
    let agents = noc.get("/noc").await;
    assert_eq!(agents.status, StatusCode::OK);
    assert!(agents.body.contains("href=\"/noc/commands\""));
    assert!(!agents.body.contains("href=\"/noc/audit\""));
    for path in [
        "/noc/devices",
        "/noc/subscribers",
        "/noc/optics",
        "/noc/sessions",
        "/noc/commands",
    ] {
        let page = noc.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(!page.body.contains("<script>"), "{path}: inline script");
        assert!(!page.body.contains(" style="), "{path}: inline style");
    }
    assert_eq!(noc.get("/noc/audit").await.status, StatusCode::FORBIDDEN);
    let karima = app.customer_id("CUST002").await;
    let mut support = staff_browser(app, "support").await;
    let pages = [
        (&mut noc, format!("/noc/subscribers/{karima}")),
        (&mut support, "/noc/tickets".to_owned()),
    ];
    for (browser, path) in pages {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(!page.body.contains("<script>"), "{path}: inline script");
        assert!(!page.body.contains(" style="), "{path}: inline style");
    }

    let admin_token = app.staff_token("admin").await;
    app.post(
        "/api/v1/admin/areas",
        Some(&admin_token),
        json!({ "name": "Uttara" }),
    )
    .await
    .data();
    let mut admin = staff_browser(app, "admin").await;
    let audit = admin.get("/noc/audit").await;
    assert_eq!(audit.status, StatusCode::OK);
    assert!(
        audit.body.contains("<td>area.create</td>"),
        "{}",
        audit.body
    );
    assert!(audit.body.contains("staff admin"), "{}", audit.body);

    let mut billing = staff_browser(app, "billing").await;
    let home = billing.get("/noc").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.headers[LOCATION], "/noc/subscribers");
    assert_eq!(
        billing.get("/noc/commands").await.status,
        StatusCode::FORBIDDEN
    );
    let rows = billing.get("/noc/agents/rows").await;
    assert_eq!(rows.status, StatusCode::FORBIDDEN);
    let subscribers = billing.get("/noc/subscribers").await;
    assert!(
        !subscribers.body.contains("Reboot ONU"),
        "billing sees no device actions"
    );
    assert!(!subscribers.body.contains("href=\"/noc/commands\""));

    // The ONU table is weakest first: Nasrin's ONU with no reading leads.
    let optics = noc.get("/noc/optics").await;
    let nasrin = optics.body.find("CUST004").unwrap();
    let rahim = optics.body.find("CUST001").unwrap();
    assert!(nasrin < rahim, "{}", optics.body);
}
both_backends!(pages_follow_the_role);

async fn search_finds_subscribers(app: &TestApp) {
    let mut support = staff_browser(app, "support").await;
    let found = support.get("/noc/subscribers?q=karima").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("data-customer=\"CUST002\""));
    assert!(!found.body.contains("data-customer=\"CUST001\""));
    let all = support.get("/noc/subscribers").await;
    for code in ["CUST001", "CUST002", "CUST003", "CUST004"] {
        assert!(
            all.body.contains(&format!("data-customer=\"{code}\"")),
            "{code}"
        );
    }
    let hostile = support
        .get("/noc/subscribers?q=%3Cscript%3Ealert(1)%3C/script%3E")
        .await;
    assert_eq!(hostile.status, StatusCode::OK);
    assert!(!hostile.body.contains("<script>alert"));
}
both_backends!(search_finds_subscribers);

async fn device_actions_by_role_with_token(app: &TestApp) {
    let karima = app.customer_id("CUST002").await;
    let before = customer_commands(app, "CUST002").await.len();

    // Support may read but not act.
    let mut support = staff_browser(app, "support").await;
    let page = support.get("/noc/subscribers").await;
    let csrf = csrf_of(&page);
    let refused = support
        .post_form(
            &format!("/noc/subscribers/{karima}/reboot-onu"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    let mut noc = staff_browser(app, "noc").await;
    let page = noc.get("/noc/subscribers").await;
    let csrf = csrf_of(&page);
    let forged = noc
        .post_form(&format!("/noc/subscribers/{karima}/disconnect"), &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(customer_commands(app, "CUST002").await.len(), before);

    let queued = noc
        .post_form(
            &format!("/noc/subscribers/{karima}/reboot-onu"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(queued.status, StatusCode::SEE_OTHER, "{}", queued.body);
    let commands = customer_commands(app, "CUST002").await;
    assert_eq!(commands.len(), before + 1);
    assert_eq!(commands[0].kind, "reboot_onu");
    assert_eq!(commands[0].requester_kind, "staff");
    let location = queued.headers[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/noc/commands?highlight={}", commands[0].id)
    );
    let listing = noc.get(&location).await;
    assert!(listing.body.contains(&format!(
        "data-command=\"{}\" data-state=\"queued\" class=\"highlight\"",
        commands[0].id
    )));

    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            &format!("/api/v1/admin/audit-log?target_id={}", commands[0].id),
            Some(&admin),
        )
        .await;
    let entry = &audit.data()["entries"][0];
    assert_eq!(entry["actor_kind"], "staff");
    assert_eq!(entry["actor_name"], "noc");

    let unknown = noc
        .post_form(
            "/noc/subscribers/00000000-0000-0000-0000-000000000000/disconnect",
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
both_backends!(device_actions_by_role_with_token);

async fn agents_table_shows_disconnected_agents(app: &TestApp) {
    let admin = app.staff_token("admin").await;
    let sites = app.get("/api/v1/admin/sites", Some(&admin)).await;
    let site_id = sites.data()["sites"][0]["id"].as_str().unwrap().to_owned();
    app.post(
        "/api/v1/admin/agents",
        Some(&admin),
        json!({ "name": "mirpur-pop", "site_id": site_id }),
    )
    .await
    .data();
    let mut noc = staff_browser(app, "noc").await;
    let rows = noc.get("/noc/agents/rows").await;
    assert_eq!(rows.status, StatusCode::OK);
    assert!(
        rows.body
            .contains("class=\"down\" data-agent=\"mirpur-pop\" data-connected=\"false\""),
        "{}",
        rows.body
    );
    assert!(rows.body.contains("disconnected"));
    let page = noc.get("/noc").await;
    assert!(page.body.contains("data-refresh-url=\"/noc/agents/rows\""));
}
both_backends!(agents_table_shows_disconnected_agents);

/// The speed and payment forms' targets for a customer.
fn speed_path(customer: &str) -> String {
    format!("/noc/subscribers/{customer}/speed")
}

fn payment_path(customer: &str) -> String {
    format!("/noc/subscribers/{customer}/payment")
}

async fn payments_of(app: &TestApp, customer: &str) -> i64 {
    let page = control_plane::store::Page {
        limit: 100,
        offset: 0,
    };
    app.store
        .customer_payments(customer, page)
        .await
        .unwrap()
        .total
}

async fn speed_changes_and_payments_follow_the_role(app: &TestApp) {
    let karima = app.customer_id("CUST002").await;
    let before = customer_commands(app, "CUST002").await.len();
    let payments_before = payments_of(app, &karima).await;

    // Each role sees only its own forms on the subscriber's page.
    for (role, speed, payment) in [
        ("noc", true, false),
        ("billing", false, true),
        ("support", false, false),
    ] {
        let mut staff = staff_browser(app, role).await;
        let page = staff.get(&format!("/noc/subscribers/{karima}")).await;
        assert_eq!(page.status, StatusCode::OK, "{role}: {}", page.body);
        assert_eq!(page.body.contains("id=\"speed-form\""), speed, "{role}");
        assert_eq!(page.body.contains("id=\"payment-form\""), payment, "{role}");
    }

    // Support and billing cannot change speeds, even posting a valid form.
    for role in ["support", "billing"] {
        let mut staff = staff_browser(app, role).await;
        let page = staff.get(&format!("/noc/subscribers/{karima}")).await;
        let csrf = csrf_of(&page);
        let refused = staff
            .post_form(
                &speed_path(&karima),
                &[
                    ("csrf", &csrf),
                    ("download_mbps", "50"),
                    ("upload_mbps", "10"),
                ],
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{role}: {}",
            refused.body
        );
    }
    // The NOC cannot record payments.
    let mut noc = staff_browser(app, "noc").await;
    let page = noc.get(&format!("/noc/subscribers/{karima}")).await;
    let noc_csrf = csrf_of(&page);
    let refused = noc
        .post_form(
            &payment_path(&karima),
            &[
                ("csrf", &noc_csrf),
                ("amount", "500"),
                ("payment_method", "cash"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    // Without the page's token nothing happens, whatever the role.
    let forged = noc
        .post_form(
            &speed_path(&karima),
            &[("download_mbps", "50"), ("upload_mbps", "10")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let mut billing = staff_browser(app, "billing").await;
    let page = billing.get(&format!("/noc/subscribers/{karima}")).await;
    let billing_csrf = csrf_of(&page);
    let forged = billing
        .post_form(
            &payment_path(&karima),
            &[
                ("csrf", &noc_csrf),
                ("amount", "500"),
                ("payment_method", "cash"),
            ],
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "another session's token"
    );
    assert_eq!(customer_commands(app, "CUST002").await.len(), before);
    assert_eq!(payments_of(app, &karima).await, payments_before);

    // Mistakes are 400 pages in words.
    let bad = noc
        .post_form(
            &speed_path(&karima),
            &[
                ("csrf", &noc_csrf),
                ("download_mbps", "fast"),
                ("upload_mbps", "10"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("megabits per second"), "{}", bad.body);
    let bad = billing
        .post_form(
            &payment_path(&karima),
            &[
                ("csrf", &billing_csrf),
                ("amount", "12.345"),
                ("payment_method", "cash"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);

    // The NOC's change of speed goes through the command pipeline, audited.
    let queued = noc
        .post_form(
            &speed_path(&karima),
            &[
                ("csrf", &noc_csrf),
                ("download_mbps", "50"),
                ("upload_mbps", "12.5"),
            ],
        )
        .await;
    assert_eq!(queued.status, StatusCode::SEE_OTHER, "{}", queued.body);
    let commands = customer_commands(app, "CUST002").await;
    assert_eq!(commands.len(), before + 1);
    assert_eq!(commands[0].kind, "change_speed");
    let params: serde_json::Value = serde_json::from_str(&commands[0].params).unwrap();
    assert_eq!(params["download_bps"], 50_000_000, "{params}");
    assert_eq!(params["upload_bps"], 12_500_000, "{params}");
    assert_eq!(
        queued.headers[LOCATION].to_str().unwrap(),
        format!("/noc/commands/{}", commands[0].id)
    );
    let page = noc.get(&format!("/noc/commands/{}", commands[0].id)).await;
    assert!(page.body.contains("data-state=\"queued\""), "{}", page.body);
    assert!(
        page.body.contains("data-refresh-url=\"/noc/commands/"),
        "{}",
        page.body
    );

    // Billing records a cash payment, exactly and audited.
    let paid = billing
        .post_form(
            &payment_path(&karima),
            &[
                ("csrf", &billing_csrf),
                ("amount", "500.50"),
                ("payment_method", "cash"),
                ("reference", "RCPT-77"),
            ],
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert!(
        paid.body.contains("Recorded cash payment of 500.5"),
        "{}",
        paid.body
    );
    assert_eq!(payments_of(app, &karima).await, payments_before + 1);
    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            "/api/v1/admin/audit-log?action=payment.record",
            Some(&admin),
        )
        .await;
    assert_eq!(audit.data()["entries"][0]["actor_name"], "billing");
    let audit = app
        .get(
            "/api/v1/admin/audit-log?action=device.change_speed",
            Some(&admin),
        )
        .await;
    assert_eq!(audit.data()["entries"][0]["actor_name"], "noc");
}
both_backends!(speed_changes_and_payments_follow_the_role);
