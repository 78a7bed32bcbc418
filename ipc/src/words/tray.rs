//! The labels of latchkey-tray's menu (each profile's line is `status.rs`'s).

pub const SIGN_IN_AGAIN: &str = "Sign in again";
pub const REFRESH_NOW: &str = "Refresh now";
pub const COPY_TOKEN: &str = "Copy token";
pub const OPEN: &str = "Open Latchkey";
pub const START_AT_LOGIN: &str = "Start at login";
/// The same entry, where the lab's policy fixes it (and it is disabled).
pub const START_AT_LOGIN_FIXED: &str = "Start at login (set by your organisation)";
pub const QUIT: &str = "Quit";
