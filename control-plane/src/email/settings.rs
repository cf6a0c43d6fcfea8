//! The `[email]` configuration: the ISP's SMTP relay (host, port, STARTTLS policy, login),
//! the sender address, a per-minute limit and how deliveries are retried. Email is off until
//! `host` is set.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::address::EmailAddress;

/// Whether the session is upgraded with STARTTLS before anything else is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartTls {
    /// The relay must offer STARTTLS and the upgrade must succeed; otherwise nothing is sent.
    Required,
    /// Upgraded when the relay offers it, plain otherwise.
    Opportunistic,
    /// Never upgraded (a relay on the same host or network).
    Off,
}

impl StartTls {
    fn parse(text: &str) -> Option<StartTls> {
        match text {
            "required" => Some(StartTls::Required),
            "opportunistic" => Some(StartTls::Opportunistic),
            "off" => Some(StartTls::Off),
            _ => None,
        }
    }
}

/// The resolved `[email]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSettings {
    /// The relay's host name or address; `None` turns email off.
    pub host: Option<String>,
    pub port: u16,
    pub starttls: StartTls,
    /// AUTH PLAIN user; sent only over TLS.
    pub username: Option<String>,
    /// File holding the relay password (one line); read at start, never logged.
    pub password_file: Option<PathBuf>,
    /// The sender (`From:` and `MAIL FROM`); required when `host` is set.
    pub from: Option<EmailAddress>,
    /// Most messages sent per minute by one control plane.
    pub per_minute_limit: u32,
    /// A private CA the relay's certificate is signed by, besides the system's roots.
    pub ca_file: Option<PathBuf>,
    /// The name sent with EHLO.
    pub helo_name: String,
    /// Attempts before a message is given up.
    pub max_attempts: u32,
    /// Wait before the first retry, doubled each time, at most an hour.
    pub retry_base: Duration,
    /// Limit of one whole SMTP session.
    pub timeout: Duration,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            host: None,
            port: 587,
            starttls: StartTls::Required,
            username: None,
            password_file: None,
            from: None,
            per_minute_limit: 60,
            ca_file: None,
            helo_name: "localhost".to_owned(),
            max_attempts: 8,
            retry_base: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
        }
    }
}

/// The `[email]` table of the file. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileEmail {
    host: Option<String>,
    port: Option<u16>,
    starttls: Option<String>,
    username: Option<String>,
    password_file: Option<PathBuf>,
    from: Option<String>,
    per_minute_limit: Option<u32>,
    ca_file: Option<PathBuf>,
    helo_name: Option<String>,
    max_attempts: Option<u32>,
    retry_base_secs: Option<u64>,
    timeout_secs: Option<u64>,
}

/// Applies the file's `[email]` values; `at` names a key for error messages.
pub fn apply_file(
    settings: &mut EmailSettings,
    file: FileEmail,
    at: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) {
    let mut problem = |key: &str, why: &str| problems.push(format!("{}: {why}", at(key)));
    if let Some(host) = file.host.filter(|h| !h.trim().is_empty()) {
        settings.host = Some(host.trim().to_owned());
    }
    if let Some(port) = file.port {
        if port == 0 {
            problem("email.port", "must be from 1 to 65535");
        } else {
            settings.port = port;
        }
    }
    if let Some(text) = file.starttls {
        match StartTls::parse(&text) {
            Some(mode) => settings.starttls = mode,
            None => problem("email.starttls", "must be required, opportunistic or off"),
        }
    }
    settings.username = file
        .username
        .filter(|u| !u.is_empty())
        .or(settings.username.take());
    settings.password_file = file.password_file.or(settings.password_file.take());
    if let Some(from) = file.from {
        match EmailAddress::parse(&from) {
            Ok(address) => settings.from = Some(address),
            Err(why) => problem("email.from", &format!("not an email address: {why}")),
        }
    }
    match file.per_minute_limit {
        Some(0) => problem("email.per_minute_limit", "must be at least 1"),
        Some(n) => settings.per_minute_limit = n,
        None => {}
    }
    settings.ca_file = file.ca_file.or(settings.ca_file.take());
    if let Some(name) = file.helo_name {
        let ok = !name.is_empty()
            && name.len() <= 253
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c));
        if ok {
            settings.helo_name = name;
        } else {
            problem(
                "email.helo_name",
                "must be a host name (letters, digits, . and -)",
            );
        }
    }
    match file.max_attempts {
        Some(n) if !(1..=20).contains(&n) => problem("email.max_attempts", "must be from 1 to 20"),
        Some(n) => settings.max_attempts = n,
        None => {}
    }
    match file.retry_base_secs {
        Some(0) => problem("email.retry_base_secs", "must be at least 1 second"),
        Some(secs) => settings.retry_base = Duration::from_secs(secs),
        None => {}
    }
    match file.timeout_secs {
        Some(secs) if !(1..=300).contains(&secs) => {
            problem("email.timeout_secs", "must be from 1 to 300 seconds")
        }
        Some(secs) => settings.timeout = Duration::from_secs(secs),
        None => {}
    }
    check(settings, &at, problems);
}

