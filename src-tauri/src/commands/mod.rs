//! IPC commands, grouped by concept; each is a short delegation into the engine.

pub mod app;
pub mod profiles;
