//! Logs (human or JSON lines) and the Prometheus metrics of the control plane.

use std::io::IsTerminal;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use std::sync::Arc;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, reload, EnvFilter, Layer};

use crate::config::LogFormat;

/// Changes the running log filter (`systemctl reload` with a new `[log] filter`).
#[derive(Clone)]
pub struct LogFilterHandle(reload::Handle<EnvFilter, tracing_subscriber::Registry>);

impl LogFilterHandle {
    /// Replaces the filter; `filter` uses `RUST_LOG` syntax.
    pub fn set(&self, filter: &str) -> Result<(), String> {
        let filter = EnvFilter::try_new(filter).map_err(|err| err.to_string())?;
        self.0.reload(filter).map_err(|err| err.to_string())
    }
}

/// Starts the global tracing subscriber. `filter` uses `RUST_LOG` syntax (the configuration
/// checked it); the returned handle changes it later.
pub fn init_tracing(format: LogFormat, filter: &str) -> LogFilterHandle {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let (filter, handle) = reload::Layer::new(filter);
    let output = match format {
        LogFormat::Human => fmt::layer()
            .with_ansi(std::io::stdout().is_terminal())
            .with_target(false)
            .boxed(),
        LogFormat::Json => fmt::layer()
            .json()
            .flatten_event(true)
            .with_target(false)
            .boxed(),
    };
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(output)
        .try_init();
    LogFilterHandle(handle)
}

/// Every metric the control plane exposes on `/metrics`.
pub struct Metrics {
    pub registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    pub db_pool: IntGaugeVec,
    pub rate_limited: IntCounter,
    pub login_failures: IntCounterVec,
    pub login_lockouts: IntCounter,
    pub build_info: IntGaugeVec,
    pub up_since: IntGauge,
    /// Webhook delivery attempts by outcome: delivered, retried, failed (given up).
    pub webhook_deliveries: IntCounterVec,
    /// Alert email attempts by outcome: delivered, retried, failed (given up).
    pub email_deliveries: IntCounterVec,
    pub ingest: crate::ingest::metrics::IngestMetrics,
    pub commands: crate::commands::metrics::CommandMetrics,
    pub optics: crate::optics::metrics::OpticsMetrics,
    /// One scrape at a time, so gauges set from the store are rendered whole.
    pub scrape: tokio::sync::Mutex<()>,
}

/// The `[metrics]` configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsSettings {
    /// One `netops_onu_rx_power_dbm{olt,pon,onu}` series per ONU: a time series per fibre
    /// subscriber in Prometheus, so off unless the Prometheus server is sized for it.
    pub per_onu_optics: bool,
}

/// The `[metrics]` table of the file. Unknown keys are errors.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileMetrics {
    per_onu_optics: Option<bool>,
}

impl MetricsSettings {
    pub fn apply_file(&mut self, file: FileMetrics) {
        if let Some(on) = file.per_onu_optics {
            self.per_onu_optics = on;
        }
    }
}

impl Metrics {
    pub fn new(settings: &MetricsSettings) -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("netops".to_owned()), None)?;
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ],
            ),
            &["route", "method"],
        )?;
        let db_pool = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Database pool connections by state (open, idle)",
            ),
            &["state"],
        )?;
        let rate_limited = IntCounter::new(
            "api_rate_limited_total",
            "Customer API requests refused by the per-customer rate limit",
        )?;
        let login_failures = IntCounterVec::new(
            Opts::new(
                "login_failures_total",
                "Failed logins by API (customer, staff)",
            ),
            &["api"],
        )?;
        let login_lockouts = IntCounter::new(
            "login_lockouts_total",
            "Lockouts started after repeated failed logins",
        )?;
        let build_info = IntGaugeVec::new(
            Opts::new("build_info", "Build information; the value is always 1"),
            &["version"],
        )?;
        let up_since = IntGauge::new(
            "start_time_seconds",
            "Start time of the process, Unix seconds",
        )?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_duration.clone()))?;
        registry.register(Box::new(db_pool.clone()))?;
        registry.register(Box::new(rate_limited.clone()))?;
        registry.register(Box::new(login_failures.clone()))?;
        registry.register(Box::new(login_lockouts.clone()))?;
        registry.register(Box::new(build_info.clone()))?;
        registry.register(Box::new(up_since.clone()))?;
        let webhook_deliveries = IntCounterVec::new(
            Opts::new(
                "webhook_deliveries_total",
                "Webhook delivery attempts by outcome (delivered, retried, failed)",
            ),
            &["outcome"],
        )?;
        registry.register(Box::new(webhook_deliveries.clone()))?;
        for outcome in ["delivered", "retried", "failed"] {
            webhook_deliveries.with_label_values(&[outcome]);
        }
        let email_deliveries = IntCounterVec::new(
            Opts::new(
                "email_deliveries_total",
                "Alert email attempts by outcome (delivered, retried, failed)",
            ),
            &["outcome"],
        )?;
        registry.register(Box::new(email_deliveries.clone()))?;
        for outcome in ["delivered", "retried", "failed"] {
            email_deliveries.with_label_values(&[outcome]);
        }
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION")])
            .set(1);
        up_since.set(crate::domain::time::now().unix_timestamp());
        let ingest = crate::ingest::metrics::IngestMetrics::register(&registry)?;
        let commands = crate::commands::metrics::CommandMetrics::register(&registry)?;
        let optics =
            crate::optics::metrics::OpticsMetrics::register(&registry, settings.per_onu_optics)?;
        Ok(Self {
            registry,
            http_requests,
            http_duration,
            db_pool,
            rate_limited,
            login_failures,
            login_lockouts,
            build_info,
            up_since,
            webhook_deliveries,
            email_deliveries,
            ingest,
            commands,
            optics,
            scrape: tokio::sync::Mutex::new(()),
        })
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let encoder = TextEncoder::new();
        if let Err(err) = encoder.encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %err, "unable to encode metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Counts and times every request by its route template (never the raw path, which would let
/// clients create unbounded label values).
pub async fn track_requests(
    State(metrics): State<Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().as_str().to_owned();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics
        .http_requests
        .with_label_values(&[&route, &method, &status])
        .inc();
    metrics
        .http_duration
        .with_label_values(&[&route, &method])
        .observe(start.elapsed().as_secs_f64());
    response
}
