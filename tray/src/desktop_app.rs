//! Starting the desktop app (the window) on demand. It finds the tray running and
//! opens only a window: no second tray icon, no second renewal loop, and it exits when
//! the window closes.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The app's binary: `$LATCHKEY_DESKTOP_BIN`, else beside this one (`/usr/bin` in the
/// package, `target/*/` in a build), else `latchkey-desktop` on `$PATH`.
fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("LATCHKEY_DESKTOP_BIN").filter(|b| !b.is_empty()) {
        return bin.into();
    }
    std::env::current_exe()
        .ok()
        .and_then(|me| me.parent().map(|dir| dir.join(format!("latchkey-desktop{}", std::env::consts::EXE_SUFFIX))))
        .filter(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("latchkey-desktop"))
}

/// Open the main window.
pub fn open() {
    start(&[]);
}

/// Open the main window and sign `profile` in again in the app's sign-in window.
pub fn sign_in(profile: &str) {
    start(&["--sign-in", profile]);
}

fn start(args: &[&str]) {
    let bin = binary();
    match Command::new(&bin).args(args).stdin(Stdio::null()).spawn() {
        Ok(mut child) => {
            tracing::info!(app = %bin.display(), "opened the app's window");
            // Reap it when it exits, so no zombie stays behind.
            std::thread::spawn(move || child.wait());
        }
        Err(e) => {
            tracing::error!(app = %bin.display(), "cannot start the Latchkey app: {e}");
            let (title, body) = latchkey_ipc::words::notify::cannot_open_window(&e);
            crate::notify::show(&title, &body);
        }
    }
}
