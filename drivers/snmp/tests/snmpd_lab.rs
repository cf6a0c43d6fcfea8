//! netops-snmp against a real net-snmp `snmpd` (lab/snmpd.sh): identification, counter walks
//! over v2c and v3 authPriv, wrong credentials and an unreachable device.

mod lab;

use std::path::Path;
use std::time::{Duration, Instant};

use lab::LabSnmpd;
use netops_snmp::client::{
    identify_device, poll_interface_counters, Secret, SharedTransport, SnmpCredentials, SnmpError,
    SnmpSession, SnmpTarget, V3Credentials,
};
use netops_snmp::counter::{rate_between, CounterValue, RateCeiling};
use netops_snmp::load_profiles_dir;
use netops_snmp::profile::CounterOids;

fn v2c(community: &str) -> SnmpCredentials {
    SnmpCredentials::V2c {
        community: Secret::new(community),
    }
}

fn v3(user: &str, auth: &str) -> SnmpCredentials {
    SnmpCredentials::V3(V3Credentials {
        user: user.to_owned(),
        auth_protocol: async_snmp::AuthProtocol::Sha1,
        auth_password: Secret::new(auth),
        priv_protocol: async_snmp::PrivProtocol::Aes128,
        priv_password: Secret::new(lab::V3_PRIV),
    })
}

fn target(address: &str, credentials: SnmpCredentials) -> SnmpTarget {
    SnmpTarget {
        address: address.to_owned(),
        credentials,
        timeout: Duration::from_millis(500),
        retries: 1,
        max_repetitions: 3,
    }
}

fn generic_counters() -> CounterOids {
    let dir = lab::workspace_root().join("config").join("profiles");
    let profiles = load_profiles_dir(Path::new(&dir)).expect("shipped profiles load");
    profiles
        .get("generic-if-mib")
        .expect("generic-if-mib profile")
        .counters
        .clone()
}

async fn session(address: &str, credentials: SnmpCredentials) -> SnmpSession {
    let transport = SharedTransport::bind(false).await.expect("bind UDP");
    SnmpSession::open(target(address, credentials), &transport)
        .await
        .expect("open session")
}

#[tokio::test]
async fn identifies_the_device_and_picks_a_profile() {
    let Some(snmpd) = LabSnmpd::start("identifies_the_device_and_picks_a_profile") else {
        return;
    };
    let session = session(&snmpd.endpoint, v2c(lab::COMMUNITY)).await;
    let identity = identify_device(&session).await.expect("identify");
    assert_eq!(identity.sys_descr, lab::SYS_DESCR);
    assert!(identity
        .sys_object_id
        .to_string()
        .starts_with("1.3.6.1.4.1.8072"));
    let dir = lab::workspace_root().join("config").join("profiles");
    let profiles = load_profiles_dir(&dir).expect("profiles");
    let profile = identity
        .select_profile(&profiles)
        .expect("a profile matches");
    assert_eq!(profile.name, "generic-if-mib");
}

async fn check_counter_walk(credentials: SnmpCredentials, test: &str) {
    let Some(snmpd) = LabSnmpd::start(test) else {
        return;
    };
    let session = session(&snmpd.endpoint, credentials).await;
    let oids = generic_counters();
    let first = poll_interface_counters(&session, &oids)
        .await
        .expect("poll");
    let lo = first
        .interfaces
        .values()
        .find(|interface| interface.if_name == "lo")
        .expect("the loopback interface is listed");
    assert!(matches!(lo.in_octets.octets, CounterValue::Bits64(_)));
    // max_repetitions 3 forces several GETBULK requests for the table.
    assert!(first.requests >= 1, "{first:?}");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = poll_interface_counters(&session, &oids)
        .await
        .expect("poll");
    let lo_again = &second.interfaces[&lo.if_index];
    let rate = rate_between(&lo.in_octets, &lo_again.in_octets, RateCeiling::default())
        .expect("a rate between two polls");
    assert!(rate.elapsed_ns > 900_000_000, "{rate:?}");
}

