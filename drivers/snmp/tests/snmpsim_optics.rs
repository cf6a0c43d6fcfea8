//! Every OLT profile's optics walk against snmpsim (Debian package `snmpsim`) playing that
//! OLT from a recording in `lab/snmpsim/`: levels, "no value" sentinels, string-valued VSOL
//! optics, status words and PON port decoding. The expected values are worked out by hand from
//! reference/devices.md, not from the profiles.

mod lab;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use netops_snmp::client::{
    walk_onu_optics, Secret, SharedTransport, SnmpCredentials, SnmpSession, SnmpTarget,
};
use netops_snmp::load_profiles_dir;
use netops_snmp::profile::{OnuIndex, OnuStatus};

struct Snmpsim {
    run: tempfile::TempDir,
    address: String,
}

impl Drop for Snmpsim {
    fn drop(&mut self) {
        let script = lab::workspace_root().join("lab").join("snmpsim.sh");
        let _ = Command::new(script)
            .arg("stop")
            .arg(self.run.path())
            .status();
    }
}

fn start() -> Option<Snmpsim> {
    let installed =
        Path::new("/usr/bin/snmpsimd").exists() && Path::new("/usr/bin/snmpget").exists();
    if !installed {
        lab::skip_or_fail(
            "snmpsim optics",
            "snmpsimd or snmpget is not installed (apt-get install -y snmpsim snmp)",
        );
        return None;
    }
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = tempfile::tempdir().unwrap();
    let script = lab::workspace_root().join("lab").join("snmpsim.sh");
    let status = Command::new(script)
        .arg("start")
        .arg(port.to_string())
        .arg(run.path())
        .status()
        .unwrap();
    assert!(status.success(), "lab/snmpsim.sh start failed");
    Some(Snmpsim {
        run,
        address: format!("127.0.0.1:{port}"),
    })
}

/// (ONU, expected Rx dBm, expected status when the profile reads one).
type Expected = Vec<(OnuIndex, Option<f64>, Option<OnuStatus>)>;

/// A recording's profile, its ONUs, and the (slot, port) its PON index decodes to.
type Case = (&'static str, Expected, Option<(u32, u32)>);

fn on_pon(pon_index: u32, onu_id: u32) -> OnuIndex {
    OnuIndex::OnPon { pon_index, onu_id }
}

fn expectations() -> Vec<Case> {
    let huawei_pon = 0xFA00_0000 + 8192 + 256;
    let zte_pon = 0x1000_0000 | (2 << 16) | (3 << 8);
    let zte_1082_pon = 0x1101_0000 | (1 << 8) | 4;
    vec![
        (
            "huawei-ma56xx-gpon",
            vec![
                (on_pon(huawei_pon, 1), Some(-18.5), Some(OnuStatus::Online)),
                (on_pon(huawei_pon, 2), Some(-27.12), Some(OnuStatus::Online)),
                (on_pon(huawei_pon, 3), None, Some(OnuStatus::DyingGasp)),
            ],
            Some((1, 1)),
        ),
        (
            "zte-c3xx-1012",
            vec![
                // 5750 * 0.002 - 30 = -18.5; 65535 is "no value"; 3000 * 0.002 - 30 = -24.
                (on_pon(zte_pon, 1), Some(-18.5), None),
                (on_pon(zte_pon, 2), None, None),
                (on_pon(zte_pon, 3), Some(-24.0), None),
            ],
            Some((2, 3)),
        ),
        (
            "zte-1082",
            vec![
                (
                    on_pon(zte_1082_pon, 1),
                    Some(-19.0),
                    Some(OnuStatus::Online),
                ),
                (on_pon(zte_1082_pon, 2), None, Some(OnuStatus::Los)),
                (
                    on_pon(zte_1082_pon, 3),
                    Some(-22.0),
                    Some(OnuStatus::DyingGasp),
                ),
            ],
            Some((1, 4)),
        ),
        (
            "vsol-v1600d-epon",
            vec![
                (on_pon(1, 1), Some(-19.87), None),
                (on_pon(1, 2), Some(-23.19), None),
                (on_pon(2, 1), None, None),
            ],
            None,
        ),
        (
            "bdcom-epon",
            vec![
                (OnuIndex::Interface { onu_if_index: 43 }, Some(-18.2), None),
                (OnuIndex::Interface { onu_if_index: 44 }, Some(-26.5), None),
            ],
            None,
        ),
        (
            "cdata-fd1732s",
            vec![
                (on_pon(1, 1), Some(-19.2), None),
                (on_pon(1, 2), None, None),
            ],
            None,
        ),
    ]
}

#[tokio::test]
async fn every_olt_profile_reads_its_device() {
    let Some(sim) = start() else { return };
    let profiles =
        load_profiles_dir(&lab::workspace_root().join("config").join("profiles")).unwrap();
    let transport = SharedTransport::bind(false).await.unwrap();
    for (name, expected, slot_port) in expectations() {
        let profile = profiles
            .get(name)
            .unwrap_or_else(|| panic!("profile {name}"));
        let onu_profile = profile
            .onu
            .as_ref()
            .unwrap_or_else(|| panic!("{name} has no ONU section"));
        let target = SnmpTarget {
            address: sim.address.clone(),
            credentials: SnmpCredentials::V2c {
                community: Secret::new(name),
            },
            timeout: Duration::from_secs(2),
            retries: 1,
            max_repetitions: 10,
        };
        let session = SnmpSession::open(target, &transport).await.unwrap();
        let readings = walk_onu_optics(&session, onu_profile)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(readings.len(), expected.len(), "{name}: {readings:?}");
        for (onu, rx, status) in &expected {
            let reading = readings
                .iter()
                .find(|r| r.onu == *onu)
                .unwrap_or_else(|| panic!("{name}: no reading for {onu:?} in {readings:?}"));
            match (rx, reading.rx_power_dbm) {
                (Some(want), Some(got)) => assert!(
                    (want - got).abs() < 0.005,
                    "{name} {onu:?}: rx {got}, want {want}"
                ),
                (None, None) => {}
                (want, got) => panic!("{name} {onu:?}: rx {got:?}, want {want:?}"),
            }
            if let Some(status) = status {
                assert_eq!(reading.status, *status, "{name} {onu:?}");
            }
            if let Some((slot, port)) = slot_port {
                let pon = onu_profile.pon_port(onu).expect("layout").expect("decodes");
                assert_eq!((pon.slot, pon.port), (slot, port), "{name} {onu:?}");
            }
        }
    }
}
