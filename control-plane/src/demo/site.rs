//! The demo's site: a simulated MikroTik BRAS answering real SNMP and RFC 5176 and a simulated
//! Huawei OLT with the demo subscribers' ONUs, polled by a real edge agent running in this
//! process, which streams to this control plane over its agent WebSocket exactly as a site's
//! agent would. Subscribers' bandwidth and ONU optics in the demo come from there, never from
//! numbers made up inside the control plane.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use netops_snmp::simulator::{SimulatedBras, SimulatedOlt, SimulatedOnu, SimulatedSession};
use tokio::sync::watch;

use crate::ingest::session::token_hash;
use crate::store::{Page, Store};

/// The BRAS profile the agent uses, shipped inside the binary so the demo runs from anywhere.
const MIKROTIK_PROFILE: &str = include_str!("../../../config/profiles/mikrotik-pppoe-bras.toml");
/// The OLT profile, likewise.
const HUAWEI_OLT_PROFILE: &str = include_str!("../../../config/profiles/huawei-ma56xx-gpon.toml");
const COMMUNITY: &str = "netops-demo";
const SITE_NAME: &str = "Gulshan POP";
const BRAS_NAME: &str = "bras-gulshan-1";
/// The OLT's name in the agent's configuration is the device name the demo seed stores, so
/// ONU keys in `Optics` frames and in reboot commands name the same device.
const OLT_NAME: &str = "olt-gulshan-1";
/// How long a demo ONU stays off the PON after a reboot, as a real ONT re-ranging.
const ONU_REBOOT_DOWNTIME: Duration = Duration::from_secs(6);

/// Demo ONUs on the OLT (frame 0): (slot, port, ONU id, received power in dBm). They match the
/// PON port and ONU id of the demo subscribers who are online; Nasrin's ONU (0/1/1 ONU 3) is
/// not on the PON, as in the seed.
const ONUS: [(u32, u32, u32, f64); 3] = [(1, 1, 1, -19.4), (1, 1, 2, -25.8), (1, 2, 1, -21.7)];
const AGENT_NAME: &str = "gulshan-pop-demo";

/// Demo subscribers online on the BRAS: (PPPoE username, mean download, mean upload) in bps.
const SESSIONS: [(&str, f64, f64); 3] = [
    ("rahim.gulshan", 40e6, 8e6),
    ("karima.gulshan", 12e6, 2e6),
    ("jamal.mirpur", 80e6, 20e6),
];

/// Why the demo site could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoSiteError {
    #[error("demo site: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("demo site: the demo ISP has no site named {SITE_NAME}")]
    NoSite,
    #[error("demo site: {0}")]
    Simulator(#[from] netops_snmp::simulator::SimulatorError),
    #[error("demo site: cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("demo site: agent configuration: {0}")]
    Config(String),
}

/// The running site; dropping it stops nothing, call [`DemoSite::stop`].
pub struct DemoSite {
    pub bras_snmp: SocketAddr,
    /// The simulated BRAS's RFC 5176 listener and its secret, for benchmarks that send to it
    /// as the agent does.
    pub bras_dac: SocketAddr,
    bras_dac_secret: String,
    bras: Arc<SimulatedBras>,
    pub olt_snmp: SocketAddr,
    olt: SimulatedOlt,
    shutdown: watch::Sender<bool>,
    agent: tokio::task::JoinHandle<()>,
    redial: tokio::task::JoinHandle<()>,
}

impl DemoSite {
    /// Stops the agent (its spool is kept), the simulated BRAS and the simulated OLT.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.agent.await;
        self.redial.abort();
        drop(self.olt);
    }

    /// The simulated BRAS, to change a session's rate or read what it has carried; it keeps
    /// answering while a clone is held, also after [`DemoSite::stop`].
    pub fn bras(&self) -> &Arc<SimulatedBras> {
        &self.bras
    }
    /// The shared secret of the BRAS's RFC 5176 listener.
    pub fn bras_dac_secret(&self) -> &str {
        &self.bras_dac_secret
    }

    /// ONU reset SETs the simulated OLT has received.
    pub fn onu_resets_received(&self) -> u32 {
        self.olt.resets_received()
    }
}

fn onus() -> Vec<SimulatedOnu> {
    ONUS.iter()
        .map(|&(slot, port, onu_id, rx_power_dbm)| SimulatedOnu {
            slot,
            port,
            onu_id,
            rx_power_dbm,
        })
        .collect()
}

fn sessions() -> Vec<SimulatedSession> {
    SESSIONS
        .iter()
        .map(|(user, down, up)| SimulatedSession {
            username: (*user).to_owned(),
            download_bps: *down,
            upload_bps: *up,
            swing: 0.5,
        })
        .collect()
}

/// Starts the simulated BRAS and the site's agent, pointed at the control plane on `api`.
pub async fn start(
    store: &Store,
    data_dir: &Path,
    api: SocketAddr,
) -> Result<DemoSite, DemoSiteError> {
    start_with(store, data_dir, api, sessions()).await
}

