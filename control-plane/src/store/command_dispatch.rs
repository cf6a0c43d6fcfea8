//! The command pipeline's queries: commands waiting for a site's agent, state changes guarded
//! so a command only moves forward, and the expiry of commands past their deadline.

use super::{now_text, Store, StoreResult};
use crate::domain::CommandState;

/// A command with what its agent needs: the device's name and the customer's attachment.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DispatchRow {
    pub id: String,
    pub kind: String,
    pub params: String,
    pub state: String,
    pub created_at: String,
    pub device_name: String,
    pub pppoe_username: Option<String>,
    pub pon_port: Option<String>,
    pub onu_id: Option<i64>,
    /// The name of the customer's CPE device (`customers.cpe_device_id`) now.
    pub cpe_device_name: Option<String>,
}

/// A command's state and the site of its device, to check who may report on it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CommandOwner {
    pub state: String,
    pub kind: String,
    pub site_id: Option<String>,
}

/// The states a command may move to `to` from, as an SQL list; `None` for a state the pipeline
/// never sets. Final states are never left, so late or repeated results change nothing.
fn from_states(to: CommandState) -> Option<&'static str> {
    match to {
        CommandState::Sent => Some("'queued'"),
        CommandState::Running => Some("'queued', 'sent'"),
        CommandState::Succeeded
        | CommandState::Failed
        | CommandState::RolledBack
        | CommandState::Expired => Some("'queued', 'sent', 'running'"),
        CommandState::Queued => None,
    }
}

impl Store {
    /// Unfinished commands on the site's devices, oldest first: only queued ones, or also
    /// those sent or running (for an agent that just connected; it de-duplicates by id).
    pub async fn commands_to_send(
        &self,
        site_id: &str,
        with_delivered: bool,
    ) -> StoreResult<Vec<DispatchRow>> {
        let states = if with_delivered {
            "'queued', 'sent', 'running'"
        } else {
            "'queued'"
        };
        Ok(sqlx::query_as(&format!(
            "SELECT c.id, c.kind, c.params, c.state, c.created_at, d.name AS device_name, \
             cu.pppoe_username, cu.pon_port, cu.onu_id, cpe.name AS cpe_device_name \
             FROM device_commands c \
             JOIN devices d ON d.id = c.device_id \
             LEFT JOIN customers cu ON cu.id = c.customer_id \
             LEFT JOIN devices cpe ON cpe.id = cu.cpe_device_id \
             WHERE d.site_id = $1 AND c.state IN ({states}) ORDER BY c.created_at, c.id"
        ))
        .bind(site_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Moves a command to `to` if it is in a state that may precede it; `detail` replaces the
    /// stored one when given. Returns whether the command moved.
    pub async fn advance_command(
        &self,
        id: &str,
        to: CommandState,
        detail: Option<&str>,
    ) -> StoreResult<bool> {
        let Some(from) = from_states(to) else {
            return Ok(false);
        };
        let result = match detail {
            Some(detail) => {
                sqlx::query(&format!(
                    "UPDATE device_commands SET state = $1, detail = $2, updated_at = $3 \
                     WHERE id = $4 AND state IN ({from})"
                ))
                .bind(to.as_str())
                .bind(detail)
                .bind(now_text())
                .bind(id)
                .execute(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "UPDATE device_commands SET state = $1, updated_at = $2 \
                     WHERE id = $3 AND state IN ({from})"
                ))
                .bind(to.as_str())
                .bind(now_text())
                .bind(id)
                .execute(self.pool())
                .await?
            }
        };
        Ok(result.rows_affected() > 0)
    }

    /// The command's state, kind and its device's site; `None` for an unknown id.
    pub async fn command_owner(&self, id: &str) -> StoreResult<Option<CommandOwner>> {
        Ok(sqlx::query_as(
            "SELECT c.state, c.kind, d.site_id FROM device_commands c \
             LEFT JOIN devices d ON d.id = c.device_id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Expires commands of `kind` queued before `queued_before`: those never delivered, or
    /// (with `delivered`) those sent or running. Returns how many.
    pub async fn expire_commands(
        &self,
        kind: &str,
        delivered: bool,
        queued_before: &str,
        detail: &str,
    ) -> StoreResult<u64> {
        let states = if delivered {
            "'sent', 'running'"
        } else {
            "'queued'"
        };
        let result = sqlx::query(&format!(
            "UPDATE device_commands SET state = 'expired', detail = $1, updated_at = $2 \
             WHERE kind = $3 AND state IN ({states}) AND created_at < $4"
        ))
        .bind(detail)
        .bind(now_text())
        .bind(kind)
        .bind(queued_before)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected())
    }

    /// Expires queued commands that name no device, so no agent could run them.
    pub async fn expire_deviceless_commands(&self, detail: &str) -> StoreResult<u64> {
        let result = sqlx::query(
            "UPDATE device_commands SET state = 'expired', detail = $1, updated_at = $2 \
             WHERE state = 'queued' AND device_id IS NULL",
        )
        .bind(detail)
        .bind(now_text())
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected())
    }
}
