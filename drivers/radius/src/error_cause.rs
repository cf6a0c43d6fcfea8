//! Error-Cause (attribute 101, RFC 5176 section 3.5) values in words.

use std::fmt;

/// An Error-Cause value from a NAK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCause(pub u32);

impl ErrorCause {
    /// The RFC's name for the value, or `None` for a value it does not define.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            201 => "Residual-Session-Context-Removed",
            202 => "Invalid-EAP-Packet",
            401 => "Unsupported-Attribute",
            402 => "Missing-Attribute",
            403 => "NAS-Identification-Mismatch",
            404 => "Invalid-Request",
            405 => "Unsupported-Service",
            406 => "Unsupported-Extension",
            407 => "Invalid-Attribute-Value",
            501 => "Administratively-Prohibited",
            502 => "Request-Not-Routable",
            503 => "Session-Context-Not-Found",
            504 => "Session-Context-Not-Removable",
            505 => "Other-Proxy-Processing-Error",
            506 => "Resources-Unavailable",
            507 => "Request-Initiated",
            508 => "Multiple-Session-Selection-Unsupported",
            _ => return None,
        })
    }

    /// What a NOC engineer should read in the command's result.
    pub fn explanation(self) -> &'static str {
        match self.0 {
            401 => "the BRAS does not support an attribute in the request",
            402 => "the BRAS needs an attribute the request lacks (e.g. Acct-Session-Id)",
            403 => "the NAS-IP-Address or NAS-Identifier does not name this BRAS",
            404 => "the BRAS found the request invalid",
            405 | 406 => "the BRAS does not support this kind of request",
            407 => "the BRAS refused an attribute's value (check the rate-limit format)",
            501 => "the BRAS is configured to refuse dynamic authorization from us",
            503 => "the BRAS has no such session (the subscriber is not connected, or the session id is stale)",
            504 => "the BRAS cannot remove this session",
            506 => "the BRAS is out of resources",
            508 => "the request matched several sessions; add Acct-Session-Id",
            _ => "the BRAS refused the request",
        }
    }
}

impl fmt::Display for ErrorCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} {name}: {}", self.0, self.explanation()),
            None => write!(f, "{}: {}", self.0, self.explanation()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_causes_read_well() {
        assert_eq!(
            ErrorCause(503).to_string(),
            "503 Session-Context-Not-Found: the BRAS has no such session (the subscriber is not connected, or the session id is stale)"
        );
        assert_eq!(ErrorCause(999).name(), None);
        assert!(ErrorCause(999).to_string().starts_with("999: "));
    }
}
