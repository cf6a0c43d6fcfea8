//! CSV as RFC 4180 writes it (comma-separated, CRLF line ends, a field with a comma, quote or
//! line break quoted with its quotes doubled), for staff exports. No I/O.

use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};

/// One cell. Text a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return) gets a leading `'`, so an exported name cannot run in the
/// spreadsheet of the staff member who opens it; numbers are written as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(String),
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Self {
        Self::Text(value.into())
    }

    pub fn optional(value: Option<&str>) -> Self {
        Self::Text(value.unwrap_or_default().to_owned())
    }

    /// Minor units as a decimal with two places, e.g. `1000.50`.
    pub fn money(minor: i64) -> Self {
        Self::Number(money_text(minor))
    }
}

/// Minor units as a decimal with two places: `100050` is `1000.50`, `-5` is `-0.05`.
pub fn money_text(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn push_field(out: &mut String, cell: &Cell) {
    let text = match cell {
        Cell::Number(text) => text.as_str(),
        Cell::Text(text) => text.as_str(),
    };
    let guarded = matches!(cell, Cell::Text(t) if t.starts_with(['=', '+', '-', '@', '\t', '\r']));
    let quoted = guarded || text.contains([',', '"', '\n', '\r']);
    if quoted {
        out.push('"');
    }
    if guarded {
        out.push('\'');
    }
    for c in text.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quoted {
        out.push('"');
    }
}

/// A header line and the rows, each line ended by CRLF.
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<Cell>>) -> String {
    let mut out = String::new();
    let header: Vec<Cell> = header.iter().map(|h| Cell::text(*h)).collect();
    for row in std::iter::once(header).chain(rows) {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_field(&mut out, cell);
        }
        out.push_str("\r\n");
    }
    out
}

/// A CSV download named `filename`.
pub fn attachment(filename: &str, body: String) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(cells: Vec<Cell>, expected: &str) {
        let text = table(&["h"], [cells]);
        assert_eq!(text, format!("h\r\n{expected}\r\n"));
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        check(vec![Cell::text("Rahim Uddin")], "Rahim Uddin");
        check(vec![Cell::text("Uddin, Rahim")], "\"Uddin, Rahim\"");
        check(
            vec![Cell::text("The \"Best\" Net")],
            "\"The \"\"Best\"\" Net\"",
        );
        check(vec![Cell::text("two\nlines")], "\"two\nlines\"");
        check(
            vec![Cell::text("a"), Cell::text(""), Cell::money(5)],
            "a,,0.05",
        );
    }

    #[test]
    fn formulas_are_not_exported_as_formulas() {
        check(vec![Cell::text("=HYPERLINK(1)")], "\"'=HYPERLINK(1)\"");
        check(vec![Cell::text("@SUM(A1)")], "\"'@SUM(A1)\"");
        check(vec![Cell::text("-2+3")], "\"'-2+3\"");
        check(vec![Cell::money(-150)], "-1.50");
    }

    #[test]
    fn money_has_two_places() {
        for (minor, text) in [
            (0, "0.00"),
            (100_050, "1000.50"),
            (7, "0.07"),
            (-5, "-0.05"),
        ] {
            assert_eq!(money_text(minor), text);
        }
    }
}
