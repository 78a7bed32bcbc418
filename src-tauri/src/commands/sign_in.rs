use tauri::{AppHandle, Manager, State};

use crate::catch::window;
use crate::error::{IpcError, IpcResult};
use crate::models::{SignInMethod, SignInStarted};
use crate::sign_in;
use crate::state::AppState;

#[tauri::command]
pub async fn start_sign_in(app: AppHandle, name: String, method: SignInMethod) -> IpcResult<SignInStarted> {
    let handle = app.clone();
    tauri::async_runtime::spawn_blocking(move || sign_in::start(&handle, &name, method))
        .await
        .map_err(|e| IpcError::internal(e.to_string()))?
}

/// Finish a sign-in with a pasted callback address or code.
#[tauri::command]
pub async fn complete_sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    pasted: String,
) -> IpcResult<()> {
    let profile = name.clone();
    let result = state.run(move |e| e.complete_sign_in(&pasted, Some(&name), None)).await;
    match result {
        Ok(signed_in) => {
            sign_in::finish(&app, &profile, Ok(signed_in));
            Ok(())
        }
        Err(e) => Err(e),
    }
}

#[tauri::command]
pub fn cancel_sign_in(app: AppHandle, state: State<'_, AppState>, name: String) {
    state.engine.cancel_sign_in(&name);
    if let Some(w) = app.get_webview_window(&window::label(&name)) {
        let _ = w.destroy();
    }
}

/// Forget the cookies of the profile's sign-in window (log out of the server there).
#[tauri::command]
pub fn forget_browser_session(app: AppHandle, state: State<'_, AppState>, name: String) -> IpcResult<()> {
    // The name becomes a path that is deleted: only a valid profile name, never `..`.
    latchkey::profile::validate_name(&name)?;
    if app.get_webview_window(&window::label(&name)).is_some() {
        return Err(IpcError::usage("Close the sign-in window first."));
    }
    window::forget(&state.paths, &name, true)
        .map_err(|e| IpcError::internal(format!("cannot forget the browser session of `{name}`: {e}")))
}
