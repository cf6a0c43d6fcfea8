//! A BGP peering change staff ask a router for: the neighbor, what to change (add, enable,
//! shut down, remove, prefix limit, policies) and whether it is only a dry run, checked from
//! JSON into typed values. The same parser reads the staff request and the command's stored
//! parameters, and `to_json` writes the one stored form. No I/O.

use std::fmt;
use std::net::IpAddr;

use serde_json::{json, Map, Value};

/// The actions a change may name, in the words of the API.
pub const ACTIONS: &str = "add, enable, shutdown, remove, set_prefix_limit, set_policy";

/// AS_TRANS (RFC 6793): a placeholder in 2-octet sessions, never a real peer's AS.
const AS_TRANS: u64 = 23_456;

/// A route-map (FRR) or filter (BIRD) name: letters, digits, `_` and `-`, starting with a
/// letter, at most 63 characters, so a name can never carry another router command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyName(String);

impl PolicyName {
    pub fn parse(field: &str, name: &str) -> Result<Self, String> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if valid {
            Ok(Self(name.to_owned()))
        } else {
            Err(format!(
                "{field} {name:?} is not a policy name (letters, digits, _ and -, starting with a letter, at most 63 characters)"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PolicyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What happens to the neighbor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeeringChange {
    Add {
        remote_as: u32,
        /// `None`: no limit.
        max_prefixes: Option<u32>,
        import_policy: Option<PolicyName>,
        export_policy: Option<PolicyName>,
    },
    Enable,
    Shutdown,
    Remove,
    /// `None` removes the limit.
    SetPrefixLimit {
        max_prefixes: Option<u32>,
    },
    /// Both directions: `None` removes that direction's policy.
    SetPolicy {
        import_policy: Option<PolicyName>,
        export_policy: Option<PolicyName>,
    },
}

impl PeeringChange {
    pub fn action(&self) -> &'static str {
        match self {
            Self::Add { .. } => "add",
            Self::Enable => "enable",
            Self::Shutdown => "shutdown",
            Self::Remove => "remove",
            Self::SetPrefixLimit { .. } => "set_prefix_limit",
            Self::SetPolicy { .. } => "set_policy",
        }
    }
}

/// One checked peering change request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BgpPeerRequest {
    pub peer_ip: IpAddr,
    pub change: PeeringChange,
    pub dry_run: bool,
}

/// Every problem with a request, each a sentence naming its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("; "))]
pub struct PeeringProblems(pub Vec<String>);

impl BgpPeerRequest {
    /// Checks `{"peer_ip": …, "change": {"action": …, …}, "dry_run": …}`, reporting every
    /// problem at once.
    pub fn from_json(value: &Value) -> Result<Self, PeeringProblems> {
        let mut problems = Vec::new();
        let Some(body) = value.as_object() else {
            return Err(PeeringProblems(vec![
                "the body must be a JSON object with peer_ip, change and dry_run".to_owned(),
            ]));
        };
        for key in body.keys() {
            if !matches!(key.as_str(), "peer_ip" | "change" | "dry_run") {
                problems.push(format!(
                    "unknown field {key}; the body has peer_ip, change and dry_run"
                ));
            }
        }
        let peer_ip = peer_ip(body.get("peer_ip"), &mut problems);
        let change = change(body.get("change"), &mut problems);
        let dry_run = match body.get("dry_run") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(dry_run)) => *dry_run,
            Some(_) => {
                problems.push("dry_run must be true or false".to_owned());
                false
            }
        };
        match (peer_ip, change) {
            (Some(peer_ip), Some(change)) if problems.is_empty() => Ok(Self {
                peer_ip,
                change,
                dry_run,
            }),
            _ => Err(PeeringProblems(problems)),
        }
    }

    /// The stored form, which `from_json` reads back to the same request.
    pub fn to_json(&self) -> Value {
        let name = |policy: &Option<PolicyName>| policy.as_ref().map(|p| p.as_str().to_owned());
        let change = match &self.change {
            PeeringChange::Add {
                remote_as,
                max_prefixes,
                import_policy,
                export_policy,
            } => json!({
                "action": "add",
                "remote_as": remote_as,
                "max_prefixes": max_prefixes,
                "import_policy": name(import_policy),
                "export_policy": name(export_policy),
            }),
            PeeringChange::SetPrefixLimit { max_prefixes } => {
                json!({ "action": "set_prefix_limit", "max_prefixes": max_prefixes })
            }
            PeeringChange::SetPolicy {
                import_policy,
                export_policy,
            } => json!({
                "action": "set_policy",
                "import_policy": name(import_policy),
                "export_policy": name(export_policy),
            }),
            other => json!({ "action": other.action() }),
        };
        json!({
            "peer_ip": self.peer_ip.to_string(),
            "change": change,
            "dry_run": self.dry_run,
        })
    }
}

