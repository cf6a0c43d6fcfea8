//! The `[billing]` configuration: when the billing job runs, due dates, tax, the grace period
//! before suspension, expiry warnings, and the payment gateway with its callback key.

use std::time::Duration;

use serde::Deserialize;

use crate::config::Secret;

/// Which payment gateway takes online payments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayKind {
    /// No gateway: online payments stay pending and have no payment URL.
    None,
    /// The local sandbox page that confirms or cancels without real money. Never in production.
    Sandbox,
    /// A `[[payments.gateways]]` entry by name (a provider such as bKash).
    Redirect(String),
}

/// The resolved `[billing]` settings.
#[derive(Debug, Clone)]
pub struct BillingSettings {
    /// How often the billing job runs (issue bills, mark overdue, suspend).
    pub run_interval: Duration,
    /// Days from a bill's date to its due date.
    pub due_days: u32,
    /// Tax on bills in basis points (1 % = 100).
    pub tax_basis_points: u32,
    /// How long after expiry a subscriber with money due keeps service before suspension.
    pub suspend_grace: Duration,
    /// Days before the paid-until date a subscriber is warned, largest first; empty: none.
    pub expiry_warning_days: Vec<u32>,
    pub gateway: GatewayKind,
    /// HMAC-SHA256 key of gateway callbacks. `None`: generated once into
    /// `data_dir/billing-callback-key`.
    pub callback_key: Option<Secret>,
    /// The control plane's address as subscribers' browsers reach it, for payment URLs
    /// (`https://isp.example.net`). `None`: `http://` and the listen address.
    pub public_url: Option<String>,
    /// The ISP's name as printed at the head of invoices; empty: none printed.
    pub isp_name: String,
    /// `[[payments.gateways]]`: providers' redirect gateways.
    pub redirect_gateways: Vec<super::gateway::settings::RedirectGatewaySettings>,
}

impl Default for BillingSettings {
    fn default() -> Self {
        Self {
            run_interval: Duration::from_secs(60),
            due_days: 9,
            tax_basis_points: 0,
            suspend_grace: Duration::ZERO,
            expiry_warning_days: vec![3, 1],
            gateway: GatewayKind::None,
            callback_key: None,
            public_url: None,
            isp_name: String::new(),
            redirect_gateways: Vec::new(),
        }
    }
}

/// Furthest ahead an expiry warning may be.
const MAX_WARNING_DAYS: u32 = 60;

/// The `[billing]` table of the file. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileBilling {
    run_interval_secs: Option<u64>,
    due_days: Option<u32>,
    tax_basis_points: Option<u32>,
    suspend_grace_hours: Option<u64>,
    expiry_warning_days: Option<Vec<u32>>,
    gateway: Option<String>,
    callback_key: Option<String>,
    public_url: Option<String>,
    isp_name: Option<String>,
}

/// Applies the file's `[billing]` values; `at` names a key for error messages.
pub fn apply_file(
    settings: &mut BillingSettings,
    file: FileBilling,
    at: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) {
    match file.run_interval_secs {
        Some(0) => problems.push(format!(
            "{}: must be at least 1 second",
            at("billing.run_interval_secs")
        )),
        Some(secs) => settings.run_interval = Duration::from_secs(secs),
        None => {}
    }
    match file.due_days {
        Some(days) if days > 365 => problems.push(format!(
            "{}: must be at most 365 days",
            at("billing.due_days")
        )),
        Some(days) => settings.due_days = days,
        None => {}
    }
    match file.tax_basis_points {
        Some(bps) if bps > 10_000 => problems.push(format!(
            "{}: must be at most 10000 (100 %)",
            at("billing.tax_basis_points")
        )),
        Some(bps) => settings.tax_basis_points = bps,
        None => {}
    }
    if let Some(hours) = file.suspend_grace_hours {
        settings.suspend_grace = Duration::from_secs(hours.saturating_mul(3600));
    }
    if let Some(days) = file.expiry_warning_days {
        if days.iter().any(|d| !(1..=MAX_WARNING_DAYS).contains(d)) {
            problems.push(format!(
                "{}: each must be from 1 to {MAX_WARNING_DAYS} days",
                at("billing.expiry_warning_days")
            ));
        } else {
            let mut days = days;
            days.sort_unstable_by(|a, b| b.cmp(a));
            days.dedup();
            settings.expiry_warning_days = days;
        }
    }
    if let Some(gateway) = file.gateway {
        set_gateway(settings, &gateway, &at("billing.gateway"), problems);
    }
    if let Some(key) = file.callback_key {
        set_callback_key(settings, key, &at("billing.callback_key"), problems);
    }
    if let Some(url) = file.public_url {
        set_public_url(settings, url, &at("billing.public_url"), problems);
    }
    if let Some(name) = file.isp_name {
        settings.isp_name = name.trim().to_owned();
    }
}

