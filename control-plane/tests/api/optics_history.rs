//! ONU optics history: staff page through one customer's readings between two times, newest
//! first; a subscriber charts their own ONU over 24 hours or 7 days and never anyone else's.

use proto::OnuStatus;
use serde_json::Value;

use crate::agent_client::{register_agent, TestAgent};
use crate::both_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};
use crate::optics_frames::{ago_ms, online, reading, send_readings, KARIMA_ONU, RAHIM_ONU};

const HOUR: u64 = 3_600;
const DAY: u64 = 86_400;

fn history_path(customer_id: &str) -> String {
    format!("/api/v1/admin/customers/{customer_id}/onu-optics/history")
}

fn levels(readings: &Value) -> Vec<Option<f64>> {
    readings
        .as_array()
        .expect("readings")
        .iter()
        .map(|r| r["rx_power_dbm"].as_f64())
        .collect()
}

/// Rahim: readings 3 h, 2 h and 1 h ago, and a LOS 30 minutes ago; Karima one reading.
async fn seed_readings(app: &TestApp) -> TestAgent {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    for (hours_ago, level) in [(3, -21.0), (2, -25.5), (1, -27.25)] {
        send_readings(
            &mut agent,
            ago_ms(hours_ago * HOUR),
            vec![online(RAHIM_ONU, level)],
        )
        .await;
    }
    send_readings(
        &mut agent,
        ago_ms(HOUR / 2),
        vec![reading(RAHIM_ONU, OnuStatus::Los, None)],
    )
    .await;
    send_readings(&mut agent, ago_ms(HOUR), vec![online(KARIMA_ONU, -30.0)]).await;
    agent
}

