//! Errors of loading profiles: every problem in a file, each with its key path and a fix hint.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

/// One thing wrong in a profile file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key path, e.g. `onu.rx_power.oid`.
    pub key: String,
    pub message: String,
    /// What the NOC engineer should change.
    pub hint: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}; {}", self.key, self.message, self.hint)
    }
}

/// A profile file that cannot be used.
#[derive(Debug, Error)]
pub enum ProfileError {
    #[error("cannot read profile {}: {source}; check the file exists and is readable", file.display())]
    Unreadable {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("profile {} is invalid:{}", file.display(), bulleted(problems))]
    Invalid {
        file: PathBuf,
        problems: Vec<Problem>,
    },
}

impl ProfileError {
    /// The problems found, empty for an unreadable file.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Unreadable { .. } => &[],
            Self::Invalid { problems, .. } => problems,
        }
    }
}

/// Why a profiles directory cannot be loaded.
#[derive(Debug, Error)]
pub enum ProfileDirError {
    #[error("cannot read profiles directory {}: {source}; point the agent at the folder holding the *.toml profiles (shipped in config/profiles)", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no *.toml profiles in {}; copy the shipped profiles from config/profiles", path.display())]
    Empty { path: PathBuf },
    #[error("{} profile files cannot be used:{}", errors.len(), bulleted(errors))]
    Invalid { errors: Vec<ProfileError> },
}

fn bulleted<T: fmt::Display>(items: &[T]) -> String {
    items.iter().map(|item| format!("\n  - {item}")).collect()
}

/// The dotted key path at a byte offset of a TOML text: the enclosing `[table]` header and the
/// key on that line. Good enough to point a NOC engineer at the right line of a profile.
pub(super) fn key_path_at(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
    if let Some(header) = table_header(line) {
        return header;
    }
    let table = text[..line_start].lines().rev().find_map(table_header);
    let key = line
        .split_once('=')
        .map(|(key, _)| key.trim().trim_matches('"').to_owned());
    match (table, key) {
        (Some(table), Some(key)) => format!("{table}.{key}"),
        (Some(table), None) => table,
        (None, Some(key)) => key,
        (None, None) => "(top level)".to_owned(),
    }
}

/// `[onu.rx_power]` or `[[onu.reboot.set]]` gives `onu.rx_power` or `onu.reboot.set`.
fn table_header(line: &str) -> Option<String> {
    let line = line.trim();
    line.starts_with('[').then(|| {
        line.trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_owned()
    })
}

/// 1-based line number of a byte offset.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"x\"\n\n[onu.rx_power]\noid = \"1.3\"\nscale = { kind = \"linear\" }\n\n[[onu.reboot.set]]\ninteger = 1\n";

    fn check(needle: &str, expected_key: &str, expected_line: usize) {
        let offset = TEXT
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in text"));
        assert_eq!(key_path_at(TEXT, offset), expected_key, "{needle}");
        assert_eq!(line_of(TEXT, offset), expected_line, "{needle}");
    }

    #[test]
    fn key_paths() {
        check("name", "name", 1);
        check("[onu.rx", "onu.rx_power", 3);
        check("oid", "onu.rx_power.oid", 4);
        check("kind", "onu.rx_power.scale", 5);
        check("integer", "onu.reboot.set.integer", 8);
        assert_eq!(key_path_at("", 0), "(top level)");
        assert_eq!(key_path_at(TEXT, 10_000), "onu.reboot.set");
    }
}
