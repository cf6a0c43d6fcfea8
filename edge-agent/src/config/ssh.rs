//! `[devices.ssh]`: how the agent logs in to a router or CPE (address, user, key or password,
//! the pinned host key) and how the device is told to reboot. Secrets are read here and
//! wrapped so they never print.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use netops_ssh::{
    HostKeyFingerprint, HostKeyPolicy, RebootProfile, Secret, SshCredential, SshTarget,
};

use super::file::SshSection;
use super::validate::{resolve, Problems};

/// The SSH port when the address names none.
pub const SSH_PORT: u16 = 22;

/// How the agent reaches a device over SSH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshAccess {
    /// Address, user, credential (never printed) and the host-key check.
    pub target: SshTarget,
    /// How the device reboots; `None` when it is only used as a BGP router's shell.
    pub reboot_profile: Option<RebootProfile>,
    /// Bounds each command run over the session.
    pub command_timeout: Duration,
}

/// Splits `host`, `host:port`, `[v6]:port` or a bare IPv6 literal; `None` when malformed.
pub(super) fn split_host_port(text: &str) -> Option<(String, Option<u16>)> {
    let text = text.trim();
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            after => Some(after.strip_prefix(':')?.parse().ok()?),
        };
        (host.to_owned(), port)
    } else if text.parse::<IpAddr>().is_ok() {
        (text.to_owned(), None)
    } else if let Some((host, port)) = text.rsplit_once(':') {
        (host.to_owned(), Some(port.parse().ok()?))
    } else {
        (text.to_owned(), None)
    };
    let plain = !host.is_empty() && !host.contains(|c: char| c.is_whitespace() || c == '/');
    (plain && port != Some(0)).then_some((host, port))
}

/// Reads a one-line secret file; a problem at `key` when it is missing or empty.
pub(super) fn read_secret_file(
    problems: &mut Problems,
    key: &str,
    base: &Path,
    file: &str,
) -> Option<Secret> {
    let path = resolve(base, file);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => Some(Secret::new(text.trim())),
        Ok(_) => {
            problems.add(
                key,
                format!("{} is empty", path.display()),
                "write the secret into it",
            );
            None
        }
        Err(error) => {
            problems.add(
                key,
                format!("cannot read {}: {error}", path.display()),
                "check the path and that the agent may read it",
            );
            None
        }
    }
}

fn seconds(
    problems: &mut Problems,
    key: String,
    value: Option<u64>,
    default_s: u64,
    max_s: u64,
) -> Duration {
    match value {
        None => Duration::from_secs(default_s),
        Some(value) if (1..=max_s).contains(&value) => Duration::from_secs(value),
        Some(value) => {
            problems.add(
                key,
                format!("{value} is outside 1..={max_s}"),
                format!("use e.g. {default_s}"),
            );
            Duration::from_secs(default_s)
        }
    }
}

fn credential(
    problems: &mut Problems,
    key: &str,
    section: &SshSection,
    base: &Path,
) -> Option<SshCredential> {
    let given = [
        section.key_file.is_some(),
        section.password.is_some(),
        section.password_file.is_some(),
    ];
    if given.iter().filter(|given| **given).count() > 1 {
        problems.add(
            format!("{key}.key_file"),
            "more than one of key_file, password and password_file is set",
            "keep one; a key_file is the usual choice",
        );
        return None;
    }
    if section.key_passphrase_file.is_some() && section.key_file.is_none() {
        problems.add(
            format!("{key}.key_passphrase_file"),
            "is only used with key_file",
            "remove it, or set key_file",
        );
    }
    if let Some(file) = &section.key_file {
        let path = resolve(base, file);
        if !path.is_file() {
            problems.add(
                format!("{key}.key_file"),
                format!("{} is not a readable file", path.display()),
                "point it at the agent's OpenSSH private key (ed25519 or RSA)",
            );
            return None;
        }
        let passphrase = match &section.key_passphrase_file {
            Some(file) => Some(read_secret_file(
                problems,
                &format!("{key}.key_passphrase_file"),
                base,
                file,
            )?),
            None => None,
        };
        return Some(SshCredential::PrivateKeyFile { path, passphrase });
    }
    if let Some(password) = &section.password {
        if password.is_empty() {
            problems.add(
                format!("{key}.password"),
                "is empty",
                "set the password, or use key_file",
            );
            return None;
        }
        return Some(SshCredential::Password(Secret::new(password.clone())));
    }
    if let Some(file) = &section.password_file {
        let secret = read_secret_file(problems, &format!("{key}.password_file"), base, file)?;
        return Some(SshCredential::Password(secret));
    }
    problems.add(
        format!("{key}.key_file"),
        "no credential",
        "set key_file = \"/etc/netops/keys/agent_ed25519\" (or password_file = \"...\")",
    );
    None
}

