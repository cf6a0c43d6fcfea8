//! `SshShell`: a `RouterShell` over an `netops-ssh` session, for production routers.

use std::path::Path;

use netops_ssh::{CommandLimits, SshSession};

use crate::shell::{shell_quote, RouterCommand, RouterReply, RouterShell, RouterShellError};

/// Runs router commands over one SSH session. The router's login shell must be POSIX `sh`
/// (true of Linux routers running FRR or BIRD).
pub struct SshShell {
    pub session: SshSession,
    pub limits: CommandLimits,
}

impl SshShell {
    async fn run_line(
        &self,
        line: &str,
        input: Option<&[u8]>,
    ) -> Result<RouterReply, RouterShellError> {
        let output = self
            .session
            .run_with_input(line, input, &self.limits)
            .await?;
        Ok(RouterReply {
            exit_status: output
                .exit_status
                .map(|s| i32::try_from(s).unwrap_or(i32::MAX)),
            stdout: output.stdout_text(),
            stderr: output.stderr_text(),
        })
    }

    fn checked(line: String, reply: RouterReply) -> Result<RouterReply, RouterShellError> {
        if reply.succeeded() {
            Ok(reply)
        } else {
            Err(RouterShellError::Failed {
                command: line,
                output: reply.text(),
            })
        }
    }
}

impl RouterShell for SshShell {
    async fn run(&self, command: &RouterCommand) -> Result<RouterReply, RouterShellError> {
        self.run_line(&command.shell_line(), None).await
    }

    async fn read_file(&self, path: &Path) -> Result<Option<String>, RouterShellError> {
        let quoted = shell_quote(&path.to_string_lossy());
        // Exit 3 means "no such file", anything else non-zero is a real failure.
        let line = format!("if [ -e {quoted} ]; then cat -- {quoted}; else exit 3; fi");
        let reply = self.run_line(&line, None).await?;
        if reply.exit_status == Some(3) && reply.stderr.is_empty() {
            return Ok(None);
        }
        Self::checked(line, reply).map(|r| Some(r.stdout))
    }

    async fn write_file(&self, path: &Path, contents: &str) -> Result<(), RouterShellError> {
        let line = format!("cat > {}", shell_quote(&path.to_string_lossy()));
        let reply = self.run_line(&line, Some(contents.as_bytes())).await?;
        Self::checked(line, reply).map(|_| ())
    }

    async fn remove_file(&self, path: &Path) -> Result<(), RouterShellError> {
        let line = format!("rm -f -- {}", shell_quote(&path.to_string_lossy()));
        let reply = self.run_line(&line, None).await?;
        Self::checked(line, reply).map(|_| ())
    }
}
