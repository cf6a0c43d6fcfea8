//! Test harness: a real control plane on 127.0.0.1:0 over a fresh SQLite file or a fresh
//! PostgreSQL database, seeded with the demo ISP, and a small HTTP client.

use std::sync::Arc;
use std::time::Duration;

use control_plane::auth::{Principal, TokenKeys};
use control_plane::billing::ManualClock;
use control_plane::config::{Config, Secret};
use control_plane::store::Store;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::oneshot;

pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret-0123";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend. PostgreSQL runs when `NETOPS_TEST_POSTGRES_URL` is set
/// (the test command sets it) and is skipped with a note otherwise.
#[macro_export]
macro_rules! both_backends {
    ($name:ident) => {
        $crate::both_backends!($name, |_| {});
    };
    // With the configuration adjusted by `$configure` (a `fn(&mut Config)`) first.
    ($name:ident, $configure:expr) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = $crate::helpers::TestApp::spawn_with(
                    $crate::helpers::Backend::Sqlite,
                    $configure,
                )
                .await
                {
                    super::$name(&app).await;
                    app.stop().await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::TestApp::spawn_with(
                    $crate::helpers::Backend::Postgres,
                    $configure,
                )
                .await
                {
                    super::$name(&app).await;
                    app.stop().await;
                }
            }
        }
    };
}

/// Like `both_backends!`, with the configuration adjusted first by `configure(&mut Config)`, a
/// function of the test's module.
#[macro_export]
macro_rules! both_backends_with {
    ($name:ident, $configure:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = $crate::helpers::TestApp::spawn_with(
                    $crate::helpers::Backend::Sqlite,
                    super::$configure,
                )
                .await
                {
                    super::$name(&app).await;
                    app.stop().await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::TestApp::spawn_with(
                    $crate::helpers::Backend::Postgres,
                    super::$configure,
                )
                .await
                {
                    super::$name(&app).await;
                    app.stop().await;
                }
            }
        }
    };
}

pub struct TestApp {
    pub base: String,
    config: Config,
    pub store: Store,
    pub keys: TokenKeys,
    pub client: reqwest::Client,
    /// The clock billing reads: the time at start until a test moves it.
    pub clock: Arc<ManualClock>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    pg_cleanup: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

/// A parsed answer.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The `data` of a successful envelope; fails the test otherwise.
    pub fn data(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.body);
        assert_eq!(self.body["success"], true, "body: {}", self.body);
        &self.body["data"]
    }

    /// Checks an error envelope with this status and returns its message.
    pub fn error(&self, status: u16) -> String {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["success"], false, "body: {}", self.body);
        let message = self.body["error"].as_str().unwrap_or_default().to_owned();
        assert!(!message.is_empty(), "error message missing: {}", self.body);
        message
    }
}

