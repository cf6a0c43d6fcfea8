//! Reads one neighbor's state from FRR's `show bgp neighbors IP json` (pure).

use std::net::IpAddr;

use serde_json::Value;

use crate::error::StatusParseError;
use crate::peering::{AsNumber, PeerStatus, SessionState};
use crate::router::FrrRouter;
use crate::shell::RouterCommand;

pub fn status_command(router: &FrrRouter, neighbor: IpAddr) -> RouterCommand {
    RouterCommand::new(
        &router.vtysh,
        [
            "-c".to_owned(),
            format!("show bgp neighbors {neighbor} json"),
        ],
    )
}

/// `None` when FRR says the neighbor does not exist.
pub fn parse_neighbor_json(
    json: &str,
    neighbor: IpAddr,
) -> Result<Option<PeerStatus>, StatusParseError> {
    let bad = |what: &str| StatusParseError::FrrJson(what.to_owned());
    let root: Value = serde_json::from_str(json).map_err(|e| bad(&e.to_string()))?;
    let root = root.as_object().ok_or_else(|| bad("not an object"))?;
    if root.get("bgpNoSuchNeighbor") == Some(&Value::Bool(true)) || root.is_empty() {
        return Ok(None);
    }
    let peer = root
        .get(&neighbor.to_string())
        .ok_or_else(|| bad(&format!("no entry for {neighbor}")))?;
    let state_word = peer
        .get("bgpState")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no bgpState"))?;
    let state = SessionState::parse(state_word)
        .ok_or_else(|| bad(&format!("unknown bgpState {state_word}")))?;
    let text = |value: &Value, key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    let family = peer
        .get("addressFamilyInfo")
        .and_then(|f| {
            f.get(if neighbor.is_ipv4() {
                "ipv4Unicast"
            } else {
                "ipv6Unicast"
            })
        })
        .cloned()
        .unwrap_or(Value::Null);
    Ok(Some(PeerStatus {
        state,
        remote_as: peer
            .get("remoteAs")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .map(AsNumber),
        admin_down: peer.get("adminShutDown") == Some(&Value::Bool(true)),
        last_error: text(peer, "lastNotificationReason").or_else(|| text(peer, "lastResetDueTo")),
        max_prefixes: family
            .get("prefixAllowedMax")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok()),
        import_policy: text(&family, "routeMapForIncomingAdvertisements"),
        export_policy: text(&family, "routeMapForOutgoingAdvertisements"),
    }))
}

#[cfg(test)]
mod tests {
    use super::parse_neighbor_json;
    use crate::peering::{AsNumber, PeerStatus, SessionState};

    fn check(json: &str, expected: Option<PeerStatus>) {
        let neighbor = "10.213.0.2".parse().unwrap();
        assert_eq!(parse_neighbor_json(json, neighbor).unwrap(), expected);
    }

    fn status(state: SessionState, remote_as: u32) -> PeerStatus {
        PeerStatus {
            state,
            remote_as: Some(AsNumber(remote_as)),
            admin_down: false,
            last_error: None,
            max_prefixes: None,
            import_policy: None,
            export_policy: None,
        }
    }

    #[test]
    fn frr_neighbor_json_fixtures() {
        check(
            include_str!("../../tests/fixtures/frr_no_such_neighbor.json"),
            None,
        );
        check(
            include_str!("../../tests/fixtures/frr_established.json"),
            Some(PeerStatus {
                max_prefixes: Some(100),
                import_policy: Some("NETOPS-IN".to_owned()),
                export_policy: Some("NETOPS-OUT".to_owned()),
                // The reason of the last reset, from before the session came up.
                last_error: Some("No AFI/SAFI activated for peer".to_owned()),
                ..status(SessionState::Established, 65002)
            }),
        );
        check(
            include_str!("../../tests/fixtures/frr_bad_peer_as.json"),
            Some(PeerStatus {
                last_error: Some("OPEN Message Error/Bad Peer AS".to_owned()),
                ..status(SessionState::Idle, 65099)
            }),
        );
        let shut = parse_neighbor_json(
            include_str!("../../tests/fixtures/frr_shutdown.json"),
            "10.213.0.2".parse().unwrap(),
        )
        .unwrap()
        .unwrap();
        assert!(shut.admin_down);
        assert_eq!(shut.state, SessionState::Idle);
    }

    #[test]
    fn output_that_is_not_neighbor_json_is_an_error() {
        let neighbor = "10.213.0.2".parse().unwrap();
        assert!(parse_neighbor_json("% Unknown command", neighbor).is_err());
        assert!(parse_neighbor_json(r#"{"10.213.0.2":{}}"#, neighbor).is_err());
        assert!(parse_neighbor_json(r#"{"10.9.9.9":{"bgpState":"Idle"}}"#, neighbor).is_err());
    }
}
