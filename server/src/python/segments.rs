//! A module's syntax trees: one tree per segment of consecutive top-level statements, so
//! that a keystroke reparses its segment, not the module.
//!
//! Why: tree-sitter's incremental reparse of a Python module costs time in proportion to
//! its top-level statements. The grammar's repetition nodes are "fragile" (its external
//! scanner keeps indentation state), so tree-sitter cannot reuse them and re-reads the module
//! statement by statement: 4–7 ms per keystroke on a 5,000-line module even when nothing but
//! one character changed, and linear in the module's size. Each segment is parsed on its
//! own with tree-sitter's included ranges, so that its nodes keep the byte offsets and rows
//! of the whole text and the analyses see one module.
//!
//! Segments are a function of the text alone, whatever edits led to it, so an edited
//! module and a fresh parse of the same text agree. A boundary is a line that starts a
//! top-level statement: at column 0, outside any string, bracket or backslash continuation
//! (a small scanner of Python's lexical rules decides), not an `else`/`elif`/`except`/
//! `finally` clause and not the definition under a decorator; and, so that segments hold
//! several statements and stay put when a neighbour changes, only the lines whose text
//! hashes to 0 modulo [`SPACING`] (content-defined chunking), or that start
//! [`MAX_SEGMENT_BYTES`] or more after their segment. After an edit the module is scanned
//! again from the segment that holds the edit up to the first old boundary that is a
//! boundary again: from there on nothing changed (at the latest, the next line chosen by
//! its hash).
//!
//! Where this parses differently from one tree for the whole module: only in code with
//! syntax errors (a bracket left open before a top-level `def` or `class`, which can only
//! start a statement, ends at that line here), where the errors stay in their segment.

use std::ops::Range;

use tree_sitter::{InputEdit, Parser, Point, Tree};

/// One boundary candidate in `SPACING` becomes a boundary (on average)...
const SPACING: u64 = 8;
/// ...and so does any candidate this many bytes or more after its segment's start: a
/// reparse that finds an error parses its segment afresh, which must stay short.
const MAX_SEGMENT_BYTES: usize = 1024;
/// A piece with an error is parsed afresh up to this size; a longer one (an unterminated
/// triple-quoted string makes the rest of the module one piece) keeps its incremental
/// reparse, which costs a fraction of a fresh parse on every keystroke.
const FRESH_PARSE_MAX_BYTES: usize = 16 * 1024;

/// Consecutive top-level statements, parsed on their own.
#[derive(Clone)]
pub(super) struct Segment {
    /// Byte offset of the first line (a line start).
    pub start: usize,
    /// Row of the first line.
    pub start_row: usize,
    pub tree: Tree,
}

/// A module's segments, in order, covering its text.
#[derive(Clone)]
pub(super) struct Segments {
    pub list: Vec<Segment>,
    /// Where the triple-quoted strings that never close are opened (see
    /// [`Scanner::boundaries`]).
    unterminated: Vec<usize>,
}

impl Segments {
    /// Parse `text` into segments.
    pub fn parse(parser: &mut Parser, text: &str) -> Self {
        let (boundaries, unterminated) = Scanner::new(text, 0, 0).boundaries(None);
        let list = parse_pieces(parser, text, &boundaries, text.len(), |_, _| None);
        Segments { list, unterminated }
    }

    /// Replace `range` of `text` with `new_text` and bring the segments in step (see
    /// [`edit`]).
    pub fn edit(&mut self, parser: &mut Parser, text: &mut String, range: Range<usize>, new: &str) {
        edit(
            parser,
            text,
            &mut self.list,
            &mut self.unterminated,
            range,
            new,
        )
    }
}

