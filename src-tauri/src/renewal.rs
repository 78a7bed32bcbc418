//! The tray process runs the engine's renewal loop ([`latchkey::renewer`]); this file
//! only says what its events mean here: redraw the tray, tell the window, and show a
//! desktop notification.

use std::sync::Arc;

use latchkey::renewer::{RenewalEvents, Renewer};
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::sign_in::PROFILES_CHANGED;
use crate::state::AppState;

struct TrayEvents(AppHandle);

impl RenewalEvents for TrayEvents {
    fn changed(&self) {
        crate::tray::refresh(&self.0);
        let _ = self.0.emit(PROFILES_CHANGED, ());
    }

    fn notify(&self, title: &str, body: &str) {
        if let Err(e) = self.0.notification().builder().title(title).body(body).show() {
            tracing::info!("no desktop notification shown ({e})");
        }
    }
}

/// Start the loop on its own thread.
pub fn start(app: &AppHandle) -> std::io::Result<Renewer> {
    let engine = app.state::<AppState>().engine.clone();
    Renewer::start(engine, Arc::new(TrayEvents(app.clone())))
}
