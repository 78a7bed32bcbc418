//! What the desktop app says is degraded on this machine (the window's banner, the
//! diagnostics report and the log), from what `src-tauri/src/environment.rs` found.

/// Something the desktop session lacks that the app would use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Degraded {
    /// No D-Bus session bus: no forwarding to a running app, no deep links, no keyring.
    NoSessionBus,
    /// latchkey-tray is not running and could not be started.
    NoTray,
}

/// The sentence for one degraded part: what does not work, and what to do.
pub fn degraded(what: Degraded) -> String {
    match what {
        Degraded::NoSessionBus => "No D-Bus session bus: links to latchkey:// cannot reach this window, \
             a second launch starts a separate app, and the keyring is unavailable. \
             Start Latchkey from your desktop session (or inside `dbus-run-session`)."
            .to_string(),
        Degraded::NoTray => "Latchkey's tray (latchkey-tray) is not running and could not be started: tokens are \
             renewed only when a program asks for one. Reinstall Latchkey to get it back."
            .to_string(),
    }
}
