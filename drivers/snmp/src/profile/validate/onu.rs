//! Checks the `[onu]` section: columns, index layouts, PON layout, scale rules and reboot.

use std::collections::BTreeMap;

use super::Problems;
use crate::profile::columns::{ColumnOid, LevelColumn, StatusColumn, TextColumn};
use crate::profile::index::{BitField, IndexLayout, IndexPart, PonLayout};
use crate::profile::reboot::{OnuReboot, RebootValue, RebootVarbind};
use crate::profile::scale::ScaleRule;
use crate::profile::schema::{
    BitFieldFile, IndexPartFile, LevelFile, OnuFile, PonLayoutFile, RebootFile, StatusFile,
    TextFile,
};
use crate::profile::{OnuProfile, OnuStatus};

pub(super) fn onu_profile(problems: &mut Problems, file: OnuFile) -> Option<OnuProfile> {
    let default_index = index_layout(problems, "onu.index", &file.index);
    let pon_layout = file.pon_layout.map(|layout| pon_layout(problems, layout));
    let column =
        |problems: &mut Problems, key: &str, oid: &str, index: Option<Vec<IndexPartFile>>| {
            let oid = problems.oid(&format!("{key}.oid"), oid);
            let index = match index {
                Some(parts) => index_layout(problems, &format!("{key}.index"), &parts),
                None => default_index.clone(),
            };
            Some(ColumnOid {
                oid: oid?,
                index: index?,
            })
        };
    let level = |problems: &mut Problems, key: &str, file: LevelFile| {
        check_scale(problems, &format!("{key}.scale"), &file.scale);
        let column = column(problems, key, &file.oid, file.index)?;
        Some(LevelColumn {
            column,
            scale: file.scale,
            no_value: file.no_value,
        })
    };
    let rx_power_dbm = level(problems, "onu.rx_power", file.rx_power);
    let tx_power_dbm = file
        .tx_power
        .map(|file| level(problems, "onu.tx_power", file));
    let olt_rx_power_dbm = file
        .olt_rx_power
        .map(|file| level(problems, "onu.olt_rx_power", file));
    let temperature_c = file
        .temperature
        .map(|file| level(problems, "onu.temperature", file));
    let status_column = |problems: &mut Problems, key: &str, file: StatusFile| {
        let values = status_values(problems, &format!("{key}.values"), file.values);
        let column = column(problems, key, &file.oid, file.index)?;
        Some(StatusColumn { column, values })
    };
    let status = file
        .status
        .map(|file| status_column(problems, "onu.status", file));
    let down_cause = file
        .down_cause
        .map(|file| status_column(problems, "onu.down_cause", file));
    let text = |problems: &mut Problems, key: &str, file: TextFile| {
        let column = column(problems, key, &file.oid, file.index)?;
        Some(TextColumn {
            column,
            format: file.format,
        })
    };
    let serial = file.serial.map(|file| text(problems, "onu.serial", file));
    let name = file.name.map(|file| text(problems, "onu.name", file));
    let reboot = file.reboot.map(|file| reboot(problems, file));
    Some(OnuProfile {
        pon_layout: pon_layout.transpose().ok()?,
        rx_power_dbm: rx_power_dbm?,
        tx_power_dbm: checked(tx_power_dbm)?,
        olt_rx_power_dbm: checked(olt_rx_power_dbm)?,
        temperature_c: checked(temperature_c)?,
        status: checked(status)?,
        down_cause: checked(down_cause)?,
        serial: checked(serial)?,
        name: checked(name)?,
        reboot: checked(reboot)?,
    })
}

/// An optional section that was checked: `None` if it failed, `Some(None)` if it was absent.
fn checked<T>(section: Option<Option<T>>) -> Option<Option<T>> {
    section.map_or(Some(None), |valid| valid.map(Some))
}

const INDEX_HINT: &str =
    "use \"pon_index\" and \"onu_id\" (each once), or \"onu_if_index\" alone, plus constant numbers";

fn index_part(name: &str) -> Option<IndexPart> {
    match name {
        "pon_index" => Some(IndexPart::PonIndex),
        "onu_id" => Some(IndexPart::OnuId),
        "onu_if_index" => Some(IndexPart::OnuIfIndex),
        _ => None,
    }
}

fn index_layout(
    problems: &mut Problems,
    key: &str,
    parts: &[IndexPartFile],
) -> Option<IndexLayout> {
    let mut layout = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            IndexPartFile::Fixed(value) => layout.push(IndexPart::Fixed(*value)),
            IndexPartFile::Name(name) => match index_part(name) {
                Some(part) => layout.push(part),
                None => {
                    problems.add(key, format!("unknown index part {name:?}"), INDEX_HINT);
                    return None;
                }
            },
        }
    }
    let count = |wanted: IndexPart| layout.iter().filter(|part| **part == wanted).count();
    let shape = (
        count(IndexPart::PonIndex),
        count(IndexPart::OnuId),
        count(IndexPart::OnuIfIndex),
    );
    if !matches!(shape, (1, 1, 0) | (0, 0, 1)) {
        let listed = layout
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        problems.add(
            key,
            format!("index [{listed}] does not identify one ONU"),
            INDEX_HINT,
        );
        return None;
    }
    Some(IndexLayout::new(layout))
}

