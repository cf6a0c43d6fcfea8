//! A customer's alert preferences: the defaults, the stored row read back, and an update
//! checked field by field (every problem reported at once). No I/O.

use super::networks::{may_reach, Network};
use super::severity::Severity;
use crate::email::address::EmailAddress;
use crate::store::alerts::{AlertPreferencesFields, AlertPreferencesRow};

/// The preferences in force for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertPreferences {
    pub email_enabled: bool,
    /// Set by the customer or staff; `None` means the profile's email.
    pub email_address: Option<String>,
    pub webhook_enabled: bool,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub min_severity: Severity,
}

impl Default for AlertPreferences {
    /// Email on (to the profile's address), no webhook, warnings and worse.
    fn default() -> Self {
        Self {
            email_enabled: true,
            email_address: None,
            webhook_enabled: false,
            webhook_url: None,
            webhook_secret: None,
            min_severity: Severity::Warning,
        }
    }
}

impl AlertPreferences {
    pub fn from_row(row: Option<AlertPreferencesRow>) -> Self {
        let Some(row) = row else {
            return Self::default();
        };
        Self {
            email_enabled: row.email_enabled != 0,
            email_address: row.email_address,
            webhook_enabled: row.webhook_enabled != 0,
            webhook_url: row.webhook_url,
            webhook_secret: row.webhook_secret,
            min_severity: Severity::parse(&row.min_severity).unwrap_or(Severity::Warning),
        }
    }

    /// Where email goes: the chosen address, else the profile's.
    pub fn email_to<'a>(&'a self, profile_email: Option<&'a str>) -> Option<&'a str> {
        self.email_address
            .as_deref()
            .or(profile_email)
            .filter(|a| !a.is_empty())
    }

    pub fn fields(&self) -> AlertPreferencesFields {
        AlertPreferencesFields {
            email_enabled: self.email_enabled,
            email_address: self.email_address.clone(),
            webhook_enabled: self.webhook_enabled,
            webhook_url: self.webhook_url.clone(),
            webhook_secret: self.webhook_secret.clone(),
            min_severity: self.min_severity.as_str().to_owned(),
        }
    }
}

/// A change: each `Some` field replaces the current value; `Some("")` clears an address or
/// URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreferencesUpdate {
    pub email_enabled: Option<bool>,
    pub email_address: Option<String>,
    pub webhook_enabled: Option<bool>,
    pub webhook_url: Option<String>,
    pub min_severity: Option<String>,
}

/// Applies `update` to `current`; `Err` lists every problem, one sentence each.
/// `allowed` are the internal networks webhooks may reach (`[webhooks]
/// allow_private_networks`).
pub fn apply_update(
    current: &AlertPreferences,
    update: PreferencesUpdate,
    profile_email: Option<&str>,
    allowed: &[Network],
) -> Result<AlertPreferences, Vec<String>> {
    let mut next = current.clone();
    let mut problems = Vec::new();
    if let Some(on) = update.email_enabled {
        next.email_enabled = on;
    }
    if let Some(address) = update.email_address {
        if address.trim().is_empty() {
            next.email_address = None;
        } else {
            match EmailAddress::parse(&address) {
                Ok(a) => next.email_address = Some(a.as_str().to_owned()),
                Err(why) => problems.push(format!("email_address {why}")),
            }
        }
    }
    if let Some(on) = update.webhook_enabled {
        next.webhook_enabled = on;
    }
    if let Some(url) = update.webhook_url {
        if url.trim().is_empty() {
            next.webhook_url = None;
        } else {
            match webhook_url(&url, allowed) {
                Ok(u) => next.webhook_url = Some(u),
                Err(why) => problems.push(format!("webhook_url {why}")),
            }
        }
    }
    if let Some(text) = update.min_severity {
        match Severity::parse(&text) {
            Some(s) => next.min_severity = s,
            None => problems.push("min_severity must be info, warning or critical".to_owned()),
        }
    }
    if problems.is_empty() {
        if next.email_enabled && next.email_to(profile_email).is_none() {
            problems.push(
                "email_address is required to turn email on: the profile has no email".into(),
            );
        }
        if next.webhook_enabled && next.webhook_url.is_none() {
            problems.push("webhook_url is required to turn the webhook on".to_owned());
        }
    }
    if problems.is_empty() {
        Ok(next)
    } else {
        Err(problems)
    }
}

