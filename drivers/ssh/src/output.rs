//! What a command returned, and the limits it runs under.

use std::time::Duration;

/// Bounds for one command: how long it may run and how much output netops keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandLimits {
    pub timeout: Duration,
    /// Bytes kept from stdout and stderr together; the rest is read and dropped.
    pub max_output_bytes: usize,
}

impl Default for CommandLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            max_output_bytes: 1024 * 1024,
        }
    }
}

/// The result of a command that ran to its end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The exit status the device reported, if any (some devices report none).
    pub exit_status: Option<u32>,
    /// The signal that ended the command, if the device reported one.
    pub exit_signal: Option<String>,
    /// True when output went past `max_output_bytes` and the excess was dropped.
    pub output_truncated: bool,
}

impl CommandOutput {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Exit status 0 (a device that reports no status counts as not succeeded).
    pub fn succeeded(&self) -> bool {
        self.exit_status == Some(0)
    }

    /// Appends to stdout or stderr while the shared budget lasts.
    pub(crate) fn keep(&mut self, to_stderr: bool, data: &[u8], max_output_bytes: usize) {
        let used = self.stdout.len() + self.stderr.len();
        let room = max_output_bytes.saturating_sub(used);
        if data.len() > room {
            self.output_truncated = true;
        }
        let kept = &data[..data.len().min(room)];
        if to_stderr {
            self.stderr.extend_from_slice(kept);
        } else {
            self.stdout.extend_from_slice(kept);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CommandOutput;

    fn check(chunks: &[(bool, &str)], max: usize, stdout: &str, stderr: &str, truncated: bool) {
        let mut output = CommandOutput::default();
        for (to_stderr, data) in chunks {
            output.keep(*to_stderr, data.as_bytes(), max);
        }
        assert_eq!(output.stdout_text(), stdout);
        assert_eq!(output.stderr_text(), stderr);
        assert_eq!(output.output_truncated, truncated);
    }

    #[test]
    fn output_is_bounded_across_both_streams() {
        check(&[(false, "abc")], 10, "abc", "", false);
        check(&[(false, "abc"), (true, "de")], 5, "abc", "de", false);
        check(&[(false, "abc"), (true, "def")], 5, "abc", "de", true);
        check(&[(false, "abcdef"), (false, "g")], 3, "abc", "", true);
        check(&[(true, "x")], 0, "", "", true);
    }
}
