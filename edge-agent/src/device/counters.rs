//! The per-second counter loop of one device.

use std::time::{Duration, Instant};

use netops_snmp::client::poll_interface_counters;
use proto::{Device, Interface};
use tokio::time::{interval_at, MissedTickBehavior};

use super::rates::{drop_reason, DeviceRates};
use super::{ConnectedDevice, DeviceContext};
use crate::aggregate::DeviceReport;

/// How long until the next multiple of `cadence` on a clock that reads `now_ms`: devices with
/// the same cadence poll at the same moments, so the aggregator's round closes as soon as the
/// last of them answers instead of waiting on polls out of phase.
pub fn until_aligned(now_ms: u64, cadence: Duration) -> Duration {
    let cadence_ms = u64::try_from(cadence.as_millis())
        .unwrap_or(u64::MAX)
        .max(1);
    Duration::from_millis(cadence_ms - now_ms % cadence_ms)
}

/// Polls interface counters on the profile's cadence (1 s), aligned to the corrected clock,
/// until shutdown; a slow poll skips ticks instead of bunching them.
pub async fn run_counter_loop(device: &ConnectedDevice, context: &DeviceContext) {
    let mut shutdown = context.shutdown.clone();
    let cadence = device.profile.cadence.counters;
    let first = tokio::time::Instant::now() + until_aligned(context.clock.now_ms(), cadence);
    let mut ticks = interval_at(first, cadence);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut rates = DeviceRates::new(device.name.clone());
    let latency = context
        .metrics
        .poll_latency_seconds
        .with_label_values(&[&device.name]);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        let started = Instant::now();
        let polled = poll_interface_counters(&device.session, &device.profile.counters).await;
        latency.observe(started.elapsed().as_secs_f64());
        let table = match polled {
            Ok(table) => table,
            Err(error) => {
                let metrics = &context.metrics;
                if error.is_timeout() {
                    metrics
                        .poll_timeouts_total
                        .with_label_values(&[&device.name])
                        .inc();
                }
                metrics
                    .poll_errors_total
                    .with_label_values(&[&device.name, error.kind_label()])
                    .inc();
                tracing::warn!(device = %device.name, %error, "counter poll failed");
                continue;
            }
        };
        let update = rates.update(table);
        for (if_name, dropped) in &update.dropped {
            context
                .metrics
                .samples_dropped_total
                .with_label_values(&[&device.name, drop_reason(dropped)])
                .inc();
            tracing::debug!(device = %device.name, %if_name, %dropped, "sample dropped");
        }
        if update.interfaces_changed {
            let report = DeviceReport::Interfaces {
                device: inventory_device(device),
                interfaces: rates
                    .interfaces()
                    .map(|counters| Interface {
                        device_id: device.name.clone(),
                        if_index: counters.if_index,
                        if_name: counters.if_name.clone(),
                        speed_bps: counters
                            .high_speed_mbps
                            .filter(|mbps| *mbps > 0)
                            .map(|mbps| u64::from(mbps) * 1_000_000),
                    })
                    .collect(),
            };
            if context.reports.send(report).await.is_err() {
                return;
            }
        }
        if !update.rates.is_empty() {
            let report = DeviceReport::Rates {
                device: device.name.clone(),
                rates: update.rates,
            };
            if context.reports.send(report).await.is_err() {
                return;
            }
        }
    }
}

fn inventory_device(device: &ConnectedDevice) -> Device {
    Device {
        device_id: device.name.clone(),
        kind: device.kind,
        profile: device.profile.name.clone(),
        management_address: device.session.target().address.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(now_ms: u64, cadence_ms: u64, expected_ms: u64) {
        assert_eq!(
            until_aligned(now_ms, Duration::from_millis(cadence_ms)),
            Duration::from_millis(expected_ms),
            "now {now_ms} ms, cadence {cadence_ms} ms"
        );
    }

    #[test]
    fn polls_start_on_a_multiple_of_the_cadence() {
        check(1_700_000_000_250, 1_000, 750);
        check(1_700_000_000_000, 1_000, 1_000);
        check(1_700_000_000_999, 1_000, 1);
        check(1_700_000_001_500, 5_000, 3_500);
        check(7, 0, 1);
    }
}
