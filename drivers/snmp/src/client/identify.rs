//! Identifying a device (sysDescr, sysObjectID, sysUpTime) and choosing its profile.

use super::convert::{text, time_ticks};
use super::{SnmpError, SnmpSession};
use crate::profile::{Profile, ProfileSet};
use crate::{well_known, Oid};

/// What a device says it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceIdentity {
    pub sys_descr: String,
    pub sys_object_id: Oid,
    pub sys_uptime_cs: u32,
}

impl DeviceIdentity {
    /// The closest matching profile (see `ProfileSet::select`).
    pub fn select_profile<'a>(&self, profiles: &'a ProfileSet) -> Option<&'a Profile> {
        profiles.select(&self.sys_object_id, &self.sys_descr)
    }
}

/// GETs sysDescr.0, sysObjectID.0 and sysUpTime.0 in one request.
pub async fn identify_device(session: &SnmpSession) -> Result<DeviceIdentity, SnmpError> {
    let oids = [
        well_known::sys_descr(),
        well_known::sys_object_id(),
        well_known::sys_uptime(),
    ];
    let values = session.get(&oids).await?;
    let find = |wanted: &Oid| {
        values
            .iter()
            .find(|(oid, _)| oid == wanted)
            .map(|(_, value)| value)
            .ok_or_else(|| SnmpError::NoSuchObject {
                target: session.peer(),
                oid: wanted.clone(),
            })
    };
    let malformed = |oid: &Oid, value: &async_snmp::Value| {
        if value.is_exception() {
            SnmpError::NoSuchObject {
                target: session.peer(),
                oid: oid.clone(),
            }
        } else {
            SnmpError::MalformedResponse {
                target: session.peer(),
                detail: format!("{oid} has unexpected value {value:?}"),
            }
        }
    };
    let descr = find(&oids[0])?;
    let sys_descr = text(descr).ok_or_else(|| malformed(&oids[0], descr))?;
    let object_id = find(&oids[1])?;
    let sys_object_id = object_id
        .as_oid()
        .map(|oid| Oid::from_arcs(oid.arcs().to_vec()))
        .ok_or_else(|| malformed(&oids[1], object_id))?;
    let uptime = find(&oids[2])?;
    let sys_uptime_cs = time_ticks(uptime).ok_or_else(|| malformed(&oids[2], uptime))?;
    Ok(DeviceIdentity {
        sys_descr,
        sys_object_id,
        sys_uptime_cs,
    })
}
