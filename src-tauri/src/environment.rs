//! What the desktop session offers, checked once at start.
//!
//! Without a D-Bus session bus there is no single-instance forwarding (so no deep
//! links into a running app) and no Secret Service (so no keyring). The app still
//! starts, and says what is degraded instead of panicking inside a plugin.

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

    /// Plain-language descriptions of what does not work here.
    pub fn degraded(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.session_bus {
            problems.push(
                "No D-Bus session bus: links to latchkey:// cannot reach this window, \
                 a second launch starts a separate app, and the keyring is unavailable. \
                 Start Latchkey from your desktop session (or inside `dbus-run-session`)."
                    .to_string(),
            );
        }
        if !self.lean_tray_started {
            problems.push(
                "Latchkey's tray (latchkey-tray) is not running and could not be started: tokens are \
                 renewed only when a program asks for one. Reinstall Latchkey to get it back."
                    .to_string(),
            );
        }
        problems
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
