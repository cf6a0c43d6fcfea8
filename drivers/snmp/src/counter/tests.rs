//! Data-driven cases and property tests for the counter-to-rate math.

use proptest::prelude::*;

use super::*;

const SECOND_NS: u64 = 1_000_000_000;

fn poll(received_ns: u64, sys_uptime_cs: u32, octets: CounterValue) -> CounterPoll {
    CounterPoll {
        received_ns,
        sys_uptime_cs,
        discontinuity_cs: Some(0),
        if_name: "<pppoe-alice>".into(),
        octets,
    }
}

/// One second later, uptime advanced by 100 cs, same interface.
fn next(previous: &CounterPoll, octets: CounterValue) -> CounterPoll {
    CounterPoll {
        received_ns: previous.received_ns + SECOND_NS,
        sys_uptime_cs: previous.sys_uptime_cs.wrapping_add(100),
        octets,
        ..previous.clone()
    }
}

fn check(
    previous: &CounterPoll,
    current: &CounterPoll,
    ceiling: RateCeiling,
    expected: Result<u64, SampleDropped>,
) {
    let actual = rate_between(previous, current, ceiling).map(|rate| rate.bps);
    assert_eq!(actual, expected, "{previous:?} -> {current:?}");
}

#[test]
fn rates() {
    let start = poll(5 * SECOND_NS, 1_000, CounterValue::Bits64(1_000));
    let none = RateCeiling::default();
    check(
        &start,
        &next(&start, CounterValue::Bits64(1_000)),
        none,
        Ok(0),
    );
    check(
        &start,
        &next(&start, CounterValue::Bits64(126_000)),
        none,
        Ok(1_000_000),
    );
    // 32-bit wrap: 2^32 - 100 -> 900 is 1000 octets.
    let near_wrap = poll(SECOND_NS, 1_000, CounterValue::Bits32(u32::MAX - 99));
    check(
        &near_wrap,
        &next(&near_wrap, CounterValue::Bits32(900)),
        none,
        Ok(8_000),
    );
    // 64-bit wrap.
    let near_wrap = poll(SECOND_NS, 1_000, CounterValue::Bits64(u64::MAX));
    check(
        &near_wrap,
        &next(&near_wrap, CounterValue::Bits64(0)),
        none,
        Ok(8),
    );
    // Half a second: rate doubles; rounding to nearest.
    let mut half = next(&start, CounterValue::Bits64(1_001));
    half.received_ns = start.received_ns + SECOND_NS / 2;
    check(&start, &half, none, Ok(16));
    let mut third = next(&start, CounterValue::Bits64(1_001));
    third.received_ns = start.received_ns + 3 * SECOND_NS;
    check(&start, &third, none, Ok(3));
}

#[test]
fn drops() {
    let start = poll(5 * SECOND_NS, 1_000, CounterValue::Bits64(1_000));
    let none = RateCeiling::default();

    let mut rebooted = next(&start, CounterValue::Bits64(10));
    rebooted.sys_uptime_cs = 50;
    let reboot = SampleDropped::DeviceRebooted {
        previous_cs: 1_000,
        current_cs: 50,
    };
    check(&start, &rebooted, none, Err(reboot));

    let mut discontinuity = next(&start, CounterValue::Bits64(2_000));
    discontinuity.discontinuity_cs = Some(1_050);
    let changed = SampleDropped::CounterDiscontinuity {
        previous_cs: Some(0),
        current_cs: Some(1_050),
    };
    check(&start, &discontinuity, none, Err(changed));

    let mut renamed = next(&start, CounterValue::Bits64(2_000));
    renamed.if_name = "<pppoe-bob>".into();
    let rename = SampleDropped::InterfaceRenamed {
        previous: "<pppoe-alice>".into(),
        current: "<pppoe-bob>".into(),
    };
    check(&start, &renamed, none, Err(rename));

    let widened = next(&start, CounterValue::Bits32(2_000));
    let width = SampleDropped::CounterWidthChanged {
        previous_bits: 64,
        current_bits: 32,
    };
    check(&start, &widened, none, Err(width));

    let mut same_time = next(&start, CounterValue::Bits64(2_000));
    same_time.received_ns = start.received_ns;
    check(
        &start,
        &same_time,
        none,
        Err(SampleDropped::NonPositiveInterval { elapsed_ns: 0 }),
    );
    let mut earlier = same_time.clone();
    earlier.received_ns = start.received_ns - 1;
    check(
        &start,
        &earlier,
        none,
        Err(SampleDropped::NonPositiveInterval { elapsed_ns: -1 }),
    );

    // 100 Mb/s interface, ceiling 110 Mb/s: 120 Mb/s is dropped, 110 Mb/s passes.
    let fast_ethernet = RateCeiling::from_if_high_speed_mbps(100);
    let spike = next(&start, CounterValue::Bits64(1_000 + 15_000_000));
    let implausible = SampleDropped::ImplausibleRate {
        bps: 120_000_000,
        ceiling_bps: 110_000_000,
    };
    check(&start, &spike, fast_ethernet, Err(implausible));
    let at_ceiling = next(&start, CounterValue::Bits64(1_000 + 13_750_000));
    check(&start, &at_ceiling, fast_ethernet, Ok(110_000_000));
}

