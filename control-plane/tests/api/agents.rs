//! The staff agent API and the agent WebSocket's refusals: every bad handshake or frame
//! closes the connection with a reason, is counted, and stores nothing.

use proto::{Frame, Ping, Samples, PROTOCOL_VERSION};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::agent_client::{now_ms, pppoe, register_agent, TestAgent};
use crate::both_backends;
use crate::helpers::{assert_metric, TestApp, RAHIM};

const API: &str = "/api/v1/admin/agents";

async fn agents_are_registered_listed_and_revoked(app: &TestApp) {
    let (id, token) = register_agent(app, "gulshan-pop").await;
    assert_eq!(token.len(), 64, "32 random bytes in hex");
    let noc = app.staff_token("noc").await;

    // Names are unique and checked; the site must exist; only admin and noc may manage agents.
    let sites = app.get("/api/v1/admin/sites", Some(&noc)).await;
    let site_id = sites.data()["sites"][0]["id"].as_str().unwrap().to_owned();
    app.post(
        API,
        Some(&noc),
        json!({ "name": "gulshan-pop", "site_id": site_id }),
    )
    .await
    .error(409);
    app.post(
        API,
        Some(&noc),
        json!({ "name": "has space", "site_id": site_id }),
    )
    .await
    .error(400);
    app.post(API, Some(&noc), json!({ "name": "x", "site_id": "nope" }))
        .await
        .error(400);
    let support = app.staff_token("support").await;
    app.get(API, Some(&support)).await.error(403);

    let mut agent = TestAgent::admitted(app, &token).await;
    agent.send(&Frame::Ping(Ping { nonce: 7 })).await;
    assert_eq!(
        agent.next_frame().await,
        Frame::Pong(proto::Pong { nonce: 7 })
    );
    let listed = app.get(API, Some(&noc)).await;
    let row = listed.data().as_array().unwrap()[0].clone();
    assert_eq!(row["id"], id.as_str());
    assert_eq!(row["connected"], true);
    assert_eq!(row["agent_version"], "9.9.9-test");
    assert_eq!(row["protocol_version"], i64::from(PROTOCOL_VERSION));
    assert!(row.get("token").is_none(), "the token is shown once only");
    assert!(!listed.body.to_string().contains(&token));

    // Revoking drops the live connection and refuses the token from then on.
    app.delete(&format!("{API}/{id}"), Some(&noc)).await.data();
    let closed = agent.closed().await;
    assert!(closed.reason.contains("revoked"), "{closed:?}");
    let listed = app.get(API, Some(&noc)).await;
    assert_eq!(listed.data()[0]["connected"], false);
    assert!(listed.data()[0]["revoked_at"].is_string());
    let mut again = TestAgent::connect(app).await;
    again
        .send(&TestAgent::hello_frame(&token, PROTOCOL_VERSION))
        .await;
    let closed = again.closed().await;
    assert_eq!(closed.code, 1008, "{closed:?}");
    assert!(closed.reason.contains("revoked"), "{closed:?}");
    app.delete(&format!("{API}/unknown"), Some(&noc))
        .await
        .error(404);

    let audit = app
        .get(
            "/api/v1/admin/audit-log?limit=50",
            Some(&app.staff_token("admin").await),
        )
        .await;
    let text = audit.body.to_string();
    assert!(
        text.contains("agent.create") && text.contains("agent.revoke"),
        "{text}"
    );
}
both_backends!(agents_are_registered_listed_and_revoked);

/// Opens a connection, lets `misbehave` break a rule, then checks how it was closed.
async fn refused(app: &TestApp, misbehave: Vec<Message>, code: u16, reason_has: &str) {
    let mut agent = TestAgent::connect(app).await;
    for message in misbehave {
        agent.send_raw(message).await;
    }
    // Whatever follows a refused frame must not be stored either.
    let batch = Frame::Samples(Samples {
        batch_seq: 1,
        timestamp_ms: now_ms(),
        entries: vec![pppoe(RAHIM.2, 99_000_000, 1, 1)],
    });
    agent
        .send_raw(Message::Binary(proto::encode_frame(&batch).unwrap().into()))
        .await;
    let closed = agent.closed().await;
    assert_eq!(closed.code, code, "{closed:?}");
    assert!(closed.reason.contains(reason_has), "{closed:?}");
}

fn binary(frame: &Frame) -> Message {
    Message::Binary(proto::encode_frame(frame).unwrap().into())
}

