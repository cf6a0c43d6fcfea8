//! The edge agent's uplink over `wss://` through a real TLS-terminating proxy: Debian's stunnel4
//! on 127.0.0.1 in front of a real control plane, with a throwaway CA and server certificate
//! made by the `openssl` CLI. Trusting the CA through `ca_file`, the agent connects and staff
//! see it connected; without it the certificate is refused, the agent keeps running and counts
//! the failures. The same proxy in front of `FakeNbi` (the GenieACS NBI stand-in of
//! `netops-tr069`) checks a TR-069 reboot through an `https` NBI trusted through its
//! `ca_file`. Skips with a note without stunnel4 or openssl, fails when
//! `NETOPS_LAB_REQUIRED=1`.

#[path = "../../drivers/snmp/tests/lab/mod.rs"]
mod lab;
mod pki;
mod system;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use edge_agent::uplink::{self, ControlPlaneUrl, UplinkConfig, UplinkError, UplinkStatus};
use pki::Pki;
use proto::AgentToken;
use serde_json::json;
use system::ControlPlane;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

const AGENT: &str = "tls-site";
const WAIT: Duration = Duration::from_secs(20);

#[test]
fn agent_connects_over_wss_through_stunnel_only_when_it_trusts_the_ca() {
    run_with_stunnel(
        "agent_connects_over_wss_through_stunnel_only_when_it_trusts_the_ca",
        whole_path(),
    );
}

#[test]
fn a_cpe_reboot_through_an_https_nbi_trusts_its_ca_file_only() {
    run_with_stunnel(
        "a_cpe_reboot_through_an_https_nbi_trusts_its_ca_file_only",
        https_nbi(),
    );
}

