//! `FakeNbi`: a stand-in for the GenieACS 1.2 NBI with simulated CPEs, for tests (feature
//! `nbi-fake`). GenieACS needs MongoDB, which Debian does not package, so this answers as
//! GenieACS 1.2's `lib/nbi.ts` does, following the NBI "API Reference"
//! (docs.genieacs.com/en/latest/api-reference.html, the genieacs wiki page "API Reference"):
//!
//! - `POST /devices/<id>/tasks[?timeout=<ms>][&connection_request]`: 404 `No such device`;
//!   400 for a body that is not JSON; the task gets `_id` (an ObjectId), `device` and
//!   `timestamp` and joins the queue. Without `connection_request` it answers 202 at once. With
//!   it, GenieACS waits up to `timeout` ms for the CPE's session: 200 when the task ran and
//!   left the queue; 202 when no session started (the task stays queued) or the task faulted
//!   (the fault is stored with `_id` `<device>:task_<task id>`). The body is the task.
//! - `GET /<collection>/?query=<JSON>[&projection=a,b]`: a JSON array written as `[\n`, items
//!   joined by `,\n`, then `\n]`, with a `total` header; 400 for a query that is not JSON.
//! - `DELETE /tasks/<id>`: 200 and the task's fault deleted with it, 404 `Task not found`.
//! - Dates are printed as MongoDB dates serialise: `2026-12-08T01:02:03.456Z`.
//!
//! A simulated CPE ([`CpeBehaviour`]) reboots and informs after a delay, is offline, faults,
//! or accepts the reboot and never comes back. Optional basic authentication stands for the
//! reverse proxy usually in front of an NBI. Binds 127.0.0.1:0.

mod routes;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use crate::parse::nbi_timestamp;

/// How a simulated CPE answers a connection request and a Reboot RPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CpeBehaviour {
    /// Opens a session, runs the task, then boots and informs `back_after` later.
    Reboots { back_after: Duration },
    /// Never answers the connection request.
    Offline,
    /// Opens a session and answers the Reboot RPC with a CWMP fault.
    Faults {
        fault_code: u32,
        fault_string: String,
    },
    /// Runs the task and never informs again.
    NeverReturns,
}

#[derive(Debug, Clone)]
pub(crate) struct Cpe {
    pub behaviour: CpeBehaviour,
    pub last_boot: OffsetDateTime,
    pub last_inform: OffsetDateTime,
}

#[derive(Default)]
pub(crate) struct NbiState {
    pub devices: HashMap<String, Cpe>,
    /// Task documents in insertion order.
    pub tasks: Vec<Value>,
    pub faults: Vec<Value>,
    pub next_task: u64,
    /// `METHOD path?query` of every request, in order.
    pub requests: Vec<String>,
    /// `Authorization` header value every request must carry, when set.
    pub authorization: Option<String>,
}

/// A running fake NBI; stops when dropped.
pub struct FakeNbi {
    addr: SocketAddr,
    state: Arc<Mutex<NbiState>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeNbi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeNbi {
    /// Starts on 127.0.0.1 with an ephemeral port and no authentication.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(None).await
    }

    /// Starts requiring `Authorization: <authorization>` (e.g. `Basic ...`), else 401.
    pub async fn start_with(authorization: Option<String>) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(NbiState {
            authorization,
            ..NbiState::default()
        }));
        let app = routes::router(state.clone());
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::warn!(%error, "fake NBI stopped");
            }
        });
        Ok(Self {
            addr,
            state,
            server,
        })
    }

    /// The address it listens on, 127.0.0.1 and an ephemeral port.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Registers a CPE that booted a day ago and informed a minute ago.
    pub fn add_cpe(&self, id: &str, behaviour: CpeBehaviour) {
        let now = OffsetDateTime::now_utc();
        self.lock().devices.insert(
            id.to_owned(),
            Cpe {
                behaviour,
                last_boot: now - time::Duration::days(1),
                last_inform: now - time::Duration::minutes(1),
            },
        );
    }

    /// The CPE's `_lastBoot` as the NBI prints it.
    pub fn last_boot(&self, id: &str) -> Option<String> {
        self.lock()
            .devices
            .get(id)
            .map(|cpe| nbi_timestamp(cpe.last_boot))
    }

    /// The task documents queued for `device`.
    pub fn queued_tasks(&self, device: &str) -> Vec<Value> {
        self.lock()
            .tasks
            .iter()
            .filter(|task| task["device"] == device)
            .cloned()
            .collect()
    }

    /// `METHOD path?query` of every request so far.
    pub fn requests(&self) -> Vec<String> {
        self.lock().requests.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, NbiState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
