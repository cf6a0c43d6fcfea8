//! `OnuProfile`: the ONU optics, status and control part of an OLT profile.

use super::columns::{LevelColumn, StatusColumn, TextColumn};
use super::index::{IndexError, OnuIndex, PonLayout, PonPort};
use super::reboot::OnuReboot;
use super::status::OnuStatus;
use super::value::RawValue;

/// Where an OLT keeps ONU optics and status, and how to reboot an ONU.
#[derive(Debug, Clone, PartialEq)]
pub struct OnuProfile {
    /// How a PON ifIndex packs frame/slot/port; `None` when only ifName can tell.
    pub pon_layout: Option<PonLayout>,
    /// Power the ONU receives, dBm.
    pub rx_power_dbm: LevelColumn,
    /// Power the ONU transmits, dBm.
    pub tx_power_dbm: Option<LevelColumn>,
    /// Power the OLT receives from the ONU, dBm.
    pub olt_rx_power_dbm: Option<LevelColumn>,
    pub temperature_c: Option<LevelColumn>,
    pub status: Option<StatusColumn>,
    /// Why an offline ONU went down (LOS, dying gasp), refining `Offline`.
    pub down_cause: Option<StatusColumn>,
    pub serial: Option<TextColumn>,
    pub name: Option<TextColumn>,
    pub reboot: Option<OnuReboot>,
}

impl OnuProfile {
    /// The ONU's status from its status value and, when the profile has one, its last down cause.
    pub fn status_of(&self, status: &RawValue, down_cause: Option<&RawValue>) -> OnuStatus {
        let Some(column) = &self.status else {
            return OnuStatus::Unknown;
        };
        let status = column.read(status);
        if status != OnuStatus::Offline {
            return status;
        }
        match (&self.down_cause, down_cause) {
            (Some(column), Some(raw)) => match column.read(raw) {
                OnuStatus::Unknown => OnuStatus::Offline,
                cause => cause,
            },
            _ => OnuStatus::Offline,
        }
    }

    /// Frame/slot/port of an ONU on a PON; `None` when the profile has no PON layout or the ONU
    /// is indexed by its own interface.
    pub fn pon_port(&self, onu: &OnuIndex) -> Option<Result<PonPort, IndexError>> {
        match (onu, &self.pon_layout) {
            (OnuIndex::OnPon { pon_index, .. }, Some(layout)) => Some(layout.decode(*pon_index)),
            _ => None,
        }
    }
}
