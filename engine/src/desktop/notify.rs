//! Desktop notifications for the processes without a GUI toolkit (`latchkey agent`,
//! `latchkey-tray` on Linux): `notify-send` (libnotify), which speaks the freedesktop
//! notification protocol to whatever daemon the desktop runs. Where there is none (a
//! server, a bare X session) nothing is shown; callers log the message as well. What
//! they say is latchkey-ipc's (`words::notify`).

use std::process::{Command, Stdio};

/// Show a notification; `false` if none could be shown.
pub fn show(title: &str, body: &str) -> bool {
    Command::new("notify-send")
        .args(["--app-name=Latchkey", "--icon=latchkey-desktop", "--", title, body])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