fn peer_ip(value: Option<&Value>, problems: &mut Vec<String>) -> Option<IpAddr> {
    let Some(text) = value.and_then(Value::as_str) else {
        problems.push("peer_ip is required: the neighbor's IPv4 or IPv6 address".to_owned());
        return None;
    };
    let Ok(ip) = text.trim().parse::<IpAddr>() else {
        problems.push(format!("peer_ip {text:?} is not an IPv4 or IPv6 address"));
        return None;
    };
    let unusable = match ip {
        IpAddr::V4(v4) => v4.is_broadcast() || v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_unicast_link_local(),
    } || ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast();
    if unusable {
        problems.push(format!(
            "peer_ip {ip} cannot be a BGP neighbor (unspecified, loopback, multicast, broadcast or link-local)"
        ));
        return None;
    }
    Some(ip)
}

/// A field that must be present: its value (`null` included), or a problem.
fn present<'a>(
    change: &'a Map<String, Value>,
    field: &str,
    what: &str,
    problems: &mut Vec<String>,
) -> Option<&'a Value> {
    let value = change.get(field);
    if value.is_none() {
        problems.push(format!("change.{field} is required: {what}"));
    }
    value
}

fn max_prefixes(value: Option<&Value>, problems: &mut Vec<String>) -> Option<Option<u32>> {
    match value {
        None | Some(Value::Null) => Some(None),
        Some(value) => match value.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(limit) if limit >= 1 => Some(Some(limit)),
            _ => {
                problems.push(format!(
                    "change.max_prefixes must be a whole number from 1 to {}, or null for no limit",
                    u32::MAX
                ));
                None
            }
        },
    }
}

fn policy(
    field: &str,
    value: Option<&Value>,
    problems: &mut Vec<String>,
) -> Option<Option<PolicyName>> {
    match value {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(name)) => match PolicyName::parse(&format!("change.{field}"), name) {
            Ok(name) => Some(Some(name)),
            Err(problem) => {
                problems.push(problem);
                None
            }
        },
        Some(_) => {
            problems.push(format!(
                "change.{field} must be a policy name or null for none"
            ));
            None
        }
    }
}

