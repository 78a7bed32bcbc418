//! The in-app sign-in window: the authorize page in a webview of its own that has no
//! IPC access (no capability names it). Every navigation is watched; the one sent to the
//! profile's redirect URI — Majora's https page, `latchkey://` or loopback — is
//! cancelled, its code and state go to the engine, and the window closes. Each profile
//! has its own browser data directory, so accounts do not leak between profiles; the
//! window's title names the host it is on, so a person can see whose page asks for a
//! password.
//! Where each profile's browser data lives, and how a session is forgotten, is the
//! engine's (`latchkey_engine::desktop::sign_in_data`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use latchkey_engine::matches_redirect_uri;
use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use url::Url;

use crate::events::sign_in_finished;
use crate::state::AppState;

/// The window label for a profile's sign-in. Profile names hold letters, digits, `-`,
/// `_` and `.`; labels may not hold `.`, so it becomes `:` (which no name holds): two
/// profiles never share a window ("a.b" and "a_b" once did).
pub fn label(profile: &str) -> String {
    let safe: String =
        profile.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { ':' }).collect();
    format!("sign-in-{safe}")
}

/// `host` or `host:port`, with `(not secure)` for plain http off loopback.
fn host_of(url: &Url) -> String {
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => url.scheme().to_string(),
    };
    if url.scheme() == "http" && !latchkey_engine::is_loopback(url) {
        latchkey_ipc::words::app::host_not_secure(&host)
    } else {
        host
    }
}

/// The macOS data store of a browser data directory: its path's SHA-256, cut to 16 bytes.
#[cfg(target_os = "macos")]
fn store_identifier(dir: &std::path::Path) -> [u8; 16] {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(dir.to_string_lossy().as_bytes());
    let mut id = [0; 16];
    id.copy_from_slice(&digest[..16]);
    id
}

/// Wall-clock milliseconds, for log lines a benchmark lines up with the window's own
/// clock (JavaScript's `Date.now()`).
fn unix_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

pub fn open(
    app: &AppHandle,
    profile: &str,
    authorize_url: Url,
    redirect_uri: Url,
    data_dir: PathBuf,
) -> tauri::Result<()> {
    let label = label(profile);
    if let Some(old) = app.get_webview_window(&label) {
        old.destroy()?;
    }
    let caught = Arc::new(AtomicBool::new(false));
    let state =
        authorize_url.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()).unwrap_or_default();
    let (nav_app, nav_profile, nav_caught, nav_label) =
        (app.clone(), profile.to_string(), caught.clone(), label.clone());
    // Until the server's page is there, the title says where the window is going.
    let first_title = latchkey_ipc::words::app::sign_in_window_connecting(&host_of(&authorize_url), profile);
    let (title_app, title_label, title_profile) = (app.clone(), label.clone(), profile.to_string());
    let first_page = AtomicBool::new(false);
    // Over the app, where the person is looking (not at the screen's corner).
    const SIZE: (f64, f64) = (720.0, 760.0);
    let builder = WebviewWindowBuilder::new(app, &label, WebviewUrl::External(authorize_url))
        .title(first_title)
        .inner_size(SIZE.0, SIZE.1);
    let builder = match crate::windows::centred_on_main(app, SIZE) {
        Some((x, y)) => builder.position(x, y),
        None => builder.center(),
    };
    // WKWebView has no data directories: on macOS (14 and later) a data store named for
    // the directory keeps the profile's cookies apart in the same way; a new directory
    // after Forget is a new store. (Before 14 macOS shares one store: docs/platforms.md.)
    #[cfg(target_os = "macos")]
    let builder = builder.data_store_identifier(store_identifier(&data_dir));
    let window = builder
        .data_directory(data_dir)
        .on_page_load(move |_, payload| {
            // The host of the page shown now, wherever the server's pages lead.
            let host = host_of(payload.url());
            let title = match payload.event() {
                tauri::webview::PageLoadEvent::Started => {
                    latchkey_ipc::words::app::sign_in_window_connecting(&host, &title_profile)
                }
                tauri::webview::PageLoadEvent::Finished => latchkey_ipc::words::app::sign_in_window(&title_profile, &host),
            };
            if let Some(w) = title_app.get_webview_window(&title_label) {
                let _ = w.set_title(&title);
            }
            // For the window benchmark (BENCHMARKS.md): when the server's first page is there.
            if payload.event() == tauri::webview::PageLoadEvent::Finished && !first_page.swap(true, Ordering::SeqCst) {
                tracing::info!(profile = %title_profile, host = %host, unix_ms = unix_ms(), "sign-in window shows the server's page");
            }
        })
        .on_navigation(move |url| {
            if !matches_redirect_uri(url, &redirect_uri) {
                return true;
            }
            if nav_caught.swap(true, Ordering::SeqCst) {
                return false;
            }
            tracing::info!(profile = %nav_profile, to = %latchkey_engine::redact_url(url), unix_ms = unix_ms(), "sign-in window reached the redirect URI");
            let (app, profile, label, url) = (nav_app.clone(), nav_profile.clone(), nav_label.clone(), url.clone());
            std::thread::spawn(move || {
                if let Some(w) = app.get_webview_window(&label) {
                    let _ = w.destroy();
                }
                let engine = app.state::<AppState>().engine.clone();
                let result = engine.complete_sign_in(url.as_str(), Some(&profile));
                sign_in_finished(&app, &profile, result.map_err(Into::into));
            });
            false
        })
        .build()?;
    // An error page of the server's (after the login, most often a redirect URI it does
    // not know): said in the main window at once; this window stays, to be read.
    let (page_app, page_profile) = (app.clone(), profile.to_string());
    super::page_status::watch(&window, move |status, url| {
        let host = host_of(&url);
        tracing::info!(profile = %page_profile, status, host = %host, "the sign-in window shows an error page of the server's");
        let payload = latchkey_ipc::models::SignInPageError { profile: page_profile.clone(), status, host };
        crate::events::emit(&page_app, latchkey_ipc::events::SIGN_IN_PAGE_ERROR, payload);
    });
    let (app, profile) = (app.clone(), profile.to_string());
    window.on_window_event(move |event| {
        if matches!(event, WindowEvent::Destroyed) && !caught.load(Ordering::SeqCst) {
            let engine = app.state::<AppState>().engine.clone();
            // This window's own sign-in only: it is destroyed after a newer one began
            // when the person pressed Cancel and at once chose another way.
            if engine.cancel_sign_in_with_state(&state) {
                let err = latchkey_engine::Error::Cancelled("the sign-in window was closed before it finished".into());
                sign_in_finished(&app, &profile, Err(err.into()));
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn profiles_of_names_alike_get_windows_of_their_own() {
        assert_ne!(super::label("a.b"), super::label("a_b"));
        assert_ne!(super::label("a.b"), super::label("a-b"));
        assert_eq!(super::label("lab.2"), "sign-in-lab:2");
    }
}
