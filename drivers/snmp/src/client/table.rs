//! `TableWalk`: several table columns walked together with GETBULK, sysUpTime in every request,
//! and the receive time of every response kept for the rows it carried.

use async_snmp::Value;

use super::clock::monotonic_ns;
use super::convert::{is_exception, time_ticks};
use super::{SnmpError, SnmpSession};
use crate::{well_known, Oid};

/// Upper bound on GETBULK requests per walk, so a looping agent cannot keep a poll busy.
const MAX_REQUESTS: usize = 10_000;

/// When one response of a walk arrived, and the device's sysUpTime in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseStamp {
    /// `monotonic_ns()` when the response was received.
    pub received_ns: u64,
    pub sys_uptime_cs: Option<u32>,
}

/// One cell of a walked column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnCell {
    /// The row index: the sub-identifiers after the column OID.
    pub index: Vec<u32>,
    pub value: Value,
    /// Which response carried it, an index into `TableWalk::responses`.
    pub response: usize,
}

/// The cells of each requested column, in column order, and the responses they came in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableWalk {
    pub columns: Vec<Vec<ColumnCell>>,
    pub responses: Vec<ResponseStamp>,
}

impl TableWalk {
    /// Walks `columns` with GETBULK (the session's max-repetitions), asking for sysUpTime as a
    /// non-repeater in every request.
    pub async fn run(session: &SnmpSession, columns: &[Oid]) -> Result<Self, SnmpError> {
        let mut walk = ColumnCursors::new(columns);
        let mut table = TableWalk {
            columns: vec![Vec::new(); columns.len()],
            responses: Vec::new(),
        };
        let uptime_object = Oid::from_arcs([1, 3, 6, 1, 2, 1, 1, 3]);
        for _ in 0..MAX_REQUESTS {
            let active = walk.active();
            if active.is_empty() {
                return Ok(table);
            }
            let mut request = vec![uptime_object.clone()];
            request.extend(active.iter().map(|&column| walk.cursor(column).clone()));
            let varbinds = match session
                .get_bulk_wire(&request, 1, session.bulk_size())
                .await
            {
                Ok(varbinds) => varbinds,
                // Some agents answer genErr or tooBig to a GETBULK whose response would be too
                // large for them; the session remembers the smaller size.
                Err(SnmpError::ErrorStatus { .. }) if session.shrink_bulk_size() => continue,
                Err(error) => return Err(error),
            };
            let received_ns = monotonic_ns();
            let sys_uptime_cs = varbinds
                .first()
                .filter(|varbind| varbind.oid.arcs() == well_known::sys_uptime().arcs())
                .and_then(|varbind| time_ticks(&varbind.value));
            let response = table.responses.len();
            table.responses.push(ResponseStamp {
                received_ns,
                sys_uptime_cs,
            });
            let repeaters = varbinds.get(1..).unwrap_or_default();
            walk.absorb(&active, repeaters, response, &mut table.columns)
                .map_err(|detail| SnmpError::MalformedResponse {
                    target: session.peer(),
                    detail,
                })?;
        }
        Err(SnmpError::MalformedResponse {
            target: session.peer(),
            detail: format!("table walk did not end within {MAX_REQUESTS} GETBULK requests"),
        })
    }
}

/// Where each column's walk stands. Pure: fed with response varbinds, it records cells and
/// advances, so the response layout logic is tested without a device.
#[derive(Debug)]
pub(super) struct ColumnCursors {
    prefixes: Vec<Oid>,
    /// The last OID seen per column; `None` once the column is done.
    cursors: Vec<Option<Oid>>,
}

impl ColumnCursors {
    pub(super) fn new(columns: &[Oid]) -> Self {
        Self {
            prefixes: columns.to_vec(),
            cursors: columns.iter().cloned().map(Some).collect(),
        }
    }

    pub(super) fn active(&self) -> Vec<usize> {
        (0..self.cursors.len())
            .filter(|&column| self.cursors[column].is_some())
            .collect()
    }

    fn cursor(&self, column: usize) -> &Oid {
        self.cursors[column]
            .as_ref()
            .unwrap_or(&self.prefixes[column])
    }

