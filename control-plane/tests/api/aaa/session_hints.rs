//! A disconnect or change of speed names the subscriber's open accounting session
//! (Acct-Session-Id, Framed-IP-Address, NAS-IP-Address) to a protocol 3 agent, and the same
//! command reaches a protocol 2 agent as before, by User-Name alone.

use std::net::Ipv4Addr;

use proto::{CommandKind, SessionHints};
use serde_json::{json, Value};

use super::{with_aaa, API_KEY};
use crate::aaa_backends;
use crate::agent_client::{register_agent, TestAgent};
use crate::helpers::{TestApp, RAHIM};

fn attrs(pairs: &[(&str, &str)]) -> Value {
    let mut object = serde_json::Map::new();
    for (name, value) in pairs {
        object.insert(
            (*name).to_owned(),
            json!({"type": "string", "value": [value]}),
        );
    }
    Value::Object(object)
}

async fn accounting(app: &TestApp, status: &str) {
    let response = app
        .client
        .post(format!("{}/api/v1/radius/accounting", app.base))
        .bearer_auth(API_KEY)
        .json(&attrs(&[
            ("Acct-Status-Type", status),
            ("User-Name", RAHIM.2),
            ("Acct-Session-Id", "81a0beef"),
            ("NAS-IP-Address", "10.0.0.1"),
            ("Framed-IP-Address", "100.64.0.9"),
        ]))
        .send()
        .await
        .expect("accounting");
    assert!(response.status().is_success(), "{}", response.status());
}

async fn queue(app: &TestApp, customer: &str, body: Value) -> String {
    let noc = app.staff_token("noc").await;
    let queued = app
        .post(
            &format!("/api/v1/admin/customers/{customer}/commands"),
            Some(&noc),
            body,
        )
        .await;
    queued.data()["id"].as_str().expect("id").to_owned()
}

async fn commands_name_the_open_session(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    let rahim = app.customer_id(RAHIM.0).await;

    // No session open: nothing to add to the User-Name.
    queue(
        app,
        &rahim,
        json!({ "kind": "change_speed", "download_mbps": 30, "upload_mbps": 6 }),
    )
    .await;
    assert_eq!(
        agent.next_command().await.kind,
        CommandKind::ChangeSpeed {
            download_bps: 30_000_000,
            upload_bps: 6_000_000
        }
    );

    accounting(app, "Start").await;
    let hints = SessionHints {
        acct_session_id: Some("81a0beef".into()),
        framed_ip: Some(Ipv4Addr::new(100, 64, 0, 9)),
        nas_ip: Some(Ipv4Addr::new(10, 0, 0, 1)),
    };
    let disconnect = queue(app, &rahim, json!({ "kind": "disconnect" })).await;
    let sent = agent.next_command().await;
    assert_eq!(sent.command_id.to_string(), disconnect);
    assert_eq!(
        sent.kind,
        CommandKind::DisconnectSessionWithHints {
            session: hints.clone()
        }
    );
    queue(
        app,
        &rahim,
        json!({ "kind": "change_speed", "download_mbps": 40, "upload_mbps": 8 }),
    )
    .await;
    assert_eq!(
        agent.next_command().await.kind,
        CommandKind::ChangeSpeedWithHints {
            download_bps: 40_000_000,
            upload_bps: 8_000_000,
            session: hints,
        }
    );
    drop(agent);

    // A protocol 2 agent of the site gets the unfinished commands on connect, without hints.
    let mut older = TestAgent::connect(app).await;
    assert_eq!(older.hello(&token, 2).await.accepted_version, 2);
    let mut kinds = Vec::new();
    for _ in 0..3 {
        kinds.push(older.next_command().await.kind);
    }
    assert!(kinds.contains(&CommandKind::DisconnectSession), "{kinds:?}");
    assert!(
        kinds.contains(&CommandKind::ChangeSpeed {
            download_bps: 40_000_000,
            upload_bps: 8_000_000
        }),
        "{kinds:?}"
    );
    assert!(kinds.iter().all(|k| k.since_version() <= 2), "{kinds:?}");

    // Once the session stopped, commands name the User-Name alone again.
    accounting(app, "Stop").await;
    queue(app, &rahim, json!({ "kind": "disconnect" })).await;
    assert_eq!(
        older.next_command().await.kind,
        CommandKind::DisconnectSession
    );
}
aaa_backends!(commands_name_the_open_session, super::with_aaa);
