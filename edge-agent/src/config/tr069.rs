//! `[devices.tr069]`: how the agent reaches a CPE through the GenieACS NBI (URL, the CPE's
//! GenieACS device id, optional credentials read from files) and the bounds of a reboot; and
//! `reboot_via`, which of TR-069 and SSH reboots a device that has both.

use std::path::Path;
use std::time::Duration;

use netops_tr069::{CpeId, NbiAuth, NbiEndpoint};

use super::file::Tr069Section;
use super::ssh::read_secret_file;
use super::validate::{resolve, Problems};

/// The longest connection request wait netops asks GenieACS for.
pub const MAX_CONNECTION_REQUEST_TIMEOUT_MS: u64 = 60_000;
/// The longest a reboot may take to show as a new boot.
pub const MAX_CONFIRM_WITHIN_S: u64 = 180;
/// Beyond the connection request wait and the confirmation, for the NBI requests around them.
pub const NBI_REQUESTS_ALLOWANCE: Duration = Duration::from_secs(60);

/// How the agent reaches a CPE through GenieACS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tr069Access {
    /// NBI URL and credentials (which never print).
    pub endpoint: NbiEndpoint,
    /// The CPE's id in GenieACS.
    pub cpe: CpeId,
    pub connection_request_timeout: Duration,
    pub confirm_within: Duration,
}

impl Tr069Access {
    /// The longest a reboot through the NBI can take before it reports its own verdict.
    pub fn reboot_takes_at_most(&self) -> Duration {
        self.connection_request_timeout + self.confirm_within + NBI_REQUESTS_ALLOWANCE
    }
}

/// Which way a router or CPE is rebooted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RebootVia {
    Ssh,
    Tr069,
}

pub(super) fn tr069_access(
    problems: &mut Problems,
    key: &str,
    section: Tr069Section,
    base: &Path,
) -> Option<Tr069Access> {
    let before = problems.len();
    let auth = match (section.username, section.password_file, section.token_file) {
        (None, None, None) => Some(NbiAuth::None),
        (Some(user), Some(file), None) if !user.trim().is_empty() => {
            read_secret_file(problems, &format!("{key}.password_file"), base, &file).map(
                |password| NbiAuth::Basic {
                    user: user.trim().to_owned(),
                    password: password.expose().to_owned(),
                },
            )
        }
        (None, None, Some(file)) => {
            read_secret_file(problems, &format!("{key}.token_file"), base, &file)
                .map(|token| NbiAuth::Bearer(token.expose().to_owned()))
        }
        (_, _, Some(_)) => {
            problems.add(
                format!("{key}.token_file"),
                "is set together with username or password_file",
                "use either a bearer token (token_file) or basic authentication (username and password_file)",
            );
            None
        }
        (Some(_), None, None) | (None, Some(_), None) | (Some(_), Some(_), None) => {
            problems.add(
                format!("{key}.username"),
                "basic authentication needs both username and password_file",
                "set both, or neither when the NBI needs no login",
            );
            None
        }
    };
    let endpoint = match section.nbi_url.as_deref() {
        None => {
            problems.add(
                format!("{key}.nbi_url"),
                "is missing",
                "set the GenieACS NBI URL, e.g. nbi_url = \"http://acs.example.net:7557\"",
            );
            None
        }
        // Checked even when the credentials are wrong, so every problem shows at once.
        Some(url) => NbiEndpoint::parse(url, auth.clone().unwrap_or_default())
            .map_err(|error| {
                problems.add(
                    format!("{key}.nbi_url"),
                    error.to_string(),
                    "write e.g. nbi_url = \"http://acs.example.net:7557\" (https works too)",
                )
            })
            .ok(),
    };
    let ca_file = section.ca_file.map(|file| {
        let path = resolve(base, &file);
        if let Err(error) = crate::uplink::tls::read_ca_file(&path) {
            problems.add(
                format!("{key}.ca_file"),
                error.to_string(),
                "put the PEM certificate of the CA that signed the NBI's certificate in it",
            );
        }
        path
    });
    let cpe = match CpeId::parse(section.device_id.as_deref().unwrap_or_default()) {
        Ok(cpe) => Some(cpe),
        Err(_) => {
            problems.add(
                format!("{key}.device_id"),
                "is missing or empty",
                "copy the device's id from GenieACS (OUI-ProductClass-SerialNumber, as in its device list)",
            );
            None
        }
    };
    let cr_ms = section.connection_request_timeout_ms.unwrap_or(10_000);
    if !(1_000..=MAX_CONNECTION_REQUEST_TIMEOUT_MS).contains(&cr_ms) {
        problems.add(
            format!("{key}.connection_request_timeout_ms"),
            format!("{cr_ms} is outside 1000..={MAX_CONNECTION_REQUEST_TIMEOUT_MS}"),
            "use e.g. connection_request_timeout_ms = 10000",
        );
    }
    let confirm_s = section.confirm_within_s.unwrap_or(120);
    if !(5..=MAX_CONFIRM_WITHIN_S).contains(&confirm_s) {
        problems.add(
            format!("{key}.confirm_within_s"),
            format!("{confirm_s} is outside 5..={MAX_CONFIRM_WITHIN_S}"),
            "use e.g. confirm_within_s = 120, long enough for the CPE to boot and inform",
        );
    }
    if problems.len() != before {
        return None;
    }
    let endpoint = endpoint?;
    Some(Tr069Access {
        endpoint: match ca_file {
            Some(path) => endpoint.with_ca_file(&path),
            None => endpoint,
        },
        cpe: cpe?,
        connection_request_timeout: Duration::from_millis(cr_ms),
        confirm_within: Duration::from_secs(confirm_s),
    })
}

/// The reboot route: `reboot_via` when given, else the one way the device has.
pub(super) fn reboot_via(
    problems: &mut Problems,
    key: &str,
    given: Option<&str>,
    has_tr069: bool,
    ssh_reboots: bool,
) -> Option<RebootVia> {
    match (given, has_tr069, ssh_reboots) {
        (Some("tr069"), true, _) => Some(RebootVia::Tr069),
        (Some("ssh"), _, true) => Some(RebootVia::Ssh),
        (Some("tr069"), false, _) => {
            problems.add(
                format!("{key}.reboot_via"),
                "is \"tr069\" but the device has no [devices.tr069]",
                "add [devices.tr069] with nbi_url and device_id, or set reboot_via = \"ssh\"",
            );
            None
        }
        (Some("ssh"), _, false) => {
            problems.add(
                format!("{key}.reboot_via"),
                "is \"ssh\" but the device has no [devices.ssh] with a reboot_profile",
                "add [devices.ssh] with reboot_profile, or set reboot_via = \"tr069\"",
            );
            None
        }
        (Some(other), _, _) => {
            problems.add(
                format!("{key}.reboot_via"),
                format!("unknown reboot route {other:?}"),
                "use reboot_via = \"tr069\" (GenieACS) or \"ssh\"",
            );
            None
        }
        (None, true, true) => {
            problems.add(
                format!("{key}.reboot_via"),
                "is missing: the device can be rebooted both over TR-069 and over SSH",
                "set reboot_via = \"tr069\" or reboot_via = \"ssh\"",
            );
            None
        }
        (None, true, false) => Some(RebootVia::Tr069),
        (None, false, true) => Some(RebootVia::Ssh),
        (None, false, false) => None,
    }
}
