//! Editor-neutral answers: diagnostics, fixes, completions, hovers and lenses, located by
//! byte offsets into the document text. The CLI renders them as text, `lsp` converts them
//! to protocol types; nothing here knows about LSP.

use std::ops::Range;

use serde::Serialize;

/// How much a diagnostic matters; maps one-to-one onto LSP severities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

/// A replacement of `range` (byte offsets) by `new_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// A quick fix: a title for the menu and the edits that carry it out, all in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<TextEdit>,
}

/// One finding on one file. `code` is stable (documented, used in tests and by users to
/// recognise a check); `message` says what is wrong, why Lambda cares and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub range: Range<usize>,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn new(
        code: &'static str,
        severity: Severity,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity,
            range,
            message: message.into(),
            fixes: Vec::new(),
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }
}

/// What kind of thing a completion inserts; maps onto LSP completion item kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CompletionKind {
    Key,
    Property,
    Method,
    Value,
    Snippet,
}

/// One completion proposal. `edit` replaces the text the user has typed so far (and any
/// closing quote the editor inserted) so that quoting comes out right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    /// One line shown beside the label, such as a type or an example value.
    pub detail: Option<String>,
    /// Markdown documentation.
    pub documentation: Option<String>,
    pub edit: TextEdit,
    /// Sort key so that the most likely items come first; defaults to the label.
    pub sort_text: Option<String>,
}

/// Markdown hover text for a range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hover {
    pub range: Range<usize>,
    pub markdown: String,
}

/// A code lens: a title above `range` and, when clickable, what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lens {
    pub range: Range<usize>,
    pub title: String,
    /// `None` for an informational lens.
    pub action: Option<LensAction>,
}

/// What clicking a lens does, in editor-neutral terms (the protocol layer names the command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum LensAction {
    /// Invoke the handler locally with its default (or last) event.
    Invoke { handler: String },
    /// Ask for an event, then invoke the handler.
    InvokeWithEvent { handler: String },
}
