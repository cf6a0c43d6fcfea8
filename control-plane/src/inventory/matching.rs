//! Which staff-configured device (`/devices`) a device an agent reports is: the one whose id,
//! else whose name, equals the agent's device id (agents name devices by the name staff gave
//! them), else the only one with the same management address. Pure.

/// How a reported device was matched to a configured one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchedBy {
    Id,
    Name,
    ManagementAddress,
}

impl MatchedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Name => "name",
            Self::ManagementAddress => "management_address",
        }
    }
}

/// A device as staff configured it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfiguredDevice<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub mgmt_address: Option<&'a str>,
}

/// The SNMP port agents use when an address names none.
const DEFAULT_SNMP_PORT: &str = "161";

/// An address compared without case, surrounding space, brackets or the default SNMP port:
/// `10.0.0.1`, `10.0.0.1:161` and ` 10.0.0.1 ` are one address, `10.0.0.1:1161` another.
pub fn address_key(text: &str) -> Option<String> {
    let text = text.trim().to_ascii_lowercase();
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        // `[v6]` or `[v6]:port`
        match rest.split_once(']') {
            Some((host, "")) => (host.to_owned(), None),
            Some((host, port)) => (host.to_owned(), port.strip_prefix(':').map(str::to_owned)),
            None => (text.clone(), None),
        }
    } else if text.matches(':').count() == 1 {
        let (host, port) = text.split_once(':').unwrap_or((&text, ""));
        (host.to_owned(), Some(port.to_owned()))
    } else {
        // A host name, an IPv4 address or a bare IPv6 address.
        (text.clone(), None)
    };
    if host.is_empty() {
        return None;
    }
    match port.as_deref() {
        None | Some("") | Some(DEFAULT_SNMP_PORT) => Some(host),
        Some(port) if host.contains(':') => Some(format!("[{host}]:{port}")),
        Some(port) => Some(format!("{host}:{port}")),
    }
}

/// The configured device a reported device is, with how it matched.
pub fn configured_match(
    device_id: &str,
    management_address: &str,
    configured: &[ConfiguredDevice<'_>],
) -> Option<(usize, MatchedBy)> {
    if let Some(i) = configured.iter().position(|c| c.id == device_id) {
        return Some((i, MatchedBy::Id));
    }
    if let Some(i) = configured.iter().position(|c| c.name == device_id) {
        return Some((i, MatchedBy::Name));
    }
    let wanted = address_key(management_address)?;
    let mut same_address = configured
        .iter()
        .enumerate()
        .filter(|(_, c)| c.mgmt_address.and_then(address_key).as_deref() == Some(wanted.as_str()));
    match (same_address.next(), same_address.next()) {
        (Some((i, _)), None) => Some((i, MatchedBy::ManagementAddress)),
        // Two configured devices share the address: which one is meant is unknown.
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let check = |text: &str, expected: Option<&str>| {
            assert_eq!(address_key(text).as_deref(), expected, "{text:?}");
        };
        check("10.0.0.1", Some("10.0.0.1"));
        check(" 10.0.0.1:161 ", Some("10.0.0.1"));
        check("10.0.0.1:16100", Some("10.0.0.1:16100"));
        check("OLT-1.Example.NET", Some("olt-1.example.net"));
        check("olt-1.example.net:161", Some("olt-1.example.net"));
        check("[2001:db8::1]:161", Some("2001:db8::1"));
        check("[2001:db8::1]", Some("2001:db8::1"));
        check("[2001:db8::1]:1161", Some("[2001:db8::1]:1161"));
        check("2001:DB8::1", Some("2001:db8::1"));
        check("", None);
        check(":161", None);
    }

    const CONFIGURED: [ConfiguredDevice<'static>; 4] = [
        ConfiguredDevice {
            id: "0b6f-bras",
            name: "bras-gulshan-1",
            mgmt_address: Some("127.0.0.1:16100"),
        },
        ConfiguredDevice {
            id: "77aa-olt",
            name: "olt-gulshan-1",
            mgmt_address: Some("10.0.0.2"),
        },
        ConfiguredDevice {
            id: "s1",
            name: "sw-1",
            mgmt_address: Some("10.0.0.9"),
        },
        ConfiguredDevice {
            id: "s2",
            name: "sw-2",
            mgmt_address: Some("10.0.0.9:161"),
        },
    ];

    #[test]
    fn id_then_name_then_unique_address() {
        let check = |device_id: &str, address: &str, expected: Option<(usize, MatchedBy)>| {
            assert_eq!(
                configured_match(device_id, address, &CONFIGURED),
                expected,
                "{device_id} at {address}"
            );
        };
        check("77aa-olt", "192.0.2.1", Some((1, MatchedBy::Id)));
        check("bras-gulshan-1", "10.0.0.2", Some((0, MatchedBy::Name)));
        check(
            "olt-a",
            "10.0.0.2:161",
            Some((1, MatchedBy::ManagementAddress)),
        );
        check(
            "olt-a",
            "127.0.0.1:16100",
            Some((0, MatchedBy::ManagementAddress)),
        );
        check("olt-a", "127.0.0.1", None);
        // Two switches at one address: ambiguous, so no match.
        check("sw-x", "10.0.0.9", None);
        check("nobody", "", None);
    }
}
