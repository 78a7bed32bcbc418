//! IPC commands, grouped by concept; each is a short delegation into the engine.
//! Commands return status and metadata, never a token or secret.

pub mod app;
pub mod profiles;
pub mod settings;
pub mod sign_in;
