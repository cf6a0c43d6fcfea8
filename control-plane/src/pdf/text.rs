//! Text for PDF string literals: Unicode to WinAnsi (Windows-1252) bytes, and the escaping of
//! a literal string's delimiters `(`, `)` and `\`.

/// The WinAnsi byte of `c`, or `None` when the standard fonts cannot show it.
pub fn win_ansi_byte(c: char) -> Option<u8> {
    let code = u32::from(c);
    match code {
        0x20..=0x7E | 0xA0..=0xFF => u8::try_from(code).ok(),
        _ => match c {
            '€' => Some(0x80),
            '‚' => Some(0x82),
            'ƒ' => Some(0x83),
            '„' => Some(0x84),
            '…' => Some(0x85),
            '†' => Some(0x86),
            '‡' => Some(0x87),
            'ˆ' => Some(0x88),
            '‰' => Some(0x89),
            'Š' => Some(0x8A),
            '‹' => Some(0x8B),
            'Œ' => Some(0x8C),
            'Ž' => Some(0x8E),
            '‘' => Some(0x91),
            '’' => Some(0x92),
            '“' => Some(0x93),
            '”' => Some(0x94),
            '•' => Some(0x95),
            '–' => Some(0x96),
            '—' => Some(0x97),
            '˜' => Some(0x98),
            '™' => Some(0x99),
            'š' => Some(0x9A),
            '›' => Some(0x9B),
            'œ' => Some(0x9C),
            'ž' => Some(0x9E),
            'Ÿ' => Some(0x9F),
            _ => None,
        },
    }
}

/// `text` as the body of a PDF literal string `( … )`: WinAnsi bytes, with `(`, `)` and `\`
/// escaped, bytes above 0x7E as octal escapes (so the content stays 7-bit), control
/// characters as spaces and characters the font cannot show as `?`.
pub fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        let byte = if c.is_control() {
            b' '
        } else {
            win_ansi_byte(c).unwrap_or(b'?')
        };
        match byte {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(char::from(byte));
            }
            0x20..=0x7E => out.push(char::from(byte)),
            _ => out.push_str(&format!("\\{byte:03o}")),
        }
    }
    out
}

/// Splits `text` into lines of at most `max_chars` characters, breaking at spaces where it
/// can and inside a word only when the word alone is longer than a line.
pub fn wrap(text: &str, max_chars: usize) -> Vec<String> {
    let max_chars = max_chars.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word: Vec<char> = word.chars().collect();
            loop {
                let used = line.chars().count();
                let gap = usize::from(used > 0);
                if used + gap + word.len() <= max_chars {
                    if gap == 1 {
                        line.push(' ');
                    }
                    line.extend(word.iter());
                    break;
                }
                if used > 0 {
                    lines.push(std::mem::take(&mut line));
                    continue;
                }
                let rest = word.split_off(max_chars);
                lines.push(word.iter().collect());
                word = rest;
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &str) {
        assert_eq!(literal(text), expected, "{text:?}");
    }

    #[test]
    fn literals_escape_delimiters_and_encode_win_ansi() {
        check("BILL-2027-001", "BILL-2027-001");
        check("(a) b", "\\(a\\) b");
        check("back\\slash", "back\\\\slash");
        check(")(", "\\)\\(");
        check("Café", "Caf\\351");
        check("€ 5 – “x”", "\\200 5 \\226 \\223x\\224");
        check("tab\there\nnext", "tab here next");
        check("৳ 1000", "? 1000");
        check("", "");
    }

    #[test]
    fn every_win_ansi_byte_is_distinct() {
        let mut seen = std::collections::HashSet::new();
        for code in 0..0x3000u32 {
            if let Some(byte) = char::from_u32(code).and_then(win_ansi_byte) {
                assert!(seen.insert(byte), "byte {byte:#x} twice");
            }
        }
        // 95 printable ASCII, 96 Latin-1, 27 Windows-1252 additions.
        assert_eq!(seen.len(), 95 + 96 + 27);
    }

    fn check_wrap(text: &str, max: usize, expected: &[&str]) {
        assert_eq!(wrap(text, max), expected, "{text:?}");
    }

    #[test]
    fn wrapping() {
        check_wrap("paid at the office", 10, &["paid at", "the office"]);
        check_wrap("abcdefghijkl", 5, &["abcde", "fghij", "kl"]);
        check_wrap("one\ntwo", 10, &["one", "two"]);
        check_wrap("", 10, &[""]);
        check_wrap("a  b", 10, &["a b"]);
    }
}
