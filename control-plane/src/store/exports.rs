//! Bills and payments for staff exports and invoices: one bill by id, and the rows of a date
//! range with the customer's code and name.

use super::bills::BillRow;
use super::{Store, StoreError, StoreResult};

/// Most rows one export returns; a longer range is refused before it is read.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// A bill with its customer, for the bills export.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BillExportRow {
    pub bill_number: String,
    pub customer_code: String,
    pub customer_name: String,
    pub billing_month: String,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub bill_date: String,
    pub due_date: String,
    pub amount_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub paid_minor: i64,
    pub status: String,
    pub paid_date: Option<String>,
}

/// A completed payment with its customer, for the payments export.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PaymentExportRow {
    pub id: String,
    pub payment_date: Option<String>,
    pub customer_code: String,
    pub customer_name: String,
    pub amount_minor: i64,
    pub payment_method: String,
    pub purpose: String,
    pub transaction_id: Option<String>,
    pub notes: Option<String>,
}

/// More rows than one export may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyRows(pub i64);

const BILL_COLUMNS: &str = "b.id, b.customer_id, b.bill_number, b.billing_month, b.amount_minor, \
    b.discount_minor, b.tax_minor, b.total_minor, b.paid_minor, b.status, b.bill_date, \
    b.due_date, b.paid_date, b.payment_method, b.payment_reference, b.notes, b.created_at, \
    b.period_start, b.period_end";

impl Store {
    /// One bill of any customer (staff).
    pub async fn bill(&self, id: &str) -> StoreResult<BillRow> {
        sqlx::query_as(&format!(
            "SELECT {BILL_COLUMNS} FROM bills b WHERE b.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Bills dated from `first_day` to `last_day` (both included, `YYYY-MM-DD`), oldest first.
    pub async fn bills_between(
        &self,
        first_day: &str,
        last_day: &str,
    ) -> StoreResult<Result<Vec<BillExportRow>, TooManyRows>> {
        let condition = "b.bill_date >= $1 AND b.bill_date <= $2";
        let total: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM bills b WHERE {condition}"))
                .bind(first_day)
                .bind(last_day)
                .fetch_one(self.pool())
                .await?;
        if total > MAX_EXPORT_ROWS {
            return Ok(Err(TooManyRows(total)));
        }
        Ok(Ok(sqlx::query_as(&format!(
            "SELECT b.bill_number, c.customer_code, c.name AS customer_name, b.billing_month, \
             b.period_start, b.period_end, b.bill_date, b.due_date, b.amount_minor, \
             b.discount_minor, b.tax_minor, b.total_minor, b.paid_minor, b.status, b.paid_date \
             FROM bills b JOIN customers c ON c.id = b.customer_id WHERE {condition} \
             ORDER BY b.bill_date, b.bill_number"
        ))
        .bind(first_day)
        .bind(last_day)
        .fetch_all(self.pool())
        .await?))
    }

    /// Completed payments made at or after `from` and before `until` (timestamps), oldest
    /// first.
    pub async fn payments_between(
        &self,
        from: &str,
        until: &str,
    ) -> StoreResult<Result<Vec<PaymentExportRow>, TooManyRows>> {
        let condition = "p.status = 'completed' AND p.payment_date >= $1 AND p.payment_date < $2";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM payments p WHERE {condition}"
        ))
        .bind(from)
        .bind(until)
        .fetch_one(self.pool())
        .await?;
        if total > MAX_EXPORT_ROWS {
            return Ok(Err(TooManyRows(total)));
        }
        Ok(Ok(sqlx::query_as(&format!(
            "SELECT p.id, p.payment_date, c.customer_code, c.name AS customer_name, \
             p.amount_minor, p.payment_method, p.purpose, p.transaction_id, p.notes \
             FROM payments p JOIN customers c ON c.id = p.customer_id WHERE {condition} \
             ORDER BY p.payment_date, p.id"
        ))
        .bind(from)
        .bind(until)
        .fetch_all(self.pool())
        .await?))
    }
}
