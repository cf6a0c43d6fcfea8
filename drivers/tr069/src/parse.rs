//! Decoding what the GenieACS NBI sends (device, task and fault documents as JSON, MongoDB
//! dates as ISO 8601 text) and encoding device ids into URL paths. No I/O here.

use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::Tr069Error;
use crate::fault::CpeFault;

/// A device id as GenieACS knows it (`<OUI>-<ProductClass>-<SerialNumber>`, itself often
/// holding `%2D`-style escapes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpeId(String);

impl CpeId {
    pub fn parse(text: &str) -> Result<Self, Tr069Error> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Tr069Error::EmptyCpeId);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A task's `_id`: a MongoDB ObjectId, 24 hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskId(String);

impl TaskId {
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// When the CPE last booted and last informed, as the ACS recorded them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootRecord {
    pub last_boot: Option<OffsetDateTime>,
    pub last_inform: Option<OffsetDateTime>,
}

impl BootRecord {
    /// Whether `self` shows a boot later than `before` did.
    pub fn booted_since(&self, before: &BootRecord) -> bool {
        match (self.last_boot, before.last_boot) {
            (Some(now), Some(then)) => now > then,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// A task as the NBI returns it after inserting it (or from `GET /tasks/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedTask {
    pub id: TaskId,
    pub name: String,
    /// GenieACS before 1.2 kept a task's fault on the task itself.
    pub fault: Option<CpeFault>,
}

#[derive(Deserialize)]
struct DeviceDoc {
    #[serde(rename = "_lastBoot")]
    last_boot: Option<String>,
    #[serde(rename = "_lastInform")]
    last_inform: Option<String>,
}

#[derive(Deserialize)]
struct TaskDoc {
    #[serde(rename = "_id")]
    id: Option<String>,
    name: Option<String>,
    fault: Option<CpeFault>,
}

/// The answer to `GET /devices/?query={"_id":...}&projection=_lastBoot,_lastInform`.
pub fn parse_boot_record(body: &[u8], cpe: &CpeId) -> Result<BootRecord, Tr069Error> {
    const WHAT: &str = "the device query";
    let devices: Vec<DeviceDoc> = serde_json::from_slice(body).map_err(|error| bad(WHAT, error))?;
    let device = devices
        .into_iter()
        .next()
        .ok_or_else(|| Tr069Error::NoSuchDevice {
            cpe: cpe.as_str().to_owned(),
        })?;
    let time = |field: &str, text: Option<String>| {
        text.map(|text| {
            parse_nbi_timestamp(&text)
                .ok_or_else(|| bad(WHAT, format!("{field} {text:?} is not an ISO 8601 time")))
        })
        .transpose()
    };
    Ok(BootRecord {
        last_boot: time("_lastBoot", device.last_boot)?,
        last_inform: time("_lastInform", device.last_inform)?,
    })
}

/// The task object the NBI returns from `POST /devices/<id>/tasks`.
pub fn parse_task(body: &[u8]) -> Result<QueuedTask, Tr069Error> {
    const WHAT: &str = "the task";
    let doc: TaskDoc = serde_json::from_slice(body).map_err(|error| bad(WHAT, error))?;
    task_from(doc, WHAT)
}

/// The answer to `GET /tasks/?query=...`.
pub fn parse_tasks(body: &[u8]) -> Result<Vec<QueuedTask>, Tr069Error> {
    const WHAT: &str = "the task query";
    let docs: Vec<TaskDoc> = serde_json::from_slice(body).map_err(|error| bad(WHAT, error))?;
    docs.into_iter().map(|doc| task_from(doc, WHAT)).collect()
}

fn task_from(doc: TaskDoc, what: &'static str) -> Result<QueuedTask, Tr069Error> {
    let id = doc.id.ok_or_else(|| bad(what, "it has no _id"))?;
    Ok(QueuedTask {
        id: TaskId::parse(&id)
            .ok_or_else(|| bad(what, format!("_id {id:?} is not an ObjectId")))?,
        name: doc.name.unwrap_or_default(),
        fault: doc.fault,
    })
}

/// The fault of `task` among the answer to `GET /faults/?query={"device":...}`: its fault
/// channel is `task_<task id>`.
pub fn parse_task_fault(body: &[u8], task: &TaskId) -> Result<Option<CpeFault>, Tr069Error> {
    let faults: Vec<CpeFault> =
        serde_json::from_slice(body).map_err(|error| bad("the fault query", error))?;
    let channel = format!("task_{}", task.as_str());
    Ok(faults
        .into_iter()
        .find(|fault| fault.channel.as_deref() == Some(channel.as_str())))
}

/// Parses a MongoDB date as the NBI prints it, `2026-12-08T01:02:03.456Z`.
pub fn parse_nbi_timestamp(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// A time as the NBI prints MongoDB dates: UTC, milliseconds, `Z`.
pub fn nbi_timestamp(time: OffsetDateTime) -> String {
    let time = time.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second(),
        time.millisecond()
    )
}

/// Percent-encodes a path segment: everything but ASCII letters, digits, `-` and `_`, which is
/// what the NBI's route patterns accept unencoded. A `%` in the id becomes `%25`.
pub fn encode_path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (and, with `plus_is_space`, `+` as a space as in query strings);
/// `None` when an escape is malformed or the result is not UTF-8.
pub fn percent_decode(text: &str, plus_is_space: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'%' => {
                let hex = text.get(at + 1..at + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                at += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                at += 1;
            }
            byte => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn bad(what: &'static str, reason: impl ToString) -> Tr069Error {
    Tr069Error::BadAnswer {
        what,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpe() -> CpeId {
        CpeId::parse("202BC1-BM632w-0000000").unwrap()
    }

    fn check_boot(body: &str, expected: Result<(Option<&str>, Option<&str>), &str>) {
        let got = parse_boot_record(body.as_bytes(), &cpe()).map_err(|error| error.to_string());
        let expected = expected
            .map(|(boot, inform)| BootRecord {
                last_boot: boot.and_then(parse_nbi_timestamp),
                last_inform: inform.and_then(parse_nbi_timestamp),
            })
            .map_err(str::to_owned);
        assert_eq!(got, expected, "{body}");
    }

    #[test]
    fn device_queries() {
        check_boot(
            "[\n{\"_id\":\"202BC1-BM632w-0000000\",\"_lastBoot\":\"2026-12-08T01:00:00.000Z\",\"_lastInform\":\"2026-12-08T01:05:00.250Z\"}\n]",
            Ok((Some("2026-12-08T01:00:00.000Z"), Some("2026-12-08T01:05:00.250Z"))),
        );
        check_boot(
            "[\n{\"_id\":\"202BC1-BM632w-0000000\"}\n]",
            Ok((None, None)),
        );
        check_boot(
            "[\n\n]",
            Err("GenieACS has no device \"202BC1-BM632w-0000000\" (No such device)"),
        );
        check_boot(
            "[{\"_id\":\"x\",\"_lastBoot\":\"yesterday\"}]",
            Err("the NBI's answer to the device query is not what GenieACS sends: _lastBoot \"yesterday\" is not an ISO 8601 time"),
        );
        check_boot(
            "No such device",
            Err("the NBI's answer to the device query is not what GenieACS sends: expected value at line 1 column 1"),
        );
    }

    #[test]
    fn tasks() {
        let task = parse_task(
            br#"{"name":"reboot","device":"202BC1-BM632w-0000000","timestamp":"2026-12-08T01:00:00.000Z","_id":"6571A0c1e4b0f2a3b4c5d6e7"}"#,
        )
        .unwrap();
        assert_eq!(task.id.as_str(), "6571a0c1e4b0f2a3b4c5d6e7");
        assert_eq!(task.name, "reboot");
        assert_eq!(task.fault, None);
        let old = parse_task(
            br#"{"name":"reboot","_id":"6571a0c1e4b0f2a3b4c5d6e7","fault":{"code":"cwmp.9001","message":"Request denied","detail":{"faultCode":"9001","faultString":"Request denied"}}}"#,
        )
        .unwrap();
        assert_eq!(old.fault.unwrap().code, "cwmp.9001");
        let error = parse_task(br#"{"name":"reboot","_id":"12"}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the NBI's answer to the task is not what GenieACS sends: _id \"12\" is not an ObjectId"
        );
        assert!(parse_task(br#"{"name":"reboot"}"#).is_err());
        let listed =
            parse_tasks(b"[\n{\"_id\":\"6571a0c1e4b0f2a3b4c5d6e7\",\"name\":\"reboot\"}\n]")
                .unwrap();
        assert_eq!(listed.len(), 1);
    }

    #[test]
    fn task_faults_are_found_by_channel() {
        let task = TaskId::parse("6571a0c1e4b0f2a3b4c5d6e7").unwrap();
        let body = br#"[
{"_id":"dev:default","device":"dev","channel":"default","code":"timeout","message":"Session timeout"},
{"_id":"dev:task_6571a0c1e4b0f2a3b4c5d6e7","device":"dev","channel":"task_6571a0c1e4b0f2a3b4c5d6e7","timestamp":"2026-12-08T01:00:00.000Z","provisions":[],"retries":0,"code":"cwmp.9001","message":"Request denied","detail":{"faultCode":"9001","faultString":"Request denied"}}
]"#;
        let fault = parse_task_fault(body, &task).unwrap().unwrap();
        assert_eq!(fault.code, "cwmp.9001");
        assert_eq!(parse_task_fault(b"[\n\n]", &task).unwrap(), None);
    }

    #[test]
    fn timestamps() {
        let time = parse_nbi_timestamp("2026-12-08T01:02:03.456Z").unwrap();
        assert_eq!(nbi_timestamp(time), "2026-12-08T01:02:03.456Z");
        let offset = parse_nbi_timestamp("2026-12-08T07:02:03+06:00").unwrap();
        assert_eq!(nbi_timestamp(offset), "2026-12-08T01:02:03.000Z");
        assert_eq!(parse_nbi_timestamp("2026-12-08 01:02:03 +0000"), None);
    }

    #[test]
    fn path_segments() {
        let check = |id: &str, encoded: &str| {
            assert_eq!(encode_path_segment(id), encoded);
            assert_eq!(percent_decode(encoded, false).as_deref(), Some(id));
        };
        check("202BC1-BM632w-0000000", "202BC1-BM632w-0000000");
        check(
            "00236a-96318REF-SR360NA0A4%2D0003196",
            "00236a-96318REF-SR360NA0A4%252D0003196",
        );
        check("E4:8D:8C/01 x", "E4%3A8D%3A8C%2F01%20x");
        assert_eq!(percent_decode("a+b%7", true), None);
        assert_eq!(percent_decode("a+b", true).as_deref(), Some("a b"));
    }

    #[test]
    fn boots_compare_by_last_boot() {
        let at = |text: &str| parse_nbi_timestamp(text);
        let record = |boot: Option<&str>| BootRecord {
            last_boot: boot.and_then(at),
            last_inform: None,
        };
        let earlier = record(Some("2026-12-08T01:00:00.000Z"));
        assert!(record(Some("2026-12-08T01:00:00.001Z")).booted_since(&earlier));
        assert!(!record(Some("2026-12-08T01:00:00.000Z")).booted_since(&earlier));
        assert!(record(Some("2026-12-08T01:00:00.000Z")).booted_since(&record(None)));
        assert!(!record(None).booted_since(&record(None)));
    }
}
