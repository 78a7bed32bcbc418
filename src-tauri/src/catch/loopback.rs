//! "Use my browser" with a loopback redirect URI: the engine's loopback sign-in (a
//! listener on 127.0.0.1, RFC 8252 §7.3), waited for on a worker thread; its end is told
//! as every sign-in's is.

use latchkey_engine::Result;
use tauri::{AppHandle, Manager};
use url::Url;

use crate::events::sign_in_finished;
use crate::state::AppState;

/// Start the sign-in and wait in the background. Returns the authorize URL to open.
pub fn start(app: &AppHandle, profile: &str) -> Result<Url> {
    let engine = app.state::<AppState>().engine.clone();
    let (start, wait) = engine.start_loopback_sign_in(profile)?;
    let (app, profile) = (app.clone(), profile.to_string());
    std::thread::spawn(move || {
        let result = engine.finish_loopback_sign_in(wait);
        sign_in_finished(&app, &profile, result.map_err(Into::into));
    });
    Ok(start.authorize_url)
}
