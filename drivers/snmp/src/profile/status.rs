//! ONU status as netops names it, and text formats for serials and names.

use serde::Deserialize;

use super::value::RawValue;

/// Registration state of an ONU, mapped from each vendor's own numbering by the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnuStatus {
    Online,
    Offline,
    /// Loss of signal: fibre cut or the ONU's laser is dark.
    Los,
    /// The ONU announced it was losing power.
    DyingGasp,
    AuthFailed,
    /// Registering or synchronising with the OLT.
    Ranging,
    /// A value the profile does not map.
    Unknown,
}

/// How an OCTET STRING column is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextFormat {
    /// UTF-8 text, NUL padding removed.
    Text,
    /// Upper-case hex of every octet.
    Hex,
    /// GPON serial: four vendor letters then eight hex digits, e.g. `HWTC1A2B3C4D`.
    VendorHex,
}

impl TextFormat {
    pub fn render(self, raw: &RawValue) -> String {
        let octets = match raw {
            RawValue::Integer(value) => return value.to_string(),
            RawValue::Octets(octets) => octets,
        };
        match self {
            Self::Text => raw.as_text().unwrap_or_default(),
            Self::Hex => hex_upper(octets),
            Self::VendorHex => match octets.split_at_checked(4) {
                Some((vendor, serial))
                    if octets.len() == 8 && vendor.iter().all(u8::is_ascii_alphanumeric) =>
                {
                    format!("{}{}", String::from_utf8_lossy(vendor), hex_upper(serial))
                }
                _ => raw
                    .as_text()
                    .filter(|text| text.chars().all(|c| c.is_ascii_graphic()))
                    .unwrap_or_else(|| hex_upper(octets)),
            },
        }
    }
}

fn hex_upper(octets: &[u8]) -> String {
    octets.iter().map(|octet| format!("{octet:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(format: TextFormat, raw: RawValue, expected: &str) {
        assert_eq!(format.render(&raw), expected, "{format:?} {raw:?}");
    }

    #[test]
    fn rendering() {
        let serial = RawValue::Octets(vec![b'Z', b'T', b'E', b'G', 0xC0, 0x01, 0xAB, 0x0F]);
        check(TextFormat::VendorHex, serial.clone(), "ZTEGC001AB0F");
        check(TextFormat::Hex, serial, "5A544547C001AB0F");
        check(
            TextFormat::VendorHex,
            RawValue::text("ZTEGC001AB0F"),
            "ZTEGC001AB0F",
        );
        check(
            TextFormat::VendorHex,
            RawValue::Octets(vec![0, 1, 2]),
            "000102",
        );
        check(
            TextFormat::Text,
            RawValue::text("gpon 0/1/1 onu 1\0\0"),
            "gpon 0/1/1 onu 1",
        );
        check(TextFormat::Text, RawValue::Integer(7), "7");
    }
}
