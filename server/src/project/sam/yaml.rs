//! YAML as a tree of nodes that remember their byte range in the text, built from
//! saphyr-parser's events (a YAML 1.2 parser that gives a span for every event, tags
//! included). CloudFormation's short tags are turned into their long form here, so that
//! `!GetAtt Queue.Arn` and `{"Fn::GetAtt": …}` reach the rest of the code as the same
//! one-key mapping: one way to read intrinsics, whichever way they were written.

use std::collections::HashMap;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

/// A YAML node and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Byte range in the text, tag included (`!Ref Name`).
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    Mapping(Vec<Entry>),
}

/// A scalar's text as YAML reads it (escapes and folding applied).
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    /// Written plain (unquoted, not a block): only plain scalars can be null, numbers or
    /// booleans.
    pub plain: bool,
}

/// One `key: value` pair of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// Why a text is not YAML, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    /// Byte offset of the problem.
    pub offset: usize,
}

impl Node {
    fn scalar(text: impl Into<String>, plain: bool, range: Range<usize>) -> Node {
        Node {
            value: Value::Scalar(Scalar {
                text: text.into(),
                plain,
            }),
            range,
        }
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry under `key` in a mapping (for the key's own range).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key.as_str() == Some(key))
    }

    /// A mapping's entries (none for other nodes).
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Mapping(entries) => entries,
            _ => &[],
        }
    }

    /// A sequence's items (none for other nodes).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Sequence(items) => items,
            _ => &[],
        }
    }

    /// A scalar's text.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    pub fn is_mapping(&self) -> bool {
        matches!(self.value, Value::Mapping(_))
    }

    /// YAML's null: an empty node, `~` or `null` written plain.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s) if s.plain && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A CloudFormation intrinsic function: a one-key mapping whose key is `Ref`,
    /// `Condition` or `Fn::…`, as (name, argument).
    pub fn intrinsic(&self) -> Option<(&str, &Node)> {
        match self.entries() {
            [entry] => {
                let name = entry.key.as_str()?;
                (name == "Ref" || name == "Condition" || name.starts_with("Fn::"))
                    .then_some((name, &entry.value))
            }
            _ => None,
        }
    }
}

/// Character index → byte offset (saphyr counts characters).
struct Offsets {
    /// Byte offset of each character, and the text's length at the end; empty for ASCII
    /// text, where both are the same.
    bytes: Vec<usize>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Self {
        let bytes = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect()
        };
        Offsets {
            bytes,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.bytes.is_empty() {
            char_index.min(self.len)
        } else {
            self.bytes.get(char_index).copied().unwrap_or(self.len)
        }
    }
}

/// A collection being read.
struct Open {
    start: usize,
    /// A flow collection (`[…]`, `{…}`) ends at its closing bracket; a block one at its
    /// last item.
    flow: bool,
    tag: Option<String>,
    anchor: usize,
    items: Vec<Node>,
    is_mapping: bool,
}

/// Parse the first document of `text`. An empty text is a null node.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let offsets = Offsets::new(text);
    let range_of = |span: &Span| {
        let start = offsets.byte(span.start.index());
        let end = offsets.byte(span.end.index()).max(start);
        // Spans may end past trailing blanks; ranges end at the last character written.
        let trimmed = text[start..end].trim_end().len();
        start..start + trimmed
    };
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root = None;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| SyntaxError {
            message: e.info().to_string(),
            offset: offsets.byte(e.marker().index()),
        })?;
        let done = match event {
            Event::Scalar(value, style, anchor, tag) => {
                let range = range_of(&span);
                let plain = style == ScalarStyle::Plain
                    && tag.as_deref().is_none_or(|t| !is_core(t, "str"));
                let node = with_tag(Node::scalar(value, plain, range), tag.as_deref());
                Some((node, anchor))
            }
            Event::Alias(id) => anchors.get(&id).cloned().map(|mut node| {
                node.range = range_of(&span);
                (node, 0)
            }),
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                let range = range_of(&span);
                let opening = text[range.clone()].trim_end();
                stack.push(Open {
                    start: range.start,
                    flow: opening.ends_with('[') || opening.ends_with('{'),
                    tag: tag.as_deref().map(tag_name),
                    anchor,
                    items: Vec::new(),
                    is_mapping: matches!(event, Event::MappingStart(..)),
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => stack.pop().map(|open| {
                let last_end = open.items.last().map(|n| n.range.end);
                let end = if open.flow {
                    range_of(&span).end
                } else {
                    last_end.unwrap_or(open.start)
                };
                let value = if open.is_mapping {
                    Value::Mapping(pairs(open.items))
                } else {
                    Value::Sequence(open.items)
                };
                let node = Node {
                    value,
                    range: open.start..end.max(open.start),
                };
                (short_form(node, open.tag.as_deref()), open.anchor)
            }),
            Event::DocumentEnd if root.is_some() => break,
            _ => None,
        };
        if let Some((node, anchor)) = done {
            if anchor > 0 {
                anchors.insert(anchor, node.clone());
            }
            match stack.last_mut() {
                Some(open) => open.items.push(node),
                None => root = Some(node),
            }
        }
    }
    Ok(root.unwrap_or_else(|| Node::scalar("", true, 0..0)))
}

/// Keys and values alternate in a mapping's items.
fn pairs(items: Vec<Node>) -> Vec<Entry> {
    let mut entries = Vec::with_capacity(items.len() / 2);
    let mut items = items.into_iter();
    while let (Some(key), Some(value)) = (items.next(), items.next()) {
        entries.push(Entry { key, value });
    }
    entries
}

/// `!!str`-style tags of the YAML core schema.
fn is_core(tag: &Tag, suffix: &str) -> bool {
    tag.is_yaml_core_schema() && tag.suffix == suffix
}

