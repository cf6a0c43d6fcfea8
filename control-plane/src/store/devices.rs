//! Sites (where an edge agent runs) and the network devices at each site.

use super::{new_id, now_text, Page, Paged, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SiteRow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeviceRow {
    pub id: String,
    pub site_id: String,
    pub name: String,
    pub kind: String,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub mgmt_address: Option<String>,
    pub profile: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceFields {
    pub site_id: String,
    pub name: String,
    pub kind: String,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub mgmt_address: Option<String>,
    pub profile: Option<String>,
}

const SITE_COLUMNS: &str = "id, name, description, created_at, updated_at";
const DEVICE_COLUMNS: &str =
    "id, site_id, name, kind, vendor, model, mgmt_address, profile, created_at, updated_at";

impl Store {
    pub async fn insert_site(&self, name: &str, description: Option<&str>) -> StoreResult<SiteRow> {
        sqlx::query_as(&format!(
            "INSERT INTO sites (id, name, description, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING {SITE_COLUMNS}"
        ))
        .bind(new_id())
        .bind(name)
        .bind(description)
        .bind(now_text())
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "site"))
    }

    pub async fn update_site(
        &self,
        id: &str,
        name: &str,
        description: Option<&str>,
    ) -> StoreResult<SiteRow> {
        sqlx::query_as(&format!(
            "UPDATE sites SET name = $1, description = $2, updated_at = $3 WHERE id = $4 \
             RETURNING {SITE_COLUMNS}"
        ))
        .bind(name)
        .bind(description)
        .bind(now_text())
        .bind(id)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "site"))?
        .ok_or(StoreError::NotFound)
    }

    pub async fn site(&self, id: &str) -> StoreResult<SiteRow> {
        sqlx::query_as(&format!("SELECT {SITE_COLUMNS} FROM sites WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn list_sites(&self, page: Page) -> StoreResult<Paged<SiteRow>> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sites")
            .fetch_one(self.pool())
            .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {SITE_COLUMNS} FROM sites ORDER BY name LIMIT $1 OFFSET $2"
        ))
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }

    pub async fn delete_site(&self, id: &str) -> StoreResult<()> {
        let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM devices WHERE site_id = $1")
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        if used > 0 {
            return Err(StoreError::Conflict(format!(
                "site still has {used} device(s); move or delete them first"
            )));
        }
        let deleted = sqlx::query("DELETE FROM sites WHERE id = $1")
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

    pub async fn insert_device(&self, f: &DeviceFields) -> StoreResult<DeviceRow> {
        sqlx::query_as(&format!(
            "INSERT INTO devices (id, site_id, name, kind, vendor, model, mgmt_address, profile, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
             RETURNING {DEVICE_COLUMNS}"
        ))
        .bind(new_id())
        .bind(&f.site_id)
        .bind(&f.name)
        .bind(&f.kind)
        .bind(&f.vendor)
        .bind(&f.model)
        .bind(&f.mgmt_address)
        .bind(&f.profile)
        .bind(now_text())
        .fetch_one(self.pool())
        .await
        .map_err(|e| device_write_error(e, f))
    }

    pub async fn update_device(&self, id: &str, f: &DeviceFields) -> StoreResult<DeviceRow> {
        sqlx::query_as(&format!(
            "UPDATE devices SET site_id = $1, name = $2, kind = $3, vendor = $4, model = $5, \
             mgmt_address = $6, profile = $7, updated_at = $8 WHERE id = $9 \
             RETURNING {DEVICE_COLUMNS}"
        ))
        .bind(&f.site_id)
        .bind(&f.name)
        .bind(&f.kind)
        .bind(&f.vendor)
        .bind(&f.model)
        .bind(&f.mgmt_address)
        .bind(&f.profile)
        .bind(now_text())
        .bind(id)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| device_write_error(e, f))?
        .ok_or(StoreError::NotFound)
    }

    pub async fn device(&self, id: &str) -> StoreResult<DeviceRow> {
        sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }

    pub async fn list_devices(
        &self,
        site_id: Option<&str>,
        kind: Option<&str>,
        page: Page,
    ) -> StoreResult<Paged<DeviceRow>> {
        let condition = "($1 IS NULL OR site_id = $1) AND ($2 IS NULL OR kind = $2)";
        let total: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM devices WHERE {condition}"))
                .bind(site_id)
                .bind(kind)
                .fetch_one(self.pool())
                .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE {condition} ORDER BY name LIMIT $3 OFFSET $4"
        ))
        .bind(site_id)
        .bind(kind)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }

    /// Every device of a site, by name.
    pub async fn devices_at_site(&self, site_id: &str) -> StoreResult<Vec<DeviceRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE site_id = $1 ORDER BY name"
        ))
        .bind(site_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn delete_device(&self, id: &str) -> StoreResult<()> {
        let used: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM customers WHERE bras_device_id = $1 OR olt_device_id = $1 \
             OR cpe_device_id = $1 OR port_device_id = $1) \
             + (SELECT COUNT(*) FROM device_commands WHERE device_id = $1)",
        )
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        if used > 0 {
            return Err(StoreError::Conflict(
                "device is attached to customers or has command history".to_owned(),
            ));
        }
        let deleted = sqlx::query("DELETE FROM devices WHERE id = $1")
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
}

fn device_write_error(err: sqlx::Error, f: &DeviceFields) -> StoreError {
    match StoreError::from_write(err, "device") {
        StoreError::Conflict(_) => {
            StoreError::Conflict(format!("a device named '{}' already exists", f.name))
        }
        StoreError::Invalid(_) => {
            StoreError::Invalid(format!("site_id '{}' does not exist", f.site_id))
        }
        other => other,
    }
}
