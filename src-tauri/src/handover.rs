//! Closing the window of an app that runs its own tray (it was started with no tray
//! running) hands the tray over to `latchkey-tray`, when that is installed: the lean
//! process takes over renewal and the token agent, and this WebKit process exits instead
//! of holding ~117 MB all day for an icon (BENCHMARKS.md). Without `latchkey-tray` the app
//! stays in its own tray, as before.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use latchkey::renewer::Renewer;
use tauri::{AppHandle, Manager};

/// Start the hand-over; `false` if there is no `latchkey-tray` to hand over to.
pub fn to_lean_tray(app: &AppHandle) -> bool {
    let Some(tray) = crate::start_at_login::lean_tray() else { return false };
    let app = app.clone();
    std::thread::spawn(move || {
        // A renewal in flight is stored before the process ends: a refresh token rotated
        // at the server but not yet in the keyring would be lost with it.
        if let Some(renewer) = app.try_state::<Renewer>() {
            let deadline = Instant::now() + Duration::from_secs(30);
            while !renewer.live().refreshing.is_empty() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
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
                tracing::info!("window closed: latchkey-tray takes over the tray");
                app.exit(0);
            }
            Err(e) => tracing::warn!("cannot start latchkey-tray ({e}); staying in the tray"),
        }
    });
    true
}
