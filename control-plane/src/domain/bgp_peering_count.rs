//! How many BGP peerings a customer has in use, from the peering changes that succeeded for
//! them in order: a neighbor counts from its `add` until its `remove`. No I/O.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::bgp_peering::{BgpPeerRequest, PeeringChange};

/// Peerings in use after `changes` (router device id and request, oldest first). Dry runs
/// change nothing; a shut-down neighbor still counts, since it is still configured.
pub fn peerings_in_use<'a>(changes: impl IntoIterator<Item = (&'a str, BgpPeerRequest)>) -> usize {
    let mut configured: BTreeSet<(&str, IpAddr)> = BTreeSet::new();
    for (device_id, request) in changes {
        if request.dry_run {
            continue;
        }
        match request.change {
            PeeringChange::Add { .. } => {
                configured.insert((device_id, request.peer_ip));
            }
            PeeringChange::Remove => {
                configured.remove(&(device_id, request.peer_ip));
            }
            _ => {}
        }
    }
    configured.len()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn change(peer: &str, action: &str, dry_run: bool) -> BgpPeerRequest {
        let change = match action {
            "add" => json!({ "action": "add", "remote_as": 65002 }),
            other => json!({ "action": other }),
        };
        BgpPeerRequest::from_json(&json!({ "peer_ip": peer, "change": change, "dry_run": dry_run }))
            .expect("valid change")
    }

    fn check(changes: &[(&str, &str, &str, bool)], expected: usize) {
        let requests = changes
            .iter()
            .map(|(device, peer, action, dry)| (*device, change(peer, action, *dry)));
        assert_eq!(peerings_in_use(requests), expected, "{changes:?}");
    }

    #[test]
    fn counts_added_until_removed() {
        check(&[], 0);
        check(&[("r1", "192.0.2.1", "add", false)], 1);
        check(&[("r1", "192.0.2.1", "add", true)], 0);
        check(
            &[
                ("r1", "192.0.2.1", "add", false),
                ("r1", "192.0.2.1", "add", false),
                ("r2", "192.0.2.1", "add", false),
                ("r1", "2001:db8::1", "add", false),
            ],
            3,
        );
        check(
            &[
                ("r1", "192.0.2.1", "add", false),
                ("r1", "192.0.2.1", "shutdown", false),
                ("r1", "192.0.2.2", "add", false),
                ("r1", "192.0.2.2", "remove", true),
            ],
            2,
        );
        check(
            &[
                ("r1", "192.0.2.1", "add", false),
                ("r1", "192.0.2.1", "remove", false),
                ("r2", "192.0.2.1", "remove", false),
            ],
            0,
        );
    }
}
