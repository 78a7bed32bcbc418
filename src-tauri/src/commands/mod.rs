//! IPC commands, grouped by concept; each is a short delegation into the engine.
//! Commands return status and metadata, never a token or secret. Which commands there
//! are, and what each takes and answers, is the list in `ipc/src/commands/list.rs`.

pub use args::Args;

pub mod app;
mod args;
pub mod profiles;
pub mod settings;
pub mod sign_in;
