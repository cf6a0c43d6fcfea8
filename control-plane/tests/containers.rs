//! The container files in `packaging/container/` stay buildable without a container engine:
//! every path a Containerfile copies and every host path compose.yaml mounts exists, the images
//! run as a non-root user, the control plane's has a health check on /readyz, compose.yaml has
//! its four services, and `promtool` accepts the compose Prometheus configuration.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo_file(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Containerfile instructions as (keyword, arguments), continuation lines joined.
fn instructions(text: &str) -> Vec<(String, String)> {
    let mut joined = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(part) => current.push_str(part),
            None => {
                current.push_str(line);
                joined.push(std::mem::take(&mut current));
            }
        }
    }
    joined
        .into_iter()
        .map(|line| match line.split_once(char::is_whitespace) {
            Some((keyword, rest)) => (keyword.to_uppercase(), rest.trim().to_owned()),
            None => (line.to_uppercase(), String::new()),
        })
        .collect()
}

fn check_containerfile(path: &str) -> Vec<(String, String)> {
    let steps = instructions(&read(path));
    let froms: Vec<&String> = steps
        .iter()
        .filter(|(k, _)| k == "FROM")
        .map(|(_, a)| a)
        .collect();
    assert_eq!(froms.len(), 2, "{path}: a build stage and a runtime stage");
    assert!(
        froms[0].contains("rust:") && froms[0].ends_with("AS build"),
        "{path}: {froms:?}"
    );
    assert!(
        froms[1].contains("debian:bookworm-slim"),
        "{path}: {froms:?}"
    );
    // The build context is the repository root.
    for (_, args) in steps.iter().filter(|(k, _)| k == "COPY") {
        if args.starts_with("--from=") {
            continue;
        }
        let parts: Vec<&str> = args.split_whitespace().collect();
        assert!(parts.len() >= 2, "{path}: COPY {args}");
        for source in &parts[..parts.len() - 1] {
            assert!(
                repo_file(source).exists(),
                "{path}: COPY source {source} does not exist in the repository"
            );
        }
    }
    let runtime = steps
        .iter()
        .rposition(|(k, _)| k == "FROM")
        .expect("a runtime stage");
    let user = steps[runtime..]
        .iter()
        .rfind(|(k, _)| k == "USER")
        .map(|(_, a)| a.clone());
    assert_eq!(
        user.as_deref(),
        Some("netops"),
        "{path}: the image runs as netops"
    );
    steps
}

#[test]
fn control_plane_containerfile() {
    let steps = check_containerfile("packaging/container/control-plane.Containerfile");
    let health = steps
        .iter()
        .find(|(k, _)| k == "HEALTHCHECK")
        .map(|(_, a)| a.clone())
        .expect("a HEALTHCHECK");
    assert!(health.contains("/readyz"), "{health}");
    let config = steps
        .iter()
        .any(|(k, a)| k == "COPY" && a.ends_with("/etc/netops/control-plane.toml"));
    assert!(config, "the image carries its configuration");
}

#[test]
fn edge_agent_containerfile() {
    let steps = check_containerfile("packaging/container/edge-agent.Containerfile");
    let profiles = steps
        .iter()
        .any(|(k, a)| k == "COPY" && a == "config/profiles /usr/share/netops/profiles");
    assert!(profiles, "the image carries the vendor profiles");
}

#[test]
fn the_container_configurations_are_valid() {
    let config = control_plane::config::Config::load_from(
        Some(&repo_file("packaging/container/control-plane.toml")),
        &[],
        &control_plane::config::Overrides::default(),
    )
    .expect("the image's control-plane.toml is valid");
    assert_eq!(config.listen.to_string(), "0.0.0.0:8080");

    let dir = tempfile::tempdir().unwrap();
    let text = read("packaging/container/edge-agent.toml")
        .replace(
            "\"/usr/share/netops/profiles\"",
            &format!("\"{}\"", repo_file("config/profiles").display()),
        )
        .replace("/etc/netops/agent.token", "agent.token");
    std::fs::write(dir.path().join("agent.token"), "token").unwrap();
    let agent = edge_agent::config::parse_config(&text, dir.path())
        .expect("the image's edge-agent.toml is valid");
    assert_eq!(agent.control_plane_url, "ws://control-plane:8080");
    assert_eq!(agent.metrics_listen.to_string(), "0.0.0.0:9464");
}

/// compose.yaml's services, each with its keys and list items (two-space YAML indentation).
fn compose_services(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut services = BTreeMap::new();
    let mut in_services = false;
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        match indent {
            0 => {
                in_services = line.trim_end() == "services:";
                current = None;
            }
            2 if in_services => {
                let name = line.trim().trim_end_matches(':').to_owned();
                services.insert(name.clone(), Vec::new());
                current = Some(name);
            }
            _ if in_services => {
                if let Some(name) = &current {
                    services
                        .get_mut(name)
                        .expect("known")
                        .push(line.trim().to_owned());
                }
            }
            _ => {}
        }
    }
    services
}

#[test]
fn compose_has_postgres_control_plane_agent_and_prometheus() {
    let text = read("packaging/container/compose.yaml");
    assert!(!text.contains('\t'), "YAML is indented with spaces");
    let services = compose_services(&text);
    let names: Vec<&str> = services.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["control-plane", "edge-agent", "postgres", "prometheus"]
    );
    for (name, lines) in &services {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("image:") || l.starts_with("build:")),
            "{name} has no image"
        );
        // Host paths are relative to packaging/container/.
        for line in lines {
            let item = line.trim_start_matches("- ").trim_matches('"');
            let host = if let Some(context) = item.strip_prefix("context: ") {
                context
            } else if item.starts_with("./") || item.starts_with("../") {
                item.split(':').next().expect("a host path")
            } else {
                continue;
            };
            assert!(
                repo_file("packaging/container").join(host).exists(),
                "{name}: {host} does not exist"
            );
        }
        if let Some(dockerfile) = lines.iter().find_map(|l| l.strip_prefix("dockerfile: ")) {
            assert!(repo_file(dockerfile).exists(), "{name}: {dockerfile}");
        }
    }
    let control_plane = services["control-plane"].join("\n");
    assert!(control_plane.contains("NETOPS_DATABASE_URL: postgres://"));
    assert!(control_plane.contains("condition: service_healthy"));
    let prometheus = services["prometheus"].join("\n");
    assert!(prometheus.contains("../prometheus/alerts.yml:/etc/prometheus/alerts.yml"));
}

#[test]
fn promtool_accepts_the_compose_prometheus_config() {
    let dir = tempfile::tempdir().unwrap();
    // As compose mounts them: the rules beside the configuration.
    std::fs::copy(
        repo_file("packaging/container/prometheus.yml"),
        dir.path().join("prometheus.yml"),
    )
    .unwrap();
    std::fs::copy(
        repo_file("packaging/prometheus/alerts.yml"),
        dir.path().join("alerts.yml"),
    )
    .unwrap();
    let promtool = std::process::Command::new("promtool")
        .args(["check", "config"])
        .arg(dir.path().join("prometheus.yml"))
        .output();
    let out = match promtool {
        Ok(out) => out,
        Err(error) => {
            assert!(
                std::env::var_os("NETOPS_LAB_REQUIRED").is_none(),
                "promtool is required (apt-get install prometheus): {error}"
            );
            eprintln!("skipped: promtool is not installed (apt-get install prometheus)");
            return;
        }
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("rules found"), "{text}");
}
