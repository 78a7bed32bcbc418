//! Desktop notifications for the processes without a GUI toolkit (`latchkey agent`,
//! `latchkey-tray`): `notify-send` (libnotify), which speaks the freedesktop
//! notification protocol to whatever daemon the desktop runs. Where there is none (a
//! server, a bare X session) nothing is shown; callers log the message as well.

use std::process::{Command, Stdio};

/// A notification's title and body for a person at a desktop (the tray and `latchkey
/// agent` show these; a terminal gets its own words from the CLI).
pub fn words(what: &crate::renewal::worker::Attention) -> (String, String) {
    use crate::renewal::worker::Attention;
    match what {
        Attention::SignInNeeded { profile } => (
            "Sign in to keep your tokens fresh".into(),
            format!("{profile} needs you to sign in again. Open Latchkey to sign in."),
        ),
        Attention::CannotRenew { profile, code, .. } => (
            "Latchkey cannot renew a token".into(),
            match code {
                crate::ErrorCode::Network => {
                    format!("{profile}: the server cannot be reached. Latchkey keeps trying; check your connection.")
                }
                _ => format!("{profile}: the server has a problem. Latchkey keeps trying."),
            },
        ),
        Attention::KeyringUnavailable { profile } => (
            "Latchkey cannot open your keyring".into(),
            format!("{profile}: tokens cannot be renewed until the keyring is unlocked. Latchkey keeps trying."),
        ),
    }
}

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
