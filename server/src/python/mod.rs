//! Python source: tree-sitter parsing, incremental reparse, handler lookup.
