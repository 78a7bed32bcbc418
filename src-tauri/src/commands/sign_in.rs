use tauri::Manager;

use latchkey_ipc::commands::args::{CompleteSignIn, ProfileName, StartSignIn};

use crate::catch::window;
use crate::commands::Ctx;
use crate::error::{IpcError, IpcResult};
use crate::models::{DeviceCodeView, SignInStarted};
use crate::sign_in;
use latchkey_ipc::words::app as words;

pub async fn start_sign_in(cx: &Ctx<'_>, args: StartSignIn) -> IpcResult<SignInStarted> {
    let app = cx.app;
    let StartSignIn { name, method } = args;
    let handle = app.clone();
    tauri::async_runtime::spawn_blocking(move || sign_in::start(&handle, &name, method))
        .await
        .map_err(|e| IpcError::internal(e.to_string()))?
}

/// Finish a sign-in with a pasted callback address or code.
pub async fn complete_sign_in(cx: &Ctx<'_>, args: CompleteSignIn) -> IpcResult<()> {
    let app = cx.app;
    let state = cx.state;
    let CompleteSignIn { name, pasted } = args;
    let profile = name.clone();
    let signed_in = state.run(move |e| e.complete_sign_in(&pasted, Some(&name))).await?;
    crate::events::sign_in_finished(app, &profile, Ok(signed_in));
    Ok(())
}

/// Sign in with a code (RFC 8628): ask the server for one, open its page in the
/// browser, and answer with the code to show; the poll for approval goes on in the
/// background and ends like every sign-in (the sign-in-finished event). Cancel stops it.
pub async fn start_device_sign_in(cx: &Ctx<'_>, args: ProfileName) -> IpcResult<DeviceCodeView> {
    let app = cx.app;
    let state = cx.state;
    let ProfileName { name } = args;
    let engine = state.engine.clone();
    let (tx, rx) = std::sync::mpsc::channel::<IpcResult<DeviceCodeView>>();
    let handle = app.clone();
    std::thread::spawn(move || {
        let mut shown = false;
        let result = engine.device_sign_in(&name, |code| {
            shown = true;
            let page = code.verification_uri_complete.as_deref().unwrap_or(&code.verification_uri);
            match url::Url::parse(page) {
                Ok(page) => sign_in::open_in_browser(&handle, &page),
                Err(e) => tracing::warn!("could not open the browser: {e}"),
            }
            let _ = tx.send(Ok(code.clone().into()));
        });
        match result {
            Err(e) if !shown => {
                let _ = tx.send(Err(e.into()));
            }
            result => crate::events::sign_in_finished(&handle, &name, result.map_err(Into::into)),
        }
    });
    tauri::async_runtime::spawn_blocking(move || rx.recv())
        .await
        .map_err(|e| IpcError::internal(e.to_string()))?
        .map_err(|_| IpcError::internal(words::DEVICE_SIGN_IN_ENDED_EARLY.into()))?
}

pub async fn cancel_sign_in(cx: &Ctx<'_>, args: ProfileName) -> IpcResult<()> {
    let app = cx.app;
    let state = cx.state;
    let ProfileName { name } = args;
    state.engine.cancel_sign_in(&name);
    if let Some(w) = app.get_webview_window(&window::label(&name)) {
        let _ = w.destroy();
    }
    Ok(())
}

/// Forget the cookies of the profile's sign-in window (log out of the server there).
pub async fn forget_browser_session(cx: &Ctx<'_>, args: ProfileName) -> IpcResult<()> {
    let app = cx.app;
    let state = cx.state;
    let ProfileName { name } = args;
    // The name becomes a path that is deleted: only a valid profile name, never `..`.
    latchkey_engine::validate_name(&name)?;
    if app.get_webview_window(&window::label(&name)).is_some() {
        return Err(IpcError::usage(words::CLOSE_SIGN_IN_WINDOW_FIRST));
    }
    latchkey_engine::desktop::sign_in_data::forget(&state.paths, &name, true)
        .map_err(|e| IpcError::internal(words::cannot_forget_sign_in(&name, &e.to_string())))
}