/// Applies one `NETOPS_BILLING_*` variable.
pub fn apply_env(
    settings: &mut BillingSettings,
    key: &str,
    value: &str,
    problems: &mut Vec<String>,
) {
    match key {
        "NETOPS_BILLING_GATEWAY" => set_gateway(settings, value, key, problems),
        "NETOPS_BILLING_CALLBACK_KEY" => {
            set_callback_key(settings, value.to_owned(), key, problems)
        }
        "NETOPS_BILLING_PUBLIC_URL" => set_public_url(settings, value.to_owned(), key, problems),
        "NETOPS_BILLING_ISP_NAME" => settings.isp_name = value.trim().to_owned(),
        _ => {}
    }
}

fn set_gateway(settings: &mut BillingSettings, value: &str, at: &str, problems: &mut Vec<String>) {
    match value {
        "none" => settings.gateway = GatewayKind::None,
        "sandbox" => settings.gateway = GatewayKind::Sandbox,
        name if super::gateway::settings::valid_name(name) => {
            settings.gateway = GatewayKind::Redirect(name.to_owned())
        }
        other => problems.push(format!(
            "{at}: '{other}' is not a gateway; use none, sandbox or the name of a \
             [[payments.gateways]] entry"
        )),
    }
}

fn set_callback_key(
    settings: &mut BillingSettings,
    key: String,
    at: &str,
    problems: &mut Vec<String>,
) {
    if key.len() < 32 {
        problems.push(format!(
            "{at}: the callback key must be at least 32 characters (try: openssl rand -hex 32)"
        ));
    } else {
        settings.callback_key = Some(Secret::new(key));
    }
}

fn set_public_url(
    settings: &mut BillingSettings,
    url: String,
    at: &str,
    problems: &mut Vec<String>,
) {
    let url = url.trim_end_matches('/').to_owned();
    if url.starts_with("http://") || url.starts_with("https://") {
        settings.public_url = Some(url);
    } else {
        problems.push(format!("{at}: '{url}' must start with http:// or https://"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str) -> (BillingSettings, Vec<String>) {
        let file: FileBilling = toml::from_str(text).unwrap();
        let mut settings = BillingSettings::default();
        let mut problems = Vec::new();
        apply_file(&mut settings, file, &|k| k.to_owned(), &mut problems);
        (settings, problems)
    }

    #[test]
    fn every_key_is_read() {
        let (s, problems) = apply(
            "run_interval_secs = 30\ndue_days = 10\ntax_basis_points = 500\n\
             suspend_grace_hours = 48\ngateway = \"sandbox\"\nexpiry_warning_days = [1, 7, 3, 7]\n\
             callback_key = \"0123456789abcdef0123456789abcdef\"\n\
             public_url = \"https://isp.example.net/\"\nisp_name = \" Rupali Net \"",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.run_interval, Duration::from_secs(30));
        assert_eq!(s.due_days, 10);
        assert_eq!(s.tax_basis_points, 500);
        assert_eq!(s.suspend_grace, Duration::from_secs(48 * 3600));
        assert_eq!(s.gateway, GatewayKind::Sandbox);
        assert_eq!(s.expiry_warning_days, [7, 3, 1]);
        assert!(s.callback_key.is_some());
        assert_eq!(s.public_url.as_deref(), Some("https://isp.example.net"));
        assert_eq!(s.isp_name, "Rupali Net");
    }

    #[test]
    fn every_problem_is_reported() {
        let (_, problems) = apply(
            "run_interval_secs = 0\ndue_days = 400\ntax_basis_points = 20000\n\
             gateway = \"Pay Pal\"\ncallback_key = \"short\"\npublic_url = \"isp.example.net\"\n\
             expiry_warning_days = [3, 0]",
        );
        assert_eq!(problems.len(), 7, "{problems:?}");
        assert!(problems
            .iter()
            .any(|p| p.contains("none, sandbox or the name")));
    }
}
