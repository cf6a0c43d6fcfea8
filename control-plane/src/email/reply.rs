//! SMTP replies (RFC 5321 section 4.2): a three-digit code and one or more lines, continued
//! with `-` after the code and ended with a space. Parsing only; `smtp.rs` reads the lines.

use std::fmt;

/// A complete reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    /// The text of each line, without code and separator.
    pub lines: Vec<String>,
}

impl Reply {
    /// 2xx.
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// 5xx: trying again will not help.
    pub fn is_permanent(&self) -> bool {
        (500..600).contains(&self.code)
    }

    /// The EHLO keywords after the greeting line, upper case (`STARTTLS`, `AUTH PLAIN LOGIN`).
    pub fn extensions(&self) -> Vec<String> {
        self.lines
            .iter()
            .skip(1)
            .map(|l| l.trim().to_ascii_uppercase())
            .collect()
    }

    /// Whether EHLO offered `keyword` (e.g. `STARTTLS`).
    pub fn offers(&self, keyword: &str) -> bool {
        self.extensions()
            .iter()
            .any(|e| e.split_whitespace().next() == Some(keyword))
    }

    /// Whether EHLO offered AUTH with `mechanism`.
    pub fn offers_auth(&self, mechanism: &str) -> bool {
        self.extensions().iter().any(|e| {
            let mut words = e.split_whitespace();
            words.next() == Some("AUTH") && words.any(|m| m == mechanism)
        })
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.lines.join(" "))
    }
}

/// One line of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyLine {
    pub code: u16,
    /// `false` when more lines of the reply follow.
    pub last: bool,
    pub text: String,
}

/// Parses one line (without CRLF); `Err` names what is wrong with it.
pub fn parse_line(line: &str) -> Result<ReplyLine, String> {
    let line = line.trim_end_matches(['\r', '\n']);
    let bytes = line.as_bytes();
    if bytes.len() < 3 || !bytes[..3].iter().all(u8::is_ascii_digit) {
        return Err(format!("reply line without a code: {}", shorten(line)));
    }
    let code: u16 = line[..3]
        .parse()
        .map_err(|_| format!("bad reply code: {}", shorten(line)))?;
    if !(200..600).contains(&code) {
        return Err(format!("reply code out of range: {}", shorten(line)));
    }
    let (last, text) = match bytes.get(3) {
        None => (true, ""),
        Some(b' ') => (true, &line[4..]),
        Some(b'-') => (false, &line[4..]),
        Some(_) => return Err(format!("bad separator after code: {}", shorten(line))),
    };
    Ok(ReplyLine {
        code,
        last,
        text: text.to_owned(),
    })
}

/// Collects lines into replies: feed each line, get `Some(reply)` when the last one came.
#[derive(Debug, Default)]
pub struct ReplyReader {
    code: Option<u16>,
    lines: Vec<String>,
}

/// Most lines one reply may have.
const MAX_LINES: usize = 100;

impl ReplyReader {
    pub fn push(&mut self, line: &str) -> Result<Option<Reply>, String> {
        let parsed = parse_line(line)?;
        match self.code {
            Some(code) if code != parsed.code => {
                return Err(format!(
                    "reply changed code from {code} to {} mid-reply",
                    parsed.code
                ))
            }
            _ => self.code = Some(parsed.code),
        }
        self.lines.push(parsed.text);
        if self.lines.len() > MAX_LINES {
            return Err(format!("reply longer than {MAX_LINES} lines"));
        }
        if !parsed.last {
            return Ok(None);
        }
        let reply = Reply {
            code: parsed.code,
            lines: std::mem::take(&mut self.lines),
        };
        self.code = None;
        Ok(Some(reply))
    }
}

fn shorten(line: &str) -> String {
    line.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(lines: &[&str], expected: Result<Reply, &str>) {
        let mut reader = ReplyReader::default();
        let mut got = Err("no complete reply".to_owned());
        for line in lines {
            match reader.push(line) {
                Ok(Some(r)) => {
                    got = Ok(r);
                    break;
                }
                Ok(None) => {}
                Err(e) => {
                    got = Err(e);
                    break;
                }
            }
        }
        assert_eq!(got, expected.map_err(str::to_owned), "{lines:?}");
    }

    fn reply(code: u16, lines: &[&str]) -> Reply {
        Reply {
            code,
            lines: lines.iter().map(|l| (*l).to_owned()).collect(),
        }
    }

    #[test]
    fn replies_are_parsed() {
        check(
            &["220 mail.isp.example ESMTP"],
            Ok(reply(220, &["mail.isp.example ESMTP"])),
        );
        check(&["250"], Ok(reply(250, &[""])));
        check(
            &[
                "250-mail.isp.example",
                "250-STARTTLS",
                "250 AUTH PLAIN LOGIN\r\n",
            ],
            Ok(reply(
                250,
                &["mail.isp.example", "STARTTLS", "AUTH PLAIN LOGIN"],
            )),
        );
        check(
            &["250-a", "251 b"],
            Err("reply changed code from 250 to 251 mid-reply"),
        );
        check(&["hello"], Err("reply line without a code: hello"));
        check(&["2500 x"], Err("bad separator after code: 2500 x"));
        check(&["099 x"], Err("reply code out of range: 099 x"));
        check(&["250-a"], Err("no complete reply"));
    }

    #[test]
    fn extensions_are_found() {
        let ehlo = reply(250, &["mx", "8BITMIME", "starttls", "AUTH LOGIN PLAIN"]);
        assert!(ehlo.offers("STARTTLS"));
        assert!(ehlo.offers("8BITMIME"));
        assert!(!ehlo.offers("SMTPUTF8"));
        assert!(ehlo.offers_auth("PLAIN"));
        assert!(!ehlo.offers_auth("CRAM-MD5"));
        assert!(!reply(250, &["mx STARTTLS"]).offers("STARTTLS"));
        assert!(reply(554, &["no"]).is_permanent());
        assert!(!reply(451, &["later"]).is_permanent());
    }
}
