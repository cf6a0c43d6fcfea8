//! The profile file format as serde reads it. Strings stay strings here; `validate` checks them
//! all and reports every problem at once.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::scale::{NoValueSentinel, ScaleRule};
use super::status::{OnuStatus, TextFormat};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProfileFile {
    pub name: String,
    pub vendor: String,
    #[serde(default)]
    pub models: Vec<String>,
    #[serde(rename = "match")]
    pub match_rule: MatchFile,
    #[serde(default)]
    pub poll: PollFile,
    pub counters: CountersFile,
    pub simple_queues: Option<SimpleQueuesFile>,
    pub onu: Option<OnuFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MatchFile {
    #[serde(default)]
    pub sys_object_id_prefixes: Vec<String>,
    #[serde(default)]
    pub sys_descr_contains: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PollFile {
    pub counters_interval_s: Option<u64>,
    pub optics_interval_s: Option<u64>,
    pub fast_optics_interval_s: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CountersFile {
    pub if_name: String,
    pub in_octets_64: Option<String>,
    pub out_octets_64: Option<String>,
    pub in_octets_32: Option<String>,
    pub out_octets_32: Option<String>,
    pub high_speed_mbps: Option<String>,
    pub discontinuity_time: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SimpleQueuesFile {
    pub name: String,
    pub interface: String,
    pub bytes_in: String,
    pub bytes_out: String,
}

/// An `index` entry: a part name, or a constant sub-identifier.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum IndexPartFile {
    Fixed(u32),
    Name(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OnuFile {
    /// Default index layout for every column that does not give its own.
    pub index: Vec<IndexPartFile>,
    pub pon_layout: Option<PonLayoutFile>,
    pub rx_power: LevelFile,
    pub tx_power: Option<LevelFile>,
    pub olt_rx_power: Option<LevelFile>,
    pub temperature: Option<LevelFile>,
    pub status: Option<StatusFile>,
    pub down_cause: Option<StatusFile>,
    pub serial: Option<TextFile>,
    pub name: Option<TextFile>,
    pub reboot: Option<RebootFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PonLayoutFile {
    #[serde(default)]
    pub base: u32,
    pub frame: Option<BitFieldFile>,
    pub slot: Option<BitFieldFile>,
    pub port: BitFieldFile,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BitFieldFile {
    pub shift: u32,
    pub bits: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LevelFile {
    pub oid: String,
    pub index: Option<Vec<IndexPartFile>>,
    pub scale: ScaleRule,
    #[serde(default)]
    pub no_value: Vec<NoValueSentinel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StatusFile {
    pub oid: String,
    pub index: Option<Vec<IndexPartFile>>,
    pub values: BTreeMap<String, OnuStatus>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TextFile {
    pub oid: String,
    pub index: Option<Vec<IndexPartFile>>,
    pub format: TextFormat,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RebootFile {
    pub set: Vec<RebootVarbindFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RebootVarbindFile {
    pub oid: String,
    pub index: Option<Vec<IndexPartFile>>,
    pub integer: Option<i64>,
    pub integer_from: Option<String>,
}
