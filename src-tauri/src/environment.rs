//! What the desktop session offers, checked once at start.
//!
//! Without a webview runtime (Windows without Microsoft Edge WebView2: an old or
//! locked-down PC, Wine) there is no window to draw: the app says so in a message box of
//! the system's own, with what to do, and exits ([`webview_runtime_or_exit`]); the tray
//! it started keeps the tokens fresh meanwhile.
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

/// Windows: whether Microsoft Edge WebView2 is installed; if not, say so in a message box
/// (and on stderr, for a terminal or a log) and exit. Elsewhere the webview is a library
/// the app links, so there is nothing to ask.
#[cfg(windows)]
pub fn webview_runtime_or_exit() {
    let Err(e) = tauri::webview_version() else { return };
    let (title, body) = latchkey_ipc::words::environment::no_webview_runtime();
    tracing::error!("no WebView2 runtime: {e}");
    eprintln!("latchkey-desktop: {title}\n{body}");
    message_box(title, &body);
    std::process::exit(1);
}

#[cfg(not(windows))]
pub fn webview_runtime_or_exit() {}

/// A modal message box with an OK button (no window of ours exists yet).
#[cfg(windows)]
#[allow(unsafe_code)] // MessageBoxW with NUL-terminated strings made here
fn message_box(title: &str, body: &str) {
    use windows_sys::Win32::UI::WindowsAndMessaging::{MessageBoxW, MB_ICONWARNING, MB_OK};
    let wide = |s: &str| s.encode_utf16().chain(std::iter::once(0)).collect::<Vec<u16>>();
    let (title, body) = (wide(title), wide(body));
    // SAFETY: both strings are NUL-terminated and outlive the call; no owner window.
    unsafe { MessageBoxW(std::ptr::null_mut(), body.as_ptr(), title.as_ptr(), MB_OK | MB_ICONWARNING) };
}
