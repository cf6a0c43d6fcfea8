//! The simulated BRAS's RFC 5176 answers checked with FreeRADIUS's `radclient`, so they are
//! known-good: Disconnect-ACK removes the session, NAK 503 for an unknown one, CoA-ACK records
//! the rate, CoA-NAK 405 when CoA is off, and a wrong secret gets no answer at all.

mod lab;

use std::process::Command;

use netops_snmp::simulator::{SimulatedBras, SimulatedSession};

const SECRET: &str = "bras-dac-secret";

fn session(username: &str) -> SimulatedSession {
    SimulatedSession {
        username: username.into(),
        download_bps: 10e6,
        upload_bps: 2e6,
        swing: 0.5,
    }
}

/// Runs `radclient` with `attributes` on stdin; returns its combined output.
async fn radclient(
    nas: std::net::SocketAddr,
    kind: &str,
    secret: &str,
    attributes: &str,
) -> String {
    let nas = nas.to_string();
    let (kind, secret, attributes) = (kind.to_owned(), secret.to_owned(), attributes.to_owned());
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let mut child = Command::new("radclient")
            .args(["-x", "-r", "1", "-t", "1", &nas, &kind, &secret])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("radclient starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(attributes.as_bytes())
            .expect("write attributes");
        let output = child.wait_with_output().expect("radclient ends");
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
    .await
    .expect("radclient task")
}

#[tokio::test]
async fn radclient_gets_the_answers_a_mikrotik_gives() {
    let test = "radclient_gets_the_answers_a_mikrotik_gives";
    if !std::path::Path::new("/usr/bin/radclient").exists() {
        lab::skip_or_fail(
            test,
            "radclient is not installed (apt-get install freeradius-utils)",
        );
        return;
    }
    let mut bras = SimulatedBras::start(
        "127.0.0.1:0",
        "demo",
        vec![session("alice"), session("bob")],
    )
    .await
    .expect("BRAS starts");
    let nas = bras
        .listen_dynamic_authorization("127.0.0.1:0", SECRET)
        .await
        .expect("listener binds");

    let out = radclient(
        nas,
        "coa",
        SECRET,
        "User-Name = alice\nMikrotik-Rate-Limit = \"5M/20M\"\nMessage-Authenticator = 0x00\n",
    )
    .await;
    assert!(out.contains("CoA-ACK"), "{out}");
    assert_eq!(bras.rate_limit("alice").as_deref(), Some("5M/20M"));

    bras.set_coa_supported(false);
    let out = radclient(
        nas,
        "coa",
        SECRET,
        "User-Name = alice\nMikrotik-Rate-Limit = \"1M/2M\"\n",
    )
    .await;
    assert!(out.contains("CoA-NAK"), "{out}");
    assert!(out.contains("Unsupported-Service"), "{out}");

    let out = radclient(
        nas,
        "disconnect",
        SECRET,
        "User-Name = bob\nMessage-Authenticator = 0x00\n",
    )
    .await;
    assert!(out.contains("Disconnect-ACK"), "{out}");
    assert!(!bras.has_session("bob"));
    assert!(bras.has_session("alice"));

    let out = radclient(nas, "disconnect", SECRET, "User-Name = bob\n").await;
    assert!(out.contains("Disconnect-NAK"), "{out}");
    assert!(out.contains("Session-Context-Not-Found"), "{out}");

    let dropped_before = bras.dropped_dac_requests();
    let out = radclient(nas, "disconnect", "not-the-secret", "User-Name = alice\n").await;
    assert!(
        !out.contains("Disconnect-ACK") && !out.contains("Disconnect-NAK"),
        "{out}"
    );
    assert!(bras.dropped_dac_requests() > dropped_before);
    assert!(bras.has_session("alice"));
    assert_eq!(bras.dac_requests().len(), 4);
}
