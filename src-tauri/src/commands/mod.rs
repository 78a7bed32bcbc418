//! IPC commands, grouped by concept; each is a short delegation into the engine.
//! Commands return status and metadata, never a token or secret.
//!
//! Which commands there are, and what each takes and answers, is declared once: the list
//! in `ipc/src/commands/list.rs`. The `#[tauri::command]` functions the window calls are
//! made from it here ([`handlers`]); each calls the hand-written body of the same name in
//! `app.rs`, `profiles.rs`, `settings.rs` or `sign_in.rs`, which is
//! `async fn(&Ctx, Args) -> IpcResult<R>` (no `Args` when the list names none). A body
//! whose arguments or answer differ from the list's is a compile error here, not a
//! window that sends one thing while Rust reads another.

use tauri::{AppHandle, State};

use crate::error::IpcResult;
use crate::state::AppState;
#[allow(unused_imports)] // the list names every argument and answer type
use latchkey_engine::{ApiAnswer, CredentialCheck, Identity};
#[allow(unused_imports)]
use latchkey_ipc::commands::args::*;
#[allow(unused_imports)]
use latchkey_ipc::models::*;

pub use args::Args;

pub mod app;
mod args;
pub mod profiles;
pub mod settings;
pub mod sign_in;

/// What every command's body is given: the app (its windows, plugins, events) and its
/// state (the engine, the paths).
pub struct Ctx<'a> {
    pub app: &'a AppHandle,
    pub state: &'a AppState,
}

/// The `#[tauri::command]` of one entry of the list: its arguments read as the list's
/// struct, its answer the list's type.
macro_rules! handler {
    ($module:ident $name:ident () -> $result:ty) => {
        #[tauri::command]
        pub async fn $name(app: AppHandle, state: State<'_, AppState>) -> IpcResult<$result> {
            super::super::$module::$name(&Ctx { app: &app, state: &state }).await
        }
    };
    ($module:ident $name:ident ($args:ty) -> $result:ty) => {
        #[tauri::command]
        pub async fn $name(app: AppHandle, state: State<'_, AppState>, args: Args<$args>) -> IpcResult<$result> {
            super::super::$module::$name(&Ctx { app: &app, state: &state }, args.0).await
        }
    };
}

macro_rules! handlers_of {
    (
        commands { $( $module:ident { $(
            $(#[doc = $doc:literal])*
            $name:ident ( $($args:ty)? ) -> $result:ty ;
        )* } )* }
        events { $($events:tt)* }
    ) => {
        /// The window's commands, one module per group of the list.
        pub mod handlers {
            $( pub mod $module {
                use super::super::*;
                $( handler!($module $name ($($args)?) -> $result); )*
            } )*
        }
    };
}

latchkey_ipc::with_commands!(handlers_of);