fn change(value: Option<&Value>, problems: &mut Vec<String>) -> Option<PeeringChange> {
    let Some(change) = value.and_then(Value::as_object) else {
        problems.push(format!(
            "change is required: an object with action ({ACTIONS}) and its fields"
        ));
        return None;
    };
    let Some(action) = change.get("action").and_then(Value::as_str) else {
        problems.push(format!("change.action is required: one of {ACTIONS}"));
        return None;
    };
    let fields: &[&str] = match action {
        "add" => &[
            "remote_as",
            "max_prefixes",
            "import_policy",
            "export_policy",
        ],
        "enable" | "shutdown" | "remove" => &[],
        "set_prefix_limit" => &["max_prefixes"],
        "set_policy" => &["import_policy", "export_policy"],
        other => {
            problems.push(format!("change.action {other:?} is not one of {ACTIONS}"));
            return None;
        }
    };
    for key in change.keys() {
        if key != "action" && !fields.contains(&key.as_str()) {
            problems.push(format!("change.{key} is not used with action {action}"));
        }
    }
    let before = problems.len();
    let parsed = match action {
        "add" => {
            let remote_as = match change.get("remote_as").and_then(Value::as_u64) {
                Some(asn) if (1..u64::from(u32::MAX)).contains(&asn) && asn != AS_TRANS => {
                    u32::try_from(asn).ok()
                }
                _ => {
                    problems.push(
                        "change.remote_as is required: the peer's AS number, 1 to 4294967294 (not 23456)"
                            .to_owned(),
                    );
                    None
                }
            };
            let limit = max_prefixes(change.get("max_prefixes"), problems);
            let import = policy("import_policy", change.get("import_policy"), problems);
            let export = policy("export_policy", change.get("export_policy"), problems);
            match (remote_as, limit, import, export) {
                (Some(remote_as), Some(max_prefixes), Some(import_policy), Some(export_policy)) => {
                    Some(PeeringChange::Add {
                        remote_as,
                        max_prefixes,
                        import_policy,
                        export_policy,
                    })
                }
                _ => None,
            }
        }
        "enable" => Some(PeeringChange::Enable),
        "shutdown" => Some(PeeringChange::Shutdown),
        "remove" => Some(PeeringChange::Remove),
        "set_prefix_limit" => {
            let value = present(
                change,
                "max_prefixes",
                "the new limit, or null to remove it",
                problems,
            );
            value
                .and_then(|v| max_prefixes(Some(v), problems))
                .map(|max_prefixes| PeeringChange::SetPrefixLimit { max_prefixes })
        }
        _ => {
            let what = "a policy name, or null for none (both directions are set)";
            let import = present(change, "import_policy", what, problems)
                .and_then(|v| policy("import_policy", Some(v), problems));
            let export = present(change, "export_policy", what, problems)
                .and_then(|v| policy("export_policy", Some(v), problems));
            match (import, export) {
                (Some(import_policy), Some(export_policy)) => Some(PeeringChange::SetPolicy {
                    import_policy,
                    export_policy,
                }),
                _ => None,
            }
        }
    };
    parsed.filter(|_| problems.len() == before)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: Value, expected: Result<Value, &[&str]>) {
        let parsed = BgpPeerRequest::from_json(&body);
        match expected {
            Ok(stored) => {
                let request = parsed.unwrap_or_else(|e| panic!("{body}: {e}"));
                assert_eq!(request.to_json(), stored, "{body}");
                assert_eq!(
                    BgpPeerRequest::from_json(&stored),
                    Ok(request),
                    "round trip"
                );
            }
            Err(parts) => {
                let problems = parsed.expect_err("refused").0;
                assert_eq!(problems.len(), parts.len(), "{problems:?}");
                for (problem, part) in problems.iter().zip(parts) {
                    assert!(problem.contains(part), "{problem:?} lacks {part:?}");
                }
            }
        }
    }

    #[test]
    fn valid_changes_and_their_stored_form() {
        check(
            json!({ "peer_ip": "192.0.2.1", "change": { "action": "add", "remote_as": 65002, "max_prefixes": 100, "import_policy": "TRANSIT-IN" } }),
            Ok(
                json!({ "peer_ip": "192.0.2.1", "dry_run": false, "change": {
                "action": "add", "remote_as": 65002, "max_prefixes": 100,
                "import_policy": "TRANSIT-IN", "export_policy": null } }),
            ),
        );
        check(
            json!({ "peer_ip": "2001:db8::2", "change": { "action": "shutdown" }, "dry_run": true }),
            Ok(
                json!({ "peer_ip": "2001:db8::2", "dry_run": true, "change": { "action": "shutdown" } }),
            ),
        );
        check(
            json!({ "peer_ip": "192.0.2.1", "change": { "action": "set_prefix_limit", "max_prefixes": null } }),
            Ok(
                json!({ "peer_ip": "192.0.2.1", "dry_run": false, "change": { "action": "set_prefix_limit", "max_prefixes": null } }),
            ),
        );
        check(
            json!({ "peer_ip": "192.0.2.1", "change": { "action": "set_policy", "import_policy": null, "export_policy": "OUT_1" } }),
            Ok(
                json!({ "peer_ip": "192.0.2.1", "dry_run": false, "change": { "action": "set_policy", "import_policy": null, "export_policy": "OUT_1" } }),
            ),
        );
    }

    #[test]
    fn every_problem_is_named() {
        check(json!([1]), Err(&["must be a JSON object"]));
        check(
            json!({ "change": { "action": "enable" }, "colour": 1, "dry_run": "yes" }),
            Err(&[
                "unknown field colour",
                "peer_ip is required",
                "dry_run must be",
            ]),
        );
        check(
            json!({ "peer_ip": "127.0.0.1", "change": { "action": "reboot" } }),
            Err(&["cannot be a BGP neighbor", "not one of add, enable"]),
        );
        check(
            json!({ "peer_ip": "fe80::1", "change": {} }),
            Err(&["cannot be a BGP neighbor", "change.action is required"]),
        );
        check(
            json!({ "peer_ip": "192.0.2.1", "change": { "action": "add", "remote_as": 0, "max_prefixes": 0, "export_policy": "x; reboot" } }),
            Err(&[
                "change.remote_as is required",
                "change.max_prefixes must be",
                "change.export_policy \"x; reboot\"",
            ]),
        );
        check(
            json!({ "peer_ip": "192.0.2.1", "change": { "action": "add", "remote_as": 23456 } }),
            Err(&["not 23456"]),
        );
        check(
            json!({ "peer_ip": "192.0.2.1", "change": { "action": "remove", "remote_as": 65002 } }),
            Err(&["change.remote_as is not used with action remove"]),
        );
        check(
            json!({ "peer_ip": "192.0.2.1", "change": { "action": "set_prefix_limit" } }),
            Err(&["change.max_prefixes is required"]),
        );
        check(
            json!({ "peer_ip": "192.0.2.1", "change": { "action": "set_policy", "import_policy": "IN" } }),
            Err(&["change.export_policy is required"]),
        );
        check(
            json!({ "peer_ip": "10.0.0.300", "change": "add" }),
            Err(&["is not an IPv4 or IPv6 address", "change is required"]),
        );
    }
}
