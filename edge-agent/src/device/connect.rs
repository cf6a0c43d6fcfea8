//! Opening a device's SNMP session, identifying it and choosing its profile.

use netops_snmp::client::{
    identify_device, DeviceIdentity, SharedTransport, SnmpError, SnmpSession,
};
use netops_snmp::profile::{Profile, ProfileSet};
use thiserror::Error;

use crate::config::{DeviceConfig, ProfileChoice};

/// A device ready to poll.
#[derive(Debug, Clone)]
pub struct ConnectedDevice {
    pub name: String,
    pub kind: proto::DeviceKind,
    pub session: SnmpSession,
    pub identity: DeviceIdentity,
    pub profile: Profile,
}

#[derive(Debug, Error)]
pub enum ConnectError {
    #[error(transparent)]
    Snmp(#[from] SnmpError),
    #[error("no profile matches sysObjectID {sys_object_id} / sysDescr {sys_descr:?}; set profile = \"NAME\" for this device or add a profile")]
    NoProfileMatches {
        sys_object_id: String,
        sys_descr: String,
    },
    #[error("profile {name:?} is not in the profiles directory; check the name or profiles_dir")]
    UnknownProfile { name: String },
    #[error("device {device} has no SNMP settings (it is configured with poll = false); add snmp = {{ ... }} to it")]
    NoSnmp { device: String },
}

impl ConnectError {
    pub fn kind_label(&self) -> &'static str {
        match self {
            Self::Snmp(error) => error.kind_label(),
            Self::NoProfileMatches { .. } | Self::UnknownProfile { .. } => "profile",
            Self::NoSnmp { .. } => "config",
        }
    }
}

pub async fn connect_device(
    config: &DeviceConfig,
    transport: &SharedTransport,
    profiles: &ProfileSet,
) -> Result<ConnectedDevice, ConnectError> {
    let target = config.snmp.clone().ok_or_else(|| ConnectError::NoSnmp {
        device: config.name.clone(),
    })?;
    let session = SnmpSession::open(target, transport).await?;
    let identity = identify_device(&session).await?;
    let profile = select(config, &identity, profiles)?.clone();
    Ok(ConnectedDevice {
        name: config.name.clone(),
        kind: config.kind,
        session,
        identity,
        profile,
    })
}

fn select<'a>(
    config: &DeviceConfig,
    identity: &DeviceIdentity,
    profiles: &'a ProfileSet,
) -> Result<&'a Profile, ConnectError> {
    match &config.profile {
        ProfileChoice::Named(name) => profiles
            .get(name)
            .ok_or_else(|| ConnectError::UnknownProfile { name: name.clone() }),
        ProfileChoice::Auto => {
            identity
                .select_profile(profiles)
                .ok_or_else(|| ConnectError::NoProfileMatches {
                    sys_object_id: identity.sys_object_id.to_string(),
                    sys_descr: identity.sys_descr.clone(),
                })
        }
    }
}
