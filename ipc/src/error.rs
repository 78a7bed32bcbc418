//! The one place engine errors become text for the window: `{code, message, hint}`.
//! The engine's messages never contain secrets, so they can be shown as they are; the
//! hints that name CLI commands are worded here for a person who has never seen a
//! terminal. `code` is a closed union in TypeScript (bindings/IpcErrorCode.ts).

use latchkey::ErrorCode;
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

impl From<latchkey::Error> for IpcError {
    fn from(err: latchkey::Error) -> Self {
        Self {
            code: IpcErrorCode::Engine(err.kind()),
            message: err.to_string(),
            hint: window_hint(&err).or_else(|| err.hint()),
        }
    }
}

/// What to do next, in the app's words where the engine's hint names a CLI command.
fn window_hint(err: &latchkey::Error) -> Option<String> {
    use latchkey::Error;
    Some(match err {
        Error::ScopeRefused { majora: true, .. } => "Untick the task your account may not use under \
            \u{201c}Scopes and redirect\u{2026}\u{201d} on the profile, or ask your Majora administrator to \
            grant you the permission; then sign in again."
            .into(),
        Error::ScopeRefused { .. } => "Remove the scope under \u{201c}Scopes and redirect\u{2026}\u{201d} on \
            the profile, or ask the server's administrator; then sign in again."
            .into(),
        Error::TwoFactorRequired { .. } => "Set up two-factor authentication on your Majora account page \
            (Profile, then \u{201c}Enable 2FA\u{201d}), then sign in again."
            .into(),
        Error::RegistrationRefused { had_initial_token: false, .. } => "Ask the server\u{2019}s administrator \
            for an initial access token and paste it into \u{201c}Initial access token\u{201d}, or for a client id and secret (\u{201c}I already \
            have a client id and secret\u{201d})."
            .into(),
        Error::RegistrationRefused { .. } => "Ask the server\u{2019}s administrator for a new initial access \
            token (each one works a limited number of times), or for a client id and secret."
            .into(),
        _ => return None,
    })
}

pub type IpcResult<T> = Result<T, IpcError>;
