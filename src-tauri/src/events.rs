//! What the window hears from Rust besides command answers: each event of the list
//! (`latchkey_ipc::events`) sent with the payload type the list gives it, and how the
//! end of a sign-in is told (whichever catcher saw it). Below the sign-in code and every
//! catcher, so they all call down into it.

use latchkey_ipc::events::{PROFILES_CHANGED, SIGN_IN_FINISHED};
use latchkey_ipc::Event;
use serde::Serialize;
use tauri::{AppHandle, Emitter};

use crate::error::IpcError;
use crate::models::SignInFinished;

/// Send `event` to the windows; its payload can only be the type the list names.
pub fn emit<P: Serialize + Clone>(app: &AppHandle, event: Event<P>, payload: P) {
    if let Err(e) = app.emit(event.name, payload) {
        tracing::warn!(event = event.name, "cannot tell the window: {e}");
    }
}

/// Profiles or their status changed: the window reloads its list.
pub fn profiles_changed(app: &AppHandle) {
    emit(app, PROFILES_CHANGED, ());
}

/// Report how a flow ended (whose account it is, the engine learnt as it finished).
pub fn sign_in_finished(app: &AppHandle, profile: &str, result: Result<latchkey_engine::SignedIn, IpcError>) {
    let payload = match result {
        Ok(_) => SignInFinished { profile: profile.into(), ok: true, error: None },
        Err(e) => {
            tracing::warn!(profile, "sign-in did not finish: {}", e.message);
            SignInFinished { profile: profile.into(), ok: false, error: Some(e) }
        }
    };
    emit(app, SIGN_IN_FINISHED, payload);
    profiles_changed(app);
}
