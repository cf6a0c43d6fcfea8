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
