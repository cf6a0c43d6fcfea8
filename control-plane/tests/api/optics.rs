//! ONU optics from an agent reach the subscriber's `/network/status` and the NOC's optics
//! table, weakest first; readings for unknown ONUs are counted, not stored.

use std::time::Duration;

use proto::{Frame, OnuOptics, OnuStatus, Optics, PonPort, SubscriberKey};

use crate::agent_client::{now_ms, register_agent, TestAgent};
use crate::both_backends;
use crate::helpers::{assert_metric, eventually, TestApp, KARIMA, RAHIM};

const WAIT: Duration = Duration::from_secs(10);

fn onu(onu_id: u32, status: OnuStatus, rx: Option<f64>) -> OnuOptics {
    OnuOptics {
        subscriber_key: SubscriberKey::Onu {
            olt: "olt-gulshan-1".into(),
            pon: PonPort {
                frame: 0,
                slot: 1,
                port: 1,
            },
            onu_id,
        },
        status,
        rx_power_dbm: rx,
        tx_power_dbm: rx.map(|_| 2.3),
        olt_rx_power_dbm: None,
        temperature_c: None,
        serial: None,
        name: None,
    }
}

async fn optics_reach_status_and_the_noc_table(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    // Demo OLT, PON 0/1/1: Rahim is ONU 1, Karima ONU 2; ONU 99 belongs to nobody.
    agent
        .send(&Frame::Optics(Optics {
            device_id: "olt-gulshan-1".into(),
            timestamp_ms: now_ms(),
            readings: vec![
                onu(1, OnuStatus::Online, Some(-21.37)),
                onu(2, OnuStatus::Los, None),
                onu(99, OnuStatus::Online, Some(-19.0)),
            ],
        }))
        .await;
    agent.round_trip(7).await;

    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let status = eventually("Rahim's ONU level in /network/status", WAIT, || async {
        let s = app
            .get("/api/v1/customer/network/status", Some(&rahim))
            .await
            .data()
            .clone();
        (s["onu_rx_power"] == -21.37).then_some(s)
    })
    .await;
    assert_eq!(status["onu_status"], "online");
    assert_eq!(status["onu_tx_power"], 2.3);
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    let k = app
        .get("/api/v1/customer/network/status", Some(&karima))
        .await
        .data()
        .clone();
    let k = if k["onu_status"] == "los" {
        k
    } else {
        eventually("Karima's LOS", WAIT, || async {
            let s = app
                .get("/api/v1/customer/network/status", Some(&karima))
                .await
                .data()
                .clone();
            (s["onu_status"] == "los").then_some(s)
        })
        .await
    };
    assert!(k["onu_rx_power"].is_null(), "{k}");

    let noc = app.staff_token("noc").await;
    let weak = app
        .get("/api/v1/admin/onu-optics?weak_below_dbm=-21", Some(&noc))
        .await;
    let onus = weak.data()["onus"].as_array().unwrap().clone();
    // ONUs with no signal come first, then levels from weakest up; all below -21 dBm.
    let by_code = |code: &str| onus.iter().find(|o| o["customer_code"] == code).cloned();
    let karima_row = by_code(KARIMA.0).expect("Karima is listed");
    assert_eq!(karima_row["verdict"], "no signal");
    assert_eq!(karima_row["onu_status"], "los");
    let rahim_row = by_code(RAHIM.0).expect("Rahim is listed");
    assert_eq!(rahim_row["rx_power_dbm"], -21.37);
    assert_eq!(rahim_row["verdict"], "good");
    let levels: Vec<Option<f64>> = onus.iter().map(|o| o["rx_power_dbm"].as_f64()).collect();
    let first_level = levels
        .iter()
        .position(Option::is_some)
        .unwrap_or(levels.len());
    assert!(
        levels[..first_level].iter().all(Option::is_none),
        "{levels:?}"
    );
    let known: Vec<f64> = levels[first_level..].iter().map(|l| l.unwrap()).collect();
    assert!(
        known.windows(2).all(|w| w[0] <= w[1]),
        "weakest first: {known:?}"
    );
    assert!(known.iter().all(|l| *l < -21.0), "{known:?}");
    assert_eq!(weak.data()["pagination"]["total"], onus.len());
    app.get("/api/v1/admin/onu-optics?weak_below_dbm=loud", Some(&noc))
        .await
        .error(400);
    let customer = app.customer_token(RAHIM.0, RAHIM.1).await;
    app.get("/api/v1/admin/onu-optics", Some(&customer))
        .await
        .error(401);
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_metric(&metrics, "netops_ingest_unknown_subscriber_keys_total", 1);
}
both_backends!(optics_reach_status_and_the_noc_table);
