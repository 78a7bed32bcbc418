//! "Use my browser" with a loopback redirect URI: a listener on 127.0.0.1 (RFC 8252
//! §7.3) that waits, on a worker thread, for the one request carrying this sign-in's state.

use latchkey_engine::oauth::loopback::{LoopbackListener, DEFAULT_TIMEOUT};
use latchkey_engine::Result;
use tauri::{AppHandle, Manager};
use url::Url;

use crate::events::sign_in_finished;
use crate::state::AppState;

/// Bind, start the flow with the listener's address, and wait in the background.
/// Returns the authorize URL to open.
pub fn start(app: &AppHandle, profile: &str) -> Result<Url> {
    let engine = app.state::<AppState>().engine.clone();
    let p = engine.profile(profile)?;
    let listener = LoopbackListener::bind(p.redirect_uri.port().unwrap_or(0), p.redirect_uri.path())?;
    let start = engine.start_sign_in(profile, Some(listener.redirect_uri()))?;
    let (app, profile, state) = (app.clone(), profile.to_string(), start.state());
    std::thread::spawn(move || {
        let result = listener
            .wait(&state, DEFAULT_TIMEOUT)
            .and_then(|url| engine.complete_sign_in(url.as_str(), Some(&profile)));
        sign_in_finished(&app, &profile, result.map_err(Into::into));
    });
    Ok(start.authorize_url)
}
