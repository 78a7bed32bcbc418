use tauri::Manager;
use tauri_plugin_clipboard_manager::ClipboardExt;

use latchkey_ipc::commands::args::CopyText;

use crate::commands::Ctx;
use crate::error::{IpcError, IpcResult};
use crate::models::AppStatus;

/// The servers the wizard offers, from the engine's presets.
pub async fn list_presets(cx: &Ctx<'_>) -> IpcResult<Vec<latchkey_ipc::models::PresetChoice>> {
    let ((lab, problems), policy) = cx.state.run(|e| Ok((e.lab_servers(), e.lab_policy().0))).await?;
    for problem in problems {
        tracing::warn!("skipped a server file: {problem}");
    }
    let mut all = latchkey_ipc::models::PresetChoice::all(lab);
    // Where the lab allows only its own servers, the wizard offers no other.
    if !policy.allows_other_servers() {
        all.retain(|p| p.from_lab);
    }
    Ok(all)
}

pub async fn app_status(cx: &Ctx<'_>) -> IpcResult<AppStatus> {
    let state = cx.state;
    let link_warnings = state.link_warnings.take();
    let add_offer = state.add_offer.lock().unwrap_or_else(|e| e.into_inner()).take();
    let (policy, _) = state.run(|e| Ok(e.lab_policy())).await?;
    let sign_in_ways = latchkey_engine::SignInWay::ALL.into_iter().filter(|w| policy.offers(*w)).collect();
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION"),
        degraded: state.environment.degraded(),
        link_warnings,
        add_offer,
        sign_in_ways,
    })
}

/// The main window has shown its first data. The first time, log how long start-up
/// took; `LATCHKEY_EXIT_WHEN_READY` (the cold-start benchmark) then ends the process, and
/// `LATCHKEY_CLOSE_WHEN_READY` (the app-alone test) closes the window.
pub async fn ui_ready(cx: &Ctx<'_>) -> IpcResult<()> {
    let app = cx.app;
    let state = cx.state;
    if state.first_ready.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return Ok(());
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
    Ok(())
}

/// Copy non-secret text (a redirect URI, a form value) to the clipboard.
pub async fn copy_text(cx: &Ctx<'_>, args: CopyText) -> IpcResult<()> {
    let app = cx.app;
    app.clipboard().write_text(args.text).map_err(|e| IpcError::internal(e.to_string()))
}
