//! While `latchkey-tray` does the renewing, this app (then only a window) learns of it from
//! the store: the engine's waiter watches the state and settings directories (inotify,
//! no polling) and the window reloads its list, as it does after a renewal of its own.

use latchkey_engine::wakeup::{self, Wake};
use tauri::{AppHandle, Manager};

use crate::events::profiles_changed;
use crate::state::AppState;

pub fn start(app: &AppHandle) {
    let paths = app.state::<AppState>().paths.clone();
    let (waiter, poker) = match wakeup::waiter(&[paths.state_dir(), paths.config_dir()]) {
        Ok(pair) => pair,
        Err(e) => return tracing::warn!("the window will not follow renewals by the tray: {e}"),
    };
    let app = app.clone();
    let spawned = std::thread::Builder::new().name("store-watch".into()).spawn(move || {
        let _poker = poker; // nobody pokes, but the waiter's eventfd lives with it
        loop {
            if waiter.wait(None).iter().any(|w| matches!(w, Wake::Files(_) | Wake::ClockChanged)) {
                profiles_changed(&app);
            }
        }
    });
    if let Err(e) = spawned {
        tracing::warn!("the window will not follow renewals by the tray: {e}");
    }
}
