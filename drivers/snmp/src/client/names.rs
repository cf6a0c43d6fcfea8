//! Interface names alone (ifName), for checks that only need to know which interfaces exist,
//! such as confirming a PPPoE session's `<pppoe-USER>` interface is gone.

use std::collections::BTreeMap;

use super::convert::text;
use super::table::TableWalk;
use super::{SnmpError, SnmpSession};
use crate::Oid;

/// Walks one name column (e.g. ifName 1.3.6.1.2.1.31.1.1.1.1): ifIndex → name.
pub async fn walk_if_names(
    session: &SnmpSession,
    name_column: &Oid,
) -> Result<BTreeMap<u32, String>, SnmpError> {
    let walk = TableWalk::run(session, std::slice::from_ref(name_column)).await?;
    Ok(walk
        .columns
        .into_iter()
        .flatten()
        .filter_map(|cell| match cell.index.as_slice() {
            [if_index] => Some((*if_index, text(&cell.value)?)),
            _ => None,
        })
        .collect())
}
