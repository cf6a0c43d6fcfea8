//! The ticket queue in the NOC console: support filters, opens, replies, adds an internal note
//! (marked, and absent from the subscriber's own portal page), assigns and closes, each with
//! the page's token and an audit entry; the NOC gets no queue and a 403 if it posts anyway.

use reqwest::header::LOCATION;
use reqwest::StatusCode;

use crate::both_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};
use crate::portal_noc::staff_browser;
use crate::portal_subscriber::{csrf_of, Browser};
use crate::staff_tickets::open_ticket;

async fn thread_messages(app: &TestApp, ticket: &str) -> usize {
    app.store.ticket_messages(ticket, true).await.unwrap().len()
}

async fn support_answers_a_ticket_in_the_console(app: &TestApp) {
    let rahim = open_ticket(app, RAHIM, "Link down").await;
    let karima = open_ticket(app, KARIMA, "Slow at night").await;

    let mut noc = staff_browser(app, "noc").await;
    let home = noc.get("/noc/subscribers").await;
    assert!(
        !home.body.contains("href=\"/noc/tickets\""),
        "no queue for the NOC"
    );
    assert_eq!(noc.get("/noc/tickets").await.status, StatusCode::FORBIDDEN);
    let noc_csrf = csrf_of(&home);
    let refused = noc
        .post_form(
            &format!("/noc/tickets/{rahim}/reply"),
            &[("csrf", &noc_csrf), ("message", "hello")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut support = staff_browser(app, "support").await;
    let queue = support.get("/noc/tickets").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains("href=\"/noc/tickets\""));
    assert!(queue.body.contains(&format!("data-ticket=\"{rahim}\"")));
    assert!(queue.body.contains(&format!("data-ticket=\"{karima}\"")));
    let bad = support.get("/noc/tickets?status=lost").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let page = support.get(&format!("/noc/tickets/{rahim}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("No internet since morning"));
    let csrf = csrf_of(&page);

    // Without the page's token nothing is written.
    let forged = support
        .post_form(
            &format!("/noc/tickets/{rahim}/reply"),
            &[("message", "forged")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(thread_messages(app, &rahim).await, 1);

    let replied = support
        .post_form(
            &format!("/noc/tickets/{rahim}/reply"),
            &[("csrf", &csrf), ("message", "A technician is on the way")],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
    assert_eq!(
        replied.headers[LOCATION],
        format!("/noc/tickets/{rahim}").as_str()
    );
    let noted = support
        .post_form(
            &format!("/noc/tickets/{rahim}/note"),
            &[("csrf", &csrf), ("message", "Splitter at pole 7 suspected")],
        )
        .await;
    assert_eq!(noted.status, StatusCode::SEE_OTHER, "{}", noted.body);
    let me = app
        .get(
            "/api/v1/admin/auth/me",
            Some(&app.staff_token("support").await),
        )
        .await;
    let support_id = me.data()["id"].as_str().unwrap().to_owned();
    let assigned = support
        .post_form(
            &format!("/noc/tickets/{rahim}/assign"),
            &[("csrf", &csrf), ("assigned_to", &support_id)],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    let closed = support
        .post_form(
            &format!("/noc/tickets/{rahim}/status"),
            &[("csrf", &csrf), ("status", "closed")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);

    let page = support.get(&format!("/noc/tickets/{rahim}")).await;
    for shown in [
        "A technician is on the way",
        "data-internal=\"true\"",
        "Internal note</strong>",
        "<dd id=\"ticket-status\">closed</dd>",
        "<dd id=\"ticket-assignee\">support</dd>",
    ] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    let mine = support
        .get(&format!(
            "/noc/tickets?status=closed&assigned_to={support_id}"
        ))
        .await;
    assert!(mine.body.contains(&format!("data-ticket=\"{rahim}\"")));
    assert!(!mine.body.contains(&format!("data-ticket=\"{karima}\"")));

    // The subscriber's own portal shows the reply and never the note.
    let mut subscriber = Browser::new(app);
    let form = subscriber.get("/login").await;
    let login_csrf = csrf_of(&form);
    subscriber
        .post_form(
            "/login",
            &[
                ("csrf", &login_csrf),
                ("customer_code", RAHIM.0),
                ("phone", RAHIM.1),
            ],
        )
        .await;
    let theirs = subscriber.get(&format!("/tickets/{rahim}")).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert!(theirs.body.contains("A technician is on the way"));
    assert!(!theirs.body.contains("Splitter"), "{}", theirs.body);

    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            &format!("/api/v1/admin/audit-log?target_id={rahim}"),
            Some(&admin),
        )
        .await;
    let mut actions: Vec<&str> = audit.data()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "ticket.note",
            "ticket.reply",
            "ticket.update",
            "ticket.update"
        ]
    );
}
both_backends!(support_answers_a_ticket_in_the_console);
