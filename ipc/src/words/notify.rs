//! What desktop notifications say (latchkey-tray's, and `latchkey agent`'s): a title
//! and a body for a person at a desktop. Showing them is the engine's
//! (`latchkey_engine::desktop::notify::show`) or the tray's (`tray/src/notify.rs`).

use latchkey_engine::Attention;
use latchkey_engine::ErrorCode;

/// Where the person will act on a notification: the tray's has the window a click away;
/// `latchkey agent`'s reader may have no desktop app, so it names the command to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActIn {
    Window,
    Terminal,
}

/// A notification's title and body when a profile needs someone (the tray's, and
/// `latchkey agent`'s; the agent's line on stderr is the CLI's own).
pub fn attention(what: &Attention, act_in: ActIn) -> (String, String) {
    match what {
        Attention::SignInNeeded { profile } => (
            "Sign in to keep your tokens fresh".into(),
            match act_in {
                ActIn::Window => format!("{profile} needs you to sign in again. Open Latchkey to sign in."),
                ActIn::Terminal => format!("{profile} needs you to sign in again: run `latchkey login {profile}`."),
            },
        ),
        Attention::CannotRenew { profile, code, .. } => (
            "Latchkey cannot renew a token".into(),
            match code {
                ErrorCode::Network => {
                    format!("{profile}: the server cannot be reached. Latchkey keeps trying; check your connection.")
                }
                _ => format!("{profile}: the server has a problem. Latchkey keeps trying."),
            },
        ),
        Attention::KeyringUnavailable { profile } => (
            "Latchkey cannot open your keyring".into(),
            format!("{profile}: tokens cannot be renewed until the keyring is unlocked. Latchkey keeps trying."),
        ),
        Attention::ClientRejected { profile } => (
            "Latchkey cannot renew a token".into(),
            match act_in {
                ActIn::Window => format!(
                    "{profile}: the server no longer accepts Latchkey\u{2019}s registration. Open Latchkey to \
                     register again or enter the client id and secret again."
                ),
                ActIn::Terminal => format!(
                    "{profile}: the server does not accept its client id or secret: run `latchkey register {profile}`."
                ),
            },
        ),
    }
}

/// A sign-in into another account than the profile had (the tray tells once).
pub fn account_changed(profile: &str, account: &str, before: &str) -> (String, String) {
    (
        format!("{profile}: signed in as {account}"),
        format!(
            "Before, {profile} was signed in as {before}. If you did not sign in as {account}, someone else may have \
             finished your sign-in: open Latchkey, sign out and sign in again."
        ),
    )
}

/// The tray could not start the window (`tray/src/desktop_app.rs`).
pub fn cannot_open_window(error: &std::io::Error) -> (String, String) {
    ("Latchkey".into(), format!("Cannot open the Latchkey window: {error}. Is latchkey-desktop installed?"))
}

/// "Copy token" in the tray found none to copy.
pub fn no_token_to_copy(profile: &str, error: &latchkey_engine::Error) -> (String, String) {
    ("Latchkey".into(), format!("No token to copy for {profile}: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agent_names_the_command_and_the_tray_the_window() {
        let what = Attention::SignInNeeded { profile: "lab".into() };
        let (_, window) = attention(&what, ActIn::Window);
        let (_, terminal) = attention(&what, ActIn::Terminal);
        assert!(window.contains("Open Latchkey") && !window.contains('`'), "{window}");
        assert!(terminal.contains("run `latchkey login lab`"), "{terminal}");
        let what = Attention::ClientRejected { profile: "lab".into() };
        assert!(attention(&what, ActIn::Terminal).1.contains("run `latchkey register lab`"));
        assert!(!attention(&what, ActIn::Window).1.contains('`'));
    }
}
