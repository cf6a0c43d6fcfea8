//! The simulated BRAS answers the netops SNMP client like a MikroTik: it is identified, its
//! `<pppoe-USER>` interfaces are walked, and rates computed from two polls match the rates it
//! was built with, also after a rate change.

use std::path::Path;
use std::time::Duration;

use netops_snmp::client::{
    identify_device, poll_interface_counters, Secret, SharedTransport, SnmpCredentials,
    SnmpSession, SnmpTarget,
};
use netops_snmp::counter::{rate_between, CounterPoll, CounterValue, RateCeiling};
use netops_snmp::load_profiles_dir;
use netops_snmp::profile::Profile;
use netops_snmp::simulator::{SimulatedBras, SimulatedSession};

/// An SNMP session to the BRAS and the profile that matches it.
async fn open(bras: &SimulatedBras) -> (SnmpSession, Profile) {
    let transport = SharedTransport::bind(false).await.unwrap();
    let target = SnmpTarget {
        address: bras.local_addr().to_string(),
        credentials: SnmpCredentials::V2c {
            community: Secret::new("demo"),
        },
        timeout: Duration::from_secs(2),
        retries: 1,
        max_repetitions: 25,
    };
    let session = SnmpSession::open(target, &transport).await.unwrap();
    let identity = identify_device(&session).await.unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/profiles");
    let profiles = load_profiles_dir(&dir).unwrap();
    let profile = identity
        .select_profile(&profiles)
        .expect("a profile matches")
        .clone();
    assert_eq!(profile.name, "mikrotik-pppoe-bras");
    (session, profile)
}

#[tokio::test]
async fn polled_rates_match_the_simulated_traffic() {
    let sessions = vec![
        SimulatedSession {
            username: "rahim.gulshan".into(),
            download_bps: 40e6,
            upload_bps: 8e6,
            swing: 0.5,
        },
        SimulatedSession {
            username: "karima.gulshan".into(),
            download_bps: 12e6,
            upload_bps: 2e6,
            swing: 0.5,
        },
    ];
    let bras = SimulatedBras::start("127.0.0.1:0", "demo", sessions)
        .await
        .unwrap();
    let (session, profile) = open(&bras).await;

    let t0 = bras.uptime_s();
    let first = poll_interface_counters(&session, &profile.counters)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let second = poll_interface_counters(&session, &profile.counters)
        .await
        .unwrap();
    let t1 = bras.uptime_s();
    assert_eq!(first.interfaces.len(), 2);
    for (i, name) in ["<pppoe-rahim.gulshan>", "<pppoe-karima.gulshan>"]
        .iter()
        .enumerate()
    {
        let a = first
            .interfaces
            .values()
            .find(|r| r.if_name == *name)
            .unwrap();
        let b = second
            .interfaces
            .values()
            .find(|r| r.if_name == *name)
            .unwrap();
        let down = rate_between(
            &a.out_octets,
            &b.out_octets,
            RateCeiling::from_if_high_speed_mbps(1000),
        )
        .unwrap();
        let (want_down, _) = bras.expected_bps(i, t0, t1).unwrap();
        let error = (down.bps as f64 - want_down).abs() / want_down;
        assert!(
            error < 0.05,
            "{name}: polled {} bps, simulated {want_down:.0} bps",
            down.bps
        );
    }
}

#[tokio::test]
async fn a_rate_change_shows_in_the_next_polls_without_a_jump() {
    let sessions = vec![SimulatedSession {
        username: "rahim.gulshan".into(),
        download_bps: 10e6,
        upload_bps: 2e6,
        swing: 0.0,
    }];
    let bras = SimulatedBras::start("127.0.0.1:0", "demo", sessions)
        .await
        .unwrap();
    let (session, profile) = open(&bras).await;
    let poll = || async {
        let table = poll_interface_counters(&session, &profile.counters)
            .await
            .unwrap();
        table.interfaces.into_values().next().unwrap()
    };
    let before = poll().await;
    let (carried_down, carried_up) = bras.carried_octets("rahim.gulshan").unwrap();
    assert!(bras.set_rates("rahim.gulshan", 50e6, 1e6));
    assert!(!bras.set_rates("nobody", 1.0, 1.0));
    let first = poll().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let second = poll().await;

    let ceiling = RateCeiling::from_if_high_speed_mbps(1000);
    let down = rate_between(&first.out_octets, &second.out_octets, ceiling).unwrap();
    let up = rate_between(&first.in_octets, &second.in_octets, ceiling).unwrap();
    // Within 5 %: the poller stamps the receive time, not the instant the BRAS answered.
    assert!((down.bps as f64 - 50e6).abs() < 50e6 * 0.05, "{down:?}");
    assert!((up.bps as f64 - 1e6).abs() < 1e6 * 0.05, "{up:?}");
    // No jump at the change: the counters carried on from where they were.
    let counter = |poll: &CounterPoll| match poll.octets {
        CounterValue::Bits64(octets) => octets,
        other => panic!("64-bit counters expected, got {other:?}"),
    };
    assert!(counter(&before.out_octets) <= carried_down);
    assert!(carried_down <= counter(&first.out_octets));
    assert!(counter(&before.in_octets) <= carried_up);
    let (now_down, _) = bras.carried_octets("rahim.gulshan").unwrap();
    assert!(now_down >= counter(&second.out_octets));
    assert_eq!(bras.carried_octets("nobody"), None);
}