/// An `http://` or `https://` URL with a host, no credentials, and not an internal address
/// unless `allowed`. Host names are checked again, resolved, at each delivery.
pub fn webhook_url(text: &str, allowed: &[Network]) -> Result<String, String> {
    let url = reqwest::Url::parse(text.trim()).map_err(|_| "is not a URL".to_owned())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must start with https:// or http://".to_owned());
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| "has no host".to_owned())?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password".to_owned());
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let literal = match bare.parse() {
        Ok(ip) => Some(ip),
        Err(_) if bare.eq_ignore_ascii_case("localhost") || bare.ends_with(".localhost") => {
            Some(std::net::IpAddr::from([127, 0, 0, 1]))
        }
        Err(_) => None,
    };
    if let Some(ip) = literal {
        if !may_reach(ip, allowed) {
            return Err(format!(
                "points at {host}, an internal address; webhooks go to public receivers"
            ));
        }
    }
    if text.len() > 2000 {
        return Err("is longer than 2000 characters".to_owned());
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(f: impl FnOnce(&mut PreferencesUpdate)) -> PreferencesUpdate {
        let mut u = PreferencesUpdate::default();
        f(&mut u);
        u
    }

    fn check(
        u: PreferencesUpdate,
        profile_email: Option<&str>,
        expected: Result<AlertPreferences, &[&str]>,
    ) {
        let lab = [Network::parse("127.0.0.0/8").unwrap()];
        let got = apply_update(&AlertPreferences::default(), u, profile_email, &lab);
        let expected = expected.map_err(|e| e.iter().map(|s| (*s).to_owned()).collect());
        assert_eq!(got, expected);
    }

    #[test]
    fn updates_are_checked_together() {
        check(
            PreferencesUpdate::default(),
            Some("rahim@mail.example"),
            Ok(AlertPreferences::default()),
        );
        check(
            update(|u| {
                u.webhook_enabled = Some(true);
                u.webhook_url = Some("https://hooks.example/netops".into());
                u.min_severity = Some("critical".into());
                u.email_enabled = Some(false);
            }),
            None,
            Ok(AlertPreferences {
                email_enabled: false,
                webhook_enabled: true,
                webhook_url: Some("https://hooks.example/netops".into()),
                min_severity: Severity::Critical,
                ..AlertPreferences::default()
            }),
        );
        check(
            update(|u| {
                u.email_address = Some("not-an-address".into());
                u.webhook_url = Some("ftp://x.example".into());
                u.min_severity = Some("urgent".into());
            }),
            None,
            Err(&[
                "email_address not-an-address has no @",
                "webhook_url must start with https:// or http://",
                "min_severity must be info, warning or critical",
            ]),
        );
        check(
            PreferencesUpdate::default(),
            None,
            Err(&["email_address is required to turn email on: the profile has no email"]),
        );
        check(
            update(|u| {
                u.email_enabled = Some(false);
                u.webhook_enabled = Some(true);
            }),
            None,
            Err(&["webhook_url is required to turn the webhook on"]),
        );
    }

    fn check_url(text: &str, expected: Result<&str, &str>) {
        let lab = [Network::parse("127.0.0.0/8").unwrap()];
        assert_eq!(
            webhook_url(text, &lab),
            expected.map(str::to_owned).map_err(str::to_owned),
            "{text}"
        );
    }

    #[test]
    fn webhook_urls_are_checked() {
        check_url(
            "https://hooks.example/a?b=1",
            Ok("https://hooks.example/a?b=1"),
        );
        check_url("http://127.0.0.1:9000/h", Ok("http://127.0.0.1:9000/h"));
        check_url(
            "http://10.0.0.5/h",
            Err("points at 10.0.0.5, an internal address; webhooks go to public receivers"),
        );
        check_url(
            "https://[::1]/h",
            Err("points at [::1], an internal address; webhooks go to public receivers"),
        );
        check_url(
            "http://169.254.169.254/latest",
            Err("points at 169.254.169.254, an internal address; webhooks go to public receivers"),
        );
        check_url(
            "https://user:pw@hooks.example/",
            Err("must not carry a user name or password"),
        );
        check_url("hooks.example", Err("is not a URL"));
    }
}
