//! An inventory larger than one frame, sent as `InventoryChunk`s (protocol version 3): applied
//! once every chunk arrived and read back paged; an incomplete set, or one beyond the chunk and
//! byte bounds, stores nothing; a version 2 agent is still admitted.

use std::time::Duration;

use proto::{
    encode_frame, split_inventory, Device, DeviceKind, EncodeError, Frame, Interface, Inventory,
    InventoryChunk, Ping, MAX_FRAME_BYTES,
};
use serde_json::Value;

use crate::agent_client::{register_agent, TestAgent};
use crate::helpers::{assert_metric, metrics_text, TestApp};
use crate::{both_backends, both_backends_with};

const ADMIN: &str = "/api/v1/admin";
/// Storing tens of thousands of interfaces takes a while on a shared machine.
const STORE_WAIT: Duration = Duration::from_secs(120);

fn bras() -> Device {
    Device {
        device_id: "bras-gulshan-1".into(),
        kind: DeviceKind::Bras,
        profile: "mikrotik-pppoe-bras".into(),
        management_address: "127.0.0.1:16100".into(),
    }
}

/// The demo BRAS with `sessions` PPPoE interfaces, numbered from `first_if_index`.
fn bras_inventory(first_if_index: u32, sessions: u32) -> Inventory {
    Inventory {
        devices: vec![bras()],
        interfaces: (first_if_index..first_if_index + sessions)
            .map(|if_index| Interface {
                device_id: "bras-gulshan-1".into(),
                if_index,
                if_name: format!("<pppoe-subscriber-{if_index:07}.gulshan>"),
                speed_bps: Some(1_000_000_000),
            })
            .collect(),
        subscriber_keys: Vec::new(),
    }
}

fn chunk_frame(chunk: InventoryChunk) -> Frame {
    Frame::InventoryChunk(chunk)
}

/// Pings and waits up to `STORE_WAIT` for the Pong: every frame sent before was handled.
async fn handled(agent: &mut TestAgent, nonce: u64) {
    agent.send(&Frame::Ping(Ping { nonce })).await;
    let pong = agent.next_frame_within(STORE_WAIT).await;
    assert_eq!(pong, Frame::Pong(proto::Pong { nonce }));
}

