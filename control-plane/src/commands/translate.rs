//! From a queued command row to the `proto::Command` its site's agent runs: the kind, the
//! device by the name the agent's configuration knows, and the subscriber key. A router
//! reboot goes to the customer's CPE device; a BGP peering change carries its checked
//! parameters.

use proto::{
    BgpPeerChange, CommandId, CommandKind as WireKind, CommandTarget, PonPort, SessionHints,
    SubscriberKey,
};

use crate::domain::bgp_peering::{BgpPeerRequest, PeeringChange, PolicyName};
use crate::domain::CommandKind;
use crate::store::command_dispatch::DispatchRow;

/// Why a command row cannot become a wire command; the command fails with this reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranslateError {
    #[error("command id {0} is not a UUID")]
    BadId(String),
    #[error("'{0}' is not a command kind")]
    UnknownKind(String),
    #[error("the customer has no CPE device on file (cpe_device_id), so no agent can reboot their router")]
    NoCpeDevice,
    #[error("the customer's CPE device is now {now}, not {queued_for} as when the reboot was queued; queue a new one")]
    CpeChanged { queued_for: String, now: String },
    #[error("the BGP peering parameters are not usable: {0}")]
    BadBgpParams(String),
    #[error("the customer has no PPPoE username on file")]
    NoPppoeUsername,
    #[error("the customer has no PON port and ONU id on file")]
    NoOnu,
    #[error("PON port '{0}' is not frame/slot/port, e.g. 0/1/1")]
    BadPonPort(String),
    #[error("ONU id {0} is out of range")]
    BadOnuId(i64),
    #[error("the speed parameters are missing or not whole bits per second")]
    BadSpeed,
    #[error("the fast poll parameters are missing or not whole milliseconds")]
    BadFastPoll,
}

/// Parses an OLT's PON port as stored ("0/1/1").
pub fn parse_pon_port(text: &str) -> Option<PonPort> {
    let mut parts = text.trim().split('/').map(|p| p.trim().parse::<u16>());
    let port = PonPort {
        frame: parts.next()?.ok()?,
        slot: parts.next()?.ok()?,
        port: parts.next()?.ok()?,
    };
    parts.next().is_none().then_some(port)
}

fn pppoe_key(row: &DispatchRow) -> Result<SubscriberKey, TranslateError> {
    row.pppoe_username
        .clone()
        .filter(|u| !u.is_empty())
        .map(SubscriberKey::PppoeUsername)
        .ok_or(TranslateError::NoPppoeUsername)
}

fn onu_key(row: &DispatchRow) -> Result<SubscriberKey, TranslateError> {
    let (Some(port), Some(onu_id)) = (&row.pon_port, row.onu_id) else {
        return Err(TranslateError::NoOnu);
    };
    Ok(SubscriberKey::Onu {
        olt: row.device_name.clone(),
        pon: parse_pon_port(port).ok_or_else(|| TranslateError::BadPonPort(port.clone()))?,
        onu_id: u32::try_from(onu_id).map_err(|_| TranslateError::BadOnuId(onu_id))?,
    })
}

fn speed(params: &str) -> Result<WireKind, TranslateError> {
    let value: serde_json::Value =
        serde_json::from_str(params).map_err(|_| TranslateError::BadSpeed)?;
    let bps = |key: &str| value.get(key).and_then(serde_json::Value::as_u64);
    match (bps("download_bps"), bps("upload_bps")) {
        (Some(download_bps), Some(upload_bps)) if download_bps > 0 && upload_bps > 0 => {
            Ok(WireKind::ChangeSpeed {
                download_bps,
                upload_bps,
            })
        }
        _ => Err(TranslateError::BadSpeed),
    }
}

/// The session hints stored with a disconnect or change of speed (`params.session`), if any.
/// An address that does not parse as IPv4 is left out: the hints narrow the session down, the
/// User-Name still names it.
fn session_hints(params: &str) -> Option<SessionHints> {
    let value: serde_json::Value = serde_json::from_str(params).ok()?;
    let session = value.get("session")?;
    let text = |key: &str| {
        session
            .get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|t| !t.is_empty())
    };
    let hints = SessionHints {
        acct_session_id: text("acct_session_id").map(str::to_owned),
        framed_ip: text("framed_ip").and_then(|t| t.parse().ok()),
        nas_ip: text("nas_ip").and_then(|t| t.parse().ok()),
    };
    (hints != SessionHints::default()).then_some(hints)
}

