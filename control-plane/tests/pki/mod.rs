//! A throwaway CA and a server certificate for 127.0.0.1, made with the `openssl` CLI, for
//! tests of TLS clients (the agent's `wss://` uplink, webhooks to `https://` receivers, SMTP
//! STARTTLS).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files of one throwaway PKI.
pub struct Pki {
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

impl Pki {
    /// Makes a CA and a server certificate for `IP:127.0.0.1` signed by it, in `dir`.
    pub fn make(dir: &Path) -> Self {
        let path = |name: &str| dir.join(name);
        let ext = path("server.ext");
        std::fs::write(
            &ext,
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n\
             extendedKeyUsage=serverAuth\n",
        )
        .expect("extensions file");
        let p = |path: &PathBuf| path.to_str().expect("utf-8 path").to_owned();
        let pki = Self {
            ca: path("ca.pem"),
            server_cert: path("server.pem"),
            server_key: path("server.key"),
        };
        let (ca_key, csr) = (path("ca.key"), path("server.csr"));
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        openssl(
            &[&["req", "-x509"][..], &ec[..]].concat(),
            &[
                "-keyout",
                &p(&ca_key),
                "-out",
                &p(&pki.ca),
                "-days",
                "2",
                "-subj",
                "/CN=netops test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign",
            ],
        );
        openssl(
            &[&["req"][..], &ec[..]].concat(),
            &[
                "-keyout",
                &p(&pki.server_key),
                "-out",
                &p(&csr),
                "-subj",
                "/CN=127.0.0.1",
            ],
        );
        openssl(
            &["x509", "-req"],
            &[
                "-in",
                &p(&csr),
                "-CA",
                &p(&pki.ca),
                "-CAkey",
                &p(&ca_key),
                "-set_serial",
                "2",
                "-days",
                "2",
                "-extfile",
                &p(&ext),
                "-out",
                &p(&pki.server_cert),
            ],
        );
        pki
    }
}

fn openssl(command: &[&str], args: &[&str]) {
    let output = Command::new("openssl")
        .args(command)
        .args(args)
        .output()
        .expect("run openssl");
    assert!(
        output.status.success(),
        "openssl {command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
