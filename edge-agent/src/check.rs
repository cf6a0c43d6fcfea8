//! `edge-agent check`: is every device reachable, what it says it is, which profile it gets,
//! and how far the local clock is off.

use std::fmt::Write as _;

use netops_snmp::client::SharedTransport;
use netops_snmp::profile::ProfileSet;

use crate::clock::{measure_offset, CLOCK_OFFSET_WARN};
use crate::config::AgentConfig;
use crate::device::connect_device;

/// One device's check result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCheck {
    pub device: String,
    pub address: String,
    pub sys_descr: Option<String>,
    pub profile: Option<String>,
    /// Why the device failed, when it did.
    pub error: Option<String>,
}

/// The clock row of the report.
#[derive(Debug, Clone, PartialEq)]
pub enum ClockCheck {
    NotConfigured,
    Offset { server: String, offset_s: f64 },
    Failed { server: String, error: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    pub devices: Vec<DeviceCheck>,
    pub clock: ClockCheck,
}

impl CheckReport {
    /// Every device answered with a profile, and the clock is within 50 ms (or unchecked).
    pub fn passed(&self) -> bool {
        let clock_ok = match &self.clock {
            ClockCheck::NotConfigured => true,
            ClockCheck::Offset { offset_s, .. } => {
                offset_s.abs() <= CLOCK_OFFSET_WARN.as_secs_f64()
            }
            ClockCheck::Failed { .. } => false,
        };
        clock_ok && self.devices.iter().all(|device| device.error.is_none())
    }

    /// A readable table for the terminal.
    pub fn render(&self) -> String {
        let mut rows = vec![[
            "DEVICE".to_owned(),
            "ADDRESS".to_owned(),
            "STATUS".to_owned(),
            "PROFILE".to_owned(),
            "SYSDESCR / ERROR".to_owned(),
        ]];
        for device in &self.devices {
            let (status, detail) = match &device.error {
                None => ("ok", device.sys_descr.clone().unwrap_or_default()),
                Some(error) => ("FAIL", error.clone()),
            };
            rows.push([
                device.device.clone(),
                device.address.clone(),
                status.to_owned(),
                device.profile.clone().unwrap_or_else(|| "-".to_owned()),
                one_line(&detail),
            ]);
        }
        let mut out = render_table(&rows);
        let _ = match &self.clock {
            ClockCheck::NotConfigured => {
                writeln!(out, "\nclock: no ntp_server configured; not checked")
            }
            ClockCheck::Offset { server, offset_s } => {
                let verdict = if offset_s.abs() > CLOCK_OFFSET_WARN.as_secs_f64() {
                    "FAIL (over 50 ms; fix the host's time sync)"
                } else {
                    "ok"
                };
                writeln!(
                    out,
                    "\nclock: offset {:+.1} ms against {server}: {verdict}",
                    offset_s * 1000.0
                )
            }
            ClockCheck::Failed { server, error } => {
                writeln!(out, "\nclock: FAIL against {server}: {error}")
            }
        };
        out
    }
}

fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 100 {
        format!("{}…", line.chars().take(99).collect::<String>())
    } else {
        line
    }
}

/// Left-aligned columns separated by two spaces.
pub fn render_table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Checks every device concurrently on one socket, and the clock.
pub async fn check_agent(config: &AgentConfig, profiles: &ProfileSet) -> CheckReport {
    let transport = match SharedTransport::bind(false).await {
        Ok(transport) => Some(transport),
        Err(error) => {
            tracing::error!(%error, "cannot open the SNMP socket");
            None
        }
    };
    let checks = config.polled_devices().map(|device| {
        let transport = transport.clone();
        async move {
            let mut check = DeviceCheck {
                device: device.name.clone(),
                address: device
                    .snmp
                    .as_ref()
                    .map(|snmp| snmp.address.clone())
                    .unwrap_or_default(),
                sys_descr: None,
                profile: None,
                error: None,
            };
            let Some(transport) = transport else {
                check.error = Some("no SNMP socket".to_owned());
                return check;
            };
            match connect_device(device, &transport, profiles).await {
                Ok(connected) => {
                    check.sys_descr = Some(connected.identity.sys_descr);
                    check.profile = Some(connected.profile.name);
                }
                Err(error) => check.error = Some(error.to_string()),
            }
            check
        }
    });
    let (devices, clock) = tokio::join!(futures_util::future::join_all(checks), async {
        match &config.ntp_server {
            None => ClockCheck::NotConfigured,
            Some(server) => match measure_offset(server).await {
                Ok(offset) => ClockCheck::Offset {
                    server: server.clone(),
                    offset_s: offset.offset_s,
                },
                Err(error) => ClockCheck::Failed {
                    server: server.clone(),
                    error: error.detail,
                },
            },
        }
    });
    CheckReport { devices, clock }
}
