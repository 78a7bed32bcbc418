//! Start at login: the lean tray (`latchkey-tray`), never the desktop app.
//!
//! Why not the desktop app's autostart plugin: it can only start the app itself, and the
//! app links a WebView (GTK and WebKit on Linux) — over 100 MB resident all day for a tray
//! icon. What should run from login is the lean tray (engine only, a few MB), which opens
//! the app's window on demand. Each system has its own place for it, and [`Autostart`] is
//! that place here, with the same four calls everywhere:
//!
//! * Linux: an XDG autostart entry ([`xdg`]);
//! * macOS: a LaunchAgent in `~/Library/LaunchAgents` ([`launch_agent`]);
//! * Windows: the `Run` key of the user's registry (`run_key`), which Task Manager's
//!   Startup page switches off and on.

pub mod launch_agent;
pub mod xdg;

#[cfg(windows)]
mod run_key;

pub use xdg::unquoted_exec;

#[cfg(target_os = "macos")]
pub use launch_agent::Autostart;
#[cfg(windows)]
pub use run_key::Autostart;
#[cfg(not(any(target_os = "macos", windows)))]
pub use xdg::Autostart;

/// Write a start-at-login file (atomically: a half-written one is never read at login).
fn write_file(dir: &std::path::Path, path: &std::path::Path, text: &str) -> crate::Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| crate::Error::ConfigWrite { path: dir.to_path_buf(), source })?;
    crate::store::config::write_atomic(path, text.as_bytes())
}

/// Remove a start-at-login file; one that is not there is fine.
fn remove_file(path: &std::path::Path) -> crate::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(crate::Error::ConfigWrite { path: path.to_path_buf(), source: e })
        }
        _ => Ok(()),
    }
}
