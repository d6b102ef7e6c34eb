//! Conversions between byte offsets and (line, column) positions, in the three column
//! encodings editors use. Every conversion in the server goes through here.

/// How columns are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8 (LSP `utf-8`).
    Utf8,
    /// UTF-16 code units (LSP's default `utf-16`, what VS Code uses).
    Utf16,
    /// Unicode scalar values (what people count; used for CLI output).
    Utf32,
}

/// Start offsets of every line of a text, for fast conversions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        // memchr: this runs on every keystroke, over the whole text.
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            line_starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Zero-based (line, column) of a byte offset; offsets past the end, or inside a
    /// character, are moved back to the nearest character boundary.
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> (u32, u32) {
        let mut offset = offset.min(self.len);
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let prefix = &text[self.line_starts[line]..offset];
        (line as u32, column_width(prefix, encoding) as u32)
    }

    /// Byte offset of a zero-based (line, column). Positions past the end of a line clamp
    /// to its end, lines past the end clamp to the end of the text, and a column inside a
    /// surrogate pair clamps to the character's start: editors can send any of these.
    pub fn offset(&self, text: &str, line: u32, column: u32, encoding: Encoding) -> usize {
        let line = line as usize;
        if line >= self.line_starts.len() {
            return self.len;
        }
        let start = self.line_starts[line];
        let end = self
            .line_starts
            .get(line + 1)
            .map(|next| next - 1)
            .unwrap_or(self.len);
        let line_text = &text[start..end];
        let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
        let mut remaining = column as usize;
        for (i, ch) in line_text.char_indices() {
            let width = char_width(ch, encoding);
            if remaining < width {
                return start + i;
            }
            remaining -= width;
        }
        start + line_text.len()
    }
}

fn char_width(ch: char, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => ch.len_utf8(),
        Encoding::Utf16 => ch.len_utf16(),
        Encoding::Utf32 => 1,
    }
}

fn column_width(text: &str, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => text.len(),
        Encoding::Utf16 => text.chars().map(char::len_utf16).sum(),
        Encoding::Utf32 => text.chars().count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "ab\nñé😀x\r\nlast";

    #[test]
    fn positions_in_each_encoding() {
        let index = LineIndex::new(TEXT);
        let x = TEXT.find('x').unwrap();
        assert_eq!(index.position(TEXT, x, Encoding::Utf8), (1, 8));
        assert_eq!(index.position(TEXT, x, Encoding::Utf16), (1, 4));
        assert_eq!(index.position(TEXT, x, Encoding::Utf32), (1, 3));
        assert_eq!(index.position(TEXT, TEXT.len(), Encoding::Utf16), (2, 4));
    }

    #[test]
    fn offsets_round_trip_and_clamp() {
        let index = LineIndex::new(TEXT);
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            // Every offset except between `\r` and `\n`, which no editor can address.
            for (offset, _) in TEXT.char_indices().filter(|&(_, c)| c != '\n') {
                let (line, col) = index.position(TEXT, offset, encoding);
                assert_eq!(index.offset(TEXT, line, col, encoding), offset);
            }
        }
        // Past the end of a line (before its \r\n) and past the last line.
        assert_eq!(
            index.offset(TEXT, 1, 99, Encoding::Utf16),
            TEXT.find('\r').unwrap()
        );
        assert_eq!(index.offset(TEXT, 9, 0, Encoding::Utf16), TEXT.len());
        // Inside the emoji's surrogate pair: the emoji's start.
        let emoji = TEXT.find('😀').unwrap();
        assert_eq!(index.offset(TEXT, 1, 3, Encoding::Utf16), emoji);
    }
}
