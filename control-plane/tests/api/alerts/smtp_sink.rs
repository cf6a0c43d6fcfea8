//! A real SMTP server for the tests: Debian's `python3-aiosmtpd` on 127.0.0.1 with its
//! printing handler, optionally offering STARTTLS; the messages it prints are collected.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::helpers::eventually;

const PYTHON: &str = "/usr/bin/python3";
const BEGIN: &str = "---------- MESSAGE FOLLOWS ----------";
const END: &str = "------------ END MESSAGE ------------";

/// The running server; stopped on drop.
pub struct SmtpSink {
    child: Child,
    messages: Arc<Mutex<Vec<String>>>,
}

/// Whether aiosmtpd can run; skips (or fails in the lab) otherwise.
pub fn available(test: &str) -> bool {
    super::have(test, PYTHON, &["-c", "import aiosmtpd"], "python3-aiosmtpd")
}

impl SmtpSink {
    /// Starts the server on `port`, with STARTTLS when `tls` names a certificate and key;
    /// returns once it accepts connections.
    pub async fn start(port: u16, tls: Option<(&Path, &Path)>) -> SmtpSink {
        let mut command = Command::new(PYTHON);
        command.args([
            "-u",
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
        ]);
        if let Some((cert, key)) = tls {
            command.arg("--tlscert").arg(cert).arg("--tlskey").arg(key);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let stdout = child.stdout.take().expect("stdout");
        let messages = Arc::new(Mutex::new(Vec::new()));
        let collected = Arc::clone(&messages);
        std::thread::spawn(move || {
            let mut current: Option<String> = None;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                match (&mut current, line.as_str()) {
                    (None, BEGIN) => current = Some(String::new()),
                    (Some(_), END) => {
                        let message = current.take().unwrap_or_default();
                        collected.lock().unwrap().push(message);
                    }
                    (Some(text), _) => {
                        text.push_str(&line);
                        text.push('\n');
                    }
                    (None, _) => {}
                }
            }
        });
        eventually("aiosmtpd listening", Duration::from_secs(15), || async {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .ok()
                .map(|_| ())
        })
        .await;
        SmtpSink { child, messages }
    }

    /// The messages received so far, as printed (headers, blank line, body).
    pub fn messages(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of header `name` in a printed message.
pub fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
}

/// The body of a printed message.
pub fn body(message: &str) -> &str {
    message.split_once("\n\n").map_or("", |(_, b)| b)
}
