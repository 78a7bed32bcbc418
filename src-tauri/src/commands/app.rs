use tauri::{AppHandle, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::error::{IpcError, IpcResult};
use crate::models::AppStatus;
use crate::state::AppState;

#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    AppStatus { version: env!("CARGO_PKG_VERSION"), degraded: state.environment.degraded() }
}

/// Copy non-secret text (a redirect URI, a form value) to the clipboard.
#[tauri::command]
pub fn copy_text(app: AppHandle, text: String) -> IpcResult<()> {
    app.clipboard().write_text(text).map_err(|e| IpcError::internal(e.to_string()))
}
