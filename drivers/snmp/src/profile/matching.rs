//! Which devices a profile applies to, from sysObjectID and sysDescr.

use crate::Oid;

/// A device matches when every criterion given matches: one of the sysObjectID prefixes (if
/// any are listed) and one of the sysDescr substrings (if any are listed, case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRule {
    pub sys_object_id_prefixes: Vec<Oid>,
    pub sys_descr_contains: Vec<String>,
}

/// How closely a device matched a rule; higher wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MatchStrength {
    sys_descr_matched: bool,
    prefix_arcs: usize,
}

impl MatchRule {
    pub fn strength(&self, sys_object_id: &Oid, sys_descr: &str) -> Option<MatchStrength> {
        let prefix_arcs = if self.sys_object_id_prefixes.is_empty() {
            0
        } else {
            self.sys_object_id_prefixes
                .iter()
                .filter(|prefix| sys_object_id.starts_with(prefix))
                .map(|prefix| prefix.arcs().len())
                .max()?
        };
        let sys_descr_matched = !self.sys_descr_contains.is_empty();
        if sys_descr_matched {
            let descr = sys_descr.to_lowercase();
            let found = self
                .sys_descr_contains
                .iter()
                .any(|needle| descr.contains(&needle.to_lowercase()));
            if !found {
                return None;
            }
        }
        Some(MatchStrength {
            sys_descr_matched,
            prefix_arcs,
        })
    }
}
