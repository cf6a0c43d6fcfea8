//! The subscriber portal over HTTP: login with the anti-forgery nonce, the session cookie's
//! attributes, forms refused without their token, one subscriber never seeing another's pages,
//! the live stream opened by the cookie only from the site's own pages, and the
//! Content-Security-Policy on every page. Self-service (paying, tickets, package changes,
//! notifications) is in the submodules.

mod notifications;
mod payments;
mod requests;
mod tickets;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};

/// A browser-like client that does not follow redirects, so 303s and cookies can be checked.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    pub cookies: Vec<(String, String)>,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.base.clone(),
            cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, headers: &reqwest::header::HeaderMap) {
        for value in headers.get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(k, _)| k != name);
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    async fn finish(&mut self, response: reqwest::Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        self.keep_cookies(&headers);
        Page {
            status,
            headers,
            body: response.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", form_encode(v)))
            .collect();
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.join("&"))
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }
}

/// A form value percent-encoded as browsers send it.
fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The value of the first hidden `csrf` field on a page.
pub fn csrf_of(page: &Page) -> String {
    let at = page
        .body
        .find("name=\"csrf\" value=\"")
        .expect("a csrf field");
    let rest = &page.body[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

pub async fn logged_in(app: &TestApp, (code, phone, _): (&str, &str, &str)) -> Browser {
    let mut browser = Browser::new(app);
    let form = browser.get("/login").await;
    let csrf = csrf_of(&form);
    let done = browser
        .post_form(
            "/login",
            &[("csrf", &csrf), ("customer_code", code), ("phone", phone)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.headers[LOCATION], "/");
    browser
}

pub fn header_text(page: &Page, name: &str) -> String {
    page.headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn login_sets_a_strict_http_only_session_cookie(app: &TestApp) {
    let mut browser = Browser::new(app);
    let page = browser.get("/").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.headers[LOCATION], "/login");

    let form = browser.get("/login").await;
    let csrf = csrf_of(&form);
    let done = browser
        .post_form(
            "/login",
            &[
                ("csrf", &csrf),
                ("customer_code", RAHIM.0),
                ("phone", RAHIM.1),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let cookies = header_text(&done, "set-cookie");
    let session = cookies
        .lines()
        .find(|c| c.starts_with("netops_session="))
        .expect("session cookie");
    assert!(session.contains("; HttpOnly"), "{session}");
    assert!(session.contains("; SameSite=Strict"), "{session}");
    assert!(session.contains("; Path=/"), "{session}");
    assert!(!session.contains("Secure"), "plain HTTP: {session}");

    let dashboard = browser.get("/").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains("Rahim Uddin"), "{}", dashboard.body);
    assert!(!dashboard.body.contains("Karima"));

    // Logging out needs the token and removes the cookie.
    let csrf = csrf_of(&dashboard);
    let refused = browser.post_form("/logout", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let out = browser.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(header_text(&out, "set-cookie").contains("netops_session=; Path=/; Max-Age=0"));
    assert_eq!(browser.get("/").await.status, StatusCode::SEE_OTHER);
}
both_backends!(login_sets_a_strict_http_only_session_cookie);

async fn login_refuses_forged_forms_and_wrong_credentials(app: &TestApp) {
    // No nonce cookie: a form posted from elsewhere.
    let mut stranger = Browser::new(app);
    let forged = stranger
        .post_form(
            "/login",
            &[
                ("csrf", "00"),
                ("customer_code", RAHIM.0),
                ("phone", RAHIM.1),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    assert!(forged.body.contains("expired"), "{}", forged.body);
    assert!(!header_text(&forged, "set-cookie").contains("netops_session=ey"));

    let mut browser = Browser::new(app);
    let form = browser.get("/login").await;
    let csrf = csrf_of(&form);
    let wrong = browser
        .post_form(
            "/login",
            &[
                ("csrf", &csrf),
                ("customer_code", RAHIM.0),
                ("phone", KARIMA.1),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("invalid credentials"), "{}", wrong.body);
    // The code the subscriber typed is kept in the form, escaped.
    assert!(wrong.body.contains(&format!("value=\"{}\"", RAHIM.0)));

    let csrf = csrf_of(&wrong);
    let missing = browser
        .post_form("/login", &[("csrf", &csrf), ("customer_code", RAHIM.0)])
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(missing.body.contains("username or phone is required"));

    // Markup typed into the form comes back as text, never as markup.
    let csrf = csrf_of(&missing);
    let hostile = browser
        .post_form(
            "/login",
            &[
                ("csrf", &csrf),
                ("customer_code", "<script>x</script>"),
                ("phone", RAHIM.1),
            ],
        )
        .await;
    assert_eq!(hostile.status, StatusCode::BAD_REQUEST);
    assert!(!hostile.body.contains("<script>x"), "{}", hostile.body);
}
both_backends!(login_refuses_forged_forms_and_wrong_credentials);

async fn device_actions_need_the_page_token(app: &TestApp) {
    let mut browser = logged_in(app, RAHIM).await;
    let customer = app.customer_id(RAHIM.0).await;
    let commands_before = app
        .store
        .list_commands(
            &control_plane::store::commands::CommandFilter {
                customer_id: Some(customer.clone()),
                ..Default::default()
            },
            control_plane::store::Page {
                limit: 100,
                offset: 0,
            },
        )
        .await
        .unwrap()
        .total;

    let refused = browser
        .post_form("/device/reboot-onu", &[("csrf", "deadbeef")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Karima's page token does not work in Rahim's session.
    let karima = logged_in(app, KARIMA).await;
    let mut karima = karima;
    let karima_csrf = csrf_of(&karima.get("/").await);
    let crossed = browser
        .post_form("/device/reboot-onu", &[("csrf", &karima_csrf)])
        .await;
    assert_eq!(crossed.status, StatusCode::FORBIDDEN);

    let dashboard = browser.get("/").await;
    let csrf = csrf_of(&dashboard);
    let queued = browser
        .post_form("/device/reboot-onu", &[("csrf", &csrf)])
        .await;
    assert_eq!(queued.status, StatusCode::SEE_OTHER, "{}", queued.body);
    let location = queued.headers[LOCATION].to_str().unwrap().to_owned();
    let id = location.strip_prefix("/commands/").expect("a command page");

    let commands_after = app
        .store
        .list_commands(
            &control_plane::store::commands::CommandFilter {
                customer_id: Some(customer),
                ..Default::default()
            },
            control_plane::store::Page {
                limit: 100,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(commands_after.total, commands_before + 1);
    assert_eq!(commands_after.rows[0].id, id);
    assert_eq!(commands_after.rows[0].kind, "reboot_onu");

    let progress = browser.get(&location).await;
    assert_eq!(progress.status, StatusCode::OK);
    assert!(
        progress.body.contains("data-state=\"queued\""),
        "{}",
        progress.body
    );
    let state = browser.get(&format!("{location}/state")).await;
    let body: serde_json::Value = serde_json::from_str(&state.body).unwrap();
    assert_eq!(body["data"]["id"], id);

    // The audit log says the subscriber asked for it, as through the API.
    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            &format!("/api/v1/admin/audit-log?target_id={id}"),
            Some(&admin),
        )
        .await;
    assert_eq!(audit.data()["entries"][0]["action"], "device.reboot_onu");

    // Karima cannot follow Rahim's command.
    assert_eq!(karima.get(&location).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        karima.get(&format!("{location}/state")).await.status,
        StatusCode::NOT_FOUND
    );

    // A second reboot at once is refused with the cooldown in words.
    let again = browser
        .post_form("/device/reboot-onu", &[("csrf", &csrf)])
        .await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        again.body.contains("reboot the ONU again in"),
        "{}",
        again.body
    );
}
both_backends!(device_actions_need_the_page_token);

async fn subscribers_see_only_their_own_pages(app: &TestApp) {
    let karima_token = app.customer_token(KARIMA.0, KARIMA.1).await;
    let ticket = app
        .post(
            "/api/v1/customer/support/tickets",
            Some(&karima_token),
            json!({ "subject": "karima private", "message": "private words" }),
        )
        .await;
    let ticket_id = ticket.data()["ticket_id"].as_str().unwrap().to_owned();

    let mut rahim = logged_in(app, RAHIM).await;
    let tickets = rahim.get("/tickets").await;
    assert!(tickets.body.contains("Internet disconnection issue"));
    assert!(!tickets.body.contains("karima private"));
    let theirs = rahim.get(&format!("/tickets/{ticket_id}")).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert!(!theirs.body.contains("private words"));

    let mut karima = logged_in(app, KARIMA).await;
    let own = karima.get(&format!("/tickets/{ticket_id}")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("private words"));

    let bills = rahim.get("/bills").await;
    assert!(bills.body.contains("BILL-") && bills.body.contains("CUST001"));
    assert!(!bills.body.contains("CUST002"));
    let karima_bills = karima.get("/bills").await;
    assert!(karima_bills.body.contains("unpaid"));

    let packages = rahim.get("/packages").await;
    assert!(packages.body.contains("Premium 50Mbps"));
    assert!(
        !packages.body.contains("Staff Line"),
        "hidden package shown"
    );
}
both_backends!(subscribers_see_only_their_own_pages);

async fn live_stream_opens_with_the_cookie_from_this_site_only(app: &TestApp) {
    let browser = logged_in(app, RAHIM).await;
    let cookie = browser.cookie_header();
    let host = app.base.trim_start_matches("http://").to_owned();
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/customer/network/live", app.base);

    let own = client
        .get(&url)
        .header(COOKIE, &cookie)
        .header("origin", format!("http://{host}"))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    assert!(own.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    drop(own);

    let foreign = client
        .get(&url)
        .header(COOKIE, &cookie)
        .header("origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);

    let none = client.get(&url).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);

    // The cookie opens only the stream, not the rest of the API (no CSRF exposure there).
    let status = client
        .get(format!("{}/api/v1/customer/network/status", app.base))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), StatusCode::UNAUTHORIZED);
}
both_backends!(live_stream_opens_with_the_cookie_from_this_site_only);

async fn pages_carry_a_strict_content_security_policy(app: &TestApp) {
    let mut browser = logged_in(app, RAHIM).await;
    let dashboard = browser.get("/").await;
    let ticket_link = {
        let tickets = browser.get("/tickets").await;
        let at = tickets.body.find("href=\"/tickets/").unwrap();
        let rest = &tickets.body[at + 6..];
        rest[..rest.find('"').unwrap()].to_owned()
    };
    let mut pages = vec![dashboard];
    for path in [
        "/bills",
        "/packages",
        "/tickets",
        ticket_link.as_str(),
        "/?period=30d",
    ] {
        pages.push(browser.get(path).await);
    }
    pages.push(Browser::new(app).get("/login").await);
    for page in &pages {
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let csp = header_text(page, "content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(csp.contains("style-src 'self'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(header_text(page, "x-frame-options"), "DENY");
        // Nothing inline that the policy would block.
        assert!(!page.body.contains("<script>"), "inline script");
        assert!(!page.body.contains("<style"), "inline stylesheet");
        assert!(!page.body.contains(" style="), "inline style attribute");
        assert!(!page.body.contains(" onclick="), "inline handler");
    }
    for asset in ["portal.css", "charts.js", "command.js", "noc.js"] {
        let file = browser.get(&format!("/assets/{asset}")).await;
        assert_eq!(file.status, StatusCode::OK, "{asset}");
    }
    assert_eq!(
        browser.get("/assets/../Cargo.toml").await.status,
        StatusCode::NOT_FOUND
    );
    let bad_period = browser.get("/?period=2y").await;
    assert_eq!(bad_period.status, StatusCode::BAD_REQUEST);
    assert!(bad_period.body.contains("not a history period"));
}
both_backends!(pages_carry_a_strict_content_security_policy);

async fn cookies_are_secure_when_the_proxy_saw_tls(app: &TestApp) {
    // auto: Secure when the proxy says the browser used TLS.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client
        .get(format!("{}/login", app.base))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let cookie = login.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}
both_backends!(cookies_are_secure_when_the_proxy_saw_tls);

/// The ids of a demo subscriber's bills.
async fn bill_ids(app: &TestApp, code: &str) -> Vec<String> {
    let customer_id = app.customer_id(code).await;
    sqlx::query_scalar("SELECT id FROM bills WHERE customer_id = $1 ORDER BY bill_date")
        .bind(customer_id)
        .fetch_all(app.store.pool())
        .await
        .expect("bills")
}

async fn invoices_from_the_bills_page_are_the_subscriber_s_own(app: &TestApp) {
    let mut browser = logged_in(app, RAHIM).await;
    let own = bill_ids(app, RAHIM.0).await;
    let page = browser.get("/bills").await;
    assert_eq!(page.status, StatusCode::OK);
    for id in &own {
        for kind in ["html", "pdf"] {
            let link = format!("href=\"/bills/{id}/invoice.{kind}\"");
            assert!(page.body.contains(&link), "{link} not on {}", page.body);
        }
    }
    let pdf = browser.get(&format!("/bills/{}/invoice.pdf", own[0])).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.body.starts_with("%PDF-1.4"));
    let html = browser
        .get(&format!("/bills/{}/invoice.html", own[0]))
        .await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("Invoice BILL-"), "{}", html.body);

    // Another subscriber's bill is not found; without a session, the login page.
    let other = bill_ids(app, KARIMA.0).await;
    let refused = browser
        .get(&format!("/bills/{}/invoice.pdf", other[0]))
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(!refused.body.starts_with("%PDF"));
    let mut stranger = Browser::new(app);
    let anonymous = stranger
        .get(&format!("/bills/{}/invoice.pdf", own[0]))
        .await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.headers[LOCATION], "/login");
}
both_backends!(invoices_from_the_bills_page_are_the_subscriber_s_own);
