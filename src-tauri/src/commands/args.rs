//! A command's arguments arrive as one struct of `latchkey_ipc::commands::args`, read
//! from the whole payload the window sent (not one field per Rust parameter, as Tauri
//! does by default): the struct is what the window's TypeScript is generated from, so
//! the names the window sends and the names read here are the same by construction.

use serde::de::DeserializeOwned;
use tauri::ipc::{CommandArg, CommandItem, InvokeBody, InvokeError};
use tauri::Runtime;

use crate::error::IpcError;

fn unreadable(command: &str, why: &dyn std::fmt::Display) -> InvokeError {
    InvokeError::from(IpcError::internal(format!(
        "Latchkey could not read what the window asked for ({command}: {why}). This is a bug: please report it \
         with Settings \u{2192} Copy diagnostics."
    )))
}

/// The arguments of a command, as the struct the list names for it.
pub struct Args<T>(pub T);

impl<'de, R: Runtime, T: DeserializeOwned> CommandArg<'de, R> for Args<T> {
    fn from_command(command: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        match command.message.payload() {
            // Only a bug in the window gets here; it still arrives as an IpcError, in words.
            InvokeBody::Json(value) => T::deserialize(value).map(Args).map_err(|e| unreadable(command.name, &e)),
            InvokeBody::Raw(_) => Err(unreadable(command.name, &"not JSON")),
        }
    }
}
