//! Plan changes on a hand-set clock: an upgrade approved now is prorated by an adjustment bill,
//! a downgrade by credit the next bill uses, and a next-cycle change waits for the first day of
//! the next period and applies exactly then, once, however many runs there are. Seed 002's
//! `/plan`, `/plans` and `/change-plan` work on the same logic.

use serde_json::{json, Value};
use time::macros::datetime;

use super::support::{billing_customer, bills, profile, run_billing, set_clock, API, CODE, PHONE};
use crate::both_backends;
use crate::helpers::TestApp;

const CHANGES: &str = "/api/v1/admin/package-change-requests";

/// The plan with this name, from `GET /plans`.
async fn plan(app: &TestApp, token: &str, name: &str) -> Value {
    let plans = app.get(&format!("{API}/plans"), Some(token)).await;
    plans
        .data()
        .as_array()
        .expect("plans")
        .iter()
        .find(|p| p["name"] == name)
        .cloned()
        .expect("plan offered")
}

/// The subscriber asks for `name` by `POST /change-plan`; staff approve. Returns the approval.
async fn change_and_approve(app: &TestApp, token: &str, name: &str, effective: &str) -> Value {
    let target = plan(app, token, name).await;
    let asked = app
        .post(
            &format!("{API}/change-plan"),
            Some(token),
            json!({ "package_id": target["id"], "effective": effective }),
        )
        .await;
    assert_eq!(asked.data()["effective"], effective);
    let billing = app.staff_token("billing").await;
    let pending = app
        .get(&format!("{CHANGES}?status=pending"), Some(&billing))
        .await;
    let id = pending.data()["requests"][0]["id"]
        .as_str()
        .expect("request id")
        .to_owned();
    app.post(
        &format!("{CHANGES}/{id}/approve"),
        Some(&billing),
        json!({}),
    )
    .await
    .data()
    .clone()
}

async fn audit_actions(app: &TestApp) -> Vec<Value> {
    let admin = app.staff_token("admin").await;
    let audit = app
        .get("/api/v1/admin/audit-log?limit=100", Some(&admin))
        .await;
    audit.data()["entries"].as_array().expect("entries").clone()
}

async fn upgrade_now_is_prorated_by_an_adjustment_bill(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;
    let token = app.customer_token(CODE, PHONE).await;
    let before = app.get(&format!("{API}/plan"), Some(&token)).await;
    assert_eq!(before.data()["package"]["name"], "Premium 50Mbps");
    assert!(before.data()["pending_change"].is_null());

    // Premium 1000.00 to Ultra 1500.00 on 16 January: 15 of 31 days used. Credit 516.13 for
    // the unused Premium days, 774.20 for Ultra's rest of the month: 258.07 more.
    set_clock(app, datetime!(2027-01-16 10:00 UTC));
    let approved = change_and_approve(app, &token, "Ultra 100Mbps", "now").await;
    let proration = &approved["proration"];
    assert_eq!(proration["period_start"], "2027-01-01");
    assert_eq!(proration["period_end"], "2027-01-31");
    assert_eq!(proration["old_unused_credit"], 516.13);
    assert_eq!(proration["new_remaining_charge"], 774.2);
    assert_eq!(proration["net"], 258.07);
    assert_eq!(proration["credited"], 0.0);
    let all = bills(app, &token).await;
    assert_eq!(all.len(), 2, "{all:?}");
    let adjustment = &all[1];
    assert_eq!(adjustment["bill_number"], proration["bill_number"]);
    assert_eq!(adjustment["total_amount"], 258.07);
    assert_eq!(adjustment["status"], "unpaid");
    assert_eq!(profile(app, &token).await["due_amount"], 1258.07);
    let after = app.get(&format!("{API}/plan"), Some(&token)).await;
    assert_eq!(after.data()["package"]["name"], "Ultra 100Mbps");
    assert_eq!(after.data()["monthly_bill"], 1500.0);

    // The money and its audit entry were written together.
    let entries = audit_actions(app).await;
    let entry = entries
        .iter()
        .find(|e| e["action"] == "bill.issue_adjustment")
        .expect("adjustment audited");
    assert_eq!(entry["detail"]["customer_id"], customer_id.as_str());
    assert_eq!(entry["detail"]["net_minor"], 25_807);
    assert_eq!(entry["detail"]["total_minor"], 25_807);

    // February is billed at the new price.
    set_clock(app, datetime!(2027-02-01 00:05 UTC));
    run_billing(app).await;
    let all = bills(app, &token).await;
    assert_eq!(all[2]["total_amount"], 1500.0);
}
both_backends!(upgrade_now_is_prorated_by_an_adjustment_bill);