/// Runs `body` when stunnel4 and openssl are installed; skips with a note otherwise (fails
/// under `NETOPS_LAB_REQUIRED=1`).
fn run_with_stunnel(test: &str, body: impl std::future::Future<Output = ()>) {
    for (tool, package) in [("stunnel4", "stunnel4"), ("openssl", "openssl")] {
        if !on_path(tool) {
            lab::skip_or_fail(
                test,
                &format!("{tool} is not installed (apt install {package})"),
            );
            return;
        }
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(body);
}

async fn https_nbi() {
    use netops_tr069::fake::{CpeBehaviour, FakeNbi};
    use netops_tr069::{reboot_cpe, CpeId, NbiAuth, NbiClient, NbiEndpoint, RebootLimits};

    let dir = tempfile::tempdir().expect("tempdir");
    let nbi = FakeNbi::start().await.expect("fake NBI");
    nbi.add_cpe(
        "CPE-TLS",
        CpeBehaviour::Reboots {
            back_after: Duration::from_millis(100),
        },
    );
    let pki = Pki::make(dir.path());
    let proxy = Stunnel::start(dir.path(), &pki, nbi.addr());
    let endpoint = NbiEndpoint::parse(&format!("https://{}", proxy.accept), NbiAuth::None)
        .expect("https NBI URL");
    let cpe = CpeId::parse("CPE-TLS").expect("cpe id");

    // Without the CA the proxy's certificate is refused and nothing reaches the NBI.
    let untrusted = NbiClient::new(endpoint.clone()).expect("client");
    let refused = untrusted.boot_record(&cpe).await.expect_err("untrusted");
    assert!(refused.to_string().contains("certificate"), "{refused}");
    assert!(nbi.requests().is_empty(), "{:?}", nbi.requests());

    // Trusting the CA: the reboot goes through and is confirmed.
    let trusted = NbiClient::new(endpoint.with_ca_file(&pki.ca)).expect("client");
    let limits = RebootLimits {
        connection_request_timeout: Duration::from_secs(1),
        confirm_within: Duration::from_secs(5),
        poll_interval: Duration::from_millis(50),
    };
    let outcome = reboot_cpe(&trusted, &cpe, &limits, &|_| {})
        .await
        .expect("reboot through https");
    assert!(
        matches!(outcome, netops_tr069::RebootOutcome::Confirmed { .. }),
        "{outcome:?}"
    );
    drop(proxy);
}

async fn whole_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = system::config(dir.path());
    let store = control_plane::app::open_store(&config)
        .await
        .expect("store");
    control_plane::demo::seed(&store).await.expect("seed");
    let control_plane = ControlPlane::start(&config, &store).await;
    let api = control_plane.api;
    let client = system::http_client();
    let admin = system::staff_token(&client, api, "admin").await;

    let sites = client
        .get(format!("http://{api}/api/v1/admin/sites"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sites");
    let site_id = system::data(sites).await["sites"][0]["id"]
        .as_str()
        .expect("demo site")
        .to_owned();
    let registered = system::data(
        client
            .post(format!("http://{api}/api/v1/admin/agents"))
            .bearer_auth(&admin)
            .json(&json!({ "name": AGENT, "site_id": site_id }))
            .send()
            .await
            .expect("agent"),
    )
    .await;
    let token = registered["token"].as_str().expect("token").to_owned();

    let pki = Pki::make(dir.path());
    let proxy = Stunnel::start(dir.path(), &pki, api);
    let url =
        ControlPlaneUrl::parse(&format!("wss://{}/api/v1/agent/ws", proxy.accept)).expect("url");
    let agent_config = |spool: &str, ca_file: Option<PathBuf>| {
        let mut config = UplinkConfig::new(
            url.clone(),
            AGENT,
            AgentToken::new(token.clone()),
            dir.path().join(spool),
        );
        config.hello_timeout = Duration::from_secs(5);
        config.reconnect_initial = Duration::from_millis(50);
        config.reconnect_max = Duration::from_millis(200);
        config.ca_file = ca_file;
        config
    };

    // Without the CA the proxy's certificate is untrusted: failures counted, never connected.
    let mut untrusted = Uplink::start(agent_config("spool-untrusted", None));
    let status = untrusted
        .wait("two certificate failures", |s| {
            s.connect_failures_total >= 2
        })
        .await;
    assert!(!status.connected, "{status:?}");
    assert!(
        !untrusted.task.is_finished(),
        "the uplink must keep retrying"
    );
    assert_eq!(agent_record(&client, api, &admin).await["connected"], false);
    untrusted.stop().await.expect("clean stop");

    // Trusting the CA: connected, and staff see it.
    let mut trusted = Uplink::start(agent_config("spool-trusted", Some(pki.ca.clone())));
    trusted.wait("connected", |s| s.connected).await;
    let deadline = Instant::now() + WAIT;
    loop {
        let record = agent_record(&client, api, &admin).await;
        if record["connected"] == true {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "staff see the agent connected within {WAIT:?}: {record}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    trusted.stop().await.expect("clean stop");
    drop(proxy);
    control_plane.stop().await;
}

/// The agent's row in staff `GET /api/v1/admin/agents`.
async fn agent_record(client: &reqwest::Client, api: SocketAddr, admin: &str) -> serde_json::Value {
    let agents = client
        .get(format!("http://{api}/api/v1/admin/agents"))
        .bearer_auth(admin)
        .send()
        .await
        .expect("agents");
    let agents = system::data(agents).await;
    agents
        .as_array()
        .expect("agents list")
        .iter()
        .find(|agent| agent["name"] == AGENT)
        .cloned()
        .unwrap_or_else(|| panic!("{AGENT} is listed: {agents}"))
}

/// An uplink run in this process with its status watched.
struct Uplink {
    status: watch::Receiver<UplinkStatus>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), UplinkError>>,
    _frames: mpsc::Sender<proto::Frame>,
    _commands: mpsc::Receiver<proto::Command>,
}

impl Uplink {
    fn start(config: UplinkConfig) -> Self {
        let (frames_tx, frames) = mpsc::channel(16);
        let (commands, commands_rx) = mpsc::channel(16);
        let (status_tx, status) = watch::channel(UplinkStatus::default());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(uplink::run(config, frames, commands, status_tx, async {
            let _ = stopped.await;
        }));
        Self {
            status,
            stop,
            task,
            _frames: frames_tx,
            _commands: commands_rx,
        }
    }

    async fn wait(&mut self, what: &str, done: impl Fn(&UplinkStatus) -> bool) -> UplinkStatus {
        let waited = tokio::time::timeout(WAIT, self.status.wait_for(|s| done(s)))
            .await
            .map(|found| found.map(|status| status.clone()));
        match waited {
            Ok(Ok(status)) => status,
            Ok(Err(_)) => panic!("uplink ended before {what}: {:?}", self.status.borrow()),
            Err(_) => panic!("{what} within {WAIT:?}: {:?}", self.status.borrow()),
        }
    }

    async fn stop(self) -> Result<(), UplinkError> {
        let _ = self.stop.send(());
        tokio::time::timeout(WAIT, self.task)
            .await
            .expect("uplink stops in time")
            .expect("uplink task")
    }
}

/// A throwaway CA and a server certificate for 127.0.0.1 signed by it.
/// stunnel4 in the foreground, terminating TLS on `accept` and forwarding to the control plane;
/// killed on drop.
struct Stunnel {
    accept: SocketAddr,
    child: Child,
}

impl Stunnel {
    fn start(dir: &Path, pki: &Pki, forward_to: SocketAddr) -> Self {
        let accept = free_port();
        let config = dir.join("stunnel.conf");
        let log = dir.join("stunnel.log");
        std::fs::write(
            &config,
            format!(
                "foreground = yes\npid =\noutput = {}\n\n[control-plane]\naccept = {accept}\n\
                 connect = {forward_to}\ncert = {}\nkey = {}\n",
                log.display(),
                pki.server_cert.display(),
                pki.server_key.display()
            ),
        )
        .expect("stunnel config");
        let child = Command::new("stunnel4")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start stunnel4");
        let mut proxy = Self { accept, child };
        let deadline = Instant::now() + WAIT;
        while std::net::TcpStream::connect_timeout(&accept, Duration::from_millis(200)).is_err() {
            if let Ok(Some(exit)) = proxy.child.try_wait() {
                panic!(
                    "stunnel4 exited ({exit}): {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "stunnel4 listens on {accept}");
            std::thread::sleep(Duration::from_millis(20));
        }
        proxy
    }
}

impl Drop for Stunnel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address")
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}