/// A disconnect or change of speed, with the session's hints when accounting knew them.
fn with_hints(kind: WireKind, params: &str) -> WireKind {
    match (kind, session_hints(params)) {
        (WireKind::DisconnectSession, Some(session)) => {
            WireKind::DisconnectSessionWithHints { session }
        }
        (
            WireKind::ChangeSpeed {
                download_bps,
                upload_bps,
            },
            Some(session),
        ) => WireKind::ChangeSpeedWithHints {
            download_bps,
            upload_bps,
            session,
        },
        (kind, _) => kind,
    }
}

fn policy(name: &Option<PolicyName>) -> Option<String> {
    name.as_ref().map(|name| name.as_str().to_owned())
}

fn bgp_peer(params: &str) -> Result<WireKind, TranslateError> {
    let value: serde_json::Value = serde_json::from_str(params)
        .map_err(|e| TranslateError::BadBgpParams(format!("not JSON: {e}")))?;
    let request = BgpPeerRequest::from_json(&value)
        .map_err(|problems| TranslateError::BadBgpParams(problems.to_string()))?;
    let change = match &request.change {
        PeeringChange::Add {
            remote_as,
            max_prefixes,
            import_policy,
            export_policy,
        } => BgpPeerChange::Add {
            remote_asn: *remote_as,
            max_prefixes: *max_prefixes,
            import_policy: policy(import_policy),
            export_policy: policy(export_policy),
        },
        PeeringChange::Enable => BgpPeerChange::Enable,
        PeeringChange::Shutdown => BgpPeerChange::Shutdown,
        PeeringChange::Remove => BgpPeerChange::Remove,
        PeeringChange::SetPrefixLimit { max_prefixes } => BgpPeerChange::SetPrefixLimit {
            max_prefixes: *max_prefixes,
        },
        PeeringChange::SetPolicy {
            import_policy,
            export_policy,
        } => BgpPeerChange::SetPolicy {
            import_policy: policy(import_policy),
            export_policy: policy(export_policy),
        },
    };
    Ok(WireKind::BgpPeer {
        peer_ip: request.peer_ip,
        change,
        dry_run: request.dry_run,
    })
}

/// The customer's CPE device, which must still be the device the reboot was queued for.
fn cpe_device(row: &DispatchRow) -> Result<(), TranslateError> {
    match &row.cpe_device_name {
        None => Err(TranslateError::NoCpeDevice),
        Some(now) if *now != row.device_name => Err(TranslateError::CpeChanged {
            queued_for: row.device_name.clone(),
            now: now.clone(),
        }),
        Some(_) => Ok(()),
    }
}

fn fast_poll(params: &str) -> Result<WireKind, TranslateError> {
    let value: serde_json::Value =
        serde_json::from_str(params).map_err(|_| TranslateError::BadFastPoll)?;
    let ms = |key: &str| {
        value
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .and_then(|ms| u32::try_from(ms).ok())
    };
    match (ms("interval_ms"), ms("duration_ms")) {
        (Some(interval_ms), Some(duration_ms)) if duration_ms > 0 => Ok(WireKind::FastPollOptics {
            interval_ms,
            duration_ms,
        }),
        _ => Err(TranslateError::BadFastPoll),
    }
}

