//! A small simulated Huawei MA5608T GPON OLT answering real SNMP (v2c): ONT optics and run
//! status in HUAWEI-XPON-MIB's layout (as `config/profiles/huawei-ma56xx-gpon.toml` reads them)
//! and a writable reset column. After `SET reset = 1` the ONT reports down(2) with no optical
//! levels for a while, then up(1) again, like a rebooting ONT that re-ranges.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_snmp::agent::Agent;
use async_snmp::handler::{
    BoxFuture, GetNextResult, GetResult, HandlerResult, MibHandler, PreparedSet, RequestContext,
    SetCommitResult, SetTestError, SetTestResult, SetUndoResult,
};
use async_snmp::{Oid, Value, VarBind};

use super::{oid, SimulatorError};

const SYS_DESCR: &str = "Huawei Integrated Access Software MA5608T (netops simulated OLT)";
const XPON: [u32; 12] = [1, 3, 6, 1, 4, 1, 2011, 6, 128, 1, 1, 2];
/// HUAWEI-XPON-MIB "no value" for levels of an offline ONT.
const NO_VALUE: i32 = 2_147_483_647;
/// How long after the reset SET the ONT drops off the PON.
const DOWN_AFTER: Duration = Duration::from_millis(200);

/// One ONT on the simulated OLT (frame 0).
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedOnu {
    pub slot: u32,
    pub port: u32,
    pub onu_id: u32,
    /// Power the ONT receives while online, dBm.
    pub rx_power_dbm: f64,
}

impl SimulatedOnu {
    /// Huawei PON ifIndex: 0xFA000000 + slot×8192 + port×256.
    pub fn pon_if_index(&self) -> u32 {
        0xFA00_0000 + self.slot * 8192 + self.port * 256
    }
}

struct OntSlot {
    onu: SimulatedOnu,
    /// When a reset takes the ONT down, and when it is back.
    offline: Option<(Instant, Instant)>,
}

struct OltState {
    started: Instant,
    onts: Vec<OntSlot>,
    reboot_downtime: Duration,
    ignore_resets: bool,
    resets_received: u32,
}

struct Olt(Mutex<OltState>);

impl Olt {
    fn lock(&self) -> MutexGuard<'_, OltState> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn objects(&self) -> Vec<(Oid, Value)> {
        let state = self.lock();
        let now = Instant::now();
        let uptime_cs = (state.started.elapsed().as_millis() / 10) as u32;
        let mut out = vec![
            (
                oid(&[1, 3, 6, 1, 2, 1, 1, 1, 0]),
                Value::OctetString(SYS_DESCR.as_bytes().to_vec().into()),
            ),
            (
                oid(&[1, 3, 6, 1, 2, 1, 1, 2, 0]),
                Value::ObjectIdentifier(oid(&[1, 3, 6, 1, 4, 1, 2011, 2, 248])),
            ),
            (
                oid(&[1, 3, 6, 1, 2, 1, 1, 3, 0]),
                Value::TimeTicks(uptime_cs),
            ),
        ];
        for ont in &state.onts {
            let online = !ont
                .offline
                .is_some_and(|(from, until)| now >= from && now < until);
            let level = |dbm: f64| {
                Value::Integer(if online {
                    (dbm * 100.0) as i32
                } else {
                    NO_VALUE
                })
            };
            let cells = [
                (46, 2, Value::Integer(0)),
                (46, 15, Value::Integer(if online { 1 } else { 2 })),
                (51, 3, level(2.1)),
                (51, 4, level(ont.onu.rx_power_dbm)),
            ];
            for (table, column, value) in cells {
                out.push((cell(table, column, &ont.onu), value));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

fn cell(table: u32, column: u32, onu: &SimulatedOnu) -> Oid {
    let mut arcs = XPON.to_vec();
    arcs.extend([table, 1, column, onu.pon_if_index(), onu.onu_id]);
    oid(&arcs)
}

struct Handler(Arc<Olt>);

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

    fn test_set<'a>(
        &'a self,
        _ctx: &'a RequestContext,
        oid: &'a Oid,
        value: &'a Value,
    ) -> BoxFuture<'a, SetTestResult> {
        Box::pin(async move {
            let state = self.0.lock();
            let Some(position) = state
                .onts
                .iter()
                .position(|ont| cell(46, 2, &ont.onu) == *oid)
            else {
                return Err(SetTestError::NotWritable);
            };
            match value {
                Value::Integer(1) => Ok(Box::new(Reset {
                    olt: self.0.clone(),
                    position,
                }) as Box<dyn PreparedSet>),
                Value::Integer(_) => Err(SetTestError::WrongValue),
                _ => Err(SetTestError::WrongType),
            }
        })
    }
}

