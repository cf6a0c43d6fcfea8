//! Every command the documentation shows still works with this build: each `control-plane` /
//! `edge-agent` command line (also as `netops-…` and `cargo run -p … --`) parses with the real
//! command-line definitions, each `curl` call names a method and path the OpenAPI document
//! lists, and each `cargo test --test` / `cargo bench --bench` target exists. The install guide's
//! flow itself runs in `lab/deb-install-check.sh`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::Parser;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The documents operators and developers read: README.md and docs/*.md.
fn documents() -> Vec<PathBuf> {
    let mut files = vec![workspace().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(workspace().join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension() == Some("md".as_ref()))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// A command as the documentation shows it.
#[derive(Debug, PartialEq)]
struct Shown {
    line: String,
    /// In running text: a mention such as `control-plane backup` may leave out arguments.
    mention: bool,
}

/// The shell lines of a document's fenced code blocks (continuation lines joined, comments cut)
/// and the commands in its inline code spans.
fn shell_lines(text: &str) -> Vec<Shown> {
    let mut lines = Vec::new();
    let mut in_block = false;
    let mut shell = false;
    let mut pending = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            in_block = !in_block;
            shell = in_block && matches!(info.trim(), "" | "sh" | "bash" | "shell" | "console");
            continue;
        }
        if !in_block {
            lines.extend(inline_commands(line).into_iter().map(|line| Shown {
                line,
                mention: true,
            }));
            continue;
        }
        if !shell {
            continue;
        }
        let code = strip_comment(line.trim().trim_start_matches("$ "));
        if let Some(head) = code.strip_suffix('\\') {
            pending.push_str(head.trim_end());
            pending.push(' ');
            continue;
        }
        pending.push_str(&code);
        if !pending.trim().is_empty() {
            lines.push(Shown {
                line: std::mem::take(&mut pending),
                mention: false,
            });
        }
        pending.clear();
    }
    lines
}

/// Inline code spans of running text that are commands (a table's reproduction command).
fn inline_commands(line: &str) -> Vec<String> {
    const PROGRAMS: [&str; 6] = [
        "cargo ",
        "curl ",
        "control-plane ",
        "edge-agent ",
        "netops-control-plane ",
        "netops-edge-agent ",
    ];
    line.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| PROGRAMS.iter().any(|program| span.starts_with(program)))
        .map(str::to_owned)
        .collect()
}

/// Cuts a `# comment` that starts after whitespace and outside quotes.
fn strip_comment(line: &str) -> String {
    let mut quote = None;
    let mut previous = ' ';
    for (at, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            (None, '#') if previous.is_whitespace() => return line[..at].trim_end().to_owned(),
            _ => {}
        }
        previous = c;
    }
    line.trim_end().to_owned()
}

/// Splits a command line into words the way the shell would for simple quoting.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), _) if q == c => quote = None,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (_, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// The commands of one shell line: split at `|`, `&&`, `;` and `$(`.
fn commands(line: &str) -> Vec<Vec<String>> {
    let mut parts = vec![line.to_owned()];
    for separator in ["$(", "&&", "||", "|", ";"] {
        parts = parts
            .iter()
            .flat_map(|part| part.split(separator).map(str::to_owned).collect::<Vec<_>>())
            .collect();
    }
    parts
        .iter()
        .map(|part| words(part.trim().trim_end_matches(')')))
        .filter(|words| !words.is_empty())
        .collect()
}

#[derive(Debug, PartialEq)]
enum Program {
    ControlPlane,
    EdgeAgent,
}