/// A local tag's name (`!Ref` → `Ref`); `None` for the core schema's.
fn tag_name(tag: &Tag) -> String {
    if tag.is_yaml_core_schema() {
        String::new()
    } else {
        tag.suffix.clone()
    }
}

fn with_tag(node: Node, tag: Option<&Tag>) -> Node {
    let name = tag.map(tag_name);
    short_form(node, name.as_deref())
}

/// A node written with a CloudFormation short tag, as the long form: `!Sub x` →
/// `{"Fn::Sub": x}`, `!Ref x` → `{"Ref": x}`, `!GetAtt A.B` → `{"Fn::GetAtt": [A, B]}`.
fn short_form(node: Node, tag: Option<&str>) -> Node {
    let Some(tag) = tag.filter(|t| !t.is_empty()) else {
        return node;
    };
    let range = node.range.clone();
    let name = match tag {
        "Ref" | "Condition" => tag.to_string(),
        other => format!("Fn::{other}"),
    };
    let argument = match (&node.value, tag) {
        // The short form's `Resource.Attribute` is the long form's two-item list.
        (Value::Scalar(s), "GetAtt") if s.text.contains('.') => {
            let (resource, attribute) = s.text.split_once('.').unwrap_or((&s.text, ""));
            Node {
                value: Value::Sequence(vec![
                    Node::scalar(resource, false, range.clone()),
                    Node::scalar(attribute, false, range.clone()),
                ]),
                range: range.clone(),
            }
        }
        _ => node,
    };
    let key_end = range.start + 1 + tag.len();
    Node {
        value: Value::Mapping(vec![Entry {
            key: Node::scalar(name, false, range.start..key_end.min(range.end)),
            value: argument,
        }]),
        range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice<'a>(text: &'a str, node: &Node) -> &'a str {
        &text[node.range.clone()]
    }

    #[test]
    fn mappings_sequences_and_scalars_with_their_ranges() {
        let text = "A: one\nB:\n  - x\n  - 'y z'\nC: {d: 1, e: [2, 3]}\n";
        let root = parse(text).unwrap();
        assert_eq!(root.get("A").unwrap().as_str(), Some("one"));
        assert_eq!(slice(text, root.get("A").unwrap()), "one");
        let b = root.get("B").unwrap();
        assert_eq!(b.items().len(), 2);
        assert_eq!(slice(text, &b.items()[1]), "'y z'");
        assert_eq!(b.items()[1].as_str(), Some("y z"));
        assert_eq!(slice(text, b), "- x\n  - 'y z'");
        let c = root.get("C").unwrap();
        assert_eq!(slice(text, c), "{d: 1, e: [2, 3]}");
        assert_eq!(slice(text, c.get("e").unwrap()), "[2, 3]");
        assert_eq!(slice(text, &root.entry("C").unwrap().key), "C");
    }

    #[test]
    fn short_tags_become_long_form_intrinsics() {
        let text = "A: !Ref Param\nB: !GetAtt Queue.Arn\nC: !Sub\n  - '${X}-y'\n  - X: !Ref P\nD: {\"Fn::Join\": [\"\", [a, b]]}\n";
        let root = parse(text).unwrap();
        let a = root.get("A").unwrap();
        assert_eq!(slice(text, a), "!Ref Param");
        let (name, argument) = a.intrinsic().unwrap();
        assert_eq!((name, argument.as_str()), ("Ref", Some("Param")));
        let (name, argument) = root.get("B").unwrap().intrinsic().unwrap();
        assert_eq!(name, "Fn::GetAtt");
        let parts: Vec<_> = argument.items().iter().filter_map(Node::as_str).collect();
        assert_eq!(parts, ["Queue", "Arn"]);
        let (name, argument) = root.get("C").unwrap().intrinsic().unwrap();
        assert_eq!(name, "Fn::Sub");
        assert_eq!(argument.items()[0].as_str(), Some("${X}-y"));
        let nested = argument.items()[1].get("X").unwrap().intrinsic().unwrap();
        assert_eq!(nested.0, "Ref");
        assert_eq!(root.get("D").unwrap().intrinsic().unwrap().0, "Fn::Join");
    }

    #[test]
    fn non_ascii_text_gives_byte_ranges() {
        let text = "Description: \"héllo wörld\" \nName: ünïcode\n";
        let root = parse(text).unwrap();
        assert_eq!(
            slice(text, root.get("Description").unwrap()),
            "\"héllo wörld\""
        );
        assert_eq!(slice(text, root.get("Name").unwrap()), "ünïcode");
    }

    #[test]
    fn anchors_aliases_nulls_and_core_tags() {
        let text = "A: &x {k: v}\nB: *x\nC:\nD: ~\nE: !!str 12\nF: 12\n";
        let root = parse(text).unwrap();
        assert_eq!(root.get("B").unwrap().get("k").unwrap().as_str(), Some("v"));
        assert_eq!(slice(text, root.get("B").unwrap()), "*x");
        assert!(root.get("C").unwrap().is_null());
        assert!(root.get("D").unwrap().is_null());
        let e = root.get("E").unwrap();
        assert_eq!(
            e.value,
            Value::Scalar(Scalar {
                text: "12".into(),
                plain: false
            })
        );
        assert!(matches!(&root.get("F").unwrap().value, Value::Scalar(s) if s.plain));
    }

    #[test]
    fn errors_have_a_position() {
        let text = "Resources:\n  Fn:\n    Type: x\n   Bad: [1, 2\n";
        let error = parse(text).unwrap_err();
        assert!(error.message.contains("block mapping"), "{error:?}");
        assert_eq!(error.offset, text.find("Bad").unwrap());
        assert!(parse("").unwrap().is_null());
    }
}
