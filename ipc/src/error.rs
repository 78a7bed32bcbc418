//! The one place engine errors become text for the window: `{code, message, hint}`.
//! The engine's messages never contain secrets, so they can be shown as they are; its
//! next steps are data, worded here for a person who has never seen a terminal. `code` is a closed union in TypeScript (bindings/IpcErrorCode.ts).

use latchkey_engine::ErrorCode;
use latchkey_engine::NextStep;
use serde::Serialize;
use ts_rs::TS;

/// The codes an IPC error can carry: every engine code, and the app's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(untagged)]
pub enum IpcErrorCode {
    Engine(ErrorCode),
    App(AppErrorCode),
}

/// Failures of the app itself, not of the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum AppErrorCode {
    /// Something in the app failed (a window, the clipboard): not the user's doing.
    Internal,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct IpcError {
    pub code: IpcErrorCode,
    pub message: String,
    pub hint: Option<String>,
}

impl IpcError {
    pub fn internal(message: String) -> Self {
        Self { code: IpcErrorCode::App(AppErrorCode::Internal), message, hint: None }
    }

    /// Input the user can fix (same code as the engine's usage errors).
    pub fn usage(message: impl Into<String>) -> Self {
        Self { code: IpcErrorCode::Engine(ErrorCode::Usage), message: message.into(), hint: None }
    }
}

impl From<latchkey_engine::Error> for IpcError {
    fn from(err: latchkey_engine::Error) -> Self {
        Self {
            code: IpcErrorCode::Engine(err.kind()),
            message: err.to_string(),
            hint: err.next_step().map(|step| next_step(&step)),
        }
    }
}