async fn staff_page_through_a_customers_history(app: &TestApp) {
    let _agent = seed_readings(app).await;
    let rahim = app.customer_id(RAHIM.0).await;
    let support = app.staff_token("support").await;

    let all = app.get(&history_path(&rahim), Some(&support)).await;
    let data = all.data();
    assert_eq!(data["customer_id"], rahim.as_str());
    assert_eq!(
        levels(&data["readings"]),
        [None, Some(-27.25), Some(-25.5), Some(-21.0)],
        "newest first: {data}"
    );
    let newest = &data["readings"][0];
    assert_eq!(newest["onu_status"], "los");
    assert_eq!(newest["level"], "offline");
    let levels_words: Vec<&str> = data["readings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels_words, ["offline", "critical", "weak", "normal"]);
    assert_eq!(data["readings"][1]["tx_power_dbm"], 2.5);
    assert_eq!(data["readings"][1]["olt_rx_power_dbm"], -28.25);
    assert_eq!(data["pagination"]["total"], 4);

    let page = app
        .get(
            &format!("{}?limit=2&offset=1", history_path(&rahim)),
            Some(&support),
        )
        .await;
    assert_eq!(
        levels(&page.data()["readings"]),
        [Some(-27.25), Some(-25.5)]
    );
    assert_eq!(page.data()["pagination"]["limit"], 2);

    // Between 2.5 h and 0.75 h ago: the readings of 2 h and 1 h ago.
    let from = time_text(ago_ms(5 * HOUR / 2));
    let to = time_text(ago_ms(3 * HOUR / 4));
    let window = app
        .get(
            &format!("{}?from={from}&to={to}", history_path(&rahim)),
            Some(&support),
        )
        .await;
    assert_eq!(
        levels(&window.data()["readings"]),
        [Some(-27.25), Some(-25.5)]
    );
    assert_eq!(window.data()["pagination"]["total"], 2);

    for bad in [
        "from=yesterday".to_owned(),
        "to=2026-13-01T00:00:00Z".to_owned(),
        format!("from={to}&to={from}"),
        "limit=1000".to_owned(),
    ] {
        app.get(&format!("{}?{bad}", history_path(&rahim)), Some(&support))
            .await
            .error(400);
    }
    app.get(&history_path("no-such-customer"), Some(&support))
        .await
        .error(404);
    let billing = app.staff_token("billing").await;
    app.get(&history_path(&rahim), Some(&billing))
        .await
        .error(403);
    let customer = app.customer_token(RAHIM.0, RAHIM.1).await;
    app.get(&history_path(&rahim), Some(&customer))
        .await
        .error(401);
}
both_backends!(staff_page_through_a_customers_history);

async fn a_later_reading_in_the_same_second_replaces_the_earlier(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    // A full walk, then a fast poll of the same ONU within the same second.
    let at = ago_ms(30) / 1000 * 1000;
    send_readings(&mut agent, at, vec![online(RAHIM_ONU, -19.5)]).await;
    send_readings(&mut agent, at + 400, vec![online(RAHIM_ONU, -26.25)]).await;
    let rahim = app.customer_id(RAHIM.0).await;
    let noc = app.staff_token("noc").await;
    let page = app.get(&history_path(&rahim), Some(&noc)).await;
    assert_eq!(levels(&page.data()["readings"]), [Some(-26.25)]);
    assert_eq!(page.data()["pagination"]["total"], 1);
}
both_backends!(a_later_reading_in_the_same_second_replaces_the_earlier);

/// RFC 3339 for a Unix time in milliseconds, URL-safe (`Z`, no `+`).
fn time_text(unix_ms: u64) -> String {
    let at =
        time::OffsetDateTime::from_unix_timestamp(i64::try_from(unix_ms / 1000).unwrap()).unwrap();
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

async fn subscribers_chart_only_their_own_onu(app: &TestApp) {
    let mut agent = seed_readings(app).await;
    // Two days ago (7d only), and a second reading in the bucket of the newest one.
    send_readings(&mut agent, ago_ms(2 * DAY), vec![online(RAHIM_ONU, -19.0)]).await;
    send_readings(
        &mut agent,
        ago_ms(HOUR / 2 - 1),
        vec![online(RAHIM_ONU, -22.0)],
    )
    .await;

    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let day = app
        .get("/api/v1/customer/network/optics", Some(&rahim))
        .await;
    let points = day.data().as_array().expect("points").clone();
    let rx: Vec<Option<f64>> = points.iter().map(|p| p["onu_rx_power"].as_f64()).collect();
    // Oldest first; of the two readings 30 minutes ago, one point (the newest in its bucket) —
    // unless they fell in two buckets, then both, in order.
    assert_eq!(rx[..3], [Some(-21.0), Some(-25.5), Some(-27.25)]);
    let last = points.last().unwrap();
    assert_eq!(last["onu_rx_power"], -22.0, "{points:?}");
    assert_eq!(last["onu_status"], "online");
    assert_eq!(last["onu_tx_power"], 2.5);
    assert!(points.len() == 4 || points.len() == 5, "{points:?}");
    assert!(
        points
            .windows(2)
            .all(|w| w[0]["timestamp"].as_str() < w[1]["timestamp"].as_str()),
        "{points:?}"
    );
    assert!(last["timestamp"].as_str().unwrap().ends_with('Z'));

    let week = app
        .get("/api/v1/customer/network/optics?period=7d", Some(&rahim))
        .await;
    let week = week.data().as_array().unwrap().clone();
    assert_eq!(week[0]["onu_rx_power"], -19.0, "{week:?}");
    assert_eq!(week.last().unwrap()["onu_rx_power"], -22.0);

    // Karima sees her one reading only, under both base paths.
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    for base in ["/api/v1/customer", "/functions/v1/customer-api"] {
        let hers = app
            .get(&format!("{base}/network/optics?period=7d"), Some(&karima))
            .await;
        let hers = hers.data().as_array().unwrap().clone();
        assert_eq!(hers.len(), 1, "{hers:?}");
        assert_eq!(hers[0]["onu_rx_power"], -30.0);
    }

    app.get("/api/v1/customer/network/optics?period=1h", Some(&rahim))
        .await
        .error(400);
    app.get("/api/v1/customer/network/optics", None)
        .await
        .error(401);
    let staff = app.staff_token("admin").await;
    app.get("/api/v1/customer/network/optics", Some(&staff))
        .await
        .error(401);
}
both_backends!(subscribers_chart_only_their_own_onu);