/// Replace `range` of `text` with `new_text` and bring `segments` in step: the segments
/// from the one holding the edit to the first unchanged boundary are parsed again (from
/// their old trees, edited), the ones after it are moved.
fn edit(
    parser: &mut Parser,
    text: &mut String,
    segments: &mut Vec<Segment>,
    unterminated: &mut Vec<usize>,
    range: Range<usize>,
    new_text: &str,
) {
    let old_end = range.end.min(text.len());
    let start = range.start.min(old_end);
    // The segment holding the edit; the one before it too when the edit is on its first
    // line, which may stop being a boundary.
    let mut first = segments
        .partition_point(|s| s.start <= start)
        .saturating_sub(1);
    if first > 0 && !text[segments[first].start..start].contains('\n') {
        first -= 1;
    }
    // A triple-quoted string opened before the edit that never closed may close now: the
    // scan starts before it.
    if let Some(&quotes) = unterminated.iter().filter(|&&q| q < start).min() {
        first = first.min(segments.partition_point(|s| s.start <= quotes) - 1);
    }
    let from = segments[first].start;
    let from_row = segments[first].start_row;
    let start_position = point_after(text, from, Point::new(from_row, 0), start);
    let old_end_position = point_after(text, start, start_position, old_end);
    text.replace_range(start..old_end, new_text);
    let new_end = start + new_text.len();
    let new_end_position = point_after(text, start, start_position, new_end);
    let edit = InputEdit {
        start_byte: start,
        old_end_byte: old_end,
        new_end_byte: new_end,
        start_position,
        old_end_position,
        new_end_position,
    };
    let shift = |offset: usize| offset + new_end - old_end;
    let row_shift = |row: usize| row + new_end_position.row - old_end_position.row;
    // Old boundaries after the edit, where the scan may find the old segmentation again.
    let after: Vec<usize> = segments
        .iter()
        .skip(first + 1)
        .filter(|s| s.start > old_end)
        .map(|s| shift(s.start))
        .collect();
    let (boundaries, found_unterminated) =
        Scanner::new(text, from, from_row).boundaries(Some(&after));
    let last = boundaries[boundaries.len() - 1].0;
    let synced = boundaries.len() > 1 && after.binary_search(&last).is_ok();
    let (pieces, end) = if synced {
        (&boundaries[..boundaries.len() - 1], last)
    } else {
        (&boundaries[..], text.len())
    };
    // The segments replaced: from `first` to the one that starts where the scan stopped.
    let kept_from = match synced {
        true => segments
            .iter()
            .position(|s| s.start > old_end && shift(s.start) == end)
            .expect("the scan stopped at an old boundary"),
        false => segments.len(),
    };
    // Strings that never close after the scanned part stay so (their text did not change).
    let old_kept_start = segments.get(kept_from).map_or(usize::MAX, |s| s.start);
    let kept_unterminated = unterminated
        .iter()
        .filter(|&&q| q >= old_kept_start)
        .map(|&q| shift(q));
    *unterminated = found_unterminated
        .into_iter()
        .chain(kept_unterminated)
        .collect();
    let new_offset = |offset: usize| match offset {
        o if o <= start => o,
        o if o >= old_end => shift(o),
        _ => new_end,
    };
    let old_ends: Vec<usize> = segments[first + 1..]
        .iter()
        .map(|s| s.start)
        .chain(std::iter::once(text.len() + old_end - new_end))
        .collect();
    let mut replaced: Vec<Replaced> = segments
        .drain(first..kept_from)
        .zip(old_ends)
        .map(|(mut segment, old_segment_end)| {
            let touched = segment.start <= old_end && old_segment_end >= start;
            segment.tree.edit(&edit);
            Replaced {
                start: new_offset(segment.start),
                end: new_offset(old_segment_end),
                touched,
                tree: segment.tree,
            }
        })
        .collect();
    replaced.reverse();
    let new = parse_pieces(parser, text, pieces, end, |piece_start, piece_end| {
        // The old tree that held this piece's start: what its parse can reuse, or the
        // piece's own tree when the piece is an old segment that the edit did not touch.
        replaced.iter().find(|r| r.start <= piece_start).map(|r| {
            let same = !r.touched && r.start == piece_start && r.end == piece_end;
            (&r.tree, same)
        })
    });
    for segment in &mut segments[first..] {
        segment.start = shift(segment.start);
        segment.start_row = row_shift(segment.start_row);
        segment.tree.edit(&edit);
    }
    segments.splice(first..first, new);
}

/// An old segment that an edit replaces, at its new offsets.
struct Replaced {
    start: usize,
    end: usize,
    /// The edit changed its text.
    touched: bool,
    tree: Tree,
}

