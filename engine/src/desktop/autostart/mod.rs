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
fn write_file(dir: &std::path::Path, path: &std::path::Path, text: &str) -> crate::error::Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|source| crate::error::Error::ConfigWrite { path: dir.to_path_buf(), source })?;
    crate::store::config::write_atomic(path, text.as_bytes())
}

/// Remove a start-at-login file; one that is not there is fine.
fn remove_file(path: &std::path::Path) -> crate::error::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(crate::error::Error::ConfigWrite { path: path.to_path_buf(), source: e })
        }
        _ => Ok(()),
    }
}

/// Start at login keeps pointing at a tray that exists. An entry another copy of Latchkey
/// wrote (a checkout's build run before the package was installed, a copy since deleted)
/// is pointed at `tray` — this copy's — when this copy is the installed one, or when the
/// program the entry names is gone. An entry switched off stays off; none is made.
/// Returns whether it changed.
pub fn repoint(autostart: &Autostart, tray: &std::path::Path, installed: bool) -> crate::error::Result<bool> {
    if !autostart.is_enabled() {
        return Ok(false);
    }
    match autostart.target() {
        Some(target) if target == tray => Ok(false),
        Some(target) if !installed && target.exists() => Ok(false),
        _ => autostart.enable(tray).map(|()| true),
    }
}

#[cfg(all(test, not(any(target_os = "macos", windows))))]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn an_entry_left_by_another_copy_is_pointed_here_when_installed_or_gone() {
        let dir = tempfile::tempdir().unwrap();
        let autostart = Autostart::in_dir(dir.path().to_path_buf());
        let mine = Path::new("/usr/bin/latchkey-tray");
        assert!(!repoint(&autostart, mine, true).unwrap(), "none is made");
        // A checkout's build that still exists: the installed copy takes it over…
        let checkout = dir.path().join("latchkey-tray");
        std::fs::write(&checkout, "").unwrap();
        autostart.enable(&checkout).unwrap();
        assert!(!repoint(&autostart, mine, false).unwrap(), "another build leaves a live entry alone");
        assert!(repoint(&autostart, mine, true).unwrap());
        assert_eq!(autostart.target().as_deref(), Some(mine));
        assert!(!repoint(&autostart, mine, true).unwrap(), "already here");
        // …and any copy takes over an entry whose program is gone.
        autostart.enable(&dir.path().join("deleted/latchkey-tray")).unwrap();
        assert!(repoint(&autostart, &checkout, false).unwrap());
        assert_eq!(autostart.target(), Some(checkout));
        // Switched off by the person: it stays off.
        autostart.disable().unwrap();
        assert!(!repoint(&autostart, mine, true).unwrap());
        assert!(!autostart.is_enabled());
    }
}
