//! What agents report in `Inventory` frames: the newest frame per agent
//! (`agent_inventories`), every device each agent has reported (`inventory_devices`, kept with
//! `gone_at` once a frame no longer lists it) and the interfaces last reported for each
//! (`inventory_interfaces`). A frame is applied in one transaction, writing only what changed.

use sqlx::AnyConnection;

use super::ingest::values_list;
use super::{like_pattern, now_text, Backend, Paged, Store, StoreResult};
use crate::inventory::diff::{applied, plan, InterfaceWrite, StoredInventory};
use crate::inventory::report::{ReportedInterface, ReportedInventory};

/// The newest stored `Inventory` of an agent.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AgentInventoryRow {
    pub agent_id: String,
    pub received_at: String,
    pub device_count: i64,
    pub interface_count: i64,
    pub subscriber_key_count: i64,
}

/// A device an agent reports or reported, with the agent's name and revocation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InventoryDeviceRow {
    pub agent_id: String,
    pub agent_name: String,
    pub agent_revoked_at: Option<String>,
    pub device_id: String,
    pub kind: String,
    pub profile: String,
    pub management_address: String,
    pub interface_count: i64,
    pub first_seen: String,
    pub last_seen: String,
    pub gone_at: Option<String>,
}

/// An interface as last reported.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InventoryInterfaceRow {
    pub if_index: i64,
    pub if_name: String,
    pub speed_bps: Option<i64>,
    pub first_seen: String,
}

/// What applying one frame changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InventoryWriteSummary {
    pub devices_gone: usize,
    pub interfaces_written: usize,
    pub interfaces_deleted: usize,
}

/// `$first, $first+1, …` for `count` parameters.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

const DEVICE_COLUMNS: &str = "d.agent_id, a.name AS agent_name, \
    a.revoked_at AS agent_revoked_at, d.device_id, d.kind, d.profile, \
    d.management_address, d.interface_count, d.first_seen, d.last_seen, d.gone_at";