/// The wire command for a row.
pub fn translate(row: &DispatchRow) -> Result<proto::Command, TranslateError> {
    let command_id: CommandId = row
        .id
        .parse()
        .map_err(|_| TranslateError::BadId(row.id.clone()))?;
    let kind =
        CommandKind::parse(&row.kind).map_err(|_| TranslateError::UnknownKind(row.kind.clone()))?;
    let (kind, subscriber_key) = match kind {
        CommandKind::RebootRouter => {
            cpe_device(row)?;
            (WireKind::RebootRouter, None)
        }
        CommandKind::RebootOnu => (WireKind::RebootOnu, Some(onu_key(row)?)),
        CommandKind::Disconnect => (
            with_hints(WireKind::DisconnectSession, &row.params),
            Some(pppoe_key(row)?),
        ),
        CommandKind::ChangeSpeed => (
            with_hints(speed(&row.params)?, &row.params),
            Some(pppoe_key(row)?),
        ),
        CommandKind::BgpPeerChange => (bgp_peer(&row.params)?, None),
        CommandKind::FastPollOptics => (fast_poll(&row.params)?, Some(onu_key(row)?)),
    };
    Ok(proto::Command {
        command_id,
        target: CommandTarget {
            device_id: row.device_name.clone(),
            subscriber_key,
        },
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "67e55044-10b1-426f-9247-bb680e5fe0c8";

    fn row(kind: &str, params: &str) -> DispatchRow {
        DispatchRow {
            id: ID.into(),
            kind: kind.into(),
            params: params.into(),
            state: "queued".into(),
            created_at: "2026-01-03T10:00:00.000Z".into(),
            device_name: "olt-1".into(),
            pppoe_username: Some("rahim".into()),
            pon_port: Some("0/1/2".into()),
            onu_id: Some(7),
            cpe_device_name: None,
        }
    }

    /// A reboot queued for the CPE device `queued_for` of a customer whose CPE is now `now`.
    fn router_reboot(queued_for: &str, now: Option<&str>) -> DispatchRow {
        DispatchRow {
            device_name: queued_for.into(),
            cpe_device_name: now.map(str::to_owned),
            ..row("reboot_router", "{}")
        }
    }

    fn check(row: DispatchRow, expected: Result<(WireKind, Option<&str>), TranslateError>) {
        let got = translate(&row).map(|c| {
            assert_eq!(c.command_id.to_string(), ID);
            assert_eq!(c.target.device_id, row.device_name);
            (c.kind, c.target.subscriber_key.map(|k| k.to_string()))
        });
        let expected = expected.map(|(kind, key)| (kind, key.map(str::to_owned)));
        assert_eq!(got, expected);
    }

    #[test]
    fn session_hints_from_the_parameters() {
        let hints =
            |acct: Option<&str>, framed: Option<[u8; 4]>, nas: Option<[u8; 4]>| SessionHints {
                acct_session_id: acct.map(str::to_owned),
                framed_ip: framed.map(std::net::Ipv4Addr::from),
                nas_ip: nas.map(std::net::Ipv4Addr::from),
            };
        check(
            row(
                "disconnect",
                r#"{"session":{"acct_session_id":"81a0beef","framed_ip":"100.64.0.9","nas_ip":"10.0.0.1"}}"#,
            ),
            Ok((
                WireKind::DisconnectSessionWithHints {
                    session: hints(Some("81a0beef"), Some([100, 64, 0, 9]), Some([10, 0, 0, 1])),
                },
                Some("pppoe:rahim"),
            )),
        );
        // An address that is not IPv4 is left out; the rest still narrows the session down.
        check(
            row(
                "change_speed",
                r#"{"download_bps":2000000,"upload_bps":1000000,"session":{"acct_session_id":"s1","framed_ip":"2001:db8::1","nas_ip":null}}"#,
            ),
            Ok((
                WireKind::ChangeSpeedWithHints {
                    download_bps: 2_000_000,
                    upload_bps: 1_000_000,
                    session: hints(Some("s1"), None, None),
                },
                Some("pppoe:rahim"),
            )),
        );
        // Nothing known: the kinds every agent reads.
        check(
            row("disconnect", r#"{"session":{"acct_session_id":""}}"#),
            Ok((WireKind::DisconnectSession, Some("pppoe:rahim"))),
        );
    }

    #[test]
    fn kinds_and_keys() {
        check(
            row("reboot_onu", "{}"),
            Ok((WireKind::RebootOnu, Some("onu:olt-1:0/1/2:7"))),
        );
        check(
            router_reboot("cpe-rahim", Some("cpe-rahim")),
            Ok((WireKind::RebootRouter, None)),
        );
        check(
            row(
                "bgp_peer_change",
                r#"{"peer_ip":"192.0.2.1","change":{"action":"add","remote_as":65002,"max_prefixes":null,"import_policy":"IN","export_policy":null},"dry_run":true}"#,
            ),
            Ok((
                WireKind::BgpPeer {
                    peer_ip: "192.0.2.1".parse().unwrap(),
                    change: BgpPeerChange::Add {
                        remote_asn: 65002,
                        max_prefixes: None,
                        import_policy: Some("IN".into()),
                        export_policy: None,
                    },
                    dry_run: true,
                },
                None,
            )),
        );
        check(
            row(
                "bgp_peer_change",
                r#"{"peer_ip":"2001:db8::2","change":{"action":"set_prefix_limit","max_prefixes":500}}"#,
            ),
            Ok((
                WireKind::BgpPeer {
                    peer_ip: "2001:db8::2".parse().unwrap(),
                    change: BgpPeerChange::SetPrefixLimit {
                        max_prefixes: Some(500),
                    },
                    dry_run: false,
                },
                None,
            )),
        );
        check(
            row("disconnect", "{}"),
            Ok((WireKind::DisconnectSession, Some("pppoe:rahim"))),
        );
        check(
            row(
                "change_speed",
                r#"{"download_bps":50000000,"upload_bps":25000000}"#,
            ),
            Ok((
                WireKind::ChangeSpeed {
                    download_bps: 50_000_000,
                    upload_bps: 25_000_000,
                },
                Some("pppoe:rahim"),
            )),
        );
    }

    #[test]
    fn fast_polls() {
        check(
            row(
                "fast_poll_optics",
                r#"{"interval_ms":10000,"duration_ms":120000}"#,
            ),
            Ok((
                WireKind::FastPollOptics {
                    interval_ms: 10_000,
                    duration_ms: 120_000,
                },
                Some("onu:olt-1:0/1/2:7"),
            )),
        );
        for params in [
            "{}",
            r#"{"interval_ms":10000,"duration_ms":0}"#,
            r#"{"interval_ms":10000,"duration_ms":5000000000}"#,
            r#"{"interval_ms":-1,"duration_ms":1000}"#,
        ] {
            check(
                row("fast_poll_optics", params),
                Err(TranslateError::BadFastPoll),
            );
        }
    }

    #[test]
    fn what_cannot_be_sent() {
        check(row("change_speed", "{}"), Err(TranslateError::BadSpeed));
        check(
            router_reboot("cpe-rahim", None),
            Err(TranslateError::NoCpeDevice),
        );
        check(
            router_reboot("cpe-rahim", Some("cpe-rahim-2")),
            Err(TranslateError::CpeChanged {
                queued_for: "cpe-rahim".into(),
                now: "cpe-rahim-2".into(),
            }),
        );
        assert!(matches!(
            translate(&row("bgp_peer_change", "{}")),
            Err(TranslateError::BadBgpParams(why)) if why.contains("peer_ip is required")
        ));
        check(
            DispatchRow {
                pppoe_username: None,
                ..row("disconnect", "{}")
            },
            Err(TranslateError::NoPppoeUsername),
        );
        check(
            DispatchRow {
                pon_port: Some("0/1".into()),
                ..row("reboot_onu", "{}")
            },
            Err(TranslateError::BadPonPort("0/1".into())),
        );
        check(
            DispatchRow {
                onu_id: None,
                ..row("reboot_onu", "{}")
            },
            Err(TranslateError::NoOnu),
        );
        check(
            DispatchRow {
                id: "nope".into(),
                ..row("reboot_onu", "{}")
            },
            Err(TranslateError::BadId("nope".into())),
        );
    }

    #[test]
    fn pon_ports() {
        assert_eq!(
            parse_pon_port("0/1/12"),
            Some(PonPort {
                frame: 0,
                slot: 1,
                port: 12
            })
        );
        assert_eq!(parse_pon_port("0/1/1/1"), None);
        assert_eq!(parse_pon_port("a/1/1"), None);
    }
}
