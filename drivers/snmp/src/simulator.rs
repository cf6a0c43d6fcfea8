//! A simulated MikroTik PPPoE BRAS that answers real SNMP (v2c) on a UDP port: the system group
//! and an IF-MIB table with one `<pppoe-USER>` interface per subscriber whose 64-bit octet
//! counters advance at a known, smoothly varying rate. The demo and tests poll it exactly as
//! they would poll a router.
//!
//! The rate of each subscriber is `mean × (1 + swing·sin(2π·t/period + phase))`, so the counter is
//! its closed-form integral and any two polls give the true average rate between them
//! (`traffic.rs`). `set_rates` changes a session's mean rate at once, as a subscriber starting a
//! download does; the counters continue from where they are.
//!
//! Like a MikroTik with `/radius incoming set accept=yes`, the BRAS can also answer RFC 5176
//! Disconnect and CoA requests (`listen_dynamic_authorization`, see `dac.rs`): a disconnect
//! removes the `<pppoe-USER>` interface, a CoA records the new rate. `olt.rs` holds a small
//! simulated OLT whose ONUs go offline for a while after a reset SET.

mod dac;
mod dac_packet;
mod olt;
mod traffic;

pub use dac::{DacRecord, DacRequestKind};
pub use olt::{SimulatedOlt, SimulatedOnu};

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use async_snmp::agent::Agent;
use async_snmp::handler::{
    BoxFuture, GetNextResult, GetResult, HandlerResult, MibHandler, RequestContext,
};
use async_snmp::{Oid, Value, VarBind};
use traffic::DirectionCounter;

/// One simulated PPPoE session.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedSession {
    pub username: String,
    /// Mean download rate (router's out direction), bits per second.
    pub download_bps: f64,
    /// Mean upload rate (router's in direction), bits per second.
    pub upload_bps: f64,
    /// How far the rate swings around its mean, as a fraction (0 = steady, 0.5 = ±50 %).
    pub swing: f64,
}

/// ifXTable columns served: ifName, ifHCInOctets, ifHCOutOctets, ifHighSpeed,
/// ifCounterDiscontinuityTime.
const IF_X_COLUMNS: [u32; 5] = [1, 6, 10, 15, 19];
const SYS_DESCR: &str = "RouterOS CCR2004 (netops simulated BRAS)";

/// The device's state: when it booted and its sessions.
struct Bras {
    started: Instant,
    state: Mutex<BrasState>,
}

/// What changes while the device runs: sessions come and go, rates change.
struct BrasState {
    /// Live sessions in ifIndex order.
    slots: Vec<SessionSlot>,
    /// Every session ever started, by the position it was given, for `expected_bps`.
    ordinal_count: usize,
    next_if_index: u32,
    behaviour: DacBehaviour,
    requests: Vec<DacRecord>,
    dropped_requests: u64,
}

/// One live PPPoE session and its interface.
struct SessionSlot {
    if_index: u32,
    /// Position among every session started; sets the phase of the rate swing.
    ordinal: usize,
    session: SimulatedSession,
    /// ifHCOutOctets: the subscriber's download.
    download: DirectionCounter,
    /// ifHCInOctets: the subscriber's upload.
    upload: DirectionCounter,
    /// The last rate a CoA set (Mikrotik-Rate-Limit text or Filter-Id).
    rate_limit: Option<String>,
}

/// How the BRAS answers dynamic authorization; switches for tests.
#[derive(Debug, Clone, Copy)]
struct DacBehaviour {
    coa_supported: bool,
    /// ACK a Disconnect-Request but keep the session up (a bug seen on real devices).
    keep_session_on_disconnect: bool,
}

impl Bras {
    fn lock(&self) -> MutexGuard<'_, BrasState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn elapsed_s(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Every object the device has, in OID order.
    fn objects(&self) -> Vec<(Oid, Value)> {
        let t = self.elapsed_s();
        let mut out = vec![
            (
                oid(&[1, 3, 6, 1, 2, 1, 1, 1, 0]),
                Value::OctetString(SYS_DESCR.as_bytes().to_vec().into()),
            ),
            (
                oid(&[1, 3, 6, 1, 2, 1, 1, 2, 0]),
                Value::ObjectIdentifier(oid(&[1, 3, 6, 1, 4, 1, 14988, 1])),
            ),
            (
                oid(&[1, 3, 6, 1, 2, 1, 1, 3, 0]),
                Value::TimeTicks((t * 100.0) as u32),
            ),
        ];
        let state = self.lock();
        for column in IF_X_COLUMNS {
            for slot in &state.slots {
                out.push((
                    oid(&[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, column, slot.if_index]),
                    Self::column_value(column, slot, t),
                ));
            }
        }
        out
    }

