//! The device command pipeline end to end: a subscriber's request reaches the agent of the
//! device's site as a `Command`, the agent's `CommandResult`s move it forward only, and a
//! command no agent receives in time expires with the reason.

use std::time::Duration;

use proto::{CommandKind, CommandState, PonPort, SubscriberKey};
use serde_json::Value;

use crate::agent_client::{register_agent, TestAgent};
use crate::helpers::{assert_metric, eventually, metrics_text, TestApp, RAHIM};
use crate::{both_backends, both_backends_with};

const WAIT: Duration = Duration::from_secs(10);

/// Every deadline one second, so expiry shows within a test.
fn short_deadlines(config: &mut control_plane::config::Config) {
    let second = Duration::from_secs(1);
    let commands = &mut config.commands;
    commands.disconnect_deadline = second;
    commands.reboot_onu_deadline = second;
    commands.reboot_router_deadline = second;
    commands.change_speed_deadline = second;
    commands.expiry_check = Duration::from_millis(100);
}

/// Asks for a device action as the subscriber; returns the command id.
async fn subscriber_asks(app: &TestApp, token: &str, action: &str) -> String {
    let reply = app
        .post(
            &format!("/api/v1/customer/device/{action}"),
            Some(token),
            serde_json::json!({}),
        )
        .await;
    reply.data()["command_id"]
        .as_str()
        .expect("command id")
        .to_owned()
}

/// Waits until the subscriber sees the command in `state`; returns the command.
async fn wait_for_state(app: &TestApp, token: &str, id: &str, state: &str) -> Value {
    eventually(&format!("command {id} to be {state}"), WAIT, || async {
        let reply = app
            .get(
                &format!("/api/v1/customer/device/commands/{id}"),
                Some(token),
            )
            .await;
        let command = reply.data().clone();
        (command["state"] == state).then_some(command)
    })
    .await
}

fn rahim_onu() -> SubscriberKey {
    SubscriberKey::Onu {
        olt: "olt-gulshan-1".into(),
        pon: PonPort {
            frame: 0,
            slot: 1,
            port: 1,
        },
        onu_id: 1,
    }
}

async fn reboot_onu_reaches_the_agent_and_reports_back(app: &TestApp) {
    let (_, agent_token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &agent_token).await;
    let token = app.customer_token(RAHIM.0, RAHIM.1).await;

    let id = subscriber_asks(app, &token, "reboot-onu").await;
    let command = agent.next_command().await;
    assert_eq!(command.command_id.to_string(), id);
    assert_eq!(command.kind, CommandKind::RebootOnu);
    assert_eq!(command.target.device_id, "olt-gulshan-1");
    assert_eq!(command.target.subscriber_key, Some(rahim_onu()));
    wait_for_state(app, &token, &id, "sent").await;

    agent.report(&id, CommandState::Running, "").await;
    wait_for_state(app, &token, &id, "running").await;
    agent
        .report(&id, CommandState::Succeeded, "ONU back online after 94 s")
        .await;
    let done = wait_for_state(app, &token, &id, "succeeded").await;
    assert_eq!(done["detail"], "ONU back online after 94 s");

    // Repeated and late results change nothing once the command is finished.
    agent.report(&id, CommandState::Running, "again").await;
    agent.report(&id, CommandState::Failed, "late").await;
    agent
        .report(
            &uuid::Uuid::new_v4().to_string(),
            CommandState::Succeeded,
            "",
        )
        .await;
    agent.round_trip(1).await;
    let after = wait_for_state(app, &token, &id, "succeeded").await;
    assert_eq!(after["detail"], "ONU back online after 94 s");

    let metrics = metrics_text(app).await;
    assert_metric(
        &metrics,
        "netops_commands_dispatched_total{kind=\"reboot_onu\"}",
        1,
    );
    assert_metric(
        &metrics,
        "netops_command_results_total{state=\"running\"}",
        2,
    );
    assert_metric(
        &metrics,
        "netops_command_results_total{state=\"succeeded\"}",
        2,
    );
    assert_metric(
        &metrics,
        "netops_command_results_ignored_total{reason=\"not_forward\"}",
        2,
    );
    assert_metric(
        &metrics,
        "netops_command_results_ignored_total{reason=\"unknown_command\"}",
        1,
    );
}
both_backends!(reboot_onu_reaches_the_agent_and_reports_back);

