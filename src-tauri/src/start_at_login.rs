//! "Start at login" starts `latchkey-tray`, the one tray (engine only, no WebKit), from
//! an XDG autostart entry the engine writes; the app itself never starts at login.

use std::path::PathBuf;

use latchkey_engine::desktop::autostart::Autostart;

/// `latchkey-tray` beside this program, if installed.
pub fn lean_tray() -> Option<PathBuf> {
    let me = std::env::current_exe().ok()?;
    Some(me.parent()?.join(format!("latchkey-tray{}", std::env::consts::EXE_SUFFIX))).filter(|p| p.exists())
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
