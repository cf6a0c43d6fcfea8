//! Notifications in the portal: the header counts the unread ones on every page, the page
//! lists them newest first, and marking one read lowers the count; another subscriber's
//! notification answers 404.

use reqwest::header::LOCATION;
use reqwest::StatusCode;

use super::{csrf_of, logged_in};
use crate::both_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};
use control_plane::store::notifications::NewNotification;

async fn notify(app: &TestApp, customer_id: &str, key: &str, title: &str) {
    let created = app
        .store
        .create_notification(
            &NewNotification {
                customer_id: customer_id.to_owned(),
                kind: "expiry_warning".to_owned(),
                title: title.to_owned(),
                message: format!("{title}: pay or recharge to stay connected"),
                dedupe_key: key.to_owned(),
            },
            &[],
        )
        .await
        .unwrap();
    assert!(created);
}

async fn unread_notifications_are_counted_and_marked_read(app: &TestApp) {
    let rahim_id = app.customer_id(RAHIM.0).await;
    let mut rahim = logged_in(app, RAHIM).await;
    assert!(!rahim.get("/").await.body.contains("id=\"unread-count\""));
    notify(app, &rahim_id, "a", "Service ends in 3 days").await;
    notify(app, &rahim_id, "b", "Service ends tomorrow").await;
    // Two days apart, so "newest first" has one answer.
    sqlx::query(
        "UPDATE notifications SET created_at = '2026-01-01T09:00:00Z' WHERE dedupe_key = 'a'",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    sqlx::query(
        "UPDATE notifications SET created_at = '2026-01-03T09:00:00Z' WHERE dedupe_key = 'b'",
    )
    .execute(app.store.pool())
    .await
    .unwrap();

    for path in ["/", "/bills", "/tickets", "/packages"] {
        let page = rahim.get(path).await;
        assert!(
            page.body
                .contains("<span class=\"count\" id=\"unread-count\">2</span>"),
            "{path}: {}",
            page.body
        );
    }
    let list = rahim.get("/notifications").await;
    assert_eq!(list.status, StatusCode::OK);
    let first = list.body.find("Service ends tomorrow").unwrap();
    let second = list.body.find("Service ends in 3 days").unwrap();
    assert!(first < second, "newest first");

    let rows = app
        .store
        .customer_notifications(
            &rahim_id,
            true,
            control_plane::store::Page {
                limit: 10,
                offset: 0,
            },
        )
        .await
        .unwrap()
        .rows;
    let id = rows[0].id.clone();

    // Karima cannot mark Rahim's notification.
    let mut karima = logged_in(app, KARIMA).await;
    let karima_csrf = csrf_of(&karima.get("/notifications").await);
    let theirs = karima
        .post_form(
            &format!("/notifications/{id}/read"),
            &[("csrf", &karima_csrf)],
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert!(!karima
        .get("/notifications")
        .await
        .body
        .contains("Service ends"));

    let csrf = csrf_of(&list);
    let marked = rahim
        .post_form(&format!("/notifications/{id}/read"), &[("csrf", &csrf)])
        .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER, "{}", marked.body);
    assert_eq!(marked.headers[LOCATION], "/notifications");
    let list = rahim.get("/notifications").await;
    assert!(list
        .body
        .contains("<span class=\"count\" id=\"unread-count\">1</span>"));
    assert_eq!(list.body.matches("Mark as read</button>").count(), 1);
}
both_backends!(unread_notifications_are_counted_and_marked_read);
