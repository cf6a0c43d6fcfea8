//! The client's address behind trusted reverse proxies: `X-Forwarded-For` is believed only when
//! the connection comes from a proxy the operator listed (`[limits] trusted_proxies`), and then
//! only up to the first address that is not itself a trusted proxy.

use std::net::IpAddr;

/// Addresses and networks (`10.0.0.0/8`, `::1`) whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Network {
    address: IpAddr,
    prefix_bits: u8,
}

impl Network {
    fn contains(&self, ip: IpAddr) -> bool {
        let (network, candidate, width) = match (self.address, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(c)) => {
                (u128::from(u32::from(n)), u128::from(u32::from(c)), 32)
            }
            (IpAddr::V6(n), IpAddr::V6(c)) => (u128::from(n), u128::from(c), 128),
            _ => return false,
        };
        let bits = u32::from(self.prefix_bits);
        if bits == 0 {
            return true;
        }
        let shift = width - bits;
        network >> shift == candidate >> shift
    }
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`, what a dual-stack socket reports) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

impl TrustedProxies {
    /// Parses `["127.0.0.1", "10.0.0.0/8", "::1"]`; each bad entry is a problem naming it.
    pub fn parse(entries: &[String]) -> Result<Self, Vec<String>> {
        let mut networks = Vec::new();
        let mut problems = Vec::new();
        for entry in entries {
            match parse_network(entry) {
                Some(network) => networks.push(network),
                None => problems.push(format!(
                    "'{entry}' is not an address or network such as 10.0.0.1 or 10.0.0.0/8"
                )),
            }
        }
        if problems.is_empty() {
            Ok(Self(networks))
        } else {
            Err(problems)
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(ip))
    }

    /// The client's address: the connection's peer, or, when the peer is a trusted proxy, the
    /// right-most `X-Forwarded-For` entry that is not a trusted proxy. A header that does not
    /// parse is not believed.
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let Some(header) = forwarded_for else {
            return peer;
        };
        let mut client = peer;
        for entry in header.rsplit(',') {
            let Ok(ip) = entry.trim().parse::<IpAddr>() else {
                return peer;
            };
            client = canonical(ip);
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

fn parse_network(entry: &str) -> Option<Network> {
    let (address, prefix) = match entry.trim().split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (entry.trim(), None),
    };
    let address = canonical(address.parse::<IpAddr>().ok()?);
    let width = if address.is_ipv4() { 32 } else { 128 };
    let prefix_bits = match prefix {
        Some(bits) => bits.parse::<u8>().ok().filter(|bits| *bits <= width)?,
        None => width,
    };
    Some(Network {
        address,
        prefix_bits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(entries: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&entries.iter().map(|e| e.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn check(trusted: &[&str], peer: &str, header: Option<&str>, expected: &str) {
        let client = proxies(trusted).client(peer.parse().unwrap(), header);
        assert_eq!(
            client,
            expected.parse::<IpAddr>().unwrap(),
            "{trusted:?} {peer} {header:?}"
        );
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        check(&[], "127.0.0.1", Some("203.0.113.7"), "127.0.0.1");
        check(
            &["127.0.0.1"],
            "127.0.0.1",
            Some("203.0.113.7"),
            "203.0.113.7",
        );
        check(
            &["127.0.0.1"],
            "198.51.100.1",
            Some("203.0.113.7"),
            "198.51.100.1",
        );
        check(&["127.0.0.1"], "127.0.0.1", None, "127.0.0.1");
    }

    #[test]
    fn a_client_cannot_forge_its_way_past_the_proxy() {
        // The client sent its own X-Forwarded-For; the proxy appended the real address.
        check(
            &["10.0.0.0/8"],
            "10.0.0.5",
            Some("1.2.3.4, 203.0.113.7"),
            "203.0.113.7",
        );
        // Chained trusted proxies are skipped from the right.
        check(
            &["10.0.0.0/8"],
            "10.0.0.5",
            Some("203.0.113.7, 10.0.0.9"),
            "203.0.113.7",
        );
        // A header that does not parse is not believed.
        check(
            &["10.0.0.0/8"],
            "10.0.0.5",
            Some("203.0.113.7, bogus"),
            "10.0.0.5",
        );
    }

    #[test]
    fn networks_and_families() {
        check(&["::1"], "::1", Some("2001:db8::7"), "2001:db8::7");
        check(
            &["127.0.0.0/8"],
            "::ffff:127.0.0.2",
            Some("203.0.113.7"),
            "203.0.113.7",
        );
        check(
            &["10.1.0.0/16"],
            "10.2.0.1",
            Some("203.0.113.7"),
            "10.2.0.1",
        );
        check(
            &["0.0.0.0/0"],
            "192.0.2.1",
            Some("203.0.113.7"),
            "203.0.113.7",
        );
    }

    #[test]
    fn bad_entries_are_each_named() {
        let problems =
            TrustedProxies::parse(&["10.0.0.0/33".into(), "proxy".into(), "::1/64".into()])
                .unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("10.0.0.0/33") && problems[1].contains("proxy"));
    }
}
