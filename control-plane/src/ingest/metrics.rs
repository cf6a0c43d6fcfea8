//! Prometheus metrics of agent ingest and live streams (registered under the `netops_` prefix).

use prometheus::{
    Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
};

pub struct IngestMetrics {
    /// `netops_agents_connected`
    pub agents_connected: IntGauge,
    /// `netops_agent_frames_received_total{frame}`
    pub frames_received: IntCounterVec,
    /// `netops_agent_frames_rejected_total{reason}`: each closes its connection.
    pub frames_rejected: IntCounterVec,
    /// `netops_ingest_samples_total`: samples applied to a known subscriber.
    pub samples_ingested: IntCounter,
    /// `netops_ingest_samples_dropped_total{reason}`
    pub samples_dropped: IntCounterVec,
    /// `netops_ingest_duplicate_batches_total`: replayed batches acknowledged and ignored.
    pub duplicate_batches: IntCounter,
    /// `netops_ingest_unknown_subscriber_keys_total`: samples whose key names no customer.
    pub unknown_keys: IntCounter,
    /// `netops_ingest_lag_seconds`: our receive time minus the batch's timestamp.
    pub lag_seconds: Histogram,
    /// `netops_live_streams_open{transport}`: subscriber live streams open now.
    pub live_streams: IntGaugeVec,
    /// `netops_rollup_rows_written_total{table}`
    pub rollup_rows: IntCounterVec,
    /// `netops_ingest_flush_failures_total{what}`: store writes of ingest that failed (retried).
    pub flush_failures: IntCounterVec,
    /// `netops_inventory_devices{agent}`: devices in the agent's newest stored `Inventory`.
    pub inventory_devices: IntGaugeVec,
    /// `netops_inventory_interfaces{agent}`: interfaces in the agent's newest stored `Inventory`.
    pub inventory_interfaces: IntGaugeVec,
    /// `netops_inventory_frames_rejected_total{reason}`: refused whole, nothing stored.
    pub inventory_rejected: IntCounterVec,
    /// `netops_inventory_store_failures_total`: checked frames the store could not take.
    pub inventory_store_failures: IntCounter,
    /// `netops_outage_notices_total{outcome}`: disconnections checked after `[outages]
    /// notice_after_secs`: `sent` to the site's subscribers, or `agent_back`.
    pub outage_notices: IntCounterVec,
}

impl IngestMetrics {
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let metrics = Self {
            agents_connected: IntGauge::new(
                "agents_connected",
                "Edge agents connected to this process now",
            )?,
            frames_received: IntCounterVec::new(
                Opts::new(
                    "agent_frames_received_total",
                    "Agent frames decoded, by frame",
                ),
                &["frame"],
            )?,
            frames_rejected: IntCounterVec::new(
                Opts::new(
                    "agent_frames_rejected_total",
                    "Agent connections closed for a bad frame or handshake, by reason",
                ),
                &["reason"],
            )?,
            samples_ingested: IntCounter::new(
                "ingest_samples_total",
                "Per-second subscriber samples applied",
            )?,
            samples_dropped: IntCounterVec::new(
                Opts::new(
                    "ingest_samples_dropped_total",
                    "Samples not applied, by reason",
                ),
                &["reason"],
            )?,
            duplicate_batches: IntCounter::new(
                "ingest_duplicate_batches_total",
                "Samples batches already applied (replays), acknowledged and ignored",
            )?,
            unknown_keys: IntCounter::new(
                "ingest_unknown_subscriber_keys_total",
                "Samples whose subscriber key names no customer",
            )?,
            lag_seconds: Histogram::with_opts(
                HistogramOpts::new(
                    "ingest_lag_seconds",
                    "Receive time minus the Samples batch timestamp",
                )
                .buckets(vec![
                    0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0,
                ]),
            )?,
            live_streams: IntGaugeVec::new(
                Opts::new(
                    "live_streams_open",
                    "Subscriber live bandwidth streams open now, by transport",
                ),
                &["transport"],
            )?,
            rollup_rows: IntCounterVec::new(
                Opts::new(
                    "rollup_rows_written_total",
                    "Rows written by the ingest flusher, by table",
                ),
                &["table"],
            )?,
            flush_failures: IntCounterVec::new(
                Opts::new(
                    "ingest_flush_failures_total",
                    "Ingest store writes that failed and will be retried, by what",
                ),
                &["what"],
            )?,
            inventory_devices: IntGaugeVec::new(
                Opts::new(
                    "inventory_devices",
                    "Devices in the agent's newest stored Inventory, by agent name",
                ),
                &["agent"],
            )?,
            inventory_interfaces: IntGaugeVec::new(
                Opts::new(
                    "inventory_interfaces",
                    "Interfaces in the agent's newest stored Inventory, by agent name",
                ),
                &["agent"],
            )?,
            inventory_rejected: IntCounterVec::new(
                Opts::new(
                    "inventory_frames_rejected_total",
                    "Inventory frames refused (too large or inconsistent), by reason; each closes its connection",
                ),
                &["reason"],
            )?,
            inventory_store_failures: IntCounter::new(
                "inventory_store_failures_total",
                "Checked Inventory frames the store failed to take (the agent's next one replaces them)",
            )?,
            outage_notices: IntCounterVec::new(
                Opts::new(
                    "outage_notices_total",
                    "Agent disconnections checked after [outages] notice_after_secs, by outcome (sent, agent_back)",
                ),
                &["outcome"],
            )?,
        };
        registry.register(Box::new(metrics.agents_connected.clone()))?;
        registry.register(Box::new(metrics.frames_received.clone()))?;
        registry.register(Box::new(metrics.frames_rejected.clone()))?;
        registry.register(Box::new(metrics.samples_ingested.clone()))?;
        registry.register(Box::new(metrics.samples_dropped.clone()))?;
        registry.register(Box::new(metrics.duplicate_batches.clone()))?;
        registry.register(Box::new(metrics.unknown_keys.clone()))?;
        registry.register(Box::new(metrics.lag_seconds.clone()))?;
        registry.register(Box::new(metrics.live_streams.clone()))?;
        registry.register(Box::new(metrics.rollup_rows.clone()))?;
        registry.register(Box::new(metrics.flush_failures.clone()))?;
        registry.register(Box::new(metrics.inventory_devices.clone()))?;
        registry.register(Box::new(metrics.inventory_interfaces.clone()))?;
        registry.register(Box::new(metrics.inventory_rejected.clone()))?;
        registry.register(Box::new(metrics.inventory_store_failures.clone()))?;
        registry.register(Box::new(metrics.outage_notices.clone()))?;
        Ok(metrics)
    }
}
