//! The NOC console's view of the network over HTTP: live rates from an agent's samples, poll
//! health from its inventory, and a BGP change previewed as a dry run (the agent's commands
//! shown) before the same change is applied — for the NOC only, with the page's token.

use proto::{CommandKind, CommandState, Device, DeviceKind, Frame, Inventory};
use reqwest::header::LOCATION;
use reqwest::StatusCode;

use crate::agent_client::{now_ms, pppoe, register_agent, TestAgent};
use crate::bgp_peers::create_device;
use crate::both_backends;
use crate::helpers::{TestApp, RAHIM};
use crate::portal_noc::staff_browser;
use crate::portal_subscriber::csrf_of;

const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

async fn live_rates_and_poll_health(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    let mut noc = staff_browser(app, "noc").await;

    let devices = noc.get("/noc/devices").await;
    assert!(
        devices
            .body
            .contains("data-health=\"bad\">not polled: no agent"),
        "{}",
        devices.body
    );
    agent
        .send(&Frame::Inventory(Inventory {
            devices: vec![Device {
                device_id: "bras-gulshan-1".into(),
                kind: DeviceKind::Bras,
                profile: "mikrotik-bras".into(),
                management_address: "127.0.0.1:16100".into(),
            }],
            interfaces: vec![],
            subscriber_keys: vec![],
        }))
        .await;
    agent.round_trip(1).await;
    let devices = noc.get("/noc/devices").await;
    let bras = devices.body.find("data-device=\"bras-gulshan-1\"").unwrap();
    let row = &devices.body[bras..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains(
            "class=\"health-good\" data-health=\"good\">polled by agent gulshan-pop (connected)"
        ),
        "{row}"
    );
    assert!(
        row.contains("href=\"/noc/devices/"),
        "routers and BRAS get the BGP link: {row}"
    );

    // Rahim's samples show as his rate now; the rows fragment is what the page refreshes.
    let ack = agent
        .samples(
            1,
            now_ms(),
            vec![pppoe(RAHIM.2, 42_000_000, 8_500_000, 1_000)],
        )
        .await;
    assert_eq!(ack, 1);
    let rows = noc.get("/noc/subscribers/rows?q=CUST001").await;
    assert_eq!(rows.status, StatusCode::OK);
    assert!(
        rows.body
            .contains("data-customer=\"CUST001\" data-online=\"true\""),
        "{}",
        rows.body
    );
    assert!(rows.body.contains("42.00 Mbps"), "{}", rows.body);
    assert!(rows.body.contains("8.50 Mbps"), "{}", rows.body);
    let rahim = app.customer_id(RAHIM.0).await;
    let page = noc.get(&format!("/noc/subscribers/{rahim}")).await;
    assert!(
        page.body.contains(&format!(
            "data-refresh-url=\"/noc/subscribers/{rahim}/rate\""
        )),
        "{}",
        page.body
    );
    let now = noc.get(&format!("/noc/subscribers/{rahim}/rate")).await;
    assert_eq!(now.body.trim(), "down 42.00 Mbps, up 8.50 Mbps");
    let unknown = noc
        .get("/noc/subscribers/00000000-0000-0000-0000-000000000000/rate")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let others = noc.get("/noc/subscribers/rows?q=CUST002").await;
    assert!(
        others.body.contains("data-online=\"false\""),
        "{}",
        others.body
    );
    let page = noc.get("/noc/subscribers?q=a%20b").await;
    assert!(
        page.body
            .contains("data-refresh-url=\"/noc/subscribers/rows?q=a%20b\""),
        "{}",
        page.body
    );

    // Billing sees devices but not the agents' health.
    let mut billing = staff_browser(app, "billing").await;
    let devices = billing.get("/noc/devices").await;
    assert_eq!(devices.status, StatusCode::OK);
    assert!(!devices.body.contains("data-health"), "{}", devices.body);
}
both_backends!(live_rates_and_poll_health);