/// Which netops binary a command runs and its arguments, after sudo/env prefixes and
/// `VAR=value` assignments.
fn netops_command(words: &[String]) -> Option<(Program, Vec<String>)> {
    let mut rest = words;
    loop {
        match rest.first().map(String::as_str) {
            Some("sudo") => {
                rest = &rest[1..];
                while rest.first().is_some_and(|w| w.starts_with('-')) {
                    rest = &rest[if rest[0] == "-u" { 2 } else { 1 }..];
                }
            }
            Some("env" | "exec") => rest = &rest[1..],
            Some(w) if w.contains('=') && !w.starts_with('-') => rest = &rest[1..],
            _ => break,
        }
    }
    let first = rest.first()?.as_str();
    let program_of = |name: &str| match name.rsplit('/').next() {
        Some("control-plane" | "netops-control-plane") => Some(Program::ControlPlane),
        Some("edge-agent" | "netops-edge-agent") => Some(Program::EdgeAgent),
        _ => None,
    };
    if first == "cargo" && rest.get(1).map(String::as_str) == Some("run") {
        let package = rest.windows(2).find(|w| w[0] == "-p")?[1].clone();
        let program = program_of(&package)?;
        let dashes = rest.iter().position(|w| w == "--")?;
        return Some((program, rest[dashes + 1..].to_vec()));
    }
    let program = program_of(first)?;
    Some((program, rest[1..].to_vec()))
}

/// The method and API path of a `curl` command, when it calls this control plane.
fn curl_call(words: &[String]) -> Option<(String, String)> {
    if words.first().map(String::as_str) != Some("curl") {
        return None;
    }
    let mut method = None;
    let mut url = None;
    let mut has_body = false;
    let mut at = 1;
    while at < words.len() {
        let word = &words[at];
        match word.as_str() {
            "-X" | "--request" => {
                method = words.get(at + 1).cloned();
                at += 1;
            }
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--json" => {
                has_body = true;
                at += 1;
            }
            "-H" | "--header" | "-o" | "-u" | "--user" | "-w" => at += 1,
            w if w.starts_with("http://") || w.starts_with("https://") => url = Some(w.to_owned()),
            _ => {}
        }
        at += 1;
    }
    let url = url?;
    let after_scheme = url.split_once("://")?.1;
    let path = after_scheme.find('/').map(|at| &after_scheme[at..])?;
    let path = path.split('?').next()?.to_owned();
    let method = method
        .unwrap_or_else(|| if has_body { "POST" } else { "GET" }.into())
        .to_lowercase();
    Some((method, path))
}

/// Whether `path` matches an OpenAPI template such as `/api/v1/admin/agents/{id}`.
fn matches_template(template: &str, path: &str) -> bool {
    let a: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let b: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}')) || t == p || p.starts_with('$'))
}

/// (method, path) of every route the OpenAPI document lists, plus the unversioned operational
/// routes it leaves out.
async fn documented_routes() -> BTreeSet<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let config = control_plane::config::Config {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    };
    let store = control_plane::app::open_store(&config).await.unwrap();
    let state = control_plane::app::build_state(&config, store).unwrap();
    let (_, doc) = control_plane::http::router(state);
    let doc = serde_json::to_value(&doc).unwrap();
    let mut routes = BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            routes.insert((method.clone(), path.clone()));
        }
    }
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/openapi.json",
        "/api/docs",
    ] {
        routes.insert(("get".into(), path.into()));
    }
    routes
}

