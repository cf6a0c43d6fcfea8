//! Which subscriber an interface or ONU belongs to, and back: the OLT's index of the ONU a
//! subscriber key names.

use netops_snmp::client::OnuReading;
use netops_snmp::profile::{IndexPart, OnuIndex, OnuProfile};
use proto::{PonPort, SubscriberKey};

/// MikroTik names each PPPoE session's dynamic interface `<pppoe-USERNAME>`; every other
/// interface is a port of its device (the rule lives in `proto`, which the control plane shares).
pub fn subscriber_key(device: &str, if_name: &str) -> SubscriberKey {
    SubscriberKey::of_interface(device, if_name)
}

/// An ONU's key: its PON frame/slot/port from the profile's layout (or the raw PON index when
/// the profile has none) and its ONU id; ONUs indexed by their own interface are ports.
pub fn onu_key(device: &str, profile: &OnuProfile, reading: &OnuReading) -> SubscriberKey {
    match reading.onu {
        OnuIndex::OnPon { pon_index, onu_id } => {
            let pon = match profile.pon_port(&reading.onu) {
                Some(Ok(port)) => PonPort {
                    frame: narrow(port.frame),
                    slot: narrow(port.slot),
                    port: narrow(port.port),
                },
                _ => PonPort {
                    frame: 0,
                    slot: 0,
                    port: narrow(pon_index),
                },
            };
            SubscriberKey::Onu {
                olt: device.to_owned(),
                pon,
                onu_id,
            }
        }
        OnuIndex::Interface { onu_if_index } => SubscriberKey::Port {
            device: device.to_owned(),
            if_name: format!("onu-ifindex-{onu_if_index}"),
        },
    }
}

fn narrow(value: u32) -> u16 {
    u16::try_from(value).unwrap_or(u16::MAX)
}

/// The OLT's index of ONU `onu_id` on PON `pon`: the inverse of `onu_key`. Without a PON
/// layout, `onu_key` reports the raw PON index as port `0/0/N`, so only that form is accepted.
pub fn onu_index_for(profile: &OnuProfile, pon: PonPort, onu_id: u32) -> Result<OnuIndex, String> {
    let by_interface = profile
        .rx_power_dbm
        .column
        .index
        .parts()
        .contains(&IndexPart::OnuIfIndex);
    if by_interface {
        return Err(
            "this OLT's profile numbers ONUs by their own ifIndex, not by PON port and ONU id"
                .to_owned(),
        );
    }
    let pon_index = match &profile.pon_layout {
        Some(layout) => layout
            .encode(netops_snmp::profile::PonPort {
                frame: u32::from(pon.frame),
                slot: u32::from(pon.slot),
                port: u32::from(pon.port),
            })
            .map_err(|error| format!("PON {pon}: {error}"))?,
        None if pon.frame == 0 && pon.slot == 0 && pon.port != u16::MAX => u32::from(pon.port),
        None => {
            return Err(format!(
                "PON {pon} cannot be addressed: the OLT's profile has no PON ifIndex layout, so its ONU keys carry the raw PON index as 0/0/N"
            ))
        }
    };
    Ok(OnuIndex::OnPon { pon_index, onu_id })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(if_name: &str, expected: &str) {
        assert_eq!(subscriber_key("bras-1", if_name).to_string(), expected);
    }

    fn profile(name: &str) -> OnuProfile {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../config/profiles")
            .join(format!("{name}.toml"));
        netops_snmp::profile::load_profile_file(&path)
            .expect("shipped profile")
            .onu
            .expect("an OLT profile")
    }

    fn reading(onu: OnuIndex) -> OnuReading {
        OnuReading {
            onu,
            status: netops_snmp::profile::OnuStatus::Online,
            rx_power_dbm: None,
            tx_power_dbm: None,
            olt_rx_power_dbm: None,
            temperature_c: None,
            serial: None,
            name: None,
            problems: Vec::new(),
        }
    }

    fn pon(frame: u16, slot: u16, port: u16) -> PonPort {
        PonPort { frame, slot, port }
    }

    #[test]
    fn onu_keys_lead_back_to_the_olt_index() {
        for (name, pon) in [
            ("huawei-ma56xx-gpon", pon(0, 1, 3)),
            ("zte-c3xx-1012", pon(0, 2, 16)),
            ("vsol-v1600d-epon", pon(0, 0, 4)),
            ("cdata-fd1732s", pon(0, 0, 7)),
        ] {
            let onu = profile(name);
            let index = onu_index_for(&onu, pon, 12).expect(name);
            let expected = SubscriberKey::Onu {
                olt: "olt-1".into(),
                pon,
                onu_id: 12,
            };
            assert_eq!(onu_key("olt-1", &onu, &reading(index)), expected, "{name}");
        }
    }

    #[test]
    fn onu_keys_that_cannot_be_addressed() {
        let huawei = onu_index_for(&profile("huawei-ma56xx-gpon"), pon(0, 300, 3), 1);
        assert!(huawei.unwrap_err().starts_with("PON 0/300/3:"));
        let cdata = onu_index_for(&profile("cdata-fd1732s"), pon(0, 1, 7), 1);
        assert!(cdata.unwrap_err().contains("no PON ifIndex layout"));
        let bdcom = onu_index_for(&profile("bdcom-epon"), pon(0, 0, 1), 1);
        assert!(bdcom.unwrap_err().contains("their own ifIndex"));
    }

    #[test]
    fn keys() {
        check("<pppoe-alice>", "pppoe:alice");
        check("<pppoe-bob@isp>", "pppoe:bob@isp");
        check("<pppoe->", "port:bras-1:<pppoe->");
        check("<pppoe-carol", "port:bras-1:<pppoe-carol");
        check("ether1", "port:bras-1:ether1");
        check("<l2tp-dave>", "port:bras-1:<l2tp-dave>");
    }
}