async fn bgp_change_is_previewed_then_applied(app: &TestApp) {
    let router = create_device(app, "edge-gulshan-1", "router").await;
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    let form_path = format!("/noc/devices/{router}/bgp");
    let fields = |csrf: &str| {
        vec![
            ("csrf".to_owned(), csrf.to_owned()),
            ("peer_ip".to_owned(), "192.0.2.1".to_owned()),
            ("action".to_owned(), "add".to_owned()),
            ("remote_as".to_owned(), "65002".to_owned()),
            ("max_prefixes".to_owned(), "".to_owned()),
            ("import_policy".to_owned(), "TRANSIT-IN".to_owned()),
            ("export_policy".to_owned(), "".to_owned()),
        ]
    };

    let mut support = staff_browser(app, "support").await;
    assert_eq!(support.get(&form_path).await.status, StatusCode::FORBIDDEN);
    let page = support.get("/noc/subscribers").await;
    let support_fields = fields(&csrf_of(&page));
    let refused = support.post_form(&form_path, &pairs(&support_fields)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut noc = staff_browser(app, "noc").await;
    let form = noc.get(&form_path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let noc_fields = fields(&csrf_of(&form));
    let forged = noc.post_form(&form_path, &pairs(&noc_fields[1..])).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let mut wrong = noc_fields.clone();
    wrong[3].1 = "AS65002".to_owned();
    let wrong = noc.post_form(&form_path, &pairs(&wrong)).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("change.remote_as"), "{}", wrong.body);

    let queued = noc.post_form(&form_path, &pairs(&noc_fields)).await;
    assert_eq!(queued.status, StatusCode::SEE_OTHER, "{}", queued.body);
    let command_page = queued.headers[LOCATION].to_str().unwrap().to_owned();
    let preview_id = command_page.trim_start_matches("/noc/commands/").to_owned();
    let sent = agent.next_command().await;
    assert_eq!(sent.command_id.to_string(), preview_id);
    assert!(
        matches!(sent.kind, CommandKind::BgpPeer { dry_run: true, .. }),
        "{:?}",
        sent.kind
    );

    // Nothing to apply before the dry run succeeded.
    let csrf = csrf_of(&form);
    let early = noc
        .post_form(
            &format!("/noc/commands/{preview_id}/apply"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);

    let detail = "dry run: add neighbor 192.0.2.1 on edge-gulshan-1 (FRR): nothing was changed; would run: vtysh -c 'configure terminal' -c 'router bgp 65001' -c 'neighbor 192.0.2.1 remote-as 65002'; then wait for the session to be Established; if it does not, the inverse commands are applied";
    agent
        .report(&preview_id, CommandState::Succeeded, detail)
        .await;
    let state_path = format!("/noc/commands/{preview_id}/state");
    // Bounded: the result is applied within WAIT, checked every 100 ms.
    let deadline = std::time::Instant::now() + WAIT;
    let shown = loop {
        let state = noc.get(&state_path).await;
        if state.body.contains("id=\"router-commands\"") {
            break state.body;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the dry run's commands not shown within {WAIT:?}: {}",
            state.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(
        shown.contains("vtysh -c &#39;configure terminal&#39; -c &#39;router bgp 65001&#39; -c &#39;neighbor 192.0.2.1 remote-as 65002&#39;</pre>"),
        "{shown}"
    );
    assert!(shown.contains("data-final=\"true\""), "{shown}");
    assert!(shown.contains(&format!("action=\"/noc/commands/{preview_id}/apply\"")));

    let applied = noc
        .post_form(
            &format!("/noc/commands/{preview_id}/apply"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    let sent = agent.next_command().await;
    assert_eq!(
        applied.headers[LOCATION].to_str().unwrap(),
        format!("/noc/commands/{}", sent.command_id)
    );
    match sent.kind {
        CommandKind::BgpPeer {
            dry_run, peer_ip, ..
        } => {
            assert!(!dry_run);
            assert_eq!(peer_ip.to_string(), "192.0.2.1");
        }
        other => panic!("expected a BGP change, got {other:?}"),
    }
    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            "/api/v1/admin/audit-log?action=device.bgp_peer_change",
            Some(&admin),
        )
        .await;
    assert_eq!(audit.data()["pagination"]["total"], 2, "preview and apply");
}
both_backends!(bgp_change_is_previewed_then_applied);

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

async fn a_change_of_speed_shows_the_path_taken(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    let karima = app.customer_id("CUST002").await;
    let mut noc = staff_browser(app, "noc").await;
    let page = noc.get(&format!("/noc/subscribers/{karima}")).await;
    let csrf = csrf_of(&page);
    // (what the agent reports, the path the page names)
    let cases = [
        (
            "changed in place by CoA to 40/10 Mbps; the session stayed up",
            "CoA: changed in place",
        ),
        (
            "CoA refused (Unsupported-Extension); disconnected so the new rate (40/10 Mbps) applies at re-login",
            "Disconnect: the BRAS refused the CoA",
        ),
    ];
    for (detail, path) in cases {
        let queued = noc
            .post_form(
                &format!("/noc/subscribers/{karima}/speed"),
                &[
                    ("csrf", &csrf),
                    ("download_mbps", "40"),
                    ("upload_mbps", "10"),
                ],
            )
            .await;
        assert_eq!(queued.status, StatusCode::SEE_OTHER, "{}", queued.body);
        let command_page = queued.headers[LOCATION].to_str().unwrap().to_owned();
        let sent = agent.next_command().await;
        assert!(
            command_page.ends_with(&sent.command_id.to_string()),
            "{command_page}"
        );
        let running = noc.get(&command_page).await;
        assert!(
            !running.body.contains("id=\"speed-path\""),
            "{}",
            running.body
        );
        agent
            .report(
                &sent.command_id.to_string(),
                CommandState::Succeeded,
                detail,
            )
            .await;
        agent.round_trip(9).await;
        let done = noc.get(&format!("{command_page}/state")).await;
        assert!(done.body.contains("data-final=\"true\""), "{}", done.body);
        assert!(
            done.body.contains(&format!("<dd id=\"speed-path\">{path}")),
            "{}",
            done.body
        );
    }
}
both_backends!(a_change_of_speed_shows_the_path_taken);
