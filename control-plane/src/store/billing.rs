//! The billing job's queries: customers to bill with their last billed period, issuing one bill
//! in a transaction (number, bill, credit, due amount, audit entry), marking bills overdue, and
//! suspending with its audit entry.

use sqlx::Any;

use super::audit::{insert_audit, AuditEntry};
use super::bills::BillRow;
use super::{new_id, now_text, Store, StoreError, StoreResult};
use crate::webhooks::emit::{emit, WebhookEvent};

/// A customer the job may bill, with what it needs to find the current period.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BillableCustomer {
    pub id: String,
    pub billing_cycle: String,
    pub billing_day: i64,
    pub monthly_bill_minor: i64,
    pub connection_date: Option<String>,
    pub created_at: String,
    /// The package's validity in days (prepaid cycles); `None` without a package.
    pub validity_days: Option<i64>,
    /// The start of the newest billed period, `None` before the first bill.
    pub last_period_start: Option<String>,
}

/// A bill the job computed, to be numbered and written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillToIssue {
    pub customer_id: String,
    /// The calendar year whose sequence numbers the bill.
    pub year: i32,
    pub billing_month: String,
    pub period_start: String,
    pub period_end: String,
    pub amount_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub bill_date: String,
    pub due_date: String,
    pub notes: Option<String>,
}

/// What issuing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueOutcome {
    Issued(Box<BillRow>),
    /// The customer already has a bill for this period (another run issued it).
    AlreadyIssued,
}

const BILL_COLUMNS: &str = "id, customer_id, bill_number, billing_month, amount_minor, \
    discount_minor, tax_minor, total_minor, paid_minor, status, bill_date, due_date, paid_date, \
    payment_method, payment_reference, notes, created_at, period_start, period_end";