async fn bad_agents_are_closed_and_store_nothing(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let hello = binary(&TestAgent::hello_frame(&token, PROTOCOL_VERSION));
    refused(
        app,
        vec![Message::Binary(vec![0xde, 0xad, 0xbe, 0xef].into())],
        1002,
        "malformed",
    )
    .await;
    refused(
        app,
        vec![binary(&TestAgent::hello_frame(
            "not-a-token",
            PROTOCOL_VERSION,
        ))],
        1008,
        "not valid",
    )
    .await;
    refused(
        app,
        vec![binary(&TestAgent::hello_frame(&token, 0))],
        1002,
        "protocol version",
    )
    .await;
    refused(
        app,
        vec![Message::Text("hello".into())],
        1003,
        "text frames",
    )
    .await;
    refused(
        app,
        vec![binary(&Frame::Ping(Ping { nonce: 1 }))],
        1002,
        "before Hello",
    )
    .await;
    // After a good handshake: garbage, a text frame and a frame only the control plane sends.
    for (bad, code, reason) in [
        (
            Message::Binary(vec![1, 0, 4, 0xff, 0xff].into()),
            1002,
            "malformed",
        ),
        (Message::Text("{}".into()), 1003, "text frames"),
        (
            binary(&Frame::Ack(proto::Ack { up_to_batch_seq: 1 })),
            1002,
            "Ack frame",
        ),
    ] {
        refused(app, vec![hello.clone(), bad], code, reason).await;
    }

    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let status = app
        .get("/api/v1/customer/network/status", Some(&rahim))
        .await;
    assert_eq!(
        status.data()["rx_bandwidth"],
        0,
        "nothing from refused connections"
    );
    let metrics = crate::helpers::metrics_text(app).await;
    assert_metric(&metrics, "netops_ingest_samples_total", 0);
    for reason in [
        "malformed",
        "token_invalid",
        "protocol_version",
        "text_frame",
        "unexpected_frame",
    ] {
        assert!(
            metrics.contains(&format!(
                "netops_agent_frames_rejected_total{{reason=\"{reason}\"}}"
            )),
            "{reason} not counted: {metrics}"
        );
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bandwidth_minutes")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0);
}
both_backends!(bad_agents_are_closed_and_store_nothing);

/// Protocol version 2's numbering: a number never given, numbers that skip ahead, and numbered
/// frames on a version 1 connection each close the connection, and nothing is stored.
async fn bad_numbering_is_refused_and_stores_nothing(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let hello = binary(&TestAgent::hello_frame(&token, PROTOCOL_VERSION));
    let keys = |first_index: u32| {
        binary(&Frame::SubscriberKeys(proto::SubscriberKeys {
            first_index,
            keys: vec![proto::SubscriberKey::PppoeUsername(RAHIM.2.into())],
        }))
    };
    let by_number = |indices: &[u32]| {
        binary(&Frame::IndexedSamples(proto::IndexedSamples {
            batch_seq: 1,
            timestamp_ms: now_ms(),
            entries: indices
                .iter()
                .map(|i| crate::agent_client::numbered(*i, 99_000_000, 1, 1))
                .collect(),
        }))
    };
    // The batch is refused whole: Rahim's entry (number 0) is not stored either.
    refused(
        app,
        vec![hello.clone(), keys(0), by_number(&[0, 1])],
        1002,
        "names subscriber 1, but only 1 are numbered",
    )
    .await;
    refused(
        app,
        vec![hello.clone(), keys(1)],
        1002,
        "must continue the numbering at 0, not start at 1",
    )
    .await;
    let hello_v1 = binary(&TestAgent::hello_frame(&token, 1));
    refused(
        app,
        vec![hello_v1, keys(0), by_number(&[0])],
        1002,
        "SubscriberKeys frame needs protocol version 2",
    )
    .await;

    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let status = app
        .get("/api/v1/customer/network/status", Some(&rahim))
        .await;
    assert_eq!(
        status.data()["rx_bandwidth"],
        0,
        "nothing from refused frames"
    );
    let metrics = crate::helpers::metrics_text(app).await;
    assert_metric(&metrics, "netops_ingest_samples_total", 0);
    assert_metric(
        &metrics,
        "netops_agent_frames_rejected_total{reason=\"subscriber_numbering\"}",
        2,
    );
    assert_metric(
        &metrics,
        "netops_agent_frames_rejected_total{reason=\"unexpected_frame\"}",
        1,
    );
}
both_backends!(bad_numbering_is_refused_and_stores_nothing);
