//! Conversions between protocol positions and the core's byte offsets and answer types.
//! Every LSP position passes through here, in the encoding negotiated at initialize.

use tower_lsp_server::ls_types as lsp;

use super::protocol::{lens_commands, LensArguments};
use crate::ide::{self, Severity};
use crate::line_index::{Encoding, LineIndex};

/// A document's text with its line index, for conversions.
pub struct Text<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub encoding: Encoding,
}

impl Text<'_> {
    pub fn offset(&self, position: lsp::Position) -> usize {
        self.index
            .offset(self.text, position.line, position.character, self.encoding)
    }

    pub fn position(&self, offset: usize) -> lsp::Position {
        let (line, character) = self.index.position(self.text, offset, self.encoding);
        lsp::Position { line, character }
    }

    pub fn range(&self, range: &std::ops::Range<usize>) -> lsp::Range {
        lsp::Range {
            start: self.position(range.start),
            end: self.position(range.end),
        }
    }

    pub fn offsets(&self, range: lsp::Range) -> std::ops::Range<usize> {
        let start = self.offset(range.start);
        let end = self.offset(range.end).max(start);
        start..end
    }

    pub fn diagnostic(&self, diagnostic: &ide::Diagnostic) -> lsp::Diagnostic {
        lsp::Diagnostic {
            range: self.range(&diagnostic.range),
            severity: Some(severity(diagnostic.severity)),
            code: Some(lsp::NumberOrString::String(diagnostic.code.to_string())),
            source: Some("lambda-ls".to_string()),
            message: diagnostic.message.clone(),
            ..Default::default()
        }
    }

    pub fn text_edit(&self, edit: &ide::TextEdit) -> lsp::TextEdit {
        lsp::TextEdit {
            range: self.range(&edit.range),
            new_text: edit.new_text.clone(),
        }
    }

    /// A lens with the protocol command its action names; informational lenses get an
    /// empty command, which editors show as plain text.
    pub fn code_lens(&self, lens: &ide::Lens, uri: &lsp::Uri) -> lsp::CodeLens {
        let (command, handler) = match &lens.action {
            Some(ide::LensAction::Invoke { handler }) => (lens_commands::INVOKE, Some(handler)),
            Some(ide::LensAction::InvokeWithEvent { handler }) => {
                (lens_commands::INVOKE_WITH_EVENT, Some(handler))
            }
            None => ("", None),
        };
        let arguments = handler.map(|handler| {
            let argument = LensArguments {
                uri: uri.as_str().to_string(),
                handler: handler.clone(),
            };
            vec![serde_json::to_value(argument).unwrap_or_default()]
        });
        lsp::CodeLens {
            range: self.range(&lens.range),
            command: Some(lsp::Command {
                title: lens.title.clone(),
                command: command.to_string(),
                arguments,
            }),
            data: None,
        }
    }

    pub fn hover(&self, hover: &ide::Hover) -> lsp::Hover {
        lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: hover.markdown.clone(),
            }),
            range: Some(self.range(&hover.range)),
        }
    }

    pub fn completion(&self, completion: &ide::Completion) -> lsp::CompletionItem {
        lsp::CompletionItem {
            label: completion.label.clone(),
            kind: Some(match completion.kind {
                ide::CompletionKind::Key => lsp::CompletionItemKind::FIELD,
                ide::CompletionKind::Property => lsp::CompletionItemKind::PROPERTY,
                ide::CompletionKind::Method => lsp::CompletionItemKind::METHOD,
                ide::CompletionKind::Value => lsp::CompletionItemKind::VALUE,
                ide::CompletionKind::Snippet => lsp::CompletionItemKind::SNIPPET,
            }),
            detail: completion.detail.clone(),
            documentation: completion.documentation.as_ref().map(|doc| {
                lsp::Documentation::MarkupContent(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: doc.clone(),
                })
            }),
            sort_text: completion.sort_text.clone(),
            filter_text: Some(self.text[completion.edit.range.clone()].to_string())
                .filter(|typed| typed.starts_with(['"', '\'']))
                .map(|typed| format!("{}{}", &typed[..1], completion.label)),
            text_edit: Some(lsp::CompletionTextEdit::Edit(
                self.text_edit(&completion.edit),
            )),
            ..Default::default()
        }
    }
}

pub fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// The encoding to use given what the client offers: UTF-8 when offered (no conversion
/// cost), else UTF-16, the protocol's mandatory default.
pub fn negotiate_encoding(
    offered: Option<&Vec<lsp::PositionEncodingKind>>,
) -> (Encoding, lsp::PositionEncodingKind) {
    match offered {
        Some(kinds) if kinds.contains(&lsp::PositionEncodingKind::UTF8) => {
            (Encoding::Utf8, lsp::PositionEncodingKind::UTF8)
        }
        _ => (Encoding::Utf16, lsp::PositionEncodingKind::UTF16),
    }
}
