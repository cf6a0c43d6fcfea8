//! Cross-customer isolation: a subscriber's token never reads or acts on another's data.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};

const API: &str = "/api/v1/customer";

async fn customers_see_only_their_own(app: &TestApp) {
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;

    // Karima's bill, ticket and command, made through the API.
    let karima_bills = app.get(&format!("{API}/bills"), Some(&karima)).await;
    let karima_bill = karima_bills.data()["bills"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ticket = app
        .post(
            &format!("{API}/support/tickets"),
            Some(&karima),
            json!({ "subject": "mine", "message": "private" }),
        )
        .await;
    let karima_ticket = ticket.data()["ticket_id"].as_str().unwrap().to_owned();
    let command = app
        .post(
            &format!("{API}/device/reboot-onu"),
            Some(&karima),
            json!({}),
        )
        .await;
    let karima_command = command.data()["command_id"].as_str().unwrap().to_owned();

    // Rahim can reach none of them.
    app.get(&format!("{API}/bills/{karima_bill}"), Some(&rahim))
        .await
        .error(404);
    app.get(
        &format!("{API}/support/tickets/{karima_ticket}"),
        Some(&rahim),
    )
    .await
    .error(404);
    app.post(
        &format!("{API}/support/tickets/{karima_ticket}/messages"),
        Some(&rahim),
        json!({ "message": "hi" }),
    )
    .await
    .error(404);
    app.get(
        &format!("{API}/device/commands/{karima_command}"),
        Some(&rahim),
    )
    .await
    .error(404);
    app.post(
        &format!("{API}/payments/initiate"),
        Some(&rahim),
        json!({ "amount": 1, "payment_method": "bkash", "bill_id": karima_bill }),
    )
    .await
    .error(404);

    // Lists hold only Rahim's own rows.
    let bills = app
        .get(&format!("{API}/bills?limit=100"), Some(&rahim))
        .await;
    assert!(bills.data()["bills"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["id"] != karima_bill.as_str()));
    let tickets = app
        .get(&format!("{API}/support/tickets"), Some(&rahim))
        .await;
    assert!(!tickets.body.to_string().contains("private"));
    assert!(tickets
        .data()
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["id"] != karima_ticket.as_str()));
    let commands = app
        .get(&format!("{API}/device/commands"), Some(&rahim))
        .await;
    assert_eq!(commands.data()["pagination"]["total"], 0);
    let profile = app.get(&format!("{API}/profile"), Some(&rahim)).await;
    assert_eq!(profile.data()["customer_code"], RAHIM.0);

    // Rahim's reboot acts on Rahim's ONU, never Karima's.
    let own = app
        .post(&format!("{API}/device/reboot-onu"), Some(&rahim), json!({}))
        .await;
    let own_id = own.data()["command_id"].as_str().unwrap().to_owned();
    let rahim_id = app.customer_id(RAHIM.0).await;
    assert_eq!(
        app.store
            .command(&own_id)
            .await
            .unwrap()
            .customer_id
            .as_deref(),
        Some(rahim_id.as_str())
    );
}
both_backends!(customers_see_only_their_own);
