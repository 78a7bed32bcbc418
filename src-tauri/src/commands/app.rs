use tauri::State;

use crate::models::AppStatus;
use crate::state::AppState;

#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    AppStatus { version: env!("CARGO_PKG_VERSION"), degraded: state.environment.degraded() }
}
