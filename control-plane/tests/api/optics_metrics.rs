//! Optics on `/metrics`: ONUs per level always; one receive-level series per ONU only when
//! `[metrics] per_onu_optics` is on, labelled by OLT, PON port and ONU id.

use control_plane::config::Config;

use crate::agent_client::{register_agent, TestAgent};
use crate::helpers::{assert_metric, metrics_text, TestApp};
use crate::optics_frames::{ago_ms, online, send_readings, KARIMA_ONU, RAHIM_ONU};
use crate::{both_backends, both_backends_with};

/// The value of the per-ONU series with these labels, if present.
fn rx_series(metrics: &str, olt: &str, pon: &str, onu: &str) -> Option<f64> {
    metrics
        .lines()
        .filter(|line| line.starts_with("netops_onu_rx_power_dbm{"))
        .find(|line| {
            [
                format!("olt=\"{olt}\""),
                format!("pon=\"{pon}\""),
                format!("onu=\"{onu}\""),
            ]
            .iter()
            .all(|label| line.contains(label.as_str()))
        })
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

async fn per_onu_series_are_off_by_default(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    send_readings(&mut agent, ago_ms(10), vec![online(RAHIM_ONU, -25.5)]).await;
    let metrics = metrics_text(app).await;
    assert!(
        !metrics.contains("netops_onu_rx_power_dbm"),
        "per-ONU series without the switch:\n{metrics}"
    );
    assert_metric(&metrics, "netops_onus_by_optics_level{level=\"weak\"}", 1);
    assert_metric(&metrics, "netops_onus_by_optics_level{level=\"normal\"}", 0);
}
both_backends!(per_onu_series_are_off_by_default);

fn per_onu_on(config: &mut Config) {
    config.metrics.per_onu_optics = true;
}

async fn per_onu_series_follow_the_readings(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    send_readings(
        &mut agent,
        ago_ms(10),
        vec![online(RAHIM_ONU, -21.37), online(KARIMA_ONU, -27.5)],
    )
    .await;
    let metrics = metrics_text(app).await;
    assert_eq!(
        rx_series(&metrics, "olt-gulshan-1", "0/1/1", "1"),
        Some(-21.37),
        "{metrics}"
    );
    assert_eq!(
        rx_series(&metrics, "olt-gulshan-1", "0/1/1", "2"),
        Some(-27.5)
    );
    assert_metric(
        &metrics,
        "netops_onus_by_optics_level{level=\"critical\"}",
        1,
    );
    assert_metric(&metrics, "netops_onus_by_optics_level{level=\"normal\"}", 1);

    send_readings(&mut agent, ago_ms(5), vec![online(RAHIM_ONU, -19.5)]).await;
    let metrics = metrics_text(app).await;
    assert_eq!(
        rx_series(&metrics, "olt-gulshan-1", "0/1/1", "1"),
        Some(-19.5)
    );
}
both_backends_with!(per_onu_series_follow_the_readings, per_onu_on);
