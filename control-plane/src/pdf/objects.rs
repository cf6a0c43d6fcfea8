//! The byte level of a PDF 1.4 file: numbered objects written one after the other, the cross
//! reference table with each object's byte offset, and the trailer.

/// A file being assembled. Object numbers start at 1 and follow the order of `add`.
#[derive(Default)]
pub struct PdfFile {
    objects: Vec<Vec<u8>>,
}

impl PdfFile {
    /// The number the next added object will get.
    pub fn next_number(&self) -> usize {
        self.objects.len() + 1
    }

    /// Adds an object's body (what goes between `N 0 obj` and `endobj`); returns its number.
    pub fn add(&mut self, body: Vec<u8>) -> usize {
        self.objects.push(body);
        self.objects.len()
    }

    /// Adds a stream object with its exact `/Length`.
    pub fn add_stream(&mut self, content: &[u8]) -> usize {
        let mut body = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(b"\nendstream");
        self.add(body)
    }

    /// The whole file: header, objects, xref table, trailer naming `root` (and `info`), and
    /// `startxref` with `%%EOF`.
    pub fn finish(self, root: usize, info: Option<usize>) -> Vec<u8> {
        // The second line's bytes above 127 mark the file as binary for transfer tools.
        let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::with_capacity(self.objects.len());
        for (index, body) in self.objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", index + 1).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        let size = self.objects.len() + 1;
        out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
        for offset in offsets {
            // Each entry is exactly 20 bytes, its end of line included.
            out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        let info = info.map(|n| format!(" /Info {n} 0 R")).unwrap_or_default();
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {size} /Root {root} 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n"
            )
            .as_bytes(),
        );
        out
    }
}
