//! Invoices and exports: a bill as HTML and PDF for staff and for its own subscriber only, with
//! every value escaped, the PDF's text read back by poppler's `pdftotext`, and CSV exports of
//! bills and payments that a CSV parser reads back exactly.

use serde_json::json;
use time::macros::datetime;

use super::support::{billing_customer, bills, run_billing, set_clock, API, CODE, PHONE};
use crate::helpers::{TestApp, KARIMA};
use crate::{both_backends, both_backends_with};

/// Sends a GET and returns the status, the content type and the body as text.
async fn fetch(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String, String) {
    let (status, content_type, body) = fetch_bytes(app, path, token).await;
    (
        status,
        content_type,
        String::from_utf8(body).expect("utf-8 body"),
    )
}

/// Sends a GET and returns the status, the content type and the body.
async fn fetch_bytes(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut request = app.client.get(format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let reply = request.send().await.expect("request");
    let status = reply.status().as_u16();
    let content_type = reply
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        content_type,
        reply.bytes().await.expect("body").to_vec(),
    )
}

/// The text poppler's `pdftotext` reads from `pdf`; `None` (a skip note) when poppler-utils is
/// not installed, a failure instead with `NETOPS_LAB_REQUIRED=1`.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("invoice.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    match std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "pdftotext: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).expect("utf-8 text"))
        }
        Err(err) if std::env::var("NETOPS_LAB_REQUIRED").is_ok_and(|v| v == "1") => {
            panic!("NETOPS_LAB_REQUIRED=1 but pdftotext does not run ({err}); apt-get install poppler-utils")
        }
        Err(err) => {
            eprintln!("SKIP pdftotext check: {err} (apt-get install poppler-utils)");
            None
        }
    }
}

