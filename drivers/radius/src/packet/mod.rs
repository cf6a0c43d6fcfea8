//! Building Disconnect/CoA requests and checking their answers, as bytes, without I/O.
//!
//! Order matters (RFC 5176 section 3.4 with RFC 3579): the Message-Authenticator is an
//! HMAC-MD5 over the packet with the authenticator field zeroed; the Request Authenticator is
//! then MD5(Code | Identifier | Length | 16 zero octets | Attributes | Secret) over the packet
//! that already holds the Message-Authenticator.

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use radius::core::avp::AVP;
use radius::core::code::Code;
use radius::core::packet::Packet;

use crate::error_cause::ErrorCause;
use crate::session::{attr, RateLimit, SessionIdent};

const HEADER_BYTES: usize = 20;
const MAX_PACKET_BYTES: usize = 4096;

/// Disconnect a session, or change it in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    Disconnect,
    Coa,
}

impl RequestKind {
    fn code(self) -> Code {
        match self {
            RequestKind::Disconnect => Code::DisconnectRequest,
            RequestKind::Coa => Code::CoARequest,
        }
    }

    /// The (ACK, NAK) codes that answer this kind.
    fn answer_codes(self) -> (u8, u8) {
        match self {
            RequestKind::Disconnect => (41, 42),
            RequestKind::Coa => (44, 45),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            RequestKind::Disconnect => "Disconnect-Request",
            RequestKind::Coa => "CoA-Request",
        }
    }
}

/// Why a request could not be built or an answer was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PacketCheckError {
    #[error("request does not fit in a RADIUS packet: {0}")]
    Encode(String),
    #[error("answer is {len} bytes, shorter than a RADIUS header or its own length field")]
    Truncated { len: usize },
    #[error("answer has code {code}, which does not answer a {request}")]
    UnexpectedCode { code: u8, request: &'static str },
    #[error("answer carries identifier {got}, expected {expected}")]
    WrongIdentifier { got: u8, expected: u8 },
    #[error(
        "answer's Response Authenticator does not match: wrong shared secret or a forged packet"
    )]
    BadAuthenticator,
    #[error(
        "answer's Message-Authenticator does not match: wrong shared secret or a forged packet"
    )]
    BadMessageAuthenticator,
    #[error("answer has a malformed attribute at byte {offset}")]
    MalformedAttribute { offset: usize },
}

/// A checked answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub acknowledged: bool,
    pub error_causes: Vec<ErrorCause>,
}

/// Builds a request datagram with Event-Timestamp and Message-Authenticator.
pub fn build_request(
    kind: RequestKind,
    identifier: u8,
    secret: &[u8],
    session: &SessionIdent,
    rate: Option<&RateLimit>,
    event_timestamp_unix: u32,
) -> Result<Vec<u8>, PacketCheckError> {
    let mut packet = Packet::new_with_identifier(kind.code(), secret, identifier);
    for avp in session.attributes() {
        packet.add(avp);
    }
    if let Some(rate) = rate {
        packet.add(rate.attribute());
    }
    packet.add(AVP::from_u32(attr::EVENT_TIMESTAMP, event_timestamp_unix));
    packet.add(AVP::from_bytes(attr::MESSAGE_AUTHENTICATOR, &[0u8; 16]));
    let mut bytes = packet
        .encode()
        .map_err(|e| PacketCheckError::Encode(e.to_string()))?;
    if bytes.len() > MAX_PACKET_BYTES {
        return Err(PacketCheckError::Encode(format!("{} bytes", bytes.len())));
    }
    bytes[4..HEADER_BYTES].fill(0);
    let ma = attribute_offsets(&bytes)?
        .into_iter()
        .find(|(kind, _, len)| *kind == attr::MESSAGE_AUTHENTICATOR && *len == 16)
        .map(|(_, offset, _)| offset)
        .ok_or_else(|| PacketCheckError::Encode("Message-Authenticator missing".to_owned()))?;
    let mac = hmac_md5(secret, &bytes);
    bytes[ma..ma + 16].copy_from_slice(&mac);
    let authenticator = md5_with_secret(&bytes, secret);
    bytes[4..HEADER_BYTES].copy_from_slice(&authenticator);
    Ok(bytes)
}

