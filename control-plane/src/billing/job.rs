//! The billing job: every `run_interval` (and when staff ask) it issues the bills that are due
//! today, marks bills past their due date overdue, suspends subscribers whose service
//! expired with money due, and warns subscribers whose service expires soon. Every step is safe to repeat and to run on two replicas at once.

use time::OffsetDateTime;

use serde_json::json;

use super::issue::{bill_for, BillPolicy};
use super::notify::warn_expiring;
use super::plan_change::apply_waiting;
use super::settle::disconnect;
use crate::aaa::expiry::expiry_instant;
use crate::domain::time::{date_text, parse_date};
use crate::http::audit::Actor;
use crate::http::AppState;
use crate::store::billing::IssueOutcome;
use crate::store::StoreError;
use crate::webhooks::emit::{wake, WebhookEvent};
use crate::webhooks::events;

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    /// The ISP's date the run billed for.
    pub billing_date: String,
    pub bills_issued: u64,
    /// Bills another run (or replica) had issued first.
    pub bills_already_issued: u64,
    pub bills_overdue: u64,
    pub customers_suspended: u64,
    /// Expiry warnings created (each is created once).
    pub expiry_warnings: u64,
    /// Customers that could not be billed (bad cycle, database error); each is logged.
    pub customers_failed: u64,
    /// Approved next-cycle package changes applied on the first day of their period.
    pub package_changes_applied: u64,
}

/// Runs the job every `run_interval` until the server stops. The first run is one interval
/// after start, so a restart loop does not bill in a burst.
pub async fn run(state: AppState) {
    let every = state.billing.settings.run_interval;
    let mut stop = state.shutdown.signal();
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stopping| *stopping) => break,
        }
        let now = state.billing.clock.now();
        match run_once(&state, now).await {
            Ok(report) => log_report(&report),
            Err(err) => tracing::warn!(error = %err, "billing run failed"),
        }
    }
}

fn log_report(report: &RunReport) {
    if report.bills_issued + report.bills_overdue + report.customers_suspended > 0 {
        tracing::info!(
            issued = report.bills_issued,
            overdue = report.bills_overdue,
            suspended = report.customers_suspended,
            "billing run"
        );
    }
}

/// One run at `now`.
pub async fn run_once(state: &AppState, now: OffsetDateTime) -> Result<RunReport, StoreError> {
    let today = now.to_offset(state.aaa.settings.utc_offset).date();
    let policy = BillPolicy {
        due_days: state.billing.settings.due_days,
        tax_basis_points: state.billing.settings.tax_basis_points,
    };
    let mut report = RunReport {
        billing_date: date_text(today),
        ..RunReport::default()
    };
    report.package_changes_applied = apply_waiting(state, today).await?;
    for customer in state.store.billable_customers().await? {
        let bill = match bill_for(&customer, today, policy) {
            Ok(Some(bill)) => bill,
            Ok(None) => continue,
            Err(err) => {
                tracing::warn!(customer = %customer.id, error = %err, "customer not billed");
                report.customers_failed += 1;
                continue;
            }
        };
        let issued = state.store.issue_bill(
            &bill,
            |row| {
                Actor::billing_system().entry(
                    "bill.issue",
                    "bill",
                    Some(&row.id),
                    json!({
                        "customer_id": row.customer_id,
                        "bill_number": row.bill_number,
                        "total_minor": row.total_minor,
                        "paid_from_credit_minor": row.paid_minor,
                        "period_start": row.period_start,
                        "period_end": row.period_end,
                    }),
                )
            },
            |row| {
                vec![WebhookEvent::new(
                    events::BILL_GENERATED,
                    json!({
                        "bill_id": row.id,
                        "bill_number": row.bill_number,
                        "customer_id": row.customer_id,
                        "total_minor": row.total_minor,
                        "paid_minor": row.paid_minor,
                        "due_date": row.due_date,
                        "period_start": row.period_start,
                        "period_end": row.period_end,
                    }),
                )]
            },
        );
        match issued.await {
            Ok(IssueOutcome::Issued(row)) => {
                report.bills_issued += 1;
                wake(state);
                tracing::debug!(customer = %customer.id, bill = %row.bill_number, "bill issued");
            }
            Ok(IssueOutcome::AlreadyIssued) => report.bills_already_issued += 1,
            Err(err) => {
                tracing::warn!(customer = %customer.id, error = %err, "bill not issued");
                report.customers_failed += 1;
            }
        }
    }
    report.bills_overdue = state.store.mark_overdue_bills(&date_text(today)).await?;
    report.customers_suspended = suspend_expired(state, now).await?;
    report.expiry_warnings = warn_expiring(state, today).await?;
    Ok(report)
}

/// Suspends subscribers whose service ended (the midnight after the expiry date in the ISP's
/// zone, plus the grace period) with money due: status and audit entry together, then a disconnect so the
/// BRAS drops the session and the next login gets the suspended answer.
async fn suspend_expired(state: &AppState, now: OffsetDateTime) -> Result<u64, StoreError> {
    let offset = state.aaa.settings.utc_offset;
    let grace = time::Duration::try_from(state.billing.settings.suspend_grace)
        .unwrap_or(time::Duration::ZERO);
    let today = now.to_offset(offset).date();
    let mut suspended = 0;
    for (customer_id, expiry) in state.store.suspension_candidates(&date_text(today)).await? {
        let Some(expiry_date) = parse_date(&expiry) else {
            continue;
        };
        let ends = expiry_instant(expiry_date, offset) + grace;
        if now < ends {
            continue;
        }
        let entry = Actor::billing_system().entry(
            "customer.suspend",
            "customer",
            Some(&customer_id),
            json!({ "reason": "expired with money due", "expiry_date": expiry }),
        );
        let event = WebhookEvent::new(
            events::SERVICE_SUSPENDED,
            json!({ "customer_id": customer_id, "expiry_date": expiry }),
        );
        if !state
            .store
            .suspend_for_money_due(&customer_id, &entry, &[event])
            .await?
        {
            continue;
        }
        suspended += 1;
        wake(state);
        super::notify::notify_suspended(state, &customer_id, &expiry).await;
        disconnect(state, &customer_id, "suspended for money due").await;
    }
    Ok(suspended)
}
