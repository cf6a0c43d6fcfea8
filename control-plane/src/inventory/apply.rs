//! Applying one `Inventory` frame from an admitted agent: checked first (a refusal is counted
//! and closes the connection; nothing of the frame is stored), then stored as the agent's
//! current inventory, and the per-agent gauges set.

use proto::Inventory;

use super::diff::StoredInventory;
use super::report::{check, InventoryError};
use crate::http::AppState;
use crate::store::agents::AgentRow;

/// Stores the frame as `agent`'s inventory. `stored` is the connection's memory of what it
/// stored last (empty at first and after a failure: then the store is read). A store failure is
/// logged and counted, and the connection stays open: the agent sends a whole new `Inventory`
/// when its interfaces change and on every reconnect, and that one replaces what is stored.
pub async fn apply_inventory(
    state: &AppState,
    agent: &AgentRow,
    stored: &mut Option<StoredInventory>,
    inventory: Inventory,
) -> Result<(), InventoryError> {
    let metrics = &state.metrics.ingest;
    let reported = check(inventory, &state.inventory_limits).inspect_err(|err| {
        metrics
            .inventory_rejected
            .with_label_values(&[err.metric_reason()])
            .inc();
    })?;
    match state
        .store
        .replace_inventory(&agent.id, &reported, stored.take())
        .await
    {
        Ok((summary, now_stored)) => {
            *stored = Some(now_stored);
            let gauge = |value: usize| i64::try_from(value).unwrap_or(i64::MAX);
            metrics
                .inventory_devices
                .with_label_values(&[&agent.name])
                .set(gauge(reported.devices.len()));
            metrics
                .inventory_interfaces
                .with_label_values(&[&agent.name])
                .set(gauge(reported.interface_count()));
            tracing::debug!(
                agent = %agent.name,
                devices = reported.devices.len(),
                gone = summary.devices_gone,
                written = summary.interfaces_written,
                deleted = summary.interfaces_deleted,
                "inventory stored"
            );
        }
        Err(err) => {
            metrics.inventory_store_failures.inc();
            tracing::warn!(
                error = %err, agent = %agent.name,
                "unable to store an agent's inventory; its next one replaces it"
            );
        }
    }
    Ok(())
}