impl Store {
    /// Active and suspended customers with a monthly charge.
    pub async fn billable_customers(&self) -> StoreResult<Vec<BillableCustomer>> {
        Ok(sqlx::query_as(
            "SELECT c.id, c.billing_cycle, c.billing_day, c.monthly_bill_minor, \
             c.connection_date, c.created_at, p.validity_days, \
             (SELECT MAX(b.period_start) FROM bills b WHERE b.customer_id = c.id) \
             AS last_period_start \
             FROM customers c LEFT JOIN packages p ON p.id = c.package_id \
             WHERE c.status <> 'inactive' AND c.monthly_bill_minor > 0 ORDER BY c.id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Numbers and writes one bill, pays it from the customer's credit as far as that goes,
    /// recomputes the customer's due amount and writes the entry `audit` makes of the bill, in
    /// one transaction. The unique (customer, period) index makes a second bill for the period
    /// fail, which is `AlreadyIssued`.
    pub async fn issue_bill(
        &self,
        bill: &BillToIssue,
        audit: impl FnOnce(&BillRow) -> AuditEntry,
        events: impl FnOnce(&BillRow) -> Vec<WebhookEvent>,
    ) -> StoreResult<IssueOutcome> {
        let mut tx = self.pool().begin().await?;
        let now = now_text();
        // Locks the customer first, so payments and this bill are applied one after the other.
        let credit: Option<i64> = sqlx::query_scalar(
            "UPDATE customers SET updated_at = $1 WHERE id = $2 RETURNING credit_minor",
        )
        .bind(&now)
        .bind(&bill.customer_id)
        .fetch_optional(&mut *tx)
        .await?;
        let credit = credit.ok_or(StoreError::NotFound)?;
        let exists: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM bills WHERE customer_id = $1 AND period_start = $2",
        )
        .bind(&bill.customer_id)
        .bind(&bill.period_start)
        .fetch_one(&mut *tx)
        .await?;
        if exists > 0 {
            return Ok(IssueOutcome::AlreadyIssued);
        }
        let period = Some((bill.period_start.as_str(), bill.period_end.as_str()));
        let row = match write_bill(&mut tx, bill, period, credit).await {
            Ok(row) => row,
            // Another replica issued the bill between the check and the insert.
            Err(StoreError::Conflict(_)) => return Ok(IssueOutcome::AlreadyIssued),
            Err(err) => return Err(err),
        };
        refresh_due_amount(&mut tx, &bill.customer_id).await?;
        emit(&mut tx, &events(&row)).await?;
        insert_audit(&mut *tx, &audit(&row)).await?;
        tx.commit().await?;
        Ok(IssueOutcome::Issued(Box::new(row)))
    }

    /// Unpaid and partly paid bills past their due date become overdue.
    pub async fn mark_overdue_bills(&self, today: &str) -> StoreResult<u64> {
        Ok(sqlx::query(
            "UPDATE bills SET status = 'overdue' WHERE status IN ('unpaid', 'partial') \
             AND due_date < $1",
        )
        .bind(today)
        .execute(self.pool())
        .await?
        .rows_affected())
    }
}

/// Numbers and writes `bill` inside the caller's transaction (which has locked the customer),
/// paying it from the customer's `credit_minor` as far as that goes. `period` is the billing
/// period it covers; `None` for an adjustment such as a prorated package change.
pub(super) async fn write_bill(
    tx: &mut sqlx::Transaction<'_, Any>,
    bill: &BillToIssue,
    period: Option<(&str, &str)>,
    credit: i64,
) -> StoreResult<BillRow> {
    sqlx::query(
        "INSERT INTO bill_number_sequences (year, last_number) VALUES ($1, 0) \
             ON CONFLICT (year) DO NOTHING",
    )
    .bind(i64::from(bill.year))
    .execute(&mut **tx)
    .await?;
    let sequence: i64 = sqlx::query_scalar(
        "UPDATE bill_number_sequences SET last_number = last_number + 1 WHERE year = $1 \
             RETURNING last_number",
    )
    .bind(i64::from(bill.year))
    .fetch_one(&mut **tx)
    .await?;
    let paid = credit.clamp(0, bill.total_minor);
    let status = if paid >= bill.total_minor {
        "paid"
    } else if paid > 0 {
        "partial"
    } else {
        "unpaid"
    };
    let inserted = sqlx::query_as::<Any, BillRow>(&format!(
        "INSERT INTO bills (id, customer_id, bill_number, billing_month, amount_minor, \
             discount_minor, tax_minor, total_minor, paid_minor, status, bill_date, due_date, \
             paid_date, notes, created_at, period_start, period_end) VALUES ($1, $2, $3, $4, $5, \
             $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING {BILL_COLUMNS}"
    ))
    .bind(new_id())
    .bind(&bill.customer_id)
    .bind(crate::billing::numbering::bill_number(bill.year, sequence))
    .bind(&bill.billing_month)
    .bind(bill.amount_minor)
    .bind(bill.discount_minor)
    .bind(bill.tax_minor)
    .bind(bill.total_minor)
    .bind(paid)
    .bind(status)
    .bind(&bill.bill_date)
    .bind(&bill.due_date)
    .bind((status == "paid").then(|| bill.bill_date.clone()))
    .bind(&bill.notes)
    .bind(now_text())
    .bind(period.map(|(start, _)| start))
    .bind(period.map(|(_, end)| end))
    .fetch_one(&mut **tx)
    .await;
    let row = inserted.map_err(|e| StoreError::from_write(e, "bill"))?;
    sqlx::query("UPDATE customers SET credit_minor = credit_minor - $1 WHERE id = $2")
        .bind(paid)
        .bind(&bill.customer_id)
        .execute(&mut **tx)
        .await?;
    Ok(row)
}

/// Sets the customer's due amount to what their bills still owe.
pub(super) async fn refresh_due_amount(
    tx: &mut sqlx::Transaction<'_, Any>,
    customer_id: &str,
) -> StoreResult<i64> {
    let due: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(total_minor - paid_minor), 0) AS BIGINT) FROM bills \
         WHERE customer_id = $1 AND status <> 'paid' AND total_minor > paid_minor",
    )
    .bind(customer_id)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE customers SET due_amount_minor = $1 WHERE id = $2")
        .bind(due)
        .bind(customer_id)
        .execute(&mut **tx)
        .await?;
    Ok(due)
}

impl Store {
    /// Active customers with money due whose paid-until date is `last_expiry_date` or earlier
    /// and who are not exempt: (id, expiry date).
    pub async fn suspension_candidates(
        &self,
        last_expiry_date: &str,
    ) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, expiry_date FROM customers WHERE status = 'active' \
             AND never_suspend = 0 AND due_amount_minor > 0 AND expiry_date IS NOT NULL \
             AND expiry_date <= $1 ORDER BY id",
        )
        .bind(last_expiry_date)
        .fetch_all(self.pool())
        .await?)
    }

    /// Suspends the customer if still active, owing and not exempt, with its audit entry in the
    /// same transaction; `false` when another run (or a payment) came first, so only one run
    /// acts on a suspension.
    pub async fn suspend_for_money_due(
        &self,
        customer_id: &str,
        audit: &AuditEntry,
        events: &[WebhookEvent],
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let suspended = sqlx::query(
            "UPDATE customers SET status = 'suspended', updated_at = $1 WHERE id = $2 \
             AND status = 'active' AND due_amount_minor > 0 AND never_suspend = 0",
        )
        .bind(now_text())
        .bind(customer_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !suspended {
            return Ok(false);
        }
        emit(&mut tx, events).await?;
        insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        self.note_subscriber_change();
        Ok(true)
    }
}
