//! What the desktop session offers, checked once at start.
//!
//! Without a D-Bus session bus there is no single-instance forwarding (so no deep
//! links into a running app) and no Secret Service (so no keyring). The app still
//! starts, and says what is degraded instead of panicking inside a plugin.

use latchkey_ipc::words::environment::{degraded, Degraded};

#[derive(Debug, Clone)]
pub struct Environment {
    pub session_bus: bool,
    /// Whether a tray keeps the tokens fresh (one was running, or this app started it).
    pub lean_tray_started: bool,
}

impl Environment {
    pub fn detect() -> Self {
        Self { session_bus: session_bus_available(), lean_tray_started: true }
    }

    /// What does not work here, in words (latchkey-ipc's `words::environment`).
    pub fn degraded(&self) -> Vec<String> {
        let missing = [(!self.session_bus, Degraded::NoSessionBus), (!self.lean_tray_started, Degraded::NoTray)];
        missing.into_iter().filter(|(lacking, _)| *lacking).map(|(_, what)| degraded(what)).collect()
    }
}

/// Only Linux desktops need a D-Bus session for these; Windows and macOS have their own.
#[cfg(not(target_os = "linux"))]
fn session_bus_available() -> bool {
    true
}

#[cfg(target_os = "linux")]
fn session_bus_available() -> bool {
    use std::path::Path;
    match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        Ok(address) if !address.is_empty() => address.split(';').any(|a| match a.strip_prefix("unix:path=") {
            Some(rest) => Path::new(rest.split(',').next().unwrap_or(rest)).exists(),
            None => true,
        }),
        _ => std::env::var_os("XDG_RUNTIME_DIR").map(|dir| Path::new(&dir).join("bus").exists()).unwrap_or(false),
    }
}
