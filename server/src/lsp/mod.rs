//! The language server: LSP types in, editor-neutral answers from `analysis` out.

/// Serve LSP over stdin/stdout until the client exits.
pub fn run_stdio() -> anyhow::Result<()> {
    anyhow::bail!("the language server is being built")
}
