//! The protocol stanza netops writes for one BIRD neighbor, and its header line, from which
//! netops reads back what it configured (pure).

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;

use crate::error::PlanError;
use crate::peering::{AsNumber, PolicyName};
use crate::router::BirdRouter;

const HEADER: &str = "# netops-peer";

/// What netops manages for one BIRD neighbor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerStanza {
    pub neighbor: IpAddr,
    pub remote_as: AsNumber,
    pub max_prefixes: Option<u32>,
    pub import_policy: Option<PolicyName>,
    pub export_policy: Option<PolicyName>,
    pub shut_down: bool,
}

/// `netops_10_213_0_2` for 10.213.0.2; `netops_2001_db8__1` for 2001:db8::1.
pub fn protocol_name(neighbor: IpAddr) -> String {
    let address: String = neighbor
        .to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("netops_{address}")
}

pub fn stanza_path(router: &BirdRouter, neighbor: IpAddr) -> PathBuf {
    router
        .peers_dir
        .join(format!("{}.conf", protocol_name(neighbor)))
}

impl PeerStanza {
    /// The file netops writes: a header netops reads back, then the protocol.
    pub fn render(&self, router: &BirdRouter) -> String {
        let n = self.neighbor;
        let policy = |p: &Option<PolicyName>| p.as_ref().map_or("-".to_owned(), |p| p.to_string());
        let mut text = format!(
            "# Managed by netops; edits here are overwritten by the next netops change.\n\
             {HEADER} neighbor={n} remote-as={} max-prefixes={} import={} export={} shut-down={}\n\
             protocol bgp {} {{\n    local as {};\n    neighbor {n} as {};\n",
            self.remote_as,
            self.max_prefixes.map_or("-".to_owned(), |m| m.to_string()),
            policy(&self.import_policy),
            policy(&self.export_policy),
            if self.shut_down { "yes" } else { "no" },
            protocol_name(n),
            router.local_as,
            self.remote_as,
        );
        if self.shut_down {
            text.push_str("    disabled yes;\n");
        }
        if let Some(timers) = router.timers {
            // BIRD waits `connect delay time` before its first connect: one retry interval.
            let _ = write!(
                text,
                "    hold time {};\n    keepalive time {};\n    connect retry time {};\n    connect delay time {};\n",
                timers.hold_s, timers.keepalive_s, timers.connect_retry_s, timers.connect_retry_s
            );
        }
        let _ = writeln!(text, "    {} {{", if n.is_ipv4() { "ipv4" } else { "ipv6" });
        let _ = match &self.import_policy {
            Some(name) => writeln!(text, "        import filter {name};"),
            None => writeln!(text, "        import none;"),
        };
        let _ = match &self.export_policy {
            Some(name) => writeln!(text, "        export filter {name};"),
            None => writeln!(text, "        export none;"),
        };
        if let Some(limit) = self.max_prefixes {
            let _ = writeln!(text, "        receive limit {limit} action disable;");
        }
        text.push_str("    };\n}\n");
        text
    }

    /// Reads the header line of a stanza netops wrote.
    pub fn parse(file_text: &str, file: &str) -> Result<Self, PlanError> {
        let bad = |reason: &str| PlanError::BadStanzaHeader {
            file: file.to_owned(),
            reason: reason.to_owned(),
        };
        let header = file_text
            .lines()
            .find_map(|line| line.strip_prefix(HEADER))
            .ok_or_else(|| bad("no `# netops-peer` line"))?;
        let field = |key: &str| {
            header
                .split_whitespace()
                .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
                .ok_or_else(|| bad(&format!("no {key}=")))
        };
        let optional = |value: &str| (value != "-").then(|| value.to_owned());
        let policy = |value: &str| optional(value).map(|v| PolicyName::parse(&v)).transpose();
        Ok(Self {
            neighbor: field("neighbor")?
                .parse()
                .map_err(|_| bad("neighbor is not an IP address"))?,
            remote_as: AsNumber(
                field("remote-as")?
                    .parse()
                    .map_err(|_| bad("remote-as is not a number"))?,
            ),
            max_prefixes: optional(field("max-prefixes")?)
                .map(|v| v.parse())
                .transpose()
                .map_err(|_| bad("max-prefixes is not a number"))?,
            import_policy: policy(field("import")?)?,
            export_policy: policy(field("export")?)?,
            shut_down: field("shut-down")? == "yes",
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{protocol_name, PeerStanza};
    use crate::peering::{AsNumber, BgpTimers, PolicyName};
    use crate::router::BirdRouter;

    fn router() -> BirdRouter {
        BirdRouter {
            birdc: vec!["birdc".to_owned()],
            peers_dir: "/etc/bird/netops".into(),
            local_as: AsNumber(65001),
            timers: Some(BgpTimers {
                keepalive_s: 3,
                hold_s: 9,
                connect_retry_s: 1,
            }),
            revert_after: Duration::from_secs(60),
        }
    }

    #[test]
    fn protocol_names_are_bird_symbols() {
        assert_eq!(
            protocol_name("10.213.0.2".parse().unwrap()),
            "netops_10_213_0_2"
        );
        assert_eq!(
            protocol_name("2001:db8::1".parse().unwrap()),
            "netops_2001_db8__1"
        );
    }

    #[test]
    fn a_stanza_renders_and_reads_back() {
        let stanza = PeerStanza {
            neighbor: "10.213.0.2".parse().unwrap(),
            remote_as: AsNumber(65002),
            max_prefixes: Some(100),
            import_policy: Some(PolicyName::parse("TRANSIT_IN").unwrap()),
            export_policy: None,
            shut_down: true,
        };
        let text = stanza.render(&router());
        assert_eq!(
            text,
            "# Managed by netops; edits here are overwritten by the next netops change.\n\
             # netops-peer neighbor=10.213.0.2 remote-as=65002 max-prefixes=100 import=TRANSIT_IN export=- shut-down=yes\n\
             protocol bgp netops_10_213_0_2 {\n    local as 65001;\n    neighbor 10.213.0.2 as 65002;\n\
             \x20   disabled yes;\n    hold time 9;\n    keepalive time 3;\n    connect retry time 1;\n\
             \x20   connect delay time 1;\n    ipv4 {\n        import filter TRANSIT_IN;\n        export none;\n\
             \x20       receive limit 100 action disable;\n    };\n}\n"
        );
        assert_eq!(PeerStanza::parse(&text, "x.conf").unwrap(), stanza);
    }

    #[test]
    fn a_file_without_the_header_is_not_netops_managed() {
        assert!(PeerStanza::parse("protocol bgp x {}\n", "x.conf").is_err());
    }
}
