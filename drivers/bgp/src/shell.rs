//! How netops reaches a router's control programs (vtysh, birdc): a `RouterShell` runs a
//! command and reads or writes a file. `LocalShell` does it with local processes, optionally
//! inside a network namespace (the lab, or an agent on the router itself).

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// A program and its arguments, never passed through a shell locally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterCommand {
    pub program: String,
    pub args: Vec<String>,
}

impl RouterCommand {
    /// `base` is the control program with its fixed options (e.g. `birdc -s SOCKET`).
    pub fn new(base: &[String], args: impl IntoIterator<Item = String>) -> Self {
        let mut words = base.iter().cloned();
        Self {
            program: words.next().unwrap_or_default(),
            args: words.chain(args).collect(),
        }
    }

    /// The command as one POSIX shell line, every word single-quoted where needed.
    pub fn shell_line(&self) -> String {
        std::iter::once(&self.program)
            .chain(&self.args)
            .map(|word| shell_quote(word))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for RouterCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shell_line())
    }
}

/// Quotes a word for a POSIX shell; plain words stay as they are.
pub(crate) fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// What a router command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterReply {
    pub exit_status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl RouterReply {
    pub fn succeeded(&self) -> bool {
        self.exit_status == Some(0)
    }

    /// Stdout and stderr together, trimmed, for reports.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.stdout.trim(), self.stderr.trim())
            .trim()
            .to_owned()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RouterShellError {
    #[error("cannot start `{command}`: {source}")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{command}` did not finish within {timeout:?}")]
    Timeout { command: String, timeout: Duration },
    #[error("file {path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Ssh(#[from] netops_ssh::SshError),
    #[error("`{command}` failed: {output}")]
    Failed { command: String, output: String },
}

/// Runs commands and handles files on one router.
pub trait RouterShell {
    fn run(
        &self,
        command: &RouterCommand,
    ) -> impl Future<Output = Result<RouterReply, RouterShellError>> + Send;

    /// `None` when the file does not exist.
    fn read_file(
        &self,
        path: &Path,
    ) -> impl Future<Output = Result<Option<String>, RouterShellError>> + Send;

    fn write_file(
        &self,
        path: &Path,
        contents: &str,
    ) -> impl Future<Output = Result<(), RouterShellError>> + Send;

    /// Removing a file that does not exist succeeds.
    fn remove_file(&self, path: &Path)
        -> impl Future<Output = Result<(), RouterShellError>> + Send;
}

/// Local processes, optionally inside a network namespace (`ip netns exec NAME`).
#[derive(Debug, Clone)]
pub struct LocalShell {
    pub netns: Option<String>,
    pub command_timeout: Duration,
}

impl LocalShell {
    pub fn new() -> Self {
        Self {
            netns: None,
            command_timeout: Duration::from_secs(30),
        }
    }

    pub fn in_netns(name: impl Into<String>) -> Self {
        Self {
            netns: Some(name.into()),
            ..Self::new()
        }
    }
}

impl Default for LocalShell {
    fn default() -> Self {
        Self::new()
    }
}

impl RouterShell for LocalShell {
    async fn run(&self, command: &RouterCommand) -> Result<RouterReply, RouterShellError> {
        let mut process = match &self.netns {
            Some(netns) => {
                let mut p = tokio::process::Command::new("ip");
                p.args(["netns", "exec", netns.as_str(), command.program.as_str()]);
                p
            }
            None => tokio::process::Command::new(&command.program),
        };
        process
            .args(&command.args)
            .stdin(Stdio::null())
            .kill_on_drop(true);
        let output = tokio::time::timeout(self.command_timeout, process.output())
            .await
            .map_err(|_| RouterShellError::Timeout {
                command: command.shell_line(),
                timeout: self.command_timeout,
            })?
            .map_err(|source| RouterShellError::Spawn {
                command: command.shell_line(),
                source,
            })?;
        Ok(RouterReply {
            exit_status: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }

    async fn read_file(&self, path: &Path) -> Result<Option<String>, RouterShellError> {
        match tokio::fs::read_to_string(path).await {
            Ok(text) => Ok(Some(text)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(RouterShellError::File {
                path: path.to_owned(),
                source,
            }),
        }
    }

    async fn write_file(&self, path: &Path, contents: &str) -> Result<(), RouterShellError> {
        tokio::fs::write(path, contents)
            .await
            .map_err(|source| RouterShellError::File {
                path: path.to_owned(),
                source,
            })
    }

    async fn remove_file(&self, path: &Path) -> Result<(), RouterShellError> {
        match tokio::fs::remove_file(path).await {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(RouterShellError::File {
                    path: path.to_owned(),
                    source: error,
                })
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RouterCommand;

    fn check(words: &[&str], expected: &str) {
        let base: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        assert_eq!(RouterCommand::new(&base, []).shell_line(), expected);
    }

    #[test]
    fn command_lines_quote_what_a_shell_would_split() {
        check(&["birdc", "-s", "/run/bird.ctl"], "birdc -s /run/bird.ctl");
        check(
            &["vtysh", "-c", "conf t", "-c", "router bgp 65001"],
            "vtysh -c 'conf t' -c 'router bgp 65001'",
        );
        check(&["birdc", "show", "\"x\""], "birdc show '\"x\"'");
        check(&["echo", "it's"], r"echo 'it'\''s'");
    }
}