async fn rename(app: &TestApp, customer_id: &str, name: &str) {
    sqlx::query("UPDATE customers SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(customer_id)
        .execute(app.store.pool())
        .await
        .expect("rename");
}

async fn invoices_for_staff_and_the_own_subscriber(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    rename(app, &customer_id, "<script>alert(1)</script> & \"Sons\"").await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;
    let token = app.customer_token(CODE, PHONE).await;
    let bill = bills(app, &token).await[0].clone();
    let bill_id = bill["id"].as_str().expect("bill id").to_owned();
    let number = bill["bill_number"].as_str().expect("number").to_owned();

    let own = format!("{API}/bills/{bill_id}/invoice.html");
    let (status, content_type, page) = fetch(app, &own, Some(&token)).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(content_type, "text/html; charset=utf-8");
    assert!(page.contains(&format!("Invoice {number}")), "{page}");
    assert!(page.contains("1000.00"), "{page}");
    assert!(page.contains("2027-01-01 to 2027-01-31"), "{page}");
    assert!(
        page.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;Sons&#34;"),
        "{page}"
    );
    assert!(!page.contains("<script>"), "{page}");

    // Another subscriber, or nobody, cannot read it.
    sqlx::query("UPDATE customers SET status = 'active' WHERE customer_code = $1")
        .bind(KARIMA.0)
        .execute(app.store.pool())
        .await
        .expect("second subscriber active");
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    assert_eq!(fetch(app, &own, Some(&karima)).await.0, 404);
    assert_eq!(fetch(app, &own, None).await.0, 401);
    let unknown = format!("{API}/bills/no-such-bill/invoice.html");
    assert_eq!(fetch(app, &unknown, Some(&token)).await.0, 404);

    let staff = format!("/api/v1/admin/bills/{bill_id}/invoice.html");
    for role in ["admin", "billing", "support"] {
        let staff_token = app.staff_token(role).await;
        let (status, _, staff_page) = fetch(app, &staff, Some(&staff_token)).await;
        assert_eq!(status, 200, "{role}");
        assert_eq!(staff_page, page, "{role}");
    }
    let noc = app.staff_token("noc").await;
    assert_eq!(fetch(app, &staff, Some(&noc)).await.0, 403);
    assert_eq!(fetch(app, &staff, Some(&token)).await.0, 401);
    let admin = app.staff_token("admin").await;
    let missing = "/api/v1/admin/bills/no-such-bill/invoice.html";
    assert_eq!(fetch(app, missing, Some(&admin)).await.0, 404);
}
both_backends!(invoices_for_staff_and_the_own_subscriber);

fn name_the_isp(config: &mut control_plane::config::Config) {
    config.billing.isp_name = "Rupali (Net) Ltd".to_owned();
}

async fn pdf_invoices_for_staff_and_the_own_subscriber(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    rename(app, &customer_id, "Rahim (Uddin) \\ Café").await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;
    let token = app.customer_token(CODE, PHONE).await;
    let bill = bills(app, &token).await[0].clone();
    let bill_id = bill["id"].as_str().expect("bill id").to_owned();
    let number = bill["bill_number"].as_str().expect("number").to_owned();

    let own = format!("{API}/bills/{bill_id}/invoice.pdf");
    let (status, content_type, pdf) = fetch_bytes(app, &own, Some(&token)).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(content_type, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-1.4\n"));
    assert!(pdf.ends_with(b"%%EOF\n"));
    if let Some(text) = pdf_text(&pdf) {
        for part in [
            "Rupali (Net) Ltd",
            &format!("Invoice {number}"),
            "Rahim (Uddin) \\ Café",
            CODE,
            "2027-01-01 to 2027-01-31",
            "1000.00",
            "Balance due",
            "unpaid",
        ] {
            assert!(text.contains(part), "{part:?} not in {text}");
        }
    }

    // Another subscriber, or nobody, cannot read it.
    sqlx::query("UPDATE customers SET status = 'active' WHERE customer_code = $1")
        .bind(KARIMA.0)
        .execute(app.store.pool())
        .await
        .expect("second subscriber active");
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    assert_eq!(fetch_bytes(app, &own, Some(&karima)).await.0, 404);
    assert_eq!(fetch_bytes(app, &own, None).await.0, 401);

    let staff = format!("/api/v1/admin/bills/{bill_id}/invoice.pdf");
    for role in ["admin", "billing", "support"] {
        let staff_token = app.staff_token(role).await;
        let (status, content_type, staff_pdf) = fetch_bytes(app, &staff, Some(&staff_token)).await;
        assert_eq!(status, 200, "{role}");
        assert_eq!(content_type, "application/pdf");
        assert_eq!(staff_pdf, pdf, "{role}");
    }
    let noc = app.staff_token("noc").await;
    assert_eq!(fetch_bytes(app, &staff, Some(&noc)).await.0, 403);
    let admin = app.staff_token("admin").await;
    let missing = "/api/v1/admin/bills/no-such-bill/invoice.pdf";
    assert_eq!(fetch_bytes(app, missing, Some(&admin)).await.0, 404);
}
both_backends_with!(pdf_invoices_for_staff_and_the_own_subscriber, name_the_isp);

/// Parses CSV text with the `csv` crate: the header and the records.
fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

async fn csv_exports_round_trip(app: &TestApp) {
    let name = "Uddin, \"Rahim\" & Sons";
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    rename(app, &customer_id, name).await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;
    set_clock(app, datetime!(2027-01-05 10:30 UTC));
    let billing = app.staff_token("billing").await;
    let notes = "paid at the office,\nsecond line; \"receipt 7\"";
    app.post(
        &format!("/api/v1/admin/customers/{customer_id}/payments"),
        Some(&billing),
        json!({ "amount": 400.5, "payment_method": "cash", "notes": notes,
                "reference": "=HYPERLINK(\"x\")" }),
    )
    .await
    .data();

    let (status, content_type, text) = fetch(
        app,
        "/api/v1/admin/exports/bills.csv?from=2027-01-01&to=2027-01-31",
        Some(&billing),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(content_type, "text/csv; charset=utf-8");
    let (header, rows) = parse(&text);
    let code = column(&header, "customer_code");
    let ours: Vec<_> = rows.iter().filter(|r| r[code] == CODE).collect();
    assert_eq!(ours.len(), 1, "{text}");
    let row = ours[0];
    assert_eq!(row[column(&header, "customer_name")], name);
    assert_eq!(row[column(&header, "total")], "1000.00");
    assert_eq!(row[column(&header, "paid")], "400.50");
    assert_eq!(row[column(&header, "status")], "partial");
    let bill_date = column(&header, "bill_date");
    assert!(rows
        .iter()
        .all(|r| ("2027-01-01".."2027-02-01").contains(&r[bill_date].as_str())));

    let (status, _, text) = fetch(
        app,
        "/api/v1/admin/exports/payments.csv?from=2027-01-05&to=2027-01-05",
        Some(&billing),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let (header, rows) = parse(&text);
    assert_eq!(rows.len(), 1, "{text}");
    let row = &rows[0];
    assert_eq!(row[column(&header, "customer_name")], name);
    assert_eq!(row[column(&header, "notes")], notes);
    assert_eq!(row[column(&header, "amount")], "400.50");
    // A formula is exported as text, not as a formula.
    assert_eq!(row[column(&header, "transaction_id")], "'=HYPERLINK(\"x\")");
    // The day before and after hold no payment of the test.
    for range in [
        "from=2027-01-04&to=2027-01-04",
        "from=2027-01-06&to=2027-01-06",
    ] {
        let (status, _, text) = fetch(
            app,
            &format!("/api/v1/admin/exports/payments.csv?{range}"),
            Some(&billing),
        )
        .await;
        assert_eq!(status, 200);
        assert!(parse(&text).1.is_empty(), "{range}: {text}");
    }
}
both_backends!(csv_exports_round_trip);

async fn export_ranges_and_roles_are_checked(app: &TestApp) {
    let billing = app.staff_token("billing").await;
    for kind in ["bills", "payments"] {
        for (query, part) in [
            ("", "from is required"),
            ("?from=2027-01-01", "to is required"),
            ("?from=01/01/2027&to=2027-01-31", "from must be a date"),
            (
                "?from=2027-02-01&to=2027-01-01",
                "to must not be before from",
            ),
            ("?from=2025-01-01&to=2027-01-01", "at most 366 days"),
        ] {
            let path = format!("/api/v1/admin/exports/{kind}.csv{query}");
            let reply = app.get(&path, Some(&billing)).await;
            let message = reply.error(400);
            assert!(message.contains(part), "{path}: {message}");
        }
        let path = format!("/api/v1/admin/exports/{kind}.csv?from=2027-01-01&to=2027-01-31");
        for role in ["noc", "support"] {
            let token = app.staff_token(role).await;
            app.get(&path, Some(&token)).await.error(403);
        }
        app.get(&path, None).await.error(401);
    }
}
both_backends!(export_ranges_and_roles_are_checked);
