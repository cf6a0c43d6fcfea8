//! Control-plane configuration: defaults, then the TOML file, then `NETOPS_*` environment
//! variables, then command-line flags. Every problem is reported at once.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A secret that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

/// The resolved configuration the daemon runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `None` means the embedded SQLite database under `data_dir`.
    pub database_url: Option<String>,
    pub database_max_connections: u32,
    /// `None` means a secret generated once and kept in `data_dir/jwt-secret`.
    pub jwt_secret: Option<Secret>,
    pub jwt_ttl_secs: u64,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub limits: Limits,
    /// FreeRADIUS integration: credential, password key, reply policy (`[aaa]`).
    pub aaa: crate::aaa::AaaSettings,
    /// Device command deadlines (`[commands]`).
    pub commands: crate::commands::CommandSettings,
    /// Optics thresholds and fast polls (`[optics]`).
    pub optics: crate::optics::OpticsSettings,
    /// What `/metrics` exposes (`[metrics]`).
    pub metrics: crate::telemetry::MetricsSettings,
    /// The largest `Inventory` an agent may report (`[inventory]`).
    pub inventory: crate::inventory::InventoryLimits,
    /// The billing job, due dates, tax, suspension grace and payment gateway (`[billing]`).
    pub billing: crate::billing::BillingSettings,
    /// The web portals' cookie policy (`[portal]`).
    pub portal: crate::http::portal::settings::PortalConfig,
    /// Webhook delivery attempts, retry backoff and timeout (`[webhooks]`).
    pub webhooks: crate::webhooks::WebhookSettings,
    /// The SMTP relay alerts are emailed through (`[email]`); off without a host.
    pub email: crate::email::EmailSettings,
    /// When subscribers are told of an outage at their site (`[outages]`).
    pub outages: crate::alerts::outage::OutageSettings,
}

/// Abuse limits on the public API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Requests per minute per logged-in customer (seed 001: 100).
    pub customer_requests_per_minute: u32,
    /// Failed logins for one identifier before it is locked.
    pub login_failures_per_identifier: u32,
    /// Failed logins from one client address before it is locked.
    pub login_failures_per_address: u32,
    /// How long failures are remembered and a lockout lasts.
    pub login_lockout_secs: u64,
    /// Least time between two reboots of the same ONU or router asked by a subscriber.
    pub reboot_cooldown_secs: u64,
    /// Least time between two session disconnects asked by a subscriber.
    pub disconnect_cooldown_secs: u64,
    /// Reverse proxies whose `X-Forwarded-For` names the client (limits and audit log).
    pub trusted_proxies: crate::http::client_address::TrustedProxies,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            customer_requests_per_minute: 100,
            login_failures_per_identifier: 5,
            login_failures_per_address: 20,
            login_lockout_secs: 900,
            reboot_cooldown_secs: 300,
            disconnect_cooldown_secs: 60,
            trusted_proxies: Default::default(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            database_max_connections: 10,
            jwt_secret: None,
            jwt_ttl_secs: 7 * 24 * 3600,
            log_format: LogFormat::Human,
            log_filter: "info".to_owned(),
            limits: Limits::default(),
            aaa: crate::aaa::AaaSettings::default(),
            commands: crate::commands::CommandSettings::default(),
            optics: crate::optics::OpticsSettings::default(),
            metrics: crate::telemetry::MetricsSettings::default(),
            inventory: crate::inventory::InventoryLimits::default(),
            billing: crate::billing::BillingSettings::default(),
            portal: crate::http::portal::settings::PortalConfig::default(),
            webhooks: crate::webhooks::WebhookSettings::default(),
            email: crate::email::EmailSettings::default(),
            outages: crate::alerts::outage::OutageSettings::default(),
        }
    }
}

