//! The main window: created on demand, destroyed on close (the tray stays), so an idle
//! app holds no webview.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

pub const MAIN: &str = "main";

/// Where a window of `size` (logical) sits centred over the main window, in logical
/// coordinates; `None` when there is no main window to centre on.
pub fn centred_on_main(app: &AppHandle, size: (f64, f64)) -> Option<(f64, f64)> {
    let main = app.get_webview_window(MAIN)?;
    let scale = main.scale_factor().ok()?;
    let at = main.outer_position().ok()?.to_logical::<f64>(scale);
    // The inner size: GTK reports an outer size of 0 × 0 where no window manager frames it.
    let main_size = main.inner_size().ok()?.to_logical::<f64>(scale);
    if main_size.width < 1.0 {
        return None;
    }
    let x = at.x + (main_size.width - size.0) / 2.0;
    let y = at.y + (main_size.height - size.1) / 2.0;
    Some((x.max(0.0), y.max(0.0)))
}

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
