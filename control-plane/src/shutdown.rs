//! Graceful stop for long-lived connections: agent streams and live streams watch one signal,
//! and the server waits until every one of them has ended before the final flush.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify};

pub struct Shutdown {
    stop: watch::Sender<bool>,
    open: AtomicUsize,
    idle: Notify,
}

/// Held by a long-lived connection; dropping it tells `Shutdown` the connection ended.
pub struct ConnectionGuard {
    shutdown: Arc<Shutdown>,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        if self.shutdown.open.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.shutdown.idle.notify_waiters();
        }
    }
}

impl Shutdown {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            stop: watch::channel(false).0,
            open: AtomicUsize::new(0),
            idle: Notify::new(),
        })
    }

    /// Completes once the server is stopping.
    pub fn signal(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }

    pub fn is_stopping(&self) -> bool {
        *self.stop.borrow()
    }

    /// Counts a long-lived connection until the guard drops.
    pub fn track(self: &Arc<Self>) -> ConnectionGuard {
        self.open.fetch_add(1, Ordering::AcqRel);
        ConnectionGuard {
            shutdown: Arc::clone(self),
        }
    }

    /// Tells every long-lived connection to close.
    pub fn begin(&self) {
        self.stop.send_replace(true);
    }

    /// Waits until every tracked connection has ended, at most `limit`.
    pub async fn wait_idle(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let idle = self.idle.notified();
                if self.open.load(Ordering::Acquire) == 0 {
                    return;
                }
                idle.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }
}

/// Waits until `signal` says the server is stopping.
pub async fn stopped(signal: &mut watch::Receiver<bool>) {
    if signal.wait_for(|stopping| *stopping).await.is_err() {
        std::future::pending::<()>().await;
    }
}
