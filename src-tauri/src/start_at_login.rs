//! "Start at login" starts `latchkey-tray`, the one tray (engine only, no WebKit), from
//! an XDG autostart entry the engine writes; the app itself never starts at login.

use std::path::PathBuf;

use latchkey_engine::desktop::autostart::Autostart;

/// `latchkey-tray` beside this program, if installed.
pub fn lean_tray() -> Option<PathBuf> {
    let me = std::env::current_exe().ok()?;
    Some(me.parent()?.join(format!("latchkey-tray{}", std::env::consts::EXE_SUFFIX))).filter(|p| p.exists())
}

/// A start-at-login entry another copy wrote (a checkout's build, a copy since deleted)
/// starts this copy's tray from now on, where this copy is the installed one or the
/// other is gone (`latchkey_engine::desktop::autostart::repoint`).
pub fn keep_pointing_here() {
    let (Ok(entry), Some(tray)) = (Autostart::for_user(), lean_tray()) else { return };
    match latchkey_engine::desktop::autostart::repoint(&entry, &tray, crate::installed::from_package()) {
        Ok(true) => tracing::info!(tray = %tray.display(), "start at login now starts this copy's tray"),
        Ok(false) => {}
        Err(e) => tracing::warn!("cannot update the start-at-login entry: {e}"),
    }
}

/// Where the lab's policy fixes start at login, make this user's entry say so (each
/// start of the app, as the tray does at its own start).
pub fn follow_policy(engine: &latchkey_engine::Latchkey) {
    let Some(wanted) = engine.lab_policy().0.start_at_login else { return };
    if is_enabled() == wanted {
        return;
    }
    match set(wanted) {
        Ok(()) => tracing::info!(enabled = wanted, "start at login set as the organisation's policy says"),
        Err(e) => tracing::warn!("cannot set start at login as the organisation's policy says: {e}"),
    }
}

pub fn is_enabled() -> bool {
    Autostart::for_user().is_ok_and(|a| a.is_enabled())
}

pub fn set(enabled: bool) -> Result<(), String> {
    let entry = Autostart::for_user().map_err(|e| e.to_string())?;
    match (enabled, lean_tray()) {
        (true, Some(tray)) => entry.enable(&tray).map_err(|e| e.to_string()),
        (true, None) => Err("latchkey-tray, which starts at login, is not installed beside the app".into()),
        (false, _) => entry.disable().map_err(|e| e.to_string()),
    }
}
