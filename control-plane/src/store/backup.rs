//! Online backup and checked restore of the SQLite database. PostgreSQL is backed up with
//! `pg_dump` (see docs/operations.md); these refuse it with that advice.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

use super::{Backend, Store, SQLITE_MIGRATIONS};

/// Why a backup or restore did not happen. Nothing is changed when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("backup and restore handle SQLite; for PostgreSQL use pg_dump and pg_restore (docs/operations.md)")]
    NotSqlite,
    #[error("{0} already exists; choose a new file name")]
    TargetExists(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a usable netops backup: {reason}")]
    NotABackup { path: PathBuf, reason: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// What a checked backup file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// The newest schema migration applied in the file.
    pub schema_version: i64,
    pub customers: i64,
    pub bills: i64,
    pub payments: i64,
}

impl Store {
    /// Writes a consistent copy of the live SQLite database to `target` while the control
    /// plane keeps serving (`VACUUM INTO`), then checks the copy.
    pub async fn backup_sqlite(&self, target: &Path) -> Result<BackupSummary, BackupError> {
        if self.backend() != Backend::Sqlite {
            return Err(BackupError::NotSqlite);
        }
        if target.exists() {
            return Err(BackupError::TargetExists(target.to_path_buf()));
        }
        let partial = partial_path(target);
        let _ = std::fs::remove_file(&partial);
        let text = partial.to_str().ok_or_else(|| BackupError::NotABackup {
            path: target.to_path_buf(),
            reason: "the file name is not valid UTF-8".to_owned(),
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(text.to_owned())
            .execute(self.pool())
            .await?;
        let summary = match check_backup(&partial).await {
            Ok(summary) => summary,
            Err(error) => {
                let _ = std::fs::remove_file(&partial);
                return Err(error);
            }
        };
        std::fs::rename(&partial, target).map_err(|source| BackupError::Io {
            path: target.to_path_buf(),
            source,
        })?;
        Ok(summary)
    }
}

/// Opens a backup read-only and checks it: SQLite's integrity check, a netops schema, and no
/// migration newer than this build knows (restoring it would leave a schema the code cannot use).
pub async fn check_backup(path: &Path) -> Result<BackupSummary, BackupError> {
    let not_a_backup = |reason: String| BackupError::NotABackup {
        path: path.to_path_buf(),
        reason,
    };
    if !path.is_file() {
        return Err(not_a_backup("no such file".to_owned()));
    }
    let options = SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        .read_only(true);
    let mut conn: SqliteConnection = options
        .connect()
        .await
        .map_err(|e| not_a_backup(e.to_string()))?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| not_a_backup(format!("not an SQLite database ({e})")))?;
    if integrity != "ok" {
        return Err(not_a_backup(format!("integrity check failed: {integrity}")));
    }
    let applied: Vec<i64> = sqlx::query_scalar(
        "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(|_| not_a_backup("it has no netops schema".to_owned()))?;
    let known: Vec<i64> = SQLITE_MIGRATIONS.iter().map(|m| m.version).collect();
    if let Some(unknown) = applied.iter().find(|v| !known.contains(v)) {
        return Err(not_a_backup(format!(
            "its schema has migration {unknown}, which this control plane does not know; restore it with a newer release"
        )));
    }
    let schema_version = applied
        .last()
        .copied()
        .ok_or_else(|| not_a_backup("no migration has been applied in it".to_owned()))?;
    let customers = count_rows(&mut conn, "customers").await?;
    let bills = count_rows(&mut conn, "bills").await?;
    let payments = count_rows(&mut conn, "payments").await?;
    conn.close().await?;
    Ok(BackupSummary {
        schema_version,
        customers,
        bills,
        payments,
    })
}

/// Replaces the SQLite database at `database` with a checked copy of `backup`. The control
/// plane must be stopped (the binary holds a lock on the data directory while serving). The
/// old database is kept beside it as `<name>.before-restore`.
pub async fn restore_sqlite(backup: &Path, database: &Path) -> Result<BackupSummary, BackupError> {
    let summary = check_backup(backup).await?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BackupError::Io { path, source }
    };
    let partial = partial_path(database);
    std::fs::copy(backup, &partial).map_err(io(&partial))?;
    if database.exists() {
        let kept = database.with_extension("db.before-restore");
        std::fs::rename(database, &kept).map_err(io(&kept))?;
    }
    for suffix in ["-wal", "-shm"] {
        let mut side = database.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&partial, database).map_err(io(database))?;
    Ok(summary)
}

async fn count_rows(conn: &mut SqliteConnection, table: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(conn)
        .await
}

fn partial_path(target: &Path) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}
