//! Reads one neighbor's state from `birdc show protocols all "NAME"` (pure).

use std::net::IpAddr;

use crate::bird::stanza::protocol_name;
use crate::error::StatusParseError;
use crate::peering::{AsNumber, PeerStatus, SessionState};
use crate::router::BirdRouter;
use crate::shell::RouterCommand;

pub fn status_command(router: &BirdRouter, neighbor: IpAddr) -> RouterCommand {
    // Quoted, the name is a pattern: an unknown protocol is "No protocols match", not a
    // syntax error.
    RouterCommand::new(
        &router.birdc,
        [
            "show".to_owned(),
            "protocols".to_owned(),
            "all".to_owned(),
            format!("\"{}\"", protocol_name(neighbor)),
        ],
    )
}

/// `None` when BIRD has no such protocol.
pub fn parse_show_protocols(text: &str) -> Result<Option<PeerStatus>, StatusParseError> {
    if text.lines().any(|line| line.trim() == "No protocols match") {
        return Ok(None);
    }
    let bad = |what: &str| StatusParseError::Birdc(what.to_owned());
    let mut lines = text.lines().skip_while(|line| !line.starts_with("Name "));
    lines.next().ok_or_else(|| bad("no protocol table"))?;
    let row = lines.next().ok_or_else(|| bad("no protocol row"))?;
    let protocol_state = row
        .split_whitespace()
        .nth(3)
        .ok_or_else(|| bad("short protocol row"))?;
    let mut status = PeerStatus {
        state: SessionState::Down,
        remote_as: None,
        admin_down: protocol_state == "down",
        last_error: None,
        max_prefixes: None,
        import_policy: None,
        export_policy: None,
    };
    let mut saw_state = false;
    for line in lines {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let named_filter = || (value != "ACCEPT" && value != "REJECT").then(|| value.to_owned());
        match key.trim() {
            "BGP state" => {
                status.state = SessionState::parse(value)
                    .ok_or_else(|| bad(&format!("unknown BGP state {value}")))?;
                saw_state = true;
            }
            "Neighbor AS" => status.remote_as = value.parse().ok().map(AsNumber),
            "Last error" => status.last_error = Some(value.to_owned()),
            "Receive limit" => status.max_prefixes = value.parse().ok(),
            "Input filter" => status.import_policy = named_filter(),
            "Output filter" => status.export_policy = named_filter(),
            _ => {}
        }
    }
    if !saw_state {
        return Err(bad("no `BGP state:` line (not a BGP protocol?)"));
    }
    Ok(Some(status))
}

#[cfg(test)]
mod tests {
    use super::parse_show_protocols;
    use crate::peering::{AsNumber, PeerStatus, SessionState};

    fn check(text: &str, expected: Option<PeerStatus>) {
        assert_eq!(parse_show_protocols(text).unwrap(), expected);
    }

    fn status(state: SessionState, remote_as: u32) -> PeerStatus {
        PeerStatus {
            state,
            remote_as: Some(AsNumber(remote_as)),
            admin_down: false,
            last_error: None,
            max_prefixes: Some(100),
            import_policy: None,
            export_policy: None,
        }
    }

    #[test]
    fn birdc_fixtures() {
        check(include_str!("../../tests/fixtures/bird_no_match.txt"), None);
        check(
            include_str!("../../tests/fixtures/bird_established.txt"),
            Some(status(SessionState::Established, 65002)),
        );
        check(
            include_str!("../../tests/fixtures/bird_bad_peer_as.txt"),
            Some(PeerStatus {
                last_error: Some("BGP Error: Bad peer AS".to_owned()),
                ..status(SessionState::Idle, 65099)
            }),
        );
        check(
            include_str!("../../tests/fixtures/bird_disabled.txt"),
            Some(PeerStatus {
                admin_down: true,
                ..status(SessionState::Down, 65002)
            }),
        );
    }

    #[test]
    fn output_that_is_not_a_bgp_protocol_is_an_error() {
        assert!(parse_show_protocols("BIRD 2.0.12 ready.\nsyntax error\n").is_err());
        let device =
            "BIRD 2.0.12 ready.\nName       Proto      Table      State  Since         Info\n\
                      device1    Device     ---        up     11:58:26.741\n";
        assert!(parse_show_protocols(device).is_err());
    }
}
