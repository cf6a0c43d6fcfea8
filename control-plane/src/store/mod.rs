//! The database: one `Store` over SQLite or PostgreSQL through sqlx's `Any` driver, with the
//! same SQL for both. Each submodule owns the queries of one table family.

pub mod agents;
pub mod alerts;
pub mod api_keys;
pub mod areas;
pub mod audit;
pub mod backup;
pub mod billing;
pub mod billing_terms;
pub mod bills;
pub mod command_dispatch;
pub mod commands;
pub mod customer_api_keys;
pub mod customers;
pub mod devices;
pub mod exports;
pub mod ingest;
pub mod inventory;
pub mod network;
pub mod notifications;
pub mod optics;
pub mod optics_alarms;
pub mod package_changes;
pub mod packages;
pub mod payments;
pub mod plan_changes;
pub mod pppoe_accounts;
pub mod sessions;
pub mod settlement;
pub mod staff;
pub mod ticket_queue;
pub mod tickets;
pub mod usage;
pub mod webhooks;

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::AnyPool;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What went wrong in the store, in terms a handler can map to a status code.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique value is already taken; the text names it.
    #[error("{0}")]
    Conflict(String),
    /// A reference to something that does not exist, or a value the schema refuses.
    #[error("{0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Classifies a write error: unique and foreign-key violations are the client's doing.
    pub fn from_write(err: sqlx::Error, what: &str) -> StoreError {
        if let Some(db) = err.as_database_error() {
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    return StoreError::Conflict(format!("{what} already exists"))
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    return StoreError::Invalid(format!(
                        "{what} refers to something that does not exist, or is still referred to"
                    ))
                }
                sqlx::error::ErrorKind::CheckViolation
                | sqlx::error::ErrorKind::NotNullViolation => {
                    return StoreError::Invalid(format!("{what} has a value the store refuses"))
                }
                _ => {}
            }
        }
        StoreError::Database(err)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The shared handle to the database.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Counts this process's committed writes to what authorize reads (see
    /// `aaa/pppoe_logins.rs`); other writers are seen through `aaa_subscriber_version`.
    subscriber_changes: Arc<AtomicU64>,
}

impl Store {
    /// Connects without migrating. For SQLite the file and its folder are created as needed.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        if backend == Backend::Sqlite {
            if let Some(path) = sqlite_path(url) {
                if let Some(parent) = std::path::Path::new(&path).parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent).map_err(|e| {
                            StoreError::Invalid(format!(
                                "unable to create the data directory {}: {e}",
                                parent.display()
                            ))
                        })?;
                    }
                }
            }
        }
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 5000")
                            .execute(&mut *conn)
                            .await?;
                        // With WAL, NORMAL syncs at checkpoints instead of at every commit:
                        // a crash of netops loses nothing; a power cut may lose the last
                        // commits. FULL capped writes at about a thousand per second.
                        sqlx::query("PRAGMA synchronous = NORMAL")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        if backend == Backend::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        Ok(Store {
            pool,
            backend,
            subscriber_changes: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Applies every pending migration of this backend.
    pub async fn migrate(&self) -> StoreResult<()> {
        self.migrator().run(&self.pool).await?;
        Ok(())
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Ready means reachable and with every migration this binary knows applied.
    pub async fn readiness(&self) -> Result<(), String> {
        let applied: Vec<i64> = sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| format!("database unreachable or not migrated: {e}"))?;
        let missing: Vec<i64> = self
            .migrator()
            .iter()
            .map(|m| m.version)
            .filter(|v| !applied.contains(v))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "migrations not applied: {missing:?}; run `control-plane migrate`"
            ))
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// How many committed writes to customers, packages or PPPoE accounts (the columns
    /// authorize reads) this process has made.
    pub fn subscriber_generation(&self) -> u64 {
        self.subscriber_changes.load(Ordering::Acquire)
    }

    /// Says that a write to what authorize reads has been committed, so the next
    /// Access-Request reloads first. The store's own methods call it after their commit; a
    /// write made around them (an operator's SQL, a test) calls it too, or is seen within
    /// `aaa::pppoe_logins::VERSION_POLL`.
    pub fn note_subscriber_change(&self) {
        self.subscriber_changes.fetch_add(1, Ordering::AcqRel);
    }

    /// Connections open and idle, for `/metrics`.
    pub fn pool_usage(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path.to_owned())
    }
}

/// A fresh random id for a new row.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The text stored for "now".
pub fn now_text() -> String {
    crate::domain::time::timestamp_text(crate::domain::time::now())
}

/// Limit and offset of a page, already bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

/// A page of rows and the count of all matching rows.
#[derive(Debug)]
pub struct Paged<T> {
    pub rows: Vec<T>,
    pub total: i64,
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern that matches `needle` anywhere.
pub fn like_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_off"), "%50\\%\\_off%");
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://data/netops.db?mode=rwc").as_deref(),
            Some("data/netops.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
