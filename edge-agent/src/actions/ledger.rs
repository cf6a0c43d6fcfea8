//! `CommandLedger`: the executed-commands file in the spool folder, so a command re-sent by the
//! control plane (after a reconnect, or after the agent restarted) never runs twice.
//!
//! It is append-only: a `started` line is synced to disk before a command runs, its outcome line
//! when it ends. On open the file is read back; a torn last line is ignored. It keeps the most
//! recent `capacity` commands and is rewritten (temporary file, then rename) when it holds
//! twice that many lines.

use std::collections::{HashMap, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use proto::CommandId;
use thiserror::Error;

pub use super::ledger_line::LedgerEntry;
use super::ledger_line::{decode_line, encode_line};

/// The file's name inside the spool folder.
pub const LEDGER_FILE: &str = "executed-commands.log";

#[derive(Debug, Error)]
pub enum LedgerError {
    #[error("cannot use the executed-commands file {}: {source}; check that the spool folder is writable", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

pub struct CommandLedger {
    path: PathBuf,
    file: File,
    entries: HashMap<CommandId, LedgerEntry>,
    /// Command ids, oldest first, for eviction.
    order: VecDeque<CommandId>,
    capacity: usize,
    lines_in_file: usize,
}

impl CommandLedger {
    /// Opens (or creates) the file in `dir` and reads back what earlier runs recorded.
    pub fn open(dir: &Path, capacity: usize) -> Result<Self, LedgerError> {
        let path = dir.join(LEDGER_FILE);
        let io_error = |source| LedgerError::Io {
            path: path.clone(),
            source,
        };
        fs::create_dir_all(dir).map_err(io_error)?;
        let text = match fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(error) if error.kind() == io::ErrorKind::NotFound => String::new(),
            Err(error) => return Err(io_error(error)),
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io_error)?;
        let mut ledger = Self {
            file,
            path: path.clone(),
            entries: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
            lines_in_file: 0,
        };
        let mut unreadable = 0usize;
        for line in text.lines() {
            ledger.lines_in_file += 1;
            match decode_line(line) {
                Some((id, entry)) => ledger.remember(id, entry),
                None => unreadable += 1,
            }
        }
        if unreadable > 0 {
            tracing::warn!(path = %ledger.path.display(), unreadable, "ignored unreadable lines in the executed-commands file (a write cut short by a crash)");
        }
        if !text.is_empty() && !text.ends_with('\n') {
            // Start the next record on its own line after a torn write.
            ledger.file.write_all(b"\n").map_err(io_error)?;
        }
        Ok(ledger)
    }

    pub fn get(&self, id: CommandId) -> Option<&LedgerEntry> {
        self.entries.get(&id)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Appends and syncs the entry, then remembers it.
    pub fn record(&mut self, id: CommandId, entry: LedgerEntry) -> Result<(), LedgerError> {
        let line = encode_line(id, &entry);
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|source| LedgerError::Io {
                path: self.path.clone(),
                source,
            })?;
        self.lines_in_file += 1;
        self.remember(id, entry);
        if self.lines_in_file > self.capacity.saturating_mul(2) {
            self.compact()?;
        }
        Ok(())
    }

    fn remember(&mut self, id: CommandId, entry: LedgerEntry) {
        if self.entries.insert(id, entry).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.entries.remove(&oldest);
            }
        }
    }

    /// Rewrites the file with only the remembered commands.
    fn compact(&mut self) -> Result<(), LedgerError> {
        let tmp = self.path.with_extension("log.tmp");
        let io_error = |source| LedgerError::Io {
            path: tmp.clone(),
            source,
        };
        let mut text = String::new();
        for id in &self.order {
            if let Some(entry) = self.entries.get(id) {
                text.push_str(&encode_line(*id, entry));
            }
        }
        let mut file = File::create(&tmp).map_err(io_error)?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(io_error)?;
        fs::rename(&tmp, &self.path).map_err(io_error)?;
        self.file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(io_error)?;
        self.lines_in_file = self.order.len();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::outcome::Outcome;
    use super::*;

    fn id(n: u8) -> CommandId {
        CommandId::from_bytes([n; 16])
    }

    #[test]
    fn survives_reopening_and_stays_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = CommandLedger::open(dir.path(), 3).unwrap();
        ledger
            .record(id(1), LedgerEntry::Started { fingerprint: 9 })
            .unwrap();
        for n in 2..=8 {
            ledger
                .record(id(n), LedgerEntry::Started { fingerprint: 9 })
                .unwrap();
            let finished = LedgerEntry::Finished {
                fingerprint: 9,
                outcome: Outcome::succeeded(format!("done {n}")),
            };
            ledger.record(id(n), finished).unwrap();
        }
        drop(ledger);
        let text = fs::read_to_string(dir.path().join(LEDGER_FILE)).unwrap();
        assert!(text.lines().count() <= 6, "{text}");
        let ledger = CommandLedger::open(dir.path(), 3).unwrap();
        assert_eq!(ledger.len(), 3);
        assert_eq!(ledger.get(id(1)), None);
        assert_eq!(
            ledger.get(id(8)),
            Some(&LedgerEntry::Finished {
                fingerprint: 9,
                outcome: Outcome::succeeded("done 8"),
            })
        );
    }

    #[test]
    fn a_torn_last_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = CommandLedger::open(dir.path(), 10).unwrap();
        ledger
            .record(id(1), LedgerEntry::Started { fingerprint: 1 })
            .unwrap();
        drop(ledger);
        let path = dir.path().join(LEDGER_FILE);
        let mut text = fs::read_to_string(&path).unwrap();
        text.push_str("0101");
        fs::write(&path, text).unwrap();
        let mut ledger = CommandLedger::open(dir.path(), 10).unwrap();
        assert_eq!(
            ledger.get(id(1)),
            Some(&LedgerEntry::Started { fingerprint: 1 })
        );
        ledger
            .record(id(2), LedgerEntry::Started { fingerprint: 2 })
            .unwrap();
        let ledger = CommandLedger::open(dir.path(), 10).unwrap();
        assert_eq!(ledger.len(), 2);
    }
}
