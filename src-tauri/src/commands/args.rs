//! A command's arguments arrive as one struct of `latchkey_ipc::commands::args`, read
//! from the whole payload the window sent (not one field per Rust parameter, as Tauri
//! does by default): the struct is what the window's TypeScript is generated from, so
//! the names the window sends and the names read here are the same by construction.

use serde::de::DeserializeOwned;
use tauri::ipc::{CommandArg, CommandItem, InvokeBody, InvokeError};
use tauri::Runtime;

/// The arguments of a command, as the struct the list names for it.
pub struct Args<T>(pub T);

impl<'de, R: Runtime, T: DeserializeOwned> CommandArg<'de, R> for Args<T> {
    fn from_command(command: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        match command.message.payload() {
            InvokeBody::Json(value) => T::deserialize(value)
                .map(Args)
                .map_err(|e| tauri::Error::InvalidArgs(command.name, command.key, e).into()),
            InvokeBody::Raw(_) => Err(InvokeError::from(format!("command {} takes JSON arguments", command.name))),
        }
    }
}
