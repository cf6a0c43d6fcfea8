//! A subscriber's rate now, for the console's tables: the newest second of the live series the
//! subscriber's own `/network/live` stream reads (`LiveState::current_rates`), or "offline"
//! when no sample arrived within the offline window.

use crate::http::amount::Mbps;
use crate::http::state::AppState;

/// Download and upload now, in words.
pub struct LiveRate {
    pub online: bool,
    pub down: String,
    pub up: String,
}

fn mbps_text(bps: u64) -> String {
    let mbps = Mbps::from_bps(i64::try_from(bps).unwrap_or(i64::MAX)).0;
    format!("{mbps:.2} Mbps")
}

pub fn live_rate(state: &AppState, customer_id: &str) -> LiveRate {
    match state.live.current_rates(customer_id) {
        Some(point) => LiveRate {
            online: true,
            down: mbps_text(point.rx_bps),
            up: mbps_text(point.tx_bps),
        },
        None => LiveRate {
            online: false,
            down: "—".to_owned(),
            up: "—".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_in_megabits() {
        assert_eq!(mbps_text(0), "0.00 Mbps");
        assert_eq!(mbps_text(12_345_678), "12.35 Mbps");
        assert_eq!(mbps_text(u64::MAX), mbps_text(i64::MAX as u64));
    }
}