#[test]
fn sys_uptime_wrap_is_not_a_reboot() {
    let start = poll(5 * SECOND_NS, u32::MAX - 30, CounterValue::Bits64(0));
    let current = next(&start, CounterValue::Bits64(125));
    assert_eq!(current.sys_uptime_cs, 69);
    check(&start, &current, RateCeiling::default(), Ok(1_000));
}

#[test]
fn ceilings() {
    assert_eq!(
        RateCeiling::from_interface_speed_bps(0),
        RateCeiling::default()
    );
    assert_eq!(
        RateCeiling::from_if_high_speed_mbps(1_000).max_bps(),
        1_100_000_000
    );
    assert_eq!(
        RateCeiling::from_interface_speed_bps(u64::MAX).max_bps(),
        u64::MAX
    );
}

fn counter(width_64: bool, value: u64) -> CounterValue {
    if width_64 {
        CounterValue::Bits64(value)
    } else {
        CounterValue::Bits32(value as u32)
    }
}

proptest! {
    /// d octets over t whole seconds is exactly d*8/t b/s (when that is an integer), from any
    /// start value and across the wrap, for both widths.
    #[test]
    fn exact_rate_from_any_start(
        width_64 in any::<bool>(),
        start in any::<u64>(),
        octets_per_second in 0u64..(1 << 26),
        seconds in 1u64..=300,
        received_ns in 0u64..(1 << 62),
        uptime_cs in any::<u32>(),
    ) {
        let delta = octets_per_second * seconds;
        prop_assume!(width_64 || delta <= u64::from(u32::MAX));
        let previous = poll(received_ns, uptime_cs, counter(width_64, start));
        let current = CounterPoll {
            received_ns: received_ns + seconds * SECOND_NS,
            sys_uptime_cs: uptime_cs.wrapping_add((seconds * 100) as u32),
            octets: counter(width_64, start.wrapping_add(delta)),
            ..previous.clone()
        };
        let rate = rate_between(&previous, &current, RateCeiling::default());
        prop_assert_eq!(rate.map(|rate| (rate.bps, rate.octets)), Ok((octets_per_second * 8, delta)));
    }

    /// Over any interval the rate is d*8/t rounded to the nearest bit per second.
    #[test]
    fn rate_is_rounded_exactly(
        start in any::<u64>(),
        delta in any::<u64>(),
        elapsed_ns in 1u64..(1 << 40),
    ) {
        let previous = poll(0, 0, CounterValue::Bits64(start));
        let current = CounterPoll {
            received_ns: elapsed_ns,
            octets: CounterValue::Bits64(start.wrapping_add(delta)),
            ..previous.clone()
        };
        if let Ok(rate) = rate_between(&previous, &current, RateCeiling::new(u64::MAX)) {
            let exact_times_elapsed = u128::from(delta) * 8 * 1_000_000_000;
            let approx = u128::from(rate.bps) * u128::from(elapsed_ns);
            prop_assert!(approx.abs_diff(exact_times_elapsed) <= u128::from(elapsed_ns) / 2 + 1);
        }
    }

    /// Reboots, discontinuities and renames always drop, whatever the counters did. (Uptimes
    /// within 10 s of the 497-day TimeTicks wrap are left out: a backwards step there is a wrap.)
    #[test]
    fn resets_always_drop(
        width_64 in any::<bool>(),
        before in any::<u64>(),
        after in any::<u64>(),
        uptime_before in 1_000u32..u32::MAX - 1_000,
        uptime_after_fraction in 0.0f64..0.99,
        kind in 0u8..3,
    ) {
        let previous = poll(10 * SECOND_NS, uptime_before, counter(width_64, before));
        let mut current = next(&previous, counter(width_64, after));
        current.sys_uptime_cs = previous.sys_uptime_cs.wrapping_add(100);
        match kind {
            0 => current.sys_uptime_cs = (f64::from(uptime_before) * uptime_after_fraction) as u32,
            1 => current.discontinuity_cs = Some(uptime_before / 2),
            _ => current.if_name = "<pppoe-someone-else>".into(),
        }
        let rate = rate_between(&previous, &current, RateCeiling::new(u64::MAX));
        let dropped_for_reset = matches!(
            rate,
            Err(SampleDropped::DeviceRebooted { .. }
                | SampleDropped::CounterDiscontinuity { .. }
                | SampleDropped::InterfaceRenamed { .. })
        );
        prop_assert!(dropped_for_reset, "{:?}", rate);
    }

    /// Whatever the inputs, a reported rate respects the ceiling and matches its octets.
    #[test]
    fn never_a_spike(
        width_64 in any::<bool>(),
        before in any::<u64>(),
        after in any::<u64>(),
        received in (any::<u64>(), any::<u64>()),
        uptimes in (any::<u32>(), any::<u32>()),
        speed_mbps in any::<u32>(),
    ) {
        let previous = poll(received.0, uptimes.0, counter(width_64, before));
        let current = CounterPoll {
            received_ns: received.1,
            sys_uptime_cs: uptimes.1,
            ..poll(0, 0, counter(width_64, after))
        };
        let ceiling = RateCeiling::from_if_high_speed_mbps(speed_mbps);
        if let Ok(rate) = rate_between(&previous, &current, ceiling) {
            prop_assert!(rate.bps <= ceiling.max_bps());
            prop_assert!(rate.elapsed_ns > 0);
            prop_assert!(received.1 > received.0);
        }
    }
}
