//! How one accounting packet moves a PPPoE session. Packets arrive duplicated, late and out of
//! order (UDP, NAS retransmits, FreeRADIUS retries), so every decision looks at what is stored:
//! counters only grow, a closed session is not reopened by a late Interim-Update or a repeated
//! Start, and a Stop always wins over a guess (a stale or NAS-restart close).

/// `Acct-Status-Type` values netops acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcctStatus {
    Start,
    InterimUpdate,
    Stop,
    /// The NAS (re)started: every session it had is gone.
    AccountingOn,
    /// The NAS is going down: every session it has ends.
    AccountingOff,
}

impl AcctStatus {
    /// Parses the dictionary name FreeRADIUS sends, or the RFC 2866 number.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "Start" | "1" => Some(Self::Start),
            "Stop" | "2" => Some(Self::Stop),
            "Interim-Update" | "Alive" | "3" => Some(Self::InterimUpdate),
            "Accounting-On" | "7" => Some(Self::AccountingOn),
            "Accounting-Off" | "8" => Some(Self::AccountingOff),
            _ => None,
        }
    }
}

/// Why a session row was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// An Accounting-Request Stop.
    Stop,
    /// No accounting for too long; a guess that an Interim-Update or Stop can correct.
    Stale,
    /// The NAS sent Accounting-On or Accounting-Off.
    NasRestart,
}

impl CloseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stop => "stop",
            Self::Stale => "stale",
            Self::NasRestart => "nas-restart",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "stop" => Some(Self::Stop),
            "stale" => Some(Self::Stale),
            "nas-restart" => Some(Self::NasRestart),
            _ => None,
        }
    }
}

/// A Start, Interim-Update or Stop for one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionReport {
    pub status: AcctStatus,
    pub framed_ip: Option<String>,
    pub calling_station_id: Option<String>,
    /// The NAS's input: the subscriber's upload.
    pub input_octets: i64,
    /// The NAS's output: the subscriber's download.
    pub output_octets: i64,
    pub session_time_secs: i64,
    pub terminate_cause: Option<String>,
    /// When the NAS saw the event: our receive time minus `Acct-Delay-Time`.
    pub event_at_ms: i64,
}

impl SessionReport {
    /// When the session began, by this packet's own account.
    pub fn implied_start_ms(&self) -> i64 {
        self.event_at_ms
            .saturating_sub(self.session_time_secs.saturating_mul(1000))
    }
}

/// The state of a stored session that a packet can change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionState {
    pub started_at_ms: i64,
    pub updated_at_ms: i64,
    pub stopped_at_ms: Option<i64>,
    pub close_reason: Option<CloseReason>,
    pub framed_ip: Option<String>,
    pub calling_station_id: Option<String>,
    pub input_octets: i64,
    pub output_octets: i64,
    pub session_time_secs: i64,
    pub terminate_cause: Option<String>,
}

/// A packet of a closed session may still be that session's when it started up to this long
/// from the stored start: a retransmitted Start whose `Acct-Delay-Time` was not raised.
pub const SAME_SESSION_TOLERANCE_MS: i64 = 60_000;

/// What to do with the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionChange {
    /// A session not seen before (its Start may have been lost).
    Insert(SessionState),
    /// The stored session, as it is after this packet.
    Update(SessionState),
    /// Nothing changes; the text says why, for the log.
    Ignore(&'static str),
}

/// Decides the change for `report` given the open session with its key, if any, and else the
/// newest closed one.
pub fn apply(
    report: &SessionReport,
    open: Option<&SessionState>,
    latest_closed: Option<&SessionState>,
) -> SessionChange {
    if let Some(open) = open {
        return match report.status {
            AcctStatus::Start => {
                let merged = merge(open, report);
                if merged == *open {
                    SessionChange::Ignore("repeated Start of an open session")
                } else {
                    SessionChange::Update(merged)
                }
            }
            AcctStatus::Stop => SessionChange::Update(stop(merge(open, report), report)),
            _ => SessionChange::Update(merge(open, report)),
        };
    }
    if let Some(last) = latest_closed.filter(|last| same_session(report, last)) {
        return match (report.status, last.close_reason) {
            (AcctStatus::Start, _) => SessionChange::Ignore("Start of a session already closed"),
            (AcctStatus::InterimUpdate, Some(CloseReason::Stale)) => {
                // The session was only presumed dead: it is alive after all.
                let mut reopened = merge(last, report);
                reopened.stopped_at_ms = None;
                reopened.close_reason = None;
                reopened.terminate_cause = None;
                SessionChange::Update(reopened)
            }
            (AcctStatus::InterimUpdate, _) => {
                SessionChange::Ignore("Interim-Update after the session closed")
            }
            (AcctStatus::Stop, Some(CloseReason::Stop)) => {
                let mut merged = merge(last, report);
                merged.updated_at_ms = last.updated_at_ms;
                if merged == *last {
                    SessionChange::Ignore("repeated Stop")
                } else {
                    SessionChange::Update(merged)
                }
            }
            _ => SessionChange::Update(stop(merge(last, report), report)),
        };
    }
    let started_at_ms = match report.status {
        AcctStatus::Start => report.event_at_ms,
        _ => report.implied_start_ms(),
    };
    let fresh = SessionState {
        started_at_ms,
        updated_at_ms: report.event_at_ms,
        stopped_at_ms: None,
        close_reason: None,
        framed_ip: report.framed_ip.clone(),
        calling_station_id: report.calling_station_id.clone(),
        input_octets: report.input_octets.max(0),
        output_octets: report.output_octets.max(0),
        session_time_secs: report.session_time_secs.max(0),
        terminate_cause: None,
    };
    match report.status {
        AcctStatus::Stop => SessionChange::Insert(stop(fresh, report)),
        _ => SessionChange::Insert(fresh),
    }
}

