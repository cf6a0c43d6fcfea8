//! Protocol version constants and the handshake's version negotiation.

use thiserror::Error;

/// The newest protocol version this build speaks; sent in `Hello`.
///
/// Version 2 adds `SubscriberKeys` and `IndexedSamples`: subscribers numbered per connection,
/// so a batch entry is a few varints instead of a key. Version 3 adds command kinds carrying
/// `SessionHints` (appended, so older kinds encode as before; the control plane sends them only
/// on a version 3 connection, `Command::for_version`) and `InventoryChunk`: an inventory too
/// large for one frame goes as several. Every older frame is unchanged.
pub const PROTOCOL_VERSION: u16 = 3;

/// The oldest protocol version this build still decodes.
pub const MIN_PROTOCOL_VERSION: u16 = 1;

/// The peer's newest version is older than anything this build still speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error(
    "peer speaks protocol version {peer_version} at most, this build needs {MIN_PROTOCOL_VERSION} to {PROTOCOL_VERSION}"
)]
pub struct VersionMismatch {
    pub peer_version: u16,
}

/// Picks the version both sides speak, given the newest version the peer announced in `Hello`.
///
/// The control plane answers with the result in `HelloAck::accepted_version`, or closes the
/// connection with the error's message.
pub fn negotiate_version(peer_version: u16) -> Result<u16, VersionMismatch> {
    if peer_version < MIN_PROTOCOL_VERSION {
        return Err(VersionMismatch { peer_version });
    }
    Ok(peer_version.min(PROTOCOL_VERSION))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(peer_version: u16, expected: Result<u16, VersionMismatch>) {
        assert_eq!(
            negotiate_version(peer_version),
            expected,
            "peer {peer_version}"
        );
    }

    #[test]
    fn negotiation() {
        check(1, Ok(1));
        check(2, Ok(2));
        check(3, Ok(3));
        check(7, Ok(PROTOCOL_VERSION));
        check(0, Err(VersionMismatch { peer_version: 0 }));
    }
}
