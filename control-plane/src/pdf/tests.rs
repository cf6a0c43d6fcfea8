//! Structure checks of written PDFs: header, every xref offset landing on its `N 0 obj`, stream
//! lengths, trailer and `%%EOF`, escaping, and pagination of a long document.

use super::*;

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// Checks the file's structure and returns the number of objects (without object 0).
fn check_structure(pdf: &[u8]) -> usize {
    assert!(pdf.starts_with(b"%PDF-1.4\n"));
    assert!(pdf.ends_with(b"%%EOF\n"));
    let startxref = rfind(pdf, b"startxref\n").expect("startxref");
    let tail = std::str::from_utf8(&pdf[startxref + 10..]).expect("ascii tail");
    let xref: usize = tail
        .lines()
        .next()
        .expect("offset")
        .parse()
        .expect("number");
    assert!(
        pdf[xref..].starts_with(b"xref\n0 "),
        "startxref points at xref"
    );
    let table = std::str::from_utf8(&pdf[xref..startxref]).expect("ascii xref");
    let mut lines = table.lines();
    lines.next();
    let size: usize = lines
        .next()
        .and_then(|l| l.strip_prefix("0 "))
        .expect("subsection")
        .parse()
        .expect("size");
    assert!(table.contains(&format!("/Size {size} ")), "{table}");
    assert!(table.contains("trailer\n<< "), "{table}");
    let entries_at = xref + table.find("0000000000 65535 f ").expect("free entry");
    for number in 0..size {
        let entry = &pdf[entries_at + 20 * number..entries_at + 20 * (number + 1)];
        assert_eq!(entry[18..], *b" \n", "entry {number} is 20 bytes");
        if number == 0 {
            continue;
        }
        let entry = std::str::from_utf8(entry).expect("ascii entry");
        assert!(entry.ends_with(" 00000 n \n"), "{entry:?}");
        let offset: usize = entry[..10].parse().expect("offset");
        let expected = format!("{number} 0 obj\n");
        assert!(
            pdf[offset..].starts_with(expected.as_bytes()),
            "object {number} at {offset}"
        );
    }
    check_stream_lengths(pdf);
    size - 1
}

fn check_stream_lengths(pdf: &[u8]) {
    let mut rest = pdf;
    while let Some(at) = find(rest, b"<< /Length ") {
        let after = &rest[at + 11..];
        let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
        let length: usize = std::str::from_utf8(&after[..digits])
            .unwrap()
            .parse()
            .unwrap();
        let start = find(after, b"stream\n").expect("stream") + 7;
        assert!(after[start + length..].starts_with(b"\nendstream"));
        rest = &after[start + length..];
    }
}

fn invoice_like() -> PdfDocument {
    let mut doc = PdfDocument::new("Invoice BILL-2027-001");
    doc.heading("Invoice BILL-2027-001");
    doc.field("Customer", "Rahim (Uddin) \\ Sons");
    doc.strong_field("Total", "1000.00");
    doc.paragraph("paid at the office");
    doc
}

#[test]
fn a_short_document_is_well_formed() {
    let pdf = invoice_like().to_bytes();
    // Catalog, pages, two fonts, info, one page and its content.
    assert_eq!(check_structure(&pdf), 7);
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/Count 1 "), "{text}");
    assert!(text.contains("/BaseFont /Helvetica /Encoding /WinAnsiEncoding"));
    assert!(text.contains("/BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding"));
    assert!(text.contains("/Root 1 0 R /Info 5 0 R"));
    assert!(text.contains("(Invoice BILL-2027-001) Tj"));
    assert!(text.contains("(Page 1 of 1) Tj"));
}

#[test]
fn delimiters_in_text_are_escaped() {
    let pdf = invoice_like().to_bytes();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("(Rahim \\(Uddin\\) \\\\ Sons) Tj"), "{text}");
    let mut doc = PdfDocument::new("a (title) \\");
    doc.field("x", "y");
    let text = String::from_utf8_lossy(&doc.to_bytes()).into_owned();
    assert!(text.contains("/Title (a \\(title\\) \\\\)"), "{text}");
}

#[test]
fn a_long_document_is_split_into_pages() {
    let mut doc = PdfDocument::new("long");
    doc.heading("Invoice");
    for line in 0..200 {
        doc.field(&format!("Line {line}"), &format!("{line}.00"));
    }
    doc.paragraph(&"word ".repeat(2_000));
    let pdf = doc.to_bytes();
    let objects = check_structure(&pdf);
    let pages = (objects - 5) / 2;
    assert!(pages >= 5, "{pages} pages");
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains(&format!("/Count {pages} ")));
    for page in 1..=pages {
        assert!(
            text.contains(&format!("(Page {page} of {pages}) Tj")),
            "page {page}"
        );
    }
    // Every row is on exactly one page, in order.
    for line in [0, 57, 199] {
        assert_eq!(text.matches(&format!("(Line {line}) Tj")).count(), 1);
    }
    let first = text.find("(Line 0) Tj").unwrap();
    let last = text.find("(Line 199) Tj").unwrap();
    assert!(first < last);
    // No row is placed below the foot line.
    for y in text
        .lines()
        .filter_map(|l| l.strip_suffix(") Tj ET"))
        .filter(|l| !l.contains("(Page "))
        .filter_map(|l| {
            l.split(" Td ")
                .next()?
                .rsplit(' ')
                .next()?
                .parse::<u32>()
                .ok()
        })
    {
        assert!(y >= MARGIN_PT, "row at y {y}");
    }
}

#[test]
fn an_empty_document_still_has_one_page() {
    let pdf = PdfDocument::new("empty").to_bytes();
    assert_eq!(check_structure(&pdf), 7);
}
