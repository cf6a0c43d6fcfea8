//! End to end through every real component: a subscriber asks for a router reboot on the
//! subscriber API, the control plane sends it to the edge agent of the customer's site, and
//! the agent reboots the customer's CPE the way its configuration says. Over SSH: a real
//! OpenSSH server on 127.0.0.1 started by `lab/sshd.sh`, whose forced command records what it
//! is asked and drops the session as a rebooting router does. Through TR-069: `FakeNbi`, the
//! GenieACS 1.2 NBI stand-in of `netops-tr069` (GenieACS needs MongoDB, which Debian does not
//! package), with a CPE that reboots and one that is offline, whose queued task must be
//! withdrawn. The subscriber follows the command to its final state.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use control_plane::config::{Config, Secret};
use netops_tr069::fake::{CpeBehaviour, FakeNbi};
use serde_json::{json, Value};
use tokio::sync::watch;

/// A private sshd; killed when dropped, even if the test failed.
struct LabSshd {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Drop for LabSshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl LabSshd {
    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }
}

fn start_sshd() -> Option<LabSshd> {
    if !Path::new("/usr/sbin/sshd").exists() {
        assert!(
            std::env::var("NETOPS_LAB_REQUIRED").as_deref() != Ok("1"),
            "/usr/sbin/sshd is missing but NETOPS_LAB_REQUIRED=1 (apt-get install -y openssh-server)"
        );
        eprintln!("openssh-server is not installed: router reboot end-to-end test skipped");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../lab/sshd.sh"))
        .arg("start")
        .arg(port.to_string())
        .arg(dir.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lab = LabSshd { child, dir, port };
    // Bounded wait for the listener: at most 100 tries over 10 s.
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(lab);
        }
        if let Ok(Some(status)) = lab.child.try_wait() {
            panic!("lab/sshd.sh exited with {status}: {}", lab.file("sshd.log"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("sshd did not listen on 127.0.0.1:{port} within 10 s");
}

fn whoami() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

struct Api {
    base: String,
    client: reqwest::Client,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Value {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply: Value = request.send().await.unwrap().json().await.unwrap();
        assert_eq!(reply["success"], true, "{path}: {reply}");
        reply["data"].clone()
    }

    async fn login(&self, path: &str, body: Value) -> String {
        let reply: Value = self
            .client
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        reply["data"]["token"].as_str().expect("token").to_owned()
    }
}

/// The agent's stop switch and its task.
type RunningAgent = (
    watch::Sender<bool>,
    tokio::task::JoinHandle<Result<(), edge_agent::agent::AgentError>>,
);

/// A running control plane with the demo data, the customer CUST001's router on file as a CPE
/// device of the site, and the site's agent registered.
struct Site {
    api: Api,
    addr: std::net::SocketAddr,
    dir: tempfile::TempDir,
    agent_token: String,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<Result<(), control_plane::app::StartError>>,
}

async fn start_site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        jwt_secret: Some(Secret::new("e2e-secret-e2e-secret-e2e-secret-e2e!")),
        ..Config::default()
    };
    let store = control_plane::app::open_store(&config).await.unwrap();
    control_plane::demo::seed(&store).await.unwrap();
    let state = control_plane::app::build_state(&config, store.clone()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(control_plane::app::serve(state, listener, async {
        let _ = stop_rx.await;
    }));
    let api = Api {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
    };
    use reqwest::Method;

    // Staff put the customer's router on file as a CPE device of the site, and register the
    // site's agent.
    let (_, _, password) = control_plane::demo::DEMO_STAFF
        .iter()
        .find(|(user, _, _)| *user == "admin")
        .unwrap();
    let admin = api
        .login(
            "/api/v1/admin/auth/login",
            json!({ "username": "admin", "password": password }),
        )
        .await;
    let sites = api
        .call(Method::GET, "/api/v1/admin/sites", &admin, None)
        .await;
    let site_id = sites["sites"][0]["id"].clone();
    let cpe = api
        .call(
            Method::POST,
            "/api/v1/admin/devices",
            &admin,
            Some(json!({ "site_id": site_id, "name": "cpe-rahim", "kind": "cpe" })),
        )
        .await;
    let customers = api
        .call(
            Method::GET,
            "/api/v1/admin/customers?q=CUST001",
            &admin,
            None,
        )
        .await;
    let customer_path = format!(
        "/api/v1/admin/customers/{}",
        customers["customers"][0]["id"].as_str().unwrap()
    );
    let mut customer = api.call(Method::GET, &customer_path, &admin, None).await;
    customer["attachment"]["cpe_device_id"] = cpe["id"].clone();
    api.call(Method::PUT, &customer_path, &admin, Some(customer))
        .await;
    let agent = api
        .call(
            Method::POST,
            "/api/v1/admin/agents",
            &admin,
            Some(json!({ "name": "gulshan-pop", "site_id": site_id })),
        )
        .await;
    Site {
        api,
        addr,
        dir,
        agent_token: agent["token"].as_str().unwrap().to_owned(),
        stop,
        server,
    }
}

impl Site {
    /// Starts the site's agent with the CPE device `cpe-rahim` described by `device_tables`
    /// (its `[devices.ssh]` or `[devices.tr069]`).
    fn start_agent(&self, device_tables: &str) -> RunningAgent {
        let agent_config = format!(
            r#"
profiles_dir = "{profiles}"
[agent]
id = "gulshan-pop"
[control_plane]
url = "ws://{addr}/api/v1/agent/ws"
token = "{token}"
[spool]
dir = "{spool}"
[metrics]
listen = "127.0.0.1:0"
[[devices]]
name = "cpe-rahim"
address = "127.0.0.1"
kind = "cpe"
poll = false
{device_tables}
"#,
            profiles = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../config/profiles")
                .display(),
            addr = self.addr,
            token = self.agent_token,
            spool = self.dir.path().join("spool").display(),
        );
        let agent_config = edge_agent::config::parse_config(&agent_config, self.dir.path())
            .expect("agent configuration");
        let (agent_stop, agent_stop_rx) = watch::channel(false);
        let agent_task = tokio::spawn(edge_agent::agent::run_agent(agent_config, agent_stop_rx));
        (agent_stop, agent_task)
    }

    /// The subscriber presses "reboot router"; the command once it left queued/sent/running.
    async fn subscriber_reboots_router(&self, within: Duration) -> Value {
        use reqwest::Method;
        let subscriber = self
            .api
            .login(
                "/api/v1/customer/auth/login",
                json!({ "customer_code": "CUST001", "phone": "01712345678" }),
            )
            .await;
        let asked = self
            .api
            .call(
                Method::POST,
                "/api/v1/customer/device/reboot-router",
                &subscriber,
                Some(json!({})),
            )
            .await;
        let path = format!(
            "/api/v1/customer/device/commands/{}",
            asked["command_id"].as_str().unwrap()
        );
        let deadline = Instant::now() + within;
        loop {
            let command = self.api.call(Method::GET, &path, &subscriber, None).await;
            if !matches!(
                command["state"].as_str(),
                Some("queued" | "sent" | "running")
            ) {
                return command;
            }
            assert!(
                Instant::now() < deadline,
                "no final state within {within:?}: {command}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn stop(self, agent: RunningAgent) {
        let (agent_stop, agent_task) = agent;
        let _ = agent_stop.send(true);
        tokio::time::timeout(Duration::from_secs(10), agent_task)
            .await
            .expect("agent stops")
            .unwrap()
            .expect("agent ran cleanly");
        let _ = self.stop.send(());
        let _ = self.server.await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscribers_router_reboot_reaches_the_cpe_over_ssh() {
    let Some(lab) = start_sshd() else { return };
    let site = start_site().await;
    // The site's agent: the CPE is acted on over SSH, not polled.
    let agent = site.start_agent(&format!(
        r#"
[devices.ssh]
address = "127.0.0.1:{port}"
user = "{user}"
key_file = "{key}"
host_key = "{host_key}"
reboot_profile = "mikrotik-cpe"
login_timeout_s = 5
command_timeout_s = 5
"#,
        port = lab.port,
        user = whoami(),
        key = lab.dir.path().join("client_ed25519").display(),
        host_key = lab.file("host_key_sha256").trim(),
    ));

    let done = site
        .subscriber_reboots_router(Duration::from_secs(30))
        .await;
    assert_eq!(done["state"], "succeeded", "{done}");
    assert!(
        done["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("dropped the SSH session while running `/system reboot`"),
        "{done}"
    );
    assert_eq!(lab.file("commands.log"), "/system reboot\n");
    site.stop(agent).await;
}

/// The CPE's GenieACS id; its `%` must reach the NBI encoded.
const CPE_ID: &str = "00259E-HG8245H-4857544397A1%2D01";

/// A GenieACS NBI with the customer's CPE behaving as `behaviour`, and the site whose agent
/// reboots it through that NBI; the CPE's `_lastBoot` before anything happened.
async fn start_tr069_site(behaviour: CpeBehaviour) -> (FakeNbi, Site, RunningAgent, String) {
    let nbi = FakeNbi::start().await.unwrap();
    nbi.add_cpe(CPE_ID, behaviour);
    let booted_before = nbi.last_boot(CPE_ID).unwrap();
    let site = start_site().await;
    let agent = site.start_agent(&format!(
        r#"
[devices.tr069]
nbi_url = "{url}"
device_id = "{CPE_ID}"
connection_request_timeout_ms = 1000
confirm_within_s = 10
"#,
        url = nbi.url()
    ));
    (nbi, site, agent, booted_before)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscribers_router_reboot_reaches_the_cpe_through_tr069_and_is_confirmed() {
    let (nbi, site, agent, booted_before) = start_tr069_site(CpeBehaviour::Reboots {
        back_after: Duration::from_millis(300),
    })
    .await;

    let done = site
        .subscriber_reboots_router(Duration::from_secs(30))
        .await;
    assert_eq!(done["state"], "succeeded", "{done}");
    let detail = done["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("confirmed: the CPE booted at ") && detail.contains(" and informed at "),
        "{done}"
    );
    assert!(nbi.last_boot(CPE_ID).unwrap() > booted_before);
    assert!(nbi
        .requests()
        .iter()
        .any(|r| r == "POST /devices/00259E-HG8245H-4857544397A1%252D01/tasks?timeout=1000&connection_request"));
    assert!(nbi.queued_tasks(CPE_ID).is_empty());
    site.stop(agent).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_cpes_reboot_fails_and_its_queued_task_is_withdrawn() {
    let (nbi, site, agent, booted_before) = start_tr069_site(CpeBehaviour::Offline).await;

    let done = site
        .subscriber_reboots_router(Duration::from_secs(30))
        .await;
    assert_eq!(done["state"], "failed", "{done}");
    assert!(
        done["detail"]
            .as_str()
            .unwrap_or_default()
            .starts_with("CPE did not answer the connection request; task withdrawn"),
        "{done}"
    );
    // The reboot will not run at the CPE's next inform: the queue is empty, and it was emptied
    // by netops's DELETE.
    assert!(nbi.queued_tasks(CPE_ID).is_empty());
    assert!(nbi
        .requests()
        .iter()
        .any(|r| r.starts_with("DELETE /tasks/")));
    assert_eq!(nbi.last_boot(CPE_ID).unwrap(), booted_before);
    site.stop(agent).await;
}
