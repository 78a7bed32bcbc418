//! Every sentence a person at a desktop reads that is not an error's (those are worded
//! in `error.rs`): a profile's status on the window's rows and in the tray's menu and
//! tooltip, the tray's menu, desktop notifications, what the app's own windows and
//! commands say, and what the app says is degraded. The shells
//! (src-tauri, latchkey-tray, `latchkey agent`'s notifications) only show these; the
//! terminal's words are the CLI's (`cli/src/commands/words.rs`).

pub mod app;
pub mod environment;
pub mod notify;
pub mod scopes;
pub mod status;
pub mod tray;
