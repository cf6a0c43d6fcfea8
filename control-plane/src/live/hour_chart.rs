//! The last hour's chart: stored minute rollups up to where the per-second ring begins, then the
//! ring's buckets. A minute the ring covers only in part (this process started in it, after a
//! restart or an agent's replay, or the subscriber came online in it) is shown from its rollup,
//! which holds the whole minute, so the chart has no hole where the two sources meet. Pure.

use super::ring::RateBucket;
use crate::store::network::BandwidthBucket;

/// One point of the chart: average rates over the bucket starting at `start_unix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartPoint {
    pub start_unix: i64,
    pub rx_bps: i64,
    pub tx_bps: i64,
}

fn clamp_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Merges rollups (`rollup_step_secs` wide, oldest first) with the ring's coverage start and
/// buckets (oldest first); without a ring, the rollups alone.
pub fn hour_chart(
    rollups: &[BandwidthBucket],
    rollup_step_secs: i64,
    ring: Option<(i64, Vec<RateBucket>)>,
) -> Vec<ChartPoint> {
    let from_rollup = |b: &BandwidthBucket| ChartPoint {
        start_unix: b.bucket_unix,
        rx_bps: b.rx_bps,
        tx_bps: b.tx_bps,
    };
    let Some((covered_since, ring_buckets)) = ring else {
        return rollups.iter().map(from_rollup).collect();
    };
    let mut points = Vec::with_capacity(rollups.len() + ring_buckets.len());
    // The end of a rollup shown for a minute the ring covers only in part.
    let mut partly_covered_until = None;
    for b in rollups {
        let end = b.bucket_unix + rollup_step_secs;
        if end <= covered_since {
            points.push(from_rollup(b));
            continue;
        }
        if b.bucket_unix < covered_since {
            points.push(from_rollup(b));
            partly_covered_until = Some(end);
        }
        break;
    }
    points.extend(
        ring_buckets
            .into_iter()
            .filter(|b| partly_covered_until.is_none_or(|until| b.start_unix >= until))
            .map(|b| ChartPoint {
                start_unix: b.start_unix,
                rx_bps: clamp_i64(b.rx_bps),
                tx_bps: clamp_i64(b.tx_bps),
            }),
    );
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: i64 = 1_700_000_040; // a minute boundary

    fn rollup(minute: i64, rx_bps: i64) -> BandwidthBucket {
        BandwidthBucket {
            bucket_unix: M + minute * 60,
            rx_bps,
            tx_bps: 0,
        }
    }

    fn ring_bucket(offset: i64, rx_bps: u64) -> RateBucket {
        RateBucket {
            start_unix: M + offset,
            rx_bps,
            tx_bps: 0,
        }
    }

    fn check(
        rollups: &[BandwidthBucket],
        ring: Option<(i64, Vec<RateBucket>)>,
        expected: &[(i64, i64)],
    ) {
        let got: Vec<(i64, i64)> = hour_chart(rollups, 60, ring)
            .iter()
            .map(|p| (p.start_unix - M, p.rx_bps))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn without_a_ring_the_rollups_alone() {
        check(&[rollup(0, 5), rollup(1, 6)], None, &[(0, 5), (60, 6)]);
    }

    #[test]
    fn the_ring_takes_over_at_a_minute_boundary() {
        check(
            &[rollup(0, 5), rollup(1, 6), rollup(2, 7)],
            Some((M + 60, vec![ring_bucket(60, 8), ring_bucket(70, 9)])),
            &[(0, 5), (60, 8), (70, 9)],
        );
    }

    #[test]
    fn a_minute_the_ring_covers_in_part_comes_from_its_rollup() {
        // The ring starts at second 35 of minute 1 (a restart): minute 1's rollup holds its
        // first 35 seconds too, so it stands for the whole minute, and the ring follows.
        check(
            &[rollup(0, 5), rollup(1, 6), rollup(2, 7)],
            Some((
                M + 95,
                vec![
                    ring_bucket(90, 8),
                    ring_bucket(110, 8),
                    ring_bucket(120, 9),
                    ring_bucket(130, 9),
                ],
            )),
            &[(0, 5), (60, 6), (120, 9), (130, 9)],
        );
    }

    #[test]
    fn a_partly_covered_minute_without_a_rollup_comes_from_the_ring() {
        // The subscriber came online at second 35 of minute 1; that minute is not stored yet.
        check(
            &[rollup(0, 5)],
            Some((M + 95, vec![ring_bucket(90, 8), ring_bucket(100, 9)])),
            &[(0, 5), (90, 8), (100, 9)],
        );
    }
}
