//! PPPoE sessions from RADIUS accounting (`radius_sessions`), and the subscriber's
//! `network_state` they feed: online, address, MAC, session start, traffic totals, last
//! online/offline. Each packet is applied in one transaction with an optimistic `version`
//! check, so duplicates and concurrent packets of one session never add traffic twice.

use sqlx::{Any, Transaction};

use super::network::NetworkStateRow;
use super::{like_pattern, new_id, now_text, Page, Paged, Store, StoreError, StoreResult};
use crate::aaa::accounting::{self, CloseReason, SessionChange, SessionReport, SessionState};
use crate::domain::time::{parse_timestamp, timestamp_text};

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RadiusSessionRow {
    pub id: String,
    pub nas_key: String,
    pub acct_session_id: String,
    pub nas_ip_address: Option<String>,
    pub nas_identifier: Option<String>,
    pub username: String,
    pub customer_id: Option<String>,
    pub framed_ip_address: Option<String>,
    pub calling_station_id: Option<String>,
    pub started_at: String,
    pub updated_at: String,
    pub stopped_at: Option<String>,
    pub input_octets: i64,
    pub output_octets: i64,
    pub session_time_secs: i64,
    pub terminate_cause: Option<String>,
    pub close_reason: Option<String>,
    pub version: i64,
}

const COLUMNS: &str = "id, nas_key, acct_session_id, nas_ip_address, nas_identifier, username, \
    customer_id, framed_ip_address, calling_station_id, started_at, updated_at, stopped_at, \
    input_octets, output_octets, session_time_secs, terminate_cause, close_reason, version";

const STATE_COLUMNS: &str = "customer_id, is_online, ip_address, mac_address, \
    session_started_at, rx_bps, tx_bps, total_download_octets, total_upload_octets, onu_status, \
    onu_rx_power_cdbm, onu_tx_power_cdbm, last_online, last_offline, updated_at, \
    accounting_session_open";

/// Which session a packet is about: the NAS and its Acct-Session-Id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKey {
    /// The NAS-IP-Address, else the NAS-Identifier.
    pub nas_key: String,
    pub acct_session_id: String,
    pub nas_ip_address: Option<String>,
    pub nas_identifier: Option<String>,
}

/// Who the session belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOwner {
    pub username: String,
    /// `None` when no customer has the username (the session is still recorded).
    pub customer_id: Option<String>,
}

/// What a packet did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountingEffect {
    Inserted,
    Updated,
    Ignored(&'static str),
}

/// The effect of a packet and the customer's state after it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountingOutcome {
    pub effect: AccountingEffect,
    pub network_state: Option<NetworkStateRow>,
}

/// Filters of the online-session list.
#[derive(Debug, Clone, Default)]
pub struct OnlineFilter {
    /// NAS-IP-Address or NAS-Identifier.
    pub nas: Option<String>,
    /// Text found in the username.
    pub username: Option<String>,
    pub customer_id: Option<String>,
    pub framed_ip_address: Option<String>,
}

/// Attempts of one packet against concurrent writers of the same session.
const ATTEMPTS: usize = 5;

pub fn ms_text(unix_ms: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    timestamp_text(at)
}

fn text_ms(text: &str) -> StoreResult<i64> {
    parse_timestamp(text)
        .and_then(|at| i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok())
        .ok_or_else(|| StoreError::Invalid(format!("stored timestamp '{text}' is unreadable")))
}

fn state_of(row: &RadiusSessionRow) -> StoreResult<SessionState> {
    Ok(SessionState {
        started_at_ms: text_ms(&row.started_at)?,
        updated_at_ms: text_ms(&row.updated_at)?,
        stopped_at_ms: row.stopped_at.as_deref().map(text_ms).transpose()?,
        close_reason: row.close_reason.as_deref().and_then(CloseReason::parse),
        framed_ip: row.framed_ip_address.clone(),
        calling_station_id: row.calling_station_id.clone(),
        input_octets: row.input_octets,
        output_octets: row.output_octets,
        session_time_secs: row.session_time_secs,
        terminate_cause: row.terminate_cause.clone(),
    })
}

/// A write that lost a race and should be tried again: a unique violation (another packet
/// opened the session first) or SQLite's busy lock.
fn is_retryable(err: &sqlx::Error) -> bool {
    err.as_database_error().is_some_and(|db| {
        matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation)
            || db.code().is_some_and(|code| code == "5" || code == "6")
            || db.message().contains("database is locked")
    })
}

enum Attempt<T> {
    Done(T),
    Retry,
}

