use tauri::{AppHandle, Manager, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

use latchkey_ipc::commands::args::CopyText;

use crate::commands::Args;
use crate::error::{IpcError, IpcResult};
use crate::models::AppStatus;
use crate::state::AppState;

/// The servers the wizard offers, from the engine's presets.
#[tauri::command]
pub fn list_presets() -> Vec<latchkey_ipc::models::PresetChoice> {
    latchkey_ipc::models::PresetChoice::all()
}

#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    let link_warnings = state.link_warnings.take();
    AppStatus { version: env!("CARGO_PKG_VERSION"), degraded: state.environment.degraded(), link_warnings }
}

/// The main window has shown its first data. The first time, log how long start-up
/// took; `LATCHKEY_EXIT_WHEN_READY` (the cold-start benchmark) then ends the process, and
/// `LATCHKEY_CLOSE_WHEN_READY` (the app-alone test) closes the window.
#[tauri::command]
pub fn ui_ready(app: AppHandle, state: State<'_, AppState>) {
    if state.first_ready.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let ms = state.started.elapsed().as_millis() as u64;
    tracing::info!(ms, "main window interactive");
    if std::env::var_os("LATCHKEY_EXIT_WHEN_READY").is_some() {
        app.exit(0);
    }
    // For the app-alone test: the user closing the window, which WebDriver cannot do.
    if std::env::var_os("LATCHKEY_CLOSE_WHEN_READY").is_some() {
        if let Some(window) = app.get_webview_window(crate::windows::MAIN) {
            let _ = window.destroy();
        }
    }
}

/// Copy non-secret text (a redirect URI, a form value) to the clipboard.
#[tauri::command]
pub fn copy_text(app: AppHandle, args: Args<CopyText>) -> IpcResult<()> {
    app.clipboard().write_text(args.0.text).map_err(|e| IpcError::internal(e.to_string()))
}
