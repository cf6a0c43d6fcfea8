//! The NOC console in a browser: after login the demo site's agent shows connected and, once
//! it stops, its row turns red within 10 s without reloading the page; a support engineer
//! replies to a ticket and adds an internal note, shown marked; a NOC engineer previews a BGP
//! change on a real BIRD router as a dry run and sees the commands the agent would run.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use crate::bgp_site::BgpSite;
use crate::chromium::{attribute, click, eventually, fill, script, Browser, Step};
use crate::demo::Demo;

const AGENT_ROW: &str = "tr[data-agent='gulshan-pop-demo']";
/// The stylesheet's red for a disconnected agent (#b3261e).
const RED: &str = "rgb(179, 38, 30)";

async fn steps(client: Client, demo: &mut Demo) -> Step {
    log_in(&client, &demo.base, "noc", "netops-demo-noc").await?;
    shown(&client, Locator::Id("agent-rows"), "the agents table").await?;

    // The page refreshes by itself: the demo agent shows connected (reloading nothing).
    eventually(
        Duration::from_secs(20),
        "the demo agent shown connected",
        || async {
            let connected = attribute(&client, AGENT_ROW, "data-connected").await?;
            Ok((connected.as_deref() == Some("true")).then_some(()))
        },
    )
    .await?;
    // A mark on this page's window: a reload would lose it.
    script(&client, "window.netopsSamePage = true; return true;").await?;

    demo.stop_site().await;
    let stopped = Instant::now();
    eventually(
        Duration::from_secs(10),
        "the stopped agent shown disconnected",
        || async {
            let connected = attribute(&client, AGENT_ROW, "data-connected").await?;
            Ok((connected.as_deref() == Some("false")).then_some(()))
        },
    )
    .await?;
    let took = stopped.elapsed();
    let colour = script(
        &client,
        "return getComputedStyle(document.querySelector(\"tr[data-agent='gulshan-pop-demo'] td.agent-state\")).color;",
    )
    .await?;
    if colour.as_str() != Some(RED) {
        return Err(format!(
            "the disconnected agent's state is shown in {colour}, not red"
        ));
    }
    let same_page = script(&client, "return window.netopsSamePage === true;").await?;
    if same_page != serde_json::Value::Bool(true) {
        return Err("the page was reloaded instead of refreshing its table".into());
    }
    if took > Duration::from_secs(10) {
        return Err(format!(
            "the agent turned red after {took:?}, more than 10 s"
        ));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noc_sees_a_stopped_agent_turn_red_within_10_s() {
    let Some(browser) = Browser::desktop(1280, 900).await else {
        return;
    };
    let mut demo = Demo::start().await;
    browser
        .run("noc-agent-turns-red", |client| steps(client, &mut demo))
        .await;
    demo.stop().await;
}

/// Waits up to 15 s for an element to be on the page.
async fn shown(client: &Client, locator: Locator<'_>, what: &str) -> Step {
    eventually(Duration::from_secs(15), what, || async {
        Ok(client.find(locator).await.ok().map(|_| ()))
    })
    .await
}

async fn log_in(client: &Client, base: &str, username: &str, password: &str) -> Step {
    client
        .goto(&format!("{base}/noc/login"))
        .await
        .map_err(|e| format!("opening the staff login: {e}"))?;
    fill(client, "username", username).await?;
    fill(client, "password", password).await?;
    click(client, "form[action='/noc/login'] button[type=submit]").await?;
    shown(
        client,
        Locator::Css("span.who-am-i"),
        "the console after login",
    )
    .await
}

/// The text of the thread's messages matching `css`, joined.
async fn thread_text(client: &Client, css: &str) -> Step<String> {
    let code = format!(
        "return Array.from(document.querySelectorAll({css:?})).map(e => e.textContent).join('\\n');"
    );
    Ok(script(client, &code)
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

async fn ticket_steps(client: Client, base: String) -> Step {
    log_in(&client, &base, "support", "netops-demo-support").await?;
    client
        .goto(&format!("{base}/noc/tickets"))
        .await
        .map_err(|e| format!("opening the ticket queue: {e}"))?;
    click(&client, "tr[data-ticket] th a").await?;
    shown(
        &client,
        Locator::Id("reply-form"),
        "the ticket's reply form",
    )
    .await?;

    fill(
        &client,
        "reply",
        "We reset your port; please restart the router",
    )
    .await?;
    click(&client, "#reply-form button[type=submit]").await?;
    eventually(
        Duration::from_secs(15),
        "the reply in the thread",
        || async {
            let replies = thread_text(&client, "#thread li.msg.staff:not(.internal)").await?;
            Ok(replies.contains("We reset your port").then_some(()))
        },
    )
    .await?;

    fill(&client, "note", "Port flapped 14 times overnight; watch it").await?;
    click(&client, "#note-form button[type=submit]").await?;
    eventually(
        Duration::from_secs(15),
        "the internal note, marked",
        || async {
            let notes = thread_text(&client, "#thread li.msg.internal").await?;
            Ok((notes.contains("Port flapped") && notes.contains("Internal note")).then_some(()))
        },
    )
    .await?;
    let replies = thread_text(&client, "#thread li.msg:not(.internal)").await?;
    if replies.contains("Port flapped") {
        return Err("the internal note is shown as an ordinary message".into());
    }
    // Marked to the eye too: the note's amber edge (#a05a00).
    let edge = script(
        &client,
        "return getComputedStyle(document.querySelector('#thread li.msg.internal')).borderLeftColor;",
    )
    .await?;
    if edge.as_str() != Some("rgb(160, 90, 0)") {
        return Err(format!("the internal note's edge is {edge}, not amber"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_replies_to_a_ticket_and_adds_an_internal_note() {
    let Some(browser) = Browser::desktop(1280, 900).await else {
        return;
    };
    let demo = Demo::start().await;
    let base = demo.base.clone();
    browser
        .run("noc-ticket-reply-and-note", |client| {
            ticket_steps(client, base)
        })
        .await;
    demo.stop().await;
}

async fn bgp_steps(client: Client, base: String, site: &BgpSite) -> Step {
    log_in(&client, &base, "noc", "netops-demo-noc").await?;
    client
        .goto(&format!("{base}/noc/devices"))
        .await
        .map_err(|e| format!("opening the devices: {e}"))?;
    click(&client, "tr[data-device='lab-router-a'] a").await?;
    shown(&client, Locator::Id("bgp-form"), "the BGP form").await?;
    fill(&client, "peer_ip", "10.213.0.2").await?;
    fill(&client, "remote_as", "65002").await?;
    fill(&client, "max_prefixes", "1000").await?;
    click(&client, "#bgp-form button[type=submit]").await?;

    let commands = eventually(
        Duration::from_secs(40),
        "the dry run's router commands",
        || async {
            let state = attribute(&client, "#command-state", "data-state").await?;
            if matches!(state.as_deref(), Some("failed" | "expired" | "rolled_back")) {
                let detail = thread_text(&client, "#command-detail").await?;
                return Err(format!("the dry run ended {state:?}: {detail}"));
            }
            let shown = thread_text(&client, "#router-commands").await?;
            Ok((!shown.is_empty()).then_some(shown))
        },
    )
    .await?;
    for part in ["10.213.0.2", "65002", "1000"] {
        if !commands.contains(part) {
            return Err(format!("the commands shown lack {part}: {commands}"));
        }
    }
    client
        .find(Locator::Css("form[action$='/apply'] button"))
        .await
        .map_err(|e| format!("no button to apply the previewed change: {e}"))?;
    // A dry run changes nothing: router A has no session to B.
    if site.lab.router_b_state().as_deref() == Some("Established") {
        return Err("the dry run brought the session up".into());
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noc_previews_a_bgp_change_as_a_dry_run_and_sees_the_commands() {
    let Some(browser) = Browser::desktop(1280, 900).await else {
        return;
    };
    let mut demo = Demo::start().await;
    // The demo's own agent steps aside, so the lab's agent is the site's only one.
    demo.stop_site().await;
    let Some(site) = BgpSite::start(&demo.base).await else {
        demo.stop().await;
        return;
    };
    let base = demo.base.clone();
    browser
        .run("noc-bgp-dry-run", |client| bgp_steps(client, base, &site))
        .await;
    site.stop().await;
    demo.stop().await;
}
