//! Upgrading from a released schema: each release's database, recorded by
//! `lab/upgrade-fixture.sh` under `tests/fixtures/upgrade/VERSION/`, is loaded as that release
//! left it, migrated by this build's `control-plane migrate`, and served by this build. No row is
//! lost, and subscribers, staff and FreeRADIUS find what the release had stored: logins,
//! bills, payments, tickets, commands, sessions, rolled-up bandwidth and sealed PPPoE passwords.

mod process_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use process_support::{free_port, wait_ready, Running, BIN};
use serde_json::{json, Value};
use sqlx::{AnyPool, Row};

const AAA_API_KEY: &str = "upgrade-test-aaa-api-key-0123456789abcdef";

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade");
    let mut releases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    releases.sort();
    assert!(
        !releases.is_empty(),
        "no release fixtures in {}",
        root.display()
    );
    releases
}

fn migrations_in(backend: &str) -> i64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(backend);
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().extension() == Some("sql".as_ref()))
        .count() as i64
}

async fn connect(url: &str) -> AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::pool::PoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap_or_else(|e| panic!("connect {url}: {e}"))
}

/// Row count of every table, as the database holds it now.
async fn row_counts(pool: &AnyPool, sqlite: bool) -> BTreeMap<String, i64> {
    let tables = if sqlite {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    } else {
        "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = 'public'"
    };
    let mut counts = BTreeMap::new();
    for row in sqlx::query(tables).fetch_all(pool).await.unwrap() {
        let table: String = row.get("name");
        let count: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM \"{table}\""))
            .fetch_one(pool)
            .await
            .unwrap()
            .get("n");
        counts.insert(table, count);
    }
    counts
}

/// What the release stored, read straight from its database before the upgrade.
struct Recorded {
    counts: BTreeMap<String, i64>,
    bills_of_cust001: i64,
    payment_refs_of_cust002: Vec<String>,
    tickets_of_cust001: i64,
    commands_of_cust001: i64,
}

async fn recorded(pool: &AnyPool, sqlite: bool) -> Recorded {
    let count = |sql: &'static str| async move {
        sqlx::query(sql)
            .fetch_one(pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .get::<i64, _>("n")
    };
    let refs = sqlx::query(
        "SELECT p.transaction_id AS reference FROM payments p JOIN customers c ON c.id = p.customer_id \
         WHERE c.customer_code = 'CUST002' AND p.transaction_id IS NOT NULL",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|row| row.get::<String, _>("reference"))
    .collect();
    Recorded {
        counts: row_counts(pool, sqlite).await,
        bills_of_cust001: count(
            "SELECT COUNT(*) AS n FROM bills b JOIN customers c ON c.id = b.customer_id \
             WHERE c.customer_code = 'CUST001'",
        )
        .await,
        payment_refs_of_cust002: refs,
        tickets_of_cust001: count(
            "SELECT COUNT(*) AS n FROM support_tickets t JOIN customers c ON c.id = t.customer_id \
             WHERE c.customer_code = 'CUST001'",
        )
        .await,
        commands_of_cust001: count(
            "SELECT COUNT(*) AS n FROM device_commands d JOIN customers c ON c.id = d.customer_id \
             WHERE c.customer_code = 'CUST001'",
        )
        .await,
    }
}