    /// One ifXTable cell of a session at uptime `t`.
    fn column_value(column: u32, slot: &SessionSlot, t: f64) -> Value {
        match column {
            1 => Value::OctetString(
                format!("<pppoe-{}>", slot.session.username)
                    .into_bytes()
                    .into(),
            ),
            6 => Value::Counter64(slot.upload.octets(t)),
            10 => Value::Counter64(slot.download.octets(t)),
            15 => Value::Gauge32(1000),
            _ => Value::TimeTicks(0),
        }
    }

    /// The mean rate between two instants, for tests: (download, upload) bits per second.
    fn expected_bps(&self, ordinal: usize, from_s: f64, to_s: f64) -> Option<(f64, f64)> {
        let state = self.lock();
        let slot = state.slots.iter().find(|slot| slot.ordinal == ordinal)?;
        let dt = to_s - from_s;
        let rate = |counter: &DirectionCounter| {
            counter.octets(to_s).saturating_sub(counter.octets(from_s)) as f64 * 8.0 / dt
        };
        Some((rate(&slot.download), rate(&slot.upload)))
    }
}

impl BrasState {
    fn new(sessions: Vec<SimulatedSession>) -> Self {
        let mut state = Self {
            slots: Vec::new(),
            ordinal_count: 0,
            next_if_index: 100,
            behaviour: DacBehaviour {
                coa_supported: true,
                keep_session_on_disconnect: false,
            },
            requests: Vec::new(),
            dropped_requests: 0,
        };
        for session in sessions {
            state.add(session);
        }
        state
    }

    /// Starts a session on a fresh ifIndex, as a PPPoE login does.
    fn add(&mut self, session: SimulatedSession) {
        let phase = self.ordinal_count as f64;
        self.slots.push(SessionSlot {
            if_index: self.next_if_index,
            ordinal: self.ordinal_count,
            download: DirectionCounter::new(session.download_bps, session.swing, phase + 1.0),
            upload: DirectionCounter::new(session.upload_bps, session.swing, phase),
            session,
            rate_limit: None,
        });
        self.next_if_index += 1;
        self.ordinal_count += 1;
    }

    fn slot_of(&mut self, username: &str) -> Option<&mut SessionSlot> {
        self.slots
            .iter_mut()
            .find(|slot| slot.session.username == username)
    }
}

fn oid(arcs: &[u32]) -> Oid {
    Oid::from_slice(arcs)
}

struct Handler(Arc<Bras>);

impl MibHandler for Handler {
    fn get<'a>(
        &'a self,
        _ctx: &'a RequestContext,
        oid: &'a Oid,
    ) -> BoxFuture<'a, HandlerResult<GetResult>> {
        Box::pin(async move {
            Ok(self
                .0
                .objects()
                .into_iter()
                .find(|(o, _)| o == oid)
                .map_or(GetResult::NoSuchObject, |(_, v)| GetResult::Value(v)))
        })
    }

    fn get_next<'a>(
        &'a self,
        _ctx: &'a RequestContext,
        oid: &'a Oid,
    ) -> BoxFuture<'a, HandlerResult<GetNextResult>> {
        Box::pin(async move {
            Ok(self
                .0
                .objects()
                .into_iter()
                .find(|(o, _)| o > oid)
                .map_or(GetNextResult::EndOfMibView, |(o, v)| {
                    GetNextResult::Value(VarBind::new(o, v))
                }))
        })
    }
}

