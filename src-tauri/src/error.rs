//! The one place engine errors become text for the webview: `{code, message, hint}`.
//! The engine's messages never contain secrets, so they can be shown as they are.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct IpcError {
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl From<latchkey::Error> for IpcError {
    fn from(err: latchkey::Error) -> Self {
        Self { code: err.code(), message: err.to_string(), hint: err.hint() }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
