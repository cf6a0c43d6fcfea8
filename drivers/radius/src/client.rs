//! The Dynamic Authorization client: one UDP socket shared by every request, Identifiers
//! allocated per NAS so up to 256 requests to one NAS can be in flight, retransmission with
//! exponential backoff, and answers accepted only when they authenticate.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::error_cause::ErrorCause;
use crate::packet::{build_request, check_answer, PacketCheckError, RequestKind};
use crate::session::{RateLimit, SessionIdent};

/// A BRAS that accepts dynamic authorization, and the secret shared with it.
#[derive(Clone, PartialEq, Eq)]
pub struct Nas {
    pub addr: SocketAddr,
    secret: Vec<u8>,
}

impl Nas {
    pub fn new(addr: SocketAddr, secret: impl Into<Vec<u8>>) -> Self {
        Self {
            addr,
            secret: secret.into(),
        }
    }
}

impl fmt::Debug for Nas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Nas")
            .field("addr", &self.addr)
            .field("secret", &"***")
            .finish()
    }
}

/// How long to wait for an answer and how often to retransmit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Wait for the first answer; each retransmission doubles it.
    pub first_timeout: Duration,
    /// Transmissions in all, the first included.
    pub attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first_timeout: Duration::from_secs(1),
            attempts: 3,
        }
    }
}

/// What the NAS answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DacReply {
    Ack,
    Nak(Vec<ErrorCause>),
}

#[derive(Debug, thiserror::Error)]
pub enum DacError {
    #[error("no answer from {nas} after {attempts} attempts over {waited_ms} ms (wrong shared secret, RADIUS incoming disabled on the BRAS, or the BRAS is unreachable)")]
    Timeout {
        nas: SocketAddr,
        attempts: u32,
        waited_ms: u128,
    },
    #[error("256 requests to {nas} are already in flight")]
    Busy { nas: SocketAddr },
    #[error("cannot build the request: {0}")]
    Packet(#[from] PacketCheckError),
    #[error("network error talking to {nas}: {source}")]
    Io {
        nas: SocketAddr,
        source: std::io::Error,
    },
}

struct Waiter {
    kind: RequestKind,
    request: Vec<u8>,
    secret: Vec<u8>,
    answer: Option<oneshot::Sender<DacReply>>,
}

#[derive(Default)]
struct InFlight {
    waiters: HashMap<(SocketAddr, u8), Waiter>,
    next_id: HashMap<SocketAddr, u8>,
}

/// Counters a caller may export as metrics.
#[derive(Debug, Default)]
pub struct DacStats {
    pub retransmissions: std::sync::atomic::AtomicU64,
    pub rejected_answers: std::sync::atomic::AtomicU64,
}

pub struct DacClient {
    socket: Arc<UdpSocket>,
    in_flight: Arc<Mutex<InFlight>>,
    retry: RetryPolicy,
    stats: Arc<DacStats>,
    receiver: JoinHandle<()>,
}

impl DacClient {
    /// Binds the shared socket (e.g. `0.0.0.0:0`) and starts reading answers.
    pub async fn bind(local: SocketAddr, retry: RetryPolicy) -> std::io::Result<DacClient> {
        let socket = Arc::new(UdpSocket::bind(local).await?);
        let in_flight = Arc::new(Mutex::new(InFlight::default()));
        let stats = Arc::new(DacStats::default());
        let receiver = tokio::spawn(receive_answers(
            socket.clone(),
            in_flight.clone(),
            stats.clone(),
        ));
        Ok(DacClient {
            socket,
            in_flight,
            retry,
            stats,
            receiver,
        })
    }

    pub fn stats(&self) -> &DacStats {
        &self.stats
    }

    /// Sends a Disconnect-Request for the session.
    pub async fn disconnect(
        &self,
        nas: &Nas,
        session: &SessionIdent,
    ) -> Result<DacReply, DacError> {
        self.request(RequestKind::Disconnect, nas, session, None)
            .await
    }

    /// Sends a CoA-Request changing the session's rate without dropping it.
    pub async fn change_rate(
        &self,
        nas: &Nas,
        session: &SessionIdent,
        rate: &RateLimit,
    ) -> Result<DacReply, DacError> {
        self.request(RequestKind::Coa, nas, session, Some(rate))
            .await
    }

