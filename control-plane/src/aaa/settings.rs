//! The `[aaa]` configuration: how netops answers FreeRADIUS, checked when the file is read.

use std::path::Path;

use serde::Deserialize;
use time::UtcOffset;

use crate::config::Secret;

/// What a suspended or expired subscriber gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LapsedAction {
    /// Access-Reject.
    Reject,
    /// Access-Accept into the walled-garden pool at the captive-portal rate.
    WalledGarden,
}

impl LapsedAction {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "reject" => Some(Self::Reject),
            "walled-garden" => Some(Self::WalledGarden),
            _ => None,
        }
    }
}

/// One piece of a rate template such as `{upload_kbps}k/{download_kbps}k`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RatePiece {
    Text(String),
    UploadKbps,
    DownloadKbps,
}

/// A parsed rate template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateTemplate(Vec<RatePiece>);

impl RateTemplate {
    /// Parses a template; the placeholders are `{upload_kbps}` and `{download_kbps}`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(RatePiece::Text(rest[..open].to_owned()));
            }
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| format!("'{text}' has a '{{' without '}}'"))?;
            pieces.push(match &after[..close] {
                "upload_kbps" => RatePiece::UploadKbps,
                "download_kbps" => RatePiece::DownloadKbps,
                other => {
                    return Err(format!(
                        "'{other}' is not a placeholder; use {{upload_kbps}} or {{download_kbps}}"
                    ))
                }
            });
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(RatePiece::Text(rest.to_owned()));
        }
        if pieces.is_empty() {
            return Err("the rate template is empty".to_owned());
        }
        Ok(Self(pieces))
    }

    pub fn render(&self, upload_kbps: i64, download_kbps: i64) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                RatePiece::Text(text) => out.push_str(text),
                RatePiece::UploadKbps => out.push_str(&upload_kbps.to_string()),
                RatePiece::DownloadKbps => out.push_str(&download_kbps.to_string()),
            }
        }
        out
    }
}

/// The walled garden: where lapsed subscribers land when the ISP accepts them there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalledGarden {
    /// `Framed-Pool` the BRAS allocates from (its firewall sends that pool to the portal).
    pub pool: String,
    /// The rate attribute's value for the captive portal, e.g. `512k/512k`.
    pub rate: String,
    /// Sessions in the garden end after this, so a subscriber who paid gets the normal profile
    /// at the next login.
    pub session_timeout_secs: u32,
}

/// The resolved `[aaa]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AaaSettings {
    /// The credential FreeRADIUS presents (`Authorization: Bearer …`). `None` disables the
    /// RADIUS endpoints.
    pub api_key: Option<Secret>,
    /// 32-byte key (64 hex characters) sealing PPPoE passwords. `None` means a key generated
    /// once and kept in `data_dir/aaa-password-key`.
    pub password_key: Option<Secret>,
    /// The ISP's time zone as an offset: an expiry date ends at midnight there.
    pub utc_offset: UtcOffset,
    /// `Acct-Interim-Interval` sent in every Access-Accept.
    pub interim_interval_secs: u32,
    /// A session with no accounting for this many intervals is closed as stale.
    pub stale_after_intervals: u32,
    /// How often the stale-session sweep runs.
    pub stale_check_secs: u64,
    /// The reply attribute carrying the package's speed (`Mikrotik-Rate-Limit`, `Filter-Id`, …).
    pub rate_attribute: String,
    /// Its value, from the package's speeds.
    pub rate_template: RateTemplate,
    pub expired: LapsedAction,
    pub suspended: LapsedAction,
    pub walled_garden: WalledGarden,
}

