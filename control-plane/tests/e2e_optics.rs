//! End to end for ONU optics: a simulated Huawei OLT, a real edge agent polling it and the
//! control plane. A staff refresh becomes a FastPollOptics command, the agent reads the ONU at
//! once, the reading lands in the history and, past the weak line, in the alarms.

use std::path::Path;
use std::time::{Duration, Instant};

use control_plane::config::{Config, Secret};
use control_plane::ingest::session::token_hash;
use control_plane::store::Page;
use netops_snmp::simulator::{SimulatedOlt, SimulatedOnu};
use serde_json::{json, Value};
use tokio::sync::watch;

const COMMUNITY: &str = "e2e-optics";
const WAIT: Duration = Duration::from_secs(30);

/// Polls `check` every 200 ms until it gives a value; fails with `what` after `WAIT`.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

struct Api {
    base: String,
    client: reqwest::Client,
}

impl Api {
    async fn get(&self, path: &str, token: &str) -> Value {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Value {
        let mut request = self.client.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap().json().await.unwrap()
    }
}

fn agent_config(dir: &Path, api: &str, token: &str, olt: &str) -> String {
    let profiles = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/profiles");
    format!(
        r#"
profiles_dir = "{profiles}"
[agent]
id = "gulshan-optics"
[control_plane]
url = "ws://{api}/api/v1/agent/ws"
token = "{token}"
[spool]
dir = "{spool}"
[metrics]
listen = "127.0.0.1:0"
[[devices]]
name = "olt-gulshan-1"
address = "{olt}"
kind = "olt"
profile = "huawei-ma56xx-gpon"
timeout_ms = 500
snmp = {{ version = "2c", community = "{COMMUNITY}" }}
"#,
        profiles = profiles.display(),
        spool = dir.join("spool").display(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_refresh_reads_the_onu_through_the_agent() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        jwt_secret: Some(Secret::new("e2e-optics-secret-e2e-optics-secret!!")),
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

    // Rahim is ONU 1 on PON 0/1/1 of the demo OLT.
    let rahim_onu = SimulatedOnu {
        slot: 1,
        port: 1,
        onu_id: 1,
        rx_power_dbm: -19.5,
    };
    let olt = SimulatedOlt::start("127.0.0.1:0", COMMUNITY, vec![rahim_onu], Duration::ZERO)
        .await
        .unwrap();
    let site = store
        .list_sites(Page {
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap()
        .rows
        .into_iter()
        .next()
        .expect("demo site");
    let token = "e2e-optics-agent-token";
    store
        .insert_agent("gulshan-optics", &site.id, &token_hash(token))
        .await
        .unwrap();
    let text = agent_config(
        dir.path(),
        &addr.to_string(),
        token,
        &olt.local_addr().to_string(),
    );
    let agent_config = edge_agent::config::parse_config(&text, dir.path()).unwrap();
    let (agent_stop, agent_stop_rx) = watch::channel(false);
    let agent = tokio::spawn(edge_agent::agent::run_agent(agent_config, agent_stop_rx));

    let api = Api {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
    };
    let login = api
        .post(
            "/api/v1/admin/auth/login",
            None,
            json!({ "username": "noc", "password": password("noc") }),
        )
        .await;
    let noc = login["data"]["token"].as_str().unwrap().to_owned();
    let rahim = store
        .list_customers(
            &control_plane::store::customers::CustomerFilter {
                search: Some("CUST001".into()),
                ..Default::default()
            },
            Page {
                limit: 1,
                offset: 0,
            },
        )
        .await
        .unwrap()
        .rows
        .remove(0)
        .id;
    let history = format!("/api/v1/admin/customers/{rahim}/onu-optics/history");

    // The agent's first full walk brings -19.5 dBm.
    eventually("the full walk's reading", || async {
        let page = api.get(&history, &noc).await;
        (page["data"]["readings"][0]["rx_power_dbm"] == -19.5).then_some(())
    })
    .await;

    // The fibre degrades; the next full walk is 10 minutes away, so staff ask for a reading.
    assert!(olt.set_rx_power(1, -26.3));
    let queued = api
        .post(
            &format!("/api/v1/admin/customers/{rahim}/onu-optics/refresh"),
            Some(&noc),
            json!({}),
        )
        .await;
    let id = queued["data"]["id"]
        .as_str()
        .expect("command id")
        .to_owned();
    let done = eventually("the fast poll to finish", || async {
        let command = api.get(&format!("/api/v1/admin/commands/{id}"), &noc).await;
        let state = command["data"]["state"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        matches!(state.as_str(), "succeeded" | "failed" | "expired").then_some(command)
    })
    .await;
    assert_eq!(done["data"]["state"], "succeeded", "{done}");
    let detail = done["data"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("ONU 1 on PON 0/1/1 of olt-gulshan-1 is online receiving -26.30 dBm"),
        "{detail}"
    );

    let page = api.get(&history, &noc).await;
    assert_eq!(page["data"]["readings"][0]["rx_power_dbm"], -26.3, "{page}");
    assert_eq!(page["data"]["readings"][0]["level"], "weak");
    let alarms = api
        .get("/api/v1/admin/onu-optics/alarms?active=true", &noc)
        .await;
    let alarm = &alarms["data"]["alarms"][0];
    assert_eq!(alarm["customer_code"], "CUST001", "{alarms}");
    assert_eq!(alarm["to_level"], "weak");
    assert_eq!(alarm["rx_power_dbm"], -26.3);

    let _ = agent_stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(10), agent).await;
    let _ = stop_tx.send(());
    let _ = server.await;
}

fn password(username: &str) -> &'static str {
    control_plane::demo::DEMO_STAFF
        .iter()
        .find(|(user, _, _)| *user == username)
        .map(|(_, _, password)| *password)
        .expect("demo staff")
}