/// Whether a packet belongs to the stored closed session rather than a new one that reuses
/// its Acct-Session-Id (some NAS count ids from the same start after a reboot). After a NAS
/// restart only packets of sessions begun before it are old; otherwise a start close to the
/// stored one is a retransmission.
fn same_session(report: &SessionReport, last: &SessionState) -> bool {
    let start = report.implied_start_ms();
    let began_before_close = last.stopped_at_ms.is_none_or(|stopped| start <= stopped);
    let retransmitted = last.close_reason != Some(CloseReason::NasRestart)
        && (start - last.started_at_ms).abs() <= SAME_SESSION_TOLERANCE_MS;
    began_before_close || retransmitted
}

/// Counters and time only grow; addresses fill in; the newest event time is kept.
fn merge(stored: &SessionState, report: &SessionReport) -> SessionState {
    SessionState {
        started_at_ms: stored.started_at_ms,
        updated_at_ms: stored.updated_at_ms.max(report.event_at_ms),
        stopped_at_ms: stored.stopped_at_ms,
        close_reason: stored.close_reason,
        framed_ip: report
            .framed_ip
            .clone()
            .or_else(|| stored.framed_ip.clone()),
        calling_station_id: report
            .calling_station_id
            .clone()
            .or_else(|| stored.calling_station_id.clone()),
        input_octets: stored.input_octets.max(report.input_octets),
        output_octets: stored.output_octets.max(report.output_octets),
        session_time_secs: stored.session_time_secs.max(report.session_time_secs),
        terminate_cause: stored.terminate_cause.clone(),
    }
}

