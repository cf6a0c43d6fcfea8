//! The HTTP client deliveries are POSTed with: `http://` and `https://` (rustls with the
//! system's roots plus `[webhooks] ca_file`), one connection per attempt, no redirects, the
//! whole attempt bounded by the timeout. For customers' webhooks every resolved address is
//! checked against `alerts::networks` and the connection goes to the checked address.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::alerts::networks::{may_reach, Network};

/// Why a delivery got no HTTP answer. The text goes to the delivery log.
#[derive(Debug, Error)]
pub enum SendError {
    #[error("{0}")]
    BadUrl(String),
    #[error("cannot resolve {host}: {source}")]
    Resolve {
        host: String,
        source: std::io::Error,
    },
    #[error("{address} is an internal address customers' webhooks may not reach")]
    Internal { address: IpAddr },
    #[error("connection refused or unreachable ({address}: {source})")]
    Connect {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("TLS handshake with {host} failed: {reason}")]
    Tls { host: String, reason: String },
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("request failed: {0}")]
    Http(String),
}

/// Sends deliveries; cheap to share.
pub struct WebhookClient {
    tls: Arc<ClientConfig>,
    timeout: Duration,
}

/// One POST: the URL, extra headers and the JSON body.
pub struct Post<'a> {
    pub url: &'a str,
    pub headers: &'a [(&'static str, String)],
    pub body: &'a str,
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

const USER_AGENT: &str = concat!("netops-webhooks/", env!("CARGO_PKG_VERSION"));

impl WebhookClient {
    pub fn new(tls: Arc<ClientConfig>, timeout: Duration) -> Self {
        Self { tls, timeout }
    }

    /// POSTs and returns the answer's status code. `restricted_to` is `Some` for customers'
    /// webhooks: internal addresses only when one of these blocks holds them.
    pub async fn post(
        &self,
        post: &Post<'_>,
        restricted_to: Option<&[Network]>,
    ) -> Result<u16, SendError> {
        tokio::time::timeout(self.timeout, self.post_now(post, restricted_to))
            .await
            .map_err(|_| SendError::Timeout(self.timeout))?
    }

    async fn post_now(
        &self,
        post: &Post<'_>,
        restricted_to: Option<&[Network]>,
    ) -> Result<u16, SendError> {
        let url = reqwest::Url::parse(post.url)
            .map_err(|_| SendError::BadUrl(format!("{} is not a URL", post.url)))?;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            other => return Err(SendError::BadUrl(format!("scheme {other} is not http(s)"))),
        };
        // An IPv6 literal comes bracketed; resolving and TLS want the bare address.
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| SendError::BadUrl("the URL has no host".into()))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = url.port_or_known_default().unwrap_or(80);
        let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|source| SendError::Resolve {
                host: host.clone(),
                source,
            })?
            .collect();
        let address = pick_address(&addresses, restricted_to)?;
        let tcp = TcpStream::connect(address)
            .await
            .map_err(|source| SendError::Connect { address, source })?;
        let io: Box<dyn Stream> = if https {
            let name = ServerName::try_from(host.clone()).map_err(|_| SendError::Tls {
                host: host.clone(),
                reason: "not a valid TLS server name".into(),
            })?;
            let tls = TlsConnector::from(Arc::clone(&self.tls))
                .connect(name, tcp)
                .await
                .map_err(|e| SendError::Tls {
                    host: host.clone(),
                    reason: e.to_string(),
                })?;
            Box::new(tls)
        } else {
            Box::new(tcp)
        };
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .map_err(|e| SendError::Http(e.to_string()))?;
        let connection = tokio::spawn(connection);
        let authority = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let mut request = hyper::Request::post(path)
            .header(hyper::header::HOST, authority)
            .header(hyper::header::USER_AGENT, USER_AGENT)
            .header(hyper::header::CONTENT_TYPE, "application/json");
        for (name, value) in post.headers {
            request = request.header(*name, value);
        }
        let request = request
            .body(Full::new(Bytes::from(post.body.to_owned())))
            .map_err(|e| SendError::Http(e.to_string()))?;
        let answer = sender
            .send_request(request)
            .await
            .map_err(|e| SendError::Http(e.to_string()));
        connection.abort();
        Ok(answer?.status().as_u16())
    }
}

/// The first resolved address the delivery may go to.
fn pick_address(
    addresses: &[SocketAddr],
    restricted_to: Option<&[Network]>,
) -> Result<SocketAddr, SendError> {
    let Some(allowed) = restricted_to else {
        return addresses
            .first()
            .copied()
            .ok_or_else(|| SendError::BadUrl("the host resolved to no address".into()));
    };
    // Refused when any address is internal: a name that resolves partly inside the ISP is
    // not a customer's public receiver.
    if let Some(bad) = addresses.iter().find(|a| !may_reach(a.ip(), allowed)) {
        return Err(SendError::Internal { address: bad.ip() });
    }
    addresses
        .first()
        .copied()
        .ok_or_else(|| SendError::BadUrl("the host resolved to no address".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_deliveries_avoid_internal_addresses() {
        let public: SocketAddr = "203.0.113.5:443".parse().unwrap();
        let loopback: SocketAddr = "127.0.0.1:8443".parse().unwrap();
        assert_eq!(pick_address(&[public], Some(&[])).unwrap(), public);
        assert!(matches!(
            pick_address(&[public, loopback], Some(&[])),
            Err(SendError::Internal { .. })
        ));
        let lab = [Network::parse("127.0.0.0/8").unwrap()];
        assert_eq!(pick_address(&[loopback], Some(&lab)).unwrap(), loopback);
        assert_eq!(pick_address(&[loopback], None).unwrap(), loopback);
        assert!(pick_address(&[], None).is_err());
    }
}
