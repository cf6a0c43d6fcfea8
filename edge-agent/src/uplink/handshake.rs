//! Opening a connection: WebSocket connect, `Hello`, and waiting for `HelloAck`.

use futures_util::{SinkExt, StreamExt};
use proto::{
    decode_frame, encode_frame, Frame, Hello, HelloAck, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION,
};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{
    connect_async_tls_with_config, Connector, MaybeTlsStream, WebSocketStream,
};

use super::error::ConnectError;
use super::UplinkConfig;

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A connection the control plane has accepted.
pub(crate) struct Connection {
    pub(crate) socket: Socket,
    pub(crate) hello_ack: HelloAck,
}

/// Connects and introduces the agent; each of the two steps is bounded by `hello_timeout`.
/// `connector` carries the TLS configuration for `wss://` URLs.
pub(crate) async fn establish(
    config: &UplinkConfig,
    connector: Option<Connector>,
) -> Result<Connection, ConnectError> {
    let timeout_ms = config.hello_timeout.as_millis();
    let connect = connect_async_tls_with_config(config.url.as_str(), None, false, connector);
    let (mut socket, _response) =
        timeout(config.hello_timeout, connect)
            .await
            .map_err(|_| ConnectError::Timeout {
                phase: "connecting",
                timeout_ms,
            })??;
    let hello = Frame::Hello(Hello {
        protocol_version: PROTOCOL_VERSION,
        agent_id: config.agent_id.clone(),
        agent_version: config.agent_version.clone(),
        token: config.token.clone(),
    });
    let hello_bytes = encode_frame(&hello).map_err(ConnectError::Encode)?;
    socket.send(Message::binary(hello_bytes)).await?;
    let hello_ack = timeout(config.hello_timeout, await_hello_ack(&mut socket))
        .await
        .map_err(|_| ConnectError::Timeout {
            phase: "waiting for HelloAck",
            timeout_ms,
        })??;
    if !(MIN_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&hello_ack.accepted_version) {
        return Err(ConnectError::VersionNotSupported {
            accepted_version: hello_ack.accepted_version,
        });
    }
    Ok(Connection { socket, hello_ack })
}

/// Reads until `HelloAck`; only WebSocket control messages may come before it. The caller's
/// timeout bounds the loop.
async fn await_hello_ack(socket: &mut Socket) -> Result<HelloAck, ConnectError> {
    loop {
        let message = match socket.next().await {
            None => return Err(ConnectError::ClosedBeforeHelloAck),
            Some(message) => message?,
        };
        match message {
            Message::Binary(bytes) => {
                return match decode_frame(&bytes) {
                    Ok(Frame::HelloAck(hello_ack)) => Ok(hello_ack),
                    Ok(other) => Err(ConnectError::UnexpectedFrame {
                        frame: other.tag().name(),
                    }),
                    Err(error) => Err(ConnectError::Undecodable(error)),
                };
            }
            Message::Close(Some(close)) => {
                return Err(ConnectError::Refused {
                    code: close.code.into(),
                    reason: close.reason.to_string(),
                })
            }
            Message::Close(None) => return Err(ConnectError::ClosedBeforeHelloAck),
            Message::Text(_) => {
                return Err(ConnectError::UnexpectedFrame {
                    frame: "a text message",
                })
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
    }
}
