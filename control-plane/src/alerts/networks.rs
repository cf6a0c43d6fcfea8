//! Which addresses a customer's webhook may reach: not loopback, link-local, private,
//! unspecified or multicast ones, unless the ISP's `[webhooks] allow_private_networks` lists
//! them. No I/O.

use std::net::IpAddr;

/// An address block such as `127.0.0.0/8` or `fd00::/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix_len: u8,
}

impl Network {
    /// Parses `address/prefix`; a bare address is a block of one.
    pub fn parse(text: &str) -> Result<Network, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let base: IpAddr = address
            .trim()
            .parse()
            .map_err(|_| format!("{text} is not an address block such as 10.0.0.0/8"))?;
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix_len = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text} has a prefix length over {max}"))?,
        };
        Ok(Network { base, prefix_len })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip) {
            (IpAddr::V4(b), IpAddr::V4(a)) => {
                prefix_bits(u128::from(u32::from(b)) << 96, self.prefix_len)
                    == prefix_bits(u128::from(u32::from(a)) << 96, self.prefix_len)
            }
            (IpAddr::V6(b), IpAddr::V6(a)) => {
                prefix_bits(u128::from(b), self.prefix_len)
                    == prefix_bits(u128::from(a), self.prefix_len)
            }
            _ => false,
        }
    }
}

fn prefix_bits(value: u128, prefix_len: u8) -> u128 {
    match prefix_len {
        0 => 0,
        n => value >> (128 - u32::from(n.min(128))),
    }
}

/// An address the public internet does not route to a customer's receiver.
pub fn is_internal(ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                // Carrier-grade NAT, 100.64.0.0/10: inside the ISP.
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// `true` when a customer's webhook may be sent to `ip`.
pub fn may_reach(ip: IpAddr, allowed: &[Network]) -> bool {
    !is_internal(ip) || allowed.iter().any(|n| n.contains(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ip: &str, allowed: &[&str], expected: bool) {
        let allowed: Vec<Network> = allowed.iter().map(|n| Network::parse(n).unwrap()).collect();
        assert_eq!(may_reach(ip.parse().unwrap(), &allowed), expected, "{ip}");
    }

    #[test]
    fn internal_addresses_are_refused_unless_allowed() {
        check("203.0.113.7", &[], true);
        check("2001:db8::1", &[], true);
        check("127.0.0.1", &[], false);
        check("10.1.2.3", &[], false);
        check("172.16.0.1", &[], false);
        check("192.168.1.1", &[], false);
        check("169.254.169.254", &[], false);
        check("100.64.0.1", &[], false);
        check("0.0.0.0", &[], false);
        check("::1", &[], false);
        check("fe80::1", &[], false);
        check("fd12::1", &[], false);
        check("::ffff:127.0.0.1", &[], false);
        check("127.0.0.1", &["127.0.0.0/8"], true);
        check("127.0.0.1", &["127.0.0.1"], true);
        check("10.1.2.3", &["127.0.0.0/8"], false);
        check("10.1.2.3", &["10.1.0.0/16"], true);
        check("::1", &["::1/128"], true);
        check("::1", &["127.0.0.0/8"], false);
    }

    #[test]
    fn blocks_are_parsed() {
        assert!(Network::parse("10.0.0.0/8").is_ok());
        assert!(Network::parse("::/0").is_ok());
        assert!(Network::parse("10.0.0.0/33").is_err());
        assert!(Network::parse("ten/8").is_err());
        assert!(Network::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
    }
}
