//! The shipped Grafana dashboard and Prometheus alert rules query only metrics that the control
//! plane and the edge agent register, and Prometheus's own `promtool` accepts the configuration.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use prometheus::{IntGauge, Registry};

fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// Every `netops_…` metric name in a PromQL expression.
fn metric_names(expr: &str, into: &mut BTreeSet<String>) {
    let bytes = expr.as_bytes();
    let mut i = 0;
    while let Some(offset) = expr[i..].find("netops_") {
        let start = i + offset;
        let boundary = start == 0 || {
            let b = bytes[start - 1];
            !(b.is_ascii_alphanumeric() || b == b'_')
        };
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        if boundary {
            into.insert(expr[start..end].to_owned());
        }
        i = end;
    }
}

fn dashboard_exprs() -> Vec<String> {
    let text = std::fs::read_to_string(repo_file("packaging/grafana/netops.json")).unwrap();
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("dashboard is JSON");
    let panels = dashboard["panels"].as_array().expect("panels");
    assert!(!panels.is_empty());
    panels
        .iter()
        .flat_map(|panel| panel["targets"].as_array().cloned().unwrap_or_default())
        .map(|target| target["expr"].as_str().expect("expr").to_owned())
        .collect()
}

fn alert_exprs() -> Vec<String> {
    let text = std::fs::read_to_string(repo_file("packaging/prometheus/alerts.yml")).unwrap();
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("expr:"))
        .map(|expr| expr.trim().to_owned())
        .collect()
}

/// Whether `registry` already holds a metric called `name`: registering a probe under that
/// name is refused exactly when one exists.
fn registered(registry: &Registry, name: &str) -> bool {
    let probe = IntGauge::new(name, "probe").expect("valid metric name");
    match registry.register(Box::new(probe.clone())) {
        Ok(()) => {
            registry.unregister(Box::new(probe)).unwrap();
            false
        }
        Err(_) => true,
    }
}

/// Whether the control plane (names under its `netops_` namespace) or the edge agent
/// registers `name`, or the histogram whose series `name` is.
fn exposed(control_plane: &Registry, agent: &Registry, name: &str) -> bool {
    let mut candidates = vec![name];
    for suffix in ["_bucket", "_sum", "_count"] {
        if let Some(base) = name.strip_suffix(suffix) {
            candidates.push(base);
        }
    }
    candidates.into_iter().any(|candidate| {
        registered(agent, candidate)
            || candidate
                .strip_prefix("netops_")
                .is_some_and(|short| registered(control_plane, short))
    })
}

#[test]
fn every_queried_metric_is_registered() {
    let control_plane =
        control_plane::telemetry::Metrics::new(&control_plane::telemetry::MetricsSettings {
            per_onu_optics: true,
        })
        .unwrap();
    let agent = edge_agent::metrics::AgentMetrics::new().unwrap();
    let (cp, ea) = (&control_plane.registry, &agent.registry);

    // The probe can tell a missing metric from a present one.
    assert!(exposed(cp, ea, "netops_http_requests_total"));
    assert!(exposed(cp, ea, "netops_agent_poll_latency_seconds_bucket"));
    assert!(!exposed(cp, ea, "netops_no_such_metric_total"));

    for (what, exprs) in [("dashboard", dashboard_exprs()), ("alerts", alert_exprs())] {
        let mut names = BTreeSet::new();
        for expr in &exprs {
            metric_names(expr, &mut names);
        }
        assert!(!names.is_empty(), "{what} queries no netops metric");
        let missing: Vec<&String> = names.iter().filter(|name| !exposed(cp, ea, name)).collect();
        assert!(
            missing.is_empty(),
            "{what} queries metrics nothing registers: {missing:?}"
        );
    }
}

#[test]
fn promtool_accepts_the_config_and_rules() {
    let promtool = std::process::Command::new("promtool")
        .arg("check")
        .arg("config")
        .arg(repo_file("packaging/prometheus/prometheus.yml"))
        .output();
    let out = match promtool {
        Ok(out) => out,
        Err(error) => {
            assert!(
                std::env::var_os("NETOPS_LAB_REQUIRED").is_none(),
                "promtool is required (apt-get install prometheus): {error}"
            );
            eprintln!("skipped: promtool is not installed (apt-get install prometheus)");
            return;
        }
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    // The rule file is found and its rules counted.
    assert!(text.contains("rules found"), "{text}");
}
