//! What the window hears from Rust besides command answers: the event names, and how
//! the end of a sign-in is told (whichever catcher saw it). Below the sign-in code and
//! every catcher, so they all call down into it.

use tauri::{AppHandle, Emitter, Manager};

use crate::error::IpcError;
use crate::models::SignInFinished;
use crate::state::AppState;

/// Event: a sign-in ended (payload [`SignInFinished`]).
pub const SIGN_IN_FINISHED: &str = "latchkey://sign-in-finished";
/// Event: profiles or their status changed; the UI reloads its list.
pub const PROFILES_CHANGED: &str = "latchkey://profiles-changed";

/// Report how a flow ended; on success also learn whose account it is (best effort).
pub fn sign_in_finished(
    app: &AppHandle,
    profile: &str,
    result: Result<latchkey_engine::front_door::SignedIn, IpcError>,
) {
    let engine = app.state::<AppState>().engine.clone();
    let payload = match result {
        Ok(_) => {
            if let Err(e) = engine.whoami(profile) {
                tracing::info!(profile, "could not tell whose account this is: {e}");
            }
            SignInFinished { profile: profile.into(), ok: true, error: None }
        }
        Err(e) => {
            tracing::warn!(profile, "sign-in did not finish: {}", e.message);
            SignInFinished { profile: profile.into(), ok: false, error: Some(e) }
        }
    };
    let _ = app.emit(SIGN_IN_FINISHED, payload);
    let _ = app.emit(PROFILES_CHANGED, ());
}