impl Default for AaaSettings {
    fn default() -> Self {
        Self {
            api_key: None,
            password_key: None,
            utc_offset: UtcOffset::UTC,
            interim_interval_secs: 300,
            stale_after_intervals: 3,
            stale_check_secs: 60,
            rate_attribute: "Mikrotik-Rate-Limit".to_owned(),
            rate_template: RateTemplate(vec![
                RatePiece::UploadKbps,
                RatePiece::Text("k/".to_owned()),
                RatePiece::DownloadKbps,
                RatePiece::Text("k".to_owned()),
            ]),
            expired: LapsedAction::Reject,
            suspended: LapsedAction::Reject,
            walled_garden: WalledGarden {
                pool: "walled-garden".to_owned(),
                rate: "512k/512k".to_owned(),
                session_timeout_secs: 900,
            },
        }
    }
}

impl AaaSettings {
    /// Seconds without accounting after which an open session counts as stale.
    pub fn stale_after_secs(&self) -> i64 {
        i64::from(self.interim_interval_secs) * i64::from(self.stale_after_intervals)
    }
}

/// The `[aaa]` table of the configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileAaa {
    api_key: Option<String>,
    api_key_file: Option<std::path::PathBuf>,
    password_key: Option<String>,
    password_key_file: Option<std::path::PathBuf>,
    utc_offset: Option<String>,
    interim_interval_secs: Option<u32>,
    stale_after_intervals: Option<u32>,
    stale_check_secs: Option<u64>,
    rate_attribute: Option<String>,
    rate_template: Option<String>,
    expired: Option<String>,
    suspended: Option<String>,
    walled_garden_pool: Option<String>,
    walled_garden_rate: Option<String>,
    walled_garden_session_timeout_secs: Option<u32>,
}

/// Applies the file's `[aaa]` table; `at` names a key for messages.
pub fn apply_file(
    settings: &mut AaaSettings,
    file: FileAaa,
    at: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) {
    match (file.api_key, file.api_key_file) {
        (Some(_), Some(_)) => problems.push(format!(
            "{}: set either aaa.api_key or aaa.api_key_file, not both",
            at("aaa")
        )),
        (Some(key), None) => set_api_key(settings, key, &at("aaa.api_key"), problems),
        (None, Some(path)) => {
            if let Some(key) = read_file(&path, &at("aaa.api_key_file"), problems) {
                set_api_key(settings, key, &at("aaa.api_key_file"), problems);
            }
        }
        (None, None) => {}
    }
    match (file.password_key, file.password_key_file) {
        (Some(_), Some(_)) => problems.push(format!(
            "{}: set either aaa.password_key or aaa.password_key_file, not both",
            at("aaa")
        )),
        (Some(key), None) => set_password_key(settings, key, &at("aaa.password_key"), problems),
        (None, Some(path)) => {
            if let Some(key) = read_file(&path, &at("aaa.password_key_file"), problems) {
                set_password_key(settings, key, &at("aaa.password_key_file"), problems);
            }
        }
        (None, None) => {}
    }
    if let Some(offset) = file.utc_offset {
        set_utc_offset(settings, &offset, &at("aaa.utc_offset"), problems);
    }
    if let Some(secs) = file.interim_interval_secs {
        set_interim(settings, secs, &at("aaa.interim_interval_secs"), problems);
    }
    if let Some(n) = file.stale_after_intervals {
        if n == 0 {
            problems.push(format!(
                "{}: must be at least 1",
                at("aaa.stale_after_intervals")
            ));
        } else {
            settings.stale_after_intervals = n;
        }
    }
    if let Some(secs) = file.stale_check_secs {
        settings.stale_check_secs = secs.max(1);
    }
    if let Some(name) = file.rate_attribute {
        if is_attribute_name(&name) {
            settings.rate_attribute = name;
        } else {
            problems.push(format!(
                "{}: '{name}' is not a RADIUS attribute name like Mikrotik-Rate-Limit or Filter-Id",
                at("aaa.rate_attribute")
            ));
        }
    }
    if let Some(template) = file.rate_template {
        match RateTemplate::parse(&template) {
            Ok(parsed) => settings.rate_template = parsed,
            Err(problem) => problems.push(format!("{}: {problem}", at("aaa.rate_template"))),
        }
    }
    if let Some(action) = file.expired {
        set_action(&mut settings.expired, &action, &at("aaa.expired"), problems);
    }
    if let Some(action) = file.suspended {
        set_action(
            &mut settings.suspended,
            &action,
            &at("aaa.suspended"),
            problems,
        );
    }
    if let Some(pool) = file.walled_garden_pool {
        settings.walled_garden.pool = pool;
    }
    if let Some(rate) = file.walled_garden_rate {
        settings.walled_garden.rate = rate;
    }
    if let Some(secs) = file.walled_garden_session_timeout_secs {
        settings.walled_garden.session_timeout_secs = secs.max(60);
    }
}

