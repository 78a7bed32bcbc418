//! The one typed door between the desktop app's window and Rust (GitButler's rule): what
//! each IPC command takes and returns, and the error shape, as Rust types. The UI's
//! TypeScript types are generated from these (`ui/src/lib/bindings/`, by ts-rs) and a
//! test fails when the two differ, so the boundary is never typed twice by hand. The
//! commands and events themselves are one list (`commands/list.rs`) that the handlers,
//! the permissions, the capability and the window's typed calls are all made from.
//!
//! Nothing here depends on Tauri: the commands in `src-tauri/src/commands/` are thin
//! glue that calls the engine and returns these. Nothing here carries a token or a
//! secret (a client secret travels only from the UI to Rust, as a command argument).

pub mod commands;
pub mod error;
pub mod models;
pub mod words;

pub use commands::{events, Event};
pub use error::{IpcError, IpcErrorCode, IpcResult};