async fn a_failed_result_shows_the_agents_reason(app: &TestApp) {
    let admin = app.staff_token("admin").await;
    let webhook = app
        .post(
            "/api/v1/admin/webhooks",
            Some(&admin),
            serde_json::json!({ "url": "http://127.0.0.1:9/hook", "events": ["device.command_finished"] }),
        )
        .await;
    let webhook_id = webhook.data()["webhook"]["id"].as_str().unwrap().to_owned();
    let (_, agent_token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &agent_token).await;
    let token = app.customer_token(RAHIM.0, RAHIM.1).await;

    let id = subscriber_asks(app, &token, "disconnect").await;
    let command = agent.next_command().await;
    assert_eq!(command.kind, CommandKind::DisconnectSession);
    assert_eq!(command.target.device_id, "bras-gulshan-1");
    assert_eq!(
        command.target.subscriber_key,
        Some(SubscriberKey::PppoeUsername(RAHIM.2.into()))
    );
    agent.report(&id, CommandState::Running, "").await;
    let reason = "BRAS answered Disconnect-NAK: Session-Context-Not-Found";
    agent.report(&id, CommandState::Failed, reason).await;
    let failed = wait_for_state(app, &token, &id, "failed").await;
    assert_eq!(failed["detail"], reason);
    // Only the final state is announced, once.
    let log = app
        .get(
            &format!("/api/v1/admin/webhooks/{webhook_id}/deliveries"),
            Some(&admin),
        )
        .await;
    let events: Vec<&str> = log
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["event"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(events, ["device.command_finished"], "{}", log.data());
}
both_backends!(a_failed_result_shows_the_agents_reason);

async fn without_an_agent_the_command_expires_as_offline(app: &TestApp) {
    let token = app.customer_token(RAHIM.0, RAHIM.1).await;
    let id = subscriber_asks(app, &token, "reboot-onu").await;
    let expired = wait_for_state(app, &token, &id, "expired").await;
    assert_eq!(
        expired["detail"],
        "the site's agent was offline; the command was not delivered within 1 s"
    );

    // An agent connecting after the deadline never gets it.
    let (_, agent_token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &agent_token).await;
    agent.round_trip(1).await;
    let metrics = metrics_text(app).await;
    assert_metric(
        &metrics,
        "netops_commands_expired_total{reason=\"agent_offline\"}",
        1,
    );
}
both_backends_with!(
    without_an_agent_the_command_expires_as_offline,
    short_deadlines
);

async fn a_silent_agent_lets_the_command_expire(app: &TestApp) {
    let (_, agent_token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &agent_token).await;
    let token = app.customer_token(RAHIM.0, RAHIM.1).await;
    let id = subscriber_asks(app, &token, "disconnect").await;
    agent.next_command().await;
    let expired = wait_for_state(app, &token, &id, "expired").await;
    assert_eq!(expired["detail"], "no result from the agent within 1 s");
    agent.report(&id, CommandState::Succeeded, "too late").await;
    agent.round_trip(1).await;
    let still = wait_for_state(app, &token, &id, "expired").await;
    assert_eq!(still["detail"], "no result from the agent within 1 s");
}
both_backends_with!(a_silent_agent_lets_the_command_expire, short_deadlines);

async fn an_agent_connecting_later_gets_unfinished_commands(app: &TestApp) {
    let token = app.customer_token(RAHIM.0, RAHIM.1).await;
    let id = subscriber_asks(app, &token, "reboot-onu").await;
    let (_, agent_token) = register_agent(app, "gulshan-pop").await;

    let mut agent = TestAgent::admitted(app, &agent_token).await;
    assert_eq!(agent.next_command().await.command_id.to_string(), id);
    wait_for_state(app, &token, &id, "sent").await;
    drop(agent);

    // Sent but unanswered: the next connection gets it again (the agent de-duplicates).
    let mut agent = TestAgent::admitted(app, &agent_token).await;
    assert_eq!(agent.next_command().await.command_id.to_string(), id);
    agent.report(&id, CommandState::Succeeded, "done").await;
    wait_for_state(app, &token, &id, "succeeded").await;
}
both_backends!(an_agent_connecting_later_gets_unfinished_commands);

async fn commands_for_another_sites_devices_stay_there(app: &TestApp) {
    let site = app
        .store
        .insert_site("Mirpur POP", None)
        .await
        .expect("site");
    let olt = app
        .store
        .insert_device(&control_plane::store::devices::DeviceFields {
            site_id: site.id.clone(),
            name: "olt-mirpur-1".into(),
            kind: "olt".into(),
            ..Default::default()
        })
        .await
        .expect("device");
    let customer_id = app.customer_id(RAHIM.0).await;
    let foreign = app
        .store
        .insert_command(&control_plane::store::commands::NewCommand {
            kind: "reboot_onu".into(),
            requester_kind: "staff".into(),
            requester_id: "noc".into(),
            customer_id: Some(customer_id),
            device_id: Some(olt.id),
            target: "onu:olt-mirpur-1:0/1/1:1".into(),
            params: "{}".into(),
        })
        .await
        .expect("command");

    let (_, agent_token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &agent_token).await;
    let token = app.customer_token(RAHIM.0, RAHIM.1).await;
    let own = subscriber_asks(app, &token, "reboot-onu").await;
    assert_eq!(agent.next_command().await.command_id.to_string(), own);
    agent.round_trip(1).await;

    // A result for the other site's command from this agent is ignored.
    agent
        .report(&foreign.id, CommandState::Succeeded, "not mine")
        .await;
    agent.round_trip(2).await;
    let stored = app.store.command(&foreign.id).await.expect("command");
    assert_eq!(stored.state, "queued");
    assert_eq!(stored.detail, None);
    let metrics = metrics_text(app).await;
    assert_metric(
        &metrics,
        "netops_command_results_ignored_total{reason=\"foreign_agent\"}",
        1,
    );
}
both_backends!(commands_for_another_sites_devices_stay_there);
