//! Which PPPoE session a request is about, and the rate-limit attribute a BRAS understands.

use std::net::Ipv4Addr;

use radius::core::avp::AVP;

/// Attribute numbers used here (RFC 2865, 2866, 2869, 5176).
pub mod attr {
    pub const USER_NAME: u8 = 1;
    pub const NAS_IP_ADDRESS: u8 = 4;
    pub const FRAMED_IP_ADDRESS: u8 = 8;
    pub const FILTER_ID: u8 = 11;
    pub const VENDOR_SPECIFIC: u8 = 26;
    pub const NAS_IDENTIFIER: u8 = 32;
    pub const ACCT_SESSION_ID: u8 = 44;
    pub const EVENT_TIMESTAMP: u8 = 55;
    pub const MESSAGE_AUTHENTICATOR: u8 = 80;
    pub const ERROR_CAUSE: u8 = 101;
}

/// MikroTik's vendor id and its Mikrotik-Rate-Limit attribute.
pub const MIKROTIK_VENDOR_ID: u32 = 14988;
pub const MIKROTIK_RATE_LIMIT: u8 = 8;

/// Identifies one subscriber session on a BRAS: User-Name plus whatever else is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionIdent {
    pub user_name: String,
    pub acct_session_id: Option<String>,
    pub framed_ip: Option<Ipv4Addr>,
    pub nas_ip: Option<Ipv4Addr>,
    pub nas_identifier: Option<String>,
}

impl SessionIdent {
    pub fn user(user_name: impl Into<String>) -> Self {
        Self {
            user_name: user_name.into(),
            acct_session_id: None,
            framed_ip: None,
            nas_ip: None,
            nas_identifier: None,
        }
    }

    pub(crate) fn attributes(&self) -> Vec<AVP> {
        let mut out = vec![AVP::from_string(attr::USER_NAME, &self.user_name)];
        if let Some(id) = &self.acct_session_id {
            out.push(AVP::from_string(attr::ACCT_SESSION_ID, id));
        }
        if let Some(ip) = &self.framed_ip {
            out.push(AVP::from_ipv4(attr::FRAMED_IP_ADDRESS, ip));
        }
        if let Some(ip) = &self.nas_ip {
            out.push(AVP::from_ipv4(attr::NAS_IP_ADDRESS, ip));
        }
        if let Some(id) = &self.nas_identifier {
            out.push(AVP::from_string(attr::NAS_IDENTIFIER, id));
        }
        out
    }
}

/// A new speed for a session, in the attribute the BRAS vendor reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateLimit {
    /// `Mikrotik-Rate-Limit`, from the router's view: "upload/download", e.g. `10M/50M` is 10 Mb/s
    /// up and 50 Mb/s down for the subscriber.
    Mikrotik {
        upload_kbps: u64,
        download_kbps: u64,
    },
    /// `Filter-Id` naming a policy configured on the BRAS (other vendors).
    FilterId(String),
}

impl RateLimit {
    /// The Mikrotik-Rate-Limit text: `"<up>k/<down>k"`, or `M` when whole megabits.
    pub fn mikrotik_text(upload_kbps: u64, download_kbps: u64) -> String {
        fn unit(kbps: u64) -> String {
            if kbps > 0 && kbps.is_multiple_of(1000) {
                format!("{}M", kbps / 1000)
            } else {
                format!("{kbps}k")
            }
        }
        format!("{}/{}", unit(upload_kbps), unit(download_kbps))
    }

    pub(crate) fn attribute(&self) -> AVP {
        match self {
            RateLimit::Mikrotik {
                upload_kbps,
                download_kbps,
            } => {
                let text = Self::mikrotik_text(*upload_kbps, *download_kbps);
                let mut value = Vec::with_capacity(6 + text.len());
                value.extend_from_slice(&MIKROTIK_VENDOR_ID.to_be_bytes());
                value.push(MIKROTIK_RATE_LIMIT);
                // Vendor-Length covers type, length and value; RADIUS limits it to 255.
                value.push(u8::try_from(2 + text.len()).unwrap_or(u8::MAX));
                value.extend_from_slice(text.as_bytes());
                AVP::from_bytes(attr::VENDOR_SPECIFIC, &value)
            }
            RateLimit::FilterId(name) => AVP::from_string(attr::FILTER_ID, name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mikrotik_rate_text() {
        assert_eq!(RateLimit::mikrotik_text(10_000, 50_000), "10M/50M");
        assert_eq!(RateLimit::mikrotik_text(512, 2_048), "512k/2048k");
    }

    #[test]
    fn vendor_attribute_layout() {
        let avp = RateLimit::Mikrotik {
            upload_kbps: 10_000,
            download_kbps: 50_000,
        }
        .attribute();
        let bytes = avp.encode_bytes();
        assert_eq!(&bytes[..4], &14988u32.to_be_bytes());
        assert_eq!(bytes[4], 8);
        assert_eq!(bytes[5] as usize, 2 + "10M/50M".len());
        assert_eq!(&bytes[6..], b"10M/50M");
    }
}
