//! A subscriber helps themselves on a 360 px phone: opens a ticket, replies to it from the
//! keyboard and sees the reply in the thread, then pays their unpaid bill at the sandbox
//! gateway and, back in the portal, sees it paid.

use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, Locator};

use crate::chromium::{attribute, click, eventually, fill, script, Browser, Step};
use crate::demo::Demo;
use crate::subscriber::log_in;

/// The subscriber who owes this month's bill in the demo ISP.
const KARIMA: (&str, &str) = ("CUST002", "01812345679");

/// Fails when the page is wider than the 360 px screen.
async fn fits_the_phone(client: &Client, page: &str) -> Step {
    let widths = script(
        client,
        "return [document.documentElement.scrollWidth, window.innerWidth];",
    )
    .await?;
    match (widths[0].as_i64(), widths[1].as_i64()) {
        (Some(content), Some(360)) if content <= 360 => Ok(()),
        (content, window) => Err(format!(
            "{page}: content {content:?} px wide in a {window:?} px window (want 360)"
        )),
    }
}

async fn text_of(client: &Client, css: &str) -> Step<String> {
    client
        .find(Locator::Css(css))
        .await
        .map_err(|e| format!("{css}: {e}"))?
        .text()
        .await
        .map_err(|e| format!("{css} text: {e}"))
}

async fn path_starts_with(client: &Client, prefix: &str) -> Step<Option<String>> {
    let url = client
        .current_url()
        .await
        .map_err(|e| format!("current url: {e}"))?;
    Ok(url
        .path()
        .starts_with(prefix)
        .then(|| url.path().to_owned()))
}

async fn open_and_reply_to_a_ticket(client: &Client, base: &str) -> Step {
    client
        .goto(&format!("{base}/tickets"))
        .await
        .map_err(|e| format!("opening the tickets page: {e}"))?;
    fits_the_phone(client, "the tickets page").await?;
    fill(client, "ticket-subject", "No internet since the storm").await?;
    fill(
        client,
        "ticket-message",
        "The ONU light is red since last night.",
    )
    .await?;
    click(client, "#open-ticket").await?;
    let ticket_path = eventually(Duration::from_secs(15), "the new ticket's thread", || {
        path_starts_with(client, "/tickets/TKT-")
    })
    .await?;
    let thread = text_of(client, "#thread").await?;
    if !thread.contains("The ONU light is red since last night.") {
        return Err(format!("the thread lacks the first message: {thread}"));
    }
    fits_the_phone(client, "the ticket's thread").await?;

    // Reply from the keyboard: type, then press Enter on the focused Send button.
    fill(
        client,
        "reply-message",
        "It came back at 9, then dropped again.",
    )
    .await?;
    client
        .find(Locator::Id("send-reply"))
        .await
        .map_err(|e| format!("#send-reply: {e}"))?
        .send_keys(&Key::Enter.to_string())
        .await
        .map_err(|e| format!("pressing Enter on #send-reply: {e}"))?;
    eventually(
        Duration::from_secs(15),
        "the reply in the thread",
        || async {
            let thread = text_of(client, "#thread").await?;
            Ok(thread
                .contains("It came back at 9, then dropped again.")
                .then_some(()))
        },
    )
    .await?;
    let still_there = path_starts_with(client, &ticket_path).await?;
    if still_there.is_none() {
        return Err(format!("after the reply the browser left {ticket_path}"));
    }
    Ok(())
}

async fn pay_the_unpaid_bill(client: &Client, base: &str) -> Step {
    client
        .goto(&format!("{base}/bills"))
        .await
        .map_err(|e| format!("opening the bills page: {e}"))?;
    fits_the_phone(client, "the bills page").await?;
    click(client, "form.pay button[type=submit]").await?;
    eventually(
        Duration::from_secs(15),
        "the sandbox gateway's page",
        || path_starts_with(client, "/api/v1/payments/sandbox/"),
    )
    .await?;
    fits_the_phone(client, "the sandbox gateway's page").await?;
    click(client, "input[value=confirm] + button").await?;
    eventually(
        Duration::from_secs(15),
        "the sandbox's link back to the portal",
        || async { Ok(client.find(Locator::Id("return")).await.ok().map(|_| ())) },
    )
    .await?;
    click(client, "#return").await?;
    let status = eventually(
        Duration::from_secs(15),
        "the payment's page in the portal",
        || attribute(client, "#payment", "data-status"),
    )
    .await?;
    let bill = text_of(client, "#bill-status").await?;
    if status != "completed" || bill != "paid" {
        return Err(format!("the payment is {status} and the bill {bill}"));
    }
    fits_the_phone(client, "the payment's page").await?;
    let due = text_of(client, "#due-amount").await?;
    if due.trim_start_matches(['0', '.']).is_empty() {
        Ok(())
    } else {
        Err(format!("after paying, {due} is still due"))
    }
}

/// The other self-service pages fit the phone too.
async fn the_other_pages_fit(client: &Client, base: &str) -> Step {
    for path in ["/", "/packages", "/notifications"] {
        client
            .goto(&format!("{base}{path}"))
            .await
            .map_err(|e| format!("opening {path}: {e}"))?;
        fits_the_phone(client, path).await?;
    }
    Ok(())
}

async fn steps(client: Client, demo: &Demo) -> Step {
    log_in(&client, &demo.base, KARIMA.0, KARIMA.1).await?;
    open_and_reply_to_a_ticket(&client, &demo.base).await?;
    pay_the_unpaid_bill(&client, &demo.base).await?;
    the_other_pages_fit(&client, &demo.base).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriber_opens_a_ticket_replies_and_pays_a_bill() {
    let Some(browser) = Browser::phone(360, 800).await else {
        return;
    };
    let demo = Demo::start().await;
    browser
        .run("subscriber-ticket-and-payment", |client| {
            steps(client, &demo)
        })
        .await;
    demo.stop().await;
}
