//! lambda-ls: editor intelligence, local invoke, packaging and deploys for AWS Lambda
//! functions written in Python. One library behind both the language server and the CLI.

pub mod analysis;
pub mod aws;
pub mod catalog;
pub mod cli;
pub mod ide;
pub mod line_index;
pub mod lsp;
pub mod package;
pub mod project;
pub mod python;
pub mod runtime;
