//! ONU optics walks: every column the OLT's profile names, decoded into readings per ONU.

use std::collections::BTreeMap;

use super::convert::raw_value;
use super::table::TableWalk;
use super::{SnmpError, SnmpSession};
use crate::profile::{
    ColumnOid, LevelColumn, OnuIndex, OnuProfile, OnuStatus, RawValue, TextColumn,
};
use crate::Oid;

/// One ONU's optics and status from one walk. A `None` level means the OLT reported no value
/// (offline ONU) or the profile has no such column.
#[derive(Debug, Clone, PartialEq)]
pub struct OnuReading {
    pub onu: OnuIndex,
    pub status: OnuStatus,
    pub rx_power_dbm: Option<f64>,
    pub tx_power_dbm: Option<f64>,
    pub olt_rx_power_dbm: Option<f64>,
    pub temperature_c: Option<f64>,
    pub serial: Option<String>,
    pub name: Option<String>,
    /// Values the profile could not decode, for the log.
    pub problems: Vec<String>,
}

/// Which reading a walked column feeds.
#[derive(Clone, Copy)]
enum Reading {
    Rx,
    Tx,
    OltRx,
    Temperature,
    Status,
    DownCause,
    Serial,
    Name,
}

fn columns_of(profile: &OnuProfile) -> Vec<(Reading, &ColumnOid)> {
    [
        (Reading::Rx, Some(&profile.rx_power_dbm.column)),
        (
            Reading::Tx,
            profile.tx_power_dbm.as_ref().map(|c| &c.column),
        ),
        (
            Reading::OltRx,
            profile.olt_rx_power_dbm.as_ref().map(|c| &c.column),
        ),
        (
            Reading::Temperature,
            profile.temperature_c.as_ref().map(|c| &c.column),
        ),
        (Reading::Status, profile.status.as_ref().map(|c| &c.column)),
        (
            Reading::DownCause,
            profile.down_cause.as_ref().map(|c| &c.column),
        ),
        (Reading::Serial, profile.serial.as_ref().map(|c| &c.column)),
        (Reading::Name, profile.name.as_ref().map(|c| &c.column)),
    ]
    .into_iter()
    .filter_map(|(reading, column)| Some((reading, column?)))
    .collect()
}

/// Walks every optics column of `profile` and decodes the readings, ordered by ONU.
pub async fn walk_onu_optics(
    session: &SnmpSession,
    profile: &OnuProfile,
) -> Result<Vec<OnuReading>, SnmpError> {
    let columns = columns_of(profile);
    let oids: Vec<Oid> = columns
        .iter()
        .map(|(_, column)| column.oid.clone())
        .collect();
    let walk = TableWalk::run(session, &oids).await?;
    let mut raw: BTreeMap<OnuIndex, RawRow> = BTreeMap::new();
    let mut problems = Vec::new();
    for ((reading, column), cells) in columns.iter().zip(&walk.columns) {
        for cell in cells {
            match column.index.decode(&cell.index) {
                Ok(onu) => {
                    if let Some(value) = raw_value(&cell.value) {
                        raw.entry(onu).or_default().set(*reading, value);
                    }
                }
                Err(error) => problems.push(format!("{}: {error}", column.oid)),
            }
        }
    }
    let mut readings: Vec<OnuReading> = raw
        .into_iter()
        .map(|(onu, row)| row.decode(onu, profile))
        .collect();
    if let Some(first) = readings.first_mut() {
        first.problems.extend(problems);
    }
    Ok(readings)
}

/// GETs one ONU's optics, for the fast cadence used while someone watches it.
pub async fn get_onu_optics(
    session: &SnmpSession,
    profile: &OnuProfile,
    onu: OnuIndex,
) -> Result<OnuReading, SnmpError> {
    let columns = columns_of(profile);
    let mut cells = Vec::new();
    for (reading, column) in &columns {
        match column.cell_for(&onu) {
            Ok(oid) => cells.push((*reading, oid)),
            Err(error) => {
                return Err(SnmpError::Setup {
                    target: session.peer(),
                    detail: format!("{}: {error}", column.oid),
                })
            }
        }
    }
    let oids: Vec<Oid> = cells.iter().map(|(_, oid)| oid.clone()).collect();
    let values = session.get(&oids).await?;
    let mut row = RawRow::default();
    for (reading, oid) in &cells {
        if let Some(value) = values
            .iter()
            .find(|(returned, _)| returned == oid)
            .and_then(|(_, value)| raw_value(value))
        {
            row.set(*reading, value);
        }
    }
    Ok(row.decode(onu, profile))
}

#[derive(Debug, Default)]
struct RawRow {
    rx: Option<RawValue>,
    tx: Option<RawValue>,
    olt_rx: Option<RawValue>,
    temperature: Option<RawValue>,
    status: Option<RawValue>,
    down_cause: Option<RawValue>,
    serial: Option<RawValue>,
    name: Option<RawValue>,
}

impl RawRow {
    fn set(&mut self, reading: Reading, value: RawValue) {
        let slot = match reading {
            Reading::Rx => &mut self.rx,
            Reading::Tx => &mut self.tx,
            Reading::OltRx => &mut self.olt_rx,
            Reading::Temperature => &mut self.temperature,
            Reading::Status => &mut self.status,
            Reading::DownCause => &mut self.down_cause,
            Reading::Serial => &mut self.serial,
            Reading::Name => &mut self.name,
        };
        *slot = Some(value);
    }

    fn decode(self, onu: OnuIndex, profile: &OnuProfile) -> OnuReading {
        let mut problems = Vec::new();
        let mut level = |column: Option<&LevelColumn>, raw: &Option<RawValue>| {
            let (column, raw) = (column?, raw.as_ref()?);
            match column.read(raw) {
                Ok(value) => value,
                Err(error) => {
                    problems.push(format!("{}: {error}", column.column.oid));
                    None
                }
            }
        };
        let rx_power_dbm = level(Some(&profile.rx_power_dbm), &self.rx);
        let tx_power_dbm = level(profile.tx_power_dbm.as_ref(), &self.tx);
        let olt_rx_power_dbm = level(profile.olt_rx_power_dbm.as_ref(), &self.olt_rx);
        let temperature_c = level(profile.temperature_c.as_ref(), &self.temperature);
        let status = match &self.status {
            Some(raw) => profile.status_of(raw, self.down_cause.as_ref()),
            None => OnuStatus::Unknown,
        };
        let text =
            |column: Option<&TextColumn>, raw: &Option<RawValue>| Some(column?.read(raw.as_ref()?));
        OnuReading {
            onu,
            status,
            rx_power_dbm,
            tx_power_dbm,
            olt_rx_power_dbm,
            temperature_c,
            serial: text(profile.serial.as_ref(), &self.serial),
            name: text(profile.name.as_ref(), &self.name),
            problems,
        }
    }
}
