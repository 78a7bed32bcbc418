//! The main window: created on demand, destroyed on close (the tray stays), so an idle
//! app holds no webview.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

pub const MAIN: &str = "main";

/// Show the main window, creating it if it was closed.
pub fn show_main(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    let built = WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("Latchkey")
        .inner_size(900.0, 640.0)
        .min_inner_size(800.0, 600.0)
        .build();
    match built {
        Ok(_) => tracing::info!("main window opened"),
        Err(err) => tracing::error!("could not open the main window: {err}"),
    }
}
