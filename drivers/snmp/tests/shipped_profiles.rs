//! Every profile shipped in config/profiles loads, validates and decodes the examples from the
//! device reference.

use std::path::Path;

use netops_snmp::profile::{
    IndexError, OnuIndex, OnuProfile, OnuStatus, PonPort, Profile, ProfileSet, RawValue,
};
use netops_snmp::{load_profiles_dir, Oid};

fn shipped() -> ProfileSet {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/profiles");
    match load_profiles_dir(&dir) {
        Ok(profiles) => profiles,
        Err(error) => panic!("{error}"),
    }
}

fn profile(name: &str) -> Profile {
    shipped()
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("no profile {name}"))
}

fn onu(name: &str) -> OnuProfile {
    profile(name)
        .onu
        .unwrap_or_else(|| panic!("{name} has no onu section"))
}

fn oid(text: &str) -> Oid {
    text.parse().expect("valid OID")
}

#[test]
fn every_shipped_profile_loads() {
    let names: Vec<String> = shipped()
        .iter()
        .map(|profile| profile.name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "bdcom-epon",
            "cdata-fd1732s",
            "generic-if-mib",
            "huawei-ma56xx-gpon",
            "mikrotik-pppoe-bras",
            "vsol-v1600d-epon",
            "zte-1082",
            "zte-c3xx-1012",
        ]
    );
}

/// Reading a level column of a profile: Ok(None) is the OLT's "no value".
fn check_level(profile: &str, column: &str, raw: RawValue, expected: Option<f64>) {
    let onu = onu(profile);
    let level = match column {
        "rx" => Some(&onu.rx_power_dbm),
        "tx" => onu.tx_power_dbm.as_ref(),
        "olt_rx" => onu.olt_rx_power_dbm.as_ref(),
        other => panic!("unknown column {other}"),
    };
    let level = level.unwrap_or_else(|| panic!("{profile} has no {column} column"));
    assert_eq!(level.read(&raw), Ok(expected), "{profile} {column} {raw:?}");
}

#[test]
fn optics_levels_from_the_device_reference() {
    use RawValue::Integer;
    // ZTE .1012: raw*0.002 - 30 up to 30000, (raw - 65535)*0.002 - 30 above, 65535 = no value.
    check_level("zte-c3xx-1012", "rx", Integer(1000), Some(-28.0));
    check_level("zte-c3xx-1012", "rx", Integer(21000), Some(12.0));
    check_level("zte-c3xx-1012", "rx", Integer(30000), Some(30.0));
    check_level("zte-c3xx-1012", "rx", Integer(60535), Some(-40.0));
    check_level("zte-c3xx-1012", "rx", Integer(65535), None);
    check_level("zte-c3xx-1012", "olt_rx", Integer(-23456), Some(-23.456));
    check_level("zte-1082", "rx", Integer(2500), Some(-25.0));
    // Huawei: 0.01 dBm; OLT-side Rx (raw - 10000)/100; 2147483647 = no value.
    check_level("huawei-ma56xx-gpon", "olt_rx", Integer(7500), Some(-25.0));
    check_level("huawei-ma56xx-gpon", "rx", Integer(-2319), Some(-23.19));
    check_level("huawei-ma56xx-gpon", "tx", Integer(231), Some(2.31));
    check_level("huawei-ma56xx-gpon", "rx", Integer(2_147_483_647), None);
    check_level("huawei-ma56xx-gpon", "olt_rx", Integer(2_147_483_647), None);
    // VSOL strings.
    check_level(
        "vsol-v1600d-epon",
        "rx",
        RawValue::text("0.00 mW (-23.19 dBm)"),
        Some(-23.19),
    );
    check_level(
        "vsol-v1600d-epon",
        "tx",
        RawValue::text("1.12 mW (0.50 dBm)\0"),
        Some(0.5),
    );
    // BDCOM 0.1 dBm, C-Data 0.01 dBm with -4000 = no signal.
    check_level("bdcom-epon", "rx", Integer(-215), Some(-21.5));
    check_level("cdata-fd1732s", "rx", Integer(-2050), Some(-20.5));
    check_level("cdata-fd1732s", "rx", Integer(-4000), None);
}

#[test]
fn unreadable_levels_are_errors() {
    let vsol = onu("vsol-v1600d-epon");
    assert!(vsol.rx_power_dbm.read(&RawValue::text("0.00 mW")).is_err());
    assert!(vsol.rx_power_dbm.read(&RawValue::Integer(5)).is_err());
    let huawei = onu("huawei-ma56xx-gpon");
    assert!(huawei.rx_power_dbm.read(&RawValue::text("n/a")).is_err());
}