/// A running simulated BRAS.
pub struct SimulatedBras {
    agent: Arc<Agent>,
    bras: Arc<Bras>,
    task: tokio::task::JoinHandle<()>,
    dac_task: Option<tokio::task::JoinHandle<()>>,
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
#[error("unable to start the simulated BRAS on {addr}: {reason}")]
pub struct SimulatorError {
    pub addr: String,
    pub reason: String,
}

impl SimulatedBras {
    /// Starts answering v2c `community` on `addr` (use port 0 for any free port).
    pub async fn start(
        addr: &str,
        community: &str,
        sessions: Vec<SimulatedSession>,
    ) -> Result<Self, SimulatorError> {
        let bras = Arc::new(Bras {
            started: Instant::now(),
            state: Mutex::new(BrasState::new(sessions)),
        });
        let err = |reason: String| SimulatorError {
            addr: addr.to_owned(),
            reason,
        };
        let agent = Agent::builder()
            .bind(addr)
            .community(community.as_bytes())
            .handler(oid(&[1, 3, 6, 1, 2, 1]), Arc::new(Handler(bras.clone())))
            .allow_all_access()
            .build()
            .await
            .map_err(|e| err(e.to_string()))?;
        let agent = Arc::new(agent);
        let runner = agent.clone();
        let task = tokio::spawn(async move {
            if let Err(e) = runner.run().await {
                tracing::warn!(error = %e, "simulated BRAS stopped");
            }
        });
        Ok(Self {
            agent,
            bras,
            task,
            dac_task: None,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.agent.local_addr()
    }

    /// Seconds since the simulated device booted.
    pub fn uptime_s(&self) -> f64 {
        self.bras.elapsed_s()
    }

    /// The true mean (download, upload) rate of the `index`-th session started (the sessions
    /// given to `start` first, in order), while it is up, between two uptimes after its last
    /// rate change.
    pub fn expected_bps(&self, index: usize, from_s: f64, to_s: f64) -> Option<(f64, f64)> {
        self.bras.expected_bps(index, from_s, to_s)
    }

    /// Answers RFC 5176 Disconnect and CoA requests signed with `secret` on `addr` (port 0 for
    /// any free port); returns the bound address. Requests that do not authenticate are dropped
    /// without an answer, as a real NAS does.
    pub async fn listen_dynamic_authorization(
        &mut self,
        addr: &str,
        secret: &str,
    ) -> Result<SocketAddr, SimulatorError> {
        let socket = tokio::net::UdpSocket::bind(addr)
            .await
            .map_err(|e| SimulatorError {
                addr: addr.to_owned(),
                reason: e.to_string(),
            })?;
        let local = socket.local_addr().map_err(|e| SimulatorError {
            addr: addr.to_owned(),
            reason: e.to_string(),
        })?;
        if let Some(previous) = self.dac_task.take() {
            previous.abort();
        }
        self.dac_task = Some(tokio::spawn(dac::serve(
            socket,
            secret.as_bytes().to_vec(),
            self.bras.clone(),
        )));
        Ok(local)
    }

    /// With `false`, CoA-Requests get a CoA-NAK with Error-Cause 405 Unsupported-Service.
    pub fn set_coa_supported(&self, supported: bool) {
        self.bras.lock().behaviour.coa_supported = supported;
    }

    /// With `true`, Disconnect-Requests are ACKed but the session stays up.
    pub fn set_keep_session_on_disconnect(&self, keep: bool) {
        self.bras.lock().behaviour.keep_session_on_disconnect = keep;
    }

    /// Starts a session, as a PPPoE (re-)login does; it gets a new ifIndex.
    pub fn connect_session(&self, session: SimulatedSession) {
        self.bras.lock().add(session);
    }

    /// Changes a session's mean rates from now on, as a subscriber starting or ending a
    /// download does: the counters continue from where they are and grow at the new rates.
    /// Returns `false` when the session is not up.
    pub fn set_rates(&self, username: &str, download_bps: f64, upload_bps: f64) -> bool {
        let t = self.bras.elapsed_s();
        let mut state = self.bras.lock();
        let Some(slot) = state.slot_of(username) else {
            return false;
        };
        slot.download.change_rate(download_bps, t);
        slot.upload.change_rate(upload_bps, t);
        slot.session.download_bps = download_bps;
        slot.session.upload_bps = upload_bps;
        true
    }

    /// The (download, upload) octets the session's interface counters show now: what the BRAS
    /// has carried for it.
    pub fn carried_octets(&self, username: &str) -> Option<(u64, u64)> {
        let t = self.bras.elapsed_s();
        let mut state = self.bras.lock();
        let slot = state.slot_of(username)?;
        Some((slot.download.octets(t), slot.upload.octets(t)))
    }

    /// Whether `<pppoe-USERNAME>` is in the interface table.
    pub fn has_session(&self, username: &str) -> bool {
        self.bras.lock().slot_of(username).is_some()
    }

    /// The rate the last accepted CoA set for the session.
    pub fn rate_limit(&self, username: &str) -> Option<String> {
        self.bras.lock().slot_of(username)?.rate_limit.clone()
    }

    /// Every authenticated dynamic authorization request received, in order.
    pub fn dac_requests(&self) -> Vec<DacRecord> {
        self.bras.lock().requests.clone()
    }

    /// Requests dropped because they did not authenticate or were malformed.
    pub fn dropped_dac_requests(&self) -> u64 {
        self.bras.lock().dropped_requests
    }
}

impl Drop for SimulatedBras {
    fn drop(&mut self) {
        self.agent.cancel();
        self.task.abort();
        if let Some(task) = &self.dac_task {
            task.abort();
        }
    }
}
