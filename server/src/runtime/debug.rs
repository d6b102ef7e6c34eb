//! Debugging a local invoke: the environment starts under debugpy (from PyPI, installed once
//! into lambda-ls's cache for the interpreter's version, never into the package), listening
//! on 127.0.0.1. The function's module is imported only once a debugger (any DAP client:
//! VS Code, `nvim-dap`, a test) has attached and sent `configurationDone`, so breakpoints at
//! module level, in the handler and in its modules are all hit. While a debugger may hold
//! the process, neither the initialisation limit nor the function's timeout ends it.
//!
//! The launcher tells the Runtime API server when debugpy listens (and on which port, which
//! matters when 0 asked for any free one) and when the debugger has attached, so that an
//! editor can connect at the right moment.

use std::net::SocketAddr;
use std::sync::Arc;

/// The debugpy lambda-ls installs.
pub const DEBUGPY: &str = "debugpy==1.8.22";

/// Told where debugpy listens, once it does.
pub type ListeningSink = Arc<dyn Fn(SocketAddr) + Send + Sync>;

/// Debug an invocation.
#[derive(Clone)]
pub struct DebugOptions {
    /// The port on 127.0.0.1; 0 lets debugpy pick a free one (see `on_listening`).
    pub port: u16,
    /// Called when debugpy listens (the editor connects then).
    pub on_listening: Option<ListeningSink>,
}

impl std::fmt::Debug for DebugOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DebugOptions")
            .field("port", &self.port)
            .field("on_listening", &self.on_listening.is_some())
            .finish()
    }
}

/// The line the environment prints while it waits (the CLI user attaches then).
pub fn waiting_line(address: SocketAddr) -> String {
    format!("waiting for a debugger on {address}")
}
