//! The in-app sign-in window: the authorize page in a webview of its own that has no
//! IPC access (no capability names it). Every navigation is watched; the one sent to the
//! profile's redirect URI — Majora's https page, `latchkey://` or loopback — is
//! cancelled, its code and state go to the engine, and the window closes. Each profile
//! has its own browser data directory, so accounts do not leak between profiles.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use latchkey::callback::matches_redirect_uri;
use latchkey::paths::Paths;
use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use url::Url;

use crate::sign_in;
use crate::state::AppState;

/// The window label for a profile's sign-in.
pub fn label(profile: &str) -> String {
    let safe: String = profile.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    format!("sign-in-{safe}")
}

/// The profile's own browser data (cookies of the server's login).
pub fn data_dir(paths: &Paths, profile: &str) -> PathBuf {
    paths.state_dir().join("webviews").join(profile)
}

pub fn open(app: &AppHandle, profile: &str, authorize_url: Url, redirect_uri: Url, data_dir: PathBuf) -> tauri::Result<()> {
    let label = label(profile);
    if let Some(old) = app.get_webview_window(&label) {
        old.destroy()?;
    }
    let caught = Arc::new(AtomicBool::new(false));
    let (nav_app, nav_profile, nav_caught, nav_label) = (app.clone(), profile.to_string(), caught.clone(), label.clone());
    let window = WebviewWindowBuilder::new(app, &label, WebviewUrl::External(authorize_url))
        .title(format!("Sign in — {profile}"))
        .inner_size(720.0, 760.0)
        .data_directory(data_dir)
        .on_navigation(move |url| {
            if !matches_redirect_uri(url, &redirect_uri) {
                return true;
            }
            if nav_caught.swap(true, Ordering::SeqCst) {
                return false;
            }
            tracing::info!(profile = %nav_profile, to = %latchkey::callback::redact_url(url), "sign-in window reached the redirect URI");
            let (app, profile, label, url) = (nav_app.clone(), nav_profile.clone(), nav_label.clone(), url.clone());
            std::thread::spawn(move || {
                if let Some(w) = app.get_webview_window(&label) {
                    let _ = w.destroy();
                }
                let engine = app.state::<AppState>().engine.clone();
                let result = engine.complete_sign_in(url.as_str(), Some(&profile), None);
                sign_in::finish(&app, &profile, result);
            });
            false
        })
        .build()?;
    let (app, profile) = (app.clone(), profile.to_string());
    window.on_window_event(move |event| {
        if matches!(event, WindowEvent::Destroyed) && !caught.load(Ordering::SeqCst) {
            let engine = app.state::<AppState>().engine.clone();
            if engine.cancel_sign_in(&profile) {
                let err = latchkey::Error::Cancelled("the sign-in window was closed before it finished".into());
                sign_in::finish(&app, &profile, Err(err));
            }
        }
    });
    Ok(())
}
