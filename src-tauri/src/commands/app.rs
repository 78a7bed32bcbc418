use tauri::{AppHandle, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::error::{IpcError, IpcResult};
use crate::models::AppStatus;
use crate::state::AppState;

#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    let link_warnings = std::mem::take(&mut *state.link_warnings.lock().expect("warnings lock"));
    AppStatus { version: env!("CARGO_PKG_VERSION"), degraded: state.environment.degraded(), link_warnings }
}

/// Copy non-secret text (a redirect URI, a form value) to the clipboard.
#[tauri::command]
pub fn copy_text(app: AppHandle, text: String) -> IpcResult<()> {
    app.clipboard().write_text(text).map_err(|e| IpcError::internal(e.to_string()))
}