/// A reset of one ONT, applied at commit.
struct Reset {
    olt: Arc<Olt>,
    position: usize,
}

impl PreparedSet for Reset {
    fn commit<'a>(
        &'a mut self,
        _ctx: &'a RequestContext,
        _oid: &'a Oid,
        _value: &'a Value,
    ) -> BoxFuture<'a, SetCommitResult> {
        let mut state = self.olt.lock();
        state.resets_received += 1;
        if !state.ignore_resets {
            let from = Instant::now() + DOWN_AFTER;
            let until = from + state.reboot_downtime;
            if let Some(ont) = state.onts.get_mut(self.position) {
                ont.offline = Some((from, until));
            }
        }
        Box::pin(async { Ok(()) })
    }

    fn undo<'a>(
        &'a mut self,
        _ctx: &'a RequestContext,
        _oid: &'a Oid,
        _value: &'a Value,
    ) -> BoxFuture<'a, SetUndoResult> {
        // A reboot cannot be undone; the single-varbind SET never needs it.
        Box::pin(async { Ok(()) })
    }
}

/// A running simulated OLT.
pub struct SimulatedOlt {
    agent: Arc<Agent>,
    olt: Arc<Olt>,
    task: tokio::task::JoinHandle<()>,
}

impl SimulatedOlt {
    /// Starts answering v2c `community` (read and write) on `addr`; a reset ONT stays offline
    /// for `reboot_downtime`.
    pub async fn start(
        addr: &str,
        community: &str,
        onus: Vec<SimulatedOnu>,
        reboot_downtime: Duration,
    ) -> Result<Self, SimulatorError> {
        let olt = Arc::new(Olt(Mutex::new(OltState {
            started: Instant::now(),
            onts: onus
                .into_iter()
                .map(|onu| OntSlot { onu, offline: None })
                .collect(),
            reboot_downtime,
            ignore_resets: false,
            resets_received: 0,
        })));
        let agent = Agent::builder()
            .bind(addr)
            .community(community.as_bytes())
            .handler(oid(&[1, 3, 6, 1]), Arc::new(Handler(olt.clone())))
            .allow_all_access()
            .build()
            .await
            .map_err(|e| SimulatorError {
                addr: addr.to_owned(),
                reason: e.to_string(),
            })?;
        let agent = Arc::new(agent);
        let runner = agent.clone();
        let task = tokio::spawn(async move {
            if let Err(e) = runner.run().await {
                tracing::warn!(error = %e, "simulated OLT stopped");
            }
        });
        Ok(Self { agent, olt, task })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.agent.local_addr()
    }

    /// With `true`, reset SETs are accepted but the ONTs keep running (a firmware that
    /// ignores them).
    pub fn set_ignore_resets(&self, ignore: bool) {
        self.olt.lock().ignore_resets = ignore;
    }

    /// Sets the power ONU `onu_id` receives from now on (a fibre bent or cleaned), dBm.
    /// Returns false when the OLT has no such ONU.
    pub fn set_rx_power(&self, onu_id: u32, rx_power_dbm: f64) -> bool {
        let mut state = self.olt.lock();
        let mut found = false;
        for ont in state.onts.iter_mut().filter(|ont| ont.onu.onu_id == onu_id) {
            ont.onu.rx_power_dbm = rx_power_dbm;
            found = true;
        }
        found
    }

    /// Reset SETs committed so far.
    pub fn resets_received(&self) -> u32 {
        self.olt.lock().resets_received
    }
}

impl Drop for SimulatedOlt {
    fn drop(&mut self) {
        self.agent.cancel();
        self.task.abort();
    }
}
