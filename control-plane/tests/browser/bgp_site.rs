//! A BGP router for the console's browser test: router A of `lab/bgp-lab.sh` (BIRD 2 in a
//! network namespace this test creates), put on file in the demo ISP as router `lab-router-a`
//! and served by a real edge agent of the demo site, so a dry run's commands come from the
//! agent reading the router's real state.

use std::path::Path;

use serde_json::{json, Value};
use tokio::sync::watch;

use crate::bgp_lab::{self, BgpLab};

pub struct BgpSite {
    pub lab: BgpLab,
    stop: watch::Sender<bool>,
    agent: tokio::task::JoinHandle<Result<(), edge_agent::agent::AgentError>>,
    _dir: tempfile::TempDir,
}

async fn call(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Value {
    let mut request = match &body {
        Some(_) => client.post(format!("{base}{path}")),
        None => client.get(format!("{base}{path}")),
    };
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let reply: Value = request.send().await.unwrap().json().await.unwrap();
    assert_eq!(reply["success"], true, "{path}: {reply}");
    reply["data"].clone()
}

impl BgpSite {
    /// Builds the lab and starts the agent, or `None` (with a note) when the lab's tools are
    /// missing and the lab is not required.
    pub async fn start(base: &str) -> Option<BgpSite> {
        let lab = bgp_lab::start("bird")?;
        let client = reqwest::Client::new();
        let login = call(
            &client,
            base,
            "/api/v1/admin/auth/login",
            None,
            Some(json!({ "username": "admin", "password": "netops-demo-admin" })),
        )
        .await;
        let admin = login["token"].as_str().unwrap().to_owned();
        let sites = call(&client, base, "/api/v1/admin/sites", Some(&admin), None).await;
        let site_id = sites["sites"][0]["id"].clone();
        call(
            &client,
            base,
            "/api/v1/admin/devices",
            Some(&admin),
            Some(json!({ "site_id": site_id, "name": "lab-router-a", "kind": "router", "mgmt_address": "10.213.0.1" })),
        )
        .await;
        let agent = call(
            &client,
            base,
            "/api/v1/admin/agents",
            Some(&admin),
            Some(json!({ "name": "bgp-lab-pop", "site_id": site_id })),
        )
        .await;
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            r#"
profiles_dir = "{profiles}"
[agent]
id = "bgp-lab-pop"
[control_plane]
url = "{ws}/api/v1/agent/ws"
token = "{token}"
[spool]
dir = "{spool}"
[metrics]
listen = "127.0.0.1:0"
{router}"#,
            profiles = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../config/profiles")
                .display(),
            ws = base.replacen("http", "ws", 1),
            token = agent["token"].as_str().unwrap(),
            spool = dir.path().join("spool").display(),
            router = lab.router_a_table(30),
        );
        let config =
            edge_agent::config::parse_config(&config, dir.path()).expect("agent configuration");
        let (stop, stopped) = watch::channel(false);
        let agent = tokio::spawn(edge_agent::agent::run_agent(config, stopped));
        Some(BgpSite {
            lab,
            stop,
            agent,
            _dir: dir,
        })
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), self.agent).await;
    }
}
