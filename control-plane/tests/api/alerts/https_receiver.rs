//! An `https://` webhook receiver on 127.0.0.1 for the tests: rustls with a certificate from
//! `pki`, HTTP/1 by hyper, recording each POST's headers and body and answering 200.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use super::pki::Pki;

/// One POST the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub event: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

/// What the receiver got, in order.
pub type Got = Arc<Mutex<Vec<Received>>>;

/// Starts the receiver with `pki`'s server certificate; returns its `https://` URL and what it
/// gets. It stops with the test's runtime.
pub async fn start(pki: &Pki) -> (String, Got) {
    let certificates = CertificateDer::pem_file_iter(&pki.server_cert)
        .expect("server certificate")
        .collect::<Result<Vec<_>, _>>()
        .expect("server certificate");
    let key = PrivateKeyDer::from_pem_file(&pki.server_key).expect("server key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(certificates, key)
    .expect("server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got: Got = Arc::default();
    let recorded = Arc::clone(&got);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let recorded = Arc::clone(&recorded);
            tokio::spawn(async move {
                // A client that refuses the certificate ends here.
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper::service::service_fn(move |req| {
                    let recorded = Arc::clone(&recorded);
                    async move { Ok::<_, Infallible>(record(req, &recorded).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (format!("https://127.0.0.1:{port}/hook"), got)
}

async fn record(req: Request<Incoming>, got: &Got) -> Response<Full<Bytes>> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (path, event, timestamp, signature) = (
        req.uri().path().to_owned(),
        header("x-netops-event"),
        header("x-netops-timestamp"),
        header("x-netops-signature"),
    );
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
        .unwrap_or_default();
    got.lock().unwrap().push(Received {
        path,
        event,
        timestamp,
        signature,
        body,
    });
    Response::new(Full::new(Bytes::from_static(b"ok")))
}
