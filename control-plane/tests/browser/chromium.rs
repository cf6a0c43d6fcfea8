//! Headless Chromium for the tests: finds `chromium` and `chromedriver`, starts the driver on
//! a loopback port, opens a session with a fresh profile and the flags a closed network needs,
//! and saves a screenshot and the page source when a test step fails.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// One browser test runs at a time: the machine may have two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A step's failure, in words.
pub type Step<T = ()> = Result<T, String>;

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

fn lab_required() -> bool {
    std::env::var("NETOPS_LAB_REQUIRED").is_ok_and(|v| v == "1")
}

/// The chromedriver process, ended when dropped (also when a test step panics).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Browser {
    pub client: Client,
    _driver: Driver,
    _profile: tempfile::TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Browser {
    /// A desktop browser with a `width`×`height` window, or `None` (with a note) when Chromium
    /// is not installed and the lab is not required.
    pub async fn desktop(width: u32, height: u32) -> Option<Browser> {
        Self::start(width, height, None).await
    }

    /// A phone: the viewport is `width` CSS pixels wide, as on a small Android phone (headless
    /// windows cannot be narrower than 500 px, so the page is emulated at that width).
    pub async fn phone(width: u32, height: u32) -> Option<Browser> {
        Self::start(
            500,
            height,
            Some(json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2, "mobile": true, "touch": true } })),
        )
        .await
    }

    async fn start(width: u32, height: u32, mobile: Option<Value>) -> Option<Browser> {
        let chromium = Path::new("/usr/lib/chromium/chromium")
            .is_file()
            .then(|| PathBuf::from("/usr/lib/chromium/chromium"))
            .or_else(|| find_program(&["chromium", "chromium-browser"]));
        let driver = find_program(&["chromedriver"]);
        let (Some(chromium), Some(driver)) = (chromium, driver) else {
            let note = "chromium and chromedriver are needed for the browser tests \
                        (apt-get install chromium chromium-driver; lab/run-tests installs them)";
            assert!(!lab_required(), "{note}");
            eprintln!("skipped: {note}");
            return None;
        };
        let turn = ONE_AT_A_TIME.lock().await;
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            probe.local_addr().expect("port").port()
        };
        let driver = Driver(
            Command::new(driver)
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts"),
        );
        let url = format!("http://127.0.0.1:{port}");
        wait_for_driver(&url).await;

        let profile = tempfile::tempdir().expect("profile dir");
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--window-size={width},{height}"),
        ];
        let mut capabilities = serde_json::Map::new();
        let mut options = json!({ "binary": chromium.display().to_string(), "args": args });
        if let Some(mobile) = mobile {
            options["mobileEmulation"] = mobile;
        }
        capabilities.insert("goog:chromeOptions".to_owned(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&url)
            .await
            .expect("a Chromium session through chromedriver");
        Some(Browser {
            client,
            _driver: driver,
            _profile: profile,
            _turn: turn,
        })
    }

    /// Runs the test's steps; on failure saves a screenshot and the page source and fails the
    /// test naming where they are.
    pub async fn run<F, Fut>(self, name: &str, steps: F)
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Step>,
    {
        let outcome = steps(self.client.clone()).await;
        let saved = match &outcome {
            Ok(()) => None,
            Err(_) => Some(save_evidence(&self.client, name).await),
        };
        let _ = self.client.clone().close().await;
        if let (Err(failure), Some(saved)) = (outcome, saved) {
            panic!("{failure}\n{saved}");
        }
    }
}

/// Saves a screenshot and the page source; says where.
async fn save_evidence(client: &Client, name: &str) -> String {
    let dir = std::env::temp_dir().join("netops-browser-failures");
    if let Err(err) = std::fs::create_dir_all(&dir) {
        return format!("no screenshot: cannot create {}: {err}", dir.display());
    }
    let stem = format!(
        "{name}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0)
    );
    let shot = dir.join(format!("{stem}.png"));
    match client.screenshot().await {
        Ok(png) => {
            let _ = std::fs::write(&shot, png);
        }
        Err(err) => return format!("no screenshot: {err}"),
    }
    if let Ok(html) = client.source().await {
        let _ = std::fs::write(dir.join(format!("{stem}.html")), html);
    }
    format!(
        "screenshot saved to {} (page source beside it, {stem}.html)",
        shot.display()
    )
}

async fn wait_for_driver(url: &str) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = client
            .get(format!("{url}/status"))
            .send()
            .await
            .ok()
            .filter(|r| r.status().is_success());
        if let Some(reply) = ready {
            let body: Value = reply.json().await.unwrap_or(Value::Null);
            if body["value"]["ready"] == true {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not become ready within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls `check` every 250 ms until it returns `Some`, or fails with `what` after `within`.
pub async fn eventually<T, F, Fut>(within: Duration, what: &str, mut check: F) -> Step<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Step<Option<T>>>,
{
    let deadline = Instant::now() + within;
    let mut last_error = String::new();
    loop {
        match check().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(err) => last_error = err,
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "{what}: not seen within {} s{}",
                within.as_secs(),
                if last_error.is_empty() {
                    String::new()
                } else {
                    format!(" (last error: {last_error})")
                }
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// An attribute of the first element matching `css`, if both exist.
pub async fn attribute(client: &Client, css: &str, name: &str) -> Step<Option<String>> {
    match client.find(Locator::Css(css)).await {
        Ok(element) => element
            .attr(name)
            .await
            .map_err(|e| format!("{css} [{name}]: {e}")),
        Err(_) => Ok(None),
    }
}

/// Types `text` into the field with this id.
pub async fn fill(client: &Client, id: &str, text: &str) -> Step {
    let field = client
        .find(Locator::Id(id))
        .await
        .map_err(|e| format!("field #{id}: {e}"))?;
    field
        .send_keys(text)
        .await
        .map_err(|e| format!("typing into #{id}: {e}"))
}

/// Clicks the element matching `css`.
pub async fn click(client: &Client, css: &str) -> Step {
    client
        .find(Locator::Css(css))
        .await
        .map_err(|e| format!("{css}: {e}"))?
        .click()
        .await
        .map_err(|e| format!("clicking {css}: {e}"))
}

/// Runs a script and returns its value.
pub async fn script(client: &Client, code: &str) -> Step<Value> {
    client
        .execute(code, Vec::new())
        .await
        .map_err(|e| format!("script failed: {e}"))
}
