//! RFC 5176 requests as a NAS sees them, as bytes without I/O: checking a Disconnect-Request or
//! CoA-Request (Request Authenticator, Message-Authenticator) and building its ACK or NAK.

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};

const HEADER_BYTES: usize = 20;
const USER_NAME: u8 = 1;
const FRAMED_IP_ADDRESS: u8 = 8;
const ACCT_SESSION_ID: u8 = 44;
const FILTER_ID: u8 = 11;
const VENDOR_SPECIFIC: u8 = 26;
const MESSAGE_AUTHENTICATOR: u8 = 80;
const ERROR_CAUSE: u8 = 101;
const MIKROTIK_VENDOR_ID: u32 = 14988;
const MIKROTIK_RATE_LIMIT: u8 = 8;

/// Which dynamic authorization request a NAS received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DacRequestKind {
    Disconnect,
    Coa,
}

impl DacRequestKind {
    fn from_code(code: u8) -> Option<Self> {
        match code {
            40 => Some(Self::Disconnect),
            43 => Some(Self::Coa),
            _ => None,
        }
    }

    /// (ACK, NAK) codes.
    fn answer_codes(self) -> (u8, u8) {
        match self {
            Self::Disconnect => (41, 42),
            Self::Coa => (44, 45),
        }
    }
}

/// An authenticated request and what it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CheckedRequest {
    pub kind: DacRequestKind,
    pub identifier: u8,
    pub authenticator: [u8; 16],
    pub user_name: Option<String>,
    /// Mikrotik-Rate-Limit text, e.g. `10M/50M`.
    pub mikrotik_rate_limit: Option<String>,
    pub filter_id: Option<String>,
    pub acct_session_id: Option<String>,
    pub framed_ip: Option<std::net::Ipv4Addr>,
}

/// Why a datagram was dropped without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dropped {
    Malformed,
    NotDynamicAuthorization,
    BadRequestAuthenticator,
    BadMessageAuthenticator,
}

/// Checks a request datagram with the shared secret.
pub(super) fn check_request(packet: &[u8], secret: &[u8]) -> Result<CheckedRequest, Dropped> {
    if packet.len() < HEADER_BYTES {
        return Err(Dropped::Malformed);
    }
    let declared = usize::from(u16::from_be_bytes([packet[2], packet[3]]));
    if declared < HEADER_BYTES || declared > packet.len() {
        return Err(Dropped::Malformed);
    }
    let packet = &packet[..declared];
    let kind = DacRequestKind::from_code(packet[0]).ok_or(Dropped::NotDynamicAuthorization)?;
    let attributes = attributes(packet).ok_or(Dropped::Malformed)?;
    // Request Authenticator = MD5(Code | Identifier | Length | 16 zero octets | Attributes | Secret).
    let mut zeroed = packet.to_vec();
    zeroed[4..HEADER_BYTES].fill(0);
    if md5_with_secret(&zeroed, secret) != packet[4..HEADER_BYTES] {
        return Err(Dropped::BadRequestAuthenticator);
    }
    // Message-Authenticator: HMAC-MD5 over the packet with the authenticator field and its own
    // value zeroed (RFC 5176 section 3.4 with RFC 3579).
    if let Some(&(_, offset, _)) = attributes
        .iter()
        .find(|(kind, _, len)| *kind == MESSAGE_AUTHENTICATOR && *len == 16)
    {
        zeroed[offset..offset + 16].fill(0);
        if hmac_md5(secret, &zeroed) != packet[offset..offset + 16] {
            return Err(Dropped::BadMessageAuthenticator);
        }
    }
    let text = |wanted: u8| {
        attributes
            .iter()
            .find(|(kind, _, _)| *kind == wanted)
            .map(|&(_, offset, len)| {
                String::from_utf8_lossy(&packet[offset..offset + len]).into_owned()
            })
    };
    let mikrotik_rate_limit = attributes
        .iter()
        .filter(|(kind, _, len)| *kind == VENDOR_SPECIFIC && *len > 6)
        .map(|&(_, offset, len)| &packet[offset..offset + len])
        .find(|vsa| vsa[..4] == MIKROTIK_VENDOR_ID.to_be_bytes() && vsa[4] == MIKROTIK_RATE_LIMIT)
        .map(|vsa| String::from_utf8_lossy(&vsa[6..]).into_owned());
    let mut authenticator = [0u8; 16];
    authenticator.copy_from_slice(&packet[4..HEADER_BYTES]);
    Ok(CheckedRequest {
        kind,
        identifier: packet[1],
        authenticator,
        user_name: text(USER_NAME),
        mikrotik_rate_limit,
        filter_id: text(FILTER_ID),
        acct_session_id: text(ACCT_SESSION_ID),
        framed_ip: attributes
            .iter()
            .find(|(kind, _, len)| *kind == FRAMED_IP_ADDRESS && *len == 4)
            .map(|&(_, offset, _)| {
                std::net::Ipv4Addr::new(
                    packet[offset],
                    packet[offset + 1],
                    packet[offset + 2],
                    packet[offset + 3],
                )
            }),
    })
}