impl Store {
    /// Applies one Start, Interim-Update or Stop.
    pub async fn apply_accounting(
        &self,
        key: &SessionKey,
        owner: &SessionOwner,
        report: &SessionReport,
    ) -> StoreResult<AccountingOutcome> {
        for _ in 0..ATTEMPTS {
            match self.try_apply_accounting(key, owner, report).await {
                Ok(Attempt::Done(outcome)) => return Ok(outcome),
                Ok(Attempt::Retry) => {}
                Err(StoreError::Database(err)) if is_retryable(&err) => {}
                Err(err) => return Err(err),
            }
        }
        Err(StoreError::Conflict(
            "the session changed concurrently; the NAS will retransmit".to_owned(),
        ))
    }

    async fn try_apply_accounting(
        &self,
        key: &SessionKey,
        owner: &SessionOwner,
        report: &SessionReport,
    ) -> StoreResult<Attempt<AccountingOutcome>> {
        let mut tx = self.pool().begin().await?;
        let open: Option<RadiusSessionRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM radius_sessions \
             WHERE nas_key = $1 AND acct_session_id = $2 AND stopped_at IS NULL"
        ))
        .bind(&key.nas_key)
        .bind(&key.acct_session_id)
        .fetch_optional(&mut *tx)
        .await?;
        let closed: Option<RadiusSessionRow> = match open {
            Some(_) => None,
            None => {
                sqlx::query_as(&format!(
                    "SELECT {COLUMNS} FROM radius_sessions \
                     WHERE nas_key = $1 AND acct_session_id = $2 AND stopped_at IS NOT NULL \
                     ORDER BY started_at DESC LIMIT 1"
                ))
                .bind(&key.nas_key)
                .bind(&key.acct_session_id)
                .fetch_optional(&mut *tx)
                .await?
            }
        };
        let stored = open.as_ref().or(closed.as_ref());
        let stored_state = stored.map(state_of).transpose()?;
        let change = accounting::apply(
            report,
            open.as_ref().and(stored_state.as_ref()),
            closed.as_ref().and(stored_state.as_ref()),
        );
        let (effect, customer_id, added) = match change {
            SessionChange::Ignore(why) => {
                return Ok(Attempt::Done(AccountingOutcome {
                    effect: AccountingEffect::Ignored(why),
                    network_state: None,
                }))
            }
            SessionChange::Insert(new) => {
                let inserted = insert_session(&mut tx, key, owner, &new).await;
                match inserted {
                    Ok(()) => {}
                    Err(err) if is_retryable(&err) => return Ok(Attempt::Retry),
                    Err(err) => return Err(StoreError::from_write(err, "RADIUS session")),
                }
                (
                    AccountingEffect::Inserted,
                    owner.customer_id.clone(),
                    (new.output_octets, new.input_octets),
                )
            }
            SessionChange::Update(new) => {
                let (Some(row), Some(old)) = (stored, stored_state.as_ref()) else {
                    return Err(StoreError::Invalid(
                        "an update of a session that is not stored".to_owned(),
                    ));
                };
                if !update_session(&mut tx, row, &new).await? {
                    return Ok(Attempt::Retry);
                }
                (
                    AccountingEffect::Updated,
                    row.customer_id.clone(),
                    (
                        new.output_octets - old.output_octets,
                        new.input_octets - old.input_octets,
                    ),
                )
            }
        };
        let network_state = match customer_id {
            Some(customer_id) => {
                Some(refresh_network_state(&mut tx, &customer_id, added.0, added.1).await?)
            }
            None => None,
        };
        tx.commit().await?;
        Ok(Attempt::Done(AccountingOutcome {
            effect,
            network_state,
        }))
    }

    /// Closes every open session of a NAS that sent Accounting-On or Accounting-Off.
    pub async fn close_nas_sessions(
        &self,
        nas_key: &str,
        at_ms: i64,
    ) -> StoreResult<Vec<NetworkStateRow>> {
        let at = ms_text(at_ms);
        self.close_sessions(
            "UPDATE radius_sessions SET \
             stopped_at = CASE WHEN started_at > $2 THEN started_at ELSE $2 END, \
             close_reason = 'nas-restart', terminate_cause = 'NAS-Reboot', \
             version = version + 1 WHERE stopped_at IS NULL AND nas_key = $1 \
             RETURNING customer_id",
            &[nas_key, &at],
        )
        .await
    }

    /// Closes sessions with no accounting since `cutoff_ms` as stale; they end at their last
    /// update. Returns the new state of every customer concerned.
    pub async fn close_stale_sessions(&self, cutoff_ms: i64) -> StoreResult<Vec<NetworkStateRow>> {
        let cutoff = ms_text(cutoff_ms);
        self.close_sessions(
            "UPDATE radius_sessions SET stopped_at = updated_at, close_reason = 'stale', \
             version = version + 1 WHERE stopped_at IS NULL AND updated_at < $1 \
             RETURNING customer_id",
            &[&cutoff],
        )
        .await
    }

    async fn close_sessions(&self, sql: &str, binds: &[&str]) -> StoreResult<Vec<NetworkStateRow>> {
        for _ in 0..ATTEMPTS {
            let result = async {
                let mut tx = self.pool().begin().await?;
                let mut query = sqlx::query_scalar(sql);
                for value in binds {
                    query = query.bind(*value);
                }
                let customers: Vec<Option<String>> = query.fetch_all(&mut *tx).await?;
                let mut customers: Vec<String> = customers.into_iter().flatten().collect();
                customers.sort();
                customers.dedup();
                let mut states = Vec::with_capacity(customers.len());
                for customer_id in customers {
                    states.push(refresh_network_state(&mut tx, &customer_id, 0, 0).await?);
                }
                tx.commit().await?;
                Ok::<_, StoreError>(states)
            }
            .await;
            match result {
                Err(StoreError::Database(err)) if is_retryable(&err) => {}
                other => return other,
            }
        }
        Err(StoreError::Conflict(
            "sessions changed concurrently; try again".to_owned(),
        ))
    }

    /// Open sessions, newest first.
    pub async fn online_sessions(
        &self,
        filter: &OnlineFilter,
        page: Page,
    ) -> StoreResult<Paged<RadiusSessionRow>> {
        let username = filter.username.as_deref().map(like_pattern);
        let condition = "stopped_at IS NULL \
             AND ($1 IS NULL OR nas_ip_address = $1 OR nas_identifier = $1) \
             AND ($2 IS NULL OR username LIKE $2 ESCAPE '\\') \
             AND ($3 IS NULL OR customer_id = $3) AND ($4 IS NULL OR framed_ip_address = $4)";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM radius_sessions WHERE {condition}"
        ))
        .bind(&filter.nas)
        .bind(&username)
        .bind(&filter.customer_id)
        .bind(&filter.framed_ip_address)
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM radius_sessions WHERE {condition} \
             ORDER BY started_at DESC, id LIMIT $5 OFFSET $6"
        ))
        .bind(&filter.nas)
        .bind(&username)
        .bind(&filter.customer_id)
        .bind(&filter.framed_ip_address)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }

    /// A customer's sessions, newest first.
    pub async fn customer_sessions(
        &self,
        customer_id: &str,
        page: Page,
    ) -> StoreResult<Paged<RadiusSessionRow>> {
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM radius_sessions WHERE customer_id = $1")
                .bind(customer_id)
                .fetch_one(self.pool())
                .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM radius_sessions WHERE customer_id = $1 \
             ORDER BY started_at DESC, id LIMIT $2 OFFSET $3"
        ))
        .bind(customer_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }
}

