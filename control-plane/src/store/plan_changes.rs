//! Approving a package change, with its money, in one transaction: "now" moves the customer at
//! once and prorates the current period (an adjustment bill for more, credit for less);
//! "next cycle" records the first day of the next period, and the billing job applies it then,
//! once, whichever replica gets there first.

use time::Date;

use super::audit::{insert_audit, AuditEntry};
use super::billing::{refresh_due_amount, write_bill, BillToIssue};
use super::bills::BillRow;
use super::package_changes::{close_request, move_to_package, request_in, PackageChangeRow};
use super::{now_text, Store, StoreError, StoreResult};
use crate::billing::amounts::{due_date, BillAmounts};
use crate::billing::cycle::BillingPeriod;
use crate::billing::proration::{prorate_change, ChangeTiming, ProratedChange};
use crate::domain::time::{date_text, parse_date};
use crate::webhooks::emit::{emit, WebhookEvent};

/// The tax and due-date policy an adjustment bill is issued with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdjustmentPolicy {
    pub due_days: u32,
    pub tax_basis_points: u32,
}

/// The money side of a change applied now within a billed period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedProration {
    pub period: BillingPeriod,
    pub change: ProratedChange,
    /// The adjustment bill for an upgrade (net charge plus tax).
    pub bill: Option<BillRow>,
    /// What a downgrade added to the customer's credit (net credit plus its tax).
    pub credited_minor: i64,
}

/// What approval did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanChangeApproved {
    pub request: PackageChangeRow,
    /// `None` when the change waits for the next cycle, or no bill covers today.
    pub proration: Option<AppliedProration>,
}

