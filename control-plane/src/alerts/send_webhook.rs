//! One attempt to a customer's webhook: signed with the customer's secret like staff
//! webhooks, and only to addresses `[webhooks] allow_private_networks` permits.

use super::outbox::Sent;
use crate::domain::time::now;
use crate::http::AppState;
use crate::store::alerts::DueAlert;
use crate::webhooks::client::Post;
use crate::webhooks::signature::{
    sign, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};

pub async fn attempt(state: &AppState, alert: &DueAlert) -> Sent {
    let Some(secret) = &alert.webhook_secret else {
        return Sent::Refused {
            status_code: None,
            error: "the customer's webhook has no signing secret".to_owned(),
            permanent: true,
        };
    };
    let sent_at = now().unix_timestamp();
    let headers = [
        (EVENT_HEADER, alert.subject.clone()),
        (DELIVERY_HEADER, alert.id.clone()),
        (TIMESTAMP_HEADER, sent_at.to_string()),
        (SIGNATURE_HEADER, sign(secret, sent_at, &alert.body)),
    ];
    let post = Post {
        url: &alert.target,
        headers: &headers,
        body: &alert.body,
    };
    let allowed = &state.webhooks.settings.allow_private_networks;
    match state.webhooks.client.post(&post, Some(allowed)).await {
        Ok(code) if (200..300).contains(&code) => Sent::Accepted(i64::from(code)),
        Ok(code) => Sent::Refused {
            status_code: Some(i64::from(code)),
            error: format!("answered {code}"),
            permanent: false,
        },
        Err(err) => Sent::Refused {
            status_code: None,
            permanent: matches!(err, crate::webhooks::client::SendError::Internal { .. }),
            error: err.to_string(),
        },
    }
}
