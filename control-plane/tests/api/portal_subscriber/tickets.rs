//! Tickets in the portal: opening one with category and priority, replying in its thread,
//! staff-only notes never in the HTML, refused input shown in words, and another
//! subscriber's ticket answering 404.

use reqwest::header::LOCATION;
use reqwest::StatusCode;

use super::{csrf_of, logged_in};
use crate::both_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};

async fn tickets_open_and_take_replies_without_staff_notes(app: &TestApp) {
    let mut rahim = logged_in(app, RAHIM).await;
    let list = rahim.get("/tickets").await;
    assert!(
        list.body.contains("<label for=\"ticket-subject\">"),
        "{}",
        list.body
    );
    let csrf = csrf_of(&list);

    // Refused input comes back as the form with the reason and what was typed.
    let unknown = rahim
        .post_form(
            "/tickets",
            &[
                ("csrf", &csrf),
                ("subject", "Slow at night"),
                ("category", "weather"),
                ("priority", "high"),
                ("message", "Speed drops after 9 pm & stays low"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{}", unknown.body);
    assert!(
        unknown.body.contains("category must be one of"),
        "{}",
        unknown.body
    );
    assert!(unknown.body.contains("value=\"Slow at night\""));
    assert!(
        unknown
            .body
            .contains("Speed drops after 9 pm &#38; stays low"),
        "{}",
        unknown.body
    );
    let empty = rahim
        .post_form("/tickets", &[("csrf", &csrf), ("subject", "No message")])
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("message is required"), "{}", empty.body);

    let opened = rahim
        .post_form(
            "/tickets",
            &[
                ("csrf", &csrf),
                ("subject", "Slow at night"),
                ("category", "connectivity"),
                ("priority", "high"),
                ("message", "Speed drops after 9 pm & stays low"),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let location = opened.headers[LOCATION].to_str().unwrap().to_owned();
    let ticket_id = location
        .strip_prefix("/tickets/")
        .expect("a ticket page")
        .to_owned();
    let customer_id = app.customer_id(RAHIM.0).await;
    let stored = app
        .store
        .customer_ticket(&customer_id, &ticket_id)
        .await
        .unwrap();
    assert_eq!(
        (
            stored.category.as_str(),
            stored.priority.as_str(),
            stored.status.as_str()
        ),
        ("connectivity", "high", "open")
    );

    // Staff answer, and keep a note for themselves.
    app.store
        .add_ticket_message(
            &ticket_id,
            "staff",
            "support",
            "We are checking your line",
            false,
        )
        .await
        .unwrap();
    app.store
        .add_ticket_message(
            &ticket_id,
            "staff",
            "support",
            "INTERNAL: splitter 7 is cracked",
            true,
        )
        .await
        .unwrap();

    let thread = rahim.get(&location).await;
    assert_eq!(thread.status, StatusCode::OK);
    assert!(thread
        .body
        .contains("Speed drops after 9 pm &#38; stays low"));
    assert!(thread.body.contains("We are checking your line"));
    assert!(thread.body.contains("Support team"));
    assert!(
        !thread.body.contains("splitter 7"),
        "internal note shown: {}",
        thread.body
    );
    assert!(thread.body.contains("<label for=\"reply-message\">"));

    let csrf = csrf_of(&thread);
    let reply_path = format!("{location}/reply");
    let blank = rahim
        .post_form(&reply_path, &[("csrf", &csrf), ("message", "   ")])
        .await;
    assert_eq!(blank.status, StatusCode::BAD_REQUEST);
    assert!(blank.body.contains("message is required"), "{}", blank.body);
    assert!(!blank.body.contains("splitter 7"));

    let replied = rahim
        .post_form(
            &reply_path,
            &[("csrf", &csrf), ("message", "Still slow tonight")],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
    let back = replied.headers[LOCATION].to_str().unwrap().to_owned();
    assert!(back.starts_with(&format!("{location}#msg-")), "{back}");
    let thread = rahim.get(&location).await;
    let at_reply = thread.body.find("Still slow tonight").expect("the reply");
    let at_staff = thread.body.find("We are checking your line").unwrap();
    assert!(at_staff < at_reply, "the reply is last in the thread");
    assert!(!thread.body.contains("splitter 7"));

    // Karima cannot read or answer Rahim's ticket through the portal.
    let mut karima = logged_in(app, KARIMA).await;
    let theirs = karima.get(&location).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert!(!theirs.body.contains("Slow at night"));
    let karima_csrf = csrf_of(&karima.get("/tickets").await);
    let intrude = karima
        .post_form(&reply_path, &[("csrf", &karima_csrf), ("message", "hello")])
        .await;
    assert_eq!(intrude.status, StatusCode::NOT_FOUND);
    let messages = app.store.ticket_messages(&ticket_id, true).await.unwrap();
    assert_eq!(
        messages.len(),
        4,
        "first message, staff reply, note, Rahim's reply"
    );
    assert!(!karima.get("/tickets").await.body.contains("Slow at night"));
}
both_backends!(tickets_open_and_take_replies_without_staff_notes);
