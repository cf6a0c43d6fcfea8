//! A small PDF 1.4 writer for documents of text rows (invoices): the standard Helvetica fonts
//! with WinAnsi encoding, A4 pages filled top to bottom, a new page when one is full, and
//! "Page n of m" at the foot of each. No images, no embedded fonts.

mod objects;
pub mod text;

use objects::PdfFile;

/// A4 in points (1/72 inch).
const PAGE_WIDTH_PT: u32 = 595;
const PAGE_HEIGHT_PT: u32 = 842;
const MARGIN_PT: u32 = 56;
/// Where the second column of a row starts.
const VALUE_X_PT: u32 = 360;
/// Characters per wrapped line of body text at 10 pt across the page.
const WRAP_CHARS: usize = 95;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FontWeight {
    Regular,
    Bold,
}

impl FontWeight {
    fn resource(self) -> &'static str {
        match self {
            Self::Regular => "F1",
            Self::Bold => "F2",
        }
    }
}

/// One row of text: a left part and an optional value in the second column.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    weight: FontWeight,
    size_pt: u32,
    left: String,
    value: Option<String>,
    /// Extra space above the row.
    space_before_pt: u32,
}

impl Row {
    fn leading_pt(&self) -> u32 {
        self.size_pt * 3 / 2 + self.space_before_pt
    }
}

/// A document being written: rows in reading order, laid out on pages by `to_bytes`.
#[derive(Debug, Clone)]
pub struct PdfDocument {
    title: String,
    rows: Vec<Row>,
}

impl PdfDocument {
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            rows: Vec::new(),
        }
    }

    /// A large bold line.
    pub fn heading(&mut self, text: &str) {
        self.push(FontWeight::Bold, 16, text, None, 6);
    }

    /// Body text, wrapped across the page.
    pub fn paragraph(&mut self, text: &str) {
        for (index, line) in text::wrap(text, WRAP_CHARS).into_iter().enumerate() {
            let space = if index == 0 { 4 } else { 0 };
            self.push(FontWeight::Regular, 10, &line, None, space);
        }
    }

    /// A label with its value in the second column.
    pub fn field(&mut self, label: &str, value: &str) {
        self.push(FontWeight::Regular, 10, label, Some(value), 0);
    }

    /// A label with its value, both bold (totals).
    pub fn strong_field(&mut self, label: &str, value: &str) {
        self.push(FontWeight::Bold, 10, label, Some(value), 0);
    }

    /// A bold line starting a section, with space above it.
    pub fn section(&mut self, text: &str) {
        self.push(FontWeight::Bold, 12, text, None, 10);
    }

    fn push(
        &mut self,
        weight: FontWeight,
        size_pt: u32,
        left: &str,
        value: Option<&str>,
        space: u32,
    ) {
        self.rows.push(Row {
            weight,
            size_pt,
            left: left.to_owned(),
            value: value.map(str::to_owned),
            space_before_pt: space,
        });
    }

    /// The rows split into pages, each page as full as the space between the margins allows
    /// (the foot line keeps its own space).
    fn pages(&self) -> Vec<Vec<&Row>> {
        let usable_pt = PAGE_HEIGHT_PT - 2 * MARGIN_PT - 20;
        let mut pages: Vec<Vec<&Row>> = vec![Vec::new()];
        let mut used_pt = 0;
        for row in &self.rows {
            let leading = row.leading_pt();
            let current = pages.last().map_or(0, Vec::len);
            if current > 0 && used_pt + leading > usable_pt {
                pages.push(Vec::new());
                used_pt = 0;
            }
            used_pt += leading;
            if let Some(page) = pages.last_mut() {
                page.push(row);
            }
        }
        pages
    }

    /// The content stream of one page.
    fn page_content(rows: &[&Row], number: usize, count: usize) -> Vec<u8> {
        let mut out = String::new();
        let mut y_pt = PAGE_HEIGHT_PT - MARGIN_PT;
        for row in rows {
            y_pt -= row.leading_pt();
            let font = row.weight.resource();
            let size = row.size_pt;
            out.push_str(&format!(
                "BT /{font} {size} Tf {MARGIN_PT} {y_pt} Td ({}) Tj ET\n",
                text::literal(&row.left)
            ));
            if let Some(value) = &row.value {
                out.push_str(&format!(
                    "BT /{font} {size} Tf {VALUE_X_PT} {y_pt} Td ({}) Tj ET\n",
                    text::literal(value)
                ));
            }
        }
        out.push_str(&format!(
            "BT /F1 8 Tf {MARGIN_PT} {} Td (Page {number} of {count}) Tj ET\n",
            MARGIN_PT / 2
        ));
        out.into_bytes()
    }

    /// The finished PDF file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let pages = self.pages();
        let mut file = PdfFile::default();
        // Catalog 1, page tree 2, fonts 3 and 4, info 5; then each page and its content.
        let pages_number = 2;
        let first_page = 6;
        let kids: Vec<String> = (0..pages.len())
            .map(|i| format!("{} 0 R", first_page + 2 * i))
            .collect();
        let root = file.add(format!("<< /Type /Catalog /Pages {pages_number} 0 R >>").into_bytes());
        file.add(
            format!(
                "<< /Type /Pages /Kids [{}] /Count {} /MediaBox [0 0 {PAGE_WIDTH_PT} {PAGE_HEIGHT_PT}] >>",
                kids.join(" "),
                pages.len()
            )
            .into_bytes(),
        );
        for base in ["Helvetica", "Helvetica-Bold"] {
            file.add(
                format!("<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>")
                    .into_bytes(),
            );
        }
        let info = file.add(
            format!(
                "<< /Title ({}) /Producer (netops) >>",
                text::literal(&self.title)
            )
            .into_bytes(),
        );
        for (index, rows) in pages.iter().enumerate() {
            let content_number = file.next_number() + 1;
            file.add(
                format!(
                    "<< /Type /Page /Parent {pages_number} 0 R /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {content_number} 0 R >>"
                )
                .into_bytes(),
            );
            file.add_stream(&Self::page_content(rows, index + 1, pages.len()));
        }
        file.finish(root, Some(info))
    }
}

#[cfg(test)]
mod tests;