fn postgres_admin_url() -> Option<String> {
    std::env::var("NETOPS_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like [`TestApp::spawn`], with the configuration adjusted by `configure` first.
    pub async fn spawn_with(
        backend: Backend,
        configure: impl FnOnce(&mut Config),
    ) -> Option<TestApp> {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut pg_cleanup = None;
        let url = match backend {
            Backend::Sqlite => format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("netops.db").display()
            ),
            Backend::Postgres => {
                let Some(admin_url) = postgres_admin_url() else {
                    eprintln!("NETOPS_TEST_POSTGRES_URL is not set: PostgreSQL variant skipped (the README's test command sets it)");
                    return None;
                };
                let db = format!("netops_t_{}", uuid::Uuid::new_v4().simple());
                let admin = Store::connect(&admin_url, 1)
                    .await
                    .expect("connect to PostgreSQL admin database");
                sqlx::query(&format!("CREATE DATABASE {db}"))
                    .execute(admin.pool())
                    .await
                    .expect("create test database");
                admin.close().await;
                let url = replace_db_name(&admin_url, &db);
                pg_cleanup = Some((admin_url, db));
                url
            }
        };
        let mut config = Config {
            listen: "127.0.0.1:0".parse().expect("addr"),
            data_dir: dir.path().to_path_buf(),
            database_url: Some(url),
            database_max_connections: 5,
            jwt_secret: Some(Secret::new(TEST_SECRET)),
            ..Config::default()
        };
        configure(&mut config);
        let store = control_plane::app::open_store(&config)
            .await
            .expect("open store");
        control_plane::demo::seed(&store).await.expect("seed demo");
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let (base, tx, server) = start_server(&config, &store, &clock).await;
        Some(TestApp {
            base,
            config,
            store,
            keys: TokenKeys::new(TEST_SECRET.as_bytes(), 3600),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            clock,
            shutdown: Some(tx),
            server: Some(server),
            pg_cleanup,
            _dir: dir,
        })
    }

    /// Stops the server as a stop signal would (streams closed, ingest flushed) and starts a
    /// new one, with fresh in-memory state, on the same database.
    pub async fn restart(&mut self) {
        self.stop_server().await;
        let (base, tx, server) = start_server(&self.config, &self.store, &self.clock).await;
        self.base = base;
        self.shutdown = Some(tx);
        self.server = Some(server);
    }

    async fn stop_server(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    pub async fn stop(mut self) {
        self.stop_server().await;
        self.store.close().await;
        if let Some((admin_url, db)) = self.pg_cleanup.take() {
            if let Ok(admin) = Store::connect(&admin_url, 1).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
                    .execute(admin.pool())
                    .await;
                admin.close().await;
            }
        }
    }

    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(reqwest::Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.request(reqwest::Method::POST, path, token, Some(&body.to_string()))
            .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.request(reqwest::Method::PUT, path, token, Some(&body.to_string()))
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(reqwest::Method::DELETE, path, token, None)
            .await
    }

    /// Logs a demo subscriber in by customer code and phone; returns the token.
    pub async fn customer_token(&self, code: &str, phone: &str) -> String {
        let reply = self
            .post(
                "/api/v1/customer/auth/login",
                None,
                serde_json::json!({ "customer_code": code, "phone": phone }),
            )
            .await;
        reply.data()["token"].as_str().expect("token").to_owned()
    }

    /// Logs a demo staff member in; returns the token.
    pub async fn staff_token(&self, username: &str) -> String {
        let password = control_plane::demo::DEMO_STAFF
            .iter()
            .find(|(u, _, _)| *u == username)
            .map(|(_, _, p)| *p)
            .expect("demo staff");
        let reply = self
            .post(
                "/api/v1/admin/auth/login",
                None,
                serde_json::json!({ "username": username, "password": password }),
            )
            .await;
        reply.data()["token"].as_str().expect("token").to_owned()
    }

    /// The id of a demo customer, looked up in the store.
    pub async fn customer_id(&self, code: &str) -> String {
        let filter = control_plane::store::customers::CustomerFilter {
            search: Some(code.to_owned()),
            ..Default::default()
        };
        let page = self
            .store
            .list_customers(
                &filter,
                control_plane::store::Page {
                    limit: 10,
                    offset: 0,
                },
            )
            .await
            .expect("list");
        page.rows
            .into_iter()
            .find(|c| c.customer_code == code)
            .expect("demo customer")
            .id
    }

    /// Issues a token directly, for forged and expired token tests.
    pub fn token_for(&self, principal: &Principal, issued_at_unix: i64) -> String {
        self.keys.issue(principal, issued_at_unix)
    }
}

async fn start_server(
    config: &Config,
    store: &Store,
    clock: &Arc<ManualClock>,
) -> (String, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}");
    let mut state = control_plane::app::build_state(config, store.clone()).expect("state");
    // Payment URLs point at this server; billing reads the test's clock.
    let mut billing_settings = config.billing.clone();
    billing_settings.public_url = Some(base.clone());
    let billing =
        control_plane::billing::BillingRuntime::load(&billing_settings, &config.data_dir, addr)
            .expect("billing")
            .with_clock(clock.clone());
    state.billing = Arc::new(billing);
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        control_plane::app::serve(state, listener, async {
            let _ = rx.await;
        })
        .await
        .expect("serve");
    });
    (base, tx, server)
}

/// Polls `check` until it gives a value or `limit` passes; fails the test with `what` then.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The Prometheus text of `/metrics`.
pub async fn metrics_text(app: &TestApp) -> String {
    app.get("/metrics", None)
        .await
        .body
        .as_str()
        .expect("metrics text")
        .to_owned()
}

/// Checks one series of the Prometheus text, e.g. `netops_agents_connected` is `1`.
pub fn assert_metric(metrics: &str, series: &str, value: u64) {
    let line = metrics
        .lines()
        .find(|line| {
            line.strip_prefix(series)
                .is_some_and(|rest| rest.starts_with(' '))
        })
        .unwrap_or("(series missing)");
    assert_eq!(line, format!("{series} {value}"));
}

fn replace_db_name(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let host_part = match path_start {
        Some(i) => &base[..i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{db}?{q}"),
        None => format!("{host_part}/{db}"),
    }
}

/// The demo's first two subscribers: (code, phone, pppoe username).
pub const RAHIM: (&str, &str, &str) = ("CUST001", "01712345678", "rahim.gulshan");
pub const KARIMA: (&str, &str, &str) = ("CUST002", "01812345679", "karima.gulshan");

/// Checks that an API key is stored only as its SHA-256: `table`'s `key_hash` of row `id` is
/// the key's digest (computed here independently, with `ring`). Returns the stored hash.
pub async fn assert_stored_as_sha256(app: &TestApp, table: &str, id: &str, key: &str) -> String {
    let stored: String = sqlx::query_scalar(&format!("SELECT key_hash FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let digest = ring::digest::digest(&ring::digest::SHA256, key.as_bytes());
    assert_eq!(stored, hex::encode(digest.as_ref()));
    stored
}