async fn downgrade_now_becomes_credit_for_the_next_bill(app: &TestApp) {
    billing_customer(app, "2026-06-01", "2026-12-31").await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;
    let token = app.customer_token(CODE, PHONE).await;
    // Premium 1000.00 to Basic 500.00 on 16 January: credit 516.13, Basic's rest 258.07.
    set_clock(app, datetime!(2027-01-16 10:00 UTC));
    let approved = change_and_approve(app, &token, "Basic 20Mbps", "now").await;
    assert_eq!(approved["proration"]["net"], -258.06);
    assert_eq!(approved["proration"]["credited"], 258.06);
    assert!(approved["proration"]["bill_number"].is_null());
    assert_eq!(bills(app, &token).await.len(), 1);
    assert_eq!(profile(app, &token).await["due_amount"], 1000.0);
    assert!(audit_actions(app)
        .await
        .iter()
        .any(|e| e["action"] == "customer.credit_adjustment"
            && e["detail"]["credited_minor"] == 25_806));

    // February's 500.00 bill takes the credit first.
    set_clock(app, datetime!(2027-02-01 00:05 UTC));
    run_billing(app).await;
    let all = bills(app, &token).await;
    assert_eq!(all[1]["total_amount"], 500.0);
    assert_eq!(all[1]["paid_amount"], 258.06);
    assert_eq!(all[1]["status"], "partial");
}
both_backends!(downgrade_now_becomes_credit_for_the_next_bill);

async fn next_cycle_change_lands_exactly_at_the_boundary(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;
    let token = app.customer_token(CODE, PHONE).await;
    set_clock(app, datetime!(2027-01-10 12:00 UTC));
    let approved = change_and_approve(app, &token, "Ultra 100Mbps", "next_cycle").await;
    assert_eq!(approved["request"]["apply_on"], "2027-02-01");
    assert!(approved["request"]["applied_at"].is_null());
    assert!(approved["proration"].is_null());
    assert!(approved["speed_change"].is_null());
    let waiting = app.get(&format!("{API}/plan"), Some(&token)).await;
    assert_eq!(waiting.data()["package"]["name"], "Premium 50Mbps");
    let change = &waiting.data()["pending_change"];
    assert_eq!(change["to_package_name"], "Ultra 100Mbps");
    assert_eq!(change["status"], "approved");
    assert_eq!(change["apply_on"], "2027-02-01");
    // No second change while one waits.
    let basic = plan(app, &token, "Basic 20Mbps").await;
    app.post(
        &format!("{API}/change-plan"),
        Some(&token),
        json!({ "package_id": basic["id"] }),
    )
    .await
    .error(409);

    // The last minute of January: nothing changes.
    set_clock(app, datetime!(2027-01-31 23:59:59 UTC));
    assert_eq!(run_billing(app).await["package_changes_applied"], 0);
    let customer = app.store.customer(&customer_id).await.expect("customer");
    assert_eq!(customer.monthly_bill_minor, 100_000);

    // The first second of February: two runs at once apply it once, and bill at the new price.
    set_clock(app, datetime!(2027-02-01 00:00 UTC));
    let (first, second) = tokio::join!(run_billing(app), run_billing(app));
    let applied = first["package_changes_applied"].as_u64().unwrap()
        + second["package_changes_applied"].as_u64().unwrap();
    assert_eq!(applied, 1, "{first} {second}");
    assert_eq!(run_billing(app).await["package_changes_applied"], 0);
    let customer = app.store.customer(&customer_id).await.expect("customer");
    assert_eq!(customer.monthly_bill_minor, 150_000);
    let all = bills(app, &token).await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[1]["total_amount"], 1500.0);
    let now = app.get(&format!("{API}/plan"), Some(&token)).await;
    assert_eq!(now.data()["package"]["name"], "Ultra 100Mbps");
    assert!(now.data()["pending_change"].is_null());
    let applies: Vec<Value> = audit_actions(app)
        .await
        .into_iter()
        .filter(|e| e["action"] == "package.change_apply")
        .collect();
    assert_eq!(applies.len(), 1, "{applies:?}");
    assert_eq!(applies[0]["actor_kind"], "system");
}
both_backends!(next_cycle_change_lands_exactly_at_the_boundary);

async fn effective_is_checked(app: &TestApp) {
    billing_customer(app, "2026-06-01", "2026-12-31").await;
    let token = app.customer_token(CODE, PHONE).await;
    let ultra = plan(app, &token, "Ultra 100Mbps").await;
    let message = app
        .post(
            &format!("{API}/change-plan"),
            Some(&token),
            json!({ "package_id": ultra["id"], "effective": "tomorrow" }),
        )
        .await
        .error(400);
    assert!(message.contains("now or next_cycle"), "{message}");
}
both_backends!(effective_is_checked);