impl Store {
    /// Approves a pending request as its `effective` says, with the entries `audit` makes of
    /// the result, in one transaction. A request no longer pending is a `Conflict`.
    pub async fn approve_package_change(
        &self,
        id: &str,
        staff_id: &str,
        today: Date,
        policy: AdjustmentPolicy,
        audit: impl FnOnce(&PlanChangeApproved) -> Vec<AuditEntry>,
        events: impl FnOnce(&PlanChangeApproved) -> Vec<WebhookEvent>,
    ) -> StoreResult<PlanChangeApproved> {
        let mut tx = self.pool().begin().await?;
        let (customer_id, to_package_id) = close_request(&mut tx, id, staff_id, "approved").await?;
        // Locks the customer, so bills and payments for them wait for this change.
        let customer: Option<(i64, i64)> = sqlx::query_as(
            "UPDATE customers SET updated_at = $1 WHERE id = $2 \
             RETURNING monthly_bill_minor, credit_minor",
        )
        .bind(now_text())
        .bind(&customer_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (old_price_minor, credit_minor) = customer.ok_or(StoreError::NotFound)?;
        let request = request_in(&mut tx, id).await?;
        let today_text = date_text(today);
        // The billed period that contains today, if any.
        let current: Option<(String, String)> = sqlx::query_as(
            "SELECT period_start, period_end FROM bills WHERE customer_id = $1 \
             AND period_start <= $2 AND period_end >= $2 ORDER BY period_start DESC LIMIT 1",
        )
        .bind(&customer_id)
        .bind(&today_text)
        .fetch_optional(&mut *tx)
        .await?;
        let period = current.and_then(|(start, end)| {
            Some(BillingPeriod {
                start: parse_date(&start)?,
                end: parse_date(&end)?,
            })
        });
        let mut proration = None;
        if request.effective == "next_cycle" {
            // The next period starts the day after the billed one; unbilled, at the next run.
            let apply_on = period.map_or(today, |p| p.end.next_day().unwrap_or(p.end));
            sqlx::query("UPDATE package_change_requests SET apply_on = $1 WHERE id = $2")
                .bind(date_text(apply_on))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        } else {
            let new_price_minor: i64 =
                sqlx::query_scalar("SELECT price_minor FROM packages WHERE id = $1")
                    .bind(&to_package_id)
                    .fetch_one(&mut *tx)
                    .await?;
            move_to_package(&mut tx, &customer_id, &to_package_id).await?;
            sqlx::query("UPDATE package_change_requests SET applied_at = $1 WHERE id = $2")
                .bind(now_text())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if let Some(period) = period {
                let change = prorate_change(
                    old_price_minor,
                    new_price_minor,
                    period,
                    today,
                    ChangeTiming::Now,
                );
                let amounts =
                    BillAmounts::compute(change.net_minor.abs(), 0, policy.tax_basis_points);
                let mut applied = AppliedProration {
                    period,
                    change,
                    bill: None,
                    credited_minor: 0,
                };
                if change.net_minor > 0 {
                    let bill = BillToIssue {
                        customer_id: customer_id.clone(),
                        year: today.year(),
                        billing_month: period.billing_month(),
                        period_start: String::new(),
                        period_end: String::new(),
                        amount_minor: amounts.amount_minor,
                        discount_minor: 0,
                        tax_minor: amounts.tax_minor,
                        total_minor: amounts.total_minor,
                        bill_date: today_text.clone(),
                        due_date: date_text(due_date(today, policy.due_days)),
                        notes: Some(adjustment_note(&request, period, today, &change)),
                    };
                    applied.bill = Some(write_bill(&mut tx, &bill, None, credit_minor).await?);
                } else if change.net_minor < 0 {
                    sqlx::query(
                        "UPDATE customers SET credit_minor = credit_minor + $1 WHERE id = $2",
                    )
                    .bind(amounts.total_minor)
                    .bind(&customer_id)
                    .execute(&mut *tx)
                    .await?;
                    applied.credited_minor = amounts.total_minor;
                }
                refresh_due_amount(&mut tx, &customer_id).await?;
                proration = Some(applied);
            }
        }
        let request = request_in(&mut tx, id).await?;
        let approved = PlanChangeApproved { request, proration };
        emit(&mut tx, &events(&approved)).await?;
        for entry in audit(&approved) {
            insert_audit(&mut *tx, &entry).await?;
        }
        tx.commit().await?;
        self.note_subscriber_change();
        Ok(approved)
    }

    /// Applies every approved next-cycle change whose day has come (`apply_on` on or before
    /// `today`), each in its own transaction with the entry `audit` makes of it. Marking the
    /// request applied is the guard: a change another run applied first is skipped.
    pub async fn apply_waiting_package_changes(
        &self,
        today: Date,
        audit: impl Fn(&PackageChangeRow) -> AuditEntry,
        events: impl Fn(&PackageChangeRow) -> Vec<WebhookEvent>,
    ) -> StoreResult<Vec<PackageChangeRow>> {
        let waiting: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM package_change_requests WHERE status = 'approved' \
             AND applied_at IS NULL AND apply_on IS NOT NULL AND apply_on <= $1 \
             ORDER BY apply_on, id",
        )
        .bind(date_text(today))
        .fetch_all(self.pool())
        .await?;
        let mut applied = Vec::new();
        for id in waiting {
            let mut tx = self.pool().begin().await?;
            let claimed: Option<(String, String)> = sqlx::query_as(
                "UPDATE package_change_requests SET applied_at = $1 \
                 WHERE id = $2 AND applied_at IS NULL RETURNING customer_id, to_package_id",
            )
            .bind(now_text())
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((customer_id, package_id)) = claimed else {
                continue;
            };
            move_to_package(&mut tx, &customer_id, &package_id).await?;
            let row = request_in(&mut tx, &id).await?;
            emit(&mut tx, &events(&row)).await?;
            insert_audit(&mut *tx, &audit(&row)).await?;
            tx.commit().await?;
            self.note_subscriber_change();
            applied.push(row);
        }
        Ok(applied)
    }
}

fn adjustment_note(
    request: &PackageChangeRow,
    period: BillingPeriod,
    today: Date,
    change: &ProratedChange,
) -> String {
    let money = crate::http::csv::money_text;
    format!(
        "package change to {} on {}: {} for the rest of {} to {} less {} credit for {}",
        request.to_package_name,
        date_text(today),
        money(change.new_remaining_charge_minor),
        date_text(period.start),
        date_text(period.end),
        money(change.old_unused_credit_minor),
        request
            .from_package_name
            .as_deref()
            .unwrap_or("the old package"),
    )
}
