//! The configuration files the Debian packages install under /etc/netops are valid, keep their
//! state under /var/lib/netops, read vendor profiles from /usr/share/netops/profiles, and differ
//! from the documented examples in config/ only where the packages need it.

use std::path::{Path, PathBuf};

use control_plane::config::{Config, Overrides};

fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn load(path: &str) -> Config {
    Config::load_from(Some(&repo_file(path)), &[], &Overrides::default())
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn packaged_control_plane_config_differs_from_the_example_only_in_its_data_dir() {
    let packaged = load("packaging/debian/control-plane.toml");
    assert_eq!(
        packaged.data_dir,
        Path::new("/var/lib/netops/control-plane")
    );
    let mut example = load("config/control-plane.toml");
    example.data_dir = packaged.data_dir.clone();
    assert_eq!(format!("{packaged:?}"), format!("{example:?}"));
}

#[test]
fn packaged_edge_agent_config_is_valid_and_uses_the_installed_paths() {
    let text = std::fs::read_to_string(repo_file("packaging/debian/edge-agent.toml")).unwrap();
    assert!(text.contains("token_file = \"/etc/netops/agent.token\""));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo_file("packaging/debian/agent.token"),
        dir.path().join("agent.token"),
    )
    .unwrap();
    let text = text.replace("/etc/netops/agent.token", "agent.token");
    let agent = edge_agent::config::parse_config(&text, dir.path())
        .unwrap_or_else(|problems| panic!("{problems:?}"));
    assert_eq!(agent.profiles_dir, Path::new("/usr/share/netops/profiles"));
    assert_eq!(
        agent.spool_dir,
        Path::new("/var/lib/netops/edge-agent/spool")
    );
    assert_eq!(agent.metrics_listen.to_string(), "127.0.0.1:9464");
}
