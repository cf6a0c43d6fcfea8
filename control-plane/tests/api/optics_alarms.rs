//! Optics thresholds at ingest: crossings into and out of weak, critical and offline become
//! alarms, with hysteresis so a level hovering at a line does not flap; the thresholds come
//! from `[optics]`; the NOC lists the alarms, active ones alone on request.

use control_plane::config::Config;
use proto::OnuStatus;
use serde_json::Value;

use crate::agent_client::{register_agent, TestAgent};
use crate::helpers::{assert_metric, metrics_text, TestApp, KARIMA, RAHIM};
use crate::optics_frames::{ago_ms, online, reading, send_readings, KARIMA_ONU, RAHIM_ONU};
use crate::{both_backends, both_backends_with};

const ALARMS: &str = "/api/v1/admin/onu-optics/alarms";

fn crossings(page: &Value) -> Vec<(String, String, String)> {
    page["alarms"]
        .as_array()
        .expect("alarms")
        .iter()
        .map(|a| {
            (
                a["customer_code"].as_str().unwrap().to_owned(),
                a["from_level"].as_str().unwrap().to_owned(),
                a["to_level"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn crossing(code: &str, from: &str, to: &str) -> (String, String, String) {
    (code.to_owned(), from.to_owned(), to.to_owned())
}

async fn crossings_become_alarms_without_flapping(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    // Rahim's level wanders around the weak line (-25 dBm, hysteresis 1 dB), recovers, then
    // drops past the critical line; Karima's ONU loses light.
    let rahim_levels = [-20.0, -25.5, -24.5, -25.2, -24.1, -23.5, -27.5, -26.4];
    for (i, level) in rahim_levels.iter().enumerate() {
        let at = ago_ms(600 - 10 * i as u64);
        send_readings(&mut agent, at, vec![online(RAHIM_ONU, *level)]).await;
    }
    send_readings(
        &mut agent,
        ago_ms(500),
        vec![reading(KARIMA_ONU, OnuStatus::Los, None)],
    )
    .await;

    let noc = app.staff_token("noc").await;
    let all = app.get(ALARMS, Some(&noc)).await;
    let page = all.data();
    assert_eq!(
        crossings(page),
        [
            crossing(KARIMA.0, "normal", "offline"),
            crossing(RAHIM.0, "normal", "critical"),
            crossing(RAHIM.0, "weak", "normal"),
            crossing(RAHIM.0, "normal", "weak"),
        ],
        "newest first; -24.5, -25.2, -24.1 and -26.4 dBm stay within the hysteresis: {page}"
    );
    assert_eq!(page["pagination"]["total"], 4);
    let alarms = page["alarms"].as_array().unwrap();
    assert_eq!(alarms[1]["rx_power_dbm"], -27.5);
    assert_eq!(alarms[1]["olt"], "olt-gulshan-1");
    assert_eq!(alarms[1]["pon_port"], "0/1/1");
    assert_eq!(alarms[1]["onu_id"], 1);
    assert_eq!(alarms[1]["active"], true);
    assert!(alarms[1]["ended_at"].is_null());
    assert_eq!(
        alarms[2]["active"], false,
        "a return to normal is not an alarm"
    );
    assert_eq!(alarms[3]["active"], false);
    assert_eq!(
        alarms[3]["ended_at"], alarms[2]["at"],
        "ended by the next crossing"
    );
    assert!(alarms[0]["rx_power_dbm"].is_null());

    let active = app.get(&format!("{ALARMS}?active=true"), Some(&noc)).await;
    assert_eq!(
        crossings(active.data()),
        [
            crossing(KARIMA.0, "normal", "offline"),
            crossing(RAHIM.0, "normal", "critical"),
        ]
    );
    let rahim_id = app.customer_id(RAHIM.0).await;
    let mine = app
        .get(
            &format!("{ALARMS}?customer_id={rahim_id}&limit=1&offset=1"),
            Some(&noc),
        )
        .await;
    assert_eq!(
        crossings(mine.data()),
        [crossing(RAHIM.0, "weak", "normal")]
    );
    assert_eq!(mine.data()["pagination"]["total"], 3);

    // Karima's ONU comes back: her alarm ends, and the gauge follows the levels.
    send_readings(&mut agent, ago_ms(400), vec![online(KARIMA_ONU, -19.0)]).await;
    let active = app.get(&format!("{ALARMS}?active=true"), Some(&noc)).await;
    assert_eq!(
        crossings(active.data()),
        [crossing(RAHIM.0, "normal", "critical")]
    );
    // Each crossing into a worse level told its subscriber; the return to normal did not.
    let (code, phone, _) = RAHIM;
    let token = app.customer_token(code, phone).await;
    let notes = app
        .get("/api/v1/customer/notifications", Some(&token))
        .await;
    let titles: Vec<String> = notes
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap_or_default().to_owned())
        .filter(|t| t.contains("signal"))
        .collect();
    assert_eq!(
        titles,
        ["Very weak signal at your ONU", "Weak signal at your ONU"],
        "{}",
        notes.data()
    );
    let metrics = metrics_text(app).await;
    assert_metric(
        &metrics,
        "netops_onus_by_optics_level{level=\"critical\"}",
        1,
    );
    assert_metric(&metrics, "netops_onus_by_optics_level{level=\"normal\"}", 1);
    assert_metric(
        &metrics,
        "netops_onus_by_optics_level{level=\"offline\"}",
        0,
    );
    assert_metric(&metrics, "netops_onus_by_optics_level{level=\"weak\"}", 0);
}
both_backends!(crossings_become_alarms_without_flapping);

async fn alarms_check_roles_and_filters(app: &TestApp) {
    for role in ["admin", "noc", "support"] {
        let token = app.staff_token(role).await;
        app.get(ALARMS, Some(&token)).await.data();
    }
    let billing = app.staff_token("billing").await;
    app.get(ALARMS, Some(&billing)).await.error(403);
    let customer = app.customer_token(RAHIM.0, RAHIM.1).await;
    app.get(ALARMS, Some(&customer)).await.error(401);
    app.get(ALARMS, None).await.error(401);
    let noc = app.staff_token("noc").await;
    for bad in ["active=yes", "limit=0", "limit=many", "offset=-1"] {
        app.get(&format!("{ALARMS}?{bad}"), Some(&noc))
            .await
            .error(400);
    }
}
both_backends!(alarms_check_roles_and_filters);

fn stricter_thresholds(config: &mut Config) {
    config.optics.thresholds.weak_dbm = -21.0;
    config.optics.thresholds.critical_dbm = -23.0;
    config.optics.thresholds.hysteresis_db = 0.5;
}

async fn thresholds_come_from_the_configuration(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    send_readings(&mut agent, ago_ms(60), vec![online(RAHIM_ONU, -21.5)]).await;
    send_readings(&mut agent, ago_ms(50), vec![online(KARIMA_ONU, -23.5)]).await;
    let noc = app.staff_token("noc").await;
    let alarms = app.get(ALARMS, Some(&noc)).await;
    assert_eq!(
        crossings(alarms.data()),
        [
            crossing(KARIMA.0, "normal", "critical"),
            crossing(RAHIM.0, "normal", "weak"),
        ]
    );
    let table = app.get("/api/v1/admin/onu-optics", Some(&noc)).await;
    let verdict = |code: &str| {
        table.data()["onus"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["customer_code"] == code)
            .map(|o| o["verdict"].clone())
            .expect("listed")
    };
    assert_eq!(verdict(RAHIM.0), "weak");
    assert_eq!(verdict(KARIMA.0), "critical");
}
both_backends_with!(thresholds_come_from_the_configuration, stricter_thresholds);