    async fn request(
        &self,
        kind: RequestKind,
        nas: &Nas,
        session: &SessionIdent,
        rate: Option<&RateLimit>,
    ) -> Result<DacReply, DacError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let event_timestamp = u32::try_from(now).unwrap_or(u32::MAX);
        let (id, request, rx) = {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            let id = free_identifier(&mut in_flight, nas.addr)
                .ok_or(DacError::Busy { nas: nas.addr })?;
            let request = build_request(kind, id, &nas.secret, session, rate, event_timestamp)?;
            let (tx, rx) = oneshot::channel();
            in_flight.waiters.insert(
                (nas.addr, id),
                Waiter {
                    kind,
                    request: request.clone(),
                    secret: nas.secret.clone(),
                    answer: Some(tx),
                },
            );
            (id, request, rx)
        };
        let result = self.transmit(nas.addr, &request, rx).await;
        self.in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .waiters
            .remove(&(nas.addr, id));
        result
    }

    async fn transmit(
        &self,
        nas: SocketAddr,
        request: &[u8],
        mut answer: oneshot::Receiver<DacReply>,
    ) -> Result<DacReply, DacError> {
        let started = std::time::Instant::now();
        let mut wait = self.retry.first_timeout;
        let attempts = self.retry.attempts.max(1);
        for attempt in 1..=attempts {
            if attempt > 1 {
                self.stats
                    .retransmissions
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::debug!(%nas, attempt, "retransmitting dynamic authorization request");
            }
            self.socket
                .send_to(request, nas)
                .await
                .map_err(|source| DacError::Io { nas, source })?;
            match tokio::time::timeout(wait, &mut answer).await {
                Ok(Ok(reply)) => return Ok(reply),
                Ok(Err(_)) => break,
                Err(_) => wait = wait.saturating_mul(2),
            }
        }
        Err(DacError::Timeout {
            nas,
            attempts,
            waited_ms: started.elapsed().as_millis(),
        })
    }
}

impl Drop for DacClient {
    fn drop(&mut self) {
        self.receiver.abort();
    }
}

/// The next identifier for `nas` not in flight, or `None` when all 256 are.
fn free_identifier(in_flight: &mut InFlight, nas: SocketAddr) -> Option<u8> {
    let start = *in_flight.next_id.get(&nas).unwrap_or(&rand::random::<u8>());
    (0..=255u8)
        .map(|step| start.wrapping_add(step))
        .find(|id| !in_flight.waiters.contains_key(&(nas, *id)))
        .inspect(|id| {
            in_flight.next_id.insert(nas, id.wrapping_add(1));
        })
}

async fn receive_answers(
    socket: Arc<UdpSocket>,
    in_flight: Arc<Mutex<InFlight>>,
    stats: Arc<DacStats>,
) {
    let mut buf = vec![0u8; 4096];
    loop {
        let (len, from) = match socket.recv_from(&mut buf).await {
            Ok(received) => received,
            Err(err) => {
                tracing::warn!(error = %err, "dynamic authorization socket receive failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let answer = &buf[..len];
        if len < 2 {
            stats
                .rejected_answers
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            continue;
        }
        let mut in_flight = in_flight.lock().unwrap_or_else(|p| p.into_inner());
        let Some(waiter) = in_flight.waiters.get_mut(&(from, answer[1])) else {
            // A late answer to a request that already timed out, or one nobody asked for.
            stats
                .rejected_answers
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            continue;
        };
        match check_answer(waiter.kind, &waiter.request, answer, &waiter.secret) {
            Ok(checked) => {
                let reply = if checked.acknowledged {
                    DacReply::Ack
                } else {
                    DacReply::Nak(checked.error_causes)
                };
                if let Some(tx) = waiter.answer.take() {
                    let _ = tx.send(reply);
                }
            }
            Err(err) => {
                // Keep waiting: a forged or garbled answer must not decide the request.
                stats
                    .rejected_answers
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::warn!(%from, error = %err, "ignored an answer that does not authenticate");
            }
        }
    }
}
