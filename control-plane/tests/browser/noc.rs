//! A NOC engineer's console: after login the demo site's agent shows connected; once the agent
//! stops, its row turns red within 10 s without reloading the page.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use crate::chromium::{attribute, click, eventually, fill, script, Browser, Step};
use crate::demo::Demo;

const AGENT_ROW: &str = "tr[data-agent='gulshan-pop-demo']";
/// The stylesheet's red for a disconnected agent (#b3261e).
const RED: &str = "rgb(179, 38, 30)";

async fn steps(client: Client, demo: &mut Demo) -> Step {
    client
        .goto(&format!("{}/noc/login", demo.base))
        .await
        .map_err(|e| format!("opening the staff login: {e}"))?;
    fill(&client, "username", "noc").await?;
    fill(&client, "password", "netops-demo-noc").await?;
    click(&client, "form[action='/noc/login'] button[type=submit]").await?;
    eventually(Duration::from_secs(15), "the agents table", || async {
        Ok(client
            .find(Locator::Id("agent-rows"))
            .await
            .ok()
            .map(|_| ()))
    })
    .await?;

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
