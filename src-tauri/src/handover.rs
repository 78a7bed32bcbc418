//! Closing the window of an app that runs its own tray (it was started with no tray
//! running) hands the tray over to `latchkey-tray`, when that is installed: the lean
//! process takes over renewal and the token agent, and this WebKit process exits instead
//! of holding ~117 MB all day for an icon (BENCHMARKS.md). Without `latchkey-tray` the app
//! stays in its own tray, as before.

use std::process::{Command, Stdio};
use std::time::Duration;

use latchkey::renewer::Renewer;
use tauri::{AppHandle, Manager};

/// Start the hand-over; `false` if there is no `latchkey-tray` to hand over to.
pub fn to_lean_tray(app: &AppHandle) -> bool {
    let Some(tray) = crate::start_at_login::lean_tray() else { return false };
    let app = app.clone();
    std::thread::spawn(move || {
        // No renewal may be cut off by the exit (see `Renewer::stop`).
        if let Some(renewer) = app.try_state::<Renewer>() {
            if !renewer.stop(Duration::from_secs(60)) {
                tracing::warn!("a renewal is still running after a minute; handing over anyway");
            }
        }
        let started = Command::new(&tray)
            .args(["--after", &std::process::id().to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match started {
            Ok(_) => {
                // The tray binds the token agent's socket at once: this process gives up
                // the path now (its listener, unreachable, ends with it).
                let _ = std::fs::remove_file(app.state::<crate::state::AppState>().engine.paths().agent_socket());
                tracing::info!("window closed: latchkey-tray takes over the tray");
                app.exit(0);
                // Should the event loop not get to its exit (nothing is left to save),
                // end the process anyway.
                std::thread::sleep(Duration::from_secs(3));
                tracing::warn!("the app did not exit after handing over; ending it");
                std::process::exit(0);
            }
            Err(e) => {
                tracing::warn!("cannot start latchkey-tray ({e}); staying in the tray");
                if let Some(renewer) = app.try_state::<Renewer>() {
                    renewer.resume();
                }
            }
        }
    });
    true
}