async fn insert_session(
    tx: &mut Transaction<'static, Any>,
    key: &SessionKey,
    owner: &SessionOwner,
    s: &SessionState,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO radius_sessions (id, nas_key, acct_session_id, nas_ip_address, \
         nas_identifier, username, customer_id, framed_ip_address, calling_station_id, \
         started_at, updated_at, stopped_at, input_octets, output_octets, session_time_secs, \
         terminate_cause, close_reason, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 0)",
    )
    .bind(new_id())
    .bind(&key.nas_key)
    .bind(&key.acct_session_id)
    .bind(&key.nas_ip_address)
    .bind(&key.nas_identifier)
    .bind(&owner.username)
    .bind(&owner.customer_id)
    .bind(&s.framed_ip)
    .bind(&s.calling_station_id)
    .bind(ms_text(s.started_at_ms))
    .bind(ms_text(s.updated_at_ms))
    .bind(s.stopped_at_ms.map(ms_text))
    .bind(s.input_octets)
    .bind(s.output_octets)
    .bind(s.session_time_secs)
    .bind(&s.terminate_cause)
    .bind(s.close_reason.map(CloseReason::as_str))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes the new state if nobody else wrote the row since it was read.
async fn update_session(
    tx: &mut Transaction<'static, Any>,
    row: &RadiusSessionRow,
    s: &SessionState,
) -> StoreResult<bool> {
    let result = sqlx::query(
        "UPDATE radius_sessions SET updated_at = $1, stopped_at = $2, close_reason = $3, \
         framed_ip_address = $4, calling_station_id = $5, input_octets = $6, \
         output_octets = $7, session_time_secs = $8, terminate_cause = $9, \
         version = version + 1 WHERE id = $10 AND version = $11",
    )
    .bind(ms_text(s.updated_at_ms))
    .bind(s.stopped_at_ms.map(ms_text))
    .bind(s.close_reason.map(CloseReason::as_str))
    .bind(&s.framed_ip)
    .bind(&s.calling_station_id)
    .bind(s.input_octets)
    .bind(s.output_octets)
    .bind(s.session_time_secs)
    .bind(&s.terminate_cause)
    .bind(&row.id)
    .bind(row.version)
    .execute(&mut **tx)
    .await;
    match result {
        Ok(done) => Ok(done.rows_affected() == 1),
        Err(err) if is_retryable(&err) => Ok(false),
        Err(err) => Err(StoreError::from_write(err, "RADIUS session")),
    }
}

