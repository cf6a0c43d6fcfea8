//! Outage notices: when a site's edge agent disconnects and has not come back after
//! `[outages] notice_after_secs`, every active subscriber on that site's devices gets one
//! critical notification (email and webhook by their alert preferences). One notice per
//! disconnection, also with two control planes (the dedupe key names the disconnection).

use std::time::Duration;

use serde::Deserialize;

use crate::http::AppState;
use crate::store::notifications::NewNotification;
use crate::webhooks::emit::wake;

/// The resolved `[outages]` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutageSettings {
    /// How long a site's agent may stay away before its subscribers are told; `None`: never.
    pub notice_after: Option<Duration>,
}

impl Default for OutageSettings {
    fn default() -> Self {
        Self {
            notice_after: Some(Duration::from_secs(120)),
        }
    }
}

/// The `[outages]` table of the file. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileOutages {
    notice_after_secs: Option<u64>,
}

/// Applies the file's `[outages]` values; `at` names a key for error messages.
pub fn apply_file(
    settings: &mut OutageSettings,
    file: FileOutages,
    at: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) {
    match file.notice_after_secs {
        Some(0) => settings.notice_after = None,
        Some(secs) if secs > 86_400 => problems.push(format!(
            "{}: must be from 1 to 86400 seconds, or 0 for no outage notices",
            at("outages.notice_after_secs")
        )),
        Some(secs) => settings.notice_after = Some(Duration::from_secs(secs)),
        None => {}
    }
}

/// Called when an agent's connection ended: waits `notice_after` (or until the server
/// stops), then tells the site's subscribers if the agent is still away.
pub fn watch(state: &AppState, agent_id: &str, site_id: &str, disconnected_at: &str) {
    let Some(after) = state.outages.notice_after else {
        return;
    };
    let state = state.clone();
    let (agent_id, site_id, at) = (
        agent_id.to_owned(),
        site_id.to_owned(),
        disconnected_at.to_owned(),
    );
    tokio::spawn(async move {
        let mut stop = state.shutdown.signal();
        tokio::select! {
            _ = tokio::time::sleep(after) => {}
            _ = crate::shutdown::stopped(&mut stop) => return,
        }
        if state.ingest.agents.connected().contains_key(&agent_id) {
            state
                .metrics
                .ingest
                .outage_notices
                .with_label_values(&["agent_back"])
                .inc();
            return;
        }
        notify_site(&state, &site_id, &at, after).await;
    });
}

async fn notify_site(state: &AppState, site_id: &str, at: &str, after: Duration) {
    let customers = match state.store.active_customers_of_site(site_id).await {
        Ok(customers) => customers,
        Err(err) => {
            tracing::error!(site = site_id, error = %err, "outage notices not sent: the store failed");
            return;
        }
    };
    let minutes = after.as_secs().div_ceil(60);
    let mut told = 0;
    for customer_id in customers {
        let notification = NewNotification {
            customer_id,
            kind: super::severity::kind::OUTAGE.to_owned(),
            title: "Network outage in your area".to_owned(),
            message: format!(
                "We lost contact with the network equipment that serves you more than {minutes} \
                 minute(s) ago and are working on it. There is no need to restart your router."
            ),
            dedupe_key: format!("outage:{site_id}:{at}"),
        };
        match super::notify(state, &notification, &[]).await {
            Ok(true) => told += 1,
            Ok(false) => {}
            Err(err) => tracing::error!(site = site_id, customer = %notification.customer_id,
                error = %err, "outage notice not stored"),
        }
    }
    wake(state);
    state
        .metrics
        .ingest
        .outage_notices
        .with_label_values(&["sent"])
        .inc();
    tracing::warn!(
        site = site_id,
        subscribers = told,
        "site's agent still away: outage notices sent"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<Duration>, problem: bool) {
        let file: FileOutages = toml::from_str(text).unwrap();
        let mut settings = OutageSettings::default();
        let mut problems = Vec::new();
        apply_file(&mut settings, file, &|k| k.to_owned(), &mut problems);
        assert_eq!(!problems.is_empty(), problem, "{text}: {problems:?}");
        if !problem {
            assert_eq!(settings.notice_after, expected, "{text}");
        }
    }

    #[test]
    fn notice_after() {
        check("", Some(Duration::from_secs(120)), false);
        check(
            "notice_after_secs = 30",
            Some(Duration::from_secs(30)),
            false,
        );
        check("notice_after_secs = 0", None, false);
        check("notice_after_secs = 100000", None, true);
    }
}
