//! `GET /network/live`: the subscriber's rates pushed once a second, over WebSocket (JSON text
//! messages) or, when the request is not a WebSocket upgrade, as server-sent events. Points
//! come from the live series' watch, never from the database.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use prometheus::IntGauge;
use tokio::sync::watch;
use tokio::time::Instant;

use super::profile::own_customer;
use super::views::BandwidthPoint;
use crate::domain::time::{api_timestamp, unix_ms_text};
use crate::http::amount::Mbps;
use crate::http::principal::CustomerStreamAuth;
use crate::http::response::{ApiError, ErrorBody};
use crate::http::state::AppState;
use crate::live::{now_unix_ms, LivePoint};
use crate::shutdown::{stopped, ConnectionGuard};

/// With no new second from the agent for this long, a zero-rate point is pushed.
const QUIET_AFTER_SAMPLE: Duration = Duration::from_secs(2);
/// Zero-rate points then follow at this pace.
const QUIET_PACE: Duration = Duration::from_secs(1);

#[utoipa::path(get, path = "/network/live", tag = "customer", security(("bearer" = [])),
    description = "The subscriber's current rates, once a second. A WebSocket upgrade gets one \
        JSON text message per second; any other request gets server-sent events \
        (`text/event-stream`) with the same JSON as each event's data. Browsers may pass the \
        token in the `token` query parameter instead of the Authorization header. The stream \
        counts once against the rate limit, when it opens.",
    params(("token" = Option<String>, Query, description = "The login token, when the Authorization header cannot be set")),
    responses(
        (status = 101, description = "WebSocket: one `{timestamp, rx_mbps, tx_mbps}` JSON text message per second"),
        (status = 200, description = "Server-sent events, one point per second", content_type = "text/event-stream", body = BandwidthPoint),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 429, description = "Rate limit exceeded", body = ErrorBody),
    ))]
pub async fn live(
    State(state): State<AppState>,
    CustomerStreamAuth(auth): CustomerStreamAuth,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    own_customer(&state, &auth).await?;
    match upgrade {
        Ok(upgrade) => {
            let feed = LiveFeed::open(&state, &auth.customer_id, "websocket");
            Ok(upgrade
                .on_upgrade(move |socket| push_websocket(socket, feed))
                .into_response())
        }
        Err(
            WebSocketUpgradeRejection::InvalidConnectionHeader(_)
            | WebSocketUpgradeRejection::InvalidUpgradeHeader(_),
        ) => {
            let feed = LiveFeed::open(&state, &auth.customer_id, "sse");
            Ok(push_events(feed).into_response())
        }
        Err(rejection) => Err(ApiError::bad_request(format!(
            "invalid WebSocket upgrade: {}",
            rejection.body_text()
        ))),
    }
}

/// One open stream's source of points; counted in `netops_live_streams_open` while it lives.
struct LiveFeed {
    points: Option<watch::Receiver<LivePoint>>,
    stopping: watch::Receiver<bool>,
    next_quiet: Instant,
    _open: ConnectionGuard,
    _counted: OpenStream,
}

struct OpenStream(IntGauge);

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.dec();
    }
}

fn point(unix_ms: i64, rx_bps: u64, tx_bps: u64) -> BandwidthPoint {
    BandwidthPoint {
        timestamp: api_timestamp(&unix_ms_text(unix_ms)),
        rx_mbps: Mbps::from_bps(i64::try_from(rx_bps).unwrap_or(i64::MAX)),
        tx_mbps: Mbps::from_bps(i64::try_from(tx_bps).unwrap_or(i64::MAX)),
    }
}

impl LiveFeed {
    fn open(state: &AppState, customer_id: &str, transport: &str) -> Self {
        let gauge = state
            .metrics
            .ingest
            .live_streams
            .with_label_values(&[transport]);
        gauge.inc();
        let mut points = state.live.watch(customer_id);
        let latest = *points.borrow_and_update();
        let fresh = now_unix_ms() - i64::try_from(latest.unix_ms).unwrap_or(0) < 2_000;
        if fresh {
            // Push the newest second at once instead of waiting for the next.
            points.mark_changed();
        }
        Self {
            points: Some(points),
            stopping: state.shutdown.signal(),
            next_quiet: Instant::now() + QUIET_AFTER_SAMPLE,
            _open: state.shutdown.track(),
            _counted: OpenStream(gauge),
        }
    }

    /// The next point: a new second from the agent, or a zero-rate point stamped now after a
    /// quiet spell, so charts keep moving while the subscriber is offline. `None` when the
    /// server stops.
    async fn next(&mut self) -> Option<BandwidthPoint> {
        let changed = async {
            match &mut self.points {
                Some(points) => match points.changed().await {
                    Ok(()) => Some(*points.borrow_and_update()),
                    Err(_) => None,
                },
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            sample = changed => match sample {
                Some(p) => {
                    self.next_quiet = Instant::now() + QUIET_AFTER_SAMPLE;
                    Some(point(i64::try_from(p.unix_ms).unwrap_or(0), p.rx_bps, p.tx_bps))
                }
                None => {
                    self.points = None;
                    self.next_quiet = Instant::now() + QUIET_PACE;
                    Some(point(now_unix_ms(), 0, 0))
                }
            },
            _ = tokio::time::sleep_until(self.next_quiet) => {
                self.next_quiet = Instant::now() + QUIET_PACE;
                Some(point(now_unix_ms(), 0, 0))
            }
            _ = stopped(&mut self.stopping) => None,
        }
    }
}

async fn push_websocket(mut socket: WebSocket, mut feed: LiveFeed) {
    loop {
        tokio::select! {
            next = feed.next() => {
                let Some(point) = next else {
                    let frame = CloseFrame { code: 1001, reason: "server is stopping".into() };
                    let _ = socket.send(Message::Close(Some(frame))).await;
                    return;
                };
                let text = serde_json::to_string(&point).unwrap_or_default();
                if socket.send(Message::Text(text.into())).await.is_err() {
                    return;
                }
            }
            message = socket.recv() => match message {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => continue,
            }
        }
    }
}

fn push_events(
    feed: LiveFeed,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>> + Send + 'static> {
    let events = futures_util::stream::unfold(feed, |mut feed| async move {
        let point = feed.next().await?;
        let data = serde_json::to_string(&point).unwrap_or_default();
        Some((Ok(Event::default().data(data)), feed))
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}