    /// GETBULK repeats the active columns in request order: varbind `i` belongs to
    /// `active[i % active.len()]`. A column ends at the first OID outside it or an exception.
    /// Works on the arcs as received; a column's cursor is copied once per response.
    pub(super) fn absorb<V: WireVarbind>(
        &mut self,
        active: &[usize],
        repeaters: &[V],
        response: usize,
        cells: &mut [Vec<ColumnCell>],
    ) -> Result<(), String> {
        if repeaters.is_empty() {
            return Err("GETBULK response carried no column values".to_owned());
        }
        // Per active column: the position of its newest cell in this response.
        let mut newest: Vec<Option<usize>> = vec![None; active.len()];
        for (position, varbind) in repeaters.iter().enumerate() {
            let slot = position % active.len();
            let column = active[slot];
            let Some(cursor) = &self.cursors[column] else {
                continue;
            };
            let (arcs, value) = (varbind.arcs(), varbind.value());
            let index = match arcs.strip_prefix(self.prefixes[column].arcs()) {
                Some(index) if !index.is_empty() && !is_exception(value) => index,
                _ => {
                    self.cursors[column] = None;
                    newest[slot] = None;
                    continue;
                }
            };
            let previous = match newest[slot] {
                Some(at) => repeaters[at].arcs(),
                None => cursor.arcs(),
            };
            if arcs <= previous {
                return Err(format!(
                    "OID {} does not follow {}; the agent returned OIDs out of order",
                    Oid::from_arcs(arcs.to_vec()),
                    Oid::from_arcs(previous.to_vec())
                ));
            }
            cells[column].push(ColumnCell {
                index: index.to_vec(),
                value: value.clone(),
                response,
            });
            newest[slot] = Some(position);
        }
        for (slot, &column) in active.iter().enumerate() {
            if let (Some(at), Some(_)) = (newest[slot], &self.cursors[column]) {
                self.cursors[column] = Some(Oid::from_arcs(repeaters[at].arcs().to_vec()));
            }
        }
        Ok(())
    }
}

/// A response varbind as `absorb` reads it: the OID's arcs and the value.
pub(super) trait WireVarbind {
    fn arcs(&self) -> &[u32];
    fn value(&self) -> &Value;
}

impl WireVarbind for async_snmp::VarBind {
    fn arcs(&self) -> &[u32] {
        self.oid.arcs()
    }

    fn value(&self) -> &Value {
        &self.value
    }
}

impl WireVarbind for (Oid, Value) {
    fn arcs(&self) -> &[u32] {
        self.0.arcs()
    }

    fn value(&self) -> &Value {
        &self.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(text: &str) -> Oid {
        text.parse().unwrap()
    }

    fn check(columns: &[&str], responses: &[&[(&str, Value)]], expected: &[&[u32]]) {
        let columns: Vec<Oid> = columns.iter().map(|text| oid(text)).collect();
        let mut cursors = ColumnCursors::new(&columns);
        let mut cells = vec![Vec::new(); columns.len()];
        for (response, varbinds) in responses.iter().enumerate() {
            let active = cursors.active();
            let varbinds: Vec<(Oid, Value)> = varbinds
                .iter()
                .map(|(text, value)| (oid(text), value.clone()))
                .collect();
            cursors
                .absorb(&active, &varbinds, response, &mut cells)
                .unwrap();
        }
        let found: Vec<Vec<u32>> = cells
            .iter()
            .map(|column| column.iter().map(|cell| cell.index[0]).collect())
            .collect();
        let expected: Vec<Vec<u32>> = expected.iter().map(|rows| rows.to_vec()).collect();
        assert_eq!(found, expected);
        assert!(cursors.active().is_empty(), "walk should be finished");
    }

    #[test]
    fn interleaved_columns_end_independently() {
        let c = Value::Counter64;
        check(
            &["1.3.6.1.2.1.31.1.1.1.6", "1.3.6.1.2.1.31.1.1.1.10"],
            &[
                &[
                    ("1.3.6.1.2.1.31.1.1.1.6.1", c(1)),
                    ("1.3.6.1.2.1.31.1.1.1.10.1", c(2)),
                    ("1.3.6.1.2.1.31.1.1.1.6.2", c(3)),
                    ("1.3.6.1.2.1.31.1.1.1.10.2", c(4)),
                ],
                &[
                    ("1.3.6.1.2.1.31.1.1.1.7.1", c(5)),
                    ("1.3.6.1.2.1.31.1.1.1.10.3", c(6)),
                ],
                &[("1.3.6.1.2.1.31.1.1.1.11.1", c(7))],
            ],
            &[&[1, 2], &[1, 2, 3]],
        );
    }

    #[test]
    fn end_of_mib_view_ends_a_column() {
        check(
            &["1.3.6.1.2.1.31.1.1.1.1"],
            &[&[
                ("1.3.6.1.2.1.31.1.1.1.1.4", Value::Integer(1)),
                ("1.3.6.1.2.1.31.1.1.1.1.5", Value::EndOfMibView),
            ]],
            &[&[4]],
        );
    }

    #[test]
    fn out_of_order_oids_are_malformed() {
        let columns = [oid("1.3.6.1.2.1.2.2.1.10")];
        let mut cursors = ColumnCursors::new(&columns);
        let mut cells = vec![Vec::new()];
        let varbinds = vec![
            (oid("1.3.6.1.2.1.2.2.1.10.5"), Value::Counter32(1)),
            (oid("1.3.6.1.2.1.2.2.1.10.3"), Value::Counter32(1)),
        ];
        let result = cursors.absorb(&[0], &varbinds, 0, &mut cells);
        assert!(result.is_err());
        assert!(cursors
            .absorb::<(Oid, Value)>(&[0], &[], 1, &mut cells)
            .is_err());
    }
}
