//! The AAA settings as the running server holds them: the FreeRADIUS credential as a digest
//! compared in constant time, and the password sealer with its key loaded or created.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::password_seal::PasswordSealer;
use super::settings::AaaSettings;

/// Why AAA could not start.
#[derive(Debug, thiserror::Error)]
pub enum AaaStartError {
    #[error("unable to read or create the PPPoE password key at {path}: {source}")]
    KeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the PPPoE password key at {path} is not 64 hex characters; restore it from backup")]
    BadKeyFile { path: PathBuf },
}

pub struct AaaRuntime {
    pub settings: AaaSettings,
    api_key_sha256: Option<[u8; 32]>,
    sealer: Option<PasswordSealer>,
}

impl std::fmt::Debug for AaaRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AaaRuntime")
            .field("enabled", &self.enabled())
            .finish_non_exhaustive()
    }
}

impl AaaRuntime {
    /// No FreeRADIUS credential and no password key: the RADIUS endpoints answer 404 and
    /// passwords cannot be set.
    pub fn disabled() -> Self {
        Self {
            settings: AaaSettings::default(),
            api_key_sha256: None,
            sealer: None,
        }
    }

    pub fn new(settings: AaaSettings, sealer: PasswordSealer) -> Self {
        let api_key_sha256 = settings
            .api_key
            .as_ref()
            .map(|key| Sha256::digest(key.expose().as_bytes()).into());
        Self {
            settings,
            api_key_sha256,
            sealer: Some(sealer),
        }
    }

    /// Builds the runtime with the configured password key, or the one kept in
    /// `data_dir/aaa-password-key` (created, mode 0600, on first start).
    pub fn load(settings: &AaaSettings, data_dir: &Path) -> Result<Self, AaaStartError> {
        let key_hex = match &settings.password_key {
            Some(key) => key.expose().to_owned(),
            None => key_file(&data_dir.join("aaa-password-key"))?,
        };
        let sealer = PasswordSealer::from_hex(&key_hex).map_err(|_| AaaStartError::BadKeyFile {
            path: data_dir.join("aaa-password-key"),
        })?;
        Ok(Self::new(settings.clone(), sealer))
    }

    /// Whether FreeRADIUS may call in (an API key is configured).
    pub fn enabled(&self) -> bool {
        self.api_key_sha256.is_some()
    }

    /// Compares the presented key with the configured one in constant time (both hashed
    /// first, so neither length nor content leaks through timing).
    pub fn accepts_api_key(&self, presented: &str) -> bool {
        let Some(expected) = &self.api_key_sha256 else {
            return false;
        };
        let presented: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        expected
            .iter()
            .zip(presented.iter())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
    }

    pub fn sealer(&self) -> Option<&PasswordSealer> {
        self.sealer.as_ref()
    }
}

fn key_file(path: &Path) -> Result<String, AaaStartError> {
    let io_err = |source| AaaStartError::KeyFile {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => return Ok(text.trim().to_owned()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(io_err(err)),
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io_err)?;
    }
    let key = hex::encode(rand::random::<[u8; 32]>());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io_err)?;
    file.write_all(key.as_bytes()).map_err(io_err)?;
    tracing::info!(path = %path.display(), "generated a new PPPoE password key; back it up with the database");
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    #[test]
    fn api_key_check() {
        let settings = AaaSettings {
            api_key: Some(Secret::new("k".repeat(40))),
            ..AaaSettings::default()
        };
        let runtime = AaaRuntime::new(settings, PasswordSealer::from_bytes(&[1; 32]).unwrap());
        assert!(runtime.enabled());
        assert!(runtime.accepts_api_key(&"k".repeat(40)));
        assert!(!runtime.accepts_api_key(&"k".repeat(39)));
        assert!(!runtime.accepts_api_key(""));
        assert!(!AaaRuntime::disabled().accepts_api_key(""));
    }

    #[test]
    fn key_file_is_created_once() {
        let dir = tempfile::tempdir().unwrap();
        let first = AaaRuntime::load(&AaaSettings::default(), dir.path()).unwrap();
        let sealed = first.sealer().unwrap().seal("c", "pw").unwrap();
        let second = AaaRuntime::load(&AaaSettings::default(), dir.path()).unwrap();
        assert_eq!(second.sealer().unwrap().open("c", &sealed).unwrap(), "pw");
        assert!(!first.enabled());
    }
}