fn host_key(
    problems: &mut Problems,
    key: &str,
    section: &SshSection,
    base: &Path,
) -> Option<HostKeyPolicy> {
    match (&section.host_key, &section.known_hosts_file) {
        (Some(_), Some(_)) => {
            problems.add(
                format!("{key}.host_key"),
                "both host_key and known_hosts_file are set",
                "keep host_key (the pinned fingerprint); known_hosts_file trusts the first key seen",
            );
            None
        }
        (Some(text), None) => match HostKeyFingerprint::parse(text) {
            Ok(fingerprint) => Some(HostKeyPolicy::Pinned(fingerprint)),
            Err(error) => {
                problems.add(
                    format!("{key}.host_key"),
                    format!("{text:?}: {error}"),
                    "copy the fingerprint `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` prints on the device",
                );
                None
            }
        },
        (None, Some(file)) => Some(HostKeyPolicy::TrustOnFirstUseRecordedIn(resolve(
            base, file,
        ))),
        (None, None) => {
            problems.add(
                format!("{key}.host_key"),
                "no host key check",
                "pin the device's key: host_key = \"SHA256:...\" (ssh-keygen -lf on its public host key)",
            );
            None
        }
    }
}

/// The device's SSH access; `device_address` is its management address, whose host is the
/// default SSH host.
pub(super) fn ssh_access(
    problems: &mut Problems,
    key: &str,
    section: SshSection,
    device_address: &str,
    base: &Path,
) -> Option<SshAccess> {
    let before = problems.len();
    let address = section.address.as_deref().unwrap_or(device_address);
    let host_port = match split_host_port(address) {
        Some((host, port)) => {
            // The device address's port is its SNMP port, not SSH's.
            let port = if section.address.is_some() {
                port
            } else {
                None
            };
            Some((host, port.unwrap_or(SSH_PORT)))
        }
        None => {
            problems.add(
                format!("{key}.address"),
                format!("{address:?} is not a host, host:port or [IPv6]:port"),
                "write e.g. address = \"10.20.0.15\" or \"10.20.0.15:2222\" (port 22 when omitted)",
            );
            None
        }
    };
    let user = match section.user.as_deref().map(str::trim) {
        Some(user) if !user.is_empty() => Some(user.to_owned()),
        _ => {
            problems.add(
                format!("{key}.user"),
                "is missing",
                "set the login user, e.g. user = \"netops\"",
            );
            None
        }
    };
    let credential = credential(problems, key, &section, base);
    let host_key = host_key(problems, key, &section, base);
    let reboot_profile = match section.reboot_profile.as_deref() {
        None => None,
        Some(name) => RebootProfile::builtin(name).or_else(|| {
            problems.add(
                format!("{key}.reboot_profile"),
                format!("unknown reboot profile {name:?}"),
                "use \"mikrotik-cpe\" (/system reboot) or \"generic-linux\" (reboot)",
            );
            None
        }),
    };
    let login_timeout = seconds(
        problems,
        format!("{key}.login_timeout_s"),
        section.login_timeout_s,
        10,
        120,
    );
    let command_timeout = seconds(
        problems,
        format!("{key}.command_timeout_s"),
        section.command_timeout_s,
        30,
        600,
    );
    if problems.len() != before {
        return None;
    }
    let (host, port) = host_port?;
    Some(SshAccess {
        target: SshTarget {
            port,
            login_timeout,
            ..SshTarget::new(host, user?, credential?, host_key?)
        },
        reboot_profile,
        command_timeout,
    })
}

#[cfg(test)]
mod tests {
    use super::split_host_port;

    fn check(text: &str, expected: Option<(&str, Option<u16>)>) {
        assert_eq!(
            split_host_port(text),
            expected.map(|(host, port)| (host.to_owned(), port)),
            "{text}"
        );
    }

    #[test]
    fn addresses() {
        check("10.0.0.1", Some(("10.0.0.1", None)));
        check("10.0.0.1:2222", Some(("10.0.0.1", Some(2222))));
        check("cpe-17.example.net", Some(("cpe-17.example.net", None)));
        check("[2001:db8::1]:22", Some(("2001:db8::1", Some(22))));
        check("[2001:db8::1]", Some(("2001:db8::1", None)));
        check("2001:db8::1", Some(("2001:db8::1", None)));
        check("10.0.0.1:ssh", None);
        check("10.0.0.1:0", None);
        check("", None);
        check("a b", None);
        check("[2001:db8::1]22", None);
    }
}