/// The file's shape. Unknown keys are errors, so a typo never goes unnoticed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    #[serde(default)]
    database: FileDatabase,
    #[serde(default)]
    auth: FileAuth,
    #[serde(default)]
    log: FileLog,
    #[serde(default)]
    limits: FileLimits,
    #[serde(default)]
    aaa: crate::aaa::settings::FileAaa,
    #[serde(default)]
    commands: crate::commands::settings::FileCommands,
    #[serde(default)]
    optics: crate::optics::settings::FileOptics,
    #[serde(default)]
    metrics: crate::telemetry::FileMetrics,
    #[serde(default)]
    inventory: crate::inventory::limits::FileInventory,
    #[serde(default)]
    billing: crate::billing::settings::FileBilling,
    #[serde(default)]
    portal: crate::http::portal::settings::FilePortal,
    #[serde(default)]
    webhooks: crate::webhooks::settings::FileWebhooks,
    #[serde(default)]
    email: crate::email::settings::FileEmail,
    #[serde(default)]
    payments: crate::billing::gateway::settings::FilePayments,
    #[serde(default)]
    outages: crate::alerts::outage::FileOutages,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDatabase {
    url: Option<String>,
    max_connections: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAuth {
    jwt_secret: Option<String>,
    jwt_secret_file: Option<PathBuf>,
    jwt_ttl_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLog {
    format: Option<String>,
    filter: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLimits {
    customer_requests_per_minute: Option<u32>,
    login_failures_per_identifier: Option<u32>,
    login_failures_per_address: Option<u32>,
    login_lockout_secs: Option<u64>,
    reboot_cooldown_secs: Option<u64>,
    disconnect_cooldown_secs: Option<u64>,
    trusted_proxies: Option<Vec<String>>,
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

/// Everything wrong with a configuration, one line per problem.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n{}", .problems.join("\n"))]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl Config {
    /// Builds the configuration from an optional file, the process environment and flags.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with("NETOPS_"))
            .collect();
        Self::load_from(file, &env, overrides)
    }

    /// Like [`Config::load`] with an explicit environment, for tests.
    pub fn load_from(
        file: Option<&Path>,
        env: &[(String, String)],
        overrides: &Overrides,
    ) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();
        let mut config = Config::default();

        if let Some(path) = file {
            match std::fs::read_to_string(path) {
                Ok(text) => match toml::from_str::<FileConfig>(&text) {
                    Ok(parsed) => apply_file(&mut config, parsed, path, &mut problems),
                    Err(err) => problems.push(format!(
                        "{}: {} (see config/control-plane.toml for every key)",
                        path.display(),
                        err.message()
                    )),
                },
                Err(err) => problems.push(format!(
                    "unable to read configuration at {}: {err}; pass --config PATH or set NETOPS_CONFIG",
                    path.display()
                )),
            }
        }
        apply_env(&mut config, env, &mut problems);
        if let Some(listen) = overrides.listen {
            config.listen = listen;
        }
        if let Some(dir) = &overrides.data_dir {
            config.data_dir = dir.clone();
        }
        if let Some(url) = &overrides.database_url {
            config.database_url = Some(url.clone());
        }
        if let Some(url) = &config.database_url {
            if !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
            {
                problems.push(format!(
                    "database url must start with sqlite: or postgres:// (got {})",
                    redact_url(url)
                ));
            }
        }
        if let Err(err) = tracing_subscriber::EnvFilter::try_new(&config.log_filter) {
            problems.push(format!(
                "log.filter: '{}' is not a log filter ({err}); write e.g. \"info\" or \"info,control_plane=debug\"",
                config.log_filter
            ));
        }
        if config.limits.customer_requests_per_minute == 0 {
            problems.push("limits.customer_requests_per_minute must be at least 1".to_owned());
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError { problems })
        }
    }

    /// The database URL to connect to, with the embedded SQLite default filled in.
    /// The SQLite database file, when the database is SQLite in a file.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        let url = self.effective_database_url();
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next()?;
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }

    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("netops.db").display()
            ),
        }
    }
}

