//! Email addresses as netops accepts them: `local@domain`, printable ASCII, nothing that could
//! break out of an SMTP command or a header. No I/O.

use std::fmt;

/// A checked address (RFC 5321 mailbox without quoted local parts or address literals).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(text: &str) -> Result<EmailAddress, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("is empty".to_owned());
        }
        if text.len() > 254 {
            return Err("is longer than 254 characters".to_owned());
        }
        let Some((local, domain)) = text.rsplit_once('@') else {
            return Err(format!("{text} has no @"));
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        if !local_ok {
            return Err(format!("{text} has a part before @ netops cannot send to"));
        }
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !domain_ok {
            return Err(format!("{text} has no valid domain after @"));
        }
        Ok(EmailAddress(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, ok: bool) {
        assert_eq!(EmailAddress::parse(text).is_ok(), ok, "{text}");
    }

    #[test]
    fn addresses_are_checked() {
        check("noc@isp.example", true);
        check(" first.last+alerts@mail.isp.example ", true);
        check("", false);
        check("noc", false);
        check("@isp.example", false);
        check("noc@localhost", false);
        check("noc@isp..example", false);
        check("a..b@isp.example", false);
        check("noc@isp.example>\r\nRCPT TO:<x@y.example", false);
        check("n oc@isp.example", false);
        check("noc@-isp.example", false);
        check("nöc@isp.example", false);
        assert_eq!(
            EmailAddress::parse("noc@isp.example").unwrap().domain(),
            "isp.example"
        );
    }
}
