//! The `[portal]` configuration (whether session cookies carry `Secure`) and the portal's
//! runtime keys.

use ring::hmac;
use serde::Deserialize;

/// When the portals' session cookies are marked `Secure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecureCookies {
    /// When the request reached the reverse proxy over TLS (`X-Forwarded-Proto: https`).
    #[default]
    Auto,
    Always,
    Never,
}

impl SecureCookies {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "auto" => Some(Self::Auto),
            "always" => Some(Self::Always),
            "never" => Some(Self::Never),
            _ => None,
        }
    }
}

/// `[portal]` as configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortalConfig {
    pub secure_cookies: SecureCookies,
}

/// The `[portal]` table of the file. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilePortal {
    secure_cookies: Option<String>,
}

const SECURE_COOKIES_HELP: &str = "use auto, always or never";

/// Applies the file's `[portal]` values; `at` names a key for error messages.
pub fn apply_file(
    config: &mut PortalConfig,
    file: FilePortal,
    at: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) {
    if let Some(text) = file.secure_cookies {
        set_secure_cookies(config, &text, &at("portal.secure_cookies"), problems);
    }
}

/// `NETOPS_PORTAL_SECURE_COOKIES`.
pub fn set_secure_cookies(
    config: &mut PortalConfig,
    text: &str,
    at: &str,
    problems: &mut Vec<String>,
) {
    match SecureCookies::parse(text) {
        Some(value) => config.secure_cookies = value,
        None => problems.push(format!(
            "{at}: '{text}' is not a cookie policy; {SECURE_COOKIES_HELP}"
        )),
    }
}

/// What the portal handlers need at run time.
pub struct PortalRuntime {
    pub secure_cookies: SecureCookies,
    /// Signs CSRF tokens; derived from the JWT secret, so forms survive a restart.
    pub csrf_key: hmac::Key,
}

impl PortalRuntime {
    pub fn new(config: &PortalConfig, jwt_secret: &[u8]) -> Self {
        let derive = hmac::Key::new(hmac::HMAC_SHA256, jwt_secret);
        let tag = hmac::sign(&derive, b"netops portal csrf key v1");
        Self {
            secure_cookies: config.secure_cookies,
            csrf_key: hmac::Key::new(hmac::HMAC_SHA256, tag.as_ref()),
        }
    }

    /// A runtime with a random key, for states built without a configuration.
    pub fn ephemeral() -> Self {
        Self::new(&PortalConfig::default(), &rand::random::<[u8; 32]>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_policies() {
        let mut config = PortalConfig::default();
        let mut problems = Vec::new();
        set_secure_cookies(&mut config, "always", "k", &mut problems);
        assert_eq!(config.secure_cookies, SecureCookies::Always);
        set_secure_cookies(&mut config, "yes", "k", &mut problems);
        assert_eq!(config.secure_cookies, SecureCookies::Always);
        assert_eq!(
            problems,
            ["k: 'yes' is not a cookie policy; use auto, always or never"]
        );
    }
}
