//! Subscribers' package-change requests as staff see them, and the rejection of one; approval,
//! which moves money, is in `store/plan_changes.rs`.

use sqlx::Any;

use super::audit::{insert_audit, AuditEntry};
use super::{now_text, Page, Paged, Store, StoreError, StoreResult};

/// A request with the names staff read next to it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PackageChangeRow {
    pub id: String,
    pub customer_id: String,
    pub customer_code: String,
    pub customer_name: String,
    pub from_package_id: Option<String>,
    pub from_package_name: Option<String>,
    pub to_package_id: String,
    pub to_package_name: String,
    /// `pending`, `approved`, `rejected` or `cancelled`.
    pub status: String,
    pub created_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// `now` or `next_cycle`.
    pub effective: String,
    /// The first day of the next period, when an approved next-cycle change applies.
    pub apply_on: Option<String>,
    /// When the customer was moved to the package (approval, or the billing job).
    pub applied_at: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PackageChangeFilter {
    pub status: Option<String>,
    pub customer_id: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.customer_id, c.customer_code, c.name AS customer_name, \
    r.from_package_id, fp.name AS from_package_name, r.to_package_id, tp.name AS to_package_name, \
    r.status, r.created_at, r.decided_by, r.decided_at, r.effective, r.apply_on, r.applied_at \
    FROM package_change_requests r \
    JOIN customers c ON c.id = r.customer_id \
    JOIN packages tp ON tp.id = r.to_package_id \
    LEFT JOIN packages fp ON fp.id = r.from_package_id";

impl Store {
    /// Requests oldest first, so the pending list reads as a queue.
    pub async fn list_package_changes(
        &self,
        filter: &PackageChangeFilter,
        page: Page,
    ) -> StoreResult<Paged<PackageChangeRow>> {
        let condition = "($1 IS NULL OR r.status = $1) AND ($2 IS NULL OR r.customer_id = $2)";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM package_change_requests r WHERE {condition}"
        ))
        .bind(&filter.status)
        .bind(&filter.customer_id)
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query_as(&format!(
            "{SELECT} WHERE {condition} ORDER BY r.created_at, r.id LIMIT $3 OFFSET $4"
        ))
        .bind(&filter.status)
        .bind(&filter.customer_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }

    pub async fn package_change(&self, id: &str) -> StoreResult<PackageChangeRow> {
        sqlx::query_as(&format!("{SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A customer's request still waiting for staff, or approved for the next cycle.
    pub async fn open_package_change(
        &self,
        customer_id: &str,
    ) -> StoreResult<Option<PackageChangeRow>> {
        Ok(sqlx::query_as(&format!(
            "{SELECT} WHERE r.customer_id = $1 AND (r.status = 'pending' \
             OR (r.status = 'approved' AND r.apply_on IS NOT NULL AND r.applied_at IS NULL)) \
             ORDER BY r.created_at DESC LIMIT 1"
        ))
        .bind(customer_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Rejects a pending request, with its audit entry in the same transaction. A request that
    /// is no longer pending is a `Conflict`, so two staff deciding at once decide once.
    pub async fn reject_package_change(
        &self,
        id: &str,
        staff_id: &str,
        audit: impl FnOnce(&PackageChangeRow) -> AuditEntry,
    ) -> StoreResult<PackageChangeRow> {
        let mut tx = self.pool().begin().await?;
        close_request(&mut tx, id, staff_id, "rejected").await?;
        let row = request_in(&mut tx, id).await?;
        insert_audit(&mut *tx, &audit(&row)).await?;
        tx.commit().await?;
        Ok(row)
    }
}

/// Marks a pending request `status` (approved or rejected) inside the caller's transaction;
/// returns the customer and the requested package. A request no longer pending is a
/// `Conflict` naming its status.
pub(super) async fn close_request(
    tx: &mut sqlx::Transaction<'_, Any>,
    id: &str,
    staff_id: &str,
    status: &str,
) -> StoreResult<(String, String)> {
    let closed: Option<(String, String)> = sqlx::query_as(
        "UPDATE package_change_requests SET status = $1, decided_by = $2, decided_at = $3 \
         WHERE id = $4 AND status = 'pending' RETURNING customer_id, to_package_id",
    )
    .bind(status)
    .bind(staff_id)
    .bind(now_text())
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    match closed {
        Some(closed) => Ok(closed),
        None => {
            let current = request_in(tx, id).await?;
            Err(StoreError::Conflict(format!(
                "the request is already {}",
                current.status
            )))
        }
    }
}

/// One request, read inside the caller's transaction.
pub(super) async fn request_in(
    tx: &mut sqlx::Transaction<'_, Any>,
    id: &str,
) -> StoreResult<PackageChangeRow> {
    sqlx::query_as(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Moves the customer to `package_id`, with its price as the monthly bill.
pub(super) async fn move_to_package(
    tx: &mut sqlx::Transaction<'_, Any>,
    customer_id: &str,
    package_id: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE customers SET package_id = $1, \
         monthly_bill_minor = (SELECT price_minor FROM packages WHERE id = $1), \
         updated_at = $2 WHERE id = $3",
    )
    .bind(package_id)
    .bind(now_text())
    .bind(customer_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