#[derive(sqlx::FromRow)]
struct CurrentSession {
    framed_ip_address: Option<String>,
    calling_station_id: Option<String>,
    started_at: String,
    stopped_at: Option<String>,
}

/// Sets the session part of the customer's `network_state` from their newest session (an open
/// one first) and adds traffic; other columns (rates, optics) are left as they are. An open
/// session makes accounting the source of the totals (`accounting_session_open`), so agent
/// ingest stops adding to them until it closes.
async fn refresh_network_state(
    tx: &mut Transaction<'static, Any>,
    customer_id: &str,
    add_download_octets: i64,
    add_upload_octets: i64,
) -> StoreResult<NetworkStateRow> {
    let open: Option<CurrentSession> = sqlx::query_as(
        "SELECT framed_ip_address, calling_station_id, started_at, stopped_at \
         FROM radius_sessions WHERE customer_id = $1 AND stopped_at IS NULL \
         ORDER BY started_at DESC LIMIT 1",
    )
    .bind(customer_id)
    .fetch_optional(&mut **tx)
    .await?;
    let current = match open {
        Some(open) => Some(open),
        None => {
            sqlx::query_as(
                "SELECT framed_ip_address, calling_station_id, started_at, stopped_at \
                 FROM radius_sessions WHERE customer_id = $1 AND stopped_at IS NOT NULL \
                 ORDER BY stopped_at DESC LIMIT 1",
            )
            .bind(customer_id)
            .fetch_optional(&mut **tx)
            .await?
        }
    };
    let online = current.as_ref().is_some_and(|c| c.stopped_at.is_none());
    let (ip, mac, started, last_online, last_offline) = match &current {
        Some(c) if online => (
            c.framed_ip_address.clone(),
            c.calling_station_id.clone(),
            Some(c.started_at.clone()),
            Some(c.started_at.clone()),
            None,
        ),
        Some(c) => (
            None,
            c.calling_station_id.clone(),
            None,
            None,
            c.stopped_at.clone(),
        ),
        None => (None, None, None, None, None),
    };
    let row = sqlx::query_as(&format!(
        "INSERT INTO network_state (customer_id, is_online, ip_address, mac_address, \
         session_started_at, rx_bps, tx_bps, total_download_octets, total_upload_octets, \
         last_online, last_offline, updated_at, accounting_session_open) \
         VALUES ($1, $2, $3, $4, $5, 0, 0, $6, $7, $8, $9, $10, $2) \
         ON CONFLICT (customer_id) DO UPDATE SET is_online = excluded.is_online, \
         accounting_session_open = excluded.accounting_session_open, \
         ip_address = excluded.ip_address, \
         mac_address = COALESCE(excluded.mac_address, network_state.mac_address), \
         session_started_at = excluded.session_started_at, \
         total_download_octets = network_state.total_download_octets + excluded.total_download_octets, \
         total_upload_octets = network_state.total_upload_octets + excluded.total_upload_octets, \
         last_online = COALESCE(excluded.last_online, network_state.last_online), \
         last_offline = COALESCE(excluded.last_offline, network_state.last_offline), \
         updated_at = excluded.updated_at \
         RETURNING {STATE_COLUMNS}"
    ))
    .bind(customer_id)
    .bind(i64::from(online))
    .bind(ip)
    .bind(mac)
    .bind(started)
    .bind(add_download_octets.max(0))
    .bind(add_upload_octets.max(0))
    .bind(last_online)
    .bind(last_offline)
    .bind(now_text())
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| StoreError::from_write(e, "network state"))?;
    Ok(row)
}
