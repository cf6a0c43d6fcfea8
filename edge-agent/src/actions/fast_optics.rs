//! Fast optics polling of one ONU: the OLT's optics loop is asked to watch it, and the command
//! succeeds once the first fast reading has been sent towards the control plane.

use tokio::sync::oneshot;
use tokio::time::Instant;

use super::context::Progress;
use super::outcome::Outcome;
use super::plan::{seconds_text, FastPoll};
use crate::device::{FirstReading, OpticsWatch, WatchError, WatchRequest};

pub async fn fast_poll_optics(
    watch: Option<&OpticsWatch>,
    poll: &FastPoll,
    answer_by: Instant,
    progress: &Progress,
) -> Outcome {
    let FastPoll {
        olt, pon, onu_id, ..
    } = poll;
    let Some(watch) = watch else {
        return Outcome::failed(format!(
            "OLT {olt} has no optics loop on this agent, so no ONU on it can be polled"
        ));
    };
    let (answer, answered) = oneshot::channel();
    let request = WatchRequest {
        pon: *pon,
        onu_id: *onu_id,
        every: poll.every,
        for_duration: poll.for_duration,
        answer,
    };
    match watch.watch(request) {
        Ok(()) => {}
        Err(WatchError::NoOpticsLoop) => {
            return Outcome::failed(format!(
            "OLT {olt} has no optics loop: its profile describes no ONUs, or the agent is stopping"
        ))
        }
        Err(WatchError::Busy) => {
            return Outcome::failed(format!(
                "the optics loop of OLT {olt} has too many requests waiting; try again shortly"
            ))
        }
    }
    progress.set(format!(
        "waiting for the first reading of ONU {onu_id} on PON {pon} from OLT {olt}"
    ));
    match tokio::time::timeout_at(answer_by, answered).await {
        Ok(Ok(Ok(first))) => Outcome::succeeded(watching_words(poll, &first)),
        Ok(Ok(Err(reason))) => Outcome::failed(reason),
        Ok(Err(_)) => Outcome::failed(format!(
            "the optics loop of OLT {olt} stopped before reading ONU {onu_id}: its profile describes no ONUs, or the agent is stopping"
        )),
        // Dropping the receiver tells the loop not to start this watch later.
        Err(_) => Outcome::failed(format!(
            "no reading of ONU {onu_id} on PON {pon} from OLT {olt} in time: the OLT does not answer SNMP, is still being identified, or a full optics walk of it is still running"
        )),
    }
}

/// The result text: the first reading and the cadence, with every bound that was applied.
fn watching_words(poll: &FastPoll, first: &FirstReading) -> String {
    let level = match first.rx_power_dbm {
        Some(dbm) => format!("receiving {dbm:.2} dBm"),
        None => "with no receive level".to_owned(),
    };
    let mut text = format!(
        "first fast reading sent: ONU {} on PON {} of {} is {} {level}; polling it every {} s for {} s",
        poll.onu_id,
        poll.pon,
        poll.olt,
        status_words(first.status),
        seconds_text(first.every),
        seconds_text(poll.for_duration),
    );
    let mut bounded = poll.bounded.clone();
    if first.every > poll.every {
        bounded.push(format!(
            "profile {} polls one ONU at most every {} s",
            first.profile,
            seconds_text(first.profile_fastest)
        ));
    }
    if !bounded.is_empty() {
        text.push_str(&format!(" ({})", bounded.join("; ")));
    }
    text
}

fn status_words(status: netops_snmp::profile::OnuStatus) -> &'static str {
    use netops_snmp::profile::OnuStatus;
    match status {
        OnuStatus::Online => "online",
        OnuStatus::Offline => "offline",
        OnuStatus::Los => "in loss of signal",
        OnuStatus::DyingGasp => "down after a dying gasp",
        OnuStatus::AuthFailed => "failing authentication",
        OnuStatus::Ranging => "ranging",
        OnuStatus::Unknown => "in an unknown state",
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use netops_snmp::profile::OnuStatus;
    use proto::PonPort;

    use super::*;

    fn check(asked_every_s: u64, first_every_s: u64, bounded: &[&str], expected: &str) {
        let poll = FastPoll {
            olt: "olt-1".into(),
            pon: PonPort {
                frame: 0,
                slot: 1,
                port: 3,
            },
            onu_id: 7,
            every: Duration::from_secs(asked_every_s),
            for_duration: Duration::from_secs(120),
            bounded: bounded.iter().map(|b| b.to_string()).collect(),
        };
        let first = FirstReading {
            status: OnuStatus::Online,
            rx_power_dbm: Some(-19.5),
            every: Duration::from_secs(first_every_s),
            profile_fastest: Duration::from_secs(10),
            profile: "huawei-ma56xx-gpon".into(),
        };
        assert_eq!(watching_words(&poll, &first), expected);
    }

    #[test]
    fn results_say_the_cadence_and_every_bound() {
        check(
            20,
            20,
            &[],
            "first fast reading sent: ONU 7 on PON 0/1/3 of olt-1 is online receiving -19.50 dBm; polling it every 20 s for 120 s",
        );
        check(
            2,
            10,
            &["asked every 0.5 s; netops polls one ONU at most every 2 s"],
            "first fast reading sent: ONU 7 on PON 0/1/3 of olt-1 is online receiving -19.50 dBm; polling it every 10 s for 120 s (asked every 0.5 s; netops polls one ONU at most every 2 s; profile huawei-ma56xx-gpon polls one ONU at most every 10 s)",
        );
    }
}
