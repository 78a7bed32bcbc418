//! The IPC contract, checked from both ends:
//! - the TypeScript in `ui/src/lib/bindings/` is exactly what these Rust types generate
//!   (`LATCHKEY_WRITE_BINDINGS=1 cargo test -p latchkey-ipc` rewrites it);
//! - the command list agrees in the four places a command must be named: the handler
//!   list (`src-tauri/src/lib.rs`), the permission list (`src-tauri/build.rs`), the main
//!   window's capability, and `ui/src/lib/ipc.ts`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use latchkey_ipc::models::*;
use latchkey_ipc::IpcError;
use ts_rs::TS;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn export(dir: &Path) {
    ProfileView::export_all_to(dir).unwrap();
    ServerInput::export_all_to(dir).unwrap();
    NewProfileInput::export_all_to(dir).unwrap();
    ServerPreview::export_all_to(dir).unwrap();
    SignInStarted::export_all_to(dir).unwrap();
    SignInFinished::export_all_to(dir).unwrap();
    DeviceCodeView::export_all_to(dir).unwrap();
    AppStatus::export_all_to(dir).unwrap();
    RegisterOutcomeView::export_all_to(dir).unwrap();
    SignOutView::export_all_to(dir).unwrap();
    SettingsView::export_all_to(dir).unwrap();
    About::export_all_to(dir).unwrap();
    PresetChoice::export_all_to(dir).unwrap();
    IpcError::export_all_to(dir).unwrap();
    latchkey_engine::oauth::client::CredentialCheck::export_all_to(dir).unwrap();
    latchkey_engine::oauth::probe::ApiAnswer::export_all_to(dir).unwrap();
}

fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).unwrap()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn the_typescript_bindings_are_generated_from_these_types() {
    let committed = repo().join("ui/src/lib/bindings");
    if std::env::var_os("LATCHKEY_WRITE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        export(&committed);
        return;
    }
    let fresh = std::env::temp_dir().join(format!("latchkey-bindings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh);
    export(&fresh);
    let (want, have) = (files(&fresh), files(&committed));
    let _ = std::fs::remove_dir_all(&fresh);
    let names = |v: &[(String, String)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&have), names(&want), "ui/src/lib/bindings/ has other files than the Rust types make");
    for ((name, want), (_, have)) in want.iter().zip(&have) {
        assert_eq!(
            have, want,
            "ui/src/lib/bindings/{name} differs from the Rust types; run LATCHKEY_WRITE_BINDINGS=1 cargo test -p latchkey-ipc"
        );
    }
}

fn between<'t>(text: &'t str, start: &str, end: &str) -> &'t str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start:?} not found")) + start.len();
    &text[from..from + text[from..].find(end).unwrap()]
}

/// What follows each `prefix` up to `quote`.
fn after(text: &str, prefix: &str, quote: char) -> BTreeSet<String> {
    text.split(prefix).skip(1).map(|rest| rest.split(quote).next().unwrap().to_string()).collect()
}

#[test]
fn every_command_is_named_alike_in_handlers_permissions_capability_and_ui() {
    let lib = read("src-tauri/src/lib.rs");
    let handlers: BTreeSet<String> = between(&lib, "generate_handler![", "]")
        .split(',')
        .filter_map(|path| path.trim().rsplit("::").next().map(str::to_string))
        .filter(|s| !s.is_empty())
        .collect();
    let build = read("src-tauri/build.rs");
    let permitted = after(between(&build, "COMMANDS: &[&str] = &[", "];"), "\"", '"')
        .into_iter()
        .filter(|w| !w.trim().is_empty() && !w.contains(','))
        .collect::<BTreeSet<_>>();
    let capability: BTreeSet<String> = after(&read("src-tauri/capabilities/main-window.json"), "\"allow-", '"')
        .into_iter()
        .map(|p| p.replace('-', "_"))
        .collect();
    // Commands, not events (`listen<…>('latchkey://…')`).
    let called: BTreeSet<String> =
        after(&read("ui/src/lib/ipc.ts"), ">('", '\'').into_iter().filter(|w| !w.contains("://")).collect();
    assert!(handlers.len() > 20, "{handlers:?}");
    assert_eq!(permitted, handlers, "src-tauri/build.rs COMMANDS vs the handlers in src-tauri/src/lib.rs");
    assert_eq!(capability, handlers, "capabilities/main-window.json vs the handlers");
    assert_eq!(called, handlers, "the commands ui/src/lib/ipc.ts calls vs the handlers");
}
