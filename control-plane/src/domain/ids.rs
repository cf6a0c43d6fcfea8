//! Validated identifiers a subscriber or staff member types: customer code, PPPoE username,
//! phone number, e-mail address, MAC address and a device port's interface name.

use std::fmt;

/// Why an identifier was refused; the text is shown to the client as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {problem}")]
pub struct InvalidId {
    pub field: &'static str,
    pub problem: &'static str,
}

fn invalid(field: &'static str, problem: &'static str) -> InvalidId {
    InvalidId { field, problem }
}

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_id!(
    /// The ISP's code for a customer (`CUST001`); unique, and also the login secret of the seed API.
    CustomerCode
);
string_id!(
    /// A PPPoE account name as the BRAS sees it (MikroTik shows it as `<pppoe-NAME>`).
    PppoeUsername
);
string_id!(
    /// A phone number: digits, optionally a leading `+`.
    Phone
);
string_id!(
    /// An e-mail address (checked for shape only).
    Email
);
string_id!(
    /// A MAC address normalised to `AA:BB:CC:DD:EE:FF`.
    MacAddress
);
string_id!(
    /// A device port's ifName as the device reports it (`ge-0/0/7`, `ether5`); agents report
    /// the port's traffic under it, compared exactly (case and inner spaces count).
    InterfaceName
);

impl CustomerCode {
    pub fn parse(text: &str) -> Result<Self, InvalidId> {
        let text = text.trim();
        if text.is_empty() {
            return Err(invalid("customer_code", "is required"));
        }
        if text.len() > 32 {
            return Err(invalid("customer_code", "is longer than 32 characters"));
        }
        if !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(invalid(
                "customer_code",
                "may contain only letters, digits, '-' and '_'",
            ));
        }
        Ok(Self(text.to_owned()))
    }
}

impl PppoeUsername {
    pub fn parse(text: &str) -> Result<Self, InvalidId> {
        let text = text.trim();
        if text.is_empty() {
            return Err(invalid("pppoe_username", "is required"));
        }
        if text.len() > 64 {
            return Err(invalid("pppoe_username", "is longer than 64 characters"));
        }
        if text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        {
            return Err(invalid(
                "pppoe_username",
                "must not contain spaces, control characters or angle brackets",
            ));
        }
        Ok(Self(text.to_owned()))
    }
}

impl Phone {
    pub fn parse(text: &str) -> Result<Self, InvalidId> {
        let compact: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let digits = compact.strip_prefix('+').unwrap_or(&compact);
        if digits.is_empty() {
            return Err(invalid("phone", "is required"));
        }
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid(
                "phone",
                "may contain only digits and a leading '+'",
            ));
        }
        if !(6..=20).contains(&digits.len()) {
            return Err(invalid("phone", "must have 6 to 20 digits"));
        }
        Ok(Self(compact))
    }
}

impl Email {
    pub fn parse(text: &str) -> Result<Self, InvalidId> {
        let text = text.trim();
        let shape_ok = text.len() <= 254
            && text.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
            })
            && !text.chars().any(|c| c.is_whitespace() || c.is_control());
        if shape_ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(invalid("email", "is not a valid e-mail address"))
        }
    }
}

impl MacAddress {
    pub fn parse(field: &'static str, text: &str) -> Result<Self, InvalidId> {
        let hex: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ':' | '-' | '.'))
            .collect();
        if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(invalid(
                field,
                "is not a MAC address like AA:BB:CC:DD:EE:FF",
            ));
        }
        let upper = hex.to_ascii_uppercase();
        let pairs: Vec<&str> = (0..6).map(|i| &upper[i * 2..i * 2 + 2]).collect();
        Ok(Self(pairs.join(":")))
    }
}

impl InterfaceName {
    /// ifName is an SNMP DisplayString: at most 255 characters.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, InvalidId> {
        let text = text.trim();
        if text.is_empty() {
            return Err(invalid(field, "is required"));
        }
        if text.chars().count() > 255 {
            return Err(invalid(field, "is longer than 255 characters"));
        }
        if text.chars().any(char::is_control) {
            return Err(invalid(field, "must not contain control characters"));
        }
        Ok(Self(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_codes() {
        assert_eq!(
            CustomerCode::parse(" CUST001 ").unwrap().as_str(),
            "CUST001"
        );
        assert!(CustomerCode::parse("").is_err());
        assert!(CustomerCode::parse("a b").is_err());
        assert!(CustomerCode::parse("' OR 1=1 --").is_err());
    }

    #[test]
    fn phones() {
        assert_eq!(
            Phone::parse("01712-345678").unwrap().as_str(),
            "01712345678"
        );
        assert_eq!(
            Phone::parse("+8801712345678").unwrap().as_str(),
            "+8801712345678"
        );
        assert!(Phone::parse("12ab").is_err());
        assert!(Phone::parse("123").is_err());
    }

    #[test]
    fn macs_are_normalised() {
        let mac = MacAddress::parse("onu_mac", "aa-bb-cc-dd-ee-ff").unwrap();
        assert_eq!(mac.as_str(), "AA:BB:CC:DD:EE:FF");
        assert_eq!(
            MacAddress::parse("onu_mac", "aabb.ccdd.eeff")
                .unwrap()
                .as_str(),
            "AA:BB:CC:DD:EE:FF"
        );
        assert!(MacAddress::parse("onu_mac", "AA:BB:CC").is_err());
    }

    #[test]
    fn emails() {
        assert!(Email::parse("a@b.co").is_ok());
        assert!(Email::parse("nobody").is_err());
        assert!(Email::parse("a@b").is_err());
    }

    #[test]
    fn pppoe_usernames() {
        assert!(PppoeUsername::parse("rahim.gulshan").is_ok());
        assert!(PppoeUsername::parse("<pppoe-x>").is_err());
        assert!(PppoeUsername::parse("two words").is_err());
    }

    #[test]
    fn interface_names() {
        let check = |text: &str, expected: Result<&str, &str>| {
            let parsed = InterfaceName::parse("port_if_name", text)
                .map(InterfaceName::into_string)
                .map_err(|e| e.to_string());
            let expected = expected
                .map(str::to_owned)
                .map_err(|problem| format!("port_if_name {problem}"));
            assert_eq!(parsed, expected, "{text:?}");
        };
        check(" ge-0/0/7 ", Ok("ge-0/0/7"));
        check("GigabitEthernet 0/1", Ok("GigabitEthernet 0/1"));
        check("<pppoe-x>", Ok("<pppoe-x>"));
        check("", Err("is required"));
        check("eth\n0", Err("must not contain control characters"));
        check(&"x".repeat(256), Err("is longer than 255 characters"));
        assert!(InterfaceName::parse("port_if_name", &"é".repeat(255)).is_ok());
    }
}
