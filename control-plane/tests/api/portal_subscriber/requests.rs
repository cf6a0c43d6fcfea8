//! Package change requests from the portal (pending state shown, a second one refused in
//! words) and every self-service form refused without its page token, storing nothing.

use reqwest::header::LOCATION;
use reqwest::StatusCode;

use super::{csrf_of, logged_in};
use crate::both_backends;
use crate::helpers::{TestApp, RAHIM};

async fn a_package_change_is_requested_and_shown_pending(app: &TestApp) {
    let mut rahim = logged_in(app, RAHIM).await;
    let packages = rahim.get("/packages").await;
    assert!(!packages.body.contains("id=\"pending-change\""));
    let customer_id = app.customer_id(RAHIM.0).await;
    let own = app.store.customer(&customer_id).await.unwrap().package_id;
    let other = app
        .get(
            "/api/v1/customer/packages",
            Some(&app.customer_token(RAHIM.0, RAHIM.1).await),
        )
        .await
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"].as_str() != own.as_deref())
        .expect("another package on offer")
        .clone();
    let (other_id, other_name) = (
        other["id"].as_str().unwrap().to_owned(),
        other["name"].as_str().unwrap().to_owned(),
    );
    let csrf = csrf_of(&packages);
    let own_id = own.unwrap();
    let same = rahim
        .post_form(
            "/packages/change",
            &[("csrf", &csrf), ("package_id", &own_id)],
        )
        .await;
    assert_eq!(same.status, StatusCode::BAD_REQUEST);
    assert!(
        same.body.contains("already on this package"),
        "{}",
        same.body
    );

    let asked = rahim
        .post_form(
            "/packages/change",
            &[("csrf", &csrf), ("package_id", &other_id)],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    assert_eq!(asked.headers[LOCATION], "/packages#pending-change");
    let shown = rahim.get("/packages").await;
    assert!(
        shown.body.contains("id=\"pending-change\""),
        "{}",
        shown.body
    );
    assert!(shown
        .body
        .contains(&format!("<strong>{other_name}</strong>")));
    assert!(
        !shown.body.contains("action=\"/packages/change\""),
        "no second request offered"
    );

    let twice = rahim
        .post_form(
            "/packages/change",
            &[("csrf", &csrf), ("package_id", &other_id)],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(twice.body.contains("already waiting"), "{}", twice.body);
}
both_backends!(a_package_change_is_requested_and_shown_pending);

async fn self_service_forms_need_the_page_token(app: &TestApp) {
    let mut rahim = logged_in(app, RAHIM).await;
    let customer_id = app.customer_id(RAHIM.0).await;
    let tickets_before = app.store.customer_tickets(&customer_id).await.unwrap();
    let ticket_id = tickets_before[0].id.clone();
    let messages_before = app
        .store
        .ticket_messages(&ticket_id, true)
        .await
        .unwrap()
        .len();
    let forms: [(String, Vec<(&str, &str)>); 6] = [
        (
            "/tickets".to_owned(),
            vec![("subject", "forged"), ("message", "forged")],
        ),
        (
            format!("/tickets/{ticket_id}/reply"),
            vec![("message", "forged")],
        ),
        (
            "/recharge".to_owned(),
            vec![("months", "1"), ("payment_method", "bkash")],
        ),
        (
            "/bills/any/pay".to_owned(),
            vec![("payment_method", "bkash")],
        ),
        ("/packages/change".to_owned(), vec![("package_id", "any")]),
        ("/notifications/any/read".to_owned(), vec![]),
    ];
    for (path, fields) in &forms {
        let missing = rahim.post_form(path, fields).await;
        assert_eq!(
            missing.status,
            StatusCode::FORBIDDEN,
            "{path} without a token"
        );
        assert!(missing.body.contains("reload the page"), "{}", missing.body);
        let mut wrong = fields.clone();
        wrong.push(("csrf", "0123abcd"));
        assert_eq!(
            rahim.post_form(path, &wrong).await.status,
            StatusCode::FORBIDDEN,
            "{path} with a wrong token"
        );
    }
    assert_eq!(
        app.store
            .customer_tickets(&customer_id)
            .await
            .unwrap()
            .len(),
        tickets_before.len()
    );
    assert_eq!(
        app.store
            .ticket_messages(&ticket_id, true)
            .await
            .unwrap()
            .len(),
        messages_before
    );
    let payments: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE status = 'pending'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(payments, 0);
    assert_eq!(
        app.store
            .pending_package_change(&customer_id)
            .await
            .unwrap(),
        None
    );
}
both_backends!(self_service_forms_need_the_page_token);
