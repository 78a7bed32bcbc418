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

/// What the desktop app says, in a message box of the system's own, when the computer
/// has no Microsoft Edge WebView2 runtime to draw its window with (an old or locked-down
/// Windows, Wine): the title and the body. The tray and the CLI need no webview.
pub fn no_webview_runtime() -> (&'static str, String) {
    (
        "Latchkey needs Microsoft Edge WebView2",
        "Latchkey's window is drawn by Microsoft Edge WebView2, which this computer does not have.\n\n\
         Install the WebView2 Runtime (its Evergreen Bootstrapper, from \
         https://developer.microsoft.com/microsoft-edge/webview2/ , or ask your IT department), then open \
         Latchkey again.\n\n\
         Meanwhile your tokens are still kept fresh, and you can sign in from a terminal:\n    \
         latchkey login NAME --paste"
            .to_string(),
    )
}
