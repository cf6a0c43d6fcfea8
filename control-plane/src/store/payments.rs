//! Payments: completed cash and online payments, and pending online payments and recharges.

use sqlx::{Any, Executor};

use super::audit::{insert_audit, AuditEntry};
use super::{new_id, now_text, Page, Paged, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PaymentRow {
    pub id: String,
    pub customer_id: String,
    pub bill_id: Option<String>,
    pub purpose: String,
    pub months: Option<i64>,
    pub amount_minor: i64,
    pub payment_method: String,
    pub status: String,
    pub transaction_id: Option<String>,
    pub payment_date: Option<String>,
    pub notes: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPayment {
    pub customer_id: String,
    pub bill_id: Option<String>,
    /// `bill` or `recharge`.
    pub purpose: String,
    pub months: Option<i64>,
    pub amount_minor: i64,
    pub payment_method: String,
    /// `pending` for online payments, `completed` for recorded ones.
    pub status: String,
    pub transaction_id: Option<String>,
    pub payment_date: Option<String>,
    pub notes: Option<String>,
}

const COLUMNS: &str = "id, customer_id, bill_id, purpose, months, amount_minor, payment_method, \
    status, transaction_id, payment_date, notes, created_at";

impl Store {
    pub async fn insert_payment(&self, p: &NewPayment) -> StoreResult<PaymentRow> {
        insert_payment(self.pool(), p).await
    }

    /// Creates a pending payment with the audit entry `audit` makes of it, in one transaction.
    pub async fn initiate_payment(
        &self,
        p: &NewPayment,
        audit: impl FnOnce(&PaymentRow) -> AuditEntry,
    ) -> StoreResult<PaymentRow> {
        let mut tx = self.pool().begin().await?;
        let payment = insert_payment(&mut *tx, p).await?;
        insert_audit(&mut *tx, &audit(&payment)).await?;
        tx.commit().await?;
        Ok(payment)
    }

    /// A customer's completed payments, newest first (pending and failed ones are not history).
    pub async fn customer_payments(
        &self,
        customer_id: &str,
        page: Page,
    ) -> StoreResult<Paged<PaymentRow>> {
        let condition = "customer_id = $1 AND status = 'completed'";
        let total: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM payments WHERE {condition}"))
                .bind(customer_id)
                .fetch_one(self.pool())
                .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM payments WHERE {condition} \
             ORDER BY payment_date DESC, created_at DESC LIMIT $2 OFFSET $3"
        ))
        .bind(customer_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }
}

async fn insert_payment<'e, E>(executor: E, p: &NewPayment) -> StoreResult<PaymentRow>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "INSERT INTO payments (id, customer_id, bill_id, purpose, months, amount_minor, \
         payment_method, status, transaction_id, payment_date, notes, created_at) VALUES ($1, \
         $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {COLUMNS}"
    ))
    .bind(new_id())
    .bind(&p.customer_id)
    .bind(&p.bill_id)
    .bind(&p.purpose)
    .bind(p.months)
    .bind(p.amount_minor)
    .bind(&p.payment_method)
    .bind(&p.status)
    .bind(&p.transaction_id)
    .bind(&p.payment_date)
    .bind(&p.notes)
    .bind(now_text())
    .fetch_one(executor)
    .await
    .map_err(|e| StoreError::from_write(e, "payment"))
}
