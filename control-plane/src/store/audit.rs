//! The audit log: who did what to which thing, when and from where. Rows are never changed.

use sqlx::{Any, Executor};

use super::{new_id, now_text, Page, Paged, Store, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub id: String,
    pub at: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    pub detail: String,
    pub client_ip: Option<String>,
}

/// One entry to append.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditEntry {
    /// `customer`, `staff`, `system` or `agent`.
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    /// Dotted verb such as `customer.update` or `device.reboot_onu`.
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    /// JSON object with what changed; never secrets.
    pub detail: serde_json::Value,
    pub client_ip: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_kind: Option<String>,
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
}

const COLUMNS: &str =
    "id, at, actor_kind, actor_id, actor_name, action, target_kind, target_id, detail, client_ip";

impl Store {
    pub async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()> {
        insert_audit(self.pool(), e).await
    }

    pub async fn list_audit(&self, f: &AuditFilter, page: Page) -> StoreResult<Paged<AuditRow>> {
        let condition = "($1 IS NULL OR actor_kind = $1) AND ($2 IS NULL OR actor_id = $2) \
            AND ($3 IS NULL OR action = $3) AND ($4 IS NULL OR target_kind = $4) \
            AND ($5 IS NULL OR target_id = $5)";
        let total: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE {condition}"))
                .bind(&f.actor_kind)
                .bind(&f.actor_id)
                .bind(&f.action)
                .bind(&f.target_kind)
                .bind(&f.target_id)
                .fetch_one(self.pool())
                .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE {condition} \
             ORDER BY at DESC, id DESC LIMIT $6 OFFSET $7"
        ))
        .bind(&f.actor_kind)
        .bind(&f.actor_id)
        .bind(&f.action)
        .bind(&f.target_kind)
        .bind(&f.target_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }
}

/// Appends one entry through `executor`: inside a transaction, the entry commits with the
/// change it records or not at all.
pub(super) async fn insert_audit<'e, E>(executor: E, e: &AuditEntry) -> StoreResult<()>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(&format!(
        "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(new_id())
    .bind(now_text())
    .bind(&e.actor_kind)
    .bind(&e.actor_id)
    .bind(&e.actor_name)
    .bind(&e.action)
    .bind(&e.target_kind)
    .bind(&e.target_id)
    .bind(e.detail.to_string())
    .bind(&e.client_ip)
    .execute(executor)
    .await?;
    Ok(())
}
