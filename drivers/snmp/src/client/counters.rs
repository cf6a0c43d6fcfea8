//! Interface counter polls: ifName with in/out octets, sysUpTime and discontinuity time from
//! the same responses, as `CounterPoll`s ready for `counter::rate_between`.

use std::collections::BTreeMap;

use super::convert::{counter_value, text, time_ticks};
use super::table::{ColumnCell, TableWalk};
use super::{SnmpError, SnmpSession};
use crate::counter::CounterPoll;
use crate::profile::{CounterOids, OctetColumns};

/// One interface's counters from one poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceCounters {
    pub if_index: u32,
    pub if_name: String,
    pub in_octets: CounterPoll,
    pub out_octets: CounterPoll,
    /// ifHighSpeed, when the profile and the device give it.
    pub high_speed_mbps: Option<u32>,
}

/// Every interface with counters in one poll, by ifIndex.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterfaceTable {
    pub interfaces: BTreeMap<u32, InterfaceCounters>,
    /// GETBULK requests the poll took.
    pub requests: usize,
}

/// Polls the profile's counter columns. 64-bit counters are preferred; when the profile has
/// none, or some named interface has no 64-bit counter, the 32-bit columns are walked too.
pub async fn poll_interface_counters(
    session: &SnmpSession,
    oids: &CounterOids,
) -> Result<InterfaceTable, SnmpError> {
    let malformed = |detail: String| SnmpError::MalformedResponse {
        target: session.peer(),
        detail,
    };
    let mut table = InterfaceTable::default();
    let mut missing = true;
    if let Some(octets) = &oids.octets_64 {
        let walk = TableWalk::run(session, &columns_for(oids, octets)).await?;
        table.requests += walk.responses.len();
        missing = assemble(&walk, &mut table.interfaces).map_err(malformed)?;
    }
    if missing {
        if let Some(octets) = &oids.octets_32 {
            let walk = TableWalk::run(session, &columns_for(oids, octets)).await?;
            table.requests += walk.responses.len();
            assemble(&walk, &mut table.interfaces).map_err(malformed)?;
        }
    }
    Ok(table)
}

/// Column order: ifName, in, out, then optional high speed and discontinuity time.
fn columns_for(oids: &CounterOids, octets: &OctetColumns) -> Vec<crate::Oid> {
    let mut columns = vec![
        oids.if_name.clone(),
        octets.in_octets.clone(),
        octets.out_octets.clone(),
    ];
    columns.extend(oids.high_speed_mbps.clone());
    columns.extend(oids.discontinuity_time.clone());
    columns
}

/// Adds the walked rows to `interfaces` (rows already there win). Returns whether some named
/// interface had no usable in/out counter in this walk.
fn assemble(
    walk: &TableWalk,
    interfaces: &mut BTreeMap<u32, InterfaceCounters>,
) -> Result<bool, String> {
    let by_index = |column: usize| -> BTreeMap<u32, &ColumnCell> {
        walk.columns
            .get(column)
            .map(|cells| {
                cells
                    .iter()
                    .filter_map(|cell| match cell.index.as_slice() {
                        [if_index] => Some((*if_index, cell)),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let names = by_index(0);
    let ins = by_index(1);
    let outs = by_index(2);
    let speeds = by_index(3);
    let discontinuities = by_index(4);
    let mut missing = false;
    for (&if_index, name_cell) in &names {
        if interfaces.contains_key(&if_index) {
            continue;
        }
        let if_name = text(&name_cell.value).unwrap_or_else(|| format!("ifIndex.{if_index}"));
        let (Some(in_cell), Some(out_cell)) = (ins.get(&if_index), outs.get(&if_index)) else {
            missing = true;
            continue;
        };
        let discontinuity_cs = discontinuities
            .get(&if_index)
            .and_then(|cell| time_ticks(&cell.value));
        let poll_of = |cell: &ColumnCell| -> Result<Option<CounterPoll>, String> {
            let Some(octets) = counter_value(&cell.value) else {
                return Ok(None);
            };
            let stamp = walk
                .responses
                .get(cell.response)
                .ok_or_else(|| format!("cell refers to unknown response {}", cell.response))?;
            let sys_uptime_cs = stamp
                .sys_uptime_cs
                .ok_or_else(|| "response carried no sysUpTime.0".to_owned())?;
            Ok(Some(CounterPoll {
                received_ns: stamp.received_ns,
                sys_uptime_cs,
                discontinuity_cs,
                if_name: if_name.clone(),
                octets,
            }))
        };
        let (Some(in_octets), Some(out_octets)) = (poll_of(in_cell)?, poll_of(out_cell)?) else {
            missing = true;
            continue;
        };
        let high_speed_mbps = speeds.get(&if_index).and_then(|cell| cell.value.as_u32());
        interfaces.insert(
            if_index,
            InterfaceCounters {
                if_index,
                if_name,
                in_octets,
                out_octets,
                high_speed_mbps,
            },
        );
    }
    Ok(missing)
}

#[cfg(test)]
mod tests {
    use async_snmp::Value;

    use super::super::table::ResponseStamp;
    use super::*;
    use crate::counter::CounterValue;

    fn cell(if_index: u32, value: Value, response: usize) -> ColumnCell {
        ColumnCell {
            index: vec![if_index],
            value,
            response,
        }
    }

    fn name(text: &str) -> Value {
        Value::OctetString(text.as_bytes().to_vec().into())
    }

    #[test]
    fn rows_take_time_and_uptime_from_their_own_response() {
        let walk = TableWalk {
            columns: vec![
                vec![cell(1, name("lo"), 0), cell(7, name("<pppoe-alice>"), 1)],
                vec![
                    cell(1, Value::Counter64(10), 0),
                    cell(7, Value::Counter64(20), 1),
                ],
                vec![
                    cell(1, Value::Counter64(11), 0),
                    cell(7, Value::Counter64(21), 1),
                ],
            ],
            responses: vec![
                ResponseStamp {
                    received_ns: 100,
                    sys_uptime_cs: Some(5),
                },
                ResponseStamp {
                    received_ns: 200,
                    sys_uptime_cs: Some(6),
                },
            ],
        };
        let mut interfaces = BTreeMap::new();
        let missing = assemble(&walk, &mut interfaces).unwrap();
        assert!(!missing);
        let alice = &interfaces[&7];
        assert_eq!(alice.if_name, "<pppoe-alice>");
        assert_eq!(alice.in_octets.received_ns, 200);
        assert_eq!(alice.in_octets.sys_uptime_cs, 6);
        assert_eq!(alice.out_octets.octets, CounterValue::Bits64(21));
    }

    #[test]
    fn a_row_without_counters_asks_for_the_fallback() {
        let walk = TableWalk {
            columns: vec![vec![cell(3, name("ether3"), 0)], vec![], vec![]],
            responses: vec![ResponseStamp {
                received_ns: 1,
                sys_uptime_cs: Some(1),
            }],
        };
        let mut interfaces = BTreeMap::new();
        assert!(assemble(&walk, &mut interfaces).unwrap());
        assert!(interfaces.is_empty());
    }

    #[test]
    fn a_response_without_uptime_is_malformed() {
        let walk = TableWalk {
            columns: vec![
                vec![cell(1, name("lo"), 0)],
                vec![cell(1, Value::Counter32(1), 0)],
                vec![cell(1, Value::Counter32(1), 0)],
            ],
            responses: vec![ResponseStamp {
                received_ns: 1,
                sys_uptime_cs: None,
            }],
        };
        assert!(assemble(&walk, &mut BTreeMap::new()).is_err());
    }
}
