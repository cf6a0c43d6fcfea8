//! Prometheus gauges of ONU optics, set from the store at each scrape so every replica reports
//! the same values: ONUs per level (always), and with `[metrics] per_onu_optics` one receive
//! level series per ONU.

use prometheus::{GaugeVec, IntGaugeVec, Opts, Registry};

use crate::domain::OpticsLevel;
use crate::store::Store;

pub struct OpticsMetrics {
    /// `netops_onus_by_optics_level{level}`.
    pub onus_by_level: IntGaugeVec,
    /// `netops_onu_rx_power_dbm{olt,pon,onu}`, registered only when per-ONU series are on.
    pub rx_power_dbm: Option<GaugeVec>,
}

impl OpticsMetrics {
    pub fn register(registry: &Registry, per_onu: bool) -> Result<Self, prometheus::Error> {
        let onus_by_level = IntGaugeVec::new(
            Opts::new(
                "onus_by_optics_level",
                "ONUs by optics level now (normal, weak, critical, overload, offline)",
            ),
            &["level"],
        )?;
        registry.register(Box::new(onus_by_level.clone()))?;
        let rx_power_dbm = if per_onu {
            let gauge = GaugeVec::new(
                Opts::new(
                    "onu_rx_power_dbm",
                    "Newest receive level of each ONU, dBm (one series per ONU)",
                ),
                &["olt", "pon", "onu"],
            )?;
            registry.register(Box::new(gauge.clone()))?;
            Some(gauge)
        } else {
            None
        };
        for level in OpticsLevel::ALL {
            onus_by_level.with_label_values(&[level.as_str()]).set(0);
        }
        Ok(Self {
            onus_by_level,
            rx_power_dbm,
        })
    }

    /// Sets the gauges from the store; on a store error the previous values stay.
    pub async fn refresh(&self, store: &Store) {
        match store.onus_by_optics_level().await {
            Ok(counts) => {
                for level in OpticsLevel::ALL {
                    let count = counts
                        .iter()
                        .find(|(text, _)| text == level.as_str())
                        .map_or(0, |(_, n)| *n);
                    self.onus_by_level
                        .with_label_values(&[level.as_str()])
                        .set(count);
                }
            }
            Err(err) => tracing::warn!(error = %err, "unable to count ONUs by optics level"),
        }
        let Some(gauge) = &self.rx_power_dbm else {
            return;
        };
        match store.onu_rx_levels().await {
            Ok(rows) => {
                // ONUs that left (customer moved or deleted) must not linger.
                gauge.reset();
                for row in rows {
                    let onu = row.onu_id.to_string();
                    gauge
                        .with_label_values(&[&row.olt, &row.pon_port, &onu])
                        .set(row.rx_power_cdbm as f64 / 100.0);
                }
            }
            Err(err) => tracing::warn!(error = %err, "unable to read ONU receive levels"),
        }
    }
}
