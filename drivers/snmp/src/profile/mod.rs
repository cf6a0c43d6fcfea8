//! Vendor profiles: TOML data files that tell the poller which OIDs to read from a device model
//! and how to decode them, so a NOC engineer can add a model without a rebuild.
//!
//! `load_profiles_dir` reads every `*.toml` in a folder (shipped in `config/profiles/`), checks
//! each completely and reports every problem with its file, key path and a fix hint.

mod cadence;
mod columns;
mod index;
mod load;
mod matching;
mod onu;
mod problem;
mod reboot;
mod scale;
mod schema;
mod status;
mod validate;
mod value;

pub use cadence::PollCadence;
pub use columns::{ColumnOid, LevelColumn, StatusColumn, TextColumn};
pub use index::{BitField, IndexError, IndexLayout, IndexPart, OnuIndex, PonLayout, PonPort};
pub use load::{load_profile_file, load_profiles_dir, parse_profile, ProfileSet};
pub use matching::{MatchRule, MatchStrength};
pub use onu::OnuProfile;
pub use problem::{Problem, ProfileDirError, ProfileError};
pub use reboot::{OnuReboot, RebootValue, RebootVarbind};
pub use scale::{NoValueSentinel, ScaleRule};
pub use status::{OnuStatus, TextFormat};
pub use value::{RawValue, ValueError};

use crate::Oid;

/// One validated vendor profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Unique across the profiles directory; device configuration may name it to pin a profile.
    pub name: String,
    pub vendor: String,
    pub models: Vec<String>,
    pub match_rule: MatchRule,
    pub cadence: PollCadence,
    pub counters: CounterOids,
    /// MikroTik simple queues (per-subscriber `<pppoe-USER>` queues).
    pub simple_queues: Option<SimpleQueueOids>,
    pub onu: Option<OnuProfile>,
}

/// An in/out pair of octet counter columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OctetColumns {
    pub in_octets: Oid,
    pub out_octets: Oid,
}

/// Interface counter columns; the poller prefers 64-bit counters and falls back to 32-bit ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterOids {
    pub if_name: Oid,
    pub octets_64: Option<OctetColumns>,
    pub octets_32: Option<OctetColumns>,
    /// ifHighSpeed, Mb/s: sets the rate ceiling.
    pub high_speed_mbps: Option<Oid>,
    pub discontinuity_time: Option<Oid>,
}

/// MIKROTIK-MIB simple queue columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleQueueOids {
    pub name: Oid,
    pub interface: Oid,
    pub bytes_in: Oid,
    pub bytes_out: Oid,
}