/// Parse the pieces of `text` that start at `boundaries` (offset, row), the last one
/// ending at `end`. `old_tree(start, end)`: a tree the parse of a piece can reuse, and
/// whether it is the piece's own already (an unchanged old segment).
fn parse_pieces<'t>(
    parser: &mut Parser,
    text: &str,
    boundaries: &[(usize, usize)],
    end: usize,
    old_tree: impl Fn(usize, usize) -> Option<(&'t Tree, bool)>,
) -> Vec<Segment> {
    let whole = boundaries.len() == 1 && boundaries[0].0 == 0 && end == text.len();
    let mut segments = Vec::with_capacity(boundaries.len());
    for (index, &(start, start_row)) in boundaries.iter().enumerate() {
        let (piece_end, end_point) = match boundaries.get(index + 1) {
            Some(&(next, next_row)) => (next, Point::new(next_row, 0)),
            None => (end, point_after(text, start, Point::new(start_row, 0), end)),
        };
        let old = old_tree(start, piece_end);
        if let Some((tree, true)) = old {
            segments.push(Segment {
                start,
                start_row,
                tree: tree.clone(),
            });
            continue;
        }
        let old = old.map(|(tree, _)| tree);
        let ranges = if whole {
            // No restriction: the whole text, as a plain parse.
            Vec::new()
        } else {
            vec![tree_sitter::Range {
                start_byte: start,
                end_byte: piece_end,
                start_point: Point::new(start_row, 0),
                end_point,
            }]
        };
        parser
            .set_included_ranges(&ranges)
            .expect("one range, in order");
        let mut parse = |old: Option<&Tree>| {
            parser
                .parse(text, old)
                .expect("parsing without a timeout or cancellation always yields a tree")
        };
        let mut tree = parse(old);
        // Tree-sitter recovers from errors differently when it reparses from an old tree:
        // a piece with an error is parsed afresh, so that its tree is the text's own (up to
        // a size: see FRESH_PARSE_MAX_BYTES).
        let short = piece_end - start <= FRESH_PARSE_MAX_BYTES;
        if tree.root_node().has_error() && old.is_some() && short {
            tree = parse(None);
        }
        segments.push(Segment {
            start,
            start_row,
            tree,
        });
    }
    segments
}

/// The point of `offset`, counting from `from` at `at`.
fn point_after(text: &str, from: usize, at: Point, offset: usize) -> Point {
    let between = &text.as_bytes()[from..offset];
    match between.iter().rposition(|&b| b == b'\n') {
        None => Point::new(at.row, at.column + between.len()),
        Some(last) => Point::new(
            at.row + between.iter().filter(|&&b| b == b'\n').count(),
            between.len() - last - 1,
        ),
    }
}

/// Python's lexical state from one line to the next, enough to know which lines start a
/// top-level statement.
#[derive(Clone)]
struct Scanner<'t> {
    text: &'t [u8],
    /// The next line's start and row.
    position: usize,
    row: usize,
    /// Open brackets.
    depth: u32,
    /// Inside a string: its quote and whether it is triple-quoted.
    string: Option<(u8, bool)>,
    /// The line ended with a backslash: the next one continues it.
    continued: bool,
    /// The last statement line was a decorator: the next one is what it decorates.
    decorated: bool,
    /// Where the last triple-quoted string was opened (the offset of its quotes).
    last_triple: Option<usize>,
    /// Triple-quoted strings that never close: each is read as ending with its line.
    unterminated: Vec<usize>,
}

impl<'t> Scanner<'t> {
    /// Scan from `position`, a line start outside any string or bracket, at `row`.
    fn new(text: &'t str, position: usize, row: usize) -> Self {
        Scanner {
            text: text.as_bytes(),
            position,
            row,
            depth: 0,
            string: None,
            continued: false,
            decorated: false,
            last_triple: None,
            unterminated: Vec::new(),
        }
    }

