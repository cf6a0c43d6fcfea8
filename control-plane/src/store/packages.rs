//! Packages (tariffs): speed, price and validity, by type, with portal visibility (seed 000).

use super::{like_pattern, new_id, now_text, Page, Paged, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PackageRow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub package_type: String,
    pub download_speed: i64,
    pub upload_speed: i64,
    pub speed_unit: String,
    pub price_minor: i64,
    pub validity_days: i64,
    pub portal_visible: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageFields {
    pub name: String,
    pub description: Option<String>,
    pub package_type: String,
    pub download_speed: i64,
    pub upload_speed: i64,
    pub speed_unit: String,
    pub price_minor: i64,
    pub validity_days: i64,
    pub portal_visible: bool,
}

#[derive(Debug, Clone, Default)]
pub struct PackageFilter {
    pub search: Option<String>,
    pub package_type: Option<String>,
    pub portal_visible: Option<bool>,
}

const COLUMNS: &str = "id, name, description, package_type, download_speed, upload_speed, \
    speed_unit, price_minor, validity_days, portal_visible, created_at, updated_at";

impl Store {
    pub async fn insert_package(&self, f: &PackageFields) -> StoreResult<PackageRow> {
        let sql = format!(
            "INSERT INTO packages (name, description, package_type, download_speed, upload_speed, \
             speed_unit, price_minor, validity_days, portal_visible, id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {COLUMNS}"
        );
        sqlx::query_as(&sql)
            .bind(&f.name)
            .bind(&f.description)
            .bind(&f.package_type)
            .bind(f.download_speed)
            .bind(f.upload_speed)
            .bind(&f.speed_unit)
            .bind(f.price_minor)
            .bind(f.validity_days)
            .bind(i64::from(f.portal_visible))
            .bind(new_id())
            .bind(now_text())
            .fetch_one(self.pool())
            .await
            .map_err(|e| StoreError::from_write(e, "package"))
    }

    pub async fn update_package(&self, id: &str, f: &PackageFields) -> StoreResult<PackageRow> {
        let sql = format!(
            "UPDATE packages SET name = $1, description = $2, package_type = $3, download_speed = $4, \
             upload_speed = $5, speed_unit = $6, price_minor = $7, validity_days = $8, \
             portal_visible = $9, updated_at = $11 WHERE id = $10 RETURNING {COLUMNS}"
        );
        let row = sqlx::query_as(&sql)
            .bind(&f.name)
            .bind(&f.description)
            .bind(&f.package_type)
            .bind(f.download_speed)
            .bind(f.upload_speed)
            .bind(&f.speed_unit)
            .bind(f.price_minor)
            .bind(f.validity_days)
            .bind(i64::from(f.portal_visible))
            .bind(id)
            .bind(now_text())
            .fetch_optional(self.pool())
            .await
            .map_err(|e| StoreError::from_write(e, "package"))?
            .ok_or(StoreError::NotFound)?;
        self.note_subscriber_change();
        Ok(row)
    }

    pub async fn package(&self, id: &str) -> StoreResult<PackageRow> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM packages WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn list_packages(
        &self,
        filter: &PackageFilter,
        page: Page,
    ) -> StoreResult<Paged<PackageRow>> {
        let search = filter.search.as_deref().map(like_pattern);
        let visible = filter.portal_visible.map(i64::from);
        let condition =
            "($1 IS NULL OR name LIKE $1 ESCAPE '\\') AND ($2 IS NULL OR package_type = $2) \
            AND ($3 IS NULL OR portal_visible = $3)";
        let total: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM packages WHERE {condition}"))
                .bind(&search)
                .bind(&filter.package_type)
                .bind(visible)
                .fetch_one(self.pool())
                .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM packages WHERE {condition} \
             ORDER BY price_minor, name, id LIMIT $4 OFFSET $5"
        ))
        .bind(&search)
        .bind(&filter.package_type)
        .bind(visible)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }

    pub async fn delete_package(&self, id: &str) -> StoreResult<()> {
        let used: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM customers WHERE package_id = $1) \
             + (SELECT COUNT(*) FROM package_change_requests WHERE to_package_id = $1 OR from_package_id = $1)",
        )
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        if used > 0 {
            return Err(StoreError::Conflict(
                "package is in use by customers or change requests; hide it from the portal instead"
                    .to_owned(),
            ));
        }
        let deleted = sqlx::query("DELETE FROM packages WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?
            .rows_affected();
        if deleted == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Records a subscriber's request to move to another package.
    pub async fn insert_package_change_request(
        &self,
        customer_id: &str,
        from_package_id: Option<&str>,
        to_package_id: &str,
        effective: &str,
    ) -> StoreResult<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO package_change_requests (id, customer_id, from_package_id, to_package_id, \
             status, created_at, effective) VALUES ($1, $2, $3, $4, 'pending', $5, $6)",
        )
        .bind(&id)
        .bind(customer_id)
        .bind(from_package_id)
        .bind(to_package_id)
        .bind(now_text())
        .bind(effective)
        .execute(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "package change request"))?;
        Ok(id)
    }

    /// The package of a customer's change request still waiting (for staff, or approved for
    /// the next cycle), if any.
    pub async fn pending_package_change(&self, customer_id: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT to_package_id FROM package_change_requests WHERE customer_id = $1 \
             AND (status = 'pending' OR (status = 'approved' AND apply_on IS NOT NULL \
             AND applied_at IS NULL)) \
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(customer_id)
        .fetch_optional(self.pool())
        .await?)
    }
}
