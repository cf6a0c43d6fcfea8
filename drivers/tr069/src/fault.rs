//! `CpeFault`: a fault GenieACS recorded for a task (a CWMP SOAP fault from the CPE, or the
//! ACS's own such as a session timeout), decoded into a sentence for the NOC console.

use serde::Deserialize;

/// A fault document: `code` is `cwmp.<CWMP fault code>` for the CPE's own faults, or the ACS's
/// reason (`timeout`, `session_terminated`, `script.<name>`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CpeFault {
    pub code: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub detail: Option<FaultDetail>,
    /// `task_<task id>` for a task's fault.
    #[serde(default)]
    pub channel: Option<String>,
}

/// The CWMP fault struct the CPE sent (TR-069 Annex A, A.5).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FaultDetail {
    #[serde(rename = "faultCode", default)]
    pub fault_code: Option<String>,
    #[serde(rename = "faultString", default)]
    pub fault_string: Option<String>,
}

impl CpeFault {
    /// E.g. `CWMP fault 9001 (request denied): Reboot not allowed now`.
    pub fn reason(&self) -> String {
        let said = self
            .detail
            .as_ref()
            .and_then(|detail| detail.fault_string.clone())
            .or_else(|| self.message.clone())
            .filter(|text| !text.trim().is_empty());
        let cwmp_code = self
            .code
            .strip_prefix("cwmp.")
            .map(str::to_owned)
            .or_else(|| {
                self.detail
                    .as_ref()
                    .and_then(|detail| detail.fault_code.clone())
            });
        let head = match cwmp_code {
            Some(code) => match cwmp_fault_words(&code) {
                Some(words) => format!("CWMP fault {code} ({words})"),
                None => format!("CWMP fault {code}"),
            },
            None => match self.code.as_str() {
                "timeout" => "the CPE stopped answering during the session (timeout)".to_owned(),
                "session_terminated" => "the CPE ended the session early".to_owned(),
                code => format!("ACS fault {code}"),
            },
        };
        match said {
            Some(text) => format!("{head}: {}", text.trim()),
            None => head,
        }
    }
}

/// TR-069 Amendment 6, Table 132: the CPE fault codes.
fn cwmp_fault_words(code: &str) -> Option<&'static str> {
    Some(match code {
        "9000" => "method not supported",
        "9001" => "request denied",
        "9002" => "internal error",
        "9003" => "invalid arguments",
        "9004" => "resources exceeded",
        "9005" => "invalid parameter name",
        "9006" => "invalid parameter type",
        "9007" => "invalid parameter value",
        "9008" => "attempt to set a non-writable parameter",
        "9009" => "notification request rejected",
        "9010" => "file transfer failure",
        "9011" => "upload failure",
        "9012" => "file transfer server authentication failure",
        "9013" => "unsupported protocol for file transfer",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::CpeFault;

    fn check(json: &str, expected: &str) {
        let fault: CpeFault = serde_json::from_str(json).unwrap();
        assert_eq!(fault.reason(), expected, "{json}");
    }

    #[test]
    fn reasons() {
        check(
            r#"{"code":"cwmp.9001","message":"Request denied","detail":{"faultCode":"9001","faultString":"Reboot not allowed now"}}"#,
            "CWMP fault 9001 (request denied): Reboot not allowed now",
        );
        check(
            r#"{"code":"cwmp.9002","message":"Internal error"}"#,
            "CWMP fault 9002 (internal error): Internal error",
        );
        check(r#"{"code":"cwmp.9899"}"#, "CWMP fault 9899");
        check(
            r#"{"code":"timeout","message":"Session timeout"}"#,
            "the CPE stopped answering during the session (timeout): Session timeout",
        );
        check(
            r#"{"code":"script.reboot","message":" "}"#,
            "ACS fault script.reboot",
        );
    }
}
