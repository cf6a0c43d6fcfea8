//! Authentication results written in batches: authorize (PAP) and post-auth (CHAP) only queue
//! the outcome, and one writer stores everything queued since its last write, at most four
//! times a second, so a login storm after a BRAS restart costs a few database writes a second,
//! not one per login. A full queue makes the caller write directly (backpressure, nothing
//! dropped); the queue is drained when the server stops.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::mpsc;

use crate::http::AppState;
use crate::store::pppoe_accounts::AuthOutcome;

/// Outcomes waiting to be written; beyond this, callers write directly. The writer takes up
/// to this many at a time.
const QUEUE_CAPACITY: usize = 8_192;
/// The least time between two writes.
const BATCH_WINDOW: std::time::Duration = std::time::Duration::from_millis(250);

/// The queue between post-auth handlers and the writer.
pub struct AuthLog {
    tx: mpsc::Sender<AuthOutcome>,
    rx: Mutex<Option<mpsc::Receiver<AuthOutcome>>>,
}

impl Default for AuthLog {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        Self {
            tx,
            rx: Mutex::new(Some(rx)),
        }
    }
}

impl AuthLog {
    /// Queues an outcome; gives it back when the queue is full or has no writer.
    pub fn queue(&self, outcome: AuthOutcome) -> Result<(), AuthOutcome> {
        self.tx.try_send(outcome).map_err(|error| match error {
            mpsc::error::TrySendError::Full(outcome)
            | mpsc::error::TrySendError::Closed(outcome) => outcome,
        })
    }

    fn take_receiver(&self) -> Option<mpsc::Receiver<AuthOutcome>> {
        self.rx.lock().ok().and_then(|mut rx| rx.take())
    }
}

/// The newest outcome per username, in first-seen order: one row per subscriber per statement.
pub fn newest_per_username(batch: Vec<AuthOutcome>) -> Vec<AuthOutcome> {
    let mut position: HashMap<String, usize> = HashMap::with_capacity(batch.len());
    let mut newest: Vec<AuthOutcome> = Vec::with_capacity(batch.len());
    for outcome in batch {
        match position.get(&outcome.username) {
            Some(&at) => newest[at] = outcome,
            None => {
                position.insert(outcome.username.clone(), newest.len());
                newest.push(outcome);
            }
        }
    }
    newest
}

async fn write(state: &AppState, batch: Vec<AuthOutcome>) {
    let batch = newest_per_username(batch);
    for attempt in 1..=3u32 {
        match state.store.record_auth_outcomes(&batch).await {
            Ok(()) => return,
            Err(err) if attempt < 3 => {
                tracing::warn!(error = %err, attempt, "writing post-auth results failed; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(200 * u64::from(attempt)))
                    .await;
            }
            Err(err) => {
                tracing::error!(error = %err, lost = batch.len(), "post-auth results could not be written");
            }
        }
    }
}

/// Writes queued outcomes until the server stops, then writes what is left. After a write
/// it waits `BATCH_WINDOW` before the next, so a login storm costs a few writes a second
/// rather than one per handful of logins.
pub async fn run(state: AppState) {
    let Some(mut rx) = state.aaa_auth_log.take_receiver() else {
        return;
    };
    let mut stop = state.shutdown.signal();
    let mut batch = Vec::with_capacity(QUEUE_CAPACITY);
    loop {
        let received = tokio::select! {
            received = rx.recv_many(&mut batch, QUEUE_CAPACITY) => received,
            _ = stop.wait_for(|stopping| *stopping) => break,
        };
        if received == 0 {
            return;
        }
        write(&state, std::mem::take(&mut batch)).await;
        tokio::select! {
            _ = tokio::time::sleep(BATCH_WINDOW) => {}
            _ = stop.wait_for(|stopping| *stopping) => break,
        }
    }
    rx.close();
    while rx.recv_many(&mut batch, QUEUE_CAPACITY).await > 0 {
        write(&state, std::mem::take(&mut batch)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn outcome(username: &str, accepted: bool) -> AuthOutcome {
        AuthOutcome {
            username: username.to_owned(),
            accepted,
            nas: None,
            calling_station_id: None,
            at: String::new(),
        }
    }

    proptest! {
        /// Every username appears once, with its last outcome.
        #[test]
        fn keeps_the_newest_per_username(events in proptest::collection::vec((0u8..5, any::<bool>()), 0..50)) {
            let batch: Vec<AuthOutcome> = events
                .iter()
                .map(|(user, accepted)| outcome(&format!("u{user}"), *accepted))
                .collect();
            let newest = newest_per_username(batch);
            let mut seen = std::collections::HashSet::new();
            for kept in &newest {
                prop_assert!(seen.insert(kept.username.clone()));
                let last = events
                    .iter()
                    .rev()
                    .find(|(user, _)| format!("u{user}") == kept.username)
                    .map(|(_, accepted)| *accepted);
                prop_assert_eq!(Some(kept.accepted), last);
            }
            let distinct: std::collections::HashSet<u8> = events.iter().map(|(u, _)| *u).collect();
            prop_assert_eq!(newest.len(), distinct.len());
        }
    }
}
