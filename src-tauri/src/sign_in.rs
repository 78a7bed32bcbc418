//! Sign-in orchestration on the desktop: start a flow with the chosen catcher. Every
//! catcher reports the end of its flow the same way, through `events.rs`, which sits
//! below both: a sign-in calls down into its catcher and never comes back up.

use tauri::{AppHandle, Manager};
use tauri_plugin_opener::OpenerExt;

use crate::catch;
use crate::error::{IpcError, IpcResult};
use crate::events::sign_in_finished;
use crate::models::{SignInMethod, SignInStarted};
use crate::state::AppState;
use latchkey_engine::SignInWay;
use latchkey_ipc::words::app as words;

/// The profile named by `--sign-in NAME` (or `--sign-in=NAME`) among the arguments:
/// the tray's "Sign in again", which starts the app for it.
pub fn requested(args: &[String]) -> Option<String> {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--sign-in" {
            return args.next().cloned();
        }
        if let Some(name) = arg.strip_prefix("--sign-in=") {
            return Some(name.to_string());
        }
    }
    None
}

/// Sign `profile` in again in the app's own sign-in window, reporting a failure to
/// start like any other end of a sign-in.
pub fn start_in_window(app: &AppHandle, profile: String) {
    let app = app.clone();
    std::thread::spawn(move || {
        tracing::info!(profile = %profile, "sign-in asked for by the tray");
        if let Err(e) = start(&app, &profile, SignInMethod::Window) {
            sign_in_finished(&app, &profile, Err(e));
        }
    });
}

/// Start signing in to `profile` (blocking: call from a worker thread).
pub fn start(app: &AppHandle, profile: &str, method: SignInMethod) -> IpcResult<SignInStarted> {
    let state = app.state::<AppState>();
    let engine = state.engine.clone();
    let p = engine.profile(profile)?;
    // The lab's policy may offer only some ways (the window hides the others; this is
    // the refusal for any that is asked for anyway).
    engine.check_sign_in_way(match method {
        SignInMethod::Window => SignInWay::Window,
        SignInMethod::Browser => SignInWay::Browser,
        SignInMethod::Paste => SignInWay::Paste,
    })?;
    let loopback = latchkey_engine::is_loopback_redirect(&p.redirect_uri);
    let authorize_url = match method {
        SignInMethod::Browser if loopback => catch::loopback::start(app, profile)?,
        SignInMethod::Window => {
            let start = engine.start_sign_in(profile, None)?;
            let data_dir = latchkey_engine::desktop::sign_in_data::data_dir(&state.paths, profile);
            catch::window::open(app, profile, start.authorize_url.clone(), start.redirect_uri, data_dir)
                .map_err(|e| IpcError::internal(words::sign_in_window_not_opened(&e.to_string())))?;
            watch_for_refusal(app, profile, start.authorize_url.clone());
            start.authorize_url
        }
        SignInMethod::Browser | SignInMethod::Paste => engine.start_sign_in(profile, None)?.authorize_url,
    };
    if method == SignInMethod::Browser {
        open_in_browser(app, &authorize_url);
    }
    Ok(SignInStarted { method, authorize_url: authorize_url.to_string() })
}

/// Open a sign-in page (an authorize URL, a device flow's page) in the browser by way of
/// the engine's one-use page on 127.0.0.1, so the address never reaches the opener's
/// command line (`engine/src/oauth/launch.rs`). Best effort: the window shows the
/// address too, for when no browser opens.
pub fn open_in_browser(app: &AppHandle, page: &url::Url) {
    let opened = latchkey_engine::launch_page_for(page)
        .map_err(|e| e.to_string())
        .and_then(|start| app.opener().open_url(start.as_str(), None::<&str>).map_err(|e| e.to_string()));
    if let Err(e) = opened {
        tracing::warn!("could not open the browser: {e}");
    }
}

/// A sign-in window on a server that refuses the request (an unknown client or return
/// address) or cannot be reached would stop on an error page and never come back: ask
/// the server the same question beside the window, and if it says no, close the window
/// and say why, instead of waiting.
fn watch_for_refusal(app: &AppHandle, profile: &str, authorize_url: url::Url) {
    let (app, profile) = (app.clone(), profile.to_string());
    std::thread::spawn(move || {
        let engine = app.state::<AppState>().engine.clone();
        let err = match engine.check_sign_in_request(&profile, &authorize_url) {
            Ok(()) => return,
            Err(e @ (latchkey_engine::Error::SignInRefused { .. } | latchkey_engine::Error::Network { .. })) => e,
            Err(other) => {
                tracing::info!(profile = %profile, "could not check the sign-in request: {other}");
                return;
            }
        };
        tracing::warn!(profile = %profile, "the server refuses this sign-in: {err}");
        // Only if this sign-in is still the one waiting (not finished, not replaced).
        let state = authorize_url.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned());
        if state.is_some_and(|s| engine.cancel_sign_in_with_state(&s)) {
            if let Some(w) = app.get_webview_window(&catch::window::label(&profile)) {
                let _ = w.destroy();
            }
            sign_in_finished(&app, &profile, Err(err.into()));
        }
    });
}