async fn bras_id(app: &TestApp, token: &str) -> String {
    let devices = app
        .get(&format!("{ADMIN}/devices?limit=100"), Some(token))
        .await;
    devices.data()["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "bras-gulshan-1")
        .and_then(|d| d["id"].as_str())
        .expect("demo BRAS")
        .to_owned()
}

/// Every interface of the device, walked page by page: (ifIndex, name) in order.
async fn all_interfaces(app: &TestApp, token: &str, device_id: &str) -> Vec<(i64, String)> {
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..2_000 {
        let page = app
            .get(
                &format!("{ADMIN}/devices/{device_id}/interfaces?limit=100&cursor={cursor}"),
                Some(token),
            )
            .await;
        let page: &Value = page.data();
        seen.extend(page["interfaces"].as_array().unwrap().iter().map(|r| {
            (
                r["if_index"].as_i64().unwrap(),
                r["if_name"].as_str().unwrap().to_owned(),
            )
        }));
        match page["pagination"]["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => return seen,
        }
    }
    panic!("more pages than expected");
}

async fn a_large_inventory_arrives_in_chunks(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let noc = app.staff_token("noc").await;
    let device_id = bras_id(app, &noc).await;
    let mut agent = TestAgent::admitted(app, &token).await;

    let large = bras_inventory(1, 72_000);
    assert!(
        matches!(
            encode_frame(&Frame::Inventory(large.clone())),
            Err(EncodeError::TooLarge { .. })
        ),
        "the inventory must not fit one frame"
    );
    let chunks = split_inventory(&large, 1, MAX_FRAME_BYTES).unwrap();
    assert!(chunks.len() >= 2, "{} chunks", chunks.len());
    let (last, first) = chunks.split_last().unwrap();
    for chunk in first {
        agent.send(&chunk_frame(chunk.clone())).await;
    }
    handled(&mut agent, 1).await;
    assert_eq!(
        all_interfaces(app, &noc, &device_id).await,
        [],
        "nothing applied before the last chunk"
    );
    agent.send(&chunk_frame(last.clone())).await;
    handled(&mut agent, 2).await;
    let stored = all_interfaces(app, &noc, &device_id).await;
    let expected: Vec<(i64, String)> = large
        .interfaces
        .iter()
        .map(|i| (i64::from(i.if_index), i.if_name.clone()))
        .collect();
    assert_eq!(stored.len(), 72_000);
    assert!(stored == expected, "interfaces read back differ");

    // A newer inventory that never completes: the stored one stays whole.
    let newer = bras_inventory(100_001, 72_000);
    let newer_chunks = split_inventory(&newer, 2, MAX_FRAME_BYTES).unwrap();
    agent.send(&chunk_frame(newer_chunks[0].clone())).await;
    handled(&mut agent, 3).await;
    drop(agent);
    let mut agent = TestAgent::admitted(app, &token).await;
    handled(&mut agent, 4).await;
    let page = app
        .get(
            &format!("{ADMIN}/devices/{device_id}/interfaces?limit=1"),
            Some(&noc),
        )
        .await;
    assert_eq!(page.data()["pagination"]["total"], 72_000);
    assert_eq!(page.data()["interfaces"][0]["if_index"], 1);

    // A newer generation supersedes an incomplete one; a whole Inventory does too.
    let small = bras_inventory(500, 3);
    agent.send(&chunk_frame(newer_chunks[0].clone())).await;
    let single = split_inventory(&small, 3, MAX_FRAME_BYTES).unwrap();
    assert_eq!(single.len(), 1);
    agent.send(&chunk_frame(single[0].clone())).await;
    handled(&mut agent, 5).await;
    let indexes: Vec<i64> = all_interfaces(app, &noc, &device_id)
        .await
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    assert_eq!(indexes, [500, 501, 502]);
    let newest = split_inventory(&newer, 4, MAX_FRAME_BYTES).unwrap();
    agent.send(&chunk_frame(newest[0].clone())).await;
    agent.send(&Frame::Inventory(bras_inventory(7, 1))).await;
    handled(&mut agent, 6).await;
    let after: Vec<i64> = all_interfaces(app, &noc, &device_id)
        .await
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    assert_eq!(after, [7]);
}
both_backends!(a_large_inventory_arrives_in_chunks);

/// Small chunk bounds, so the limits show with small frames.
fn small_chunk_limits(config: &mut control_plane::config::Config) {
    config.inventory.max_chunks = 3;
    config.inventory.max_assembly_bytes = 64 * 1024;
}

async fn chunks_beyond_the_bounds_close_the_connection(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let noc = app.staff_token("noc").await;
    let device_id = bras_id(app, &noc).await;
    let mut agent = TestAgent::admitted(app, &token).await;
    agent.send(&Frame::Inventory(bras_inventory(1, 2))).await;
    handled(&mut agent, 1).await;

    let refused = |chunks: Vec<InventoryChunk>, code: u16, reason: &'static str| {
        let token = token.clone();
        async move {
            let mut agent = TestAgent::admitted(app, &token).await;
            for chunk in chunks {
                agent.send(&chunk_frame(chunk)).await;
            }
            let closed = agent.closed().await;
            assert_eq!(closed.code, code, "{closed:?}");
            assert!(closed.reason.contains(reason), "{closed:?}");
        }
    };
    // Four chunks announced, over this configuration's three.
    let mut four = split_inventory(&bras_inventory(1, 10), 1, MAX_FRAME_BYTES).unwrap();
    four[0].chunk_count = 4;
    refused(four, 1009, "4 chunks; at most 3").await;
    // Three chunks of up to 40 KiB each, together over the 64 KiB held.
    let wide = split_inventory(&bras_inventory(1, 1_400), 1, 40 * 1024).unwrap();
    let wide_bytes: usize = wide
        .iter()
        .map(|c| encode_frame(&chunk_frame(c.clone())).unwrap().len())
        .sum();
    assert!(
        wide.len() <= 3 && wide_bytes > 64 * 1024,
        "{wide_bytes} bytes in {}",
        wide.len()
    );
    refused(wide, 1009, "more than 65536 bytes").await;
    // The same chunk twice.
    let two = split_inventory(&bras_inventory(1, 1_000), 1, 32 * 1024).unwrap();
    assert_eq!(two.len(), 2, "two chunks");
    refused(vec![two[0].clone(), two[0].clone()], 1002, "arrived twice").await;

    // Nothing of the refused sets was stored.
    let stored: Vec<i64> = all_interfaces(app, &noc, &device_id)
        .await
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    assert_eq!(stored, [1, 2]);
    let metrics = metrics_text(app).await;
    assert_metric(
        &metrics,
        "netops_inventory_frames_rejected_total{reason=\"inventory_too_large\"}",
        2,
    );
    assert_metric(
        &metrics,
        "netops_inventory_frames_rejected_total{reason=\"inventory_invalid\"}",
        1,
    );
}
both_backends_with!(
    chunks_beyond_the_bounds_close_the_connection,
    small_chunk_limits
);

async fn a_version_2_agent_is_admitted_without_chunks(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let noc = app.staff_token("noc").await;
    let device_id = bras_id(app, &noc).await;
    let mut agent = TestAgent::connect(app).await;
    assert_eq!(agent.hello(&token, 2).await.accepted_version, 2);
    agent.send(&Frame::Inventory(bras_inventory(1, 2))).await;
    handled(&mut agent, 1).await;
    assert_eq!(all_interfaces(app, &noc, &device_id).await.len(), 2);
    let chunk = split_inventory(&bras_inventory(1, 5), 1, MAX_FRAME_BYTES).unwrap();
    agent.send(&chunk_frame(chunk[0].clone())).await;
    let closed = agent.closed().await;
    assert_eq!(closed.code, 1002, "{closed:?}");
    assert!(
        closed.reason.contains("needs protocol version 3"),
        "{closed:?}"
    );
    assert_eq!(all_interfaces(app, &noc, &device_id).await.len(), 2);
}
both_backends!(a_version_2_agent_is_admitted_without_chunks);
