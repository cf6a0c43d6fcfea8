//! The staff ticket queue API: roles, filters by status, priority and assignee, the whole
//! thread for staff with internal notes marked and hidden from the customer, validation as
//! 400s, unknown tickets as 404s, and an audit entry for every write.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};

const CUSTOMER_API: &str = "/api/v1/customer";
const TICKETS: &str = "/api/v1/admin/tickets";

/// A customer opens a ticket through the customer API; returns its id.
pub async fn open_ticket(
    app: &TestApp,
    (code, phone, _): (&str, &str, &str),
    subject: &str,
) -> String {
    let token = app.customer_token(code, phone).await;
    let opened = app
        .post(
            &format!("{CUSTOMER_API}/support/tickets"),
            Some(&token),
            json!({ "subject": subject, "message": "No internet since morning", "category": "connectivity" }),
        )
        .await;
    opened.data()["ticket_id"]
        .as_str()
        .expect("ticket id")
        .to_owned()
}

async fn audit_actions(app: &TestApp, ticket: &str) -> Vec<String> {
    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            &format!("/api/v1/admin/audit-log?target_id={ticket}"),
            Some(&admin),
        )
        .await;
    audit.data()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn staff_work_the_ticket_queue(app: &TestApp) {
    let rahim = open_ticket(app, RAHIM, "Link down").await;
    let karima = open_ticket(app, KARIMA, "Slow at night").await;
    for role in ["noc", "billing"] {
        let token = app.staff_token(role).await;
        app.get(TICKETS, Some(&token)).await.error(403);
        app.post(
            &format!("{TICKETS}/{rahim}/messages"),
            Some(&token),
            json!({ "message": "hello" }),
        )
        .await
        .error(403);
    }
    let support = app.staff_token("support").await;
    let all = app.get(TICKETS, Some(&support)).await;
    let total = all.data()["pagination"]["total"].as_i64().unwrap();
    assert!(total >= 2, "{}", all.body);
    assert_eq!(
        all.data()["tickets"][0]["id"],
        karima.as_str(),
        "newest first"
    );

    // Reply, internal note, assignment, priority and status.
    let me = app.get("/api/v1/admin/auth/me", Some(&support)).await;
    let support_id = me.data()["id"].as_str().unwrap().to_owned();
    let assignees = app
        .get(&format!("{TICKETS}/assignees"), Some(&support))
        .await;
    let names: Vec<&str> = assignees
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "support"]);
    let replied = app
        .post(
            &format!("{TICKETS}/{rahim}/messages"),
            Some(&support),
            json!({ "message": "We are checking your line" }),
        )
        .await;
    assert_eq!(replied.body["message"], "Reply sent");
    app.post(
        &format!("{TICKETS}/{rahim}/messages"),
        Some(&support),
        json!({ "message": "ONU shows LOS; send a technician", "internal": true }),
    )
    .await
    .data();
    let changed = app
        .request(
            reqwest::Method::PATCH,
            &format!("{TICKETS}/{rahim}"),
            Some(&support),
            Some(&json!({ "assigned_to": support_id, "priority": "urgent", "status": "in-progress" }).to_string()),
        )
        .await;
    assert_eq!(changed.data()["assignee_username"], "support");
    assert_eq!(changed.data()["priority"], "urgent");

    // Filters: (query, the ticket it lists, the ticket it leaves out). The demo has tickets
    // of its own, so only these two are checked.
    let cases = [
        ("status=in-progress", &rahim, &karima),
        ("status=open", &karima, &rahim),
        ("priority=urgent", &rahim, &karima),
        ("assigned_to=unassigned", &karima, &rahim),
    ];
    for (query, listed, left_out) in cases {
        let page = app.get(&format!("{TICKETS}?{query}"), Some(&support)).await;
        let ids: Vec<&str> = page.data()["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&listed.as_str()), "{query}: {ids:?}");
        assert!(!ids.contains(&left_out.as_str()), "{query}: {ids:?}");
    }
    let mine = format!("assigned_to={support_id}");
    let page = app.get(&format!("{TICKETS}?{mine}"), Some(&support)).await;
    assert_eq!(page.data()["tickets"][0]["id"], rahim.as_str());
    assert_eq!(page.data()["pagination"]["total"], 1);

    // Staff read the whole thread; the customer never reads the note.
    let thread = app.get(&format!("{TICKETS}/{rahim}"), Some(&support)).await;
    let messages = thread.data()["messages"].as_array().unwrap().clone();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[1]["author_name"], "support");
    assert_eq!(messages[1]["internal"], false);
    assert_eq!(messages[2]["internal"], true);
    let token = app.customer_token(RAHIM.0, RAHIM.1).await;
    let seen = app
        .get(
            &format!("{CUSTOMER_API}/support/tickets/{rahim}"),
            Some(&token),
        )
        .await;
    let text = seen.body.to_string();
    assert!(text.contains("We are checking your line"), "{text}");
    assert!(!text.contains("technician"), "{text}");

    // Null unassigns.
    let unassigned = app
        .request(
            reqwest::Method::PATCH,
            &format!("{TICKETS}/{rahim}"),
            Some(&support),
            Some(&json!({ "assigned_to": null }).to_string()),
        )
        .await;
    assert_eq!(unassigned.data()["assigned_to"], Value::Null);
    assert_eq!(unassigned.data()["status"], "in-progress", "left as it was");

    let actions = audit_actions(app, &rahim).await;
    for action in ["ticket.reply", "ticket.note", "ticket.update"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}
both_backends!(staff_work_the_ticket_queue);

async fn bad_ticket_requests_are_refused_in_words(app: &TestApp) {
    let rahim = open_ticket(app, RAHIM, "Link down").await;
    let support = app.staff_token("support").await;
    let cases: [(&str, Value, u16, &str); 6] = [
        ("?status=lost", Value::Null, 400, "status must be one of"),
        ("?priority=meh", Value::Null, 400, "priority must be one of"),
        (
            "/TKT-1/messages",
            json!({ "message": "hi" }),
            404,
            "not found",
        ),
        (
            "/RAHIM/messages",
            json!({ "message": "" }),
            400,
            "message is required",
        ),
        ("/RAHIM", json!({}), 400, "give at least one of"),
        (
            "/RAHIM",
            json!({ "assigned_to": "nobody" }),
            400,
            "id of a staff member",
        ),
    ];
    for (suffix, body, status, words) in cases {
        let path = format!("{TICKETS}{}", suffix.replace("RAHIM", &rahim));
        let reply = if body.is_null() {
            app.get(&path, Some(&support)).await
        } else if suffix.ends_with("/messages") {
            app.post(&path, Some(&support), body).await
        } else {
            app.request(
                reqwest::Method::PATCH,
                &path,
                Some(&support),
                Some(&body.to_string()),
            )
            .await
        };
        let message = reply.error(status);
        assert!(
            message.to_lowercase().contains(words),
            "{suffix}: {message}"
        );
    }
    assert!(
        audit_actions(app, &rahim).await.is_empty(),
        "refused writes leave no audit"
    );
}
both_backends!(bad_ticket_requests_are_refused_in_words);