/// What to do next, for a person who has never seen a terminal: buttons and fields of
/// this app, never a command (the CLI words the same steps in `cli/src/commands/words.rs`).
pub fn next_step(step: &NextStep) -> String {
    match step {
        NextStep::ChooseExistingProfile => "It may have been removed in another window; the list shows the servers \
            you have."
            .into(),
        NextStep::ChooseAnotherName { existing } => {
            format!("Choose another profile name, or remove \u{201c}{existing}\u{201d} from the list first.")
        }
        NextStep::UseHttps => "Use the server\u{2019}s https address.".into(),
        NextStep::RepairConfig { path } => {
            format!("Fix or move {} aside (Latchkey will not overwrite it), then open Latchkey again.", path.display())
        }
        NextStep::UpgradeLatchkey => "Install the newer Latchkey that wrote this file.".into(),
        NextStep::SetConfigDir => "Latchkey needs a home folder it can write to; ask whoever set up this \
            computer."
            .into(),
        NextStep::UnlockKeyring => "Unlock your keyring (your login password usually does it) and try again. \
            Latchkey keeps secrets only there, never in plain files."
            .into(),
        NextStep::GiveClientSecret { .. } => "Give the client secret again: \u{201c}Finish setup\u{201d} on the \
            server\u{2019}s row, then \u{201c}I already have a client id and secret\u{201d}."
            .into(),
        NextStep::SignIn { .. } => "Press \u{201c}Sign in\u{201d} on the server\u{2019}s row.".into(),
        NextStep::Register { .. } => "Press \u{201c}Finish setup\u{201d} on the server\u{2019}s row to register \
            Latchkey, or give the client id you were given."
            .into(),
        NextStep::StartSignInAgain => "Start the sign-in again and use the address from that attempt; links \
            from older or other sign-ins are never accepted."
            .into(),
        NextStep::AuthorizeOnServerPage => {
            "Sign in again and choose \u{201c}Authorize\u{201d} on the server\u{2019}s page.".into()
        }
        NextStep::AskForFewerScopes { majora: true, .. } => "Untick the task your account may not use under \
            \u{201c}Scopes and redirect\u{2026}\u{201d} on the profile, or ask your Majora administrator to \
            grant you the permission; then sign in again."
            .into(),
        NextStep::AskForFewerScopes { majora: false, .. } => "Remove the scope under \u{201c}Scopes and \
            redirect\u{2026}\u{201d} on the profile, or ask the server\u{2019}s administrator; then sign in again."
            .into(),
        NextStep::EnableTwoFactor { .. } => "Set up two-factor authentication on your Majora account page \
            (Profile, then \u{201c}Enable 2FA\u{201d}), then sign in again."
            .into(),
        NextStep::GetInitialAccessToken { again: false, .. } => "Ask the server\u{2019}s administrator for an \
            initial access token and paste it into \u{201c}Initial access token\u{201d}, or for a client id and \
            secret (\u{201c}I already have a client id and secret\u{201d})."
            .into(),
        NextStep::GetInitialAccessToken { again: true, .. } => "Ask the server\u{2019}s administrator for a new \
            initial access token (each one works a limited number of times), or for a client id and secret."
            .into(),
        NextStep::CheckRedirectUri { redirect_uri, .. } => format!(
            "The server\u{2019}s application page must list exactly this return address: {redirect_uri}. \
             Check it there and under \u{201c}Scopes and redirect\u{2026}\u{201d} on the profile, then sign in again."
        ),
        NextStep::CheckClientCredentials => "The application may have been deleted on the server, or given a \
            new secret. Use \u{201c}Register again\u{201d} or \u{201c}Enter the client again\u{201d} on this \
            server to fix it."
            .into(),
        NextStep::SignInPromptly => "Sign in again; the server\u{2019}s sign-in codes last a minute and work \
            once."
            .into(),
        NextStep::AskForLessTime { .. } => "The server\u{2019}s tokens do not last long enough. Ask its \
            administrator for tokens that last longer."
            .into(),
        // Said wherever the network fails (the wizard, Test access, a renewal): true in each.
        NextStep::TryAgainLater => "Nothing was changed or lost. Check your connection or the server\u{2019}s \
            status, and try again."
            .into(),
        NextStep::CheckIssuer => "Check the issuer URL, or tick \u{201c}Enter the endpoints by hand\u{201d} and \
            give the two addresses from the server\u{2019}s documentation."
            .into(),
        NextStep::EndStuckProcess => "Another Latchkey is busy with this profile. Wait a moment and try again; \
            if it keeps happening, log out and in again."
            .into(),
        NextStep::ConfirmForeignHost => {
            "Check the address. If you trust that host with your token, confirm to send it anyway.".into()
        }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// One of every step; the match makes the compiler name a step added without a case here.
    fn every_step() -> Vec<NextStep> {
        let p = || "lab".to_string();
        let all = vec![
            NextStep::ChooseExistingProfile,
            NextStep::ChooseAnotherName { existing: p() },
            NextStep::UseHttps,
            NextStep::RepairConfig { path: PathBuf::from("/home/u/.config/latchkey/config.toml") },
            NextStep::UpgradeLatchkey,
            NextStep::SetConfigDir,
            NextStep::UnlockKeyring,
            NextStep::GiveClientSecret { profile: p() },
            NextStep::SignIn { profile: p() },
            NextStep::Register { profile: p() },
            NextStep::StartSignInAgain,
            NextStep::AuthorizeOnServerPage,
            NextStep::AskForFewerScopes { profile: p(), majora: true },
            NextStep::AskForFewerScopes { profile: p(), majora: false },
            NextStep::EnableTwoFactor { profile: p() },
            NextStep::GetInitialAccessToken { profile: p(), again: false },
            NextStep::GetInitialAccessToken { profile: p(), again: true },
            NextStep::CheckClientCredentials,
            NextStep::CheckRedirectUri { profile: p(), redirect_uri: "latchkey://callback/lab".into() },
            NextStep::SignInPromptly,
            NextStep::TryAgainLater,
            NextStep::AskForLessTime { profile: p() },
            NextStep::CheckIssuer,
            NextStep::EndStuckProcess,
            NextStep::ConfirmForeignHost,
        ];
        for step in &all {
            match step {
                NextStep::ChooseExistingProfile
                | NextStep::ChooseAnotherName { .. }
                | NextStep::UseHttps
                | NextStep::RepairConfig { .. }
                | NextStep::UpgradeLatchkey
                | NextStep::SetConfigDir
                | NextStep::UnlockKeyring
                | NextStep::GiveClientSecret { .. }
                | NextStep::SignIn { .. }
                | NextStep::Register { .. }
                | NextStep::StartSignInAgain
                | NextStep::AuthorizeOnServerPage
                | NextStep::AskForFewerScopes { .. }
                | NextStep::EnableTwoFactor { .. }
                | NextStep::GetInitialAccessToken { .. }
                | NextStep::CheckClientCredentials
                | NextStep::CheckRedirectUri { .. }
                | NextStep::SignInPromptly
                | NextStep::TryAgainLater
                | NextStep::AskForLessTime { .. }
                | NextStep::CheckIssuer
                | NextStep::EndStuckProcess
                | NextStep::ConfirmForeignHost => {}
            }
        }
        all
    }

    #[test]
    fn the_window_never_tells_a_person_to_type_a_command() {
        for step in every_step() {
            let words = next_step(&step);
            for cli in ["`", "latchkey ", "--", "stdin", "Run "] {
                assert!(!words.contains(cli), "{step:?} is worded for a terminal: {words}");
            }
            assert!(words.ends_with('.'), "{step:?}: {words}");
            assert!(words.chars().next().unwrap().is_uppercase(), "{step:?}: {words}");
        }
    }

    #[test]
    fn an_engine_error_reaches_the_window_with_its_code_and_the_windows_words() {
        let err =
            IpcError::from(latchkey_engine::Error::SignInNeeded { profile: "lab".into(), reason: "expired".into() });
        assert_eq!(err.code, IpcErrorCode::Engine(ErrorCode::SignInNeeded));
        assert_eq!(err.hint.as_deref(), Some("Press \u{201c}Sign in\u{201d} on the server\u{2019}s row."));
        let none = IpcError::from(latchkey_engine::Error::Usage("no".into()));
        assert_eq!(none.hint, None);
    }
}
