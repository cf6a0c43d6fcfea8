//! Writing a customer's billing terms (cycle, billing day, exemption from suspension) with the
//! audit entry of the change, in one transaction.

use super::audit::{insert_audit, AuditEntry};
use super::customers::{CustomerRow, COLUMNS};
use super::{now_text, Store, StoreError, StoreResult};
use crate::billing::terms::BillingTerms;

impl Store {
    /// Sets the terms and writes `audit`, together or not at all.
    pub async fn set_billing_terms(
        &self,
        customer_id: &str,
        terms: &BillingTerms,
        audit: &AuditEntry,
    ) -> StoreResult<CustomerRow> {
        let mut tx = self.pool().begin().await?;
        let row: CustomerRow = sqlx::query_as(&format!(
            "UPDATE customers SET billing_cycle = $1, billing_day = $2, never_suspend = $3, \
             updated_at = $4 WHERE id = $5 RETURNING {COLUMNS}"
        ))
        .bind(&terms.billing_cycle)
        .bind(terms.billing_day)
        .bind(i64::from(terms.never_suspend))
        .bind(now_text())
        .bind(customer_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "billing terms"))?
        .ok_or(StoreError::NotFound)?;
        insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(row)
    }
}

impl CustomerRow {
    /// The customer's billing terms as stored.
    pub fn billing_terms(&self) -> BillingTerms {
        BillingTerms {
            billing_cycle: self.billing_cycle.clone(),
            billing_day: self.billing_day,
            never_suspend: self.never_suspend != 0,
        }
    }
}