#[tokio::test]
async fn walks_interface_counters_with_v2c() {
    check_counter_walk(v2c(lab::COMMUNITY), "walks_interface_counters_with_v2c").await;
}

#[tokio::test]
async fn walks_interface_counters_with_v3_auth_priv() {
    check_counter_walk(
        v3(lab::V3_USER, lab::V3_AUTH),
        "walks_interface_counters_with_v3_auth_priv",
    )
    .await;
}

#[tokio::test]
async fn falls_back_to_32_bit_counters() {
    let Some(snmpd) = LabSnmpd::start("falls_back_to_32_bit_counters") else {
        return;
    };
    let session = session(&snmpd.endpoint, v2c(lab::COMMUNITY)).await;
    let mut oids = generic_counters();
    oids.octets_64 = None;
    let table = poll_interface_counters(&session, &oids)
        .await
        .expect("poll");
    let lo = table
        .interfaces
        .values()
        .find(|interface| interface.if_name == "lo")
        .expect("lo");
    assert!(matches!(lo.out_octets.octets, CounterValue::Bits32(_)));
}

#[tokio::test]
async fn wrong_community_times_out_quickly() {
    let Some(snmpd) = LabSnmpd::start("wrong_community_times_out_quickly") else {
        return;
    };
    let session = session(&snmpd.endpoint, v2c("not-the-community")).await;
    let started = Instant::now();
    let error = identify_device(&session).await.expect_err("must fail");
    assert!(matches!(error, SnmpError::Timeout { .. }), "{error:?}");
    // 500 ms per attempt, one retry.
    assert!(started.elapsed() < Duration::from_secs(3), "{error}");
}

#[tokio::test]
async fn wrong_v3_user_or_passphrase_is_an_auth_error() {
    let Some(snmpd) = LabSnmpd::start("wrong_v3_user_or_passphrase_is_an_auth_error") else {
        return;
    };
    for credentials in [
        v3("nobody-here", lab::V3_AUTH),
        v3(lab::V3_USER, "wrong-auth-passphrase"),
    ] {
        let session = session(&snmpd.endpoint, credentials).await;
        let started = Instant::now();
        let error = identify_device(&session).await.expect_err("must fail");
        assert!(
            matches!(
                error,
                SnmpError::AuthFailed { .. } | SnmpError::Timeout { .. }
            ),
            "{error:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(3), "{error}");
        let printed = format!("{error} {error:?}");
        assert!(!printed.contains("wrong-auth-passphrase"), "{printed}");
    }
}

#[tokio::test]
async fn an_unreachable_device_fails_while_another_keeps_polling() {
    let Some(snmpd) = LabSnmpd::start("an_unreachable_device_fails_while_another_keeps_polling")
    else {
        return;
    };
    let transport = SharedTransport::bind(false).await.expect("bind");
    let good = SnmpSession::open(target(&snmpd.endpoint, v2c(lab::COMMUNITY)), &transport)
        .await
        .expect("open");
    let dead_address = format!("127.0.0.1:{}", lab::unused_udp_port());
    let dead = SnmpSession::open(target(&dead_address, v2c(lab::COMMUNITY)), &transport)
        .await
        .expect("open");
    let oids = generic_counters();
    let dead_task = tokio::spawn({
        let oids = oids.clone();
        async move { poll_interface_counters(&dead, &oids).await }
    });
    let mut good_polls = 0;
    for _ in 0..3 {
        poll_interface_counters(&good, &oids)
            .await
            .expect("good device polls");
        good_polls += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let dead_result = tokio::time::timeout(Duration::from_secs(5), dead_task)
        .await
        .expect("bounded")
        .expect("task");
    assert!(dead_result.is_err(), "{dead_result:?}");
    assert_eq!(good_polls, 3);
}
