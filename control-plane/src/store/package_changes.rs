//! Subscribers' package-change requests as staff see them, and the staff decision: approving
//! moves the customer to the package in the same transaction that closes the request.

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
}

#[derive(Debug, Clone, Default)]
pub struct PackageChangeFilter {
    pub status: Option<String>,
    pub customer_id: Option<String>,
}

/// What staff decide on a pending request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageChangeDecision {
    Approve,
    Reject,
}

impl PackageChangeDecision {
    fn status(self) -> &'static str {
        match self {
            PackageChangeDecision::Approve => "approved",
            PackageChangeDecision::Reject => "rejected",
        }
    }
}

const SELECT: &str = "SELECT r.id, r.customer_id, c.customer_code, c.name AS customer_name, \
    r.from_package_id, fp.name AS from_package_name, r.to_package_id, tp.name AS to_package_name, \
    r.status, r.created_at, r.decided_by, r.decided_at \
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

    /// Closes a pending request. Approval also moves the customer to the requested package,
    /// with the package's price as the monthly bill, in the same transaction. A request that
    /// is no longer pending is a `Conflict`, so two staff deciding at once decide once.
    pub async fn decide_package_change(
        &self,
        id: &str,
        staff_id: &str,
        decision: PackageChangeDecision,
    ) -> StoreResult<PackageChangeRow> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let closed: Option<(String, String)> = sqlx::query_as(
            "UPDATE package_change_requests SET status = $1, decided_by = $2, decided_at = $3 \
             WHERE id = $4 AND status = 'pending' RETURNING customer_id, to_package_id",
        )
        .bind(decision.status())
        .bind(staff_id)
        .bind(&now)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((customer_id, to_package_id)) = closed else {
            drop(tx);
            let current = self.package_change(id).await?;
            return Err(StoreError::Conflict(format!(
                "the request is already {}",
                current.status
            )));
        };
        if decision == PackageChangeDecision::Approve {
            sqlx::query(
                "UPDATE customers SET package_id = $1, \
                 monthly_bill_minor = (SELECT price_minor FROM packages WHERE id = $1), \
                 updated_at = $2 WHERE id = $3",
            )
            .bind(&to_package_id)
            .bind(&now)
            .bind(&customer_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.package_change(id).await
    }
}
