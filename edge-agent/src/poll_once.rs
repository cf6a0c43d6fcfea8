//! `edge-agent poll --once`: two counter polls one second apart and the interface table with
//! the rates between them.

use std::time::Duration;

use netops_snmp::client::{poll_interface_counters, SharedTransport};
use netops_snmp::profile::ProfileSet;

use crate::check::render_table;
use crate::config::DeviceConfig;
use crate::device::{connect_device, drop_reason, ConnectError, DeviceRates};

/// One row of the printed table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceRow {
    pub if_index: u32,
    pub if_name: String,
    pub subscriber: String,
    /// `None` when the sample was dropped (see `note`).
    pub in_bps: Option<u64>,
    pub out_bps: Option<u64>,
    pub note: String,
}

/// The device's profile and interface rows.
#[derive(Debug, Clone)]
pub struct PollOnce {
    pub profile: String,
    pub sys_descr: String,
    pub rows: Vec<InterfaceRow>,
}

pub async fn poll_device_once(
    device: &DeviceConfig,
    profiles: &ProfileSet,
) -> Result<PollOnce, ConnectError> {
    let transport = SharedTransport::bind(device.snmp_over_ipv6()).await?;
    let connected = connect_device(device, &transport, profiles).await?;
    let counters = &connected.profile.counters;
    let mut rates = DeviceRates::new(device.name.clone());
    let first = poll_interface_counters(&connected.session, counters).await?;
    rates.update(first);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let second = poll_interface_counters(&connected.session, counters).await?;
    let update = rates.update(second);
    let rows = rates
        .interfaces()
        .map(|interface| {
            let rate = update
                .rates
                .iter()
                .find(|rate| rate.if_index == interface.if_index);
            let dropped = update
                .dropped
                .iter()
                .find(|(name, _)| *name == interface.if_name)
                .map(|(_, dropped)| drop_reason(dropped).to_owned());
            InterfaceRow {
                if_index: interface.if_index,
                if_name: interface.if_name.clone(),
                subscriber: crate::device::subscriber::subscriber_key(
                    &device.name,
                    &interface.if_name,
                )
                .to_string(),
                in_bps: rate.map(|rate| rate.in_bps),
                out_bps: rate.map(|rate| rate.out_bps),
                note: dropped.unwrap_or_else(|| {
                    if rate.is_none() {
                        "new".to_owned()
                    } else {
                        String::new()
                    }
                }),
            }
        })
        .collect();
    Ok(PollOnce {
        profile: connected.profile.name,
        sys_descr: connected.identity.sys_descr,
        rows,
    })
}

impl PollOnce {
    /// The table printed by the CLI; rates in bits per second.
    pub fn render(&self) -> String {
        let mut rows = vec![[
            "IFINDEX".to_owned(),
            "IFNAME".to_owned(),
            "IN_BPS".to_owned(),
            "OUT_BPS".to_owned(),
            "SUBSCRIBER".to_owned(),
            "NOTE".to_owned(),
        ]];
        let bps = |value: Option<u64>| {
            value
                .map(|v| v.to_string())
                .unwrap_or_else(|| "-".to_owned())
        };
        for row in &self.rows {
            rows.push([
                row.if_index.to_string(),
                row.if_name.clone(),
                bps(row.in_bps),
                bps(row.out_bps),
                row.subscriber.clone(),
                row.note.clone(),
            ]);
        }
        format!(
            "profile: {}\nsysDescr: {}\n\n{}",
            self.profile,
            self.sys_descr,
            render_table(&rows)
        )
    }
}
