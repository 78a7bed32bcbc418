//! "Start at login" starts `latchkey-tray`, the lean tray (engine only, no WebKit), when it
//! is installed beside this app — the engine writes the XDG autostart entry. Without it
//! (a build of the app alone) the autostart plugin starts the app itself, hidden in its
//! own tray, as before. Turning it on one way turns the other off, so one process starts.

use std::path::PathBuf;

use latchkey::autostart::Autostart;
use tauri::AppHandle;
use tauri_plugin_autostart::ManagerExt;

/// `latchkey-tray` beside this program, if installed.
pub fn lean_tray() -> Option<PathBuf> {
    let me = std::env::current_exe().ok()?;
    Some(me.parent()?.join("latchkey-tray")).filter(|p| p.exists())
}

pub fn is_enabled(app: &AppHandle) -> bool {
    Autostart::for_user().is_ok_and(|a| a.is_enabled()) || app.autolaunch().is_enabled().unwrap_or(false)
}

pub fn set(app: &AppHandle, enabled: bool) -> Result<(), String> {
    let plugin = app.autolaunch();
    let entry = Autostart::for_user().map_err(|e| e.to_string())?;
    match (enabled, lean_tray()) {
        (true, Some(tray)) => {
            entry.enable(&tray).map_err(|e| e.to_string())?;
            if plugin.is_enabled().unwrap_or(false) {
                plugin.disable().map_err(|e| e.to_string())?;
            }
        }
        (true, None) => plugin.enable().map_err(|e| e.to_string())?,
        (false, _) => {
            entry.disable().map_err(|e| e.to_string())?;
            if plugin.is_enabled().unwrap_or(false) {
                plugin.disable().map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}