fn pon_layout(problems: &mut Problems, file: PonLayoutFile) -> Result<PonLayout, ()> {
    let mut valid = true;
    let mut field = |name: &str, field: Option<BitFieldFile>| {
        let field = field.map(|BitFieldFile { shift, bits }| BitField { shift, bits })?;
        if field.bits == 0 || field.bits > 16 || field.shift + field.bits > 32 {
            problems.add(
                &format!("onu.pon_layout.{name}"),
                format!(
                    "field of {} bits at bit {} does not fit a 32-bit ifIndex",
                    field.bits, field.shift
                ),
                "use 1 to 16 bits with shift + bits at most 32",
            );
            valid = false;
        }
        Some(field)
    };
    let frame = field("frame", file.frame);
    let slot = field("slot", file.slot);
    let port = field("port", Some(file.port));
    let layout = PonLayout {
        base: file.base,
        frame,
        slot,
        port: port.ok_or(())?,
    };
    let masks: Vec<u32> = [frame, slot, Some(layout.port)]
        .into_iter()
        .flatten()
        .map(BitField::mask)
        .collect();
    let overlapping = masks
        .iter()
        .enumerate()
        .any(|(i, a)| masks[i + 1..].iter().any(|b| a & b != 0));
    if valid && overlapping {
        problems.add(
            "onu.pon_layout",
            "frame, slot and port bits overlap",
            "give each field its own bits",
        );
        valid = false;
    }
    if valid && layout.base & layout.field_mask() != 0 {
        problems.add(
            "onu.pon_layout.base",
            format!(
                "base {:#010x} sets bits that belong to frame, slot or port",
                layout.base
            ),
            "clear those bits in base or move the fields",
        );
        valid = false;
    }
    valid.then_some(layout).ok_or(())
}

fn check_scale(problems: &mut Problems, key: &str, rule: &ScaleRule) {
    let (factor, offset) = match rule {
        ScaleRule::Linear { factor, offset } => (*factor, *offset),
        ScaleRule::LinearWrapped {
            factor,
            offset,
            wrap_by,
            ..
        } => {
            if *wrap_by <= 0 {
                problems.add(
                    key,
                    format!("wrap_by {wrap_by} is not positive"),
                    "use the counter's modulus, e.g. 65535",
                );
            }
            (*factor, *offset)
        }
        ScaleRule::DbmInParentheses => return,
    };
    if !factor.is_finite() || factor == 0.0 {
        problems.add(
            key,
            format!("factor {factor} is unusable"),
            "use a finite, non-zero factor such as 0.01",
        );
    }
    if !offset.is_finite() {
        problems.add(
            key,
            format!("offset {offset} is not finite"),
            "use a number such as -100.0",
        );
    }
}

fn status_values(
    problems: &mut Problems,
    key: &str,
    values: BTreeMap<String, OnuStatus>,
) -> BTreeMap<i64, OnuStatus> {
    if values.is_empty() {
        problems.add(
            key,
            "no values mapped",
            "map each raw value to a status, e.g. { 1 = \"online\" }",
        );
    }
    values
        .into_iter()
        .filter_map(|(raw, status)| match raw.trim().parse::<i64>() {
            Ok(raw) => Some((raw, status)),
            Err(_) => {
                problems.add(
                    key,
                    format!("{raw:?} is not an integer value"),
                    "use the integer the OLT reports as the key",
                );
                None
            }
        })
        .collect()
}

fn reboot(problems: &mut Problems, file: RebootFile) -> Option<OnuReboot> {
    if file.set.is_empty() {
        problems.add(
            "onu.reboot.set",
            "no varbinds",
            "add at least one [[onu.reboot.set]] with oid and integer",
        );
        return None;
    }
    let varbinds: Vec<Option<RebootVarbind>> = file
        .set
        .into_iter()
        .enumerate()
        .map(|(i, varbind)| {
            let key = format!("onu.reboot.set[{i}]");
            let oid = problems.oid(&format!("{key}.oid"), &varbind.oid);
            let index = match &varbind.index {
                Some(parts) => Some(index_layout(problems, &format!("{key}.index"), parts)?),
                None => None,
            };
            let value = match (varbind.integer, varbind.integer_from.as_deref()) {
                (Some(value), None) => Some(RebootValue::Integer(value)),
                (None, Some(name)) => match index_part(name) {
                    Some(part) => Some(RebootValue::FromIndex(part)),
                    None => {
                        problems.add(
                            &format!("{key}.integer_from"),
                            format!("unknown index part {name:?}"),
                            "use pon_index, onu_id or onu_if_index",
                        );
                        None
                    }
                },
                _ => {
                    problems.add(
                        &key,
                        "needs exactly one of integer and integer_from",
                        "set integer = 1 or integer_from = \"onu_id\"",
                    );
                    None
                }
            };
            Some(RebootVarbind {
                oid: oid?,
                index,
                value: value?,
            })
        })
        .collect();
    varbinds
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .map(|varbinds| OnuReboot { varbinds })
}