#[tokio::test]
async fn every_documented_command_parses_and_every_documented_call_exists() {
    let routes = documented_routes().await;
    let mut checked = (0, 0, 0);
    let mut problems = Vec::new();
    for document in documents() {
        let text = std::fs::read_to_string(&document).unwrap();
        let name = document.file_name().unwrap().to_string_lossy().into_owned();
        for Shown { line, mention } in shell_lines(&text) {
            for command in commands(&line) {
                if let Some((program, args)) = netops_command(&command) {
                    checked.0 += 1;
                    let argv = std::iter::once("netops".to_owned()).chain(args);
                    let parsed = match program {
                        Program::ControlPlane => {
                            control_plane::cli::Cli::try_parse_from(argv).map(drop)
                        }
                        Program::EdgeAgent => edge_agent::cli::Cli::try_parse_from(argv).map(drop),
                    };
                    if let Err(error) = parsed {
                        use clap::error::ErrorKind;
                        let fine = match error.kind() {
                            // `--help` and `--version` end parsing on purpose.
                            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => true,
                            ErrorKind::MissingRequiredArgument => mention,
                            _ => false,
                        };
                        if !fine {
                            let first = error.to_string();
                            let first = first.lines().next().unwrap_or_default().to_owned();
                            problems.push(format!("{name}: `{line}`: {first}"));
                        }
                    }
                }
                if let Some((method, path)) = curl_call(&command) {
                    if !path.starts_with("/api")
                        && !path.starts_with("/healthz")
                        && !path.starts_with("/readyz")
                        && !path.starts_with("/metrics")
                    {
                        continue;
                    }
                    checked.1 += 1;
                    let known = routes
                        .iter()
                        .any(|(m, template)| *m == method && matches_template(template, &path));
                    if !known {
                        problems.push(format!("{name}: `{line}`: no {method} {path} in the API"));
                    }
                }
                if command.first().map(String::as_str) == Some("cargo") {
                    for (flag, folder) in [("--test", "tests"), ("--bench", "benches")] {
                        let Some(at) = command.iter().position(|w| w == flag) else {
                            continue;
                        };
                        checked.2 += 1;
                        let target = &command[at + 1];
                        let package = command
                            .windows(2)
                            .find(|w| w[0] == "-p")
                            .map_or("control-plane", |w| w[1].as_str());
                        let root = workspace().join(package.trim_start_matches("netops-"));
                        let exists = [
                            root.join(folder).join(format!("{target}.rs")),
                            root.join(folder).join(target).join("main.rs"),
                            workspace()
                                .join("drivers")
                                .join(package.trim_start_matches("netops-"))
                                .join(folder)
                                .join(format!("{target}.rs")),
                        ]
                        .iter()
                        .any(|path| path.exists());
                        if !exists {
                            problems
                                .push(format!("{name}: `{line}`: no {flag} {target} in {package}"));
                        }
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "documented commands that no longer work:\n{}",
        problems.join("\n")
    );
    // The documents do show commands; finding none would mean this test reads them wrongly.
    assert!(
        checked.0 >= 10 && checked.1 >= 3 && checked.2 >= 3,
        "{checked:?}"
    );
}

#[test]
fn reading_shell_lines() {
    let text = "run `cargo bench --bench x` or `x`\n```sh\nfoo --a \\\n  --b  # why\n$ bar 'x # y'\n```\n```toml\nx = 1\n```\n";
    let lines: Vec<(String, bool)> = shell_lines(text)
        .into_iter()
        .map(|shown| (shown.line, shown.mention))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("cargo bench --bench x".to_owned(), true),
            ("foo --a --b".to_owned(), false),
            ("bar 'x # y'".to_owned(), false)
        ]
    );
    assert_eq!(
        commands("X=$(curl -fsS http://h/api/v1/x | jq -r .a) && echo"),
        vec![
            vec!["X=".to_owned()],
            vec!["curl".into(), "-fsS".into(), "http://h/api/v1/x".into()],
            vec!["jq".into(), "-r".into(), ".a".into()],
            vec!["echo".into()]
        ]
    );
    let parsed = netops_command(&words(
        "sudo -u netops NETOPS_CONFIG=/etc/x netops-control-plane admin create --username a",
    ));
    assert_eq!(
        parsed,
        Some((
            Program::ControlPlane,
            vec![
                "admin".into(),
                "create".into(),
                "--username".into(),
                "a".into()
            ]
        ))
    );
    assert_eq!(
        curl_call(&words(
            "curl -fsS -X POST http://127.0.0.1:8080/api/v1/admin/agents -d '{}'"
        )),
        Some(("post".into(), "/api/v1/admin/agents".into()))
    );
    assert!(matches_template(
        "/api/v1/admin/agents/{id}",
        "/api/v1/admin/agents/$ID"
    ));
    assert!(!matches_template(
        "/api/v1/admin/agents",
        "/api/v1/admin/agent"
    ));
}
