//! Settling a payment in one transaction: the payment completed, its money allocated over the
//! customer's bills (oldest first, or the named bill first), the rest kept as credit, the due
//! amount recomputed, the paid-until date moved, and a suspended customer who now owes nothing
//! reactivated — and the audit entries of all of it, which commit with the money or not at all.

use sqlx::{Any, Transaction};
use time::{Date, Duration};

use super::audit::{insert_audit, AuditEntry};
use super::billing::refresh_due_amount;
use super::payments::{NewPayment, PaymentRow};
use super::{new_id, now_text, Store, StoreError, StoreResult};
use crate::billing::allocation::{allocate, Allocation, OpenBill};
use crate::billing::cycle::add_months;
use crate::billing::status::bill_status;
use crate::domain::time::{date_text, parse_date};
use crate::webhooks::emit::{emit, WebhookEvent};

/// What settling a payment changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub payment: PaymentRow,
    pub allocation: Allocation,
    pub due_amount_minor: i64,
    pub credit_minor: i64,
    pub expiry_date: Option<String>,
    /// The customer was suspended and owes nothing now, so is active again.
    pub reactivated: bool,
}

/// The answer to completing a pending payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    Settled(Box<Settlement>),
    /// The payment is no longer pending (a second callback); nothing changed.
    AlreadyFinal(Box<PaymentRow>),
}

const PAYMENT_COLUMNS: &str = "id, customer_id, bill_id, purpose, months, amount_minor, \
    payment_method, status, transaction_id, payment_date, notes, created_at";

#[derive(sqlx::FromRow)]
struct CustomerMoney {
    status: String,
    expiry_date: Option<String>,
    credit_minor: i64,
}

#[derive(sqlx::FromRow)]
struct OpenBillRow {
    id: String,
    bill_date: String,
    bill_number: String,
    total_minor: i64,
    paid_minor: i64,
    due_date: String,
    period_end: Option<String>,
}

