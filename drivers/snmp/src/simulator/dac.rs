//! The simulated BRAS's RFC 5176 listener: authenticated Disconnect-Requests remove the
//! `<pppoe-USER>` interface, CoA-Requests record the new rate; answers are what a MikroTik
//! sends (NAK 503 for an unknown session, 405 when CoA is not supported).

use std::sync::Arc;

use tokio::net::UdpSocket;

use super::dac_packet::{build_answer, check_request, CheckedRequest};
use super::{Bras, BrasState};

pub use super::dac_packet::DacRequestKind;

/// Error-Cause 503 Session-Context-Not-Found.
const SESSION_NOT_FOUND: u32 = 503;
/// Error-Cause 405 Unsupported-Service.
const UNSUPPORTED_SERVICE: u32 = 405;

/// One authenticated request the BRAS received, for tests to count and inspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DacRecord {
    pub kind: DacRequestKind,
    pub user_name: Option<String>,
    /// Mikrotik-Rate-Limit or Filter-Id carried by a CoA.
    pub rate_limit: Option<String>,
    /// The session hints the request carried.
    pub acct_session_id: Option<String>,
    pub framed_ip: Option<std::net::Ipv4Addr>,
    /// The Error-Cause of the NAK sent, `None` for an ACK.
    pub nak_cause: Option<u32>,
    /// When the datagram was read from the socket.
    pub received_at: std::time::Instant,
}

/// Answers requests on `socket` until the task is aborted.
pub(super) async fn serve(socket: UdpSocket, secret: Vec<u8>, bras: Arc<Bras>) {
    let mut buf = vec![0u8; 4096];
    loop {
        let (len, from) = match socket.recv_from(&mut buf).await {
            Ok(received) => received,
            Err(error) => {
                tracing::warn!(%error, "simulated BRAS: dynamic authorization receive failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let received_at = std::time::Instant::now();
        let request = match check_request(&buf[..len], &secret) {
            Ok(request) => request,
            Err(reason) => {
                // A real NAS drops what does not authenticate, without an answer.
                tracing::debug!(%from, ?reason, "simulated BRAS dropped a request");
                bras.lock().dropped_requests += 1;
                continue;
            }
        };
        let nak_cause = decide(&mut bras.lock(), &request, received_at);
        let answer = build_answer(&request, nak_cause, &secret);
        if let Err(error) = socket.send_to(&answer, from).await {
            tracing::warn!(%error, %from, "simulated BRAS: cannot send the answer");
        }
    }
}

/// Applies an authenticated request to the BRAS; returns the NAK's Error-Cause, `None` to ACK.
fn decide(
    state: &mut BrasState,
    request: &CheckedRequest,
    received_at: std::time::Instant,
) -> Option<u32> {
    let behaviour = state.behaviour;
    let rate_limit = request
        .mikrotik_rate_limit
        .clone()
        .or_else(|| request.filter_id.clone());
    let user = request.user_name.clone().unwrap_or_default();
    let nak_cause = match request.kind {
        DacRequestKind::Disconnect => {
            match state.slots.iter().position(|s| s.session.username == user) {
                None => Some(SESSION_NOT_FOUND),
                Some(_) if behaviour.keep_session_on_disconnect => None,
                Some(position) => {
                    state.slots.remove(position);
                    None
                }
            }
        }
        DacRequestKind::Coa if !behaviour.coa_supported => Some(UNSUPPORTED_SERVICE),
        DacRequestKind::Coa => match state.slot_of(&user) {
            None => Some(SESSION_NOT_FOUND),
            Some(slot) => {
                slot.rate_limit = rate_limit.clone();
                None
            }
        },
    };
    state.requests.push(DacRecord {
        kind: request.kind,
        user_name: request.user_name.clone(),
        rate_limit,
        acct_session_id: request.acct_session_id.clone(),
        framed_ip: request.framed_ip,
        nak_cause,
        received_at,
    });
    nak_cause
}
