//! A real SMTP server for the tests: Debian's `python3-aiosmtpd` on 127.0.0.1 with its
//! printing handler, optionally offering STARTTLS, or with a login required after STARTTLS
//! (`LOGIN_SERVER`); the messages it prints are collected.

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

/// aiosmtpd requiring STARTTLS and then AUTH as `argv[4]` with password `argv[5]`; prints
/// each message like the printing handler, with the login it came under as `X-Login`.
const LOGIN_SERVER: &str = r#"
import signal, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
port, cert, key, user, password = sys.argv[1:6]
tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
tls.load_cert_chain(cert, key)
def check(server, session, envelope, mechanism, data):
    ok = data.login == user.encode() and data.password == password.encode()
    return AuthResult(success=ok, auth_data=data)
class Printer:
    async def handle_DATA(self, server, session, envelope):
        print("---------- MESSAGE FOLLOWS ----------")
        print("X-Login: " + session.auth_data.login.decode())
        print(envelope.content.decode().replace("\r\n", "\n").rstrip("\n"))
        print("------------ END MESSAGE ------------", flush=True)
        return "250 OK"
Controller(Printer(), hostname="127.0.0.1", port=int(port), tls_context=tls,
           require_starttls=True, auth_required=True, authenticator=check).start()
signal.pause()
"#;

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
        Self::spawn(command, port).await
    }

    /// Starts a server that takes mail only after STARTTLS and AUTH as `user`/`password`.
    pub async fn start_with_login(
        port: u16,
        (cert, key): (&Path, &Path),
        user: &str,
        password: &str,
    ) -> SmtpSink {
        let mut command = Command::new(PYTHON);
        command
            .args(["-u", "-c", LOGIN_SERVER, &port.to_string()])
            .arg(cert)
            .arg(key)
            .args([user, password]);
        Self::spawn(command, port).await
    }

    async fn spawn(mut command: Command, port: u16) -> SmtpSink {
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
