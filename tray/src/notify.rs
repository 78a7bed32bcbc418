//! Telling the person when they are needed: the system's own notifications — on Linux
//! `notify-send` (the engine's [`latchkey_engine::desktop::notify`], shared with `latchkey
//! agent`), a toast on Windows, Notification Center on macOS (notify-rust). Where none
//! can be shown, the icon and tooltip still change and the log has the message.

/// Show a notification; `false` if none could be shown.
pub fn show(title: &str, body: &str) -> bool {
    #[cfg(target_os = "linux")]
    return latchkey_engine::desktop::notify::show(title, body);
    #[cfg(not(target_os = "linux"))]
    match notify_rust::Notification::new().appname("Latchkey").summary(title).body(body).show() {
        Ok(_) => true,
        Err(e) => {
            tracing::debug!("no notification shown: {e}");
            false
        }
    }
}