fn check_status(profile: &str, status: i64, down_cause: Option<i64>, expected: OnuStatus) {
    let cause = down_cause.map(RawValue::Integer);
    let actual = onu(profile).status_of(&RawValue::Integer(status), cause.as_ref());
    assert_eq!(
        actual, expected,
        "{profile} status {status} cause {down_cause:?}"
    );
}

#[test]
fn statuses() {
    check_status("zte-1082", 1, None, OnuStatus::Ranging);
    check_status("zte-1082", 2, None, OnuStatus::Los);
    check_status("zte-1082", 4, None, OnuStatus::Online);
    check_status("zte-1082", 5, None, OnuStatus::DyingGasp);
    check_status("zte-1082", 6, None, OnuStatus::AuthFailed);
    check_status("zte-1082", 7, None, OnuStatus::Offline);
    check_status("zte-1082", 99, None, OnuStatus::Unknown);
    check_status("huawei-ma56xx-gpon", 1, Some(13), OnuStatus::Online);
    check_status("huawei-ma56xx-gpon", 2, Some(1), OnuStatus::Los);
    check_status("huawei-ma56xx-gpon", 2, Some(13), OnuStatus::DyingGasp);
    check_status("huawei-ma56xx-gpon", 2, Some(7), OnuStatus::Offline);
    check_status("huawei-ma56xx-gpon", 2, None, OnuStatus::Offline);
    check_status("bdcom-epon", 1, None, OnuStatus::Unknown);
}

/// A returned OID of a profile's Rx column decodes to this ONU and PON port, and back.
fn check_index(profile: &str, returned: &str, expected: OnuIndex, pon: Option<PonPort>) {
    let onu = onu(profile);
    let column = &onu.rx_power_dbm.column;
    let returned = oid(returned);
    assert_eq!(
        column.onu_of(&returned),
        Some(Ok(expected)),
        "{profile} {returned}"
    );
    assert_eq!(column.cell_for(&expected), Ok(returned), "{profile}");
    assert_eq!(onu.pon_port(&expected).transpose(), Ok(pon), "{profile}");
    if let (Some(layout), Some(pon), OnuIndex::OnPon { pon_index, .. }) =
        (&onu.pon_layout, pon, expected)
    {
        assert_eq!(layout.encode(pon), Ok(pon_index), "{profile} {pon}");
    }
}

#[test]
fn index_decoding_round_trips() {
    let port = |slot, port| {
        Some(PonPort {
            frame: 0,
            slot,
            port,
        })
    };
    // Huawei 0xFA000000 + slot*8192 + port*256: slot 2 port 3 is 4194321152.
    check_index(
        "huawei-ma56xx-gpon",
        "1.3.6.1.4.1.2011.6.128.1.1.2.51.1.4.4194321152.12",
        OnuIndex::OnPon {
            pon_index: 0xFA00_0000 + 2 * 8192 + 3 * 256,
            onu_id: 12,
        },
        port(2, 3),
    );
    // ZTE .1012 0x10000000 | slot<<16 | port<<8 with the trailing .1.
    check_index(
        "zte-c3xx-1012",
        "1.3.6.1.4.1.3902.1012.3.50.12.1.1.10.268502016.5.1",
        OnuIndex::OnPon {
            pon_index: 0x1000_0000 | 1 << 16 | 4 << 8,
            onu_id: 5,
        },
        port(1, 4),
    );
    // ZTE .1082 0x11010000 | slot<<8 | port.
    check_index(
        "zte-1082",
        "1.3.6.1.4.1.3902.1082.500.20.2.2.2.1.10.285278978.64",
        OnuIndex::OnPon {
            pon_index: 0x1101_0000 | 3 << 8 | 2,
            onu_id: 64,
        },
        port(3, 2),
    );
    check_index(
        "vsol-v1600d-epon",
        "1.3.6.1.4.1.37950.1.1.5.12.2.1.8.1.7.2.9",
        OnuIndex::OnPon {
            pon_index: 2,
            onu_id: 9,
        },
        port(0, 2),
    );
    check_index(
        "bdcom-epon",
        "1.3.6.1.4.1.3320.101.10.5.1.5.42",
        OnuIndex::Interface { onu_if_index: 42 },
        None,
    );
}