impl Store {
    /// Makes the stored inventory of `agent_id` the reported one, in one transaction: devices
    /// upserted (`first_seen` kept), devices no longer listed marked gone, and per listed
    /// device only the interfaces that changed written or deleted. `known` is what the agent's
    /// connection stored last (an agent has one connection, so nothing else wrote since); without
    /// it the stored state is read. Returns what is stored now, to pass as `known` next time.
    pub async fn replace_inventory(
        &self,
        agent_id: &str,
        reported: &ReportedInventory,
        known: Option<StoredInventory>,
    ) -> StoreResult<(InventoryWriteSummary, StoredInventory)> {
        let now = now_text();
        let chunk_rows = self.rows_per_statement();
        let mut tx = self.pool().begin().await?;
        // Writing first takes SQLite's write lock, or this agent's row lock on PostgreSQL,
        // before the reads: two frames of one agent are never applied interleaved.
        sqlx::query(
            "INSERT INTO agent_inventories (agent_id, received_at, device_count, \
             interface_count, subscriber_key_count) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (agent_id) DO UPDATE SET received_at = excluded.received_at, \
             device_count = excluded.device_count, interface_count = excluded.interface_count, \
             subscriber_key_count = excluded.subscriber_key_count",
        )
        .bind(agent_id)
        .bind(&now)
        .bind(count(reported.devices.len()))
        .bind(count(reported.interface_count()))
        .bind(count(reported.subscriber_key_count))
        .execute(&mut *tx)
        .await?;
        let stored = match known {
            Some(known) => known,
            None => load_stored(&mut tx, agent_id).await?,
        };
        let plan = plan(&stored, reported);

        let devices: Vec<_> = reported.devices.iter().collect();
        for chunk in devices.chunks(chunk_rows) {
            let sql = format!(
                "INSERT INTO inventory_devices (agent_id, device_id, kind, profile, \
                 management_address, interface_count, first_seen, last_seen) VALUES {} \
                 ON CONFLICT (agent_id, device_id) DO UPDATE SET kind = excluded.kind, \
                 profile = excluded.profile, management_address = excluded.management_address, \
                 interface_count = excluded.interface_count, last_seen = excluded.last_seen, \
                 gone_at = NULL",
                values_list(Backend::Postgres, chunk.len(), 8) // numbered placeholders, which SQLite reads too
            );
            let mut query = sqlx::query(&sql);
            for (device_id, device) in chunk {
                query = query
                    .bind(agent_id)
                    .bind(device_id.as_str())
                    .bind(device.kind)
                    .bind(&device.profile)
                    .bind(&device.management_address)
                    .bind(count(device.interfaces.len()))
                    .bind(&now)
                    .bind(&now);
            }
            query.execute(&mut *tx).await?;
        }
        for chunk in plan.gone.chunks(chunk_rows) {
            let sql = format!(
                "UPDATE inventory_devices SET gone_at = $1 WHERE agent_id = $2 \
                 AND device_id IN ({})",
                placeholders(3, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(&now).bind(agent_id);
            for device_id in chunk {
                query = query.bind(*device_id);
            }
            query.execute(&mut *tx).await?;
        }
        let mut deleted = 0;
        for (device_id, if_indexes) in &plan.deletes {
            if self.backend() == Backend::Postgres {
                // One join against the list: an `IN` list per few hundred rows made deleting a
                // BRAS's 72,000 interfaces take tens of seconds.
                let list = if_indexes
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                deleted += sqlx::query(
                    "DELETE FROM inventory_interfaces AS i \
                     USING unnest(string_to_array($3, ',')::bigint[]) AS gone(if_index) \
                     WHERE i.agent_id = $1 AND i.device_id = $2 AND i.if_index = gone.if_index",
                )
                .bind(agent_id)
                .bind(*device_id)
                .bind(list)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                continue;
            }
            for chunk in if_indexes.chunks(chunk_rows) {
                let sql = format!(
                    "DELETE FROM inventory_interfaces WHERE agent_id = $1 AND device_id = $2 \
                     AND if_index IN ({})",
                    placeholders(3, chunk.len())
                );
                let mut query = sqlx::query(&sql).bind(agent_id).bind(*device_id);
                for if_index in chunk {
                    query = query.bind(i64::from(*if_index));
                }
                deleted += query.execute(&mut *tx).await?.rows_affected();
            }
        }
        for chunk in plan.writes.chunks(chunk_rows) {
            write_interfaces(&mut tx, agent_id, &now, chunk).await?;
        }
        tx.commit().await?;
        let summary = InventoryWriteSummary {
            devices_gone: plan.gone.len(),
            interfaces_written: plan.writes.len(),
            interfaces_deleted: usize::try_from(deleted).unwrap_or(usize::MAX),
        };
        Ok((summary, applied(stored, reported)))
    }

    /// The newest stored `Inventory` of an agent, if it ever sent one.
    pub async fn agent_inventory(&self, agent_id: &str) -> StoreResult<Option<AgentInventoryRow>> {
        Ok(sqlx::query_as(
            "SELECT agent_id, received_at, device_count, interface_count, subscriber_key_count \
             FROM agent_inventories WHERE agent_id = $1",
        )
        .bind(agent_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Every device reported by the agents of a site, those still reported first, then by
    /// device id and agent name.
    pub async fn inventory_devices_at_site(
        &self,
        site_id: &str,
    ) -> StoreResult<Vec<InventoryDeviceRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS} FROM inventory_devices d JOIN agents a ON a.id = d.agent_id \
             WHERE a.site_id = $1 \
             ORDER BY CASE WHEN d.gone_at IS NULL THEN 0 ELSE 1 END, d.device_id, a.name"
        ))
        .bind(site_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// A page of the interfaces last reported for a device, by ifIndex after `after_if_index`;
    /// `search` matches anywhere in the name, ignoring case as far as the backend's `LOWER`
    /// folds it (ASCII on SQLite). The total counts every interface matching `search`.
    pub async fn inventory_interfaces(
        &self,
        agent_id: &str,
        device_id: &str,
        search: Option<&str>,
        after_if_index: Option<i64>,
        limit: i64,
    ) -> StoreResult<Paged<InventoryInterfaceRow>> {
        let search = search.map(like_pattern);
        let condition = "agent_id = $1 AND device_id = $2 \
            AND ($3 IS NULL OR LOWER(if_name) LIKE LOWER($3) ESCAPE '\\')";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM inventory_interfaces WHERE {condition}"
        ))
        .bind(agent_id)
        .bind(device_id)
        .bind(&search)
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT if_index, if_name, speed_bps, first_seen FROM inventory_interfaces \
             WHERE {condition} AND if_index > $4 ORDER BY if_index LIMIT $5"
        ))
        .bind(agent_id)
        .bind(device_id)
        .bind(&search)
        .bind(after_if_index.unwrap_or(-1))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

async fn load_stored(conn: &mut AnyConnection, agent_id: &str) -> StoreResult<StoredInventory> {
    let present: Vec<String> = sqlx::query_scalar(
        "SELECT device_id FROM inventory_devices WHERE agent_id = $1 AND gone_at IS NULL",
    )
    .bind(agent_id)
    .fetch_all(&mut *conn)
    .await?;
    let rows: Vec<(String, i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT device_id, if_index, if_name, speed_bps FROM inventory_interfaces \
         WHERE agent_id = $1",
    )
    .bind(agent_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut stored = StoredInventory {
        present: present.into_iter().collect(),
        ..StoredInventory::default()
    };
    for (device_id, if_index, if_name, speed_bps) in rows {
        // Every stored ifIndex came from a u32; anything else is left for the frame to delete.
        let Ok(if_index) = u32::try_from(if_index) else {
            continue;
        };
        stored
            .interfaces
            .entry(device_id)
            .or_default()
            .insert(if_index, ReportedInterface { if_name, speed_bps });
    }
    Ok(stored)
}

/// Inserts or overwrites interfaces; `first_seen` restarts only when the name changed (the
/// ifIndex now belongs to another interface).
async fn write_interfaces(
    conn: &mut AnyConnection,
    agent_id: &str,
    now: &str,
    chunk: &[InterfaceWrite<'_>],
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO inventory_interfaces (agent_id, device_id, if_index, if_name, speed_bps, \
         first_seen) VALUES {} ON CONFLICT (agent_id, device_id, if_index) DO UPDATE SET \
         first_seen = CASE WHEN inventory_interfaces.if_name = excluded.if_name \
             THEN inventory_interfaces.first_seen ELSE excluded.first_seen END, \
         if_name = excluded.if_name, speed_bps = excluded.speed_bps",
        values_list(Backend::Postgres, chunk.len(), 6)
    );
    let mut query = sqlx::query(&sql);
    for write in chunk {
        query = query
            .bind(agent_id)
            .bind(write.device_id)
            .bind(i64::from(write.if_index))
            .bind(&write.interface.if_name)
            .bind(write.interface.speed_bps)
            .bind(now);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_count_from_the_first() {
        assert_eq!(placeholders(3, 2), "$3, $4");
        assert_eq!(placeholders(1, 1), "$1");
    }
}