/// Applies one `NETOPS_AAA_*` environment variable.
pub fn apply_env(settings: &mut AaaSettings, key: &str, value: &str, problems: &mut Vec<String>) {
    match key {
        "NETOPS_AAA_API_KEY" => set_api_key(settings, value.to_owned(), key, problems),
        "NETOPS_AAA_API_KEY_FILE" => {
            if let Some(text) = read_file(Path::new(value), key, problems) {
                set_api_key(settings, text, key, problems);
            }
        }
        "NETOPS_AAA_PASSWORD_KEY" => set_password_key(settings, value.to_owned(), key, problems),
        "NETOPS_AAA_PASSWORD_KEY_FILE" => {
            if let Some(text) = read_file(Path::new(value), key, problems) {
                set_password_key(settings, text, key, problems);
            }
        }
        "NETOPS_AAA_UTC_OFFSET" => set_utc_offset(settings, value, key, problems),
        "NETOPS_AAA_EXPIRED" => set_action(&mut settings.expired, value, key, problems),
        "NETOPS_AAA_SUSPENDED" => set_action(&mut settings.suspended, value, key, problems),
        "NETOPS_AAA_INTERIM_INTERVAL_SECS" => match value.parse() {
            Ok(secs) => set_interim(settings, secs, key, problems),
            Err(_) => problems.push(format!("{key}: '{value}' is not a number of seconds")),
        },
        _ => problems.push(format!(
            "{key}: unknown AAA setting; see the [aaa] section of config/control-plane.toml"
        )),
    }
}

fn read_file(path: &Path, at: &str, problems: &mut Vec<String>) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text.trim().to_owned()),
        Err(err) => {
            problems.push(format!("{at}: unable to read {}: {err}", path.display()));
            None
        }
    }
}

fn set_api_key(settings: &mut AaaSettings, key: String, at: &str, problems: &mut Vec<String>) {
    if key.len() < 32 || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        problems.push(format!(
            "{at}: the FreeRADIUS API key must be at least 32 characters without spaces (try: openssl rand -hex 32)"
        ));
    } else {
        settings.api_key = Some(Secret::new(key));
    }
}

fn set_password_key(settings: &mut AaaSettings, key: String, at: &str, problems: &mut Vec<String>) {
    if key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit()) {
        settings.password_key = Some(Secret::new(key));
    } else {
        problems.push(format!(
            "{at}: the PPPoE password key must be 64 hex characters (try: openssl rand -hex 32)"
        ));
    }
}

fn set_utc_offset(settings: &mut AaaSettings, text: &str, at: &str, problems: &mut Vec<String>) {
    match parse_utc_offset(text) {
        Some(offset) => settings.utc_offset = offset,
        None => problems.push(format!(
            "{at}: '{text}' is not an offset like +06:00 or -03:30"
        )),
    }
}

fn set_interim(settings: &mut AaaSettings, secs: u32, at: &str, problems: &mut Vec<String>) {
    if secs == 0 {
        problems.push(format!("{at}: must be at least 1 second"));
    } else {
        settings.interim_interval_secs = secs;
    }
}