/// Rules across keys: a relay needs a sender; a login needs a password file and TLS.
pub fn check(settings: &EmailSettings, at: &dyn Fn(&str) -> String, problems: &mut Vec<String>) {
    if settings.host.is_none() {
        return;
    }
    if settings.from.is_none() {
        problems.push(format!(
            "{}: is required when email.host is set (the sender address, e.g. noc@isp.example)",
            at("email.from")
        ));
    }
    if settings.username.is_some() != settings.password_file.is_some() {
        problems.push(format!(
            "{}: email.username and email.password_file go together",
            at("email.password_file")
        ));
    }
    if settings.username.is_some() && settings.starttls != StartTls::Required {
        problems.push(format!(
            "{}: must be required when email.username is set, so the password never travels \
             in clear text",
            at("email.starttls")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str) -> (EmailSettings, Vec<String>) {
        let file: FileEmail = toml::from_str(text).unwrap();
        let mut settings = EmailSettings::default();
        let mut problems = Vec::new();
        apply_file(&mut settings, file, &|k| k.to_owned(), &mut problems);
        (settings, problems)
    }

    #[test]
    fn every_key_is_read_and_checked() {
        let (s, problems) = apply(
            "host = \"smtp.isp.example\"\nport = 25\nstarttls = \"required\"\n\
             username = \"netops\"\npassword_file = \"/etc/netops/smtp-password\"\n\
             from = \"noc@isp.example\"\nper_minute_limit = 10\nhelo_name = \"cp1.isp.example\"\n\
             max_attempts = 3\nretry_base_secs = 5\ntimeout_secs = 20",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.host.as_deref(), Some("smtp.isp.example"));
        assert_eq!(
            (s.port, s.starttls, s.per_minute_limit),
            (25, StartTls::Required, 10)
        );
        assert_eq!(s.from.unwrap().as_str(), "noc@isp.example");
        assert_eq!(
            (s.max_attempts, s.retry_base.as_secs(), s.timeout.as_secs()),
            (3, 5, 20)
        );

        let (_, problems) = apply("starttls = \"maybe\"\nfrom = \"noc\"\nper_minute_limit = 0");
        assert_eq!(problems.len(), 3, "{problems:?}");
        let (_, problems) = apply("host = \"smtp.isp.example\"");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("email.from: is required"));
        let (_, problems) = apply(
            "host = \"h.example\"\nfrom = \"a@b.example\"\nusername = \"u\"\n\
             password_file = \"/p\"\nstarttls = \"opportunistic\"",
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("email.starttls: must be required"));
    }

    #[test]
    fn no_host_is_no_email() {
        let (s, problems) = apply("");
        assert!(problems.is_empty());
        assert_eq!(s, EmailSettings::default());
    }
}