#[test]
fn index_rejections() {
    let zte = onu("zte-c3xx-1012");
    let column = &zte.rx_power_dbm.column;
    let wrong_constant = oid("1.3.6.1.4.1.3902.1012.3.50.12.1.1.10.268567040.5.2");
    assert!(matches!(
        column.onu_of(&wrong_constant),
        Some(Err(IndexError::FixedMismatch { .. }))
    ));
    let short = oid("1.3.6.1.4.1.3902.1012.3.50.12.1.1.10.268567040");
    assert!(matches!(
        column.onu_of(&short),
        Some(Err(IndexError::WrongLength { .. }))
    ));
    assert_eq!(column.onu_of(&oid("1.3.6.1.2.1.1.3.0")), None);
    let huawei = onu("huawei-ma56xx-gpon");
    let not_pon = OnuIndex::OnPon {
        pon_index: 7,
        onu_id: 1,
    };
    assert_eq!(
        huawei.pon_port(&not_pon),
        Some(Err(IndexError::NotAPonIndex { pon_index: 7 }))
    );
    let layout = huawei.pon_layout.expect("layout");
    let too_big = PonPort {
        frame: 0,
        slot: 1,
        port: 32,
    };
    assert_eq!(
        layout.encode(too_big),
        Err(IndexError::FieldTooLarge {
            field: "port",
            value: 32
        })
    );
    let framed = PonPort {
        frame: 1,
        slot: 1,
        port: 1,
    };
    assert_eq!(
        layout.encode(framed),
        Err(IndexError::FieldTooLarge {
            field: "frame",
            value: 1
        })
    );
}

#[test]
fn reboot_requests() {
    let huawei = OnuIndex::OnPon {
        pon_index: 4_194_321_152,
        onu_id: 12,
    };
    let request = onu("huawei-ma56xx-gpon")
        .reboot
        .expect("reboot")
        .set_request(&huawei);
    assert_eq!(
        request,
        Ok(vec![(
            oid("1.3.6.1.4.1.2011.6.128.1.1.2.46.1.2.4194321152.12"),
            1
        )])
    );

    let vsol = OnuIndex::OnPon {
        pon_index: 2,
        onu_id: 9,
    };
    let request = onu("vsol-v1600d-epon")
        .reboot
        .expect("reboot")
        .set_request(&vsol);
    let expected = vec![
        (oid("1.3.6.1.4.1.37950.1.1.5.12.1.15.1.0"), 2),
        (oid("1.3.6.1.4.1.37950.1.1.5.12.1.15.2.0"), 9),
    ];
    assert_eq!(request, Ok(expected));

    let bdcom = OnuIndex::Interface { onu_if_index: 42 };
    let request = onu("bdcom-epon")
        .reboot
        .expect("reboot")
        .set_request(&bdcom);
    assert_eq!(
        request,
        Ok(vec![(oid("1.3.6.1.4.1.3320.101.10.1.1.29.42"), 0)])
    );
    assert!(onu("cdata-fd1732s").reboot.is_none());
}

#[test]
fn serials() {
    let huawei = onu("huawei-ma56xx-gpon");
    let serial = huawei.serial.expect("serial");
    let raw = RawValue::Octets(vec![b'H', b'W', b'T', b'C', 0x1A, 0x2B, 0x3C, 0x4D]);
    assert_eq!(serial.read(&raw), "HWTC1A2B3C4D");
}

fn check_select(sys_object_id: &str, sys_descr: &str, expected: Option<&str>) {
    let profiles = shipped();
    let selected = profiles
        .select(&oid(sys_object_id), sys_descr)
        .map(|profile| profile.name.as_str());
    assert_eq!(selected, expected, "{sys_object_id} {sys_descr:?}");
}

#[test]
fn profile_selection() {
    check_select(
        "1.3.6.1.4.1.14988.1",
        "RouterOS CCR2004-1G-12S+2XS",
        Some("mikrotik-pppoe-bras"),
    );
    check_select(
        "1.3.6.1.4.1.2011.2.248",
        "Huawei Integrated Access Software MA5683T",
        Some("huawei-ma56xx-gpon"),
    );
    check_select(
        "1.3.6.1.4.1.3902.1082.1001.320",
        "ZXA10 C320",
        Some("zte-c3xx-1012"),
    );
    check_select(
        "1.3.6.1.4.1.3902.1082.1001.600",
        "ZXA10 C600",
        Some("zte-1082"),
    );
    check_select(
        "1.3.6.1.4.1.37950.1.1.1",
        "V1600D",
        Some("vsol-v1600d-epon"),
    );
    check_select(
        "1.3.6.1.4.1.8072.3.2.10",
        "Linux core-sw",
        Some("generic-if-mib"),
    );
    check_select("1.3.6.1.6.3.1", "odd", None);
}

#[test]
fn cadences() {
    use std::time::Duration;
    let zte = profile("zte-c3xx-1012").cadence;
    assert_eq!(zte.counters, Duration::from_secs(1));
    assert_eq!(zte.optics, Duration::from_secs(3600));
    assert!(zte.fast_optics < zte.optics);
    assert_eq!(
        profile("generic-if-mib").cadence.counters,
        Duration::from_secs(1)
    );
}
