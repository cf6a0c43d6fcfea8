//! Service areas: district, upazila, union and village, as Bangladeshi ISPs organise them.

use super::{like_pattern, new_id, now_text, Page, Paged, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AreaRow {
    pub id: String,
    pub name: String,
    pub district: Option<String>,
    pub upazila: Option<String>,
    pub union_name: Option<String>,
    pub village: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AreaFields {
    pub name: String,
    pub district: Option<String>,
    pub upazila: Option<String>,
    pub union_name: Option<String>,
    pub village: Option<String>,
}

const COLUMNS: &str = "id, name, district, upazila, union_name, village, created_at, updated_at";

impl Store {
    pub async fn insert_area(&self, f: &AreaFields) -> StoreResult<AreaRow> {
        let sql = format!(
            "INSERT INTO areas (id, name, district, upazila, union_name, village, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
        );
        sqlx::query_as(&sql)
            .bind(new_id())
            .bind(&f.name)
            .bind(&f.district)
            .bind(&f.upazila)
            .bind(&f.union_name)
            .bind(&f.village)
            .bind(now_text())
            .fetch_one(self.pool())
            .await
            .map_err(|e| StoreError::from_write(e, "area"))
    }

    pub async fn update_area(&self, id: &str, f: &AreaFields) -> StoreResult<AreaRow> {
        let sql = format!(
            "UPDATE areas SET name = $1, district = $2, upazila = $3, union_name = $4, village = $5, \
             updated_at = $6 WHERE id = $7 RETURNING {COLUMNS}"
        );
        sqlx::query_as(&sql)
            .bind(&f.name)
            .bind(&f.district)
            .bind(&f.upazila)
            .bind(&f.union_name)
            .bind(&f.village)
            .bind(now_text())
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| StoreError::from_write(e, "area"))?
            .ok_or(StoreError::NotFound)
    }

    pub async fn area(&self, id: &str) -> StoreResult<AreaRow> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM areas WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn list_areas(
        &self,
        search: Option<&str>,
        district: Option<&str>,
        page: Page,
    ) -> StoreResult<Paged<AreaRow>> {
        let search = search.map(like_pattern);
        let condition = "($1 IS NULL OR name LIKE $1 ESCAPE '\\' OR upazila LIKE $1 ESCAPE '\\' \
            OR village LIKE $1 ESCAPE '\\') AND ($2 IS NULL OR district = $2)";
        let total: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM areas WHERE {condition}"))
                .bind(&search)
                .bind(district)
                .fetch_one(self.pool())
                .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM areas WHERE {condition} ORDER BY name, id LIMIT $3 OFFSET $4"
        ))
        .bind(&search)
        .bind(district)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }

    pub async fn delete_area(&self, id: &str) -> StoreResult<()> {
        let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE area_id = $1")
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        if used > 0 {
            return Err(StoreError::Conflict(format!(
                "area is used by {used} customer(s); move them to another area first"
            )));
        }
        let deleted = sqlx::query("DELETE FROM areas WHERE id = $1")
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