fn apply_file(config: &mut Config, file: FileConfig, path: &Path, problems: &mut Vec<String>) {
    let at = |key: &str| format!("{}: {key}", path.display());
    if let Some(listen) = file.listen {
        match listen.parse() {
            Ok(addr) => config.listen = addr,
            Err(_) => problems.push(format!(
                "{}: '{listen}' is not an address like 127.0.0.1:8080",
                at("listen")
            )),
        }
    }
    if let Some(dir) = file.data_dir {
        config.data_dir = dir;
    }
    if let Some(url) = file.database.url {
        config.database_url = Some(url);
    }
    if let Some(max) = file.database.max_connections {
        config.database_max_connections = max.max(1);
    }
    match (file.auth.jwt_secret, file.auth.jwt_secret_file) {
        (Some(_), Some(_)) => problems.push(format!(
            "{}: set either auth.jwt_secret or auth.jwt_secret_file, not both",
            at("auth")
        )),
        (Some(secret), None) => set_jwt_secret(config, secret, &at("auth.jwt_secret"), problems),
        (None, Some(file)) => {
            read_secret_file(config, &file, &at("auth.jwt_secret_file"), problems)
        }
        (None, None) => {}
    }
    if let Some(ttl) = file.auth.jwt_ttl_secs {
        config.jwt_ttl_secs = ttl;
    }
    if let Some(format) = file.log.format {
        set_log_format(config, &format, &at("log.format"), problems);
    }
    if let Some(filter) = file.log.filter {
        config.log_filter = filter;
    }
    let limits = &mut config.limits;
    if let Some(v) = file.limits.customer_requests_per_minute {
        limits.customer_requests_per_minute = v;
    }
    if let Some(v) = file.limits.login_failures_per_identifier {
        limits.login_failures_per_identifier = v.max(1);
    }
    if let Some(v) = file.limits.login_failures_per_address {
        limits.login_failures_per_address = v.max(1);
    }
    if let Some(v) = file.limits.login_lockout_secs {
        limits.login_lockout_secs = v;
    }
    crate::aaa::settings::apply_file(&mut config.aaa, file.aaa, &at, problems);
    crate::commands::settings::apply_file(&mut config.commands, file.commands, &at, problems);
    crate::optics::settings::apply_file(&mut config.optics, file.optics, &at, problems);
    config.metrics.apply_file(file.metrics);
    crate::inventory::limits::apply_file(&mut config.inventory, file.inventory, &at, problems);
    crate::billing::settings::apply_file(&mut config.billing, file.billing, &at, problems);
    crate::billing::gateway::settings::apply_file(
        &mut config.billing.redirect_gateways,
        file.payments,
        &at,
        problems,
    );
    crate::http::portal::settings::apply_file(&mut config.portal, file.portal, &at, problems);
    crate::webhooks::settings::apply_file(&mut config.webhooks, file.webhooks, &at, problems);
    crate::alerts::outage::apply_file(&mut config.outages, file.outages, &at, problems);
    crate::email::settings::apply_file(&mut config.email, file.email, &at, problems);
    if let Some(v) = file.limits.reboot_cooldown_secs {
        limits.reboot_cooldown_secs = v;
    }
    if let Some(v) = file.limits.disconnect_cooldown_secs {
        limits.disconnect_cooldown_secs = v;
    }
    if let Some(entries) = file.limits.trusted_proxies {
        match crate::http::client_address::TrustedProxies::parse(&entries) {
            Ok(proxies) => limits.trusted_proxies = proxies,
            Err(bad) => problems.extend(
                bad.into_iter()
                    .map(|problem| format!("{}: {problem}", at("limits.trusted_proxies"))),
            ),
        }
    }
}

fn apply_env(config: &mut Config, env: &[(String, String)], problems: &mut Vec<String>) {
    for (key, value) in env {
        match key.as_str() {
            "NETOPS_LISTEN" => match value.parse() {
                Ok(addr) => config.listen = addr,
                Err(_) => problems.push(format!(
                    "NETOPS_LISTEN: '{value}' is not an address like 127.0.0.1:8080"
                )),
            },
            "NETOPS_DATA_DIR" => config.data_dir = PathBuf::from(value),
            "NETOPS_DATABASE_URL" => config.database_url = Some(value.clone()),
            "NETOPS_JWT_SECRET" => set_jwt_secret(config, value.clone(), key, problems),
            "NETOPS_JWT_SECRET_FILE" => read_secret_file(config, Path::new(value), key, problems),
            "NETOPS_JWT_TTL_SECS" => match value.parse() {
                Ok(ttl) => config.jwt_ttl_secs = ttl,
                Err(_) => problems.push(format!("{key}: '{value}' is not a number of seconds")),
            },
            "NETOPS_LOG_FORMAT" => set_log_format(config, value, key, problems),
            "NETOPS_LOG" => config.log_filter = value.clone(),
            "NETOPS_RATE_LIMIT_PER_MINUTE" => match value.parse() {
                Ok(v) => config.limits.customer_requests_per_minute = v,
                Err(_) => problems.push(format!("{key}: '{value}' is not a whole number")),
            },
            _ if key.starts_with("NETOPS_BILLING_") => {
                crate::billing::settings::apply_env(&mut config.billing, key, value, problems)
            }
            "NETOPS_PORTAL_SECURE_COOKIES" => crate::http::portal::settings::set_secure_cookies(
                &mut config.portal,
                value,
                key,
                problems,
            ),
            _ if key.starts_with("NETOPS_AAA_") => {
                crate::aaa::settings::apply_env(&mut config.aaa, key, value, problems)
            }
            // Read by the CLI itself.
            "NETOPS_CONFIG" => {}
            _ => {}
        }
    }
}

