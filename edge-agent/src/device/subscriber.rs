//! Which subscriber an interface or ONU belongs to.

use netops_snmp::client::OnuReading;
use netops_snmp::profile::{OnuIndex, OnuProfile};
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

#[cfg(test)]
mod tests {
    use super::*;

    fn check(if_name: &str, expected: &str) {
        assert_eq!(subscriber_key("bras-1", if_name).to_string(), expected);
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
