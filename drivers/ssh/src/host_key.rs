//! Which server host keys netops trusts: a pinned SHA256 fingerprint, or, when chosen
//! explicitly, trust on first use with the key recorded in a known-hosts file.

use std::fmt;
use std::path::PathBuf;

use russh::keys::known_hosts::{known_host_keys_path, learn_known_hosts_path};
use russh::keys::{HashAlg, PublicKey};

/// A host key's SHA256 fingerprint as OpenSSH prints it (`ssh-keygen -lf`):
/// `SHA256:` followed by 43 characters of unpadded base64.
#[derive(Clone, PartialEq, Eq)]
pub struct HostKeyFingerprint(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FingerprintParseError {
    #[error("a host key fingerprint starts with `SHA256:` (as `ssh-keygen -lf KEY` prints it)")]
    NotSha256,
    #[error("a SHA256 fingerprint has 43 base64 characters after `SHA256:`, found {found}")]
    WrongLength { found: usize },
    #[error("`{character}` is not a base64 character")]
    NotBase64 { character: char },
}

impl HostKeyFingerprint {
    pub fn parse(text: &str) -> Result<Self, FingerprintParseError> {
        let body = text
            .trim()
            .strip_prefix("SHA256:")
            .ok_or(FingerprintParseError::NotSha256)?;
        let body = body.trim_end_matches('=');
        if let Some(character) = body
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '+' || *c == '/'))
        {
            return Err(FingerprintParseError::NotBase64 { character });
        }
        if body.len() != 43 {
            return Err(FingerprintParseError::WrongLength { found: body.len() });
        }
        Ok(Self(format!("SHA256:{body}")))
    }

    /// The fingerprint of a key the server presented.
    pub fn of(key: &PublicKey) -> Self {
        Self(key.fingerprint(HashAlg::Sha256).to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HostKeyFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for HostKeyFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HostKeyFingerprint({})", self.0)
    }
}

/// How the server's host key is checked, before any credential is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKeyPolicy {
    /// Only a key with this fingerprint is accepted.
    Pinned(HostKeyFingerprint),
    /// The first key seen for `[host]:port` is recorded in `known_hosts_file` (OpenSSH
    /// format) and accepted; afterwards only that key is. Weaker than pinning: the first
    /// connection is not verified.
    TrustOnFirstUseRecordedIn(PathBuf),
}

/// Why a host key was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostKeyRefusal {
    Mismatch {
        expected: String,
        presented: HostKeyFingerprint,
    },
    KnownHostsFile {
        path: PathBuf,
        reason: String,
    },
}

impl HostKeyPolicy {
    /// Accepts the key or says why not; trust on first use records an unknown host's key.
    pub(crate) fn check(
        &self,
        host: &str,
        port: u16,
        key: &PublicKey,
    ) -> Result<(), HostKeyRefusal> {
        let presented = HostKeyFingerprint::of(key);
        match self {
            Self::Pinned(expected) if *expected == presented => Ok(()),
            Self::Pinned(expected) => Err(HostKeyRefusal::Mismatch {
                expected: expected.to_string(),
                presented,
            }),
            Self::TrustOnFirstUseRecordedIn(path) => {
                let file_error = |error: russh::keys::Error| HostKeyRefusal::KnownHostsFile {
                    path: path.clone(),
                    reason: error.to_string(),
                };
                let recorded = known_host_keys_path(host, port, path).map_err(file_error)?;
                if recorded.is_empty() {
                    tracing::warn!(host, port, fingerprint = %presented, known_hosts = %path.display(),
                        "trusting a host key on first use and recording it");
                    return learn_known_hosts_path(host, port, key, path).map_err(file_error);
                }
                // Any recorded key, of any algorithm, must match: a server that suddenly
                // offers another key type is treated as a changed key.
                if recorded.iter().any(|(_, known)| known == key) {
                    return Ok(());
                }
                let expected = recorded
                    .iter()
                    .map(|(line, known)| format!("{} (line {line})", HostKeyFingerprint::of(known)))
                    .collect::<Vec<_>>()
                    .join(", ");
                Err(HostKeyRefusal::Mismatch {
                    expected,
                    presented,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FingerprintParseError, HostKeyFingerprint};

    const GOOD: &str = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";

    fn check(text: &str, expected: Result<&str, FingerprintParseError>) {
        let parsed = HostKeyFingerprint::parse(text);
        assert_eq!(
            parsed.as_ref().map(HostKeyFingerprint::as_str),
            expected.as_ref().map(|s| *s),
            "{text}"
        );
    }

    #[test]
    fn fingerprints_parse_as_ssh_keygen_prints_them() {
        check(GOOD, Ok(GOOD));
        check(&format!("  {GOOD}=\n"), Ok(GOOD));
        check(
            "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48",
            Err(FingerprintParseError::NotSha256),
        );
        check(
            "SHA256:abc",
            Err(FingerprintParseError::WrongLength { found: 3 }),
        );
        check(
            "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF!",
            Err(FingerprintParseError::NotBase64 { character: '!' }),
        );
    }
}