impl Store {
    /// A payment of any customer (for gateway callbacks, which name only the payment).
    pub async fn payment(&self, id: &str) -> StoreResult<PaymentRow> {
        sqlx::query_as(&format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Completes a pending payment and settles it, with the entries `audit` makes of the
    /// settlement. A payment that is not pending any more is returned unchanged, so a repeated
    /// callback changes nothing.
    pub async fn complete_payment(
        &self,
        payment_id: &str,
        transaction_id: &str,
        paid_at: &str,
        today: Date,
        audit: impl FnOnce(&Settlement) -> Vec<AuditEntry>,
        events: impl FnOnce(&Settlement) -> Vec<WebhookEvent>,
    ) -> StoreResult<Completion> {
        let mut tx = self.pool().begin().await?;
        let completed: Option<PaymentRow> = sqlx::query_as(&format!(
            "UPDATE payments SET status = 'completed', transaction_id = $2, payment_date = $3 \
             WHERE id = $1 AND status = 'pending' RETURNING {PAYMENT_COLUMNS}"
        ))
        .bind(payment_id)
        .bind(transaction_id)
        .bind(paid_at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(payment) = completed else {
            drop(tx);
            return Ok(Completion::AlreadyFinal(Box::new(
                self.payment(payment_id).await?,
            )));
        };
        let settlement = settle(&mut tx, payment, today).await?;
        emit(&mut tx, &events(&settlement)).await?;
        for entry in audit(&settlement) {
            insert_audit(&mut *tx, &entry).await?;
        }
        tx.commit().await?;
        self.note_subscriber_change();
        Ok(Completion::Settled(Box::new(settlement)))
    }

    /// Ends a pending payment as `cancelled` or `failed`, with its audit entry; `false` when it
    /// was not pending (and nothing is written).
    pub async fn end_pending_payment(
        &self,
        payment_id: &str,
        status: &str,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let ended =
            sqlx::query("UPDATE payments SET status = $2 WHERE id = $1 AND status = 'pending'")
                .bind(payment_id)
                .bind(status)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
        if !ended {
            return Ok(false);
        }
        insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records a payment received outside a gateway (cash, bank) and settles it, with the
    /// entries `audit` makes of the settlement, in one transaction.
    pub async fn record_payment(
        &self,
        p: &NewPayment,
        today: Date,
        audit: impl FnOnce(&Settlement) -> Vec<AuditEntry>,
        events: impl FnOnce(&Settlement) -> Vec<WebhookEvent>,
    ) -> StoreResult<Settlement> {
        let mut tx = self.pool().begin().await?;
        let payment: PaymentRow = sqlx::query_as(&format!(
            "INSERT INTO payments (id, customer_id, bill_id, purpose, months, amount_minor, \
             payment_method, status, transaction_id, payment_date, notes, created_at) VALUES ($1, \
             $2, $3, $4, $5, $6, $7, 'completed', $8, $9, $10, $11) RETURNING {PAYMENT_COLUMNS}"
        ))
        .bind(new_id())
        .bind(&p.customer_id)
        .bind(&p.bill_id)
        .bind(&p.purpose)
        .bind(p.months)
        .bind(p.amount_minor)
        .bind(&p.payment_method)
        .bind(&p.transaction_id)
        .bind(&p.payment_date)
        .bind(&p.notes)
        .bind(now_text())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "payment"))?;
        let settlement = settle(&mut tx, payment, today).await?;
        emit(&mut tx, &events(&settlement)).await?;
        for entry in audit(&settlement) {
            insert_audit(&mut *tx, &entry).await?;
        }
        tx.commit().await?;
        self.note_subscriber_change();
        Ok(settlement)
    }
}

/// Allocates a completed payment and updates the customer, inside the caller's transaction.
async fn settle(
    tx: &mut Transaction<'_, Any>,
    payment: PaymentRow,
    today: Date,
) -> StoreResult<Settlement> {
    // Locks the customer first: bills issued and payments settled for one customer are
    // applied one after the other, on every replica.
    let customer: CustomerMoney = sqlx::query_as(
        "UPDATE customers SET updated_at = $1 WHERE id = $2 \
         RETURNING status, expiry_date, credit_minor",
    )
    .bind(now_text())
    .bind(&payment.customer_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let open: Vec<OpenBillRow> = sqlx::query_as(
        "SELECT id, bill_date, bill_number, total_minor, paid_minor, due_date, period_end \
         FROM bills WHERE customer_id = $1 AND total_minor > paid_minor",
    )
    .bind(&payment.customer_id)
    .fetch_all(&mut **tx)
    .await?;
    let open_bills: Vec<OpenBill> = open
        .iter()
        .map(|b| OpenBill {
            bill_id: b.id.clone(),
            bill_date: b.bill_date.clone(),
            bill_number: b.bill_number.clone(),
            total_minor: b.total_minor,
            paid_minor: b.paid_minor,
        })
        .collect();
    let allocation = allocate(
        payment.amount_minor,
        &open_bills,
        payment.bill_id.as_deref(),
    );
    let mut expiry = customer.expiry_date.as_deref().and_then(parse_date);
    let today_text = date_text(today);
    for part in &allocation.parts {
        let Some(bill) = open.iter().find(|b| b.id == part.bill_id) else {
            continue;
        };
        let paid = bill.paid_minor + part.amount_minor;
        let due_date = parse_date(&bill.due_date).unwrap_or(today);
        let status = bill_status(bill.total_minor, paid, due_date, today);
        let fully_paid = paid >= bill.total_minor;
        sqlx::query(
            "UPDATE bills SET paid_minor = $1, status = $2, \
             paid_date = CASE WHEN $3 = 1 THEN $4 ELSE paid_date END, \
             payment_method = $5, payment_reference = $6 WHERE id = $7",
        )
        .bind(paid)
        .bind(status.as_str())
        .bind(i64::from(fully_paid))
        .bind(&today_text)
        .bind(&payment.payment_method)
        .bind(&payment.transaction_id)
        .bind(&bill.id)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO payment_allocations (payment_id, bill_id, amount_minor) \
             VALUES ($1, $2, $3)",
        )
        .bind(&payment.id)
        .bind(&bill.id)
        .bind(part.amount_minor)
        .execute(&mut **tx)
        .await?;
        // A bill paid in full pays the service until the end of its period.
        if fully_paid && payment.purpose == "bill" {
            if let Some(end) = bill.period_end.as_deref().and_then(parse_date) {
                expiry = Some(expiry.map_or(end, |e| e.max(end)));
            }
        }
    }
    if payment.purpose == "recharge" {
        let months = i32::try_from(payment.months.unwrap_or(1)).unwrap_or(1);
        // Service bought now runs from today when the old period has ended.
        let base = expiry.map_or(today - Duration::DAY, |e| e.max(today - Duration::DAY));
        expiry = Some(add_months(base, months));
    }
    let due_amount_minor = refresh_due_amount(tx, &payment.customer_id).await?;
    let credit_minor = customer.credit_minor + allocation.credit_minor;
    let reactivated = customer.status == "suspended" && due_amount_minor == 0;
    let expiry_date = expiry.map(date_text);
    sqlx::query(
        "UPDATE customers SET credit_minor = $1, expiry_date = $2, \
         status = CASE WHEN $3 = 1 THEN 'active' ELSE status END WHERE id = $4",
    )
    .bind(credit_minor)
    .bind(&expiry_date)
    .bind(i64::from(reactivated))
    .bind(&payment.customer_id)
    .execute(&mut **tx)
    .await?;
    Ok(Settlement {
        payment,
        allocation,
        due_amount_minor,
        credit_minor,
        expiry_date,
        reactivated,
    })
}
