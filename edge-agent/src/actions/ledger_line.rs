//! One line of the executed-commands file, as text without I/O:
//! `<command id> TAB <fingerprint> TAB <state> TAB <detail>`, where state is `started` or a
//! final state and the detail escapes backslash, tab and newline.

use proto::{CommandId, CommandState};

use super::outcome::Outcome;

/// What the file says about one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerEntry {
    /// Execution began and no outcome was written: the agent stopped while it ran.
    Started {
        fingerprint: u64,
    },
    Finished {
        fingerprint: u64,
        outcome: Outcome,
    },
}

impl LedgerEntry {
    pub fn fingerprint(&self) -> u64 {
        match self {
            Self::Started { fingerprint } | Self::Finished { fingerprint, .. } => *fingerprint,
        }
    }
}

pub fn encode_line(id: CommandId, entry: &LedgerEntry) -> String {
    let (state, detail) = match entry {
        LedgerEntry::Started { .. } => ("started", String::new()),
        LedgerEntry::Finished { outcome, .. } => {
            (state_name(outcome.state), escape(&outcome.detail))
        }
    };
    format!("{id}\t{:016x}\t{state}\t{detail}\n", entry.fingerprint())
}

/// `None` for a line that is torn (the agent died mid-write) or otherwise unreadable.
pub fn decode_line(line: &str) -> Option<(CommandId, LedgerEntry)> {
    let mut fields = line.splitn(4, '\t');
    let id = fields.next()?.parse::<CommandId>().ok()?;
    let fingerprint = u64::from_str_radix(fields.next()?, 16).ok()?;
    let state = fields.next()?;
    let detail = unescape(fields.next()?)?;
    let entry = match state {
        "started" => LedgerEntry::Started { fingerprint },
        name => LedgerEntry::Finished {
            fingerprint,
            outcome: Outcome {
                state: state_of(name)?,
                detail,
            },
        },
    };
    Some((id, entry))
}

fn state_name(state: CommandState) -> &'static str {
    match state {
        CommandState::Accepted => "accepted",
        CommandState::Running => "running",
        CommandState::Succeeded => "succeeded",
        CommandState::Failed => "failed",
        CommandState::Rejected => "rejected",
        CommandState::TimedOut => "timed_out",
        CommandState::RolledBack => "rolled_back",
    }
}

fn state_of(name: &str) -> Option<CommandState> {
    Some(match name {
        "succeeded" => CommandState::Succeeded,
        "failed" => CommandState::Failed,
        "rejected" => CommandState::Rejected,
        "timed_out" => CommandState::TimedOut,
        "rolled_back" => CommandState::RolledBack,
        _ => return None,
    })
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '\\' => '\\',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            _ => return None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> CommandId {
        CommandId::from_bytes([0x5a; 16])
    }

    fn check(entry: LedgerEntry) {
        let line = encode_line(id(), &entry);
        assert!(
            line.ends_with('\n') && line.matches('\n').count() == 1,
            "{line:?}"
        );
        assert_eq!(
            decode_line(line.trim_end_matches('\n')),
            Some((id(), entry))
        );
    }

    #[test]
    fn lines_round_trip() {
        check(LedgerEntry::Started { fingerprint: 7 });
        check(LedgerEntry::Finished {
            fingerprint: u64::MAX,
            outcome: Outcome::failed("NAK:\t503\nline two \\ done"),
        });
        check(LedgerEntry::Finished {
            fingerprint: 0,
            outcome: Outcome::succeeded(""),
        });
        check(LedgerEntry::Finished {
            fingerprint: 9,
            outcome: Outcome::rolled_back("neighbor 10.0.0.2 did not become Established"),
        });
    }

    #[test]
    fn torn_and_foreign_lines_are_refused() {
        let line = encode_line(id(), &LedgerEntry::Started { fingerprint: 1 });
        assert_eq!(decode_line(&line[..20]), None);
        assert_eq!(decode_line("not a line"), None);
        assert_eq!(
            decode_line(&format!("{}\t01\trunning\t", id())),
            None,
            "running is never a stored outcome"
        );
        assert_eq!(decode_line(&format!("{}\t01\tfailed\tbad \\x", id())), None);
    }
}
