//! Seed 002's business-portal lists: `/invoices` (bills with links to their invoice documents)
//! and `/support-tickets` (paginated), each the caller's own rows only.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};

const API: &str = "/api/v1/customer";

async fn invoices_are_the_customers_bills_with_links(app: &TestApp) {
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    let bills = app.get(&format!("{API}/bills"), Some(&karima)).await;
    let bills = bills.data()["bills"].as_array().unwrap().clone();
    let invoices = app.get(&format!("{API}/invoices"), Some(&karima)).await;
    let data = invoices.data();
    assert_eq!(data["pagination"]["total"], bills.len());
    let list = data["invoices"].as_array().unwrap();
    assert_eq!(list.len(), bills.len());
    for (invoice, bill) in list.iter().zip(&bills) {
        assert_eq!(invoice["id"], bill["id"]);
        assert_eq!(invoice["bill_number"], bill["bill_number"]);
        assert_eq!(invoice["total_amount"], bill["total_amount"]);
        let id = bill["id"].as_str().unwrap();
        assert_eq!(
            invoice["invoice_html_url"],
            format!("{API}/bills/{id}/invoice.html")
        );
        assert_eq!(
            invoice["invoice_pdf_url"],
            format!("{API}/bills/{id}/invoice.pdf")
        );
    }
    // The HTML link opens the invoice for its customer.
    let url = list[0]["invoice_html_url"].as_str().unwrap();
    let html = app.get(url, Some(&karima)).await;
    assert_eq!(html.status.as_u16(), 200);
    // Paged and filtered like /bills, with the same checks.
    let page = app
        .get(&format!("{API}/invoices?limit=1&offset=1"), Some(&karima))
        .await;
    assert_eq!(page.data()["invoices"].as_array().unwrap().len(), 1);
    assert_eq!(page.data()["invoices"][0]["id"], bills[1]["id"]);
    app.get(&format!("{API}/invoices?limit=0"), Some(&karima))
        .await
        .error(400);
    app.get(&format!("{API}/invoices?status=PAID"), Some(&karima))
        .await
        .error(400);
    // Another customer sees only their own.
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let theirs = app.get(&format!("{API}/invoices"), Some(&rahim)).await;
    for invoice in theirs.data()["invoices"].as_array().unwrap() {
        assert!(bills.iter().all(|b| b["id"] != invoice["id"]));
    }
    app.get(&format!("{API}/invoices"), None).await.error(401);
}
both_backends!(invoices_are_the_customers_bills_with_links);

async fn support_tickets_are_paginated(app: &TestApp) {
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    let mut ids = Vec::new();
    for subject in ["First", "Second", "Third"] {
        let created = app
            .post(
                &format!("{API}/support/tickets"),
                Some(&karima),
                json!({ "subject": subject, "message": "Slow at night" }),
            )
            .await;
        ids.push(created.data()["ticket_id"].as_str().unwrap().to_owned());
    }
    let all = app
        .get(&format!("{API}/support-tickets"), Some(&karima))
        .await;
    let data = all.data();
    assert_eq!(data["pagination"]["total"], 3);
    assert_eq!(data["pagination"]["limit"], 20);
    let subjects: Vec<_> = data["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["subject"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(subjects, ["Third", "Second", "First"]);
    let page = app
        .get(
            &format!("{API}/support-tickets?limit=2&offset=2"),
            Some(&karima),
        )
        .await;
    assert_eq!(page.data()["pagination"]["total"], 3);
    assert_eq!(page.data()["tickets"].as_array().unwrap().len(), 1);
    assert_eq!(page.data()["tickets"][0]["id"], ids[0].as_str());
    app.get(&format!("{API}/support-tickets?offset=-1"), Some(&karima))
        .await
        .error(400);
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let theirs = app
        .get(&format!("{API}/support-tickets"), Some(&rahim))
        .await;
    let theirs = theirs.data()["tickets"].as_array().unwrap();
    assert!(theirs
        .iter()
        .all(|t| !ids.iter().any(|id| t["id"] == id.as_str())));
}
both_backends!(support_tickets_are_paginated);
