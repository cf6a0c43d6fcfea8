//! rustls client configuration for what the control plane sends over TLS itself (webhooks to
//! `https://` receivers, SMTP STARTTLS): the system's roots plus an optional private CA file,
//! with the `ring` provider the rest of the tree uses.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use thiserror::Error;

/// TLS cannot be set up with the configured CA file.
#[derive(Debug, Error)]
pub enum TlsClientError {
    #[error("{key}: cannot read {}: {source}", path.display())]
    Unreadable {
        key: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{key}: {} holds no usable PEM certificate (-----BEGIN CERTIFICATE-----){detail}", path.display())]
    NoCertificate {
        key: &'static str,
        path: PathBuf,
        detail: String,
    },
    #[error("the TLS library refused its configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// A client configuration trusting the system's roots and every certificate in `ca_file`
/// (`key` names the setting in errors, e.g. `webhooks.ca_file`).
pub fn client_config(
    key: &'static str,
    ca_file: Option<&Path>,
) -> Result<Arc<ClientConfig>, TlsClientError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for error in &native.errors {
        tracing::warn!(%error, "cannot load some of the system's trusted certificates");
    }
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|source| TlsClientError::Unreadable {
            key,
            path: path.to_owned(),
            source,
        })?;
        let no_certificate = |detail: String| TlsClientError::NoCertificate {
            key,
            path: path.to_owned(),
            detail,
        };
        let certificates = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| no_certificate(format!(": {e}")))?;
        if certificates.is_empty() {
            return Err(no_certificate(String::new()));
        }
        for certificate in certificates {
            roots
                .add(certificate)
                .map_err(|e| no_certificate(format!(": {e}")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_certificates_is_refused() {
        let dir = std::env::temp_dir().join(format!("netops-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ca.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let err = client_config("webhooks.ca_file", Some(&path)).unwrap_err();
        assert!(err.to_string().starts_with("webhooks.ca_file: "), "{err}");
        let missing = client_config("email.ca_file", Some(&dir.join("missing.pem"))).unwrap_err();
        assert!(matches!(missing, TlsClientError::Unreadable { .. }));
        assert!(client_config("webhooks.ca_file", None).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
