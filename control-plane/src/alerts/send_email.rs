//! One email attempt: the alert rendered as a message and handed to the relay.

use super::outbox::Sent;
use crate::domain::time::now;
use crate::email::address::EmailAddress;
use crate::email::message::{render, Email};
use crate::http::AppState;
use crate::store::alerts::DueAlert;

pub async fn attempt(state: &AppState, alert: &DueAlert) -> Sent {
    let Some((relay, from)) = &state.email.relay else {
        return refused("email is not configured ([email] host)".to_owned(), false);
    };
    let to = match EmailAddress::parse(&alert.target) {
        Ok(to) => to,
        Err(why) => return refused(format!("recipient {why}"), true),
    };
    let email = Email {
        from: from.clone(),
        to,
        subject: alert.subject.clone(),
        body: alert.body.clone(),
    };
    // The delivery id is the Message-ID, the same on every retry, so a relay that accepted
    // a message whose answer was lost can tell the repeat.
    let message = render(&email, now(), &alert.id);
    match relay.send(&email, &message).await {
        Ok(()) => Sent::Accepted(250),
        Err(err) => {
            let code = match &err {
                crate::email::smtp::SmtpError::Refused { reply, .. } => Some(i64::from(reply.code)),
                _ => None,
            };
            Sent::Refused {
                status_code: code,
                permanent: err.is_permanent(),
                error: err.to_string(),
            }
        }
    }
}

fn refused(error: String, permanent: bool) -> Sent {
    Sent::Refused {
        status_code: None,
        error,
        permanent,
    }
}
