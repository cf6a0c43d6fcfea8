//! Subscriber keys: how the agent names whose traffic or optics a reading belongs to.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A PON port on an OLT, as the OLT numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PonPort {
    pub frame: u16,
    pub slot: u16,
    pub port: u16,
}

impl fmt::Display for PonPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.frame, self.slot, self.port)
    }
}

/// What a subscriber is known by at the edge.
///
/// PPPoE subscribers are keyed by username because the BRAS re-indexes their interface at every
/// reconnect; fibre subscribers by their ONU; leased lines by a port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SubscriberKey {
    PppoeUsername(String),
    Onu {
        /// The OLT's device id, as listed in `Inventory`.
        olt: String,
        pon: PonPort,
        onu_id: u32,
    },
    Port {
        /// The device id, as listed in `Inventory`.
        device: String,
        if_name: String,
    },
}

impl SubscriberKey {
    /// The key of the subscriber behind an interface. MikroTik names each PPPoE session's
    /// dynamic interface `<pppoe-USERNAME>`; every other interface is a port of its device.
    pub fn of_interface(device: &str, if_name: &str) -> SubscriberKey {
        match pppoe_username_of_interface(if_name) {
            Some(username) => SubscriberKey::PppoeUsername(username.to_owned()),
            None => SubscriberKey::Port {
                device: device.to_owned(),
                if_name: if_name.to_owned(),
            },
        }
    }
}

/// The PPPoE username in a `<pppoe-USERNAME>` interface name, if it is one.
pub fn pppoe_username_of_interface(if_name: &str) -> Option<&str> {
    if_name
        .strip_prefix("<pppoe-")
        .and_then(|rest| rest.strip_suffix('>'))
        .filter(|username| !username.is_empty())
}

impl fmt::Display for SubscriberKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PppoeUsername(username) => write!(f, "pppoe:{username}"),
            Self::Onu { olt, pon, onu_id } => write!(f, "onu:{olt}:{pon}:{onu_id}"),
            Self::Port { device, if_name } => write!(f, "port:{device}:{if_name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(key: SubscriberKey, expected: &str) {
        assert_eq!(key.to_string(), expected);
    }

    #[test]
    fn interface_keys() {
        let check = |if_name: &str, expected: &str| {
            assert_eq!(
                SubscriberKey::of_interface("bras-1", if_name).to_string(),
                expected
            );
        };
        check("<pppoe-alice>", "pppoe:alice");
        check("<pppoe-bob@isp>", "pppoe:bob@isp");
        check("<pppoe->", "port:bras-1:<pppoe->");
        check("<pppoe-carol", "port:bras-1:<pppoe-carol");
        check("ether1", "port:bras-1:ether1");
        check("<l2tp-dave>", "port:bras-1:<l2tp-dave>");
        assert_eq!(pppoe_username_of_interface("<pppoe-a>b>"), Some("a>b"));
    }

    #[test]
    fn display() {
        check(SubscriberKey::PppoeUsername("alice".into()), "pppoe:alice");
        check(
            SubscriberKey::Onu {
                olt: "olt-1".into(),
                pon: PonPort {
                    frame: 0,
                    slot: 1,
                    port: 3,
                },
                onu_id: 12,
            },
            "onu:olt-1:0/1/3:12",
        );
        check(
            SubscriberKey::Port {
                device: "sw-2".into(),
                if_name: "ge-0/0/1".into(),
            },
            "port:sw-2:ge-0/0/1",
        );
    }
}
