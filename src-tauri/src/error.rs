//! The one place engine errors become text for the webview: `{code, message, hint}`.
//! The engine's messages never contain secrets, so they can be shown as they are.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct IpcError {
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl IpcError {
    pub fn internal(message: String) -> Self {
        Self { code: "internal", message, hint: None }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self { code: "usage", message: message.into(), hint: None }
    }
}

impl From<latchkey::Error> for IpcError {
    fn from(err: latchkey::Error) -> Self {
        Self { code: err.code(), message: err.to_string(), hint: err.hint() }
    }
}

impl From<tauri::Error> for IpcError {
    fn from(err: tauri::Error) -> Self {
        Self::internal(err.to_string())
    }
}

pub type IpcResult<T> = Result<T, IpcError>;

/// The same shape, for event payloads.
pub type IpcErrorPayload = IpcError;
