//! Errors for the webview come from latchkey-ipc, the one place they become text.

pub use latchkey_ipc::error::{IpcError, IpcResult};
