//! A subscriber in a phone-sized browser: logs in, watches the live chart receive new points
//! from the demo BRAS, presses "Reboot ONU" and sees the command reach `succeeded` while the
//! simulated OLT really took the ONU down and up; then downloads a bill's PDF invoice from the
//! bills page with the session cookie.

use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::chromium::{attribute, click, eventually, fill, script, Browser, Step};
use crate::demo::Demo;

/// Logs in with a customer code and phone and waits for the dashboard.
pub async fn log_in(client: &Client, base: &str, code: &str, phone: &str) -> Step {
    client
        .goto(&format!("{base}/login"))
        .await
        .map_err(|e| format!("opening the login page: {e}"))?;
    fill(client, "customer_code", code).await?;
    fill(client, "phone", phone).await?;
    click(client, "form[action='/login'] button[type=submit]").await?;
    eventually(
        Duration::from_secs(15),
        "the dashboard after login",
        || async {
            Ok(client
                .find(Locator::Id("live-chart"))
                .await
                .ok()
                .map(|_| ()))
        },
    )
    .await
}

async fn live_points(client: &Client) -> Step<u64> {
    let text = attribute(client, "#live-chart", "data-points")
        .await?
        .ok_or("the live chart has no data-points attribute")?;
    text.parse()
        .map_err(|_| format!("data-points is not a count: {text}"))
}

async fn steps(client: Client, demo: &Demo) -> Step {
    log_in(&client, &demo.base, "CUST001", "01712345678").await?;

    // The page fits a 360 px screen: nothing wider than the window.
    let widths = script(
        &client,
        "return [document.documentElement.scrollWidth, window.innerWidth];",
    )
    .await?;
    let (scroll, inner) = (widths[0].as_i64(), widths[1].as_i64());
    if inner != Some(360) {
        return Err(format!("the window is {inner:?} px wide, not 360"));
    }
    if scroll > inner {
        return Err(format!(
            "the dashboard is wider ({scroll:?} px) than the 360 px window ({inner:?} px)"
        ));
    }

    // At least three new points, read from the counter the chart script keeps.
    let first = live_points(&client).await?;
    let seen = eventually(
        Duration::from_secs(20),
        "three new points on the live chart",
        || async {
            let now = live_points(&client).await?;
            Ok((now >= first + 3).then_some(now))
        },
    )
    .await?;
    let rx_text = client
        .find(Locator::Id("live-rx"))
        .await
        .map_err(|e| format!("#live-rx: {e}"))?
        .text()
        .await
        .map_err(|e| format!("#live-rx text: {e}"))?;
    let rx_mbps: f64 = rx_text
        .trim()
        .parse()
        .map_err(|_| format!("the current download rate is not a number: {rx_text:?}"))?;
    if rx_mbps <= 0.0 {
        return Err(format!(
            "after {seen} live points the download rate shows {rx_mbps} Mbps; the demo BRAS carries about 40 Mbps"
        ));
    }

    // Reboot the ONU and follow the command to its end on its own page.
    click(&client, "#reboot-onu").await?;
    eventually(
        Duration::from_secs(15),
        "the command's progress page",
        || async {
            let url = client
                .current_url()
                .await
                .map_err(|e| format!("current url: {e}"))?;
            Ok(url.path().starts_with("/commands/").then_some(()))
        },
    )
    .await?;
    let state = eventually(
        Duration::from_secs(60),
        "the ONU reboot reaching a final state",
        || async {
            let state = attribute(&client, "#command", "data-state").await?;
            Ok(state.filter(|s| !matches!(s.as_str(), "queued" | "sent" | "running")))
        },
    )
    .await?;
    let words = client
        .find(Locator::Id("command-detail"))
        .await
        .map_err(|e| format!("#command-detail: {e}"))?
        .text()
        .await
        .map_err(|e| format!("#command-detail text: {e}"))?;
    if state != "succeeded" {
        return Err(format!("the ONU reboot ended {state}: {words}"));
    }
    let resets = demo.site.as_ref().map_or(0, |s| s.onu_resets_received());
    if resets != 1 {
        return Err(format!(
            "the page says succeeded but the OLT received {resets} reset SETs"
        ));
    }
    download_pdf_invoice(&client, &demo.base).await
}

/// Follows the first bill's "PDF" link with the page's own session and checks the file.
async fn download_pdf_invoice(client: &Client, base: &str) -> Step {
    client
        .goto(&format!("{base}/bills"))
        .await
        .map_err(|e| format!("opening the bills page: {e}"))?;
    let got = script(
        client,
        "const link = document.querySelector('a.invoice-pdf');
         if (!link) { return { error: 'no PDF link on the bills page' }; }
         return fetch(link.href, { credentials: 'same-origin' }).then(async (r) => {
           const head = new Uint8Array(await r.arrayBuffer()).slice(0, 5);
           return { status: r.status, type: r.headers.get('content-type'),
                    head: String.fromCharCode(...head) };
         });",
    )
    .await?;
    if let Some(error) = got["error"].as_str() {
        return Err(error.to_owned());
    }
    if got["status"] != 200 || got["type"] != "application/pdf" || got["head"] != "%PDF-" {
        return Err(format!("the PDF invoice download gave {got}"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriber_sees_live_bandwidth_and_reboots_the_onu() {
    let Some(browser) = Browser::phone(360, 800).await else {
        return;
    };
    let demo = Demo::start().await;
    browser
        .run("subscriber-live-and-reboot", |client| steps(client, &demo))
        .await;
    demo.stop().await;
}
