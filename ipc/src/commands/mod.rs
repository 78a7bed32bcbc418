//! The IPC commands and events, made from the one list in `list.rs`: their names for
//! the shell, the event names with their payload types, and the TypeScript map the
//! window calls through (`ui/src/lib/bindings/commands.ts`).
//!
//! Why a list and not attributes on the command functions: the shell's build script
//! needs the names too (for the `allow-*` permissions and the capability), and it cannot
//! depend on this crate without building the engine a second time for the host. The
//! list is plain `macro_rules!`, so the build script has the file as a module of its own.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use ts_rs::{TypeVisitor, TS};

pub mod args;
mod list;

#[allow(unused_imports)] // the list names them
use crate::models::*;
#[allow(unused_imports)]
use args::*;
#[allow(unused_imports)]
use latchkey_engine::{ApiAnswer, CredentialCheck, Identity};

/// One command of the list, as the generated TypeScript needs it.
struct Command {
    name: &'static str,
    docs: &'static [&'static str],
    args: Option<Ts>,
    result: Ts,
}

/// One event of the list.
struct EventEntry {
    constant: &'static str,
    name: &'static str,
    docs: &'static [&'static str],
    payload: Ts,
}

type Export = fn(&Path) -> Result<(), ts_rs::ExportError>;

/// A Rust type as TypeScript: its name there, and the generated files it needs (for
/// `Vec<ProfileView>`: `Array<ProfileView>`, and ProfileView.ts with what it names).
struct Ts {
    name: String,
    imports: BTreeMap<String, (PathBuf, Export)>,
}

impl Ts {
    fn of<T: TS + 'static>() -> Self {
        struct Named(BTreeMap<String, (PathBuf, Export)>);
        impl TypeVisitor for Named {
            fn visit<T: TS + 'static + ?Sized>(&mut self) {
                if let Some(path) = T::output_path() {
                    self.0.insert(T::ident(), (path, |dir| T::export_all_to(dir)));
                }
            }
        }
        let mut named = Named(BTreeMap::new());
        named.visit::<T>();
        T::visit_generics(&mut named);
        Ts { name: T::name(), imports: named.0 }
    }
}

/// An event Rust sends the window, with the type of its payload: the shell can only
/// emit it with that type (`src-tauri/src/events.rs`).
pub struct Event<P> {
    pub name: &'static str,
    payload: PhantomData<fn(P)>,
}

impl<P> Clone for Event<P> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P> Copy for Event<P> {}

macro_rules! generate {
    (
        commands { $( $module:ident { $(
            $(#[doc = $doc:literal])*
            $name:ident ( $($args:ty)? ) -> $result:ty ;
        )* } )* }
        events { $(
            $(#[doc = $edoc:literal])*
            $constant:ident = $event:literal => $payload:ty ;
        )* }
    ) => {
        /// Every command's name, as the handlers and permissions know it.
        pub const NAMES: &[&str] = &[$($(stringify!($name)),*),*];

        /// The events, by name, with their payload types.
        pub mod events {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[doc = $edoc])*
                pub const $constant: super::Event<$payload> =
                    super::Event { name: $event, payload: std::marker::PhantomData };
            )*
        }

        fn commands() -> Vec<Command> {
            vec![$($(Command {
                name: stringify!($name),
                docs: &[$($doc),*],
                args: generate!(@args $($args)?),
                result: Ts::of::<$result>(),
            }),*),*]
        }

        fn events() -> Vec<EventEntry> {
            vec![$(EventEntry {
                constant: stringify!($constant),
                name: $event,
                docs: &[$($edoc),*],
                payload: Ts::of::<$payload>(),
            }),*]
        }
    };
    (@args) => { None };
    (@args $args:ty) => { Some(Ts::of::<$args>()) };
}

crate::with_commands!(generate);

/// Every type the commands take and answer and the events carry.
fn all_types<'a>(commands: &'a [Command], events: &'a [EventEntry]) -> impl Iterator<Item = &'a Ts> {
    commands.iter().flat_map(|c| c.args.iter().chain([&c.result])).chain(events.iter().map(|e| &e.payload))
}

/// Write every type the commands and events name (and what those name), and
/// `commands.ts`, into `dir`: what `ui/src/lib/bindings/` must hold.
pub fn export_to(dir: &Path) -> Result<(), ts_rs::ExportError> {
    let (commands, events) = (commands(), events());
    for (_, export) in all_types(&commands, &events).flat_map(|ts| ts.imports.values()) {
        export(dir)?;
    }
    std::fs::write(dir.join("commands.ts"), typescript(&commands, &events))?;
    Ok(())
}

fn doc_comment(docs: &[&str], indent: &str) -> String {
    if docs.is_empty() {
        return String::new();
    }
    let lines: Vec<&str> = docs.iter().map(|d| d.trim()).collect();
    format!("{indent}/** {} */\n", lines.join(" "))
}

/// The map the window's `call()` and `on()` are typed with (`ui/src/lib/ipc.ts`).
fn typescript(commands: &[Command], events: &[EventEntry]) -> String {
    let imports: BTreeMap<_, _> = all_types(commands, events).flat_map(|ts| ts.imports.iter()).collect();
    let mut out = String::from(
        "// Generated from ipc/src/commands/list.rs by `LATCHKEY_WRITE_BINDINGS=1 cargo test -p latchkey-ipc`.\n\
         // Do not edit: change the list (or an argument struct) and run that instead.\n",
    );
    for (ident, (path, _)) in imports {
        let module = path.with_extension("");
        out.push_str(&format!("import type {{ {ident} }} from './{}';\n", module.display()));
    }
    out.push_str("\n/** Every IPC command: what it takes (`null`: nothing) and what it answers. */\nexport interface Commands {\n");
    for c in commands {
        out.push_str(&doc_comment(c.docs, "  "));
        let args = c.args.as_ref().map_or("null", |a| a.name.as_str());
        // `()` is `null` in a type, but a command that answers nothing is `void` to await.
        let result = if c.result.name == "null" { "void" } else { c.result.name.as_str() };
        out.push_str(&format!("  {}: {{ args: {args}; result: {result} }};\n", c.name));
    }
    out.push_str("}\n\n/** The events Rust sends the window, by name. */\nexport const EVENTS = {\n");
    for e in events {
        out.push_str(&doc_comment(e.docs, "  "));
        out.push_str(&format!("  {}: '{}',\n", e.constant, e.name));
    }
    out.push_str("} as const;\n\n/** Each event's payload. */\nexport interface Events {\n");
    for e in events {
        out.push_str(&format!("  '{}': {};\n", e.name, e.payload.name));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_named_once_and_in_snake_case() {
        let mut seen = std::collections::BTreeSet::new();
        for name in NAMES {
            assert!(seen.insert(name), "{name} is listed twice");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name}");
        }
        assert!(NAMES.len() > 20);
    }

    #[test]
    fn the_typescript_names_what_each_command_takes_and_answers() {
        let ts = typescript(&commands(), &events());
        assert!(ts.contains("  set_client: { args: SetClient; result: void };"), "{ts}");
        assert!(ts.contains("  list_profiles: { args: null; result: Array<ProfileView> };"), "{ts}");
        assert!(ts.contains("import type { SetClient } from './SetClient';"), "{ts}");
        assert!(ts.contains("  'latchkey://sign-in-finished': SignInFinished;"), "{ts}");
        assert!(!ts.contains("import type { String }"), "{ts}");
    }
}
