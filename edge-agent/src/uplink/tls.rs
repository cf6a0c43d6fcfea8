//! TLS for `wss://` uplinks: rustls (ring provider) trusting the system's roots plus an optional
//! private CA file (`[control_plane] ca_file`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use thiserror::Error;
use tracing::{info, warn};

/// The CA file cannot be used as a trust anchor.
#[derive(Debug, Error)]
pub enum CaFileError {
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path.display())]
    NoCertificate { path: PathBuf },
    #[error("{} has a malformed PEM certificate: {detail}", path.display())]
    Malformed { path: PathBuf, detail: String },
    #[error("{} holds a certificate rustls cannot use as a trust anchor: {detail}", path.display())]
    Rejected { path: PathBuf, detail: String },
}

/// The certificates in PEM text; other PEM sections (keys, parameters) are skipped.
pub fn parse_ca_pem(path: &Path, pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, CaFileError> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| CaFileError::Malformed {
            path: path.to_owned(),
            detail: error.to_string(),
        })?;
    if certificates.is_empty() {
        return Err(CaFileError::NoCertificate {
            path: path.to_owned(),
        });
    }
    Ok(certificates)
}

/// Reads a CA file and checks that each certificate can be a trust anchor.
pub fn read_ca_file(path: &Path) -> Result<RootCertStore, CaFileError> {
    let pem = std::fs::read(path).map_err(|source| CaFileError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    let mut roots = RootCertStore::empty();
    for certificate in parse_ca_pem(path, &pem)? {
        roots
            .add(certificate)
            .map_err(|error| CaFileError::Rejected {
                path: path.to_owned(),
                detail: error.to_string(),
            })?;
    }
    Ok(roots)
}

/// TLS cannot be set up for the uplink.
#[derive(Debug, Error)]
pub enum TlsSetupError {
    #[error("control_plane.ca_file is unusable")]
    CaFile(#[from] CaFileError),
    #[error("the TLS library refused its configuration")]
    Rustls(#[from] rustls::Error),
}

/// The client configuration for `wss://`: the system's roots (those it cannot load are logged)
/// and every certificate of `ca_file`.
pub(crate) fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for error in &native.errors {
        warn!(%error, "cannot load some of the system's trusted certificates");
    }
    let (system_added, system_ignored) = roots.add_parsable_certificates(native.certs);
    if let Some(path) = ca_file {
        roots.roots.extend(read_ca_file(path)?.roots);
    }
    info!(
        system_roots = system_added,
        system_roots_ignored = system_ignored,
        ca_file = ca_file.map(|path| path.display().to_string()),
        "TLS trust anchors loaded for the control plane"
    );
    if roots.is_empty() {
        warn!("no trusted certificates: wss:// connections will fail; install ca-certificates or set control_plane.ca_file");
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
    fn pem_without_certificates_is_refused() {
        let path = Path::new("/etc/netops/ca.pem");
        assert!(matches!(
            parse_ca_pem(path, b"not a certificate\n"),
            Err(CaFileError::NoCertificate { .. })
        ));
        assert!(matches!(
            parse_ca_pem(path, b""),
            Err(CaFileError::NoCertificate { .. })
        ));
        let broken = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert!(parse_ca_pem(path, broken).is_err());
    }
}