    /// The boundaries (offset, row) from the scanner's start (always the first) to the end
    /// of the text, or up to and including the first one in `stop_at` (sorted); and the
    /// offsets of the triple-quoted strings that never close, each read as ending with its
    /// line.
    fn boundaries(mut self, stop_at: Option<&[usize]>) -> (Vec<(usize, usize)>, Vec<usize>) {
        let first = self.position;
        let mut found = Vec::new();
        let mut segment_start = first;
        // A triple-quoted string still open at the end of the text is a syntax error of
        // the statement that opens it, not the rest of the module turned into a string
        // (which would make every later line one segment, reparsed on each keystroke):
        // the scan goes back to that line and reads the string as ending with it.
        let mut opened: Option<((Scanner<'t>, usize, usize), usize)> = None;
        loop {
            let (line, row) = (self.position, self.row);
            let checkpoint = (self.clone(), found.len(), segment_start);
            let starts = self.starts_statement();
            if line == first {
                found.push((line, row));
            } else if starts
                && (line - segment_start >= MAX_SEGMENT_BYTES || qualifies(self.line_text()))
            {
                segment_start = line;
                found.push((line, row));
                if stop_at.is_some_and(|stops| stops.binary_search(&line).is_ok()) {
                    return (found, self.unterminated);
                }
            }
            self.last_triple = None;
            self.scan_line();
            match (self.string, self.last_triple) {
                (None, _) => opened = None,
                (Some((_, true)), Some(quotes)) => opened = Some((checkpoint, quotes)),
                _ => {}
            }
            if self.position < self.text.len() {
                continue;
            }
            let Some(((back, found_len, back_segment_start), quotes)) = opened.take() else {
                return (found, self.unterminated);
            };
            let mut unterminated = std::mem::take(&mut self.unterminated);
            unterminated.push(quotes);
            self = back;
            self.unterminated = unterminated;
            found.truncate(found_len);
            segment_start = back_segment_start;
        }
    }

    /// The current line, without its line break.
    fn line_text(&self) -> &'t [u8] {
        let rest = &self.text[self.position..];
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let line = &rest[..end];
        line.strip_suffix(b"\r").unwrap_or(line)
    }

    /// Whether the current line starts a top-level statement (and, for the next line,
    /// remember whether it is a decorator).
    fn starts_statement(&mut self) -> bool {
        let line = self.line_text();
        let word_end = line
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80))
            .unwrap_or(line.len());
        let word = &line[..word_end];
        if self.string.is_some() {
            return false;
        }
        // `def` and `class` can only start a statement: a bracket left open before one is
        // a syntax error, which ends there (and does not swallow the rest of the module).
        let definition = matches!(word, b"def" | b"class" | b"async")
            && line
                .get(word_end)
                .is_some_and(|b| *b == b' ' || *b == b'\t');
        if definition {
            self.depth = 0;
            self.continued = false;
        }
        if self.depth > 0 || self.continued {
            return false;
        }
        let Some(&first) = line.first() else {
            return false; // a blank line
        };
        if first == b'@' {
            let starts = !self.decorated;
            self.decorated = true;
            return starts;
        }
        if !(first.is_ascii_alphabetic() || first == b'_' || first >= 0x80) {
            // Indented, a comment, or an expression statement starting with a bracket or a
            // string: not a boundary (a comment leaves a decorator waiting for its target).
            if !(first == b'#' || first.is_ascii_whitespace()) {
                self.decorated = false;
            }
            return false;
        }
        if matches!(word, b"else" | b"elif" | b"except" | b"finally") {
            return false;
        }
        let starts = !self.decorated;
        self.decorated = false;
        starts
    }

    /// Move past the current line, following strings, brackets, comments and
    /// continuations.
    fn scan_line(&mut self) {
        let text = self.text;
        let mut i = self.position;
        self.continued = false;
        while i < text.len() {
            let byte = text[i];
            if let Some((quote, triple)) = self.string {
                match byte {
                    b'\\' => i += 1, // escapes the next byte, a line break too
                    b'\n' if !triple => {
                        self.string = None; // unterminated: Python stops at the line end
                        break;
                    }
                    b'\n' => {
                        i += 1;
                        self.row += 1;
                        continue;
                    }
                    _ if byte == quote => {
                        if !triple {
                            self.string = None;
                        } else if text.get(i + 1) == Some(&quote) && text.get(i + 2) == Some(&quote)
                        {
                            self.string = None;
                            i += 2;
                        }
                    }
                    _ => {}
                }
                if byte == b'\\' && text.get(i) == Some(&b'\n') {
                    self.row += 1;
                }
                i += 1;
                continue;
            }
            match byte {
                b'\n' => break,
                b'#' => {
                    while i < text.len() && text[i] != b'\n' {
                        i += 1;
                    }
                    break;
                }
                b'"' | b'\'' => {
                    let triple = text.get(i + 1) == Some(&byte) && text.get(i + 2) == Some(&byte);
                    if triple && self.unterminated.contains(&i) {
                        // Never closed: it ends with its line.
                        while i < text.len() && text[i] != b'\n' {
                            i += 1;
                        }
                        break;
                    }
                    self.string = Some((byte, triple));
                    if triple {
                        self.last_triple = Some(i);
                        i += 2;
                    }
                }
                b'(' | b'[' | b'{' => self.depth += 1,
                b')' | b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                b'\\' => {
                    let rest = &text[i + 1..];
                    if rest.starts_with(b"\n") || rest.starts_with(b"\r\n") {
                        self.continued = true;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        // Past the line break.
        if i < text.len() {
            i += 1;
            self.row += 1;
        }
        self.position = i.min(text.len());
    }
}

/// Whether a statement line is chosen as a boundary: by its text, so that a boundary stays
/// one whatever happens around it (FNV-1a; the top bits are the well-mixed ones).
fn qualifies(line: &[u8]) -> bool {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in line {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash >> 32) % SPACING == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(text: &str) -> Vec<usize> {
        // Every statement start, without the hash's choice.
        let mut scanner = Scanner::new(text, 0, 0);
        let mut found = vec![0];
        scanner.starts_statement();
        scanner.scan_line();
        while scanner.position < text.len() {
            let line = scanner.position;
            if scanner.starts_statement() {
                found.push(line);
            }
            scanner.scan_line();
        }
        found
    }

    fn line_of(text: &str, offset: usize) -> usize {
        text[..offset].matches('\n').count()
    }

    #[test]
    fn statement_starts_follow_pythons_lexical_rules() {
        let text = "import os\n\
                    x = (1,\n\
                    2)\n\
                    s = \"\"\"\n\
                    def not_code():\n\
                    \"\"\"\n\
                    t = 'a\\\n\
                    b'\n\
                    y = 1 + \\\n\
                    z\n\
                    @decorator\n\
                    # a comment between\n\
                    def decorated():\n    pass\n\
                    if x:\n    pass\n\
                    else:\n    pass\n\
                    r = r\"\\\"\"\n\
                    last = 1\n";
        let lines: Vec<usize> = starts(text).iter().map(|&o| line_of(text, o)).collect();
        // import, x, s, t, y, @decorator, if, r, last.
        assert_eq!(lines, vec![0, 1, 3, 6, 8, 10, 14, 18, 19], "{text}");
    }

    #[test]
    fn a_definition_ends_a_bracket_left_open() {
        let text = "x = foo(\ny = 2\ndef f():\n    pass\n";
        let lines: Vec<usize> = starts(text).iter().map(|&o| line_of(text, o)).collect();
        assert_eq!(lines, vec![0, 2]);
    }

    /// A module with many segments and every construct the scanner follows.
    fn varied_module(functions: usize) -> String {
        let mut text = String::from("\"\"\"Doc.\"\"\"\nimport json\nimport os\n\n");
        for i in 0..functions {
            text.push_str(&match i % 6 {
                0 => format!("def helper_{i}(record, factor={i}):\n    size = record[\"s3\"].get(\"size\", 0)\n    return size * factor\n\n"),
                1 => format!("@decorator_{i}\n# why\ndef decorated_{i}(event):\n    return [\n        1,\n    ]\n\n"),
                2 => format!("QUERY_{i} = \"\"\"\nSELECT a\nFROM t_{i}\ndef not_code():\n\"\"\"\n\n"),
                3 => format!("class Thing{i}:\n    x = {i}\n\n    def method(self):\n        return self.x\n\n"),
                4 => format!("VALUES_{i} = (\n1,\n2)\ntotal_{i} = 1 + \\\n{i}\n\n"),
                _ => format!("if os.environ.get('X{i}'):\n    flag_{i} = 1\nelse:\n    flag_{i} = 2\n\n"),
            });
        }
        text
    }

    /// Every top-level statement with its kind, bytes and start point, and the segments.
    fn shape(module: &super::super::Module) -> (Vec<(usize, usize)>, Vec<String>) {
        let segments = module
            .segments
            .list
            .iter()
            .map(|s| (s.start, s.start_row))
            .collect();
        let statements = module
            .statements()
            .map(|n| {
                format!(
                    "{} {:?} {:?} {}",
                    n.kind(),
                    n.byte_range(),
                    n.start_position(),
                    n.to_sexp()
                )
            })
            .collect();
        (segments, statements)
    }

    #[test]
    fn valid_code_parses_as_one_tree_would() {
        let text = varied_module(60);
        let module = super::super::Module::parse(text.clone());
        assert!(
            module.segments.list.len() > 5,
            "{} segments",
            module.segments.list.len()
        );
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .unwrap();
        let whole = parser.parse(&text, None).unwrap();
        assert!(!whole.root_node().has_error());
        let mut cursor = whole.root_node().walk();
        let expected: Vec<String> = whole
            .root_node()
            .children(&mut cursor)
            .filter(|n| n.kind() != "comment")
            .map(|n| {
                format!(
                    "{} {:?} {:?} {}",
                    n.kind(),
                    n.byte_range(),
                    n.start_position(),
                    n.to_sexp()
                )
            })
            .collect();
        let (_, mut statements) = shape(&module);
        statements.retain(|s| !s.starts_with("comment "));
        assert_eq!(statements, expected);
    }

    #[test]
    fn random_edits_match_a_fresh_parse() {
        const PIECES: &[&str] = &[
            "",
            "x",
            "é",
            "\n",
            "\r\n",
            "    ",
            "def ",
            "class ",
            "@",
            "(",
            ")",
            "[",
            "]",
            ":",
            "\"",
            "'",
            "\"\"\"",
            "#",
            "\\",
            "\\\n",
            "else:",
            "\n\ndef f():\n    pass\n",
            "async def g(event, context):\n",
            "return {1}",
        ];
        let mut state = 0x5eed_u64;
        let mut below = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut module = super::super::Module::parse(varied_module(40));
        let mut segmented_steps = 0;
        for step in 0..3000 {
            // Random edits end up opening a string or bracket for good: start again now
            // and then, so that most edits land in a module of many segments.
            if step % 100 == 0 {
                module = super::super::Module::parse(varied_module(40));
            }
            let text = module.text().to_string();
            let boundary = |mut at: usize| {
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                at
            };
            let a = boundary(below(text.len() + 1));
            let b = boundary((a + below(20)).min(text.len()));
            let mut inserted = String::new();
            for _ in 0..below(3) {
                inserted.push_str(PIECES[below(PIECES.len())]);
            }
            module.edit(a..b, &inserted);
            let fresh = super::super::Module::parse(module.text().to_string());
            let (edited, fresh) = (shape(&module), shape(&fresh));
            let context = format!(
                "step {step}: {a}..{b} → {inserted:?}, text:\n{}",
                module.text()
            );
            assert_eq!(edited.0, fresh.0, "segments, {context}");
            for (edited, fresh) in edited.1.iter().zip(&fresh.1) {
                assert_eq!(edited, fresh, "{context}");
            }
            assert_eq!(edited.1.len(), fresh.1.len(), "{context}");
            segmented_steps += usize::from(module.segments.list.len() > 3);
        }
        assert!(
            segmented_steps > 1500,
            "{segmented_steps} edits in a segmented module"
        );
    }

    #[test]
    fn a_triple_quoted_string_that_never_closes_stays_in_its_statement() {
        let text: String = (0..60)
            .map(|i| format!("def helper_{i}(record, factor={i}):\n    size = record[\"s3\"].get(\"size\", 0)\n    return size * factor\n\n"))
            .collect();
        let mut module = super::super::Module::parse(text.clone());
        let segments = module.segments.list.len();
        assert!(segments > 5, "{segments}");
        let top = text.find("def helper_0").unwrap();
        module.edit(top..top, "NOTE = \"\"\"\n");
        let fresh = super::super::Module::parse(module.text().to_string());
        assert_eq!(shape(&module), shape(&fresh));
        // The rest of the module is still code in segments of its own, and the error is
        // the unterminated string's.
        assert!(
            module.segments.list.len() + 2 >= segments,
            "{}",
            module.segments.list.len()
        );
        let errors = module.syntax_errors();
        assert!(!errors.is_empty());
        assert!(
            errors.iter().all(|e| e.range.start < top + 200),
            "{errors:?}"
        );
        assert!(module.top_level_function("helper_12").is_some());
        // Closed further down: the text between is one string now, as Python reads it.
        let later = module.text().find("def helper_12").unwrap();
        module.edit(later..later, "\"\"\"\n");
        let fresh = super::super::Module::parse(module.text().to_string());
        assert_eq!(shape(&module), shape(&fresh));
        assert!(module.top_level_function("helper_6").is_none());
        assert!(module.top_level_function("helper_12").is_some());
        assert!(
            module.syntax_errors().is_empty(),
            "{:?}",
            module.syntax_errors()
        );
        // And opened again by deleting the closing quotes.
        module.edit(later..later + 4, "");
        let fresh = super::super::Module::parse(module.text().to_string());
        assert_eq!(shape(&module), shape(&fresh));
        assert!(module.top_level_function("helper_6").is_some());
    }
}

/// On demand (it reads thousands of files): every `.py` file under the folders of
/// `PY_ROOTS` (`:`-separated) that parses without an error as one tree parses as segments
/// into the same top-level statements, node for node.
///
///     PY_ROOTS=$(python3 -c 'import sysconfig; print(sysconfig.get_path("stdlib"))') \
///         cargo test --release -p lambda-ls --lib real_code -- --ignored --nocapture
#[cfg(test)]
mod real_code_check {
    #[test]
    #[ignore = "on demand: set PY_ROOTS"]
    fn real_python_files_parse_as_one_tree_would() {
        let roots = std::env::var("PY_ROOTS").expect("PY_ROOTS names the folders to read");
        let mut files = Vec::new();
        for root in roots.split(':') {
            for entry in ignore::WalkBuilder::new(root)
                .standard_filters(false)
                .build()
                .flatten()
            {
                if entry.path().extension().is_some_and(|e| e == "py") {
                    files.push(entry.path().to_path_buf());
                }
            }
        }
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .unwrap();
        let (mut checked, mut mismatched, mut segments_total) = (0, 0, 0);
        for path in &files {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let whole = parser.parse(&text, None).unwrap();
            if whole.root_node().has_error() {
                continue;
            }
            checked += 1;
            let module = super::super::Module::parse(text.clone());
            segments_total += module.segments.list.len();
            let mut cursor = whole.root_node().walk();
            let expected: Vec<String> = whole
                .root_node()
                .children(&mut cursor)
                .filter(|n| n.kind() != "comment")
                .map(|n| format!("{} {:?} {}", n.kind(), n.byte_range(), n.to_sexp()))
                .collect();
            let got: Vec<String> = module
                .statements()
                .filter(|n| n.kind() != "comment")
                .map(|n| format!("{} {:?} {}", n.kind(), n.byte_range(), n.to_sexp()))
                .collect();
            if expected != got || module.has_error() {
                mismatched += 1;
                if mismatched <= 5 {
                    let at = expected.iter().zip(&got).position(|(a, b)| a != b);
                    eprintln!(
                        "MISMATCH {} at {:?}: {:?} vs {:?}",
                        path.display(),
                        at,
                        at.map(|i| expected[i].chars().take(120).collect::<String>()),
                        at.map(|i| got[i].chars().take(120).collect::<String>())
                    );
                }
            }
        }
        eprintln!("{checked} files without errors, {mismatched} differ, {segments_total} segments");
        assert_eq!(mismatched, 0);
    }
}
