//! PPPoE session actions on a BRAS over RFC 5176: disconnect (confirmed by the session leaving
//! the BRAS's interface table) and speed change by CoA, falling back to one disconnect when the
//! BRAS refuses the CoA so the new rate applies at re-login.

use netops_radius::{DacError, DacReply, ErrorCause, RateLimit};

use super::context::{ActionContext, Progress};
use super::outcome::Outcome;
use super::plan::{describe_rate, SessionAction};
use super::session_table::{pppoe_interface, wait_until_gone, SessionCheck};

/// Error-Cause 503 Session-Context-Not-Found: the subscriber has no session to change.
const SESSION_NOT_FOUND: ErrorCause = ErrorCause(503);

/// Disconnect-Request, then confirmation that the session is really gone.
pub async fn disconnect(
    context: &ActionContext,
    action: &SessionAction,
    progress: &Progress,
) -> Outcome {
    match send_disconnect(context, action, progress).await {
        Ok(confirmed) => Outcome::succeeded(confirmed),
        Err(outcome) => outcome,
    }
}

/// CoA with the new rate; on a NAK (other than "no such session"), one disconnect.
pub async fn change_speed(
    context: &ActionContext,
    action: &SessionAction,
    rate: &RateLimit,
    download_bps: u64,
    upload_bps: u64,
    progress: &Progress,
) -> Outcome {
    let nas = action.radius.nas.addr;
    let words = describe_rate(rate, download_bps, upload_bps);
    progress.set(format!(
        "waiting for the BRAS at {nas} to answer the CoA-Request"
    ));
    let causes = match context
        .dac
        .change_rate(&action.radius.nas, &action.session, rate)
        .await
    {
        Ok(DacReply::Ack) => {
            return Outcome::succeeded(format!(
                "changed in place by CoA to {words}; the session stayed up"
            ))
        }
        Ok(DacReply::Nak(causes)) => causes,
        Err(error) => return dac_error("CoA-Request", error),
    };
    let refused = format!("CoA refused ({})", causes_in_words(&causes));
    if causes.contains(&SESSION_NOT_FOUND) {
        return Outcome::failed(format!(
            "{refused}; the subscriber is not connected, so the new rate applies at the next login if the RADIUS profile has it"
        ));
    }
    tracing::info!(user = %action.session.user_name, %nas, "CoA refused; falling back to one disconnect");
    match send_disconnect(context, action, progress).await {
        Ok(_) => Outcome::succeeded(format!(
            "{refused}; disconnected so the new rate ({words}) applies at re-login"
        )),
        Err(outcome) => Outcome {
            state: outcome.state,
            detail: format!("{refused}; fallback disconnect: {}", outcome.detail),
        },
    }
}

/// Sends the Disconnect-Request and confirms; `Ok` carries the success detail.
async fn send_disconnect(
    context: &ActionContext,
    action: &SessionAction,
    progress: &Progress,
) -> Result<String, Outcome> {
    let nas = action.radius.nas.addr;
    let user = &action.session.user_name;
    progress.set(format!(
        "waiting for the BRAS at {nas} to answer the Disconnect-Request"
    ));
    match context
        .dac
        .disconnect(&action.radius.nas, &action.session)
        .await
    {
        Ok(DacReply::Ack) => {}
        Ok(DacReply::Nak(causes)) => {
            return Err(Outcome::failed(format!(
                "the BRAS refused the disconnect ({})",
                causes_in_words(&causes)
            )))
        }
        Err(error) => return Err(dac_error("Disconnect-Request", error)),
    }
    let interface = pppoe_interface(user);
    progress.set(format!(
        "Disconnect-ACK received; waiting for {interface} to leave the BRAS's interface table"
    ));
    match wait_until_gone(context, &action.bras, user).await {
        SessionCheck::Gone { after } => Ok(format!(
            "disconnected: the BRAS acknowledged and {interface} left its interface table within {} ms",
            after.as_millis()
        )),
        SessionCheck::StillUp { waited } => Err(Outcome::failed(format!(
            "the BRAS acknowledged the disconnect but the session is still up ({interface} still in its interface table after {} s)",
            waited.as_secs()
        ))),
        SessionCheck::Unknown(error) => Err(Outcome::failed(format!(
            "the BRAS acknowledged the disconnect but the session could not be checked over SNMP: {error}"
        ))),
    }
}

fn dac_error(request: &str, error: DacError) -> Outcome {
    match error {
        DacError::Timeout { .. } => Outcome::timed_out(format!("{request}: {error}")),
        other => Outcome::failed(format!("{request}: {other}")),
    }
}

fn causes_in_words(causes: &[ErrorCause]) -> String {
    if causes.is_empty() {
        return "NAK without an Error-Cause".to_owned();
    }
    causes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