fn stop(mut state: SessionState, report: &SessionReport) -> SessionState {
    state.stopped_at_ms = Some(report.event_at_ms.max(state.started_at_ms));
    state.close_reason = Some(CloseReason::Stop);
    state.terminate_cause = report.terminate_cause.clone();
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_771_000_000_000;

    fn report(
        status: AcctStatus,
        at_secs: i64,
        session_secs: i64,
        octets: (i64, i64),
    ) -> SessionReport {
        SessionReport {
            status,
            framed_ip: Some("100.64.0.10".to_owned()),
            calling_station_id: Some("AA:BB:CC:DD:EE:01".to_owned()),
            input_octets: octets.0,
            output_octets: octets.1,
            session_time_secs: session_secs,
            terminate_cause: (status == AcctStatus::Stop).then(|| "User-Request".to_owned()),
            event_at_ms: T0 + at_secs * 1000,
        }
    }

    /// Runs packets through `apply` the way the store does and returns the rows.
    fn run(packets: &[SessionReport]) -> Vec<SessionState> {
        let mut rows: Vec<SessionState> = Vec::new();
        for packet in packets {
            let open = rows.iter().position(|r| r.stopped_at_ms.is_none());
            let closed = rows.iter().rposition(|r| r.stopped_at_ms.is_some());
            let change = apply(
                packet,
                open.map(|i| &rows[i]),
                if open.is_some() {
                    None
                } else {
                    closed.map(|i| &rows[i])
                },
            );
            match change {
                SessionChange::Insert(row) => rows.push(row),
                SessionChange::Update(row) => {
                    let i = open.or(closed).expect("update of a known row");
                    rows[i] = row;
                }
                SessionChange::Ignore(_) => {}
            }
        }
        rows
    }

    #[test]
    fn start_interim_stop() {
        let rows = run(&[
            report(AcctStatus::Start, 0, 0, (0, 0)),
            report(AcctStatus::InterimUpdate, 300, 300, (1_000, 5_000)),
            report(AcctStatus::Stop, 400, 400, (2_000, 9_000)),
        ]);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.started_at_ms, T0);
        assert_eq!(row.stopped_at_ms, Some(T0 + 400_000));
        assert_eq!((row.input_octets, row.output_octets), (2_000, 9_000));
        assert_eq!(row.close_reason, Some(CloseReason::Stop));
        assert_eq!(row.terminate_cause.as_deref(), Some("User-Request"));
    }

    #[test]
    fn duplicates_and_reordering_do_not_corrupt() {
        let start = report(AcctStatus::Start, 0, 0, (0, 0));
        let interim_1 = report(AcctStatus::InterimUpdate, 300, 300, (1_000, 5_000));
        let interim_2 = report(AcctStatus::InterimUpdate, 600, 600, (3_000, 8_000));
        let stop = report(AcctStatus::Stop, 700, 700, (3_500, 9_000));
        let expected = run(&[
            start.clone(),
            interim_1.clone(),
            interim_2.clone(),
            stop.clone(),
        ]);
        let orders: [&[SessionReport]; 5] = [
            &[
                start.clone(),
                start.clone(),
                interim_1.clone(),
                interim_2.clone(),
                stop.clone(),
            ],
            &[
                start.clone(),
                interim_2.clone(),
                interim_1.clone(),
                stop.clone(),
            ],
            &[
                start.clone(),
                interim_1.clone(),
                interim_2.clone(),
                stop.clone(),
                interim_1.clone(),
            ],
            &[
                start.clone(),
                interim_1.clone(),
                interim_2.clone(),
                stop.clone(),
                stop.clone(),
            ],
            &[
                start.clone(),
                interim_1.clone(),
                interim_2.clone(),
                stop.clone(),
                start.clone(),
            ],
        ];
        for packets in orders {
            let rows = run(packets);
            assert_eq!(rows, expected, "{packets:?}");
        }
    }

    #[test]
    fn missed_start_is_inferred_from_session_time() {
        let rows = run(&[report(AcctStatus::InterimUpdate, 300, 300, (10, 20))]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].started_at_ms, T0);
        assert_eq!(rows[0].stopped_at_ms, None);
        let rows = run(&[report(AcctStatus::Stop, 300, 250, (10, 20))]);
        assert_eq!(rows[0].started_at_ms, T0 + 50_000);
        assert_eq!(rows[0].stopped_at_ms, Some(T0 + 300_000));
    }

    #[test]
    fn stale_close_is_corrected_by_later_packets() {
        let mut stale = run(&[report(AcctStatus::Start, 0, 0, (0, 0))]).remove(0);
        stale.stopped_at_ms = Some(stale.updated_at_ms);
        stale.close_reason = Some(CloseReason::Stale);
        let interim = report(AcctStatus::InterimUpdate, 2_000, 2_000, (5, 6));
        match apply(&interim, None, Some(&stale)) {
            SessionChange::Update(row) => {
                assert_eq!(row.stopped_at_ms, None, "reopened");
                assert_eq!(row.close_reason, None);
                assert_eq!(row.output_octets, 6);
            }
            other => panic!("{other:?}"),
        }
        let stop = report(AcctStatus::Stop, 2_100, 2_100, (7, 8));
        match apply(&stop, None, Some(&stale)) {
            SessionChange::Update(row) => {
                assert_eq!(row.stopped_at_ms, Some(T0 + 2_100_000));
                assert_eq!(row.close_reason, Some(CloseReason::Stop));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reused_session_id_after_close_is_a_new_session() {
        let mut old = run(&[report(AcctStatus::Start, 0, 0, (0, 0))]).remove(0);
        old.stopped_at_ms = Some(T0 + 10_000);
        old.close_reason = Some(CloseReason::NasRestart);
        let start = report(AcctStatus::Start, 3_600, 0, (0, 0));
        assert!(matches!(
            apply(&start, None, Some(&old)),
            SessionChange::Insert(_)
        ));
        // A NAS that reboots fast reuses the id within seconds: still a new session.
        let quick = report(AcctStatus::Start, 11, 0, (0, 0));
        assert!(matches!(
            apply(&quick, None, Some(&old)),
            SessionChange::Insert(_)
        ));
        // A Start from before the restart, delivered late, is old.
        let late = report(AcctStatus::Start, 5, 0, (0, 0));
        assert!(matches!(
            apply(&late, None, Some(&old)),
            SessionChange::Ignore(_)
        ));
    }

    #[test]
    fn status_names_and_numbers() {
        let check = |text: &str, expected: Option<AcctStatus>| {
            assert_eq!(AcctStatus::parse(text), expected, "{text}");
        };
        check("Start", Some(AcctStatus::Start));
        check("Interim-Update", Some(AcctStatus::InterimUpdate));
        check("3", Some(AcctStatus::InterimUpdate));
        check("Stop", Some(AcctStatus::Stop));
        check("Accounting-On", Some(AcctStatus::AccountingOn));
        check("8", Some(AcctStatus::AccountingOff));
        check("Failed", None);
    }
}