fn set_action(target: &mut LapsedAction, text: &str, at: &str, problems: &mut Vec<String>) {
    match LapsedAction::parse(text) {
        Some(action) => *target = action,
        None => problems.push(format!(
            "{at}: '{text}' is not an action; use reject or walled-garden"
        )),
    }
}

/// `+06:00`, `-03:30`, `Z`.
pub fn parse_utc_offset(text: &str) -> Option<UtcOffset> {
    let text = text.trim();
    if text == "Z" || text == "UTC" {
        return Some(UtcOffset::UTC);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1i8, &text[1..]),
        b'-' => (-1i8, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: i8 = hours.parse().ok()?;
    let minutes: i8 = minutes.parse().ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()
}

fn is_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_templates() {
        let check = |template: &str, expected: &str| {
            let parsed = RateTemplate::parse(template).unwrap();
            assert_eq!(parsed.render(25_000, 50_000), expected, "{template}");
        };
        check("{upload_kbps}k/{download_kbps}k", "25000k/50000k");
        check("pkg-{download_kbps}", "pkg-50000");
        check("fixed", "fixed");
        assert!(RateTemplate::parse("{up}").is_err());
        assert!(RateTemplate::parse("{upload_kbps").is_err());
        assert!(RateTemplate::parse("").is_err());
    }

    #[test]
    fn default_template_is_mikrotik_up_slash_down() {
        assert_eq!(
            AaaSettings::default().rate_template.render(10_000, 50_000),
            "10000k/50000k"
        );
    }

    fn load(toml_text: &str, env: &[(&str, &str)]) -> Result<AaaSettings, Vec<String>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, toml_text).unwrap();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        crate::config::Config::load_from(Some(&path), &env, &Default::default())
            .map(|config| config.aaa)
            .map_err(|err| err.problems)
    }

    #[test]
    fn file_and_environment() {
        let settings = load(
            "[aaa]\napi_key = \"0123456789abcdef0123456789abcdef\"\nutc_offset = \"+06:00\"\n\
             expired = \"walled-garden\"\nrate_attribute = \"Filter-Id\"\n\
             rate_template = \"rate-{download_kbps}\"\n",
            &[
                ("NETOPS_AAA_SUSPENDED", "walled-garden"),
                ("NETOPS_AAA_INTERIM_INTERVAL_SECS", "60"),
            ],
        )
        .unwrap();
        assert!(settings.api_key.is_some());
        assert_eq!(settings.utc_offset.whole_hours(), 6);
        assert_eq!(settings.expired, LapsedAction::WalledGarden);
        assert_eq!(settings.suspended, LapsedAction::WalledGarden);
        assert_eq!(settings.interim_interval_secs, 60);
        assert_eq!(settings.stale_after_secs(), 180);
        assert_eq!(settings.rate_template.render(1, 2), "rate-2");
        assert_eq!(settings.rate_attribute, "Filter-Id");
    }

    #[test]
    fn every_aaa_problem_is_reported() {
        let problems = load(
            "[aaa]\napi_key = \"short\"\npassword_key = \"xyz\"\nutc_offset = \"6\"\n\
             expired = \"allow\"\nrate_attribute = \"Rate Limit\"\nrate_template = \"{up}\"\n",
            &[("NETOPS_AAA_NOPE", "1")],
        )
        .unwrap_err();
        assert_eq!(problems.len(), 7, "{problems:#?}");
        assert!(load("[aaa]\napi_keyy = \"x\"\n", &[]).is_err());
    }

    #[test]
    fn offsets() {
        let check = |text: &str, expected: Option<(i8, i8)>| {
            let got = parse_utc_offset(text).map(|o| (o.whole_hours(), o.minutes_past_hour()));
            assert_eq!(got, expected, "{text}");
        };
        check("+06:00", Some((6, 0)));
        check("-03:30", Some((-3, -30)));
        check("Z", Some((0, 0)));
        check("06:00", None);
        check("+6", None);
        check("+24:00", None);
    }
}