/// Checks an answer against the request it answers: code, identifier, Response Authenticator,
/// Message-Authenticator when present; returns ACK/NAK and the Error-Causes.
pub fn check_answer(
    kind: RequestKind,
    request: &[u8],
    answer: &[u8],
    secret: &[u8],
) -> Result<Answer, PacketCheckError> {
    if answer.len() < HEADER_BYTES || request.len() < HEADER_BYTES {
        return Err(PacketCheckError::Truncated { len: answer.len() });
    }
    let declared = usize::from(u16::from_be_bytes([answer[2], answer[3]]));
    if declared < HEADER_BYTES || declared > answer.len() {
        return Err(PacketCheckError::Truncated { len: answer.len() });
    }
    let answer = &answer[..declared];
    let (ack, nak) = kind.answer_codes();
    let code = answer[0];
    if code != ack && code != nak {
        return Err(PacketCheckError::UnexpectedCode {
            code,
            request: kind.name(),
        });
    }
    if answer[1] != request[1] {
        return Err(PacketCheckError::WrongIdentifier {
            got: answer[1],
            expected: request[1],
        });
    }
    // Response Authenticator = MD5(Code | Identifier | Length | RequestAuth | Attributes | Secret).
    let mut with_request_auth = answer.to_vec();
    with_request_auth[4..HEADER_BYTES].copy_from_slice(&request[4..HEADER_BYTES]);
    if md5_with_secret(&with_request_auth, secret) != answer[4..HEADER_BYTES] {
        return Err(PacketCheckError::BadAuthenticator);
    }
    let attributes = attribute_offsets(answer)?;
    if let Some((_, offset, _)) = attributes
        .iter()
        .find(|(kind, _, len)| *kind == attr::MESSAGE_AUTHENTICATOR && *len == 16)
    {
        let mut zeroed = with_request_auth;
        zeroed[*offset..offset + 16].fill(0);
        if hmac_md5(secret, &zeroed) != answer[*offset..offset + 16] {
            return Err(PacketCheckError::BadMessageAuthenticator);
        }
    }
    let error_causes = attributes
        .iter()
        .filter(|(kind, _, len)| *kind == attr::ERROR_CAUSE && *len == 4)
        .map(|(_, offset, _)| {
            ErrorCause(u32::from_be_bytes([
                answer[*offset],
                answer[offset + 1],
                answer[offset + 2],
                answer[offset + 3],
            ]))
        })
        .collect();
    Ok(Answer {
        acknowledged: code == ack,
        error_causes,
    })
}

/// (type, value offset, value length) of every attribute; fails on a malformed one.
fn attribute_offsets(packet: &[u8]) -> Result<Vec<(u8, usize, usize)>, PacketCheckError> {
    let mut out = Vec::new();
    let mut at = HEADER_BYTES;
    while at < packet.len() {
        if at + 2 > packet.len() {
            return Err(PacketCheckError::MalformedAttribute { offset: at });
        }
        let len = usize::from(packet[at + 1]);
        if len < 2 || at + len > packet.len() {
            return Err(PacketCheckError::MalformedAttribute { offset: at });
        }
        out.push((packet[at], at + 2, len - 2));
        at += len;
    }
    Ok(out)
}

fn hmac_md5(secret: &[u8], data: &[u8]) -> [u8; 16] {
    let Ok(mut mac) = <Hmac<Md5> as Mac>::new_from_slice(secret) else {
        // HMAC takes keys of any length (longer ones are hashed first), so this never happens;
        // a zero MAC would only make the peer drop the packet.
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
mod tests;