/// An ACK, or a NAK with one Error-Cause, signed for `request`: Message-Authenticator then
/// Response Authenticator = MD5(Code | Identifier | Length | Request Authenticator | Attributes | Secret).
pub(super) fn build_answer(
    request: &CheckedRequest,
    error_cause: Option<u32>,
    secret: &[u8],
) -> Vec<u8> {
    let (ack, nak) = request.kind.answer_codes();
    let mut packet = vec![
        if error_cause.is_some() { nak } else { ack },
        request.identifier,
        0,
        0,
    ];
    packet.extend_from_slice(&request.authenticator);
    if let Some(cause) = error_cause {
        packet.extend_from_slice(&[ERROR_CAUSE, 6]);
        packet.extend_from_slice(&cause.to_be_bytes());
    }
    packet.extend_from_slice(&[MESSAGE_AUTHENTICATOR, 18]);
    let ma_offset = packet.len();
    packet.extend_from_slice(&[0u8; 16]);
    let len = u16::try_from(packet.len())
        .unwrap_or(u16::MAX)
        .to_be_bytes();
    packet[2..4].copy_from_slice(&len);
    let mac = hmac_md5(secret, &packet);
    packet[ma_offset..ma_offset + 16].copy_from_slice(&mac);
    let authenticator = md5_with_secret(&packet, secret);
    packet[4..HEADER_BYTES].copy_from_slice(&authenticator);
    packet
}

/// (type, value offset, value length) of every attribute; `None` when one is malformed.
fn attributes(packet: &[u8]) -> Option<Vec<(u8, usize, usize)>> {
    let mut out = Vec::new();
    let mut at = HEADER_BYTES;
    while at < packet.len() {
        let len = usize::from(*packet.get(at + 1)?);
        if len < 2 || at + len > packet.len() {
            return None;
        }
        out.push((packet[at], at + 2, len - 2));
        at += len;
    }
    Some(out)
}

fn hmac_md5(secret: &[u8], data: &[u8]) -> [u8; 16] {
    let Ok(mut mac) = <Hmac<Md5> as Mac>::new_from_slice(secret) else {
        // HMAC accepts keys of any length; a zero MAC would only make the peer drop the answer.
        return [0; 16];
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn md5_with_secret(data: &[u8], secret: &[u8]) -> [u8; 16] {
    let mut md5 = Md5::new();
    md5.update(data);
    md5.update(secret);
    md5.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Disconnect-Request for `bob` signed with `secret`, as a client builds it.
    fn disconnect_request(secret: &[u8], with_ma: bool) -> Vec<u8> {
        let mut packet = vec![40, 7, 0, 0];
        packet.extend_from_slice(&[0u8; 16]);
        packet.extend_from_slice(&[USER_NAME, 5, b'b', b'o', b'b']);
        let ma = packet.len() + 2;
        if with_ma {
            packet.extend_from_slice(&[MESSAGE_AUTHENTICATOR, 18]);
            packet.extend_from_slice(&[0u8; 16]);
        }
        let len = (packet.len() as u16).to_be_bytes();
        packet[2..4].copy_from_slice(&len);
        if with_ma {
            let mac = hmac_md5(secret, &packet);
            packet[ma..ma + 16].copy_from_slice(&mac);
        }
        let auth = md5_with_secret(&packet, secret);
        packet[4..20].copy_from_slice(&auth);
        packet
    }

    fn check(packet: &[u8], secret: &[u8], expected: Result<Option<&str>, Dropped>) {
        let checked = check_request(packet, secret);
        assert_eq!(
            checked.map(|request| request.user_name),
            expected.map(|name| name.map(str::to_owned))
        );
    }

    #[test]
    fn requests_authenticate_only_with_the_right_secret() {
        check(
            &disconnect_request(b"s3cret", true),
            b"s3cret",
            Ok(Some("bob")),
        );
        check(
            &disconnect_request(b"s3cret", false),
            b"s3cret",
            Ok(Some("bob")),
        );
        check(
            &disconnect_request(b"s3cret", true),
            b"wrong",
            Err(Dropped::BadRequestAuthenticator),
        );
        let mut forged = disconnect_request(b"s3cret", true);
        let last = forged.len() - 1;
        forged[last] ^= 1;
        let auth = {
            let mut zeroed = forged.clone();
            zeroed[4..20].fill(0);
            md5_with_secret(&zeroed, b"s3cret")
        };
        forged[4..20].copy_from_slice(&auth);
        check(&forged, b"s3cret", Err(Dropped::BadMessageAuthenticator));
        check(&[40, 1, 0], b"s3cret", Err(Dropped::Malformed));
        let mut access = disconnect_request(b"s3cret", false);
        access[0] = 1;
        check(&access, b"s3cret", Err(Dropped::NotDynamicAuthorization));
    }

    #[test]
    fn answers_carry_the_error_cause_and_sign_with_the_request_authenticator() {
        let request = check_request(&disconnect_request(b"k", true), b"k").unwrap();
        let nak = build_answer(&request, Some(503), b"k");
        assert_eq!(nak[0], 42);
        assert_eq!(nak[1], 7);
        assert_eq!(&nak[20..26], &[ERROR_CAUSE, 6, 0, 0, 1, 247]);
        let mut check = nak.clone();
        check[4..20].copy_from_slice(&request.authenticator);
        assert_eq!(md5_with_secret(&check, b"k"), nak[4..20]);
        assert_eq!(build_answer(&request, None, b"k")[0], 41);
    }
}
