//! End to end through every real component: a subscriber asks for a router reboot on the
//! subscriber API, the control plane sends it to the edge agent of the customer's site, the
//! agent logs in to the customer's CPE over SSH (a real OpenSSH server on 127.0.0.1 started by
//! `lab/sshd.sh`, whose forced command records what it is asked and drops the session as a
//! rebooting router does), and the subscriber sees the command succeed.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use control_plane::config::{Config, Secret};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscribers_router_reboot_reaches_the_cpe_over_ssh() {
    let Some(lab) = start_sshd() else { return };
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
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
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

    // The site's agent: the CPE is acted on over SSH, not polled.
    let host_key = lab.file("host_key_sha256");
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
[devices.ssh]
address = "127.0.0.1:{port}"
user = "{user}"
key_file = "{key}"
host_key = "{host_key}"
reboot_profile = "mikrotik-cpe"
login_timeout_s = 5
command_timeout_s = 5
"#,
        profiles = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../config/profiles")
            .display(),
        token = agent["token"].as_str().unwrap(),
        spool = dir.path().join("spool").display(),
        port = lab.port,
        user = whoami(),
        key = lab.dir.path().join("client_ed25519").display(),
        host_key = host_key.trim(),
    );
    let agent_config =
        edge_agent::config::parse_config(&agent_config, dir.path()).expect("agent configuration");
    let (agent_stop, agent_stop_rx) = watch::channel(false);
    let agent_task = tokio::spawn(edge_agent::agent::run_agent(agent_config, agent_stop_rx));

    // The subscriber asks; the agent reboots the CPE and the subscriber sees it succeed.
    let subscriber = api
        .login(
            "/api/v1/customer/auth/login",
            json!({ "customer_code": "CUST001", "phone": "01712345678" }),
        )
        .await;
    let asked = api
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
    let deadline = Instant::now() + Duration::from_secs(30);
    let done = loop {
        let command = api.call(Method::GET, &path, &subscriber, None).await;
        if !matches!(
            command["state"].as_str(),
            Some("queued" | "sent" | "running")
        ) {
            break command;
        }
        assert!(
            Instant::now() < deadline,
            "no final state within 30 s: {command}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(done["state"], "succeeded", "{done}");
    assert!(
        done["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("dropped the SSH session while running `/system reboot`"),
        "{done}"
    );
    assert_eq!(lab.file("commands.log"), "/system reboot\n");

    let _ = agent_stop.send(true);
    tokio::time::timeout(Duration::from_secs(10), agent_task)
        .await
        .expect("agent stops")
        .unwrap()
        .expect("agent ran cleanly");
    let _ = stop_tx.send(());
    let _ = server.await;
}