fn set_jwt_secret(config: &mut Config, secret: String, at: &str, problems: &mut Vec<String>) {
    if secret.len() < 32 {
        problems.push(format!(
            "{at}: the JWT secret must be at least 32 characters (try: openssl rand -hex 32)"
        ));
    } else {
        config.jwt_secret = Some(Secret::new(secret));
    }
}

fn read_secret_file(config: &mut Config, file: &Path, at: &str, problems: &mut Vec<String>) {
    match std::fs::read_to_string(file) {
        Ok(text) => set_jwt_secret(config, text.trim().to_owned(), at, problems),
        Err(err) => problems.push(format!("{at}: unable to read {}: {err}", file.display())),
    }
}

fn set_log_format(config: &mut Config, format: &str, at: &str, problems: &mut Vec<String>) {
    match format {
        "human" => config.log_format = LogFormat::Human,
        "json" => config.log_format = LogFormat::Json,
        other => problems.push(format!(
            "{at}: '{other}' is not a log format; use human or json"
        )),
    }
}

/// Hides the password part of a database URL for logs and errors.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(toml_text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, toml_text).unwrap();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load_from(Some(&path), &env, &Overrides::default())
    }

    #[test]
    fn file_then_env() {
        let config = load(
            "listen = \"127.0.0.1:9000\"\n[log]\nformat = \"json\"\n",
            &[("NETOPS_LISTEN", "127.0.0.1:9100")],
        )
        .unwrap();
        assert_eq!(config.listen.port(), 9100);
        assert_eq!(config.log_format, LogFormat::Json);
    }

    #[test]
    fn unknown_keys_are_errors() {
        let err = load("listne = \"x\"\n", &[]).unwrap_err();
        assert!(err.problems[0].contains("unknown field"), "{err}");
    }

    #[test]
    fn every_problem_is_reported() {
        let err = load(
            "listen = \"nowhere\"\n[auth]\njwt_secret = \"short\"\n",
            &[("NETOPS_LOG_FORMAT", "xml")],
        )
        .unwrap_err();
        assert_eq!(err.problems.len(), 3, "{err}");
    }

    #[test]
    fn shipped_example_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/control-plane.toml");
        let config = Config::load_from(Some(&path), &[], &Overrides::default()).unwrap();
        assert_eq!(config.limits, Limits::default());
        assert_eq!(config.commands, crate::commands::CommandSettings::default());
        assert_eq!(config.optics, crate::optics::OpticsSettings::default());
        assert_eq!(config.metrics, crate::telemetry::MetricsSettings::default());
        assert_eq!(
            config.inventory,
            crate::inventory::InventoryLimits::default()
        );
        assert_eq!(
            config.portal,
            crate::http::portal::settings::PortalConfig::default()
        );
        assert_eq!(config.listen.port(), 8080);
    }

    #[test]
    fn a_bad_log_filter_is_a_problem() {
        let err = load("[log]\nfilter = \"info,=[\"\n", &[]).unwrap_err();
        assert!(err.problems[0].starts_with("log.filter:"), "{err}");
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://netops:hunter2@db:5432/netops"),
            "postgres://netops:***@db:5432/netops"
        );
        assert_eq!(
            redact_url("sqlite://data/netops.db"),
            "sqlite://data/netops.db"
        );
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("abc")), "Secret(\"***\")");
    }
}
