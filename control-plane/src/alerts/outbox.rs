//! The alert delivery loops, one per channel: send what is due in `alert_deliveries` (woken
//! when an alert is queued, or every second for retries) until the server stops; one attempt
//! per claim, so two replicas never send one attempt twice.

use std::time::{Duration, Instant};

use super::{send_email, send_webhook};
use crate::domain::time::{now, timestamp_text};
use crate::http::AppState;
use crate::store::alerts::DueAlert;
use crate::store::webhooks::AttemptOutcome;
use crate::store::StoreError;
use crate::webhooks::backoff::retry_wait;

/// Most alerts one pass sends.
const BATCH: i64 = 50;
/// How often a loop looks for retries that became due.
const POLL: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Webhook,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }
}

/// What one attempt came to, before retries are counted.
pub enum Sent {
    /// Accepted, with the SMTP or HTTP code.
    Accepted(i64),
    /// Not accepted; `permanent` when retrying cannot help.
    Refused {
        status_code: Option<i64>,
        error: String,
        permanent: bool,
    },
}

pub async fn run(state: AppState, channel: Channel) {
    let mut stop = state.shutdown.signal();
    loop {
        if let Err(err) = send_due(&state, channel).await {
            tracing::warn!(channel = channel.as_str(), error = %err, "alert deliveries not read");
        }
        let wake = match channel {
            Channel::Email => &state.email.wake,
            Channel::Webhook => &state.webhooks.alert_wake,
        };
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.wait_for(|stopping| *stopping) => break,
        }
    }
}

/// Sends every alert of `channel` due now (at most `BATCH`, and for email what this minute's
/// budget allows); returns how many were attempted.
pub async fn send_due(state: &AppState, channel: Channel) -> Result<usize, StoreError> {
    if channel == Channel::Email && state.email.relay.is_none() {
        return Ok(0);
    }
    let due = state
        .store
        .due_alerts(channel.as_str(), &timestamp_text(now()), BATCH)
        .await?;
    let (max_attempts, retry_base, timeout) = match channel {
        Channel::Email => {
            let s = &state.email.settings;
            (s.max_attempts, s.retry_base, s.timeout)
        }
        Channel::Webhook => {
            let s = &state.webhooks.settings;
            (s.max_attempts, s.retry_base, s.timeout)
        }
    };
    let mut attempted = 0;
    for alert in due {
        if channel == Channel::Email && !take_budget(state) {
            break;
        }
        // The lease outlasts one attempt, so a replica that dies mid-attempt leaves the alert
        // to be retried, not lost.
        let lease_until = timestamp_text(now() + timeout + Duration::from_secs(30));
        if !state.store.claim_alert(&alert, &lease_until).await? {
            continue;
        }
        attempted += 1;
        let sent = match channel {
            Channel::Email => send_email::attempt(state, &alert).await,
            Channel::Webhook => send_webhook::attempt(state, &alert).await,
        };
        let outcome = outcome(sent, &alert, max_attempts, retry_base);
        let label = match &outcome {
            AttemptOutcome::Delivered { .. } => "delivered",
            AttemptOutcome::Retry { .. } => "retried",
            AttemptOutcome::Failed { .. } => "failed",
        };
        match channel {
            Channel::Email => &state.metrics.email_deliveries,
            Channel::Webhook => &state.metrics.webhook_deliveries,
        }
        .with_label_values(&[label])
        .inc();
        if let AttemptOutcome::Failed { error, .. } = &outcome {
            tracing::warn!(channel = channel.as_str(), alert = %alert.id,
                customer = %alert.customer_id, error, "alert delivery given up");
        }
        state
            .store
            .finish_alert_attempt(&alert.id, &outcome)
            .await?;
    }
    Ok(attempted)
}

fn take_budget(state: &AppState) -> bool {
    match state.email.budget.lock() {
        Ok(mut budget) => budget.try_take(Instant::now()),
        Err(poisoned) => poisoned.into_inner().try_take(Instant::now()),
    }
}

fn outcome(sent: Sent, alert: &DueAlert, max_attempts: u32, base: Duration) -> AttemptOutcome {
    let (status_code, error, permanent) = match sent {
        Sent::Accepted(code) => return AttemptOutcome::Delivered { status_code: code },
        Sent::Refused {
            status_code,
            error,
            permanent,
        } => (status_code, error, permanent),
    };
    let attempts = u32::try_from(alert.attempts)
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    if permanent || attempts >= max_attempts {
        AttemptOutcome::Failed { status_code, error }
    } else {
        AttemptOutcome::Retry {
            status_code,
            error,
            next_attempt_at: timestamp_text(now() + retry_wait(base, attempts)),
        }
    }
}
