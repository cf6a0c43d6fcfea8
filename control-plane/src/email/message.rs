//! Composing a plain-text message (RFC 5322 headers with Date and Message-ID, RFC 2047 encoded
//! subject, base64 body when it is not ASCII) and the DATA transparency of RFC 5321 section
//! 4.5.2 (dot-stuffing). No I/O.

use time::format_description::well_known::Rfc2822;
use time::OffsetDateTime;

use super::address::EmailAddress;
use super::base64;

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub from: EmailAddress,
    pub to: EmailAddress,
    pub subject: String,
    pub body: String,
}

/// Longest line RFC 5322 allows, without CRLF.
const MAX_LINE: usize = 998;
/// Most bytes of text in one encoded word, so the word stays within 75 characters.
const WORD_BYTES: usize = 45;

/// The message as sent after DATA (before dot-stuffing), lines ended by CRLF.
pub fn render(email: &Email, date: OffsetDateTime, message_id: &str) -> String {
    let date = date
        .format(&Rfc2822)
        .unwrap_or_else(|_| "Thu, 01 Jan 1970 00:00:00 +0000".to_owned());
    let mut out = String::new();
    let mut header = |name: &str, value: &str| {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push_str("\r\n");
    };
    header("Date", &date);
    header("From", email.from.as_str());
    header("To", email.to.as_str());
    header("Subject", &encode_header_text(&email.subject));
    header(
        "Message-ID",
        &format!("<{message_id}@{}>", email.from.domain()),
    );
    header("MIME-Version", "1.0");
    header("Content-Type", "text/plain; charset=utf-8");
    let body = crlf_lines(&email.body);
    let plain = body.is_ascii() && body.split("\r\n").all(|l| l.len() <= MAX_LINE);
    if plain {
        header("Content-Transfer-Encoding", "7bit");
        out.push_str("\r\n");
        out.push_str(&body);
    } else {
        header("Content-Transfer-Encoding", "base64");
        out.push_str("\r\n");
        let encoded = base64::encode(body.as_bytes());
        for line in encoded.as_bytes().chunks(76) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push_str("\r\n");
        }
    }
    if !out.ends_with("\r\n") {
        out.push_str("\r\n");
    }
    out
}

/// A header value: ASCII text as it is, otherwise RFC 2047 `=?UTF-8?B?…?=` words folded onto
/// continuation lines. Control characters (CR and LF included) become spaces.
pub fn encode_header_text(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.is_ascii() && !text.contains("=?") {
        return text;
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > WORD_BYTES {
            words.push(encoded_word(&chunk));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(encoded_word(&chunk));
    }
    words.join("\r\n ")
}

fn encoded_word(text: &str) -> String {
    format!("=?UTF-8?B?{}?=", base64::encode(text.as_bytes()))
}

/// Every line break as CRLF, ending with one.
fn crlf_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.replace("\r\n", "\n").replace('\r', "\n").split('\n') {
        out.push_str(line);
        out.push_str("\r\n");
    }
    if text.ends_with('\n') {
        out.truncate(out.len() - 2);
    }
    out
}

/// The DATA payload: each line starting with `.` gets another `.`, and the terminating
/// `.` line is appended. `message` has CRLF line ends (from `render`).
pub fn dot_stuff(message: &str) -> String {
    let mut out = String::with_capacity(message.len() + 8);
    for line in message.split_inclusive("\r\n") {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
    }
    if !out.ends_with("\r\n") {
        out.push_str("\r\n");
    }
    out.push_str(".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn email(subject: &str, body: &str) -> Email {
        Email {
            from: EmailAddress::parse("noc@isp.example").unwrap(),
            to: EmailAddress::parse("rahim@mail.example").unwrap(),
            subject: subject.to_owned(),
            body: body.to_owned(),
        }
    }

    fn check_header(subject: &str, expected: &str) {
        assert_eq!(encode_header_text(subject), expected, "{subject}");
    }

    #[test]
    fn subjects_are_encoded_when_not_ascii() {
        check_header("Service expires tomorrow", "Service expires tomorrow");
        check_header("Line\r\nBcc: x@y.example", "Line  Bcc: x@y.example");
        check_header(
            "Zahlung erhalten ✓",
            "=?UTF-8?B?WmFobHVuZyBlcmhhbHRlbiDinJM=?=",
        );
        check_header("=?fake?=", "=?UTF-8?B?PT9mYWtlPz0=?=");
        let long = encode_header_text(&"বিল ".repeat(20));
        for word in long.split("\r\n ") {
            assert!(word.len() <= 75, "{word}");
            assert!(
                word.starts_with("=?UTF-8?B?") && word.ends_with("?="),
                "{word}"
            );
        }
    }

    #[test]
    fn messages_have_the_headers_and_crlf() {
        let text = render(
            &email("Expiry", "Line one\nLine two\n"),
            datetime!(2026-12-28 09:00 UTC),
            "abc123",
        );
        assert_eq!(
            text,
            "Date: Mon, 28 Dec 2026 09:00:00 +0000\r\nFrom: noc@isp.example\r\n\
             To: rahim@mail.example\r\nSubject: Expiry\r\nMessage-ID: <abc123@isp.example>\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: 7bit\r\n\r\nLine one\r\nLine two\r\n"
        );
        let utf8 = render(
            &email("x", "৳500 received"),
            datetime!(2026-12-28 09:00 UTC),
            "m",
        );
        assert!(
            utf8.contains("Content-Transfer-Encoding: base64\r\n\r\n4KezNTAwIHJlY2VpdmVkDQo=\r\n")
        );
    }

    fn check_stuffing(message: &str, expected: &str) {
        assert_eq!(dot_stuff(message), expected, "{message:?}");
    }

    #[test]
    fn data_is_dot_stuffed_and_terminated() {
        check_stuffing("a\r\n", "a\r\n.\r\n");
        check_stuffing(".\r\n", "..\r\n.\r\n");
        check_stuffing("a\r\n.b\r\n..c\r\n", "a\r\n..b\r\n...c\r\n.\r\n");
        check_stuffing("no end", "no end\r\n.\r\n");
        check_stuffing("a.\r\n", "a.\r\n.\r\n");
    }
}