/// Like [`start`] with the BRAS's sessions given (tests use steady rates).
pub async fn start_with(
    store: &Store,
    data_dir: &Path,
    api: SocketAddr,
    online: Vec<SimulatedSession>,
) -> Result<DemoSite, DemoSiteError> {
    let site_dir = data_dir.join("demo-site");
    write(
        &site_dir.join("profiles").join("mikrotik-pppoe-bras.toml"),
        MIKROTIK_PROFILE,
    )?;
    write(
        &site_dir.join("profiles").join("huawei-ma56xx-gpon.toml"),
        HUAWEI_OLT_PROFILE,
    )?;
    let token = agent_token(store, &site_dir).await?;

    let mut bras = SimulatedBras::start("127.0.0.1:0", COMMUNITY, online.clone()).await?;
    let dac_secret = hex::encode(rand::random::<[u8; 16]>());
    let dac = bras
        .listen_dynamic_authorization("127.0.0.1:0", &dac_secret)
        .await?;
    let bras_snmp = bras.local_addr();
    let bras = Arc::new(bras);
    let olt = SimulatedOlt::start("127.0.0.1:0", COMMUNITY, onus(), ONU_REBOOT_DOWNTIME).await?;
    let olt_snmp = olt.local_addr();

    let api_host = if api.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], api.port()))
    } else {
        api
    };
    let config_text = format!(
        "# Written by control-plane demo: the demo site's agent.\n\
         profiles_dir = \"profiles\"\n\n\
         [agent]\nid = \"{AGENT_NAME}\"\nname = \"{SITE_NAME} (demo)\"\n\n\
         [control_plane]\nurl = \"ws://{api_host}/api/v1/agent/ws\"\ntoken_file = \"agent.token\"\n\n\
         [spool]\ndir = \"spool\"\n\n\
         [metrics]\nlisten = \"127.0.0.1:0\"\n\n\
         [[devices]]\nname = \"{BRAS_NAME}\"\naddress = \"{bras_snmp}\"\ndriver = \"snmp\"\nkind = \"bras\"\n\
         profile = \"mikrotik-pppoe-bras\"\nsnmp = {{ version = \"2c\", community = \"{COMMUNITY}\" }}\n\
         radius = {{ nas = \"{dac}\", secret_file = \"bras.radius\" }}\n\n\
         [[devices]]\nname = \"{OLT_NAME}\"\naddress = \"{olt_snmp}\"\ndriver = \"snmp\"\nkind = \"olt\"\n\
         profile = \"huawei-ma56xx-gpon\"\n\
         snmp = {{ version = \"2c\", community = \"{COMMUNITY}\", write_community = \"{COMMUNITY}\" }}\n"
    );
    write(&site_dir.join("agent.token"), &token)?;
    write(&site_dir.join("bras.radius"), &dac_secret)?;
    let config_path = site_dir.join("agent.toml");
    write(&config_path, &config_text)?;
    let config = edge_agent::config::load_config(&config_path)
        .map_err(|e| DemoSiteError::Config(e.to_string()))?;

    let (shutdown, shutdown_rx) = watch::channel(false);
    let agent = tokio::spawn(async move {
        if let Err(err) = edge_agent::agent::run_agent(config, shutdown_rx).await {
            tracing::error!(error = %err, "demo site agent stopped");
        }
    });
    // A disconnected subscriber's router dials in again a few seconds later, as PPPoE CPEs do.
    let redialled = Arc::clone(&bras);
    let redial = tokio::spawn(async move {
        let bras = redialled;
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            for session in online.clone() {
                if !bras.has_session(&session.username) {
                    bras.connect_session(session);
                }
            }
        }
    });
    Ok(DemoSite {
        bras_snmp,
        bras_dac: dac,
        bras_dac_secret: dac_secret,
        bras,
        olt_snmp,
        olt,
        shutdown,
        agent,
        redial,
    })
}

/// The demo agent's token: kept in the site folder (0600) and registered once for the site.
async fn agent_token(store: &Store, site_dir: &Path) -> Result<String, DemoSiteError> {
    let token_path = site_dir.join("agent.token");
    let existing = std::fs::read_to_string(&token_path)
        .ok()
        .map(|t| t.trim().to_owned());
    let agents = store.list_agents().await?;
    if let Some(token) = existing.filter(|t| !t.is_empty()) {
        let hash = token_hash(&token);
        if store.agent_by_token_hash(&hash).await?.is_some() {
            return Ok(token);
        }
    }
    let site_id = store
        .list_sites(Page {
            limit: 100,
            offset: 0,
        })
        .await?
        .rows
        .into_iter()
        .find(|s| s.name == SITE_NAME)
        .map(|s| s.id)
        .ok_or(DemoSiteError::NoSite)?;
    // A registration whose token was lost is revoked and replaced.
    let taken = agents
        .iter()
        .filter(|a| a.name.starts_with(AGENT_NAME))
        .count();
    for agent in agents
        .iter()
        .filter(|a| a.name.starts_with(AGENT_NAME) && a.revoked_at.is_none())
    {
        store.revoke_agent(&agent.id).await?;
    }
    let name = if taken == 0 {
        AGENT_NAME.to_owned()
    } else {
        format!("{AGENT_NAME}-{}", taken + 1)
    };
    let token = hex::encode(rand::random::<[u8; 32]>());
    store
        .insert_agent(&name, &site_id, &token_hash(&token))
        .await?;
    Ok(token)
}

fn write(path: &Path, text: &str) -> Result<(), DemoSiteError> {
    let io = |source| DemoSiteError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write as _;
    options
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(io)
}