fn migrate(url: &str, data: &Path) {
    let out = Command::new(BIN)
        .args(["migrate", "--database-url", url])
        .arg("--data-dir")
        .arg(data)
        .env("NETOPS_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "migrate failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Api {
    base: String,
    client: reqwest::Client,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Value {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    async fn get(&self, path: &str, token: &str) -> Value {
        self.call(reqwest::Method::GET, path, token, None).await
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, token, Some(body))
            .await
    }
}

/// The length of a list answer: `data` itself, or `data.<key>` beside its pagination.
fn listed(answer: &Value, key: &str) -> Option<usize> {
    let data = &answer["data"];
    data.as_array().or(data[key].as_array()).map(Vec::len)
}

/// The fixture's bandwidth minutes were recorded on the day of its release; the API shows the
/// last 24 hours. Moves them forward by whole days (values untouched) so the newest falls in
/// the last day.
async fn bring_minutes_into_the_last_day(pool: &AnyPool) {
    let newest: Option<i64> = sqlx::query("SELECT MAX(minute_unix) AS m FROM bandwidth_minutes")
        .fetch_one(pool)
        .await
        .unwrap()
        .get("m");
    let Some(newest) = newest else { return };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let days = (now - newest).max(0) / 86_400;
    if days > 0 {
        sqlx::query("UPDATE bandwidth_minutes SET minute_unix = minute_unix + $1")
            .bind(days * 86_400)
            .execute(pool)
            .await
            .unwrap();
    }
}

/// Loads one release's dump, upgrades it with this build and checks it from the outside.
async fn upgrade(release: &Path, url: &str, sqlite: bool, data: &Path) {
    let name = release.file_name().unwrap().to_string_lossy().into_owned();
    let dump = release.join(if sqlite { "sqlite.sql" } else { "postgres.sql" });
    let script = std::fs::read_to_string(&dump).unwrap();
    let pool = connect(url).await;
    sqlx::raw_sql(&script)
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("load {}: {e}", dump.display()));
    // The dump empties `search_path` on its connection: read it back on a new one.
    pool.close().await;
    let pool = connect(url).await;
    let before = recorded(&pool, sqlite).await;
    pool.close().await;
    assert!(
        before.bills_of_cust001 > 0 && before.tickets_of_cust001 > 0,
        "{name}: thin fixture"
    );

    migrate(url, data);

    let pool = connect(url).await;
    let after = row_counts(&pool, sqlite).await;
    let applied: i64 = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations WHERE success")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    bring_minutes_into_the_last_day(&pool).await;
    pool.close().await;
    let backend = if sqlite { "sqlite" } else { "postgres" };
    assert_eq!(
        applied,
        migrations_in(backend),
        "{name}: every migration applied"
    );
    for (table, count) in &before.counts {
        if table == "_sqlx_migrations" {
            continue;
        }
        assert_eq!(
            after.get(table),
            Some(count),
            "{name} ({backend}): table {table} had {count} rows before the upgrade"
        );
    }

    let key = std::fs::read_to_string(release.join("aaa-password-key")).unwrap();
    let port = free_port();
    let child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            url,
        ])
        .arg("--data-dir")
        .arg(data)
        .env("NETOPS_AAA_PASSWORD_KEY", key.trim())
        .env("NETOPS_AAA_API_KEY", AAA_API_KEY)
        .env("NETOPS_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Running(child);
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&format!("{base}/readyz")).await;
    let api = Api {
        base,
        client: reqwest::Client::new(),
    };

    // The subscriber logs in as before and finds bills, tickets, commands and bandwidth.
    let login = api
        .post(
            "/api/v1/customer/auth/login",
            "",
            json!({"customer_code": "CUST001", "phone": "01712345678"}),
        )
        .await;
    let sub = login["data"]["token"].as_str().expect("token").to_owned();
    let bills = api.get("/api/v1/customer/bills", &sub).await;
    assert_eq!(
        listed(&bills, "bills"),
        Some(before.bills_of_cust001 as usize),
        "{name}: bills {bills}"
    );
    let tickets = api.get("/api/v1/customer/support/tickets", &sub).await;
    assert_eq!(
        listed(&tickets, "tickets"),
        Some(before.tickets_of_cust001 as usize),
        "{name}: tickets {tickets}"
    );
    let commands = api.get("/api/v1/customer/device/commands", &sub).await;
    assert_eq!(
        listed(&commands, "commands"),
        Some(before.commands_of_cust001 as usize),
        "{name}: {commands}"
    );
    let bandwidth = api
        .get("/api/v1/customer/network/bandwidth?period=24h", &sub)
        .await;
    let moving = bandwidth["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|point| point["rx_mbps"].as_f64() > Some(0.0))
        .count();
    assert!(moving > 0, "{name}: rolled-up bandwidth lost: {bandwidth}");

    // Payments keep their references.
    let login = api
        .post(
            "/api/v1/customer/auth/login",
            "",
            json!({"customer_code": "CUST002", "phone": "01812345679"}),
        )
        .await;
    let karima_token = login["data"]["token"].as_str().expect("token").to_owned();
    let payments = api
        .get("/api/v1/customer/payments?limit=100", &karima_token)
        .await
        .to_string();
    for reference in &before.payment_refs_of_cust002 {
        assert!(
            payments.contains(reference),
            "{name}: payment {reference} lost: {payments}"
        );
    }

    // Staff passwords (argon2 hashes) still verify; sessions from accounting are kept.
    let admin = api
        .post(
            "/api/v1/admin/auth/login",
            "",
            json!({"username": "admin", "password": "netops-demo-admin"}),
        )
        .await;
    let admin = admin["data"]["token"].as_str().unwrap().to_owned();
    let customers = api.get("/api/v1/admin/customers?q=CUST002", &admin).await;
    let karima = customers["data"]["customers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["customer_code"] == "CUST002")
        .expect("CUST002 listed")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sessions = api
        .get(
            &format!("/api/v1/admin/customers/{karima}/sessions"),
            &admin,
        )
        .await;
    assert!(
        sessions.to_string().contains("81a00001"),
        "{name}: accounting session lost: {sessions}"
    );

    // FreeRADIUS still gets the PPPoE password sealed by the release, with the backed-up key.
    let reply = api
        .post(
            "/api/v1/radius/authorize",
            AAA_API_KEY,
            json!({"User-Name": {"type": "string", "value": ["rahim.gulshan"]}}),
        )
        .await;
    assert_eq!(
        reply["control:Cleartext-Password"]["value"], "rahim.gulshan-demo",
        "{name}: {reply}"
    );
}

#[tokio::test]
async fn every_release_upgrades_on_sqlite() {
    for release in fixtures() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("netops.db").display()
        );
        upgrade(&release, &url, true, dir.path()).await;
    }
}

#[tokio::test]
async fn every_release_upgrades_on_postgres() {
    let Some(admin_url) = std::env::var("NETOPS_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
    else {
        eprintln!("NETOPS_TEST_POSTGRES_URL is not set: PostgreSQL upgrade skipped (the README's test command sets it)");
        return;
    };
    for release in fixtures() {
        let db = format!("netops_t_upgrade_{}", uuid::Uuid::new_v4().simple());
        let admin = connect(&admin_url).await;
        sqlx::query(&format!("CREATE DATABASE {db}"))
            .execute(&admin)
            .await
            .unwrap();
        let (head, _) = admin_url.rsplit_once('/').unwrap();
        let url = format!("{head}/{db}");
        let dir = tempfile::tempdir().unwrap();
        upgrade(&release, &url, false, dir.path()).await;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
    }
}
