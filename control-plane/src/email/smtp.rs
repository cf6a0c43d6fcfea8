//! The SMTP client (RFC 5321): one session per message — greeting, EHLO, STARTTLS when the
//! policy says so (RFC 3207), AUTH PLAIN (RFC 4616) only over TLS, MAIL FROM, RCPT TO, DATA
//! with dot-stuffing, QUIT. Replies are parsed by `reply.rs`; this file owns the socket.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use thiserror::Error;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::base64;
use super::message::{dot_stuff, Email};
use super::reply::{Reply, ReplyReader};
use super::settings::StartTls;
use crate::config::Secret;

/// Longest reply line read (RFC 5321 allows 512 octets).
const MAX_LINE_BYTES: u64 = 2048;

/// Why a message was not handed to the relay.
#[derive(Debug, Error)]
pub enum SmtpError {
    #[error("cannot connect to the relay {address}: {source}")]
    Connect {
        address: String,
        source: std::io::Error,
    },
    #[error("the relay did not finish within {0:?}")]
    Timeout(Duration),
    #[error("connection to the relay failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("TLS with the relay failed: {0}")]
    Tls(String),
    #[error("the relay does not offer STARTTLS and email.starttls is required")]
    NoStartTls,
    #[error("the relay does not offer AUTH PLAIN")]
    NoAuthPlain,
    #[error("not sending the relay password without TLS")]
    LoginWithoutTls,
    #[error("the relay refused {stage}: {reply}")]
    Refused { stage: &'static str, reply: Reply },
    #[error("the relay broke the protocol: {0}")]
    Protocol(String),
}

impl SmtpError {
    /// The relay refused this message or its recipient for good (5xx): retrying the same
    /// message will not help.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SmtpError::Refused { stage, reply }
            if reply.is_permanent() && matches!(*stage, "MAIL FROM" | "RCPT TO" | "the message"))
    }
}

/// Where and how messages are relayed.
#[derive(Clone)]
pub struct Relay {
    pub host: String,
    pub port: u16,
    pub starttls: StartTls,
    pub helo_name: String,
    pub login: Option<(String, Arc<Secret>)>,
    pub tls: Arc<ClientConfig>,
    pub timeout: Duration,
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

struct Session {
    io: BufReader<Box<dyn Stream>>,
}

impl Session {
    fn new(io: Box<dyn Stream>) -> Self {
        Self {
            io: BufReader::new(io),
        }
    }

    async fn read_reply(&mut self) -> Result<Reply, SmtpError> {
        let mut reader = ReplyReader::default();
        loop {
            let mut line = String::new();
            let read = (&mut self.io)
                .take(MAX_LINE_BYTES)
                .read_line(&mut line)
                .await?;
            if read == 0 {
                return Err(SmtpError::Protocol(
                    "the relay closed the connection".into(),
                ));
            }
            if let Some(reply) = reader.push(&line).map_err(SmtpError::Protocol)? {
                return Ok(reply);
            }
        }
    }

    async fn write(&mut self, text: &str) -> Result<(), SmtpError> {
        let io = self.io.get_mut();
        io.write_all(text.as_bytes()).await?;
        io.flush().await?;
        Ok(())
    }

    /// Sends one command line and reads the reply; `accepted` codes pass, others are a
    /// refusal of `stage`.
    async fn command(
        &mut self,
        stage: &'static str,
        line: &str,
        accepted: &[u16],
    ) -> Result<Reply, SmtpError> {
        self.write(&format!("{line}\r\n")).await?;
        self.expect(stage, accepted).await
    }

    async fn expect(&mut self, stage: &'static str, accepted: &[u16]) -> Result<Reply, SmtpError> {
        let reply = self.read_reply().await?;
        if accepted.contains(&reply.code) {
            Ok(reply)
        } else {
            Err(SmtpError::Refused { stage, reply })
        }
    }

    /// Wraps the connection in TLS after the relay's 220 to STARTTLS.
    async fn upgrade(self, tls: Arc<ClientConfig>, host: &str) -> Result<Session, SmtpError> {
        // Anything the relay sent after its 220 would be read as if it came over TLS.
        if !self.io.buffer().is_empty() {
            return Err(SmtpError::Protocol(
                "the relay sent data after accepting STARTTLS".into(),
            ));
        }
        let name = ServerName::try_from(host.to_owned())
            .map_err(|_| SmtpError::Tls(format!("{host} is not a valid TLS server name")))?;
        let stream = TlsConnector::from(tls)
            .connect(name, self.io.into_inner())
            .await
            .map_err(|e| SmtpError::Tls(e.to_string()))?;
        Ok(Session::new(Box::new(stream)))
    }
}

impl Relay {
    /// Hands `email` (rendered as `message`, CRLF lines) to the relay.
    pub async fn send(&self, email: &Email, message: &str) -> Result<(), SmtpError> {
        tokio::time::timeout(self.timeout, self.session(email, message))
            .await
            .map_err(|_| SmtpError::Timeout(self.timeout))?
    }

    async fn session(&self, email: &Email, message: &str) -> Result<(), SmtpError> {
        let address = format!("{}:{}", self.host, self.port);
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|source| SmtpError::Connect { address, source })?;
        let mut session = Session::new(Box::new(tcp));
        session.expect("the connection", &[220]).await?;
        let ehlo_line = format!("EHLO {}", self.helo_name);
        let mut ehlo = session.command("EHLO", &ehlo_line, &[250]).await?;
        let mut secure = false;
        let upgrade = match (self.starttls, ehlo.offers("STARTTLS")) {
            (StartTls::Off, _) | (StartTls::Opportunistic, false) => false,
            (StartTls::Required, false) => return Err(SmtpError::NoStartTls),
            (_, true) => true,
        };
        if upgrade {
            session.command("STARTTLS", "STARTTLS", &[220]).await?;
            session = session.upgrade(Arc::clone(&self.tls), &self.host).await?;
            ehlo = session.command("EHLO", &ehlo_line, &[250]).await?;
            secure = true;
        }
        if let Some((user, password)) = &self.login {
            if !secure {
                return Err(SmtpError::LoginWithoutTls);
            }
            if !ehlo.offers_auth("PLAIN") {
                return Err(SmtpError::NoAuthPlain);
            }
            let token = base64::encode(format!("\0{user}\0{}", password.expose()).as_bytes());
            session
                .command("AUTH PLAIN", &format!("AUTH PLAIN {token}"), &[235])
                .await?;
        }
        session
            .command("MAIL FROM", &format!("MAIL FROM:<{}>", email.from), &[250])
            .await?;
        session
            .command("RCPT TO", &format!("RCPT TO:<{}>", email.to), &[250, 251])
            .await?;
        session.command("DATA", "DATA", &[354]).await?;
        session.write(&dot_stuff(message)).await?;
        session.expect("the message", &[250]).await?;
        // The message is accepted; a relay that drops QUIT changes nothing.
        let _ = session.command("QUIT", "QUIT", &[221]).await;
        Ok(())
    }
}
