//! Local Prometheus metrics (`netops_agent_…`) and the `/metrics` endpoint.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Every metric the agent exports. Clones share the same registry and series.
#[derive(Clone)]
pub struct AgentMetrics {
    pub registry: Registry,
    /// Per device, one counter poll (all GETBULK requests of it).
    pub poll_latency_seconds: HistogramVec,
    /// Per device and error kind (`timeout`, `auth`, `malformed`, …).
    pub poll_errors_total: IntCounterVec,
    pub poll_timeouts_total: IntCounterVec,
    /// Per device and reason, rates the counter math refused (reboot, discontinuity, …).
    pub samples_dropped_total: IntCounterVec,
    /// Subscriber entries put into `Samples` frames.
    pub samples_produced_total: IntCounter,
    pub batches_produced_total: IntCounter,
    pub clock_offset_seconds: Gauge,
    pub clock_check_errors_total: IntCounter,
    /// Samples batches waiting in the on-disk spool; set from the uplink status.
    pub spool_pending_batches: IntGauge,
}

#[derive(Debug, Error)]
#[error("cannot register metric: {0}")]
pub struct MetricsError(#[from] prometheus::Error);

impl AgentMetrics {
    pub fn new() -> Result<Self, MetricsError> {
        let registry = Registry::new();
        let poll_latency_seconds = HistogramVec::new(
            HistogramOpts::new(
                "netops_agent_poll_latency_seconds",
                "Time to poll one device's interface counters",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["device"],
        )?;
        let poll_errors_total = IntCounterVec::new(
            Opts::new("netops_agent_poll_errors_total", "Failed device polls"),
            &["device", "kind"],
        )?;
        let poll_timeouts_total = IntCounterVec::new(
            Opts::new(
                "netops_agent_poll_timeouts_total",
                "Device polls that timed out",
            ),
            &["device"],
        )?;
        let samples_dropped_total = IntCounterVec::new(
            Opts::new(
                "netops_agent_samples_dropped_total",
                "Interface rates dropped instead of reported as a spike",
            ),
            &["device", "reason"],
        )?;
        let samples_produced_total = IntCounter::new(
            "netops_agent_samples_produced_total",
            "Subscriber samples put into Samples frames",
        )?;
        let batches_produced_total = IntCounter::new(
            "netops_agent_sample_batches_total",
            "Samples frames produced",
        )?;
        let clock_offset_seconds = Gauge::new(
            "netops_agent_clock_offset_seconds",
            "NTP offset of the local clock; positive means the local clock is behind",
        )?;
        let clock_check_errors_total = IntCounter::new(
            "netops_agent_clock_check_errors_total",
            "Failed NTP clock checks",
        )?;
        let spool_pending_batches = IntGauge::new(
            "netops_agent_spool_pending_batches",
            "Samples batches in the on-disk spool not yet acknowledged",
        )?;
        registry.register(Box::new(poll_latency_seconds.clone()))?;
        registry.register(Box::new(poll_errors_total.clone()))?;
        registry.register(Box::new(poll_timeouts_total.clone()))?;
        registry.register(Box::new(samples_dropped_total.clone()))?;
        registry.register(Box::new(samples_produced_total.clone()))?;
        registry.register(Box::new(batches_produced_total.clone()))?;
        registry.register(Box::new(clock_offset_seconds.clone()))?;
        registry.register(Box::new(clock_check_errors_total.clone()))?;
        registry.register(Box::new(spool_pending_batches.clone()))?;
        Ok(Self {
            registry,
            poll_latency_seconds,
            poll_errors_total,
            poll_timeouts_total,
            samples_dropped_total,
            samples_produced_total,
            batches_produced_total,
            clock_offset_seconds,
            clock_check_errors_total,
            spool_pending_batches,
        })
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        if let Err(error) = TextEncoder::new().encode(&self.registry.gather(), &mut buffer) {
            tracing::warn!(%error, "cannot encode metrics");
        }
        String::from_utf8_lossy(&buffer).into_owned()
    }
}

/// Serves `GET /metrics` on `listener` until `shutdown` turns true.
pub async fn serve_metrics(
    listener: TcpListener,
    metrics: AgentMetrics,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/metrics", get(metrics_handler))
        .with_state(metrics);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await
}

async fn metrics_handler(State(metrics): State<AgentMetrics>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics.render(),
    )
}
