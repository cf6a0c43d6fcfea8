//! Bills: one per customer per billing cycle, with discount, tax and what has been paid.

use super::{new_id, now_text, Page, Paged, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BillRow {
    pub id: String,
    pub customer_id: String,
    pub bill_number: String,
    pub billing_month: String,
    pub amount_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub paid_minor: i64,
    pub status: String,
    pub bill_date: String,
    pub due_date: String,
    pub paid_date: Option<String>,
    pub payment_method: Option<String>,
    pub payment_reference: Option<String>,
    pub notes: Option<String>,
    pub created_at: String,
    /// First and last day of the billing period the bill covers (`YYYY-MM-DD`).
    pub period_start: Option<String>,
    pub period_end: Option<String>,
}

/// A bill to be written as is (the demo seeds these; the billing engine computes them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewBill {
    pub customer_id: String,
    pub bill_number: String,
    pub billing_month: String,
    pub amount_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub paid_minor: i64,
    pub status: String,
    pub bill_date: String,
    pub due_date: String,
    pub paid_date: Option<String>,
    pub payment_method: Option<String>,
    pub payment_reference: Option<String>,
    pub notes: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
}

const COLUMNS: &str = "id, customer_id, bill_number, billing_month, amount_minor, discount_minor, \
    tax_minor, total_minor, paid_minor, status, bill_date, due_date, paid_date, payment_method, \
    payment_reference, notes, created_at, period_start, period_end";

impl Store {
    pub async fn insert_bill(&self, b: &NewBill) -> StoreResult<BillRow> {
        let total = b.amount_minor - b.discount_minor + b.tax_minor;
        sqlx::query_as(&format!(
            "INSERT INTO bills (id, customer_id, bill_number, billing_month, amount_minor, \
             discount_minor, tax_minor, total_minor, paid_minor, status, bill_date, due_date, \
             paid_date, payment_method, payment_reference, notes, created_at, period_start, \
             period_end) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             $15, $16, $17, $18, $19) RETURNING {COLUMNS}"
        ))
        .bind(new_id())
        .bind(&b.customer_id)
        .bind(&b.bill_number)
        .bind(&b.billing_month)
        .bind(b.amount_minor)
        .bind(b.discount_minor)
        .bind(b.tax_minor)
        .bind(total)
        .bind(b.paid_minor)
        .bind(&b.status)
        .bind(&b.bill_date)
        .bind(&b.due_date)
        .bind(&b.paid_date)
        .bind(&b.payment_method)
        .bind(&b.payment_reference)
        .bind(&b.notes)
        .bind(now_text())
        .bind(&b.period_start)
        .bind(&b.period_end)
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "bill"))
    }

    /// One bill of one customer; another customer's bill is simply not found.
    pub async fn customer_bill(&self, customer_id: &str, bill_id: &str) -> StoreResult<BillRow> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM bills WHERE id = $1 AND customer_id = $2"
        ))
        .bind(bill_id)
        .bind(customer_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }

    pub async fn customer_bills(
        &self,
        customer_id: &str,
        status: Option<&str>,
        page: Page,
    ) -> StoreResult<Paged<BillRow>> {
        let condition = "customer_id = $1 AND ($2 IS NULL OR status = $2)";
        let total: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM bills WHERE {condition}"))
                .bind(customer_id)
                .bind(status)
                .fetch_one(self.pool())
                .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM bills WHERE {condition} \
             ORDER BY bill_date DESC, bill_number DESC LIMIT $3 OFFSET $4"
        ))
        .bind(customer_id)
        .bind(status)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }
}
