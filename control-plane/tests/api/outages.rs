//! Outage notices: a site's agent that stays away past `[outages] notice_after_secs` brings
//! every active subscriber of the site one critical notification; one that comes back in time
//! brings none.

use std::time::Duration;

use control_plane::config::Config;
use serde_json::Value;

use crate::agent_client::{register_agent, TestAgent};
use crate::both_backends_with;
use crate::helpers::{eventually, metrics_text, TestApp, KARIMA, RAHIM};

fn one_second_notice(config: &mut Config) {
    config.outages.notice_after = Some(Duration::from_secs(1));
}

async fn outage_notes(app: &TestApp, (code, phone, _): (&str, &str, &str)) -> Vec<Value> {
    let token = app.customer_token(code, phone).await;
    let notes = app
        .get("/api/v1/customer/notifications", Some(&token))
        .await;
    notes
        .data()
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == "OUTAGE")
        .cloned()
        .collect()
}

/// The value of `netops_outage_notices_total{outcome}`, 0 before the first.
async fn notices(app: &TestApp, outcome: &str) -> u64 {
    let series = format!("netops_outage_notices_total{{outcome=\"{outcome}\"}} ");
    metrics_text(app)
        .await
        .lines()
        .find_map(|l| l.strip_prefix(&series).and_then(|v| v.trim().parse().ok()))
        .unwrap_or(0)
}

async fn a_site_whose_agent_stays_away_tells_its_subscribers(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;

    // Back within the notice time: nobody is told.
    let agent = TestAgent::admitted(app, &token).await;
    drop(agent);
    let back = TestAgent::admitted(app, &token).await;
    eventually("the agent_back check", Duration::from_secs(10), || async {
        (notices(app, "agent_back").await == 1).then_some(())
    })
    .await;
    assert!(outage_notes(app, RAHIM).await.is_empty());

    // Away for good: each subscriber of the site hears once, as critical.
    drop(back);
    eventually("outage notices", Duration::from_secs(10), || async {
        (notices(app, "sent").await == 1).then_some(())
    })
    .await;
    for subscriber in [RAHIM, KARIMA] {
        let notes = outage_notes(app, subscriber).await;
        assert_eq!(notes.len(), 1, "{}: {notes:?}", subscriber.0);
        assert_eq!(notes[0]["severity"], "critical");
        assert_eq!(notes[0]["title"], "Network outage in your area");
    }
}
both_backends_with!(
    a_site_whose_agent_stays_away_tells_its_subscribers,
    one_second_notice
);
