//! A device's poll health in colour and words, from what the control plane holds: which agent
//! of the site reports the device in its inventory, whether that agent is connected, and when
//! the device was last listed or dropped. Poll failures, timeouts and counter discontinuities
//! are counted by the agent itself (its `netops_agent_poll_timeouts_total`,
//! `netops_agent_poll_errors_total` and `netops_agent_samples_dropped_total` metrics); the
//! agent protocol does not carry them, so the console names the agent's metrics instead. Pure.

use std::collections::HashMap;

use crate::http::admin::inventory::AgentInventory;

/// One agent's report of a configured device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceReport {
    pub agent_name: String,
    pub agent_connected: bool,
    pub agent_last_seen: Option<String>,
    pub interface_count: i64,
    pub last_listed: String,
    pub gone_at: Option<String>,
}

/// How a device's polling stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollHealth {
    /// `good`, `stale` or `bad`: the CSS class and the colour.
    pub class: &'static str,
    pub words: String,
}

/// Every configured device's reports, by configured device id, from each agent's inventory.
pub fn reports_by_device(
    inventories: Vec<(AgentInventory, Option<String>)>,
) -> HashMap<String, Vec<DeviceReport>> {
    let mut reports: HashMap<String, Vec<DeviceReport>> = HashMap::new();
    for (inventory, last_seen) in inventories {
        for device in inventory.devices {
            let Some(configured) = device.configured else {
                continue;
            };
            reports
                .entry(configured.id)
                .or_default()
                .push(DeviceReport {
                    agent_name: inventory.agent_name.clone(),
                    agent_connected: inventory.connected,
                    agent_last_seen: last_seen.clone(),
                    interface_count: device.interface_count,
                    last_listed: device.last_seen,
                    gone_at: device.gone_at,
                });
        }
    }
    reports
}

/// The health of a device with these reports: a connected agent still listing it first.
pub fn poll_health(reports: &[DeviceReport]) -> PollHealth {
    let best = reports
        .iter()
        .min_by_key(|r| (r.gone_at.is_some(), !r.agent_connected));
    match best {
        None => PollHealth {
            class: "bad",
            words: "not polled: no agent of the site reports this device".to_owned(),
        },
        Some(r) if r.gone_at.is_some() => PollHealth {
            class: "bad",
            words: format!(
                "not polled: agent {} stopped listing it at {}",
                r.agent_name,
                r.gone_at.as_deref().unwrap_or_default()
            ),
        },
        Some(r) if !r.agent_connected => PollHealth {
            class: "stale",
            words: format!(
                "no fresh data: agent {} is disconnected (last seen {})",
                r.agent_name,
                r.agent_last_seen.as_deref().unwrap_or("never")
            ),
        },
        Some(r) => PollHealth {
            class: "good",
            words: format!(
                "polled by agent {} (connected): {} interfaces, listed {}",
                r.agent_name, r.interface_count, r.last_listed
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(connected: bool, gone_at: Option<&str>) -> DeviceReport {
        DeviceReport {
            agent_name: if connected { "pop-a" } else { "pop-b" }.to_owned(),
            agent_connected: connected,
            agent_last_seen: Some("2026-01-02T03:04:05Z".to_owned()),
            interface_count: 12,
            last_listed: "2026-01-02T03:00:00Z".to_owned(),
            gone_at: gone_at.map(str::to_owned),
        }
    }

    fn check(reports: &[DeviceReport], class: &str, words: &str) {
        let health = poll_health(reports);
        assert_eq!(health.class, class, "{health:?}");
        assert!(health.words.contains(words), "{health:?}");
    }

    #[test]
    fn health_in_colour_and_words() {
        check(&[], "bad", "no agent of the site reports");
        check(&[report(true, None)], "good", "polled by agent pop-a");
        check(&[report(false, None)], "stale", "pop-b is disconnected");
        check(
            &[report(true, Some("2026-01-02T04:00:00Z"))],
            "bad",
            "stopped listing it at 2026-01-02T04:00:00Z",
        );
        check(&[report(false, None), report(true, None)], "good", "pop-a");
        check(
            &[
                report(true, Some("2026-01-02T04:00:00Z")),
                report(false, None),
            ],
            "stale",
            "pop-b",
        );
    }
}
